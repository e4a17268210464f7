import { aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DeploymentConfig } from './deployment';
import { IIngress } from '../environment/ingress';
import { Routing } from '../environment/routing';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { acknowledge, acknowledgeInlinePolicy } from '../private/nag';

/** What a service hands over to be deployed blue/green, linear or canary. */
export interface BlueGreenWiringProps {
  readonly ingress: IIngress;
  readonly service: ecs.BaseService;
  /** The primary (blue) target group. */
  readonly blue: elbv2.ApplicationTargetGroup;
  /** Properties for the green target group (the blue one's). */
  readonly targetGroupProps: elbv2.ApplicationTargetGroupProps;
  readonly routing: Routing;
  readonly deployment: DeploymentConfig;
  readonly containerName: string;
  readonly containerPort: number;
}

/** What the wiring created. */
export interface BlueGreenWiring {
  readonly green: elbv2.ApplicationTargetGroup;
  readonly listenerRule: elbv2.ApplicationListenerRule;
  readonly testListenerRule?: elbv2.ApplicationListenerRule;
  readonly deploymentRole: iam.Role;
}

/**
 * Wire an ECS-native blue/green (linear, canary) deployment on the shared load balancer:
 * a green target group, a production rule that forwards with weights ECS moves, an optional
 * test rule, the role ECS uses to move traffic, the alternate target and lifecycle hooks.
 */
export function wireBlueGreen(scope: Construct, props: BlueGreenWiringProps): BlueGreenWiring {
  const { ingress, service, blue, routing, deployment } = props;
  const green = new elbv2.ApplicationTargetGroup(scope, 'GreenTargetGroup', props.targetGroupProps);
  // ECS moves the weights between the two target groups as it shifts traffic.
  const action = () => elbv2.ListenerAction.weightedForward([
    { targetGroup: blue, weight: 100 }, { targetGroup: green, weight: 0 },
  ]);
  const listenerRule = ingress.addRoute(scope, 'ListenerRule', { routing, action: action() });
  let testListenerRule: elbv2.ApplicationListenerRule | undefined;
  const test = deployment.testTraffic;
  if (test) {
    if (test.onTestListener && !ingress.testListener) {
      throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, 'test traffic goes to the environment\'s test listener, but the environment has none',
        'set ingress.testListener on the Environment, or use TestTraffic.header()');
    }
    testListenerRule = ingress.addRoute(scope, 'TestListenerRule', {
      routing: test.onTestListener ? routing : { hostHeaders: routing.hostHeaders, pathPatterns: routing.pathPatterns },
      action: action(),
      httpHeader: test.headerName ? { name: test.headerName, values: test.headerValues! } : undefined,
      onTestListener: test.onTestListener,
    });
  }
  const listeners = [ingress.listener, ...(testListenerRule && ingress.testListener ? [ingress.testListener] : [])];
  const deploymentRole = createDeploymentRole(scope, [blue, green], listeners, [listenerRule, testListenerRule]);
  // The role's policy must be attached before ECS validates the load balancer configuration.
  service.node.addDependency(deploymentRole);
  blue.addTarget(service.loadBalancerTarget({
    containerName: props.containerName,
    containerPort: props.containerPort,
    alternateTarget: new ecs.AlternateTarget('AlternateTarget', {
      alternateTargetGroup: green,
      productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(listenerRule),
      testListener: testListenerRule ? ecs.ListenerRuleConfiguration.applicationListenerRule(testListenerRule) : undefined,
      role: deploymentRole,
    }),
  }));
  addLifecycleHooks(scope, service, deployment);
  return { green, listenerRule, testListenerRule, deploymentRole };
}

/**
 * The role ECS assumes to move traffic between the target groups: the actions of the AWS
 * managed policy AmazonECSInfrastructureRolePolicyForLoadBalancers, limited to this
 * service's listeners, rules and target groups (Describe* takes no resource).
 */
export function createDeploymentRole(scope: Construct, targetGroups: elbv2.ITargetGroup[], listeners: Array<{ readonly listenerArn: string }>,
  rules: Array<elbv2.ApplicationListenerRule | undefined>): iam.Role {
  const role = new iam.Role(scope, 'DeploymentRole', {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    description: `${scope.node.path}: lets ECS shift traffic between the blue and green target groups`,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
    resources: ['*'],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
    resources: targetGroups.map(tg => tg.targetGroupArn),
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:ModifyListener'],
    resources: listeners.map(l => l.listenerArn),
  }));
  const ruleArns = rules.filter(r => r !== undefined).map(r => r!.listenerRuleArn);
  if (ruleArns.length > 0) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:ModifyRule'], resources: ruleArns }));
  }
  const policy = role.node.findChild('DefaultPolicy');
  acknowledgeInlinePolicy(policy);
  acknowledge(policy, [{
    id: 'AwsSolutions-IAM5',
    reason: 'elasticloadbalancing:Describe* actions support no resource-level permissions; every modifying action is limited to this service\'s listener, rules and target groups.',
    appliesTo: ['Resource::*'],
  }]);
  return role;
}

export function addLifecycleHooks(scope: Construct, service: ecs.BaseService, deployment: DeploymentConfig): void {
  deployment.lifecycleHooks.forEach((hook, i) => {
    const role = new iam.Role(scope, `LifecycleHook${i}Role`, {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: `${scope.node.path}: lets ECS invoke deployment lifecycle hook ${i}`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [hook.handler.functionArn] }));
    service.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(hook.handler, `LifecycleHook${i}`, {
      lifecycleStages: hook.stages, role,
    }));
    service.node.addDependency(role);
    acknowledgeInlinePolicy(role.node.findChild('DefaultPolicy'));
    // The hooks render in the order they were added; aws-cdk-lib 2.257 types no timeout.
    const timeout = deployment.lifecycleHookTimeouts?.[i];
    if (timeout) (service.node.defaultChild as ecs.CfnService).addPropertyOverride(`DeploymentConfiguration.LifecycleHooks.${i}.TimeoutConfiguration`, timeout);
  });
}
