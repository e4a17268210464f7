// The front of a network service: its own network load balancer (or its ports on a shared
// one), the load balancer's security group, and the rules that admit the load balancer (and,
// for UDP, its clients) to the tasks.

import { aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { loadBalancerPath } from './load-balancer-path';
import { ListenerPorts, portsFor } from './network-listeners';
import type { NetworkServiceProps } from './network-service';
import { EnvironmentProfile } from '../environment/profile';
import { SharedNetworkLoadBalancer } from '../environment/shared-nlb';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { scopedIngress } from '../private/scoped-ingress';
import { TaskModel } from '../task/task-builder';

/** The load balancer a network service is reached through, and who may reach it. */
export interface LoadBalancerFront {
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly clients: ec2.IPeer;
  readonly shared?: SharedNetworkLoadBalancer;
}

/** The service's own network load balancer, or its ports on a shared one, and who may reach them. */
export function createLoadBalancer(scope: Construct, id: string, props: NetworkServiceProps, ports: ListenerPorts,
  more: ListenerPorts[]): LoadBalancerFront {
  const env = props.environment;
  const shared = props.sharedLoadBalancer;
  if (shared && (props.internetFacing !== undefined || props.accessLogsBucket)) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, 'internetFacing or accessLogsBucket is given for a service on a shared network load balancer',
      'set them on the SharedNetworkLoadBalancer (scheme) or leave them out');
  }
  const internetFacing = shared ? shared.internetFacing : props.internetFacing ?? false;
  const clients = internetFacing ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(env.vpcCidr ?? env.vpc.vpcCidrBlock);
  const securityGroup = shared?.securityGroup ?? new ec2.SecurityGroup(scope, 'LoadBalancerSecurityGroup', {
    vpc: env.vpc,
    description: `${scope.node.path}: clients to the network load balancer`,
    allowAllOutbound: false,
  });
  shared?._claimPort(scope, ports.protocol, ports.listenerPort);
  if (shared && props.testListenerPort !== undefined) shared._claimPort(scope, ports.protocol, props.testListenerPort);
  for (const l of more) shared?._claimPort(scope, l.protocol, l.listenerPort);
  for (const l of [ports, ...more]) {
    for (const port of portsFor(l.protocol, l.listenerPort)) {
      securityGroup.addIngressRule(clients, port, internetFacing ? 'From the internet' : 'From the VPC');
    }
  }
  const loadBalancer = shared?.loadBalancer ?? new elbv2.NetworkLoadBalancer(scope, 'LoadBalancer', {
    vpc: env.vpc,
    internetFacing,
    vpcSubnets: internetFacing ? { subnetType: ec2.SubnetType.PUBLIC } : env.taskSubnets,
    securityGroups: [securityGroup],
    crossZoneEnabled: true,
    deletionProtection: env.profile === EnvironmentProfile.PRODUCTION,
  });
  if (props.accessLogsBucket && ports.protocol === elbv2.Protocol.TLS) loadBalancer.logAccessLogs(props.accessLogsBucket, id);
  return { loadBalancer, securityGroup, clients, shared };
}

/**
 * TCP and TLS arrive from the load balancer; UDP keeps the client's address, so tasks admit
 * the clients themselves. Health checks are TCP for every protocol. The load balancer's
 * egress rules are remote rules: with a shared NLB in the environment's stack and the
 * service in another, they land in the service's stack (no dependency back).
 */
export function admitFromLoadBalancer(scope: Construct, task: TaskModel, ownGroup: ec2.ISecurityGroup | undefined, front: LoadBalancerFront,
  ports: ListenerPorts): void {
  const { protocol, targetPort, healthPort } = ports;
  const path = loadBalancerPath(task, ownGroup, targetPort);
  const carriesTcp = protocol !== elbv2.Protocol.UDP && targetPort !== healthPort;
  // Bridge: the target and health check share a dynamic host port in the ephemeral range.
  const fromLoadBalancer = task.taskDefinition.networkMode === ecs.NetworkMode.BRIDGE
    ? [path.port]
    : [ec2.Port.tcp(healthPort), ...carriesTcp ? [ec2.Port.tcp(targetPort)] : []];
  // Targets that admit the load balancer's group accept its traffic even with client IP
  // preservation, which instance targets have (ELB Network Load Balancers Guide, "Update the
  // security groups for your Network Load Balancer").
  // The egress rule lands beside the task's own group (awsvpc); beside the load balancer's
  // group for the instances' groups, which live in the environment's stack.
  const remote = path.targetType === 'ip';
  const udp = protocol === elbv2.Protocol.UDP || protocol === elbv2.Protocol.TCP_UDP;
  for (const group of path.groups) {
    const admit = (peer: ec2.IPeer, port: ec2.Port, description: string) => remote
      ? group.addIngressRule(peer, port, description)
      : admitToInstances(scope, group, peer, port, description);
    for (const port of fromLoadBalancer) {
      admit(front.securityGroup, port, 'From the network load balancer');
      front.securityGroup.addEgressRule(group, port, 'To the tasks', remote);
    }
    if (udp) {
      admit(front.clients, ec2.Port.udp(targetPort), 'Clients through the network load balancer');
      front.securityGroup.addEgressRule(group, ec2.Port.udp(targetPort), 'UDP to the tasks', remote);
    }
  }
}

/**
 * An ingress rule on an instance group of the environment, created in the service's scope:
 * the service's own load balancer group lives there, and a rule beside the instances' group
 * would make the environment's stack refer back to the service's.
 */
function admitToInstances(scope: Construct, group: ec2.ISecurityGroup, peer: ec2.IPeer, port: ec2.Port, description: string): void {
  const index = scope.node.children.filter(c => c.node.id.startsWith('InstanceIngress')).length;
  scopedIngress(scope, `InstanceIngress${index}`, group, peer, port, description);
}
