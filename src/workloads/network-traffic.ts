// How traffic reaches a network service's tasks: the target groups' settings, the production
// listener and the test listener (blue/green family), the tasks' registration with the green
// target group and the role ECS shifts with, and the additional listeners.

import { aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { LoadBalancerFront } from './network-front';
import { ecsProtocolOf, ListenerPorts, portsFor } from './network-listeners';
import type { NetworkServiceProps } from './network-service';
import { addLifecycleHooks, createDeploymentRole } from '../deployment/blue-green';
import { DeploySpeedSettings } from '../deployment/deploy-speed';
import { DeploymentConfig } from '../deployment/deployment';
import { checkPort } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';

/** The target groups of a network service's main listener: blue, and green with the blue/green family. */
export interface MainTargetGroups {
  readonly targetGroup: elbv2.NetworkTargetGroup;
  readonly alternateTargetGroup?: elbv2.NetworkTargetGroup;
}

/** The production listener and, with test traffic, the test listener. */
export interface MainListeners {
  readonly listener: elbv2.NetworkListener;
  readonly testListener?: elbv2.NetworkListener;
}

/** Test traffic reaches a network service on its test listener only, which needs a port. */
export function checkTestTraffic(scope: Construct, deployment: DeploymentConfig, props: NetworkServiceProps): void {
  if (deployment.testTraffic && !deployment.testTraffic.onTestListener) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, 'a network load balancer cannot route test traffic by HTTP header',
      'use TestTraffic.testListener() with testListenerPort');
  }
  if (deployment.testTraffic && props.testListenerPort === undefined) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, 'test traffic goes to a test listener, but testListenerPort is not set',
      'set testListenerPort (clients from the VPC reach the new revision there)');
  }
}

/** The target groups' settings: the deploy-speed preset's health check, over TCP (UDP targets too, on the same port). */
export function targetGroupProps(props: NetworkServiceProps, ports: ListenerPorts, speed: DeploySpeedSettings): elbv2.NetworkTargetGroupProps {
  return {
    vpc: props.environment.vpc,
    port: ports.targetPort,
    protocol: ports.protocol === elbv2.Protocol.TLS ? elbv2.Protocol.TCP : ports.protocol,
    targetType: (props.networkMode ?? ecs.NetworkMode.AWS_VPC) === ecs.NetworkMode.AWS_VPC ? elbv2.TargetType.IP : elbv2.TargetType.INSTANCE,
    deregistrationDelay: props.deregistrationDelay ?? speed.deregistrationDelay,
    healthCheck: {
      protocol: elbv2.Protocol.TCP,
      // Bridge: the dynamic host port of the target (traffic-port).
      port: props.networkMode === ecs.NetworkMode.BRIDGE ? undefined : String(ports.healthPort),
      interval: speed.interval,
      healthyThresholdCount: speed.healthyThresholdCount,
      unhealthyThresholdCount: speed.unhealthyThresholdCount,
    },
  };
}

/**
 * The production listener and, with test traffic, the test listener. With the blue/green
 * family ECS moves the weights of their default action. On a shared load balancer the
 * listeners live with the service (its stack), like the shared ALB's rules, so a service in
 * another stack creates no dependency cycle.
 */
