import { CfnOutput, CfnParameter, Duration, Stack, aws_sns as sns } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { DeploySpeed, Deployment, Image, ServiceAlarm, WebService, WebServiceProps, WorkerService } from '../../src';
import { CHANGED_DEFAULTS } from '../../src/guardrails/changed-defaults';
import { ErrorCode } from '../../src/guardrails/errors';
import { appUnsetting, expectError, productionEnvironment, resources, template, testApp, testStack } from '../fixtures';

/** A web service with one alarm per condition (as before 0.3.0). */
function web(props: Partial<WebServiceProps> = {}, stack: Stack = testStack()): { stack: Stack; service: WebService } {
  return combined({ ...props, alarms: { onePerCondition: true, ...props.alarms } }, stack);
}

/** A web service with the default, combined alarms. */
function combined(props: Partial<WebServiceProps> = {}, stack: Stack = testStack()): { stack: Stack; service: WebService } {
  const environment = props.environment ?? productionEnvironment(stack);
  const service = new WebService(stack, 'Web', { image: Image.fromRegistry('nginx'), ...props, environment });
  return { stack, service };
}

function expressionOf(a: any): string {
  return a.Metrics.find((m: any) => m.Expression).Expression;
}

function periodsOf(a: any): number[] {
  return [...new Set<number>(a.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Period))];
}

function alarm(stack: Stack, suffix: string): any {
  const found = resources(stack, 'AWS::CloudWatch::Alarm').find(([, a]) => String(a.Properties.AlarmName).endsWith(`-${suffix}`));
  return found?.[1].Properties;
}

