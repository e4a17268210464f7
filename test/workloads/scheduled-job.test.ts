import * as path from 'path';
import { Duration, Stack, aws_sqs as sqs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AlarmTopic, Image, JobSchedule, ScheduledJob, ScheduledJobProps } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, hasWarning, policyStatements, productionEnvironment, resources, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/report:1.0.0');

function job(props: Partial<ScheduledJobProps> = {}, stack: Stack = testStack()): { stack: Stack; job: ScheduledJob } {
  const environment = props.environment ?? productionEnvironment(stack);
  return { stack, job: new ScheduledJob(stack, 'Report', { image: IMAGE, schedule: JobSchedule.cron('0 3 * * ? *'), ...props, environment }) };
}

describe('ScheduledJob', () => {
  test('default output matches the snapshot', () => {
    const { stack } = job();
    const own = Object.fromEntries(Object.entries(template(stack).toJSON().Resources).filter(([id]) => id.startsWith('Report')));
    expect(own).toMatchSnapshot();
  });

  test('EventBridge Scheduler starts one Fargate task on the environment capacity, with retries and a dead-letter queue', () => {
    const { stack } = job();
    template(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EnvCluster'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReportDeadLetterQueue'), 'Arn'] } },
        EcsParameters: Match.objectLike({
          TaskCount: 1,
          CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
          NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
          EnableECSManagedTags: true,
          PropagateTags: 'TASK_DEFINITION',
        }),
      }),
    });
    expect(resources(stack, 'AWS::ECS::Service')).toHaveLength(0);
  });

  test('the scheduler role may run exactly this task definition in this cluster and pass its two roles', () => {
    const { stack } = job();
    const statements = policyStatements(stack, 'ReportSchedulerRole');
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'ecs:RunTask',
      Resource: { Ref: expect.stringMatching(/^ReportTaskDefinition/) },
      Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^EnvCluster/), 'Arn'] } } },
    }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'iam:PassRole',
      Resource: [
        { 'Fn::GetAtt': [expect.stringMatching(/^ReportTaskDefinitionTaskRole/), 'Arn'] },
        { 'Fn::GetAtt': [expect.stringMatching(/^ReportTaskDefinitionExecutionRole/), 'Arn'] },
      ],
    }));
    template(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })],
      }),
    });
  });

  test('a failed run (non-zero exit of the app, or failure to start) raises an alarm to the environment topic', () => {
    const stack = testStack();
    const alarmTopic = new AlarmTopic(stack, 'Alarms').topic;
    const environment = productionEnvironment(stack, { alarmTopic });
    job({ environment }, stack);
    template(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        'detail': Match.objectLike({
          lastStatus: ['STOPPED'],
          $or: [{ containers: { name: ['app'], exitCode: [{ 'anything-but': 0 }] } }, { stopCode: ['TaskFailedToStart'] }],
        }),
      },
    });
    template(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'MatchedEvents',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
  });

  test('a timeout adds an essential timer that stops the task', () => {
    const { stack } = job({ timeout: Duration.minutes(30) });
    const timer = resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions.find((c: any) => c.Name === 'timeout');
    expect(timer).toMatchObject({ Essential: true, Command: ['sh', '-c', "trap 'exit 0' TERM; sleep 1800 & wait $!"], ReadonlyRootFilesystem: true });
  });

  test('the library\'s own timer image states its architectures, so only the app\'s image can raise the architecture warning', () => {
    const { stack } = job({ image: Image.fromAsset(path.join(__dirname, '..', '..', 'integ', 'images', 'hello')), timeout: Duration.minutes(30) });
    expect(hasWarning(stack, 'cdk-shipyard:image-architecture')).toBe(false);
    expect(hasWarning(job({ timeout: Duration.minutes(30) }).stack, 'cdk-shipyard:image-architecture')).toBe(true);
  });

  test('time zone, flexible window, dates, retries and an existing dead-letter queue', () => {
    const stack = testStack();
    const dlq = sqs.Queue.fromQueueArn(stack, 'Dlq', 'arn:aws:sqs:us-east-1:111111111111:failed-runs');
    job({
      schedule: JobSchedule.rate(Duration.hours(6)),
      timeZone: 'Europe/Paris',
      flexibleWindow: Duration.minutes(15),
      startDate: '2026-12-01T00:00:00Z',
      endDate: '2027-12-01T00:00:00Z',
      retryAttempts: 5,
      maxEventAge: Duration.minutes(10),
      deadLetterQueue: dlq,
    }, stack);
    template(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      StartDate: '2026-12-01T00:00:00Z',
      EndDate: '2027-12-01T00:00:00Z',
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 600 }, DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:111111111111:failed-runs' } }),
    });
    expect(resources(stack, 'AWS::SQS::Queue')).toHaveLength(0);
  });

  test.each([
    [JobSchedule.rate(Duration.minutes(1)), 'rate(1 minute)'],
    [JobSchedule.rate(Duration.days(2)), 'rate(2 days)'],
    [JobSchedule.at('2026-12-24T18:00:00'), 'at(2026-12-24T18:00:00)'],
    [JobSchedule.cron('0/15 8-18 ? * MON-FRI *'), 'cron(0/15 8-18 ? * MON-FRI *)'],
    [JobSchedule.cron('0 12 L * ? 2027-2030'), 'cron(0 12 L * ? 2027-2030)'],
    [JobSchedule.cron('5,35 */2 ? JAN,JUL 6#1 *'), 'cron(5,35 */2 ? JAN,JUL 6#1 *)'],
    [JobSchedule.cron('0 9 15W * ? *'), 'cron(0 9 15W * ? *)'],
    [JobSchedule.cron('0 18 ? * 6L *'), 'cron(0 18 ? * 6L *)'],
  ])('accepts %s', (schedule, expected) => {
    const { stack } = job({ schedule });
    template(stack).hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: expected });
  });

  test.each([
    ['a 5-field cron', JobSchedule.cron('0 3 * * ?')],
    ['a cron without ?', JobSchedule.cron('0 3 * * * *')],
    ['a cron with hour 25', JobSchedule.cron('0 25 * * ? *')],
    ['a cron with minute 60 in a list', JobSchedule.cron('0,60 3 * * ? *')],
    ['a cron with hours 20-24', JobSchedule.cron('0 20-24 * * ? *')],
    ['a cron with day-of-month 32', JobSchedule.cron('0 3 32 * ? *')],
    ['a cron with month 13', JobSchedule.cron('0 3 1 13 ? *')],
    ['a cron with an unknown month name', JobSchedule.cron('0 3 1 JANUARY ? *')],
    ['a cron with day-of-week 8', JobSchedule.cron('0 3 ? * 8 *')],
    ['a cron with year 1969', JobSchedule.cron('0 3 * * ? 1969')],
    ['a cron with a step of 0', JobSchedule.cron('0/0 3 * * ? *')],
    ['a cron with ? in the minutes', JobSchedule.cron('? 3 * * ? *')],
    ['an impossible date', JobSchedule.at('2026-02-30T10:00:00')],
    ['a singular unit for 2', JobSchedule.expression('rate(2 hour)')],
    ['a rate of 0', JobSchedule.expression('rate(0 minutes)')],
    ['an unknown form', JobSchedule.expression('every day')],
  ])('fails with %s', (_name, schedule) => {
    expectError(ErrorCode.SCHEDULE, () => job({ schedule }));
  });

  test.each([
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }],
    ['186 retry attempts', { retryAttempts: 186 }],
    ['a max event age of 30 s', { maxEventAge: Duration.seconds(30) }],
    ['a max event age above 24 h', { maxEventAge: Duration.hours(25) }],
    ['a flexible window of 2 days', { flexibleWindow: Duration.days(2) }],
    ['an end before the start', { startDate: '2027-01-01T00:00:00Z', endDate: '2026-01-01T00:00:00Z' }],
    ['a date that is not ISO 8601', { startDate: 'tomorrow' }],
  ])('fails with %s', (_name, props) => {
    expectError(ErrorCode.SCHEDULE, () => job(props as Partial<ScheduledJobProps>));
  });
});

