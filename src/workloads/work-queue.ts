import {
  Duration, RemovalPolicy, aws_kms as kms, aws_sns as sns, aws_sns_subscriptions as subscriptions, aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkInteger, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';

/** Options of a worker's own queue. */
export interface WorkQueueOptions {
  /**
   * A FIFO queue (exactly-once processing in message-group order); its dead-letter queue is FIFO too.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * Deduplicate FIFO messages by a hash of their body.
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;
  /**
   * KMS key that encrypts the queues.
   * @default - SQS-managed encryption (SSE-SQS)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long a received message stays invisible to other consumers (0 s - 12 h). Must cover
   * the declared processing time and the container's stop timeout.
   * @default - the longest of 60 s, twice the processing time, and the stop timeout plus 30 s
   */
  readonly visibilityTimeout?: Duration;
  /**
   * How long unprocessed messages are kept (60 s - 14 days).
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
  /**
   * How long each new message stays hidden before a worker can receive it (0-15 minutes), for
   * work that should wait (a retry later, a grace period before processing).
   * @default - none: delivered at once
   */
  readonly deliveryDelay?: Duration;
  /**
   * Receives before a message moves to the dead-letter queue (1-1000).
   * @default 3
   */
  readonly maxReceiveCount?: number;
}

/** What a worker passes to its queue choice. */
export interface WorkQueueBindOptions {
  /** The visibility timeout the worker derived from its processing and stop times. */
  readonly defaultVisibilityTimeout: Duration;
  /** Seconds the worker needs per message plus its stop timeout; the visibility must cover both. */
  readonly processingSeconds?: number;
  /** The container's stop timeout in seconds. */
  readonly stopTimeoutSeconds: number;
}

/** The queues of a worker. */
export interface WorkQueueConfig {
  /** The queue the worker consumes. */
  readonly queue: sqs.IQueue;
  /**
   * Its dead-letter queue.
   * @default - unknown (an existing queue)
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/** SQS limits. Source: Amazon SQS Developer Guide, "Amazon SQS message quotas". */
const MAX_VISIBILITY_SECONDS = 43200;

/** The queue a WorkerService consumes. */
export class WorkQueue {
  /**
   * A new queue with a dead-letter queue (redrive after `maxReceiveCount` receives),
   * TLS enforced, encrypted, both retained when the stack is deleted.
   */
  public static newQueue(options: WorkQueueOptions = {}): WorkQueue {
    return new WorkQueue((scope, bind) => {
      const fifo = options.fifo ?? false;
      const visibility = options.visibilityTimeout ?? bind.defaultVisibilityTimeout;
      checkVisibility(scope, visibility, bind);
      const maxReceiveCount = options.maxReceiveCount ?? 3;
      checkInteger(scope, ErrorCode.QUEUE, 'queue.maxReceiveCount', maxReceiveCount);
      checkRange(scope, ErrorCode.QUEUE, 'queue.maxReceiveCount', maxReceiveCount, 1, 1000);
      const retention = options.retentionPeriod ?? Duration.days(4);
      checkRange(scope, ErrorCode.QUEUE, 'queue.retentionPeriod', knownSeconds(retention), 60, 1209600, ' s');
      // Source: Amazon SQS Developer Guide, "Amazon SQS delay queues": 0 seconds to 15 minutes.
      checkRange(scope, ErrorCode.QUEUE, 'queue.deliveryDelay', knownSeconds(options.deliveryDelay), 0, 900, ' s');
      if (options.contentBasedDeduplication && !fifo) {
        throw new ShipyardError(scope, ErrorCode.QUEUE, 'contentBasedDeduplication is set on a standard queue', 'set fifo: true, or drop contentBasedDeduplication');
      }
      const encryption = options.encryptionKey
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: options.encryptionKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED };
      const deadLetterQueue = new sqs.Queue(scope, 'DeadLetterQueue', {
        ...encryption,
        fifo: fifo || undefined,
        enforceSSL: true,
        // The longest SQS keeps a message: time to inspect and redrive.
        retentionPeriod: Duration.days(14),
        removalPolicy: RemovalPolicy.RETAIN,
        // Marks it a dead-letter queue (AWS Control Tower CT.SQS.PR.1). Naming the source queue
        // (byQueue) would make the two queues reference each other, a cycle CloudFormation
        // rejects; allowAll is SQS's default, so nothing changes but the declaration.
        redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
      });
      const queue = new sqs.Queue(scope, 'Queue', {
        ...encryption,
        fifo: fifo || undefined,
        contentBasedDeduplication: options.contentBasedDeduplication,
        enforceSSL: true,
        visibilityTimeout: visibility,
        retentionPeriod: retention,
        deliveryDelay: options.deliveryDelay,
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      return { queue, deadLetterQueue };
    });
  }

  /**
   * An existing queue. When it is an `sqs.Queue` of this app, its dead-letter queue and
   * visibility timeout are checked and alarmed on as well.
   */
  public static fromQueue(queue: sqs.IQueue): WorkQueue {
    return new WorkQueue((scope, bind) => {
      let deadLetterQueue: sqs.IQueue | undefined;
      if (queue instanceof sqs.Queue) {
        deadLetterQueue = queue.deadLetterQueue?.queue;
        if (deadLetterQueue && queue.fifo !== deadLetterQueue.fifo) {
          throw new ShipyardError(scope, ErrorCode.QUEUE,
            `queue ${queue.node.path} is ${queue.fifo ? 'FIFO' : 'standard'} but its dead-letter queue is ${deadLetterQueue.fifo ? 'FIFO' : 'standard'}`,
            'give a FIFO queue a FIFO dead-letter queue (and a standard queue a standard one)');
        }
        const cfn = queue.node.defaultChild as sqs.CfnQueue;
        if (typeof cfn.visibilityTimeout === 'number') checkVisibility(scope, Duration.seconds(cfn.visibilityTimeout), bind);
      }
      return { queue, deadLetterQueue };
    });
  }

  private constructor(private readonly produce: (scope: Construct, options: WorkQueueBindOptions) => WorkQueueConfig) {}

  /**
   * Create (or check) the queues in `scope`.
   * @internal
   */
  public _bind(scope: Construct, options: WorkQueueBindOptions): WorkQueueConfig {
    return this.produce(scope, options);
  }
}

function checkVisibility(scope: Construct, visibility: Duration, bind: WorkQueueBindOptions): void {
  const seconds = knownSeconds(visibility);
  if (seconds === undefined) return;
  checkRange(scope, ErrorCode.QUEUE, 'queue.visibilityTimeout', seconds, 0, MAX_VISIBILITY_SECONDS, ' s');
  if (bind.processingSeconds !== undefined && seconds < bind.processingSeconds) {
    throw new ShipyardError(scope, ErrorCode.QUEUE,
      `the queue's visibility timeout (${seconds} s) is shorter than the processing time (${bind.processingSeconds} s), so messages would be delivered twice while still being processed`,
      'raise queue.visibilityTimeout above processingTime');
  }
  if (seconds < bind.stopTimeoutSeconds) {
    throw new ShipyardError(scope, ErrorCode.QUEUE,
      `the queue's visibility timeout (${seconds} s) is shorter than the container's stop timeout (${bind.stopTimeoutSeconds} s), so a message a stopping task still works on would reappear`,
      'raise queue.visibilityTimeout above stopTimeout');
  }
}

/** An SNS topic the worker's queue subscribes to. */
export interface TopicSubscription {
  /** The topic. */
  readonly topic: sns.ITopic;
  /**
   * Deliver only messages whose attributes match.
   * @default - every message
   */
  readonly filterPolicy?: { [attribute: string]: sns.SubscriptionFilter };
  /**
   * Deliver the raw message instead of the SNS JSON envelope.
   * @default true
   */
  readonly rawMessageDelivery?: boolean;
  /**
   * A queue of the topic's own (`WorkQueue.newQueue({...})`, Copilot's `topics[].queue`): the
   * topic's messages wait there, apart from the other topics', with their own dead-letter
   * queue, delay and alarms. Its URL reaches the container in `TOPIC_QUEUE_URLS` (JSON, by
   * `name`); backlog scaling counts every queue.
   * @default - the worker's queue
   */
  readonly queue?: WorkQueue;
  /**
   * The subscription's name: the key of its queue in `TOPIC_QUEUE_URLS` and in `topicQueues`.
   * @default - the topic's construct id
   */
  readonly name?: string;
}

/** Subscribe `queue` to the topics. */
export function subscribe(scope: Construct, queue: sqs.IQueue, topics: TopicSubscription[]): void {
  for (const t of topics) {
    // SNS refuses to subscribe an SQS FIFO queue to a standard topic (a FIFO topic may deliver to
    // both kinds of queue since 2023-09: AWS What's New, "Amazon SNS FIFO topics now support
    // message delivery to Amazon SQS Standard queues"; the refusal is checked against AWS in
    // getmoto/moto#8957).
    if (queue.fifo && !t.topic.fifo) {
      throw new ShipyardError(scope, ErrorCode.QUEUE, `the FIFO queue cannot subscribe to the standard topic ${t.topic.node.path}`,
        'make the topic FIFO (fifo: true), or give this subscription a standard queue of its own (subscriptions[].queue)');
    }
    t.topic.addSubscription(new subscriptions.SqsSubscription(queue, {
      filterPolicy: t.filterPolicy,
      rawMessageDelivery: t.rawMessageDelivery ?? true,
    }));
  }
}
