import { Duration, Stack, aws_certificatemanager as acm, aws_ecs as ecs, aws_lambda as lambda } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  Deployment, DeploySpeed, Environment, EnvironmentProfile, Image, Scaling, ServiceAlarm, TestTraffic, WebService, WebServiceProps,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { CERTIFICATE_ARN, expectError, expectValidationError, productionEnvironment, resources, template, testStack } from '../fixtures';

function web(props: Partial<WebServiceProps> = {}, stack: Stack = testStack()): { stack: Stack; service: WebService } {
  const environment = props.environment ?? productionEnvironment(stack);
  const service = new WebService(stack, 'Web', { image: Image.fromRegistry('nginx'), ...props, environment });
  return { stack, service };
}

function acmCertificate(stack: Stack): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, 'TestCert', CERTIFICATE_ARN);
}

function hook(stack: Stack): lambda.IFunction {
  return lambda.Function.fromFunctionArn(stack, 'Hook', 'arn:aws:lambda:us-east-1:111111111111:function:check-green');
}

describe('rolling deployments', () => {
  test('roll back on the Failing alarm (5xx rate or unhealthy targets) by default', () => {
    const { stack } = web();
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: { Enable: true, Rollback: true, AlarmNames: [Match.stringLikeRegexp('-Failing$')] },
      }),
    });
  });

  test('alarm rollback can be switched off', () => {
    const { stack } = web({ deployment: Deployment.rolling({ rollbackOnAlarm: false }) });
    const [, service] = resources(stack, 'AWS::ECS::Service')[0];
    expect(service.Properties.DeploymentConfiguration.Alarms?.Enable ?? false).toBe(false);
  });

  test('fails when alarm rollback has no alarm to watch', () => {
    expectError(ErrorCode.ALARM, () => web({ alarms: { disabled: [ServiceAlarm.HTTP_5XX_RATE, ServiceAlarm.UNHEALTHY_TARGETS] } }));
  });

  test('the FAST preset (development default) checks every 5 s, drains 5 s and keeps half the tasks', () => {
    const stack = testStack();
    const environment = new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
    web({ environment }, stack);
    const t = template(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 4,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }]),
    });
    t.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 50, MaximumPercent: 200 }) });
  });

  test('a preset can be chosen against the profile, and explicit values still win', () => {
    const { stack } = web({ deploySpeed: DeploySpeed.FAST, deregistrationDelay: Duration.seconds(20) });
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckIntervalSeconds: 5,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '20' }]),
    });
  });
});

