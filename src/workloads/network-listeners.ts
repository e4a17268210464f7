// A network service's listener ports: the main listener's and each additional listener's
// protocol and ports, the container and port each reaches, and the checks on them.

import { aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { NetworkServiceProps } from './network-service';
import { registeredTarget } from './target-group';
import { checkCertificateRegion, checkPort, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { TaskModel } from '../task/task-builder';

/** The protocol and ports of a network service's listener. */
export interface ListenerPorts {
  readonly protocol: elbv2.Protocol;
  /** The app's port mapping for the listener. */
  readonly containerPort: number;
  readonly listenerPort: number;
  readonly healthPort: number;
  /** The container and port the target group registers (the app's, or a sidecar's). */
  readonly targetPort: number;
  readonly targetContainer?: string;
}

/** The main listener's protocol and ports (TLS listens on 443 unless told), checked. */
export function mainListenerPorts(scope: Construct, props: NetworkServiceProps): ListenerPorts {
  const protocol = props.protocol ?? elbv2.Protocol.TCP;
  const containerPort = props.containerPort ?? 8080;
  const listenerPort = props.listenerPort ?? (protocol === elbv2.Protocol.TLS ? 443 : containerPort);
  const healthPort = props.healthCheckPort ?? containerPort;
  const main: ListenerPorts = { protocol, containerPort, listenerPort, healthPort, targetPort: containerPort };
  checkListener(scope, props, main);
  return main;
}

/**
 * The additional listeners' protocols and ports, checked: a TLS listener needs the service's
 * certificate, and no two listeners of the service share a port and protocol.
 */
export function additionalListenerPorts(scope: Construct, props: NetworkServiceProps, main: ListenerPorts): ListenerPorts[] {
  const listeners = props.additionalListeners ?? [];
  if (listeners.length > 4) {
    throw new ShipyardError(scope, ErrorCode.LISTENER, `${listeners.length} additionalListeners are given; ECS attaches at most 5 target groups to a service`,
      'give at most 4 additional listeners, or split the service');
  }
  const taken: Array<{ protocol: elbv2.Protocol; port: number }> = [
    { protocol: main.protocol, port: main.listenerPort },
    ...props.testListenerPort !== undefined ? [{ protocol: main.protocol, port: props.testListenerPort }] : [],
  ];
  return listeners.map((l, i) => {
    const name = `additionalListeners[${i}]`;
    const protocol = l.protocol ?? main.protocol;
    checkPort(scope, `${name}.port`, l.port);
    checkNlbProtocol(scope, `${name}.protocol`, protocol);
    if (protocol === elbv2.Protocol.TLS && !props.certificate) {
      throw new ShipyardError(scope, ErrorCode.LISTENER, `${name} is a TLS listener, and the service has no certificate`, 'give the service a certificate');
    }
    // One listener a port, whatever its protocol; TCP and UDP on one port is one TCP_UDP
    // listener (Elastic Load Balancing, "Listeners for your Network Load Balancers").
    const clash = taken.find(t => t.port === l.port);
    if (clash) {
      const tcpAndUdp = [clash.protocol, protocol].sort().join('+') === 'TCP+UDP';
      throw new ShipyardError(scope, ErrorCode.LISTENER, `${name}.port ${l.port} (${protocol}) is already a listener of the service (${clash.protocol})`,
        tcpAndUdp ? 'serve both on one listener with protocol TCP_UDP (its target group is TCP_UDP too)' : 'give each listener its own port');
    }
    taken.push({ protocol, port: l.port });
    const targetPort = l.targetPort ?? l.port;
    checkPort(scope, `${name}.targetPort`, targetPort);
    checkPort(scope, `${name}.healthCheckPort`, l.healthCheckPort);
    return { protocol, containerPort: targetPort, listenerPort: l.port, healthPort: l.healthCheckPort ?? targetPort, targetPort };
  });
}

/**
 * Where each listener's traffic lands: the main listener's and each additional listener's
 * container and port, checked against the task (and, on bridge, against each other).
 */
export function targetsOf(scope: Construct, props: NetworkServiceProps, task: TaskModel, main: ListenerPorts, extra: ListenerPorts[]):
{ ports: ListenerPorts; more: ListenerPorts[] } {
  const ports = targetOf(scope, task, main, props.targetContainer, props.targetPort, props.healthCheckPort, '');
  const more = extra.map((l, i) => targetOf(scope, task, l, props.additionalListeners![i].targetContainer, props.additionalListeners![i].targetPort,
    props.additionalListeners![i].healthCheckPort, `additionalListeners[${i}].`));
  if (task.taskDefinition.networkMode === ecs.NetworkMode.BRIDGE) checkBridgePorts(scope, [ports, ...more]);
  return { ports, more };
}

/** The security group ports of a listener protocol (TCP_UDP is one rule each). */
export function portsFor(protocol: elbv2.Protocol, port: number): ec2.Port[] {
  if (protocol === elbv2.Protocol.UDP) return [ec2.Port.udp(port)];
  if (protocol === elbv2.Protocol.TCP_UDP) return [ec2.Port.tcp(port), ec2.Port.udp(port)];
  return [ec2.Port.tcp(port)];
}

/** The ECS port-mapping protocol of a listener protocol (TCP_UDP and TLS arrive as TCP). */
export function ecsProtocolOf(protocol: elbv2.Protocol): ecs.Protocol {
  return protocol === elbv2.Protocol.UDP ? ecs.Protocol.UDP : ecs.Protocol.TCP;
}

/** The listener's protocol, ports and certificate, and the deregistration delay. */
function checkListener(scope: Construct, props: NetworkServiceProps, ports: ListenerPorts): void {
  const { protocol, containerPort, listenerPort, healthPort } = ports;
  checkPort(scope, 'containerPort', containerPort);
  checkPort(scope, 'listenerPort', listenerPort);
  const code = ErrorCode.LISTENER;
  checkNlbProtocol(scope, 'protocol', protocol);
  if (protocol === elbv2.Protocol.TLS && !props.certificate) {
    throw new ShipyardError(scope, code, 'the TLS listener has no certificate', 'give certificate (an ACM certificate)');
  }
  if (protocol !== elbv2.Protocol.TLS && props.certificate && !(props.additionalListeners ?? []).some(l => l.protocol === elbv2.Protocol.TLS)) {
    throw new ShipyardError(scope, code, `a certificate is given for a ${protocol} listener, which cannot use TLS`,
      protocol === elbv2.Protocol.TCP ? 'use protocol TLS to terminate TLS at the load balancer, or drop the certificate' : 'UDP cannot carry TLS: drop the certificate');
  }
  checkCertificateRegion(scope, 'certificate', props.certificate);
  checkRange(scope, ErrorCode.DEREGISTRATION_DELAY, 'deregistrationDelay', knownSeconds(props.deregistrationDelay), 0, 3600, ' s');
  checkPort(scope, 'healthCheckPort', healthPort);
}

/**
 * The container a listener reaches (the app, or a sidecar that maps the port with the
 * listener's protocol); the health check follows the target port unless given.
 */
function targetOf(scope: Construct, task: TaskModel, ports: ListenerPorts, name: string | undefined, targetPort: number | undefined,
  healthCheckPort: number | undefined, prefix: string): ListenerPorts {
  const target = registeredTarget(scope, task.containers, name, targetPort, ports.containerPort, prefix, ecsProtocolOf(ports.protocol));
  if (name === undefined) return { ...ports, targetContainer: target.containerName };
  return { ...ports, targetContainer: target.containerName, targetPort: target.port, healthPort: healthCheckPort ?? target.port };
}

/** The listener protocols a network load balancer speaks. */
function checkNlbProtocol(scope: Construct, what: string, protocol: elbv2.Protocol): void {
  if (![elbv2.Protocol.TCP, elbv2.Protocol.UDP, elbv2.Protocol.TCP_UDP, elbv2.Protocol.TLS].includes(protocol)) {
    throw new ShipyardError(scope, ErrorCode.LISTENER, `${what} ${protocol} is not a network load balancer protocol`, 'use TCP, UDP, TCP_UDP or TLS');
  }
}

/**
 * In bridge mode each port mapping gets its own dynamic host port, which the load balancer
 * learns for the target port only: health checks go to that port, and UDP (checked over TCP
 * on another mapping) cannot be checked. Source: Amazon ECS Developer Guide, "Use a Network
 * Load Balancer for Amazon ECS" and ECS API Reference, PortMapping hostPort.
 */
function checkBridgePorts(scope: Construct, all: ListenerPorts[]): void {
  for (const p of all) {
    if (p.protocol === elbv2.Protocol.UDP || p.protocol === elbv2.Protocol.TCP_UDP) {
      throw new ShipyardError(scope, ErrorCode.PLATFORM, `listener port ${p.listenerPort} is ${p.protocol}, and bridge mode gives the health check no fixed port`,
        'use HOST or awsvpc network mode for UDP listeners');
    }
    if (p.healthPort !== p.targetPort) {
      throw new ShipyardError(scope, ErrorCode.PLATFORM, `the health check of listener port ${p.listenerPort} uses port ${p.healthPort}, `
        + `and in bridge mode only the target port ${p.targetPort} has a host port the load balancer knows`,
      'leave the health check port out (it follows the target port), or use HOST or awsvpc network mode');
    }
  }
}
