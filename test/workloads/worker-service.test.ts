import { Duration, Stack, aws_kms as kms, aws_sns as sns, aws_sqs as sqs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Deployment, Image, WorkerService, WorkerServiceProps, WorkQueue } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, policyStatements, productionEnvironment, resources, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/worker:1.0.0');

function worker(props: Partial<WorkerServiceProps> = {}, stack: Stack = testStack()): { stack: Stack; worker: WorkerService } {
  const environment = props.environment ?? productionEnvironment(stack);
  return { stack, worker: new WorkerService(stack, 'Worker', { image: IMAGE, ...props, environment }) };
}

describe('WorkerService', () => {
  test('default output matches the snapshot', () => {
    const { stack } = worker();
    const t = template(stack).toJSON();
    const own = Object.fromEntries(Object.entries(t.Resources).filter(([id]) => id.startsWith('Worker')));
    expect(own).toMatchSnapshot();
  });

  test('owns a TLS-only, SSE-SQS encrypted queue with a retained dead-letter queue after 3 receives', () => {
    const { stack } = worker();
    const t = template(stack);
    t.hasResource('AWS::SQS::Queue', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 60,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkerDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 3 },
      }),
    });
    t.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ MessageRetentionPeriod: 1209600 }) });
    expect(resources(stack, 'AWS::SQS::QueuePolicy')).toHaveLength(2);
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
  });

  test('the task role may consume its queue only, and the container knows the queue', () => {
    const { stack } = worker();
    const statements = policyStatements(stack, 'WorkerTaskDefinitionTaskRole');
    expect(statements).toEqual([expect.objectContaining({
      Action: expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^WorkerQueue/), 'Arn'] },
    })]);
    const env = resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0].Environment;
    expect(env.map((e: any) => e.Name)).toEqual(['QUEUE_URL', 'QUEUE_NAME']);
  });

  test('has no inbound rule and no load balancer', () => {
    const { stack } = worker();
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('queue worker'),
      SecurityGroupIngress: Match.absent(),
    });
    expect(resources(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup')).toHaveLength(0);
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true }, Alarms: Match.objectLike({ Enable: false }),
      }),
    });
  });

  test('alarms on the oldest message (15 min) and on any message in the dead-letter queue', () => {
    const { stack, worker: w } = worker();
    expect(w.queueAlarms.map(a => a.node.id)).toEqual(['OldestMessageAge', 'DeadLetterQueueNotEmpty']);
    template(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900, EvaluationPeriods: 5,
    });
    template(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      EvaluationPeriods: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkerDeadLetterQueue'), 'QueueName'] } }],
    });
  });

  test('a FIFO queue has a FIFO dead-letter queue', () => {
    const { stack } = worker({ queue: WorkQueue.newQueue({ fifo: true, contentBasedDeduplication: true }) });
    const queues = resources(stack, 'AWS::SQS::Queue').map(([, q]) => q.Properties);
    expect(queues).toHaveLength(2);
    expect(queues.map(q => q.FifoQueue)).toEqual([true, true]);
  });

  test('a FIFO queue subscribes to FIFO topics, and a standard queue to either; a FIFO queue on a standard topic fails', () => {
    const stack = testStack();
    const ledger = new sns.Topic(stack, 'Ledger', { enforceSSL: true, fifo: true });
    const events = new sns.Topic(stack, 'Events', { enforceSSL: true });
    worker({ queue: WorkQueue.newQueue({ fifo: true }), subscriptions: [{ topic: ledger }, { topic: events, queue: WorkQueue.newQueue(), name: 'Events' }] }, stack);
    expect(resources(stack, 'AWS::SNS::Subscription')).toHaveLength(2);
    const other = testStack();
    const standard = new sns.Topic(other, 'Events', { enforceSSL: true });
    expectError(ErrorCode.QUEUE, () => worker({ queue: WorkQueue.newQueue({ fifo: true }), subscriptions: [{ topic: standard }] }, other));
    const third = testStack();
    const plain = new sns.Topic(third, 'Events', { enforceSSL: true });
    expectError(ErrorCode.QUEUE, () => worker({ subscriptions: [{ topic: plain, queue: WorkQueue.newQueue({ fifo: true }), name: 'Events' }] }, third));
  });

  test('a KMS key encrypts both queues', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    worker({ queue: WorkQueue.newQueue({ encryptionKey: key }) }, stack);
    const queues = resources(stack, 'AWS::SQS::Queue').map(([, q]) => q.Properties);
    expect(queues).toHaveLength(2);
    for (const q of queues) expect(q.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
  });

  test('subscribes to topics with a filter policy and raw delivery', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Orders', { enforceSSL: true });
    worker({ subscriptions: [{ topic, filterPolicy: { type: sns.SubscriptionFilter.stringFilter({ allowlist: ['created'] }) } }] }, stack);
    template(stack).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs', RawMessageDelivery: true, FilterPolicy: { type: ['created'] },
    });
  });

  test('scales on the backlog per task with metric math over SQS and Container Insights', () => {
    const { stack } = worker({ scaling: { minCapacity: 1, maxCapacity: 10, messagesPerTask: 50 } });
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 50,
        CustomizedMetricSpecification: {
          Metrics: [
            Match.objectLike({ Id: 'visible', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ApproximateNumberOfMessagesVisible' }) }) }),
            Match.objectLike({ Id: 'running', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' }) }) }),
            Match.objectLike({ Id: 'backlog', ReturnData: true }),
          ],
        },
      }),
    });
    expect(resources(stack, 'AWS::ApplicationAutoScaling::ScalingPolicy')).toHaveLength(1);
    template(stack).hasResourceProperties('AWS::ECS::Service', { DesiredCount: Match.absent() });
  });

  test('scales to zero and wakes up on the first message', () => {
    const { stack } = worker({ scaling: { minCapacity: 0, maxCapacity: 4 } });
    template(stack).hasResourceProperties('AWS::ECS::Service', { DesiredCount: Match.absent() });
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 4 });
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({
        AdjustmentType: 'ChangeInCapacity',
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
      }),
    });
    template(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(FILL(running, 0) < 1 AND FILL(visible, 0) > 0, 1, 0)' })]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('WakeUp') }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
    // One alarm only: no scale-in step that would sit in ALARM whenever the queue is empty.
    expect(resources(stack, 'AWS::CloudWatch::Alarm').filter(([id]) => id.includes('WakeUp'))).toHaveLength(1);
  });

  test('the default visibility timeout covers twice the processing time', () => {
    const { stack } = worker({ processingTime: Duration.minutes(5) });
    template(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 600 });
  });

  test('fails when the visibility timeout is shorter than the processing time', () => {
    expectError(ErrorCode.QUEUE, () => worker({
      processingTime: Duration.minutes(5), queue: WorkQueue.newQueue({ visibilityTimeout: Duration.minutes(2) }),
    }));
  });

  test('fails when the visibility timeout is shorter than the stop timeout', () => {
    const queue = WorkQueue.newQueue({ visibilityTimeout: Duration.seconds(60) });
    expectError(ErrorCode.QUEUE, () => worker({ stopTimeout: Duration.seconds(90), queue }));
  });

  test('fails with an existing FIFO queue whose dead-letter queue is standard', () => {
    const stack = testStack();
    const dlq = new sqs.Queue(stack, 'Dlq', { enforceSSL: true });
    const queue = new sqs.Queue(stack, 'Jobs', { fifo: true, enforceSSL: true, deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
    expectError(ErrorCode.QUEUE, () => worker({ queue: WorkQueue.fromQueue(queue) }, stack));
  });

  test('consumes an existing queue without creating one', () => {
    const stack = testStack();
    const queue = sqs.Queue.fromQueueArn(stack, 'Jobs', 'arn:aws:sqs:us-east-1:111111111111:jobs');
    worker({ queue: WorkQueue.fromQueue(queue) }, stack);
    expect(resources(stack, 'AWS::SQS::Queue')).toHaveLength(0);
  });

  test.each([
    ['min above max', { minCapacity: 5, maxCapacity: 2 }, ErrorCode.SCALING_BOUNDS],
    ['a negative minimum', { minCapacity: -1, maxCapacity: 2 }, ErrorCode.SCALING_BOUNDS],
    ['zero messages per task', { minCapacity: 1, maxCapacity: 2, messagesPerTask: 0 }, ErrorCode.SCALING_TARGET],
  ])('fails with %s', (_name, scaling, code) => {
    expectError(code, () => worker({ scaling }));
  });

  test.each([
    ['maxReceiveCount 0', { maxReceiveCount: 0 }],
    ['a retention of 30 s', { retentionPeriod: Duration.seconds(30) }],
    ['content deduplication on a standard queue', { contentBasedDeduplication: true }],
    ['a visibility timeout above 12 hours', { visibilityTimeout: Duration.hours(13) }],
  ])('fails with %s', (_name, options) => {
    expectError(ErrorCode.QUEUE, () => worker({ queue: WorkQueue.newQueue(options) }));
  });

  test('fails when asked to roll back on alarms it does not have', () => {
    expectError(ErrorCode.ALARM, () => worker({ deployment: Deployment.rolling({ rollbackOnAlarm: true }) }));
  });

  test('fails with a blue/green deployment (nothing to shift)', () => {
    expectError(ErrorCode.DEPLOYMENT, () => worker({ deployment: Deployment.blueGreen() }));
  });
});