describe('ScheduledJob preventOverlap', () => {
  test('Scheduler starts a state machine that runs the task only when none of its family runs', () => {
    const { stack, job: j } = job({ preventOverlap: true });
    expect(j.overlapGuard).toBeDefined();
    template(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^ReportOverlapGuardStateMachine') }, EcsParameters: Match.absent() }),
    });
    const machine = resources(stack, 'AWS::StepFunctions::StateMachine')[0][1].Properties;
    const definition = JSON.stringify(machine.DefinitionString);
    expect(definition).toContain('aws-sdk:ecs:listTasks');
    expect(definition).toContain('aws-sdk:ecs:runTask');
    expect(definition).toContain('IsPresent');
    expect(machine.LoggingConfiguration.Level).toBe('ALL');
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    const scheduler = policyStatements(stack, 'ReportSchedulerRole');
    expect(scheduler.map(s => s.Action)).toEqual(['states:StartExecution', expect.arrayContaining(['sqs:SendMessage'])]);
    const guard = policyStatements(stack, 'ReportOverlapGuardStateMachineRole');
    expect(guard).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 'ecs:ListTasks' }));
    expect(guard).toContainEqual(expect.objectContaining({ Action: 'ecs:runTask', Resource: { Ref: expect.stringMatching(/^ReportTaskDefinition/) } }));
  });
});