describe('one alarm per condition (onePerCondition, or the flag set to false)', () => {
  test('six alarms with fixed names notify the environment topic on alarm and recovery', () => {
    const stack = testStack();
    const alarmTopic = new sns.Topic(stack, 'Topic');
    web({ environment: productionEnvironment(stack, { alarmTopic }) }, stack);
    const all = resources(stack, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(all.map(a => String(a.AlarmName).split('-').pop()).sort()).toEqual(
      ['CpuOrMemoryHigh', 'Http5xxRate', 'ResponseTimeP99', 'RunningTasksBelowDesired', 'UnexpectedStops', 'UnhealthyTargets']);
    for (const a of all) {
      expect(typeof a.AlarmName).toBe('string');
      expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
      expect(a.OKActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
    }
  });

  test('the 5xx alarm is a rate over requests, 5% with 3 errors or more for 1 minute in production (DeploySpeed.SAFE)', () => {
    const { stack } = web();
    const a = alarm(stack, 'Http5xxRate');
    // N of N: no DatapointsToAlarm, which CloudWatch reads only for an M-of-N alarm.
    expect(a).toMatchObject({ Threshold: 5, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(a).not.toHaveProperty('DatapointsToAlarm');
    expect(a.Metrics.find((m: any) => m.Expression).Expression).toBe('IF((FILL(e0, 0)) >= 3, 100 * (FILL(e0, 0)) / (FILL(r0, 0)), 0)');
    expect(a.AlarmDescription).toBe('Test/Web: targets answered 5% or more of requests with 5xx (and 3 or more a minute) for 1 minute');
  });

  test('the 5xx alarm\'s minimum count of errors is overridable, and summed over both target groups with blue/green', () => {
    const { stack } = web({ alarms: { http5xxMinimumErrors: 10 }, deployment: Deployment.blueGreen() });
    expect(alarm(stack, 'Http5xxRate').Metrics.find((m: any) => m.Expression).Expression)
      .toBe('IF((FILL(e0, 0) + FILL(e1, 0)) >= 10, 100 * (FILL(e0, 0) + FILL(e1, 0)) / (FILL(r0, 0) + FILL(r1, 0)), 0)');
  });

  test('p99 latency, CPU and memory thresholds are overridable', () => {
    const { stack } = web({ alarms: { responseTimeP99: Duration.millis(800), cpuPercent: 75, memoryPercent: 85 } });
    expect(alarm(stack, 'ResponseTimeP99')).toMatchObject({ Threshold: 0.8, ExtendedStatistic: 'p99' });
    const saturation = alarm(stack, 'CpuOrMemoryHigh');
    expect(saturation.Threshold).toBe(100);
    expect(saturation.Metrics.find((m: any) => m.Expression).Expression).toBe('MAX([100 * cpu / 75, 100 * memory / 85])');
  });

  test('missing tasks are desired minus running from Container Insights', () => {
    const { stack } = web();
    const a = alarm(stack, 'RunningTasksBelowDesired');
    expect(a.Metrics.find((m: any) => m.Expression).Expression).toBe('desired - running');
    expect(a.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Namespace)).toEqual(['ECS/ContainerInsights', 'ECS/ContainerInsights']);
  });

  test('with blue/green, target-group alarms sum both target groups', () => {
    const { stack } = web({ deployment: Deployment.blueGreen() });
    const a = alarm(stack, 'UnhealthyTargets');
    expect(a.Metrics.find((m: any) => m.Expression).Expression).toBe('FILL(u0, 0) + FILL(u1, 0)');
  });

  test('any alarm can be switched off, CPU and memory each on its own', () => {
    const both = web({ alarms: { disabled: [ServiceAlarm.CPU_HIGH, ServiceAlarm.MEMORY_HIGH] } });
    template(both.stack).resourceCountIs('AWS::CloudWatch::Alarm', 5);
    const memoryOnly = web({ alarms: { disabled: [ServiceAlarm.CPU_HIGH] } });
    expect(alarm(memoryOnly.stack, 'CpuOrMemoryHigh').Metrics.find((m: any) => m.Expression).Expression).toBe('100 * memory / 90');
  });

  test('without a topic the alarms still exist for rollback, acknowledged for the alarm-action rule', () => {
    const { stack } = web();
    const [, a] = resources(stack, 'AWS::CloudWatch::Alarm')[0];
    expect(a.Properties.AlarmActions).toBeUndefined();
    expect(a.Metadata.cdk_nag.rules_to_suppress.map((r: any) => r.id)).toContain('NIST.800.53.R5-CloudWatchAlarmAction');
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: Match.objectLike({ Enable: true }) }),
    });
  });

  test('the rollback alarms evaluate over the deploy-speed preset\'s window, or the one given', () => {
    const windowOf = (stack: Stack) => ['Http5xxRate', 'UnhealthyTargets'].map(s => [alarm(stack, s).EvaluationPeriods, alarm(stack, s).DatapointsToAlarm]);
    // N of N: every breaching minute of the window counts (no DatapointsToAlarm).
    expect(windowOf(web().stack)).toEqual([[1, undefined], [1, undefined]]);
    expect(windowOf(web({ deploySpeed: DeploySpeed.FAST }).stack)).toEqual([[1, undefined], [1, undefined]]);
    expect(windowOf(web({ alarms: { rollbackAlarmMinutes: 4 } }).stack)).toEqual([[4, undefined], [4, undefined]]);
    expect(alarm(web().stack, 'UnhealthyTargets').AlarmDescription).toMatch(/health check for 1 minute$/);
    expect(alarm(web({ alarms: { rollbackAlarmMinutes: 2 } }).stack, 'UnhealthyTargets').AlarmDescription).toMatch(/health check for 2 minutes$/);
    // The alarms that do not roll back keep their own windows.
    expect(alarm(web({ deploySpeed: DeploySpeed.FAST }).stack, 'ResponseTimeP99').EvaluationPeriods).toBe(5);
  });

  test.each([
    ['a rollback window of 0 minutes', { rollbackAlarmMinutes: 0 }],
    ['a rollback window of 1.5 minutes', { rollbackAlarmMinutes: 1.5 }],
    ['a rollback window of 11 minutes', { rollbackAlarmMinutes: 11 }],
    ['a 5xx rate of 0%', { http5xxRatePercent: 0 }],
    ['a minimum of 0 errors', { http5xxMinimumErrors: 0 }],
    ['a minimum of 2.5 errors', { http5xxMinimumErrors: 2.5 }],
    ['CPU above 100%', { cpuPercent: 120 }],
    ['memory of 0%', { memoryPercent: 0 }],
  ])('fails when alarms have %s', (_name, alarms) => {
    expectError(ErrorCode.ALARM, () => web({ alarms }));
  });
});