describe('WorkerService: a queue per subscribed topic', () => {
  function setup() {
    const stack = testStack();
    const orders = new sns.Topic(stack, 'Orders', { enforceSSL: true });
    const refunds = new sns.Topic(stack, 'Refunds', { enforceSSL: true });
    const audit = new sns.Topic(stack, 'Audit', { enforceSSL: true });
    const built = worker({
      subscriptions: [
        { topic: orders },
        { topic: refunds, queue: WorkQueue.newQueue({ deliveryDelay: Duration.seconds(30), maxReceiveCount: 5 }) },
        { topic: audit, name: 'audit-log', queue: WorkQueue.newQueue() },
      ],
      scaling: { minCapacity: 0, maxCapacity: 5 },
    }, stack);
    return built;
  }

  test('each queue (and dead-letter queue) of its own, subscribed to its topic only; the URLs reach the container by name', () => {
    const { stack, worker: w } = setup();
    expect(Object.keys(w.topicQueues)).toEqual(['Refunds', 'audit-log']);
    expect(resources(stack, 'AWS::SQS::Queue')).toHaveLength(6);
    template(stack).hasResourceProperties('AWS::SQS::Queue', { DelaySeconds: 30, RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }) });
    const endpoints = resources(stack, 'AWS::SNS::Subscription').map(([, s]) => JSON.stringify([s.Properties.TopicArn, s.Properties.Endpoint]));
    expect(endpoints).toHaveLength(3);
    expect(endpoints.find(e => e.includes('Refunds') && e.includes('WorkerTopicRefundsQueue'))).toBeDefined();
    expect(endpoints.find(e => e.includes('Audit') && e.includes('WorkerTopicauditlogQueue'))).toBeDefined();
    expect(endpoints.find(e => e.includes('Orders') && /"WorkerQueue[0-9A-F]{8}"/.test(e))).toBeDefined();
    const app = resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0];
    const urls = app.Environment.find((e: any) => e.Name === 'TOPIC_QUEUE_URLS');
    expect(JSON.stringify(urls.Value)).toContain('\\"Refunds\\":');
    expect(JSON.stringify(urls.Value)).toContain('\\"audit-log\\":');
    const consumed = policyStatements(stack, 'WorkerTaskDefinitionTaskRole').filter(s => [s.Action].flat().includes('sqs:ReceiveMessage'));
    expect(consumed).toHaveLength(3);
  });

  test('backlog scaling and waking up count every queue; each queue has its age and dead-letter alarms', () => {
    const { stack } = setup();
    const [policy] = resources(stack, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, p]) => p.Properties)
      .filter(p => p.PolicyType === 'TargetTrackingScaling');
    const metrics = policy.TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics;
    expect(metrics.map((m: any) => m.Id)).toEqual(['visible', 'visible1', 'visible2', 'running', 'backlog']);
    expect(metrics[4].Expression).toBe('IF(FILL(running, 0) > 0, (FILL(visible, 0) + FILL(visible1, 0) + FILL(visible2, 0)) / FILL(running, 0), '
      + '(FILL(visible, 0) + FILL(visible1, 0) + FILL(visible2, 0)))');
    const alarms = resources(stack, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const wake = alarms.find(a => JSON.stringify(a).includes('messages wait and no task runs'));
    expect(JSON.stringify(wake.Metrics)).toContain('FILL(visible2, 0)');
    const names = alarms.map(a => a.AlarmName).filter((n: any) => typeof n === 'string');
    for (const suffix of ['-OldestMessageAge', '-RefundsOldestMessageAge', '-audit-logOldestMessageAge', '-audit-logDeadLetterQueueNotEmpty']) {
      expect(names.some((n: string) => n.endsWith(suffix))).toBe(true);
    }
  });

  test('one queue keeps the single-queue rendering', () => {
    const { stack } = worker({ scaling: { minCapacity: 1, maxCapacity: 5 } });
    const [policy] = resources(stack, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, p]) => p.Properties);
    expect(policy.TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics[2].Expression)
      .toBe('IF(FILL(running, 0) > 0, FILL(visible, 0) / FILL(running, 0), FILL(visible, 0))');
  });

  test('fails at synth with two subscriptions of one name', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Orders', { enforceSSL: true });
    expectError(ErrorCode.QUEUE, () => worker({
      subscriptions: [{ topic, queue: WorkQueue.newQueue() }, { topic, queue: WorkQueue.newQueue() }],
    }, stack));
  });
});
