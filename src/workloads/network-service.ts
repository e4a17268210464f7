import {
  Duration, aws_certificatemanager as acm, aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2, aws_events as events, aws_iam as iam, aws_logs as logs, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IBackendService, IServiceWorkload } from './backend-service';
import { BuiltService, buildService, notifyDeploymentFailures } from './ecs-service';
import { admitFromLoadBalancer, createLoadBalancer } from './network-front';
import { additionalListenerPorts, ecsProtocolOf, ListenerPorts, mainListenerPorts, targetsOf } from './network-listeners';
import { addNetworkListener, checkTestTraffic, createListeners, registerTargets, targetGroupProps } from './network-traffic';
import { connectToBackend } from './service-connect';
import { ServiceWorkloadProps, serviceSettings } from './workload-props';
import { applyEnvironmentSettings, gracePeriod, resolveDesiredCount, speedOf } from './workload-settings';
import { DeploySpeedSettings } from '../deployment/deploy-speed';
import { DeploymentConfig } from '../deployment/deployment';
import { applyRolloutControls, bindDeployment, enableRollbackAlarms, NO_LOAD_BALANCER_ALARM, rolloutOptions } from '../deployment/rollout';
import { IEnvironment } from '../environment/environment';
import { EnvironmentProfile } from '../environment/profile';
import { SharedNetworkLoadBalancer } from '../environment/shared-nlb';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { alarmOnUnhealthyTargets } from '../observability/network-alarms';
import { ServiceAlarms, ServiceAlarmsOptions } from '../observability/service-alarms';
import { alarmBaseName } from '../private/alarms';
import { acknowledge, inCompliancePacks } from '../private/nag';
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
  public readonly unhealthyTargetsAlarm: cloudwatch.AlarmBase;
  /** The scalable task count, with scaling. */
  public readonly scalableTaskCount?: ecs.ScalableTaskCount;
  /** The rule that notifies the alarm topic when a deployment fails. */
  public readonly deploymentFailedRule?: events.Rule;

  constructor(scope: Construct, id: string, props: NetworkServiceProps) {
    super(scope, id);
    const env = props.environment;
    const main = mainListenerPorts(this, props);
    const extra = additionalListenerPorts(this, props, main);
    const speed = speedOf(env, props.deploySpeed);

    const task = this.buildListenerTask(props, main, extra);
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.logGroup = task.logGroup;
    this.taskRole = this.taskDefinition.taskRole;
    const { ports, more } = targetsOf(this, props, task, main, extra);
    const front = createLoadBalancer(this, id, props, ports, more);
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
    checkTestTraffic(this, deployment, props);
    for (const p of [ports, ...more]) admitFromLoadBalancer(this, task, built.securityGroup, front, p);

    const groupProps = targetGroupProps(props, ports, speed);
    this.targetGroup = new elbv2.NetworkTargetGroup(this, 'TargetGroup', groupProps);
    const green = deployment.strategy === ecs.DeploymentStrategy.ROLLING ? undefined : new elbv2.NetworkTargetGroup(this, 'GreenTargetGroup', groupProps);
    this.alternateTargetGroup = green;
    const groups = { targetGroup: this.targetGroup, alternateTargetGroup: green };
    const listeners = createListeners(this, props, ports, front, deployment, groups);
    this.listener = listeners.listener;
    this.testListener = listeners.testListener;
    this.deploymentRole = registerTargets(this, this.service, ports, deployment, groups, listeners);
    const added = more.map((p, i) => addNetworkListener(this, `Listener${i + 2}`, props, this.service, p, front, speed));
    this.additionalListeners = added.map(a => a.listener);
    this.additionalTargetGroups = added.map(a => a.targetGroup);

    const allGroups = [this.targetGroup, ...green ? [green] : [], ...this.additionalTargetGroups];
    this.unhealthyTargetsAlarm = alarmOnUnhealthyTargets(this, this.loadBalancer, allGroups, rollbackAlarmMinutes, env);
    this.scalableTaskCount = scaleService(this, this.service, props.scaling, {}, env.profile === EnvironmentProfile.PRODUCTION);
    this.acknowledgeFindings(env, main.protocol, props);
    applyEnvironmentSettings(this, env);
    warnAboutTask(this, env, task, props);
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
      ...serviceSettings(id, props),
      env,
      task,
      securityGroupDescription: 'traffic from its network load balancer only',
      rollout: rolloutOptions(deployment),
      desiredCount,
      notOnExternal: 'a load balancer',
      healthCheckGracePeriod: gracePeriod(props.healthCheck),
    });
    return { deployment, built };
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

  /** Call `backend` over Service Connect: this service joins the namespace in client mode and the backend admits it. */
  public connectTo(backend: IBackendService): void {
    connectToBackend(this, backend);
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
