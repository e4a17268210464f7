import {
  Duration, Stack, aws_codedeploy as codedeploy, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_lambda as lambda,
} from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { CodeDeployHookStage, Deployment, Environment, Image, SharedIngress, WebService, WebServiceProps } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, expectValidationError, productionEnvironment, resources, template, testStack, warningIds } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/api:1.0.0');

function dedicated(stack: Stack, environment: Environment, testListener = true): SharedIngress {
  return new SharedIngress(stack, 'Dedicated', {
    vpc: environment.vpc,
    production: false,
    protocol: elbv2.ApplicationProtocol.HTTP,
    vpcCidr: '10.0.0.0/16',
    testListener: testListener ? { port: 8443 } : undefined,
  });
}

function codeDeployed(props: (stack: Stack) => Partial<WebServiceProps> = () => ({})): { stack: Stack; service: WebService } {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  const service = new WebService(stack, 'Api', {
    environment, image: IMAGE, ingress: dedicated(stack, environment), deployment: Deployment.codeDeploy(), ...props(stack),
  });
  return { stack, service };
}

describe('Deployment.codeDeploy', () => {
  test('the service has no listener rule, and reading it says why', () => {
    const { service } = codeDeployed();
    expectError(ErrorCode.DEPLOYMENT, () => service.listenerRule);
  });

  test('the service uses the CODE_DEPLOY controller, follows the family and has no circuit breaker', () => {
    const { stack } = codeDeployed();
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentController: { Type: 'CODE_DEPLOY' },
      TaskDefinition: Match.stringLikeRegexp('^TestApiTaskDefinition'),
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: Match.absent(), Alarms: Match.absent() }),
    });
  });

  test('taking over the listeners\' default action warns nothing a user could act on', () => {
    const { stack } = codeDeployed();
    expect(warningIds(stack).filter(id => id.includes('listenerExistingDefaultActionReplaced'))).toEqual([]);
  });

  test('the dedicated listener and test listener forward to blue; a deployment group shifts to green and rolls back on failure, stop and alarms', () => {
    const { stack } = codeDeployed();
    const listeners = resources(stack, 'AWS::ElasticLoadBalancingV2::Listener').filter(([id]) => id.startsWith('Dedicated')).map(([, l]) => l.Properties);
    expect(listeners).toHaveLength(2);
    for (const l of listeners) {
      expect(l.DefaultActions).toEqual([{ Type: 'forward', TargetGroupArn: { Ref: expect.stringMatching(/^ApiTargetGroup/) } }]);
    }
    expect(resources(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule')).toHaveLength(0);
    template(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL', DeploymentType: 'BLUE_GREEN' },
      BlueGreenDeploymentConfiguration: {
        DeploymentReadyOption: { ActionOnTimeout: 'CONTINUE_DEPLOYMENT', WaitTimeInMinutes: 0 },
        TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 5 },
      },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: Match.stringLikeRegexp('-Failing$') }] },
      LoadBalancerInfo: { TargetGroupPairInfoList: [Match.objectLike({ TargetGroups: [{ Name: Match.anyValue() }, { Name: Match.anyValue() }] })] },
    });
  });

  test('the AppSpec names the task definition, container and port, and the hooks', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const check = lambda.Function.fromFunctionAttributes(stack, 'Check', {
      functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:check', sameEnvironment: true,
    });
    const service = new WebService(stack, 'Api', {
      environment,
      image: IMAGE,
      ingress: dedicated(stack, environment),
      deployment: Deployment.codeDeploy({
        deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
        terminationWaitTime: Duration.minutes(30),
        hooks: [{ stage: CodeDeployHookStage.AFTER_ALLOW_TEST_TRAFFIC, handler: check }],
      }),
    });
    const appSpec = JSON.parse(JSON.stringify(stack.resolve(service.codeDeployAppSpec)));
    const text = JSON.stringify(appSpec);
    expect(text).toContain('\\"ContainerName\\":\\"app\\"');
    expect(text).toContain('\\"ContainerPort\\":8080');
    expect(text).toContain('AfterAllowTestTraffic');
    expect(text).toContain('ApiTaskDefinition');
    template(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      BlueGreenDeploymentConfiguration: Match.objectLike({ TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 30 } }),
    });
  });

  test('fails on the environment\'s shared load balancer', () => {
    expectError(ErrorCode.DEPLOYMENT, () => {
      const stack = testStack();
      new WebService(stack, 'Api', { environment: productionEnvironment(stack), image: IMAGE, deployment: Deployment.codeDeploy() });
    });
  });

  test.each([
    ['a termination wait of 3000 minutes', { terminationWaitTime: Duration.minutes(3000) }],
    ['a termination wait of 90 s', { terminationWaitTime: Duration.seconds(90) }],
  ])('fails with %s', (_name, options) => {
    expectError(ErrorCode.DEPLOYMENT, () => codeDeployed(() => ({ deployment: Deployment.codeDeploy(options) })));
  });

  test('fails with two hooks at one lifecycle event', () => {
    expectError(ErrorCode.DEPLOYMENT, () => codeDeployed(s => {
      const f = lambda.Function.fromFunctionArn(s, 'F', 'arn:aws:lambda:us-east-1:111111111111:function:f');
      return {
        deployment: Deployment.codeDeploy({
          hooks: [{ stage: CodeDeployHookStage.BEFORE_INSTALL, handler: f }, { stage: CodeDeployHookStage.BEFORE_INSTALL, handler: f }],
        }),
      };
    }));
  });

  test('fails at synth when the circuit breaker or deployment alarms are switched on through the escape hatch', () => {
    const { stack, service } = codeDeployed();
    (service.service.node.defaultChild as ecs.CfnService).deploymentConfiguration = { deploymentCircuitBreaker: { enable: true, rollback: true }, alarms: { enable: true, rollback: true, alarmNames: ['x'] } };
    expectValidationError(stack, ErrorCode.DEPLOYMENT, /circuit breaker/);
  });

  test('fails at synth when the task definition revision is pinned', () => {
    const { stack, service } = codeDeployed();
    (service.service.node.defaultChild as ecs.CfnService).taskDefinition = 'arn:aws:ecs:us-east-1:111111111111:task-definition/api:7';
    expectValidationError(stack, ErrorCode.DEPLOYMENT, /pins a task definition revision/);
  });
});
