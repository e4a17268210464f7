import { Stack, aws_ec2 as ec2, aws_ecs as ecs, aws_iam as iam, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkPlatformVersion } from './ecs-service';
import { WorkloadProps, WorkloadTaskProps } from './workload-props';
import { applyEnvironmentSettings } from './workload-settings';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { IEnvironment } from '../environment/environment';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { grantExecToTasks } from '../task/exec';
import { buildTask, TaskModel } from '../task/task-builder';
import { warnAboutTask } from '../task/task-findings';

/** Properties of a StandaloneTask. */
export interface StandaloneTaskProps extends WorkloadProps {
  /**
   * Capacity the tasks run on (Fargate, EC2 or Managed Instances); `capacityProviderStrategy`
   * gives it to the caller's RunTask.
   * @default - the environment's default capacity
   */
  readonly capacity?: Capacity;
}

/**
 * A task definition with everything a workload's task has (roles, logs, the secure baseline
 * and the synth checks, a security group without ingress) and nothing that starts it: for
 * tasks started by a Step Functions state machine, a pipeline or your own `RunTask` call.
 * Pass the caller `taskDefinition`, `cluster`, `subnets`, `securityGroup` and
 * `capacityProviderStrategy`, and let it run the task with `grantRun`.
 */
export class StandaloneTask extends Construct implements ec2.IConnectable {
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The log group of the main container, unless its logs leave CloudWatch Logs. */
  public readonly logGroup?: logs.ILogGroup;
  /** The task role: grant the task's permissions to it. */
  public readonly taskRole: iam.IRole;
  /** The cluster to run the task in (the environment's). */
  public readonly cluster: ecs.ICluster;
  /** The subnets to run the task in (the environment's task subnets; no public IP). */
  public readonly subnets: ec2.SubnetSelection;
  /**
   * The tasks' security group (no ingress; add rules or `connections.allowFrom` as needed), in
   * awsvpc mode. Reading it in another mode fails: tasks in bridge or host mode use their
   * instances' groups (`connections`), and tasks in `none` have no network.
   */
  public get securityGroup(): ec2.ISecurityGroup {
    if (!this._securityGroup) {
      const mode = this.taskDefinition.networkMode;
      throw new ShipyardError(this, ErrorCode.PLATFORM, `a task in network mode ${show(mode)} has no security group of its own`,
        mode === ecs.NetworkMode.NONE
          ? 'run it with no network configuration, or give the task a network mode (awsvpc) to have one'
          : 'run it without a network configuration and use connections (its instances\' groups), or use awsvpc to have a group of its own');
    }
    return this._securityGroup;
  }
  private readonly _securityGroup?: ec2.ISecurityGroup;
  /** The tasks' connections. */
  public readonly connections: ec2.Connections;
  /** The capacity provider strategy RunTask takes for `capacity` (RunTask's field names); none on ECS Anywhere. */
  public readonly capacityProviderStrategy: ecs.CapacityProviderStrategy[];
  /**
   * The launch type RunTask takes instead of a strategy: `EXTERNAL` on ECS Anywhere capacity.
   * @default - none: pass `capacityProviderStrategy`
   */
  public readonly launchType?: string;

  constructor(scope: Construct, id: string, props: StandaloneTaskProps) {
    super(scope, id);
    const env = props.environment;
    const capacity = props.capacity ?? env.defaultCapacity;
    const built = buildStandaloneTask(this, env, props, {
      workload: 'StandaloneTask',
      starter: 'its caller\'s RunTask',
      noun: 'a standalone task',
      description: 'a standalone task',
      capacity,
      // The caller's RunTask runs it on ECS Anywhere with launchType EXTERNAL (Amazon ECS API Reference, RunTask).
      runsOnExternal: true,
    });
    this.taskDefinition = built.task.taskDefinition;
    this.container = built.task.container;
    this.logGroup = built.task.logGroup;
    this.taskRole = this.taskDefinition.taskRole;
    this.cluster = env.cluster;
    this.subnets = env.taskSubnets;
    this._securityGroup = built.securityGroup;
    this.connections = built.connections;
    this.capacityProviderStrategy = capacity._bind(this);
    this.launchType = capacity.platform === CapacityPlatform.EXTERNAL ? 'EXTERNAL' : undefined;
    applyEnvironmentSettings(this, env);
    warnAboutTask(this, env, built.task, props);
  }

