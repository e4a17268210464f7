import { aws_ec2 as ec2, aws_ecs as ecs, aws_events as events, aws_iam as iam, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { buildService, notifyDeploymentFailures } from './ecs-service';
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
   * The EC2 capacity whose instances each run one task (`Capacity.ec2(...)` or
   * `Capacity.ec2SpotMix(...)`; its placement constraints apply, strategies do not).
   */
  readonly capacity: Capacity;
  /**
   * Share of instances that keep a running daemon during a deployment, in percent.
   * @default 50
   */
  readonly minHealthyPercent?: number;
  /**
   * The daemon's alarms.
   * @default - task count and CPU or memory
   */
  readonly alarms?: ServiceAlarmsOptions;
}

/**
 * One task on every instance of chosen EC2 capacity (log routers, metrics or security
 * agents), placed by the `cdk-shipyard.capacity` attribute the instances register with.
 * Daemons use the bridge network mode (nat on Windows) unless told otherwise (no network
 * interface per instance; IMDSv2 with hop limit 1 keeps them from the instance role).
 */
export class DaemonService extends Construct {
  /** The ECS service (DAEMON scheduling). */
  public readonly service: ecs.Ec2Service;
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The log group of the main container, unless its logs leave CloudWatch Logs. */
  public readonly logGroup?: logs.ILogGroup;
  /** The task role. */
  public readonly taskRole: iam.IRole;
  /** The tasks' connections (the instances' security groups unless in awsvpc mode). */
  public readonly connections: ec2.Connections;
  /** The daemon's alarms. */
  public readonly alarms: ServiceAlarms;
  /** The rule that notifies the alarm topic when a deployment fails. */
  public readonly deploymentFailedRule?: events.Rule;

  constructor(scope: Construct, id: string, props: DaemonServiceProps) {
    super(scope, id);
    const env = props.environment;
    const capacity = props.capacity;
    if (capacity.platform !== CapacityPlatform.EC2 || capacity.autoScalingCapacities.length === 0) {
      throw new ShipyardError(this, ErrorCode.PLATFORM, `a daemon runs one task per EC2 instance, and its capacity is ${show(capacity.kind)}`,
        'pass Capacity.ec2(autoScalingCapacity) (or ec2SpotMix) naming the instances to run on');
    }
    if (capacity._hasExplicitPlacementStrategies()) {
      throw new ShipyardError(this, ErrorCode.PLATFORM, 'placement strategies are set for a daemon',
        'remove them: a daemon runs on every matching instance (placement constraints still apply)');
    }
    // A daemon's maximumPercent is 100: ECS stops a task before it starts its replacement, so the
    // healthy floor is a whole percent below 100 (Amazon ECS API Reference, DeploymentConfiguration).
    checkInteger(this, ErrorCode.DEPLOYMENT, 'minHealthyPercent', props.minHealthyPercent);
    checkRange(this, ErrorCode.DEPLOYMENT, 'minHealthyPercent', props.minHealthyPercent, 0, 99, '%');
    const defaultMode = capacity.windowsInstances ? ecs.NetworkMode.NAT : ecs.NetworkMode.BRIDGE;
    const task = buildTask(this, env, { ...props, networkMode: props.networkMode ?? defaultMode }, [], capacity);
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
    this.service = built.service as ecs.Ec2Service;
    this.connections = built.connections;
    this.alarms = new ServiceAlarms(this, 'Alarms', {
      ...props.alarms,
      service: this.service,
      clusterName: env.cluster.clusterName,
      topic: env.alarmTopic,
    });
    this.deploymentFailedRule = notifyDeploymentFailures(this, env, this.service);
    applyEnvironmentSettings(this, env);
    warnAboutTask(this, env, task, props);
  }
}
