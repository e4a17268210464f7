import { Names, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as actions, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledge, inCompliancePacks } from './nag';

/** One alarm as cdk-shipyard makes them. */
export interface FixedNameAlarmProps {
  /** The alarm's construct id and name suffix. */
  readonly id: string;
  /** What the alarm means, after the owner's path. */
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  /** Fires at or above this value. */
  readonly threshold: number;
  /** Consecutive breaching minutes. */
  readonly periods: number;
  /** Notified on alarm and on recovery. */
  readonly topic?: sns.ITopic;
}

/** The name prefix of the alarms of `owner`: unique, derived from its path. */
export function alarmBaseName(owner: Construct): string {
  return Names.uniqueResourceName(owner, { maxLength: 200, separator: '-' });
}

/**
 * An alarm with a fixed name derived from `owner`'s path (so a service can list it for
 * rollback without depending on it), created in `scope`, notifying `topic` on alarm and recovery.
 */
export function fixedNameAlarm(scope: Construct, owner: Construct, props: FixedNameAlarmProps): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, props.id, {
    alarmName: `${alarmBaseName(owner)}-${props.id}`,
    alarmDescription: `${owner.node.path}: ${props.description}`,
    metric: props.metric,
    threshold: props.threshold,
    // N of N: CloudWatch reads DatapointsToAlarm only for an M-of-N alarm, so it is left out.
    evaluationPeriods: props.periods,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  if (props.topic) {
    alarm.addAlarmAction(new actions.SnsAction(props.topic));
    alarm.addOkAction(new actions.SnsAction(props.topic));
  } else {
    const reason = 'No environment alarmTopic: the alarm is read by ECS rollback or in CloudWatch.';
    acknowledge(alarm, inCompliancePacks('CloudWatchAlarmAction', reason));
  }
  return alarm;
}
