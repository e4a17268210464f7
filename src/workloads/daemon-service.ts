import {
  aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_ecs as ecs, aws_events as events, aws_iam as iam, aws_logs as logs, CfnResource, Duration,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { buildService, notifyDeploymentFailures } from './ecs-service';
import { buildManagedDaemon } from './managed-daemon';
import { WorkloadProps } from './workload-props';
import { applyEnvironmentSettings } from './workload-settings';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { daemonRolloutOptions } from '../deployment/rollout';
import { checkInteger, checkRange } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { ServiceAlarms, ServiceAlarmsOptions } from '../observability/service-alarms';
import { buildTask } from '../task/task-builder';
import { warnAboutTask } from '../task/task-findings';

/** Properties of a DaemonService. */
export interface DaemonServiceProps extends WorkloadProps {
  /**
   * The capacity whose instances each run one task: EC2 capacity (`Capacity.ec2(...)` or
   * `Capacity.ec2SpotMix(...)`; its placement constraints apply, strategies do not), or ECS
   * Managed Instances (`Capacity.managedInstances(...)`), where the daemon is an ECS managed daemon.
   */
  readonly capacity: Capacity;
  /**
   * Share of instances that keep a running daemon during a deployment, in percent (EC2 capacity).
   * @default 50
   */
  readonly minHealthyPercent?: number;
  /**
   * The daemon's alarms (EC2 capacity; a managed daemon is not an ECS service and has no service metrics).
   * @default - task count and CPU or memory
   */
  readonly alarms?: ServiceAlarmsOptions;
  /**
   * Whether the task shares its instance's process (PID) namespace, for agents that watch the
   * host's processes (a security sensor, process collection). Written as the task's `pidMode`:
   * `host` on EC2 capacity, `shared` for a managed daemon. Linux only.
   * @default false
   */
  readonly hostPidNamespace?: boolean;
  /**
   * Whether the task shares its instance's IPC namespace. Written as the task's `ipcMode`: `host`
   * on EC2 capacity, `shared` for a managed daemon. Linux only.
   * @default false
   */
  readonly hostIpcNamespace?: boolean;
  /**
   * Managed Instances only: the share of the instances ECS drains at a time when it deploys a new
   * daemon revision, in percent (0-100). Each drained instance is replaced by one that runs the new
   * revision, and the tasks on it move.
   * @default - ECS's default, 25
   */
  readonly drainPercent?: number;
  /**
   * Managed Instances only: how long ECS waits after each batch of a daemon deployment before the
   * next, in whole minutes.
   * @default - no wait (ECS's default)
   */
  readonly bakeTime?: Duration;
  /**
   * Managed Instances only: whether the instance goes with the daemon. When a critical daemon's task
   * fails, stops or turns unhealthy, ECS drains the instance and stops its other tasks; when not,
   * the failure does not touch the instance's other tasks nor block its registration.
   * @default true
   */
  readonly critical?: boolean;
  /**
   * Managed Instances only: alarms that, in alarm during a daemon deployment, roll it back.
   * @default - none (ECS's deployment circuit breaker still rolls back a failing deployment)
   */
  readonly rollbackAlarms?: cloudwatch.IAlarm[];
}

/**
 * One task on every instance of chosen capacity (log routers, metrics or security agents).
 *
 * On EC2 capacity, an ECS service with DAEMON scheduling, placed by the `cdk-shipyard.capacity`
 * attribute the instances register with. Daemons use the bridge network mode (nat on Windows)
 * unless told otherwise (no network interface per instance; IMDSv2 with hop limit 1 keeps them
 * from the instance role).
 *
 * On ECS Managed Instances, an ECS managed daemon (`AWS::ECS::Daemon`): ECS starts its task on
 * each instance before any other task there, and a new revision deploys by draining and
 * replacing a share of the instances at a time (`drainPercent`, `bakeTime`).
 */
export class DaemonService extends Construct {
  /** The ECS service (DAEMON scheduling) on EC2 capacity; none on Managed Instances. */
  public readonly service?: ecs.Ec2Service;
  /** The managed daemon (`AWS::ECS::Daemon`) on Managed Instances; none on EC2 capacity. */
  public readonly daemon?: CfnResource;
  /** The daemon task definition (`AWS::ECS::DaemonTaskDefinition`) on Managed Instances. */
  public readonly daemonTaskDefinition?: CfnResource;
  /**
   * The task definition. On Managed Instances, the model the daemon task definition is
   * rendered from (containers added to it later are rendered too); it is not deployed itself.
   */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The log group of the main container, unless its logs leave CloudWatch Logs. */
  public readonly logGroup?: logs.ILogGroup;
  /** The task role. */
  public readonly taskRole: iam.IRole;
  /** The tasks' connections (the instances' security groups unless in awsvpc mode). */
  public readonly connections: ec2.Connections;
  /** The daemon's alarms on EC2 capacity; none on Managed Instances. */
  public readonly alarms?: ServiceAlarms;
  /** The rule that notifies the alarm topic when a deployment fails. */
  public readonly deploymentFailedRule?: events.Rule;

  constructor(scope: Construct, id: string, props: DaemonServiceProps) {
    super(scope, id);
    const env = props.environment;
    const capacity = props.capacity;
    if (capacity.platform === CapacityPlatform.MANAGED_INSTANCES && capacity._managedInstances) {
      checkManagedDaemonProps(this, props);
      const task = buildTask(this, env, props, [], capacity, { managedDaemon: true, hostAgent: true });
      shareHostNamespaces(this, task.taskDefinition, props);
      this.taskDefinition = task.taskDefinition;
      this.container = task.container;
      this.logGroup = task.logGroup;
      this.taskRole = this.taskDefinition.taskRole;
      const managed = buildManagedDaemon(this, env, task, props);
      this.daemon = managed.daemon;
      this.daemonTaskDefinition = managed.daemonTaskDefinition;
      // A daemon has no network mode or configuration: no interface of its own; its traffic leaves through the instance's.
      this.connections = new ec2.Connections({ securityGroups: [capacity._managedInstances.securityGroup] });
      applyEnvironmentSettings(this, env);
      warnAboutTask(this, env, task, props);
      return;
    }
    checkEc2DaemonProps(this, props);
    const defaultMode = capacity.windowsInstances ? ecs.NetworkMode.NAT : ecs.NetworkMode.BRIDGE;
    const task = buildTask(this, env, { ...props, networkMode: props.networkMode ?? defaultMode }, [], capacity, { hostAgent: true });
    shareHostNamespaces(this, task.taskDefinition, props);
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.logGroup = task.logGroup;
    this.taskRole = this.taskDefinition.taskRole;
    const built = buildService(this, {
      env,
      task,
      securityGroupDescription: 'a daemon; no inbound traffic',
      rollout: daemonRolloutOptions(props.minHealthyPercent ?? 50),
      daemon: true,
      enableExec: props.enableExec,
      // Not a prop of daemons (ECS does not rebalance them); from JavaScript it would be dropped without a word.
      availabilityZoneRebalancing: (props as { availabilityZoneRebalancing?: ecs.AvailabilityZoneRebalancing }).availabilityZoneRebalancing,
    });
    const service = built.service as ecs.Ec2Service;
    this.service = service;
    this.connections = built.connections;
    this.alarms = new ServiceAlarms(this, 'Alarms', {
      ...props.alarms,
      service,
      clusterName: env.cluster.clusterName,
      topic: env.alarmTopic,
    });
    this.deploymentFailedRule = notifyDeploymentFailures(this, env, service);
    applyEnvironmentSettings(this, env);
    warnAboutTask(this, env, task, props);
  }
}

/**
 * The instance's PID and IPC namespaces, as the task's `pidMode` and `ipcMode` (`host`; a managed
 * daemon's task definition calls it `shared`). Windows containers have neither (ECS Developer
 * Guide, task definition parameters: pidMode and ipcMode are not supported for Windows).
 */
function shareHostNamespaces(scope: Construct, taskDefinition: ecs.TaskDefinition, props: DaemonServiceProps): void {
  if (!props.hostPidNamespace && !props.hostIpcNamespace) return;
  if (props.capacity.windowsInstances || props.operatingSystemFamily?.isWindows()) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, 'hostPidNamespace or hostIpcNamespace is set for a Windows daemon',
      'remove them: Windows containers share no PID or IPC namespace with the host');
  }
  const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  if (props.hostPidNamespace) cfn.pidMode = 'host';
  if (props.hostIpcNamespace) cfn.ipcMode = 'host';
}