describe('unexpected stops, one alarm per condition', () => {
  test('a rule counts the service\'s own tasks that stop unexpectedly (no Spot interruptions), and 3 within 5 minutes raise the alarm', () => {
    const { stack } = web();
    const [[ruleId, rule]] = resources(stack, 'AWS::Events::Rule').filter(([id]) => id.startsWith('WebAlarmsUnexpectedStopsRule'));
    expect(rule.Properties.Targets).toBeUndefined();
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      'detail': {
        clusterArn: [{ 'Fn::GetAtt': [expect.stringMatching(/^EnvCluster/), 'Arn'] }],
        lastStatus: ['STOPPED'],
        stopCode: ['EssentialContainerExited', 'TaskFailedToStart', 'InfrastructureHealth', 'TerminationNotice'],
        group: [{ prefix: 'service:' }],
        taskDefinitionArn: [{ wildcard: expect.stringMatching(/^\*:task-definition\/TestWebTaskDefinition[0-9A-F]+:\*$/) }],
      },
    });
    // By family, not by service name: CloudFormation need not wait for the service (its bake) first.
    expect(JSON.stringify(rule)).not.toMatch(/WebService[0-9A-F]{8}/);
    expect(alarm(stack, 'UnexpectedStops')).toMatchObject({
      Namespace: 'AWS/Events',
      MetricName: 'MatchedEvents',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 3,
      EvaluationPeriods: 1,
      Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }],
    });
  });

  test('a task definition family given as a token falls back to the service name', () => {
    const stack = testStack();
    const { stack: s } = web({ family: new CfnParameter(stack, 'Family').valueAsString }, stack);
    const [[, rule]] = resources(s, 'AWS::Events::Rule').filter(([id]) => id.startsWith('WebAlarmsUnexpectedStopsRule'));
    expect(rule.Properties.EventPattern.detail.group).toEqual([{ 'Fn::Join': ['', ['service:', { 'Fn::GetAtt': [expect.stringMatching(/^WebService/), 'Name'] }]] }]);
    expect(rule.Properties.EventPattern.detail.taskDefinitionArn).toBeUndefined();
  });

  test('the threshold can be set, and the alarm switched off with its rule', () => {
    expect(alarm(web({ alarms: { unexpectedStops: 1 } }).stack, 'UnexpectedStops').Threshold).toBe(1);
    const { stack } = web({ alarms: { disabled: [ServiceAlarm.UNEXPECTED_STOPS] } });
    expect(alarm(stack, 'UnexpectedStops')).toBeUndefined();
    expect(resources(stack, 'AWS::Events::Rule').filter(([id]) => id.includes('UnexpectedStops'))).toEqual([]);
  });

  test('fails when the threshold is not a whole number from 1', () => {
    expectError(ErrorCode.ALARM, () => web({ alarms: { unexpectedStops: 0 } }));
    expectError(ErrorCode.ALARM, () => web({ alarms: { unexpectedStops: 1.5 } }));
  });
});

