// How traffic reaches a web service: its way in (an ingress of its own, the environment's
// shared load balancer, or its ECS gateway), the main route's target group and rule with its
// deployment's wiring (rolling, the blue/green family, CodeDeploy), the additional routes and
// the alias records.

import { Fn, Stack, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_iam as iam, aws_route53 as route53 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkGatewayProps, connectToGateway } from './gateway-connector';
import { LoadBalancerPath, loadBalancerPath } from './load-balancer-path';
import { RegisteredTarget, targetHealthCheck } from './target-group';
import { AddedRoute, addRoutes, admitLoadBalancer, webTargetGroupProps } from './web-routes';
import type { WebServiceProps } from './web-service';
import { wireBlueGreen } from '../deployment/blue-green';
import { DeploySpeedSettings } from '../deployment/deploy-speed';
import { DeploymentConfig } from '../deployment/deployment';
import { IEcsGateway } from '../environment/gateway';
import { IIngress } from '../environment/ingress';
import { createAliasRecords, Routing } from '../environment/routing';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { TaskModel } from '../task/task-builder';

/** How a web service is reached: an ingress of its own, the environment's shared load balancer, or the environment's ECS gateway. */
export interface WayIn {
  /** The load balancer the service routes through (its own, or the environment's); none on the gateway. */
  readonly ingress?: IIngress;
  /** The environment's shared load balancer, when it has one. */
  readonly shared?: IIngress;
  /** The environment's ECS gateway, when the service joins it (no ingress of its own). */
  readonly gateway?: IEcsGateway;
}

/** How a web service receives traffic: through the library's load balancer (target groups, rules, aliases) or an ECS gateway (none of those). */
export interface ServiceTraffic extends Partial<TrafficWiring> {
  readonly additional: AddedRoute[];
  readonly aliasRecords: route53.ARecord[];
  /** The load balancer's full name, for CloudWatch dimensions; unknown on a gateway. */
  readonly loadBalancerFullName?: string;
}

/** How a web service's traffic reaches its tasks. */
interface TrafficWiring {
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  readonly listenerRule?: elbv2.ApplicationListenerRule;
  readonly testListenerRule?: elbv2.ApplicationListenerRule;
  readonly deploymentRole?: iam.IRole;
}

/** The service's way in; without any, it fails, and on the gateway the props it cannot honour fail. */
export function wayIn(scope: Construct, props: WebServiceProps): WayIn {
  const env = props.environment;
  const gateway = props.ingress ? undefined : env.gateway;
  const shared = env.hasSharedLoadBalancer === false ? undefined : env.ingress;
  if (!props.ingress && !shared && !gateway) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, 'the environment has no shared load balancer (sharedLoadBalancer: false), and the service gives no ingress',
      'give the service its own load balancer (ingress: new SharedIngress(...)), or create the environment with its shared load balancer');
  }
  if (gateway) checkGatewayProps(scope, props);
  return { ingress: props.ingress ?? shared, shared, gateway };
}

/** Join the environment's ECS gateway: no target group, listener rule or alias record of the service's own. */
export function joinGateway(scope: Construct, props: WebServiceProps, gateway: IEcsGateway, service: ecs.BaseService,
  securityGroup: ec2.ISecurityGroup, speed: DeploySpeedSettings, port: number): ServiceTraffic {
  connectToGateway(scope, {
    gateway,
    env: props.environment,
    service,
    securityGroup,
    portName: 'http',
    port,
    healthCheck: targetHealthCheck(scope, speed, props.targetHealthCheck),
  });
  return { additional: [], aliasRecords: [] };
}

/** The routes on the library's own load balancer: the main one (with its deployment's wiring), the additional ones, and their alias records. */
export function receiveAlbTraffic(scope: Construct, props: WebServiceProps, ingress: IIngress, deployment: DeploymentConfig, service: ecs.BaseService,
  task: TaskModel, securityGroup: ec2.ISecurityGroup | undefined, speed: DeploySpeedSettings, target: RegisteredTarget): ServiceTraffic {
  const containerPort = props.containerPort ?? 8080;
  const path = loadBalancerPath(task, securityGroup, target.port);
  const traffic = receiveTraffic(scope, props, ingress, deployment, service, path, speed, target);
  const additional = addRoutes(scope, props, ingress, service, task, securityGroup, speed, containerPort);
  const routes = props.additionalRoutes ?? [];
  return {
    ...traffic,
    additional,
    aliasRecords: createAliasRecords(scope, [props.routing ?? {}, ...routes.map(r => r.routing)], ingress.loadBalancer, ingress.hostedZone),
    loadBalancerFullName: loadBalancerFullName(scope, ingress.loadBalancer),
  };
}

