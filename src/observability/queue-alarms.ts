// A worker's queue alarms: the oldest message's age and a dead-letter queue that holds messages,
// for each queue it consumes.
import { Duration, aws_cloudwatch as cloudwatch, aws_sns as sns, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode } from '../guardrails/errors';
import { fixedNameAlarm } from '../private/alarms';
import { ONE_MINUTE } from '../private/metrics';
import type { WorkerAlarmsOptions } from '../workloads/worker-service';

/** A queue the worker consumes, with its dead-letter queue; `key` prefixes its alarms ('' for the worker's own queue). */
export interface ConsumedQueue {
  readonly key: string;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue?: sqs.IQueue;
}

/** The alarms of the queues a worker consumes, in `scope` (the worker), notifying `topic`. */
export function queueAlarms(scope: Construct, consumed: ConsumedQueue[], options: WorkerAlarmsOptions, topic?: sns.ITopic): cloudwatch.AlarmBase[] {
  const created: cloudwatch.AlarmBase[] = [];
  const add = (id: string, metric: cloudwatch.IMetric, threshold: number, periods: number, description: string) =>
    created.push(fixedNameAlarm(scope, scope, { id, metric, threshold, periods, description, topic }));
  const age = options.oldestMessageAge ?? Duration.minutes(15);
  checkRange(scope, ErrorCode.ALARM, 'alarms.oldestMessageAge', knownSeconds(age), 60, 1209600, ' s');
  for (const c of consumed) {
    const of = c.key ? ` (subscription ${c.key})` : '';
    add(`${c.key}OldestMessageAge`, c.queue.metricApproximateAgeOfOldestMessage({ period: ONE_MINUTE, statistic: 'Maximum' }),
      age.toSeconds(), 5, `the oldest message${of} waited ${age.toHumanString()} or more for 5 minutes`);
    if (c.deadLetterQueue && (options.deadLetterQueueNotEmpty ?? true)) {
      add(`${c.key}DeadLetterQueueNotEmpty`, c.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: 'Maximum' }),
        1, 1, `messages${of} failed processing and moved to the dead-letter queue`);
    }
  }
  return created;
}
