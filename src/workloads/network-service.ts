import {
  Duration, aws_certificatemanager as acm, aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2, aws_events as events, aws_iam as iam, aws_logs as logs, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { connectToBackend, IBackendService, IServiceWorkload } from './backend-service';
import { BuiltService, buildService, loadBalancerPath, notifyDeploymentFailures } from './ecs-service';
import { registeredTarget } from './target-group';
import { ServiceWorkloadProps } from './workload-props';
import { applyEnvironmentSettings, gracePeriod, resolveDesiredCount, speedOf } from './workload-settings';
import { addLifecycleHooks, createDeploymentRole } from '../deployment/blue-green';
import { DeploySpeedSettings } from '../deployment/deploy-speed';
import { DeploymentConfig } from '../deployment/deployment';
import { applyRolloutControls, bindDeployment, enableRollbackAlarms, NO_LOAD_BALANCER_ALARM, rolloutOptions } from '../deployment/rollout';
import { IEnvironment } from '../environment/environment';
import { EnvironmentProfile } from '../environment/profile';
import { SharedNetworkLoadBalancer } from '../environment/shared-nlb';
import { checkCertificateRegion, checkPort, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { ServiceAlarms, ServiceAlarmsOptions } from '../observability/service-alarms';
import { alarmBaseName, fixedNameAlarm } from '../private/alarms';
import { ONE_MINUTE } from '../private/metrics';
import { acknowledge, inCompliancePacks } from '../private/nag';
import { scopedIngress } from '../private/scoped-ingress';
import { ScalingOptions, scaleService } from '../scaling/scaling';
import { buildTask, TaskModel } from '../task/task-builder';
import { warnAboutTask } from '../task/task-findings';

/** Properties of a NetworkService. */
export interface NetworkServiceProps extends ServiceWorkloadProps {
  /**
   * Port the container listens on.
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Listener protocol: TCP, UDP, TCP_UDP, or TLS (terminated at the load balancer with `certificate`).
   * @default elbv2.Protocol.TCP
   */
  readonly protocol?: elbv2.Protocol;
  /**
   * Port clients connect to.
   * @default - 443 with TLS, else the container port
   */
  readonly listenerPort?: number;
  /**
   * TCP port the load balancer health-checks (NLB checks UDP targets over TCP, so a UDP
   * service must also accept TCP connections on this port).
   * @default - the container port
   */
  readonly healthCheckPort?: number;
  /**
   * The container the listener sends connections to: a sidecar in front of the app (a TLS or
   * protocol proxy), by name. It must map `targetPort` (its `portMappings`).
   * @default - the app container
   */
  readonly targetContainer?: string;
  /**
   * The port of `targetContainer` the listener sends connections to.
   * @default - containerPort for the app; the first port mapping of a sidecar
   */
  readonly targetPort?: number;
  /**
   * More listeners on the load balancer, each with its own target group and health check,
   * to another port of the app or to a sidecar (Copilot's `nlb.additional_listeners`). Rolling
   * deployments only: the blue/green family shifts the main listener. At most 4 (ECS attaches
   * up to 5 target groups to a service).
   * @default - the main listener only
   */
  readonly additionalListeners?: NetworkListenerOptions[];
  /**
   * Certificate of the TLS listeners (the main one, or additional ones).
   * @default - none (required with TLS)
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Reachable from the internet (public subnets) instead of from the VPC only.
   * @default false
   */
  readonly internetFacing?: boolean;
  /**
   * A network load balancer the environment's network services share, each on its own
   * listener port, instead of one of the service's own.
   * @default - the service's own network load balancer
   */
  readonly sharedLoadBalancer?: SharedNetworkLoadBalancer;
  /**
   * Bucket for the access logs of a TLS listener (NLB logs TLS connections only).
   * @default - no access logs
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Target-tracking auto scaling (CPU or memory).
   * @default - a fixed number of tasks
   */
  readonly scaling?: ScalingOptions;
  /**
   * Port of a test listener that reaches the new revision first (with `TestTraffic.testListener()`),
   * open to the VPC.
   * @default - no test listener
   */
  readonly testListenerPort?: number;
  /**
   * Time the load balancer drains a task before it stops.
   * @default - the deploy-speed preset's: 30 s (SAFE) or 5 s (FAST)
   */
  readonly deregistrationDelay?: Duration;
  /**
   * The service's alarms (the unhealthy-target alarm always exists and rolls deployments back,
   * over `rollbackAlarmMinutes`).
   * @default - running tasks below desired, CPU or memory high; unhealthy targets for the deploy-speed preset's window (1 minute)
   */
  readonly alarms?: ServiceAlarmsOptions;
}

/** One more listener of a network service: the port clients connect to, and the container and port it reaches. */
export interface NetworkListenerOptions {
  /** Port clients connect to. */
  readonly port: number;
  /**
   * Listener protocol: TCP, UDP, TCP_UDP, or TLS (with the service's `certificate`).
   * @default - the service's protocol
   */
  readonly protocol?: elbv2.Protocol;
  /**
   * The container the listener sends connections to, by name.
   * @default - the app container
   */
  readonly targetContainer?: string;
  /**
   * The port of `targetContainer` the listener sends connections to; another port of the app
   * container is mapped for it.
   * @default - the listener's port for the app; the first port mapping of a sidecar
   */
  readonly targetPort?: number;
  /**
   * TCP port the load balancer health-checks.
   * @default - the target port
   */
  readonly healthCheckPort?: number;
}

/**
 * A TCP, UDP or TLS service behind its own Network Load Balancer (with a security group),
 * with the fast health checks and draining of the deploy-speed preset.
 */
export class NetworkService extends Construct implements IServiceWorkload {
  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The log group of the main container, unless its logs leave CloudWatch Logs. */
  public readonly logGroup?: logs.ILogGroup;
  /** The task role. */
  public readonly taskRole: iam.IRole;
  /** The network load balancer. */
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** The listener. */
  public readonly listener: elbv2.NetworkListener;
  /** The target group (blue, with the blue/green family). */
  public readonly targetGroup: elbv2.NetworkTargetGroup;
  /** The second (green) target group of a blue/green, linear or canary deployment. */
  public readonly alternateTargetGroup?: elbv2.NetworkTargetGroup;
  /** The listeners of `additionalListeners`, in their order. */
  public readonly additionalListeners: elbv2.NetworkListener[];
  /** The target groups of `additionalListeners`, in their order. */
  public readonly additionalTargetGroups: elbv2.NetworkTargetGroup[];
  /** The test listener of a blue/green family deployment with test traffic. */
  public readonly testListener?: elbv2.NetworkListener;
  /** The role ECS uses to shift traffic (blue/green family). */
  public readonly deploymentRole?: iam.IRole;
  /** The service's security group. */
  public readonly connections: ec2.Connections;
  /** The service's alarms. */
  public readonly alarms: ServiceAlarms;
  /** The unhealthy-target alarm (rolls deployments back). */
  public readonly unhealthyTargetsAlarm: cloudwatch.Alarm;
  /** The scalable task count, with scaling. */
  public readonly scalableTaskCount?: ecs.ScalableTaskCount;
  /** The rule that notifies the alarm topic when a deployment fails. */
  public readonly deploymentFailedRule?: events.Rule;

  constructor(scope: Construct, id: string, props: NetworkServiceProps) {
    super(scope, id);
    const env = props.environment;
    const main = this.mainListenerPorts(props);
    const extra = this.additionalListenerPorts(props, main);
    const speed = speedOf(env, props.deploySpeed);

    const task = this.buildListenerTask(props, main, extra);
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.logGroup = task.logGroup;
    this.taskRole = this.taskDefinition.taskRole;
    const { ports, more } = this.targetsOf(props, task, main, extra);
    const front = this.createLoadBalancer(id, props, ports, more);
    this.loadBalancer = front.loadBalancer;

    const unhealthyName = `${alarmBaseName(this)}-UnhealthyTargets`;
    const { deployment, built } = this.createNetworkService(id, props, task, speed, more.length > 0);
    this.service = built.service;
    this.connections = built.connections;
    // The rollback window follows the deploy-speed preset, as a web service's: ECS's bake follows it.
    const rollbackAlarmMinutes = props.alarms?.rollbackAlarmMinutes ?? speed.rollbackAlarmMinutes;
    this.alarms = new ServiceAlarms(this, 'Alarms', {
      ...props.alarms, rollbackAlarmMinutes, service: this.service, clusterName: env.cluster.clusterName, topic: env.alarmTopic,
    });
    applyRolloutControls(this.service, deployment);
    enableRollbackAlarms(this, this.service, deployment, [unhealthyName], NO_LOAD_BALANCER_ALARM);
    this.deploymentFailedRule = notifyDeploymentFailures(this, env, this.service);
    this.checkTestTraffic(deployment, props);
    for (const p of [ports, ...more]) this.admitFromLoadBalancer(task, built.securityGroup, front, p);

    const targetGroupProps = this.targetGroupProps(props, ports, speed);
    this.targetGroup = new elbv2.NetworkTargetGroup(this, 'TargetGroup', targetGroupProps);
    const green = deployment.strategy === ecs.DeploymentStrategy.ROLLING ? undefined : new elbv2.NetworkTargetGroup(this, 'GreenTargetGroup', targetGroupProps);
    this.alternateTargetGroup = green;
    const listeners = this.createListeners(props, ports, front, deployment);
    this.listener = listeners.listener;
    this.testListener = listeners.testListener;
    this.deploymentRole = this.registerTargets(ports, deployment);
    const added = more.map((p, i) => this.addListener(`Listener${i + 2}`, props, p, front, speed));
    this.additionalListeners = added.map(a => a.listener);
    this.additionalTargetGroups = added.map(a => a.targetGroup);

    this.unhealthyTargetsAlarm = this.alarmOnUnhealthyTargets(rollbackAlarmMinutes, env);
    this.scalableTaskCount = scaleService(this, this.service, props.scaling);
    this.acknowledgeFindings(env, main.protocol, props);
    applyEnvironmentSettings(this, env);
    warnAboutTask(this, env, task, props);
  }

  /** The main listener's protocol and ports (TLS listens on 443 unless told), checked. */
  private mainListenerPorts(props: NetworkServiceProps): ListenerPorts {
    const protocol = props.protocol ?? elbv2.Protocol.TCP;
    const containerPort = props.containerPort ?? 8080;
    const listenerPort = props.listenerPort ?? (protocol === elbv2.Protocol.TLS ? 443 : containerPort);
    const healthPort = props.healthCheckPort ?? containerPort;
    const main: ListenerPorts = { protocol, containerPort, listenerPort, healthPort, targetPort: containerPort };
    this.checkListener(props, main);
    return main;
  }

  /**
   * Where each listener's traffic lands: the main listener's and each additional listener's
   * container and port, checked against the task (and, on bridge, against each other).
   */
  private targetsOf(props: NetworkServiceProps, task: TaskModel, main: ListenerPorts, extra: ListenerPorts[]):
  { ports: ListenerPorts; more: ListenerPorts[] } {
    const ports = targetOf(this, task, main, props.targetContainer, props.targetPort, props.healthCheckPort, '');
    const more = extra.map((l, i) => targetOf(this, task, l, props.additionalListeners![i].targetContainer, props.additionalListeners![i].targetPort,
      props.additionalListeners![i].healthCheckPort, `additionalListeners[${i}].`));
    if (task.taskDefinition.networkMode === ecs.NetworkMode.BRIDGE) this.checkBridgePorts([ports, ...more]);
    return { ports, more };
  }

  /**
   * The ECS service and its deployment: the desired count, the deployment strategy (rolling only
   * with additional listeners: the traffic-shifting deployments move the main listener only), and
   * a security group that admits traffic from the network load balancer only.
   */
  private createNetworkService(id: string, props: NetworkServiceProps, task: TaskModel, speed: DeploySpeedSettings,
    hasAdditionalListeners: boolean): { deployment: DeploymentConfig; built: BuiltService } {
    const env = props.environment;
    const desiredCount = resolveDesiredCount(this, env.profile, props.desiredCount, props.scaling);
    const deployment = bindDeployment(this, props.deployment, speed, { shiftsTraffic: true, hasRollbackAlarms: true });
    if (hasAdditionalListeners && deployment.strategy !== ecs.DeploymentStrategy.ROLLING) {
      throw new ShipyardError(this, ErrorCode.DEPLOYMENT, 'additionalListeners are given with a blue/green, linear or canary deployment',
        'use Deployment.rolling() with additional listeners (the traffic-shifting deployments move the main listener only)');
    }
    const built = buildService(this, {
      serviceName: props.serviceName,
      env,
      task,
      securityGroupDescription: 'traffic from its network load balancer only',
      rollout: rolloutOptions(deployment),
      desiredCount,
      notOnExternal: 'a load balancer',
      enableExec: props.enableExec,
      platformVersion: props.platformVersion,
      availabilityZoneRebalancing: props.availabilityZoneRebalancing,
      serviceDiscovery: props.serviceDiscovery && { options: props.serviceDiscovery, defaultName: id.toLowerCase() },
      healthCheckGracePeriod: gracePeriod(props.healthCheck),
    });
    return { deployment, built };
  }

  /**
   * The alarm on unhealthy targets over every target group, after `rollbackAlarmMinutes` of
   * failed health checks; it has a fixed name, so the service rolls deployments back on it.
   */
  private alarmOnUnhealthyTargets(rollbackAlarmMinutes: number, env: IEnvironment): cloudwatch.Alarm {
    return fixedNameAlarm(this, this, {
      id: 'UnhealthyTargets',
      description: `targets failed the load balancer health check for ${Duration.minutes(rollbackAlarmMinutes).toHumanString()}`,
      metric: this.unhealthyTargets(),
      threshold: 1,
      periods: rollbackAlarmMinutes,
      topic: env.alarmTopic,
    });
  }

  /**
   * The task, with the listener's and health check's ports: awsvpc (each task's own address
   * registered), or on EC2 bridge (the instance and a dynamic host port) or host (the instance
   * and the container's port).
   */
  private buildListenerTask(props: NetworkServiceProps, ports: ListenerPorts, extra: ListenerPorts[]): TaskModel {
    const mode = props.networkMode ?? ecs.NetworkMode.AWS_VPC;
    if (![ecs.NetworkMode.AWS_VPC, ecs.NetworkMode.BRIDGE, ecs.NetworkMode.HOST].includes(mode)) {
      throw new ShipyardError(this, ErrorCode.PLATFORM, `network mode ${show(props.networkMode)} is not supported by NetworkService`,
        'leave networkMode out (awsvpc), or use BRIDGE or HOST on EC2 capacity: a network load balancer registers a task\'s address or its instance');
    }
    const { protocol, containerPort, healthPort } = ports;
    const mapped = [
      { containerPort, protocol: ecsProtocolOf(protocol), name: 'listener' },
      ...(healthPort !== containerPort || protocol === elbv2.Protocol.UDP ? [{ containerPort: healthPort, protocol: ecs.Protocol.TCP, name: 'health' }] : []),
    ];
    // The app's own ports of the additional listeners that reach it (a sidecar maps its own).
    (props.additionalListeners ?? []).forEach((l, i) => {
      if (l.targetContainer !== undefined) return;
      const port = extra[i].containerPort;
      const mappingProtocol = ecsProtocolOf(extra[i].protocol);
      if (!mapped.some(m => m.containerPort === port && m.protocol === mappingProtocol)) {
        mapped.push({ containerPort: port, protocol: mappingProtocol, name: `listener-${port}${mappingProtocol === ecs.Protocol.UDP ? '-udp' : ''}` });
      }
    });
    return buildTask(this, props.environment, props, mapped, props.capacity ?? props.environment.defaultCapacity);
  }

  /** The service's own network load balancer, or its ports on a shared one, and who may reach them. */
  private createLoadBalancer(id: string, props: NetworkServiceProps, ports: ListenerPorts, more: ListenerPorts[]): LoadBalancerFront {
    const env = props.environment;
    const shared = props.sharedLoadBalancer;
    if (shared && (props.internetFacing !== undefined || props.accessLogsBucket)) {
      throw new ShipyardError(this, ErrorCode.CONFLICTING_OPTIONS, 'internetFacing or accessLogsBucket is given for a service on a shared network load balancer',
        'set them on the SharedNetworkLoadBalancer (scheme) or leave them out');
    }
    const internetFacing = shared ? shared.internetFacing : props.internetFacing ?? false;
    const clients = internetFacing ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(env.vpcCidr ?? env.vpc.vpcCidrBlock);
    const securityGroup = shared?.securityGroup ?? new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: env.vpc,
      description: `${this.node.path}: clients to the network load balancer`,
      allowAllOutbound: false,
    });
    shared?._claimPort(this, ports.protocol, ports.listenerPort);
    if (shared && props.testListenerPort !== undefined) shared._claimPort(this, ports.protocol, props.testListenerPort);
    for (const l of more) shared?._claimPort(this, l.protocol, l.listenerPort);
    for (const l of [ports, ...more]) {
      for (const port of portsFor(l.protocol, l.listenerPort)) {
        securityGroup.addIngressRule(clients, port, internetFacing ? 'From the internet' : 'From the VPC');
      }
    }
    const loadBalancer = shared?.loadBalancer ?? new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
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

  private checkTestTraffic(deployment: DeploymentConfig, props: NetworkServiceProps): void {
    if (deployment.testTraffic && !deployment.testTraffic.onTestListener) {
      throw new ShipyardError(this, ErrorCode.DEPLOYMENT, 'a network load balancer cannot route test traffic by HTTP header',
        'use TestTraffic.testListener() with testListenerPort');
    }
    if (deployment.testTraffic && props.testListenerPort === undefined) {
      throw new ShipyardError(this, ErrorCode.DEPLOYMENT, 'test traffic goes to a test listener, but testListenerPort is not set',
        'set testListenerPort (clients from the VPC reach the new revision there)');
    }
  }

  /**
   * TCP and TLS arrive from the load balancer; UDP keeps the client's address, so tasks admit
   * the clients themselves. Health checks are TCP for every protocol. The load balancer's
   * egress rules are remote rules: with a shared NLB in the environment's stack and the
   * service in another, they land in the service's stack (no dependency back).
   */
  private admitFromLoadBalancer(task: TaskModel, ownGroup: ec2.ISecurityGroup | undefined, front: LoadBalancerFront, ports: ListenerPorts): void {
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
        : this.admitToInstances(group, peer, port, description);
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
   * An ingress rule on an instance group of the environment, created in this service's scope:
   * the service's own load balancer group lives here, and a rule beside the instances' group
   * would make the environment's stack refer back to the service's.
   */
  private admitToInstances(group: ec2.ISecurityGroup, peer: ec2.IPeer, port: ec2.Port, description: string): void {
    const index = this.node.children.filter(c => c.node.id.startsWith('InstanceIngress')).length;
    scopedIngress(this, `InstanceIngress${index}`, group, peer, port, description);
  }

  /**
   * In bridge mode each port mapping gets its own dynamic host port, which the load balancer
   * learns for the target port only: health checks go to that port, and UDP (checked over TCP
   * on another mapping) cannot be checked. Source: Amazon ECS Developer Guide, "Use a Network
   * Load Balancer for Amazon ECS" and ECS API Reference, PortMapping hostPort.
   */
  private checkBridgePorts(all: ListenerPorts[]): void {
    for (const p of all) {
      if (p.protocol === elbv2.Protocol.UDP || p.protocol === elbv2.Protocol.TCP_UDP) {
        throw new ShipyardError(this, ErrorCode.PLATFORM, `listener port ${p.listenerPort} is ${p.protocol}, and bridge mode gives the health check no fixed port`,
          'use HOST or awsvpc network mode for UDP listeners');
      }
      if (p.healthPort !== p.targetPort) {
        throw new ShipyardError(this, ErrorCode.PLATFORM, `the health check of listener port ${p.listenerPort} uses port ${p.healthPort}, `
          + `and in bridge mode only the target port ${p.targetPort} has a host port the load balancer knows`,
        'leave the health check port out (it follows the target port), or use HOST or awsvpc network mode');
      }
    }
  }

  /** The target groups' settings: the deploy-speed preset's health check, over TCP (UDP targets too, on the same port). */
  private targetGroupProps(props: NetworkServiceProps, ports: ListenerPorts, speed: DeploySpeedSettings): elbv2.NetworkTargetGroupProps {
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
  private createListeners(props: NetworkServiceProps, ports: ListenerPorts, front: LoadBalancerFront, deployment: DeploymentConfig):
  { listener: elbv2.NetworkListener; testListener?: elbv2.NetworkListener } {
    const green = this.alternateTargetGroup;
    const forward = () => green
      ? {
        defaultAction: elbv2.NetworkListenerAction.weightedForward([
          { targetGroup: this.targetGroup, weight: 100 }, { targetGroup: green, weight: 0 },
        ]),
      }
      : { defaultTargetGroups: [this.targetGroup] };
    const addListener = (listenerId: string, port: number) => {
      const listenerProps: elbv2.BaseNetworkListenerProps = {
        port,
        protocol: ports.protocol,
        certificates: ports.protocol === elbv2.Protocol.TLS && props.certificate ? [props.certificate] : undefined,
        sslPolicy: ports.protocol === elbv2.Protocol.TLS ? elbv2.SslPolicy.TLS13_RES : undefined,
        ...forward(),
      };
      return front.shared
        ? new elbv2.NetworkListener(this, listenerId, { loadBalancer: this.loadBalancer, ...listenerProps })
        : this.loadBalancer.addListener(listenerId, listenerProps);
    };
    const listener = addListener('Listener', ports.listenerPort);
    if (!deployment.testTraffic || props.testListenerPort === undefined) return { listener };
    checkPort(this, 'testListenerPort', props.testListenerPort);
    if (props.testListenerPort === ports.listenerPort) {
      throw new ShipyardError(this, ErrorCode.DEPLOYMENT, `testListenerPort ${props.testListenerPort} is the production listener's port`,
        'give the test listener its own port');
    }
    const vpcClients = ec2.Peer.ipv4(props.environment.vpcCidr ?? props.environment.vpc.vpcCidrBlock);
    for (const port of portsFor(ports.protocol, props.testListenerPort)) {
      front.securityGroup.addIngressRule(vpcClients, port, 'Test traffic from the VPC');
    }
    return { listener, testListener: addListener('TestListener', props.testListenerPort) };
  }

  /** Register the tasks with the target group; with the blue/green family, also the green group, the role ECS shifts with and the hooks. */
  private registerTargets(ports: ListenerPorts, deployment: DeploymentConfig): iam.IRole | undefined {
    const green = this.alternateTargetGroup;
    const loadBalancerTarget = { containerName: ports.targetContainer!, containerPort: ports.targetPort, protocol: ecsProtocolOf(ports.protocol) };
    if (!green) {
      this.targetGroup.addTarget(this.service.loadBalancerTarget(loadBalancerTarget));
      return undefined;
    }
    const listeners = [this.listener, ...this.testListener ? [this.testListener] : []];
    const role = createDeploymentRole(this, [this.targetGroup, green], listeners, []);
    this.service.node.addDependency(role);
    this.targetGroup.addTarget(this.service.loadBalancerTarget({
      ...loadBalancerTarget,
      alternateTarget: new ecs.AlternateTarget('AlternateTarget', {
        alternateTargetGroup: green,
        productionListener: ecs.ListenerRuleConfiguration.networkListener(this.listener),
        testListener: this.testListener ? ecs.ListenerRuleConfiguration.networkListener(this.testListener) : undefined,
        role,
      }),
    }));
    addLifecycleHooks(this, this.service, deployment);
    return role;
  }

  /** An additional listener: its target group (the preset's health check), the listener forwarding to it, and the tasks registered on its port. */
  private addListener(id: string, props: NetworkServiceProps, ports: ListenerPorts, front: LoadBalancerFront,
    speed: DeploySpeedSettings): { listener: elbv2.NetworkListener; targetGroup: elbv2.NetworkTargetGroup } {
    const targetGroup = new elbv2.NetworkTargetGroup(this, `${id}TargetGroup`, this.targetGroupProps(props, ports, speed));
    const listenerProps: elbv2.BaseNetworkListenerProps = {
      port: ports.listenerPort,
      protocol: ports.protocol,
      certificates: ports.protocol === elbv2.Protocol.TLS && props.certificate ? [props.certificate] : undefined,
      sslPolicy: ports.protocol === elbv2.Protocol.TLS ? elbv2.SslPolicy.TLS13_RES : undefined,
      defaultTargetGroups: [targetGroup],
    };
    const listener = front.shared
      ? new elbv2.NetworkListener(this, id, { loadBalancer: this.loadBalancer, ...listenerProps })
      : this.loadBalancer.addListener(id, listenerProps);
    targetGroup.addTarget(this.service.loadBalancerTarget({
      containerName: ports.targetContainer!, containerPort: ports.targetPort, protocol: ecsProtocolOf(ports.protocol),
    }));
    return { listener, targetGroup };
  }

  /**
   * The additional listeners' protocols and ports, checked: a TLS listener needs the service's
   * certificate, and no two listeners of the service share a port and protocol.
   */
  private additionalListenerPorts(props: NetworkServiceProps, main: ListenerPorts): ListenerPorts[] {
    const listeners = props.additionalListeners ?? [];
    if (listeners.length > 4) {
      throw new ShipyardError(this, ErrorCode.LISTENER, `${listeners.length} additionalListeners are given; ECS attaches at most 5 target groups to a service`,
        'give at most 4 additional listeners, or split the service');
    }
    const taken: Array<{ protocol: elbv2.Protocol; port: number }> = [
      { protocol: main.protocol, port: main.listenerPort },
      ...props.testListenerPort !== undefined ? [{ protocol: main.protocol, port: props.testListenerPort }] : [],
    ];
    return listeners.map((l, i) => {
      const name = `additionalListeners[${i}]`;
      const protocol = l.protocol ?? main.protocol;
      checkPort(this, `${name}.port`, l.port);
      checkNlbProtocol(this, `${name}.protocol`, protocol);
      if (protocol === elbv2.Protocol.TLS && !props.certificate) {
        throw new ShipyardError(this, ErrorCode.LISTENER, `${name} is a TLS listener, and the service has no certificate`, 'give the service a certificate');
      }
      // One listener a port, whatever its protocol; TCP and UDP on one port is one TCP_UDP
      // listener (Elastic Load Balancing, "Listeners for your Network Load Balancers").
      const clash = taken.find(t => t.port === l.port);
      if (clash) {
        const tcpAndUdp = [clash.protocol, protocol].sort().join('+') === 'TCP+UDP';
        throw new ShipyardError(this, ErrorCode.LISTENER, `${name}.port ${l.port} (${protocol}) is already a listener of the service (${clash.protocol})`,
          tcpAndUdp ? 'serve both on one listener with protocol TCP_UDP (its target group is TCP_UDP too)' : 'give each listener its own port');
      }
      taken.push({ protocol, port: l.port });
      const targetPort = l.targetPort ?? l.port;
      checkPort(this, `${name}.targetPort`, targetPort);
      checkPort(this, `${name}.healthCheckPort`, l.healthCheckPort);
      return { protocol, containerPort: targetPort, listenerPort: l.port, healthPort: l.healthCheckPort ?? targetPort, targetPort };
    });
  }

  /** Call `backend` over Service Connect: this service joins the namespace in client mode and the backend admits it. */
  public connectTo(backend: IBackendService): void {
    connectToBackend(this, backend);
  }

  /** Unhealthy targets, summed over every target group: both with the blue/green family (ECS swaps them), and each listener's. */
  private unhealthyTargets(): cloudwatch.IMetric {
    const groups = [this.targetGroup, ...this.alternateTargetGroup ? [this.alternateTargetGroup] : [], ...this.additionalTargetGroups];
    const metrics: Record<string, cloudwatch.IMetric> = {};
    groups.forEach((tg, i) => {
      metrics[`u${i}`] = new cloudwatch.Metric({
        namespace: 'AWS/NetworkELB',
        metricName: 'UnHealthyHostCount',
        statistic: 'Maximum',
        period: ONE_MINUTE,
        dimensionsMap: { LoadBalancer: this.loadBalancer.loadBalancerFullName, TargetGroup: tg.targetGroupFullName },
      });
    });
    if (groups.length === 1) return metrics.u0;
    return new cloudwatch.MathExpression({
      expression: Object.keys(metrics).map(k => `FILL(${k}, 0)`).join(' + '), usingMetrics: metrics, period: ONE_MINUTE, label: 'unhealthy targets',
    });
  }

  /** The listener's protocol, ports and certificate, and the deregistration delay. */
  private checkListener(props: NetworkServiceProps, ports: ListenerPorts): void {
    const { protocol, containerPort, listenerPort, healthPort } = ports;
    checkPort(this, 'containerPort', containerPort);
    checkPort(this, 'listenerPort', listenerPort);
    const code = ErrorCode.LISTENER;
    checkNlbProtocol(this, 'protocol', protocol);
    if (protocol === elbv2.Protocol.TLS && !props.certificate) {
      throw new ShipyardError(this, code, 'the TLS listener has no certificate', 'give certificate (an ACM certificate)');
    }
    if (protocol !== elbv2.Protocol.TLS && props.certificate && !(props.additionalListeners ?? []).some(l => l.protocol === elbv2.Protocol.TLS)) {
      throw new ShipyardError(this, code, `a certificate is given for a ${protocol} listener, which cannot use TLS`,
        protocol === elbv2.Protocol.TCP ? 'use protocol TLS to terminate TLS at the load balancer, or drop the certificate' : 'UDP cannot carry TLS: drop the certificate');
    }
    checkCertificateRegion(this, 'certificate', props.certificate);
    checkRange(this, ErrorCode.DEREGISTRATION_DELAY, 'deregistrationDelay', knownSeconds(props.deregistrationDelay), 0, 3600, ' s');
    checkPort(this, 'healthCheckPort', healthPort);
  }

  private acknowledgeFindings(env: IEnvironment, protocol: elbv2.Protocol, props: NetworkServiceProps): void {
    const lb = this.loadBalancer.node.defaultChild!;
    if (!props.sharedLoadBalancer && (!props.accessLogsBucket || protocol !== elbv2.Protocol.TLS)) {
      const reason = protocol === elbv2.Protocol.TLS
        ? 'No accessLogsBucket was given; connections are visible in VPC flow logs.'
        : 'Network Load Balancers log TLS connections only; this listener is not TLS. Connections are visible in VPC flow logs.';
      acknowledge(lb, [
        { id: 'AwsSolutions-ELB2', reason },
        { id: 'NIST.800.53.R5-ELBLoggingEnabled', reason },
        { id: 'PCI.DSS.321-ELBLoggingEnabled', reason },
        { id: 'HIPAA.Security-ELBLoggingEnabled', reason },
      ]);
    }
    if (!props.sharedLoadBalancer && env.profile !== EnvironmentProfile.PRODUCTION) {
      const reason = 'Off in development environments so they can be torn down.';
      acknowledge(lb, inCompliancePacks('ELBDeletionProtectionEnabled', reason));
    }
    const listeners = [
      ...protocol === elbv2.Protocol.TLS ? [] : [this.listener, ...this.testListener ? [this.testListener] : []],
      ...this.additionalListeners.filter(l => (l.node.defaultChild as elbv2.CfnListener).protocol !== elbv2.Protocol.TLS),
    ];
    for (const listener of listeners) {
      const listenerProtocol = (listener.node.defaultChild as elbv2.CfnListener).protocol;
      const reason = `A ${listenerProtocol} listener chosen explicitly; TLS, if any, is end to end between client and task.`;
      acknowledge(listener.node.defaultChild!, [
        { id: 'NIST.800.53.R5-ELBv2ACMCertificateRequired', reason },
        { id: 'PCI.DSS.321-ELBv2ACMCertificateRequired', reason },
        { id: 'HIPAA.Security-ELBv2ACMCertificateRequired', reason },
      ]);
    }
    if (!props.sharedLoadBalancer && props.internetFacing) {
      acknowledge(this.loadBalancer.connections.securityGroups[0].node.defaultChild!, [{
        id: 'AwsSolutions-EC23', reason: 'An internet-facing network load balancer accepts its listener port from any IPv4 address; nothing else is open.',
      }]);
    }
  }
}

/** The security group ports of a listener protocol (TCP_UDP is one rule each). */
function portsFor(protocol: elbv2.Protocol, port: number): ec2.Port[] {
  if (protocol === elbv2.Protocol.UDP) return [ec2.Port.udp(port)];
  if (protocol === elbv2.Protocol.TCP_UDP) return [ec2.Port.tcp(port), ec2.Port.udp(port)];
  return [ec2.Port.tcp(port)];
}

/** The protocol and ports of a network service's listener. */
interface ListenerPorts {
  readonly protocol: elbv2.Protocol;
  /** The app's port mapping for the listener. */
  readonly containerPort: number;
  readonly listenerPort: number;
  readonly healthPort: number;
  /** The container and port the target group registers (the app's, or a sidecar's). */
  readonly targetPort: number;
  readonly targetContainer?: string;
}

/** The ECS port-mapping protocol of a listener protocol (TCP_UDP and TLS arrive as TCP). */
function ecsProtocolOf(protocol: elbv2.Protocol): ecs.Protocol {
  return protocol === elbv2.Protocol.UDP ? ecs.Protocol.UDP : ecs.Protocol.TCP;
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

/** The load balancer a network service is reached through, and who may reach it. */
interface LoadBalancerFront {
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly clients: ec2.IPeer;
  readonly shared?: SharedNetworkLoadBalancer;
}
