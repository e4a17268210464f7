import {
  Duration, aws_certificatemanager as acm, aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2, aws_events as events, aws_iam as iam, aws_logs as logs, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { connectToBackend, IBackendService, IServiceWorkload } from './backend-service';
import { buildService, notifyDeploymentFailures } from './ecs-service';
import { ServiceWorkloadProps } from './workload-props';
import { applyEnvironmentTags, gracePeriod, resolveDesiredCount, speedOf } from './workload-settings';
import { addLifecycleHooks, createDeploymentRole } from '../deployment/blue-green';
import { DeploySpeedSettings } from '../deployment/deploy-speed';
import { DeploymentConfig } from '../deployment/deployment';
import { bindDeployment, enableRollbackAlarms, NO_LOAD_BALANCER_ALARM, rolloutOptions } from '../deployment/rollout';
import { IEnvironment } from '../environment/environment';
import { EnvironmentProfile } from '../environment/profile';
import { SharedNetworkLoadBalancer } from '../environment/shared-nlb';
import { checkPort, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { ServiceAlarms, ServiceAlarmsOptions } from '../observability/service-alarms';
import { alarmBaseName, fixedNameAlarm } from '../private/alarms';
import { ONE_MINUTE } from '../private/metrics';
import { acknowledge, inCompliancePacks } from '../private/nag';
import { ScalingOptions, scaleService } from '../scaling/scaling';
import { buildTask, TaskModel, warnAboutTask } from '../task/task-builder';

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
   * Certificate of a TLS listener.
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
   * The service's alarms (the unhealthy-target alarm always exists and rolls deployments back).
   * @default - running tasks below desired, CPU or memory high
   */
  readonly alarms?: ServiceAlarmsOptions;
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
    const protocol = props.protocol ?? elbv2.Protocol.TCP;
    const containerPort = props.containerPort ?? 8080;
    const listenerPort = props.listenerPort ?? (protocol === elbv2.Protocol.TLS ? 443 : containerPort);
    const healthPort = props.healthCheckPort ?? containerPort;
    const ports: ListenerPorts = { protocol, containerPort, listenerPort, healthPort };
    this.checkListener(props, ports);
    const speed = speedOf(env, props.deploySpeed);

    const task = this.buildListenerTask(props, ports);
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.logGroup = task.logGroup;
    this.taskRole = this.taskDefinition.taskRole;
    const front = this.createLoadBalancer(id, props, ports);
    this.loadBalancer = front.loadBalancer;

    const unhealthyName = `${alarmBaseName(this)}-UnhealthyTargets`;
    const desiredCount = resolveDesiredCount(this, env.profile, props.desiredCount, props.scaling);
    const deployment = bindDeployment(this, props.deployment, speed, { shiftsTraffic: true, hasRollbackAlarms: true });
    const built = buildService(this, {
      env,
      task,
      securityGroupDescription: 'traffic from its network load balancer only',
      rollout: rolloutOptions(deployment),
      desiredCount,
      notOnExternal: 'a load balancer',
      enableExec: props.enableExec,
      platformVersion: props.platformVersion,
      healthCheckGracePeriod: gracePeriod(props.healthCheck),
    });
    this.service = built.service;
    this.connections = built.connections;
    this.alarms = new ServiceAlarms(this, 'Alarms', { ...props.alarms, service: this.service, clusterName: env.cluster.clusterName, topic: env.alarmTopic });
    enableRollbackAlarms(this, this.service, deployment, [unhealthyName], NO_LOAD_BALANCER_ALARM);
    this.deploymentFailedRule = notifyDeploymentFailures(this, env, this.service);
    this.checkTestTraffic(deployment, props);
    this.admitFromLoadBalancer(built.securityGroup!, front, ports);

    const targetGroupProps = this.targetGroupProps(props, ports, speed);
    this.targetGroup = new elbv2.NetworkTargetGroup(this, 'TargetGroup', targetGroupProps);
    const green = deployment.strategy === ecs.DeploymentStrategy.ROLLING ? undefined : new elbv2.NetworkTargetGroup(this, 'GreenTargetGroup', targetGroupProps);
    this.alternateTargetGroup = green;
    const listeners = this.createListeners(props, ports, front, deployment);
    this.listener = listeners.listener;
    this.testListener = listeners.testListener;
    this.deploymentRole = this.registerTargets(ports, deployment);

    this.unhealthyTargetsAlarm = fixedNameAlarm(this, this, {
      id: 'UnhealthyTargets',
      description: 'targets failed the load balancer health check for 3 minutes',
      metric: this.unhealthyTargets(),
      threshold: 1,
      periods: 3,
      topic: env.alarmTopic,
    });
    this.scalableTaskCount = scaleService(this, this.service, props.scaling);
    this.acknowledgeFindings(env, protocol, props);
    applyEnvironmentTags(this, env);
    warnAboutTask(this, env, task, props);
  }

  /** The task: awsvpc only (a NetworkService registers each task's own address), with the listener's and health check's ports. */
  private buildListenerTask(props: NetworkServiceProps, ports: ListenerPorts): TaskModel {
    if ((props.networkMode ?? ecs.NetworkMode.AWS_VPC) !== ecs.NetworkMode.AWS_VPC) {
      throw new ShipyardError(this, ErrorCode.PLATFORM, `network mode ${show(props.networkMode)} is not supported by NetworkService`,
        'leave networkMode out: a NetworkService registers each task\'s own address (awsvpc), on Fargate and EC2 alike');
    }
    const { protocol, containerPort, healthPort } = ports;
    const ecsProtocol = protocol === elbv2.Protocol.UDP ? ecs.Protocol.UDP : ecs.Protocol.TCP;
    return buildTask(this, props.environment, props, [
      { containerPort, protocol: ecsProtocol, name: 'listener' },
      ...(healthPort !== containerPort || protocol === elbv2.Protocol.UDP ? [{ containerPort: healthPort, protocol: ecs.Protocol.TCP, name: 'health' }] : []),
    ], props.capacity ?? props.environment.defaultCapacity);
  }

  /** The service's own network load balancer, or its ports on a shared one, and who may reach them. */
  private createLoadBalancer(id: string, props: NetworkServiceProps, ports: ListenerPorts): LoadBalancerFront {
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
    for (const port of portsFor(ports.protocol, ports.listenerPort)) {
      securityGroup.addIngressRule(clients, port, internetFacing ? 'From the internet' : 'From the VPC');
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
  private admitFromLoadBalancer(taskGroup: ec2.SecurityGroup, front: LoadBalancerFront, ports: ListenerPorts): void {
    const { protocol, containerPort, healthPort } = ports;
    const fromLoadBalancer = [ec2.Port.tcp(healthPort), ...(protocol === elbv2.Protocol.UDP ? [] : [ec2.Port.tcp(containerPort)])];
    for (const port of fromLoadBalancer) {
      taskGroup.addIngressRule(front.securityGroup, port, 'From the network load balancer');
      front.securityGroup.addEgressRule(taskGroup, port, 'To the tasks', true);
    }
    if (protocol === elbv2.Protocol.UDP || protocol === elbv2.Protocol.TCP_UDP) {
      taskGroup.addIngressRule(front.clients, ec2.Port.udp(containerPort), 'Clients through the network load balancer');
      front.securityGroup.addEgressRule(taskGroup, ec2.Port.udp(containerPort), 'UDP to the tasks', true);
    }
  }

  /** The target groups' settings: the deploy-speed preset's health check, over TCP (UDP targets too, on the same port). */
  private targetGroupProps(props: NetworkServiceProps, ports: ListenerPorts, speed: DeploySpeedSettings): elbv2.NetworkTargetGroupProps {
    return {
      vpc: props.environment.vpc,
      port: ports.containerPort,
      protocol: ports.protocol === elbv2.Protocol.TLS ? elbv2.Protocol.TCP : ports.protocol,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: props.deregistrationDelay ?? speed.deregistrationDelay,
      healthCheck: {
        protocol: elbv2.Protocol.TCP,
        port: String(ports.healthPort),
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
        certificates: props.certificate ? [props.certificate] : undefined,
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
    const protocol = ports.protocol === elbv2.Protocol.UDP ? ecs.Protocol.UDP : ecs.Protocol.TCP;
    const loadBalancerTarget = { containerName: this.container.containerName, containerPort: ports.containerPort, protocol };
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

  /** Call `backend` over Service Connect: this service joins the namespace in client mode and the backend admits it. */
  public connectTo(backend: IBackendService): void {
    connectToBackend(this, backend);
  }

  /** Unhealthy targets, summed over both target groups with the blue/green family (ECS swaps them). */
  private unhealthyTargets(): cloudwatch.IMetric {
    const groups = [this.targetGroup, ...this.alternateTargetGroup ? [this.alternateTargetGroup] : []];
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
    if (![elbv2.Protocol.TCP, elbv2.Protocol.UDP, elbv2.Protocol.TCP_UDP, elbv2.Protocol.TLS].includes(protocol)) {
      throw new ShipyardError(this, code, `protocol ${protocol} is not a network load balancer protocol`, 'use TCP, UDP, TCP_UDP or TLS');
    }
    if (protocol === elbv2.Protocol.TLS && !props.certificate) {
      throw new ShipyardError(this, code, 'the TLS listener has no certificate', 'give certificate (an ACM certificate)');
    }
    if (protocol !== elbv2.Protocol.TLS && props.certificate) {
      throw new ShipyardError(this, code, `a certificate is given for a ${protocol} listener, which cannot use TLS`,
        protocol === elbv2.Protocol.TCP ? 'use protocol TLS to terminate TLS at the load balancer, or drop the certificate' : 'UDP cannot carry TLS: drop the certificate');
    }
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
    if (protocol !== elbv2.Protocol.TLS) {
      const reason = `A ${protocol} listener chosen explicitly; TLS, if any, is end to end between client and task.`;
      for (const listener of [this.listener, ...this.testListener ? [this.testListener] : []]) {
        acknowledge(listener.node.defaultChild!, [
          { id: 'NIST.800.53.R5-ELBv2ACMCertificateRequired', reason },
          { id: 'PCI.DSS.321-ELBv2ACMCertificateRequired', reason },
          { id: 'HIPAA.Security-ELBv2ACMCertificateRequired', reason },
        ]);
      }
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
  readonly containerPort: number;
  readonly listenerPort: number;
  readonly healthPort: number;
}

/** The load balancer a network service is reached through, and who may reach it. */
interface LoadBalancerFront {
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly clients: ec2.IPeer;
  readonly shared?: SharedNetworkLoadBalancer;
}