export function createListeners(scope: Construct, props: NetworkServiceProps, ports: ListenerPorts, front: LoadBalancerFront,
  deployment: DeploymentConfig, groups: MainTargetGroups): MainListeners {
  const green = groups.alternateTargetGroup;
  const forward = () => green
    ? {
      defaultAction: elbv2.NetworkListenerAction.weightedForward([
        { targetGroup: groups.targetGroup, weight: 100 }, { targetGroup: green, weight: 0 },
      ]),
    }
    : { defaultTargetGroups: [groups.targetGroup] };
  const addListener = (listenerId: string, port: number) => {
    const listenerProps: elbv2.BaseNetworkListenerProps = {
      port,
      protocol: ports.protocol,
      certificates: ports.protocol === elbv2.Protocol.TLS && props.certificate ? [props.certificate] : undefined,
      sslPolicy: ports.protocol === elbv2.Protocol.TLS ? elbv2.SslPolicy.TLS13_RES : undefined,
      ...forward(),
    };
    return front.shared
      ? new elbv2.NetworkListener(scope, listenerId, { loadBalancer: front.loadBalancer, ...listenerProps })
      : front.loadBalancer.addListener(listenerId, listenerProps);
  };
  const listener = addListener('Listener', ports.listenerPort);
  if (!deployment.testTraffic || props.testListenerPort === undefined) return { listener };
  checkPort(scope, 'testListenerPort', props.testListenerPort);
  if (props.testListenerPort === ports.listenerPort) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `testListenerPort ${props.testListenerPort} is the production listener's port`,
      'give the test listener its own port');
  }
  const vpcClients = ec2.Peer.ipv4(props.environment.vpcCidr ?? props.environment.vpc.vpcCidrBlock);
  for (const port of portsFor(ports.protocol, props.testListenerPort)) {
    front.securityGroup.addIngressRule(vpcClients, port, 'Test traffic from the VPC');
  }
  return { listener, testListener: addListener('TestListener', props.testListenerPort) };
}

/** Register the tasks with the target group; with the blue/green family, also the green group, the role ECS shifts with and the hooks. */
export function registerTargets(scope: Construct, service: ecs.BaseService, ports: ListenerPorts, deployment: DeploymentConfig,
  groups: MainTargetGroups, listeners: MainListeners): iam.IRole | undefined {
  const green = groups.alternateTargetGroup;
  const loadBalancerTarget = { containerName: ports.targetContainer!, containerPort: ports.targetPort, protocol: ecsProtocolOf(ports.protocol) };
  if (!green) {
    groups.targetGroup.addTarget(service.loadBalancerTarget(loadBalancerTarget));
    return undefined;
  }
  const { listener, testListener } = listeners;
  const role = createDeploymentRole(scope, [groups.targetGroup, green], [listener, ...testListener ? [testListener] : []], []);
  service.node.addDependency(role);
  groups.targetGroup.addTarget(service.loadBalancerTarget({
    ...loadBalancerTarget,
    alternateTarget: new ecs.AlternateTarget('AlternateTarget', {
      alternateTargetGroup: green,
      productionListener: ecs.ListenerRuleConfiguration.networkListener(listener),
      testListener: testListener ? ecs.ListenerRuleConfiguration.networkListener(testListener) : undefined,
      role,
    }),
  }));
  addLifecycleHooks(scope, service, deployment);
  return role;
}

/** An additional listener: its target group (the preset's health check), the listener forwarding to it, and the tasks registered on its port. */
export function addNetworkListener(scope: Construct, id: string, props: NetworkServiceProps, service: ecs.BaseService, ports: ListenerPorts,
  front: LoadBalancerFront, speed: DeploySpeedSettings): { listener: elbv2.NetworkListener; targetGroup: elbv2.NetworkTargetGroup } {
  const targetGroup = new elbv2.NetworkTargetGroup(scope, `${id}TargetGroup`, targetGroupProps(props, ports, speed));
  const listenerProps: elbv2.BaseNetworkListenerProps = {
    port: ports.listenerPort,
    protocol: ports.protocol,
    certificates: ports.protocol === elbv2.Protocol.TLS && props.certificate ? [props.certificate] : undefined,
    sslPolicy: ports.protocol === elbv2.Protocol.TLS ? elbv2.SslPolicy.TLS13_RES : undefined,
    defaultTargetGroups: [targetGroup],
  };
  const listener = front.shared
    ? new elbv2.NetworkListener(scope, id, { loadBalancer: front.loadBalancer, ...listenerProps })
    : front.loadBalancer.addListener(id, listenerProps);
  targetGroup.addTarget(service.loadBalancerTarget({
    containerName: ports.targetContainer!, containerPort: ports.targetPort, protocol: ecsProtocolOf(ports.protocol),
  }));
  return { listener, targetGroup };
}
