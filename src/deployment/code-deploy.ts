import {
  Annotations, Stack, Token, aws_cloudwatch as cloudwatch, aws_codedeploy as codedeploy, aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2, aws_iam as iam,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CodeDeployHook, DeploymentConfig } from './deployment';
import { IIngress, SharedIngress } from '../environment/ingress';
import { ErrorCode, problemMessage, ShipyardError } from '../guardrails/errors';
import { acknowledge } from '../private/nag';

/** What a service hands over to be deployed by CodeDeploy. */
export interface CodeDeployWiringProps {
  /** The service's own load balancer. */
  readonly ingress: IIngress;
  /** The environment's shared load balancer (CodeDeploy may not take it over). */
  readonly sharedIngress?: IIngress;
  readonly service: ecs.BaseService;
  readonly blue: elbv2.ApplicationTargetGroup;
  readonly green: elbv2.ApplicationTargetGroup;
  readonly deployment: DeploymentConfig;
  readonly containerName: string;
  readonly containerPort: number;
  readonly taskDefinition: ecs.TaskDefinition;
}

/** What the wiring created. */
export interface CodeDeployWiring {
  readonly deploymentGroup: codedeploy.EcsDeploymentGroup;
  /** The AppSpec (JSON) to create a deployment of the current task definition with. */
  readonly appSpec: string;
}

/** Check that `ingress` is a load balancer CodeDeploy may take over. */
export function checkCodeDeployIngress(scope: Construct, ingress: IIngress, sharedIngress: IIngress | undefined): void {
  if (ingress === sharedIngress || !(ingress instanceof SharedIngress)) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT,
      'CodeDeploy moves a listener\'s default action, so it needs a load balancer of the service\'s own, not the environment\'s shared one',
      'give the service ingress: new SharedIngress(...), or use Deployment.blueGreen() on the shared load balancer');
  }
}

/**
 * Wire a CodeDeploy blue/green deployment: the listener (and test listener) of the
 * service's own load balancer forward to the blue target group, a green target group waits,
 * and a deployment group rolls back on failure, stop and the service's rollback alarms.
 */
export function wireCodeDeploy(scope: Construct, props: CodeDeployWiringProps, rollbackAlarmNames: string[]): CodeDeployWiring {
  const { listener, testListener } = takeOverListeners(props.ingress as SharedIngress, props.blue);
  props.blue.addTarget(props.service.loadBalancerTarget({ containerName: props.containerName, containerPort: props.containerPort }));
  const deploymentGroup = createDeploymentGroup(scope, props, listener, testListener, rollbackAlarmNames);
  allowHooksToReport(props.deployment.codeDeploy!.hooks, deploymentGroup);
  acknowledgeServiceRole(deploymentGroup);
  checkCodeDeployService(props.service);
  return { deploymentGroup, appSpec: appSpecOf(scope, props) };
}

/**
 * CodeDeploy moves the listeners' default actions between blue and green, so the service takes
 * them over (the production listener, and the test listener if there is one): both forward to
 * the blue target group. The 404 they had is replaced on purpose, and aws-cdk-lib's warning
 * about it says nothing a user can act on.
 */
function takeOverListeners(ingress: SharedIngress, blue: elbv2.ApplicationTargetGroup):
{ listener: elbv2.ApplicationListener; testListener?: elbv2.ApplicationListener } {
  const listener = ingress.listener as elbv2.ApplicationListener;
  const takeOver = (l: elbv2.ApplicationListener, id: string) => {
    l.addAction(id, { action: elbv2.ListenerAction.forward([blue]) });
    Annotations.of(l).acknowledgeWarning('@aws-cdk/aws-elbv2:listenerExistingDefaultActionReplaced',
      'CodeDeploy blue/green: the listener forwards to the blue target group in place of the 404 it had');
  };
  takeOver(listener, 'CodeDeployProduction');
  const testListener = ingress.testListener as elbv2.ApplicationListener | undefined;
  if (testListener) takeOver(testListener, 'CodeDeployTest');
  return { listener, testListener };
}

/**
 * The CodeDeploy application and deployment group: blue and green behind the listeners, the
 * chosen deployment configuration, and automatic rollback on failure, on stop and (with
 * rollback on alarm) when one of the service's rollback alarms fires.
 */