/** EC2 capacity, with the props an ECS service with DAEMON scheduling takes. */
function checkEc2DaemonProps(scope: Construct, props: DaemonServiceProps): void {
  const capacity = props.capacity;
  if (capacity.platform !== CapacityPlatform.EC2 || capacity.autoScalingCapacities.length === 0) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `a daemon runs one task per instance, and its capacity is ${show(capacity.kind)}`,
      'pass Capacity.ec2(autoScalingCapacity) (or ec2SpotMix) naming the instances to run on, or Capacity.managedInstances(...)');
  }
  if (capacity._hasExplicitPlacementStrategies()) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, 'placement strategies are set for a daemon',
      'remove them: a daemon runs on every matching instance (placement constraints still apply)');
  }
  const managedOnly = (['drainPercent', 'bakeTime', 'critical', 'rollbackAlarms'] as const).filter(k => props[k] !== undefined);
  if (managedOnly.length > 0) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `${managedOnly.join(', ')} set for a daemon on EC2 capacity`,
      'remove them (they configure ECS managed daemons, on Capacity.managedInstances); on EC2 capacity use minHealthyPercent');
  }
  // A daemon's maximumPercent is 100: ECS stops a task before it starts its replacement, so the
  // healthy floor is a whole percent below 100 (Amazon ECS API Reference, DeploymentConfiguration).
  checkInteger(scope, ErrorCode.DEPLOYMENT, 'minHealthyPercent', props.minHealthyPercent);
  checkRange(scope, ErrorCode.DEPLOYMENT, 'minHealthyPercent', props.minHealthyPercent, 0, 99, '%');
}

/** What an ECS managed daemon cannot take. */
function checkManagedDaemonProps(scope: Construct, props: DaemonServiceProps): void {
  const serviceOnly = (['minHealthyPercent', 'alarms', 'networkMode'] as const).filter(k => props[k] !== undefined);
  if (serviceOnly.length > 0) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `${serviceOnly.join(', ')} set for a daemon on Managed Instances`,
      'remove them: a managed daemon is not an ECS service (no service metrics to alarm on) and takes no network mode; '
      + 'use drainPercent and bakeTime for its deployments');
  }
}
