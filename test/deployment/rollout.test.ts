import { Duration, aws_cloudwatch as cloudwatch, aws_ecs as ecs } from 'aws-cdk-lib';
import { DeploySpeed, Deployment, EnvironmentProfile, Image, TestTraffic, WebService, WorkerService } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, expectValidationError, productionEnvironment, resources, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27');

function alarmNames(stack: any, prefix: string): unknown[] {
  const [, service] = resources(stack, 'AWS::ECS::Service').find(([id]) => id.startsWith(prefix))!;
  return service.Properties.DeploymentConfiguration.Alarms?.AlarmNames ?? [];
}

describe('alarm rollback follows the deploy-speed preset', () => {
  function deploymentConfiguration(props: { profile?: EnvironmentProfile; deploySpeed?: DeploySpeed; deployment?: Deployment }): any {
    const stack = testStack();
    const environment = productionEnvironment(stack, { profile: props.profile });
    new WebService(stack, 'Web', { environment, image: IMAGE, deploySpeed: props.deploySpeed, deployment: props.deployment });
    return resources(stack, 'AWS::ECS::Service')[0][1].Properties.DeploymentConfiguration;
  }

  test('production (SAFE) rolls back on the Failing alarm (5xx rate or unhealthy targets), with the circuit breaker', () => {
    const config = deploymentConfiguration({});
    expect(config.Alarms).toEqual({ AlarmNames: [expect.stringMatching(/-Failing$/)], Enable: true, Rollback: true });
    expect(config.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
  });

  test('development (FAST) keeps the circuit breaker and leaves alarm rollback off: no bake', () => {
    const development = deploymentConfiguration({ profile: EnvironmentProfile.DEVELOPMENT });
    for (const config of [development, deploymentConfiguration({ deploySpeed: DeploySpeed.FAST })]) {
      expect(config.Alarms?.Enable ?? false).toBe(false);
      expect(config.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
    }
  });

  test('FAST rolls back on alarm when asked, or when given alarms; SAFE leaves it off when told', () => {
    const asked = deploymentConfiguration({ deploySpeed: DeploySpeed.FAST, deployment: Deployment.rolling({ rollbackOnAlarm: true }) });
    expect(asked.Alarms.AlarmNames).toEqual([expect.stringMatching(/-Failing$/)]);
    const given = deploymentConfiguration({
      deploySpeed: DeploySpeed.FAST,
      deployment: Deployment.rolling({ rollbackAlarms: [cloudwatch.Alarm.fromAlarmName(testStack('Other'), 'Named', 'checkout-errors')] }),
    });
    expect(given.Alarms.AlarmNames).toContain('checkout-errors');
    expect(deploymentConfiguration({ deployment: Deployment.rolling({ rollbackOnAlarm: false }) }).Alarms?.Enable ?? false).toBe(false);
  });
});

describe('rollbackAlarms', () => {
  test('an alarm on the service\'s own metric rolls a rolling deployment back, with no service-alarm cycle', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const latency = new cloudwatch.Alarm(stack, 'Latency', {
      metric: new cloudwatch.Metric({ namespace: 'MyApp', metricName: 'CheckoutLatency', period: Duration.minutes(1) }),
      threshold: 3,
      evaluationPeriods: 2,
    });
    const web = new WebService(stack, 'Web', { environment, image: IMAGE, deployment: Deployment.rolling({ rollbackAlarms: [latency] }) });
    // The user's alarm on the service's CPU: it refers to the service, so only a fixed name avoids a cycle.
    const cpu = web.service.metricCpuUtilization().createAlarm(stack, 'Cpu', { threshold: 95, evaluationPeriods: 3 });
    const worker = new WorkerService(stack, 'Worker', { environment, image: IMAGE, deployment: Deployment.rolling({ rollbackAlarms: [cpu] }) });
    expect(worker.service).toBeDefined();
    const names = alarmNames(stack, 'Web');
    const [, latencyAlarm] = resources(stack, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('Latency'))!;
    expect(latencyAlarm.Properties.AlarmName).toMatch(/^Test-Latency-[0-9A-F]{8}$/);
    expect(names).toEqual([expect.stringMatching(/-Failing$/), latencyAlarm.Properties.AlarmName]);
    const [, cpuAlarm] = resources(stack, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('Cpu'))!;
    expect(alarmNames(stack, 'Worker')).toEqual([cpuAlarm.Properties.AlarmName]);
    template(stack); // synthesizes: no cycle, no validation error
  });

  test('the blue/green family takes them too; an alarm with a name keeps it', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const named = cloudwatch.Alarm.fromAlarmName(stack, 'Named', 'checkout-errors');
    new WebService(stack, 'Web', {
      environment, image: IMAGE, deployment: Deployment.blueGreen({ testTraffic: TestTraffic.header(), rollbackAlarms: [named] }),
    });
    expect(alarmNames(stack, 'Web')).toContain('checkout-errors');
  });

  test('fails when a worker is asked to roll back on alarm without an alarm to watch', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    expectError(ErrorCode.ALARM, () => new WorkerService(stack, 'Worker', { environment, image: IMAGE, deployment: Deployment.rolling({ rollbackOnAlarm: true }) }));
  });

  test('fails at synth, naming both, when an escape hatch lists an alarm on the service by its generated name', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const web = new WebService(stack, 'Web', { environment, image: IMAGE });
    const cpu = web.service.metricCpuUtilization().createAlarm(stack, 'Cpu', { threshold: 95, evaluationPeriods: 3 });
    // (aws-cdk-lib 2.257's enableDeploymentAlarms ignores a second call, so the hatch is an override.)
    (web.service.node.defaultChild as ecs.CfnService).addPropertyOverride('DeploymentConfiguration.Alarms.AlarmNames', [cpu.alarmName]);
    expectValidationError(stack, ErrorCode.ALARM, /Test\/Web\/Service: the service lists alarm Test\/Cpu\/Resource for rollback by its generated name/);
  });
});
