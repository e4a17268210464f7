import { Template } from 'aws-cdk-lib/assertions';
import { EnvironmentProfile, Image, NetworkService, WebService } from '../../src';
import { bakeSeconds, DURATIONS, modelDeploy, TASK_START_SECONDS } from '../../src/cli/report/deploy-model';
import { productionEnvironment, testStack } from '../fixtures';

/** A stack with a load balancer and one service behind it, with `alarms` rolling it back. */
function template(service: Record<string, any> = {}, targetGroup: Record<string, any> = {}, alarms: Record<string, any> = {}) {
  return {
    Resources: {
      Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer' },
      Service0Group: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: targetGroup },
      Service0Rule: { Type: 'AWS::ElasticLoadBalancingV2::ListenerRule', Properties: { Lb: { Ref: 'Lb' }, Group: { Ref: 'Service0Group' } } },
      Service0Task: { Type: 'AWS::ECS::TaskDefinition' },
      Service0Service: {
        Type: 'AWS::ECS::Service',
        DependsOn: ['Service0Rule'],
        Properties: { TaskDefinition: { Ref: 'Service0Task' }, LoadBalancers: [{ TargetGroupArn: { Ref: 'Service0Group' } }], DesiredCount: 2, ...service },
      },
      ...alarms,
    },
  };
}

const TASK = TASK_START_SECONDS[0];
const LB = DURATIONS['AWS::ElasticLoadBalancingV2::LoadBalancer'][0];

describe('deploy-time model', () => {
  test('ELB defaults: a new target waits one 30 s interval for its first passing check, whatever the healthy threshold', () => {
    const model = modelDeploy(template({}, { HealthyThresholdCount: 5 }));
    // Lb (150) -> rule (5) -> service (45 + 30).
    expect(model.createSeconds).toBe(LB + 5 + TASK + 30);
    // Adding the service: the load balancer exists; its target group, rule, then the service.
    expect(model.addServiceSeconds).toBe(5 + 5 + TASK + 30);
    expect(model.addServicePath).toEqual(['Service0Group 5', 'Service0Rule 10', `Service0Service ${10 + TASK + 30}`]);
    // Two tasks, 100/200: one wave of 2, each start + first check + 300 s draining.
    expect(model.newImageSeconds).toBe(3 + TASK + 30 + 300);
    expect(model.bakeSeconds).toBe(0);
  });

  test('faster checks, shorter draining, and smaller waves follow the template', () => {
    const group = { HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2, TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] };
    expect(modelDeploy(template({}, group)).newImageSeconds).toBe(3 + TASK + 10 + 30);
    // 4 tasks, 100/150: 2 per wave, 2 waves.
    const waves = modelDeploy(template({ DesiredCount: 4, DeploymentConfiguration: { MinimumHealthyPercent: 100, MaximumPercent: 150 } }, group));
    expect(waves.newImageSeconds).toBe(3 + 2 * (TASK + 10 + 30));
  });

  test('the bake is the longest evaluation window of the rollback alarms the service names', () => {
    const alarms = {
      A: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'svc-5xx', EvaluationPeriods: 3, Metrics: [{ Id: 'e', MetricStat: { Period: 60 } }] } },
      B: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'svc-unhealthy', Period: 60, EvaluationPeriods: 2 } },
      C: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'other', Period: 300, EvaluationPeriods: 5 } },
    };
    const service = { DeploymentConfiguration: { Alarms: { Enable: true, AlarmNames: ['svc-5xx', 'svc-unhealthy'] } } };
    const t = template(service, {}, alarms);
    expect(bakeSeconds(t, t.Resources.Service0Service)).toBe(180);
    expect(modelDeploy(t).newImageSeconds).toBe(3 + TASK + 30 + 300 + 180);
  });

  test('a rollback alarm the service names by reference (its Ref is its name, as aws-cdk-lib writes alarm.alarmName) counts', () => {
    const alarms = {
      Named: { Type: 'AWS::CloudWatch::Alarm', Properties: { EvaluationPeriods: 1, Metrics: [{ Id: 'e', MetricStat: { Period: 300 } }] } },
      Other: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 600, EvaluationPeriods: 1 } },
    };
    const service = { DeploymentConfiguration: { Alarms: { Enable: true, AlarmNames: [{ Ref: 'Named' }] } } };
    const t = template(service, {}, alarms);
    expect(bakeSeconds(t, t.Resources.Service0Service)).toBe(300);
  });

  test('early success with deferred cleanup takes the last wave\'s draining off the critical path; blocking cleanup keeps it', () => {
    const group = { HealthCheckIntervalSeconds: 5, TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] };
    const early = (cleanup: string, healthyPercent = 100, more: Record<string, any> = {}) => modelDeploy(template({
      ...more,
      DeploymentConfiguration: {
        ...more.DeploymentConfiguration,
        EarlySuccessCriteria: { Enable: true, HealthyPercent: healthyPercent, SourceServiceRevisionCleanup: cleanup },
      },
    }, group)).newImageSeconds;
    expect(early('DEFERRED')).toBe(3 + TASK + 5);
    expect(early('BLOCKING')).toBe(3 + TASK + 5 + 30);
    // Switched off, the criteria change nothing.
    const off = template({ DeploymentConfiguration: { EarlySuccessCriteria: { Enable: false, HealthyPercent: 100, SourceServiceRevisionCleanup: 'DEFERRED' } } }, group);
    expect(modelDeploy(off).newImageSeconds).toBe(3 + TASK + 5 + 30);
    // 4 tasks, 100/150 (2 a wave): both waves start, the first one's old tasks drain to make room for the second.
    const waves = { DesiredCount: 4, DeploymentConfiguration: { MinimumHealthyPercent: 100, MaximumPercent: 150 } };
    expect(early('DEFERRED', 100, waves)).toBe(3 + 2 * (TASK + 5) + 30);
    // Done at 50% (2 of 4): one wave.
    expect(early('DEFERRED', 50, waves)).toBe(3 + TASK + 5);
    // 0% still waits for a first wave.
    expect(early('DEFERRED', 0, waves)).toBe(3 + TASK + 5);
    // At 0/100 the old tasks stop before the new ones start: their draining stays on the path.
    expect(early('DEFERRED', 100, { DeploymentConfiguration: { MinimumHealthyPercent: 0, MaximumPercent: 100 } })).toBe(3 + TASK + 5 + 30);
  });
});