describe('ECS-native blue/green, linear and canary', () => {
  test('blue/green adds a green target group, weights the production rule and bakes 10 minutes', () => {
    const { stack, service } = web({ deployment: Deployment.blueGreen() });
    const t = template(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    expect(service.alternateTargetGroup).toBeDefined();
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Actions: [{
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: { Ref: Match.stringLikeRegexp('WebTargetGroup') }, Weight: 100 },
            { TargetGroupArn: { Ref: Match.stringLikeRegexp('WebGreenTargetGroup') }, Weight: 0 },
          ],
        },
      }],
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 10, MinimumHealthyPercent: 100, MaximumPercent: 200 }),
      LoadBalancers: [Match.objectLike({
        AdvancedConfiguration: {
          AlternateTargetGroupArn: { Ref: Match.stringLikeRegexp('WebGreenTargetGroup') },
          ProductionListenerRule: { Ref: Match.stringLikeRegexp('WebListenerRule') },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebDeploymentRole'), 'Arn'] },
        },
      })],
    });
  });

  test('the deployment role may modify only this service\'s rules, listener and target groups', () => {
    const { stack } = web({ deployment: Deployment.blueGreen({ testTraffic: TestTraffic.header() }) });
    const [, policy] = resources(stack, 'AWS::IAM::Policy').find(([id]) => id.startsWith('WebDeploymentRole'))!;
    const statements = policy.Properties.PolicyDocument.Statement;
    const of = (action: string) => statements.find((s: any) => [].concat(s.Action).includes(action as never));
    expect(of('elasticloadbalancing:DescribeRules').Resource).toBe('*');
    expect(of('elasticloadbalancing:ModifyRule').Resource).toEqual([
      { Ref: expect.stringMatching(/^WebListenerRule/) }, { Ref: expect.stringMatching(/^WebTestListenerRule/) },
    ]);
    expect(of('elasticloadbalancing:ModifyListener').Resource).toEqual({ Ref: expect.stringMatching(/EnvIngressLoadBalancerHttps/) });
    expect(of('elasticloadbalancing:RegisterTargets').Resource).toHaveLength(2);
    expect(JSON.stringify(template(stack).toJSON())).not.toContain('AmazonECSInfrastructureRolePolicyForLoadBalancers');
    // The service waits for the role's policy, not just the role.
    const [, service] = resources(stack, 'AWS::ECS::Service')[0];
    expect(service.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^WebDeploymentRoleDefaultPolicy/)]));
  });

  test('test traffic with the header reaches the new revision through an earlier rule', () => {
    const { stack, service } = web({
      routing: { pathPatterns: ['/api/*'] },
      deployment: Deployment.blueGreen({ testTraffic: TestTraffic.header('x-canary', ['yes']) }),
    });
    expect(service.testListenerRule).toBeDefined();
    const rules = resources(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([id, r]) => ({ id, ...r.Properties }));
    const test = rules.find(r => r.id.startsWith('WebTestListenerRule'))!;
    const production = rules.find(r => r.id.startsWith('WebListenerRule'))!;
    expect(test.Conditions).toEqual([
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-canary', Values: ['yes'] } },
    ]);
    expect(test.Priority).toBeLessThan(production.Priority);
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [Match.objectLike({ AdvancedConfiguration: Match.objectLike({ TestListenerRule: { Ref: test.id } }) })],
    });
  });

  test('test traffic can arrive on the environment\'s test listener instead of a header', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack, {
      ingress: { certificate: acmCertificate(stack), testListener: { port: 8443 } },
    });
    const { service } = web({ environment, routing: { pathPatterns: ['/api/*'] }, deployment: Deployment.blueGreen({ testTraffic: TestTraffic.testListener() }) }, stack);
    const t = template(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8443, Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ FromPort: 8443, CidrIp: '10.0.0.0/16' })]),
    });
    const [, rule] = resources(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule').find(([id]) => id.startsWith('WebTestListenerRule'))!;
    expect(rule.Properties.ListenerArn).toEqual({ Ref: expect.stringMatching(/TestListener/) });
    expect(rule.Properties.Conditions).toEqual([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }]);
    expect(service.testListenerRule).toBeDefined();
    const [, policy] = resources(stack, 'AWS::IAM::Policy').find(([id]) => id.startsWith('WebDeploymentRole'))!;
    const modifyListener = policy.Properties.PolicyDocument.Statement.find((x: any) => x.Action === 'elasticloadbalancing:ModifyListener');
    expect(modifyListener.Resource).toHaveLength(2);
  });

  test('fails when test traffic asks for a test listener the environment does not have', () => {
    expectError(ErrorCode.DEPLOYMENT, () => web({ deployment: Deployment.blueGreen({ testTraffic: TestTraffic.testListener() }) }));
  });

  test.each([443, 80])('fails when the test listener takes production port %d', (port) => {
    const stack = testStack();
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => productionEnvironment(stack, {
      ingress: { certificate: acmCertificate(stack), testListener: { port } },
    }));
  });

  test('linear and canary carry their steps', () => {
    const linear = web({ deployment: Deployment.linear({ stepPercent: 20, stepBakeTime: Duration.minutes(3) }) });
    template(linear.stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'LINEAR', LinearConfiguration: { StepPercent: 20, StepBakeTimeInMinutes: 3 } }),
    });
    const canary = web({ deployment: Deployment.canary() });
    template(canary.stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'CANARY', CanaryConfiguration: { CanaryPercent: 5, CanaryBakeTimeInMinutes: 10 } }),
    });
  });

  test('lifecycle hooks invoke the given function with a role that may invoke only it', () => {
    const stack = testStack();
    web({
      deployment: Deployment.blueGreen({
        lifecycleHooks: [{ handler: hook(stack), stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] }],
      }),
    }, stack);
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        LifecycleHooks: [{
          HookTargetArn: 'arn:aws:lambda:us-east-1:111111111111:function:check-green',
          LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebLifecycleHook0Role'), 'Arn'] },
        }],
      }),
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:check-green' }] },
    });
  });

  test('request scaling follows both target groups, since ECS swaps them at each deployment', () => {
    const { stack } = web({
      deployment: Deployment.blueGreen(),
      scaling: { minCapacity: 2, maxCapacity: 4, targets: [Scaling.requestsPerTarget(500)] },
    });
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 500,
        CustomizedMetricSpecification: { Metrics: Match.arrayWith([Match.objectLike({ Id: 'requests', Expression: 'FILL(blue, 0) + FILL(green, 0)', ReturnData: true })]) },
      }),
    });
  });

  test('fails at synth when an explicit production priority would shadow the test rule', () => {
    const { stack } = web({ routing: { priority: 1 }, deployment: Deployment.blueGreen({ testTraffic: TestTraffic.header() }) });
    expectValidationError(stack, ErrorCode.ROUTING_COLLISION, /never reached/);
  });

  test.each([
    ['canary percent 0', () => Deployment.canary({ canaryPercent: 0 })],
    ['canary percent 0.05', () => Deployment.canary({ canaryPercent: 0.05 })],
    ['canary percent 12.34', () => Deployment.canary({ canaryPercent: 12.34 })],
    ['linear step 2', () => Deployment.linear({ stepPercent: 2 })],
    ['linear step 101', () => Deployment.linear({ stepPercent: 101 })],
    ['bake time 1441 minutes', () => Deployment.blueGreen({ bakeTime: Duration.minutes(1441) })],
    ['step bake time of 90 seconds', () => Deployment.linear({ stepBakeTime: Duration.seconds(90) })],
    ['a test header with a space', () => Deployment.blueGreen({ testTraffic: TestTraffic.header('x test') })],
    ['a test header without values', () => Deployment.blueGreen({ testTraffic: TestTraffic.header(undefined, []) })],
  ])('fails when a deployment has %s', (_name, deployment) => {
    expectError(ErrorCode.DEPLOYMENT, () => web({ deployment: deployment() }));
  });

  test('fails when a blue/green deployment has nothing to shift traffic on', () => {
    expectError(ErrorCode.DEPLOYMENT, () => Deployment.blueGreen()._bind(testStack(), { shiftsTraffic: false }));
  });

  test('fails when a lifecycle hook names no stage', () => {
    const stack = testStack();
    const deployment = Deployment.canary({ lifecycleHooks: [{ handler: hook(stack), stages: [] }] });
    expectError(ErrorCode.DEPLOYMENT, () => web({ deployment }, stack));
  });
});