  /**
   * Let `grantee` start this task: `ecs:RunTask` on this task definition in this cluster,
   * `iam:PassRole` for the task and execution roles, and `ecs:TagResource` on the tasks RunTask
   * creates (tags propagated from the task definition). Source: Amazon ECS Developer Guide,
   * "Amazon ECS task execution IAM role" and "Grant permission to tag resources on creation".
   */
  public grantRun(grantee: iam.IGrantable): iam.Grant {
    return grantRunTask(this, grantee, this.taskDefinition, this.cluster);
  }
}

/**
 * Let `grantee` start `taskDefinition` in `cluster`: RunTask there, PassRole for the task's two
 * roles, and TagResource on the cluster's tasks as RunTask creates them (task ids are not known
 * in advance). Returns the RunTask grant.
 */
export function grantRunTask(scope: Construct, grantee: iam.IGrantable, taskDefinition: ecs.TaskDefinition, cluster: ecs.ICluster): iam.Grant {
  const roles = [taskDefinition.taskRole, taskDefinition.executionRole].filter((r): r is iam.IRole => r !== undefined);
  const run = iam.Grant.addToPrincipal({
    grantee,
    actions: ['ecs:RunTask'],
    resourceArns: [taskDefinition.taskDefinitionArn],
    conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
  });
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['ecs:TagResource'],
    resourceArns: [clusterTasksArn(scope, cluster)],
    conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
  });
  iam.Grant.addToPrincipal({ grantee, actions: ['iam:PassRole'], resourceArns: roles.map(r => r.roleArn) });
  return run;
}