function createDeploymentGroup(scope: Construct, props: CodeDeployWiringProps, listener: elbv2.ApplicationListener,
  testListener: elbv2.ApplicationListener | undefined, rollbackAlarmNames: string[]): codedeploy.EcsDeploymentGroup {
  const config = props.deployment.codeDeploy!;
  const application = new codedeploy.EcsApplication(scope, 'CodeDeployApplication');
  const alarms = props.deployment.rollbackOnAlarm
    ? rollbackAlarmNames.map((name, i) => cloudwatch.Alarm.fromAlarmName(scope, `RollbackAlarm${i}`, name))
    : [];
  return new codedeploy.EcsDeploymentGroup(scope, 'DeploymentGroup', {
    application,
    service: props.service,
    deploymentConfig: config.deploymentConfig,
    blueGreenDeploymentConfig: {
      blueTargetGroup: props.blue,
      greenTargetGroup: props.green,
      listener,
      testListener,
      terminationWaitTime: config.terminationWaitTime,
    },
    alarms,
    autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: alarms.length > 0 },
  });
}

/** Each lifecycle hook's function may report its verdict to the deployment group. */
function allowHooksToReport(hooks: CodeDeployHook[], deploymentGroup: codedeploy.EcsDeploymentGroup): void {
  for (const hook of hooks) {
    hook.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'],
      resources: [deploymentGroup.deploymentGroupArn],
    }));
  }
}

/** The deployment group's service role (when it creates one) uses the AWS managed policy CodeDeploy needs for ECS. */
function acknowledgeServiceRole(deploymentGroup: codedeploy.EcsDeploymentGroup): void {
  const role = deploymentGroup.node.tryFindChild('ServiceRole');
  if (role) {
    acknowledge(role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'CodeDeploy deploys ECS services with the AWS managed AWSCodeDeployRoleForECS policy.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS'],
    }]);
  }
}

/** The AppSpec (JSON) that deploys the current task definition to the service's container and port, with the lifecycle hooks. */
function appSpecOf(scope: Construct, props: CodeDeployWiringProps): string {
  return Stack.of(scope).toJsonString({
    version: '0.0',
    Resources: [{
      TargetService: {
        Type: 'AWS::ECS::Service',
        Properties: {
          TaskDefinition: props.taskDefinition.taskDefinitionArn,
          LoadBalancerInfo: { ContainerName: props.containerName, ContainerPort: props.containerPort },
        },
      },
    }],
    Hooks: props.deployment.codeDeploy!.hooks.map(h => ({ [h.stage]: h.handler.functionArn })),
  });
}

/**
 * ECS rejects the circuit breaker and deployment alarms with the CODE_DEPLOY controller, and
 * CloudFormation cannot change the task definition of such a service: it must follow the
 * family's latest revision (CodeDeploy deploys new ones). Checked at synth, so escape-hatch
 * changes are caught too.
 */
function checkCodeDeployService(service: ecs.BaseService): void {
  service.node.addValidation({
    validate: () => {
      const cfn = service.node.defaultChild as ecs.CfnService;
      const stack = Stack.of(service);
      const problems: Array<{ problem: string; fix: string }> = [];
      const configuration = stack.resolve(cfn.deploymentConfiguration) ?? {};
      if (configuration.deploymentCircuitBreaker?.enable) {
        problems.push({ problem: 'the CodeDeploy controller does not take the deployment circuit breaker', fix: 'remove it; CodeDeploy rolls back failed deployments' });
      }
      if (configuration.alarms?.enable) {
        problems.push({ problem: 'the CodeDeploy controller does not take ECS deployment alarms', fix: 'remove them; the deployment group watches the rollback alarms' });
      }
      const taskDefinition = stack.resolve(cfn.taskDefinition);
      if (typeof taskDefinition !== 'string' || /:\d+$/.test(taskDefinition) || Token.isUnresolved(taskDefinition)) {
        problems.push({
          problem: 'the service pins a task definition revision, which CloudFormation cannot change under CodeDeploy',
          fix: 'keep taskDefinitionRevision LATEST (the family); deploy new revisions with CodeDeploy',
        });
      }
      const errors = problems.map(p => problemMessage(service, { code: ErrorCode.DEPLOYMENT, ...p }));
      return errors;
    },
  });
}