/** The state machine's definition as JSON, each CloudFormation reference written as `<ref>`. */
function stateMachineDefinition(stack: Stack): any {
  const body = resources(stack, 'AWS::StepFunctions::StateMachine')[0][1].Properties.DefinitionString;
  const parts: unknown[] = body['Fn::Join'] ? body['Fn::Join'][1] : [body];
  return JSON.parse(parts.map(p => typeof p === 'string' ? p : '<ref>').join(''));
}

describe('ScheduledJob rerunsOnFailure', () => {
  test('Scheduler starts a state machine that waits for the run and retries it when it fails', () => {
    const { stack, job: j } = job({ rerunsOnFailure: 3 });
    expect(j.runner).toBeDefined();
    expect(j.overlapGuard).toBeUndefined();
    template(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^ReportRunnerStateMachine') }, EcsParameters: Match.absent() }),
    });
    const definition = stateMachineDefinition(stack);
    expect(definition.StartAt).toBe('RunTaskAndWait');
    const run = definition.States.RunTaskAndWait;
    expect(run.Resource).toBe('arn:<ref>:states:::ecs:runTask.sync');
    expect(run.Retry).toEqual([{ ErrorEquals: ['States.ALL'], IntervalSeconds: 10, BackoffRate: 1.5, MaxAttempts: 3 }]);
    expect(run.ResultPath).toBeNull();
    expect(run.End).toBe(true);
    expect(run.Parameters).toEqual(expect.objectContaining({
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      NetworkConfiguration: { AwsvpcConfiguration: expect.objectContaining({ AssignPublicIp: 'DISABLED' }) },
      EnableECSManagedTags: true,
      PropagateTags: 'TASK_DEFINITION',
    }));
  });

  test('the runner may run, watch and stop tasks of its cluster only, and pass the task roles', () => {
    const { stack } = job({ rerunsOnFailure: 1 });
    const statements = policyStatements(stack, 'ReportRunnerStateMachineRole');
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'ecs:RunTask',
      Resource: { Ref: expect.stringMatching(/^ReportTaskDefinition/) },
      Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^EnvCluster/), 'Arn'] } } },
    }));
    const watch = statements.find(s => JSON.stringify(s.Action).includes('ecs:DescribeTasks'));
    expect(watch.Action).toEqual(['ecs:StopTask', 'ecs:DescribeTasks']);
    expect(JSON.stringify(watch.Resource)).toMatch(/:task\/.*EnvCluster.*\/\*/);
    const rule = statements.find(s => JSON.stringify(s.Action).includes('events:PutRule'));
    expect(JSON.stringify(rule.Resource)).toContain(':rule/StepFunctionsGetEventsForECSTaskRule');
    expect(statements.filter(s => s.Action === 'iam:PassRole')).toHaveLength(1);
    expect(statements.some(s => s.Action === 'ecs:ListTasks')).toBe(false);
  });

  test('the failure alarm counts failed executions, not failed attempts', () => {
    const { stack } = job({ rerunsOnFailure: 2 });
    template(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: Match.stringLikeRegexp('^ReportRunnerStateMachine') } }],
      Threshold: 1,
      AlarmDescription: Match.stringLikeRegexp('a run failed and so did its reruns'),
    });
    template(stack).resourceCountIs('AWS::Events::Rule', 1);
  });

  test('with preventOverlap, the runner lists running tasks first and reruns a failed run', () => {
    const { stack, job: j } = job({ rerunsOnFailure: 2, preventOverlap: true });
    expect(j.overlapGuard).toBe(j.runner);
    const definition = stateMachineDefinition(stack);
    expect(definition.StartAt).toBe('ListRunningTasks');
    expect(definition.States.IsRunning.Default).toBe('RunTaskAndWait');
    expect(definition.States.RunTaskAndWait.Retry[0].MaxAttempts).toBe(2);
    const statements = policyStatements(stack, 'ReportRunnerStateMachineRole');
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 'ecs:ListTasks' }));
  });

  test('0 reruns keeps the schedule starting the task itself', () => {
    const { stack, job: j } = job({ rerunsOnFailure: 0 });
    expect(j.runner).toBeUndefined();
    template(stack).resourceCountIs('AWS::StepFunctions::StateMachine', 0);
  });

  test.each([
    ['a fraction', 1.5],
    ['more than 10', 11],
    ['a negative count', -1],
  ])('fails with %s', (_name, rerunsOnFailure) => {
    expectError(ErrorCode.SCHEDULE, () => job({ rerunsOnFailure }));
  });
});