/** The ARN of every task in `cluster` (task ids are not known in advance), in `scope`'s stack. */
export function clusterTasksArn(scope: Construct, cluster: ecs.ICluster): string {
  return Stack.of(scope).formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` });
}

/** What a workload that starts tasks itself (no ECS service) tells the task builder. */
export interface StandaloneTaskSpec {
  /** The workload's class, for messages. */
  readonly workload: string;
  /** What starts the tasks, for messages ("EventBridge Scheduler"). */
  readonly starter: string;
  /** What runs, for messages ("a job", "an event task"). */
  readonly noun: string;
  /** What the tasks are, for the security group's description ("a scheduled job"). */
  readonly description: string;
  readonly capacity: Capacity;
  /** The Fargate platform version the starter passes, checked against the capacity and OS. */
  readonly platformVersion?: ecs.FargatePlatformVersion;
  /** Whether the starter can run the task on ECS Anywhere (RunTask with the EXTERNAL launch type). */
  readonly runsOnExternal?: boolean;
}

/** A task that runs without a service, in a security group of its own. */
export interface StandaloneTaskParts {
  readonly task: TaskModel;
  /** None in network mode `none`. */
  readonly securityGroup?: ec2.SecurityGroup;
  readonly connections: ec2.Connections;
}

/**
 * The task of a workload that starts tasks itself (a schedule, an event rule), on Fargate, EC2
 * or Managed Instances capacity: in awsvpc (the default) in a security group of its own with no
 * ingress; in bridge or host mode on EC2 in its instances' groups; in `none` without network.
 * ECS Exec permissions when asked.
 */
export function buildStandaloneTask(scope: Construct, env: IEnvironment, props: WorkloadTaskProps, spec: StandaloneTaskSpec): StandaloneTaskParts {
  const external = spec.capacity.platform === CapacityPlatform.EXTERNAL;
  if (external && !spec.runsOnExternal) {
    const article = /^[AEIOU]/.test(spec.workload) ? 'an' : 'a';
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `${article} ${spec.workload} runs its task through ${spec.starter}, which does not start ECS Anywhere tasks here`,
      `run ${spec.noun.replace(/^an? /, 'the ')} on Fargate, EC2 or Managed Instances capacity`);
  }
  // awsvpc unless asked: bridge, host and none run on EC2 capacity only (buildTask checks it);
  // ECS Anywhere takes bridge (its default) or host.
  const mode = props.networkMode ?? (external ? ecs.NetworkMode.BRIDGE : ecs.NetworkMode.AWS_VPC);
  const task = buildTask(scope, env, { ...props, networkMode: mode }, [], spec.capacity);
  if (task.launchVolume) {
    throw new ShipyardError(scope, ErrorCode.VOLUME, `volume ${task.launchVolume.name} is an EBS volume, which ECS configures for the tasks of a service; `
      + `${spec.workload} has no service, and ${spec.starter} starts its tasks`,
    'use Volume.scratch (with ephemeralStorageGiB, up to 200 GiB on Fargate) or Volume.efs');
  }
  checkPlatformVersion(scope, spec.capacity, task, spec.platformVersion);
  if (mode === ecs.NetworkMode.NONE) return { task, connections: new ec2.Connections() };
  if (external) {
    // Your servers' own network: no security groups of the VPC's.
    if (props.enableExec) grantExecToTasks(task.taskDefinition, env.cluster, task.logGroup);
    return { task, connections: new ec2.Connections() };
  }
  if (mode !== ecs.NetworkMode.AWS_VPC) {
    // Bridge and host tasks use their instances' network and security groups.
    const instances = new ec2.Connections({ securityGroups: spec.capacity.autoScalingCapacities.map(c => c.securityGroup) });
    if (props.enableExec) grantExecToTasks(task.taskDefinition, env.cluster, task.logGroup);
    task.connect(instances, env.cluster);
    return { task, connections: instances };
  }
  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: env.vpc, description: `${scope.node.path}: ${spec.description}; no inbound traffic`, allowAllOutbound: true,
  });
  const connections = new ec2.Connections({ securityGroups: [securityGroup] });
  if (props.enableExec) grantExecToTasks(task.taskDefinition, env.cluster, task.logGroup);
  task.connect(connections, env.cluster);
  return { task, securityGroup, connections };
}

/** Where RunTask places a task: the capacity provider strategy and, on EC2, placement (RunTask's JSON shapes). */
export interface RunTaskPlacement {
  readonly capacityProviderStrategy: Array<{ capacityProvider: string; base?: number; weight?: number }>;
  readonly placementStrategy?: Array<{ type: string; field?: string }>;
  readonly placementConstraints?: Array<{ type: string; expression?: string }>;
}

/** The capacity's strategy and placement as RunTask takes them. */
export function runTaskPlacement(scope: Construct, capacity: Capacity): RunTaskPlacement {
  const strategy = capacity._bind(scope);
  const placementStrategy = capacity.placementStrategies.flatMap(p => p.toJson());
  const placementConstraints = capacity.placementConstraints.flatMap(p => p.toJson());
  return {
    capacityProviderStrategy: strategy.map(s => ({ capacityProvider: s.capacityProvider, base: s.base, weight: s.weight })),
    placementStrategy: placementStrategy.length > 0 ? placementStrategy.map(p => ({ type: p.type, field: p.field })) : undefined,
    placementConstraints: placementConstraints.length > 0 ? placementConstraints.map(p => ({ type: p.type, expression: p.expression })) : undefined,
  };
}

/** The same object with each key's first letter in upper case, deeply (the Step Functions and CloudFormation shapes). */
export function pascalCase(value: unknown): any {
  if (Array.isArray(value)) return value.map(pascalCase);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascalCase(v)]));
}