/**
 * The load balancer's full name (`app/<name>/<id>`) for metric dimensions: its `LoadBalancerFullName`
 * attribute (one `Fn::GetAtt` or `Fn::ImportValue`, about 130 template bytes a metric fewer than
 * splitting the ARN, the same value); an imported load balancer has no such attribute, and its ARN
 * is split.
 *
 * A service in another stack than the load balancer's imports the attribute, which the load
 * balancer's stack exports; that stack also keeps exporting the ARN, which service stacks
 * synthesized before 0.3.0 import: were the export to go, CloudFormation would refuse to delete it
 * while a deployed service stack still used it, and the environment's stack could not deploy.
 */
function loadBalancerFullName(scope: Construct, loadBalancer: elbv2.IApplicationLoadBalancer): string {
  const split = () => Fn.select(1, Fn.split('loadbalancer/', loadBalancer.loadBalancerArn));
  if (!(loadBalancer instanceof elbv2.ApplicationLoadBalancer)) return split();
  const producer = Stack.of(loadBalancer);
  // Within one deployment (one stack, or nested stacks of one parent) values pass without exports.
  if (topLevel(producer) === topLevel(Stack.of(scope))) return loadBalancer.loadBalancerFullName;
  // A nested stack's exports go through its parent's outputs: left as they were.
  if (producer.nestedStackParent) return split();
  producer.exportValue(loadBalancer.loadBalancerArn);
  return loadBalancer.loadBalancerFullName;
}

/** The stack that owns a nested stack's exports (itself, when it is not nested). */
function topLevel(stack: Stack): Stack {
  return stack.nestedStackParent ? topLevel(stack.nestedStackParent) : stack;
}

/**
 * Receive the routed traffic: the target group, and the load balancer admitted to the tasks.
 * Rolling: a listener rule forwards to the target group. The ECS-native blue/green family: a
 * second target group, and the rule ECS shifts. CodeDeploy: a second target group;
 * CodeDeploy moves the listener's default action.
 */
function receiveTraffic(scope: Construct, props: WebServiceProps, ingress: IIngress, deployment: DeploymentConfig, service: ecs.BaseService,
  path: LoadBalancerPath, speed: DeploySpeedSettings, target: RegisteredTarget): TrafficWiring {
  const targetGroupProps = webTargetGroupProps(scope, props, ingress, path, speed, target.port, props.targetHealthCheck);
  const targetGroup = new elbv2.ApplicationTargetGroup(scope, 'TargetGroup', targetGroupProps);
  const wiring = routeTo(scope, service, targetGroup, ingress, props.routing ?? {}, deployment, targetGroupProps, target);
  admitLoadBalancer(ingress, path, target.port, props.targetHealthCheck);
  return { targetGroup, ...wiring };
}

function routeTo(scope: Construct, service: ecs.BaseService, blue: elbv2.ApplicationTargetGroup, ingress: IIngress, routing: Routing,
  deployment: DeploymentConfig, targetGroupProps: elbv2.ApplicationTargetGroupProps, target: RegisteredTarget): Omit<TrafficWiring, 'targetGroup'> {
  const containerName = target.containerName;
  const containerPort = target.port;
  if (deployment.codeDeploy) {
    return { alternateTargetGroup: new elbv2.ApplicationTargetGroup(scope, 'GreenTargetGroup', targetGroupProps) };
  }
  if (deployment.strategy === ecs.DeploymentStrategy.ROLLING) {
    const listenerRule = ingress.addRoute(scope, 'ListenerRule', { routing, action: elbv2.ListenerAction.forward([blue]) });
    blue.addTarget(service.loadBalancerTarget({ containerName, containerPort }));
    return { listenerRule };
  }
  const wiring = wireBlueGreen(scope, {
    ingress, service, blue, targetGroupProps, routing, deployment, containerName, containerPort,
  });
  return {
    alternateTargetGroup: wiring.green,
    listenerRule: wiring.listenerRule,
    testListenerRule: wiring.testListenerRule,
    deploymentRole: wiring.deploymentRole,
  };
}