describe('combined alarms (the default): one per evaluation window', () => {
  test('a Failing alarm that rolls back and a Degraded alarm that pages, with fixed names, notifying the topic', () => {
    const stack = testStack();
    const alarmTopic = new sns.Topic(stack, 'Topic');
    combined({ environment: productionEnvironment(stack, { alarmTopic }) }, stack);
    const all = resources(stack, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(all.map(a => String(a.AlarmName).split('-').pop()).sort()).toEqual(['Degraded', 'Failing']);
    for (const a of all) {
      expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
      expect(a.OKActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
      expect(a).toMatchObject({ Threshold: 100, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { AlarmNames: [Match.stringLikeRegexp('^Test-Web-[0-9A-F]{8}-Failing$')], Enable: true, Rollback: true } }),
    });
    // The web service's 17 resources of 0.2.0 are 13: four alarms fewer (the unexpected-stops rule stays).
    expect(resources(stack, 'AWS::Events::Rule').filter(([id]) => id.startsWith('WebAlarmsUnexpectedStopsRule'))).toHaveLength(1);
  });

  test('Failing: the worse of the 5xx rate (5%, 3 errors a minute) and unhealthy targets (1), as a percent of its threshold, each minute', () => {
    const { stack } = combined();
    const a = alarm(stack, 'Failing');
    // 5% of requests is 100: 100 * (errors / requests * 100) / 5; one unhealthy target is 100.
    expect(expressionOf(a)).toBe('MAX([IF((FILL(e0, 0)) >= 3, 100 * (FILL(e0, 0)) / (FILL(r0, 0)), 0) * 100 / 5, 100 * (FILL(u0, 0))])');
    expect(a).toMatchObject({ EvaluationPeriods: 1 });
    expect(a).not.toHaveProperty('DatapointsToAlarm');
    expect(periodsOf(a)).toEqual([60]);
    expect(a.AlarmDescription).toBe('Test/Web: over 1 minute: targets answered 5% or more of requests with 5xx (and 3 or more a minute); '
      + 'or targets failed the load balancer health check');
  });

  test('Degraded: p99, missing tasks, CPU, memory and unexpected stops over one 5-minute period', () => {
    const { stack } = combined({ alarms: { responseTimeP99: Duration.millis(800), cpuPercent: 75, memoryPercent: 85, unexpectedStops: 4 } });
    const a = alarm(stack, 'Degraded');
    expect(expressionOf(a)).toBe('MAX([100 * l0 / 0.8, 100 * (desired - running), 100 * cpu / 75, 100 * memory / 85, 100 * stops / 4])');
    expect(a).toMatchObject({ EvaluationPeriods: 1 });
    expect(a).not.toHaveProperty('DatapointsToAlarm');
    expect(periodsOf(a)).toEqual([300]);
    const stats = Object.fromEntries(a.Metrics.filter((m: any) => m.MetricStat).map((m: any) => [m.Id, `${m.MetricStat.Metric.Namespace}/${m.MetricStat.Metric.MetricName} ${m.MetricStat.Stat}`]));
    expect(stats).toEqual({
      l0: 'AWS/ApplicationELB/TargetResponseTime p99',
      desired: 'ECS/ContainerInsights/DesiredTaskCount Average',
      running: 'ECS/ContainerInsights/RunningTaskCount Average',
      cpu: 'AWS/ECS/CPUUtilization Average',
      memory: 'AWS/ECS/MemoryUtilization Average',
      stops: 'AWS/Events/MatchedEvents Sum',
    });
  });

  test('blue/green sums both target groups in Failing and takes the slower one in Degraded', () => {
    const { stack } = combined({ deployment: Deployment.blueGreen() });
    expect(expressionOf(alarm(stack, 'Failing'))).toContain('100 * (FILL(u0, 0) + FILL(u1, 0))');
    expect(expressionOf(alarm(stack, 'Degraded'))).toContain('100 * MAX([FILL(l0, 0), FILL(l1, 0)]) / 2');
  });

  test('the rollback window is the Failing alarm\'s consecutive minutes; Degraded keeps its 5 minutes', () => {
    const { stack } = combined({ alarms: { rollbackAlarmMinutes: 4 }, deploySpeed: DeploySpeed.FAST });
    expect(alarm(stack, 'Failing')).toMatchObject({ EvaluationPeriods: 4 });
    expect(alarm(stack, 'Failing')).not.toHaveProperty('DatapointsToAlarm');
    expect(alarm(stack, 'Failing').AlarmDescription).toMatch(/^Test\/Web: for 4 consecutive minutes: /);
    expect(alarm(stack, 'Degraded')).toMatchObject({ EvaluationPeriods: 1 });
  });

  test('a disabled condition leaves its alarm; all of a window disabled leaves no alarm', () => {
    const some = combined({ alarms: { disabled: [ServiceAlarm.CPU_HIGH, ServiceAlarm.UNEXPECTED_STOPS] } }).stack;
    expect(expressionOf(alarm(some, 'Degraded'))).toBe('MAX([100 * l0 / 2, 100 * (desired - running), 100 * memory / 90])');
    expect(resources(some, 'AWS::Events::Rule').filter(([id]) => id.includes('UnexpectedStops'))).toEqual([]);
    const one = combined({ alarms: { disabled: [ServiceAlarm.HTTP_5XX_RATE] } }).stack;
    expect(expressionOf(alarm(one, 'Failing'))).toBe('100 * (FILL(u0, 0))');
    const none = combined({
      alarms: { disabled: [ServiceAlarm.HTTP_5XX_RATE, ServiceAlarm.UNHEALTHY_TARGETS] },
      deployment: Deployment.rolling({ rollbackOnAlarm: false }),
    }).stack;
    expect(alarm(none, 'Failing')).toBeUndefined();
    expectError(ErrorCode.ALARM, () => combined({ alarms: { disabled: [ServiceAlarm.HTTP_5XX_RATE, ServiceAlarm.UNHEALTHY_TARGETS] } }));
  });

  test('a service with no load balancer has the Degraded alarm only', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WorkerService(stack, 'Worker', { environment, image: Image.fromRegistry('worker') });
    const names = resources(stack, 'AWS::CloudWatch::Alarm').map(([, a]) => String(a.Properties.AlarmName).split('-').pop());
    // Besides the queue's own alarms.
    expect(names.sort()).toEqual(['DeadLetterQueueNotEmpty', 'Degraded', 'OldestMessageAge']);
    expect(expressionOf(alarm(stack, 'Degraded'))).toBe('MAX([100 * (desired - running), 100 * cpu / 90, 100 * memory / 90, 100 * stops / 3])');
  });

  test('onePerCondition: false with the flag false still combines; the flag false alone keeps one alarm per condition', () => {
    const off = { [CHANGED_DEFAULTS.combinedServiceAlarms.flag]: false };
    const old = new Stack(testApp(off), 'Old');
    combined({}, old);
    expect(resources(old, 'AWS::CloudWatch::Alarm')).toHaveLength(6);
    const chosen = new Stack(testApp(off), 'Chosen');
    combined({ alarms: { onePerCondition: false } }, chosen);
    expect(resources(chosen, 'AWS::CloudWatch::Alarm')).toHaveLength(2);
  });

  test('with the flag unset the web service is warned once, naming the flag and the prop', () => {
    const stack = new Stack(appUnsetting(CHANGED_DEFAULTS.combinedServiceAlarms.flag), 'Unset');
    combined({}, stack);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('combinedServiceAlarms'));
    expect(warnings.map(w => w.id)).toEqual(['/Unset/Web']);
    expect(warnings[0].entry.data).toContain('alarms: { onePerCondition: true }');
  });
});