describe('a service on an ECS gateway', () => {
  /** A gateway and one service connected to it, with its connector's health check. */
  function gatewayTemplate(healthCheck: Record<string, any> | undefined) {
    return {
      Resources: {
        Gateway: { Type: 'AWS::ECS::Gateway' },
        Service0Task: { Type: 'AWS::ECS::TaskDefinition' },
        Service0Service: {
          Type: 'AWS::ECS::Service',
          DependsOn: ['Gateway'],
          Properties: { TaskDefinition: { Ref: 'Service0Task' }, GatewayConnectors: [{ PortName: 'http', HealthCheck: healthCheck }], DesiredCount: 2 },
        },
      },
    };
  }

  test('the first create waits for the gateway\'s first load balancer, then the connector\'s health check', () => {
    const model = modelDeploy(gatewayTemplate({ HealthCheckIntervalSeconds: 5 }));
    // Gateway (150, its first ALB) -> service (45 task start + 5 s connector check).
    expect(DURATIONS['AWS::ECS::Gateway'][0]).toBe(LB);
    expect(model.createSeconds).toBe(LB + TASK + 5);
    // Adding a service: the gateway is there; its task start and check.
    expect(model.addServiceSeconds).toBe(3 + TASK + 5);
  });

  test('without an interval on the connector, ELB\'s 30 s default', () => {
    expect(modelDeploy(gatewayTemplate(undefined)).createSeconds).toBe(LB + TASK + 30);
  });
});

describe('the modeled times DeploySpeed documents', () => {
  function modelOf(profile: EnvironmentProfile, desiredCount?: number) {
    const stack = testStack();
    const environment = productionEnvironment(stack, { profile });
    new WebService(stack, 'Service0', { environment, image: Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27'), desiredCount });
    return modelDeploy(Template.fromStack(stack).toJSON() as any);
  }

  test('SAFE: a new image for 2 tasks takes 113 s, 60 s of it the bake of the 1-minute rollback alarms; the 30 s drain comes after', () => {
    const model = modelOf(EnvironmentProfile.PRODUCTION, 2);
    expect(model.bakeSeconds).toBe(60);
    // Task definition, then one wave: task start, the first 5 s check; then the bake. The old
    // tasks' 30 s draining follows the deployment (early success, deferred cleanup).
    expect(model.newImageSeconds).toBe(3 + TASK + 5 + 60);
    expect(model.newImageSeconds).toBe(113);
  });

  test('SAFE with a two-minute rollback window: 173 s, 120 s of it the bake', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack, { profile: EnvironmentProfile.PRODUCTION });
    new WebService(stack, 'Service0', {
      environment, image: Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27'), desiredCount: 2, alarms: { rollbackAlarmMinutes: 2 },
    });
    const model = modelDeploy(Template.fromStack(stack).toJSON() as any);
    expect(model.bakeSeconds).toBe(120);
    expect(model.newImageSeconds).toBe(3 + TASK + 5 + 120);
    expect(model.newImageSeconds).toBe(173);
  });

  test('SAFE: a network service bakes 60 s too, as its unhealthy-target alarm follows the preset\'s window', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack, { profile: EnvironmentProfile.PRODUCTION });
    new NetworkService(stack, 'Service0', { environment, image: Image.fromRegistry('public.ecr.aws/my-org/mqtt:1.0.0'), desiredCount: 2 });
    const model = modelDeploy(Template.fromStack(stack).toJSON() as any);
    expect(model.bakeSeconds).toBe(60);
    // One wave: task start, the first 5 s check; then the bake (the 30 s draining follows the deployment).
    expect(model.newImageSeconds).toBe(3 + TASK + 5 + 60);
  });

  test('FAST: a new image for 1 task takes 53 s, with no bake and the 5 s drain after the deployment', () => {
    const model = modelOf(EnvironmentProfile.DEVELOPMENT);
    expect(model.bakeSeconds).toBe(0);
    expect(model.newImageSeconds).toBe(3 + TASK + 5);
    expect(model.newImageSeconds).toBe(53);
  });
});
