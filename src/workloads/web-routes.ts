// A web service's routes on the library's load balancer: the target groups' settings, the
// additional routes (each a target group and a listener rule) and their checks, and the load
// balancer admitted to the tasks.

import { aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { LoadBalancerPath, loadBalancerPath } from './load-balancer-path';
import { loadBalancingProps, registeredTarget, TargetHealthCheckOptions, targetHealthCheck } from './target-group';
import type { AdditionalRoute, WebServiceProps } from './web-service';
import { DeploySpeedSettings } from '../deployment/deploy-speed';
import { DeploymentConfig } from '../deployment/deployment';
import { IIngress } from '../environment/ingress';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { TaskModel } from '../task/task-builder';

/** A route of `additionalRoutes`, as built. */
export interface AddedRoute {
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly listenerRule: elbv2.ApplicationListenerRule;
}

/**
 * Additional routes need the rolling deployment (CodeDeploy shifts one pair of target groups,
 * the blue/green family here the main route), and fit ECS's 5 target groups per service.
 * Source: Amazon ECS Developer Guide, "Registering multiple target groups with an Amazon ECS
 * service" (no more than five target groups per service with an ALB or NLB).
 */
export function checkAdditionalRoutes(scope: Construct, routes: AdditionalRoute[], deployment: DeploymentConfig): void {
  if (routes.length === 0) return;
  if (routes.length > 4) {
    throw new ShipyardError(scope, ErrorCode.ROUTING_INVALID, `${routes.length} additionalRoutes are given; ECS attaches at most 5 target groups to a service`,
      'give at most 4 additional routes, or split the service');
  }
  if (deployment.codeDeploy || deployment.strategy !== ecs.DeploymentStrategy.ROLLING) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, 'additionalRoutes are given with a blue/green, linear, canary or CodeDeploy deployment',
      'use Deployment.rolling() with additional routes (the traffic-shifting deployments move the main route only), or route through one target');
  }
}

/** A target group's settings: the deploy-speed preset's health check and draining, and the load-balancing options. */
export function webTargetGroupProps(scope: Construct, props: WebServiceProps, ingress: IIngress, path: LoadBalancerPath, speed: DeploySpeedSettings,
  port: number, healthCheck: TargetHealthCheckOptions | undefined): elbv2.ApplicationTargetGroupProps {
  return {
    vpc: props.environment.vpc,
    targetType: path.targetType === 'ip' ? elbv2.TargetType.IP : elbv2.TargetType.INSTANCE,
    port,
    protocol: elbv2.ApplicationProtocol.HTTP,
    deregistrationDelay: props.deregistrationDelay ?? speed.deregistrationDelay,
    healthCheck: targetHealthCheck(scope, speed, healthCheck,
      props.loadBalancing?.protocolVersion === elbv2.ApplicationProtocolVersion.GRPC, path.targetType === 'ip'),
    ...loadBalancingProps(scope, props.loadBalancing, ingress.protocol),
  };
}

/**
 * The additional routes: for each, a target group on its container and port, a listener
 * rule forwarding to it (priorities and collision checks as every rule), and the load
 * balancer admitted to its port. ECS registers every task with each target group.
 */
export function addRoutes(scope: Construct, props: WebServiceProps, ingress: IIngress, service: ecs.BaseService, task: TaskModel,
  securityGroup: ec2.ISecurityGroup | undefined, speed: DeploySpeedSettings, containerPort: number): AddedRoute[] {
  return (props.additionalRoutes ?? []).map((route, i) => {
    const id = `Route${i + 2}`;
    const target = registeredTarget(scope, task.containers, route.targetContainer, route.targetPort, containerPort, `additionalRoutes[${i}].`);
    const path = loadBalancerPath(task, securityGroup, target.port);
    const targetGroup = new elbv2.ApplicationTargetGroup(scope, `${id}TargetGroup`,
      webTargetGroupProps(scope, props, ingress, path, speed, target.port, route.targetHealthCheck ?? props.targetHealthCheck));
    const listenerRule = ingress.addRoute(scope, `${id}ListenerRule`, { routing: route.routing, action: elbv2.ListenerAction.forward([targetGroup]) });
    targetGroup.addTarget(service.loadBalancerTarget({ containerName: target.containerName, containerPort: target.port }));
    admitLoadBalancer(ingress, path, target.port, route.targetHealthCheck ?? props.targetHealthCheck);
    return { targetGroup, listenerRule };
  });
}

/**
 * Admit the load balancer's groups to the tasks on the target's port (and health-check port).
 * Their egress is the environment's (one rule to the VPC), so no rule per service lands on
 * the shared group.
 */
export function admitLoadBalancer(ingress: IIngress, path: LoadBalancerPath, port: number, healthCheck: TargetHealthCheckOptions | undefined): void {
  const checkPortNumber = healthCheck?.port;
  for (const group of ingress.loadBalancer.connections.securityGroups) {
    for (const taskGroup of path.groups) taskGroup.addIngressRule(group, path.port, 'From the shared load balancer');
    if (checkPortNumber !== undefined && checkPortNumber !== port) {
      for (const taskGroup of path.groups) taskGroup.addIngressRule(group, ec2.Port.tcp(checkPortNumber), 'Health checks from the shared load balancer');
    }
  }
}