describe('the load balancer dimension of a web service\'s metrics', () => {
  const dimensions = (stack: Stack) => alarm(stack, 'Failing').Metrics.filter((m: any) => m.MetricStat)
    .map((m: any) => m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'LoadBalancer').Value);

  test('names the load balancer of its own stack by its LoadBalancerFullName attribute', () => {
    const { stack } = combined();
    const [id] = resources(stack, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0];
    expect(dimensions(stack)).toEqual([1, 2, 3].map(() => ({ 'Fn::GetAtt': [id, 'LoadBalancerFullName'] })));
  });

  test('in another stack imports the attribute, and the load balancer\'s stack keeps exporting the ARN that earlier versions imported', () => {
    const platform = () => {
      const app = testApp();
      const stack = new Stack(app, 'Platform');
      return { app, stack, environment: productionEnvironment(stack) };
    };
    const withTeam = platform();
    const { stack } = combined({ environment: withTeam.environment }, new Stack(withTeam.app, 'Team'));
    const [id] = resources(withTeam.stack, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0];
    const outputs = Object.values<any>(template(withTeam.stack).toJSON().Outputs);
    const exportOf = (value: unknown) => outputs.find(o => JSON.stringify(o.Value) === JSON.stringify(value))?.Export.Name;
    expect(dimensions(stack)).toEqual([1, 2, 3].map(() => ({ 'Fn::ImportValue': exportOf({ 'Fn::GetAtt': [id, 'LoadBalancerFullName'] }) })));
    // The export aws-cdk-lib makes for a stack that reads the ARN, as the dimension did.
    const withReader = platform();
    const reader = new Stack(withReader.app, 'Reader');
    new CfnOutput(reader, 'Arn', { value: withReader.environment.ingress.loadBalancer.loadBalancerArn });
    expect(exportOf({ Ref: id })).toBe(template(reader).toJSON().Outputs.Arn.Value['Fn::ImportValue']);
  });
});
