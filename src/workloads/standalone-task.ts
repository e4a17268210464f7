import { aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { IEnvironment } from '../environment/environment';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { WorkloadTaskProps } from '../task/containers';
import { buildTask, grantExecToTasks, TaskModel } from '../task/task-builder';

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
}

/** A task that runs without a service, in a security group of its own. */
export interface StandaloneTask {
  readonly task: TaskModel;
  readonly securityGroup: ec2.SecurityGroup;
  readonly connections: ec2.Connections;
}

/**
 * The task of a workload that starts tasks itself (a schedule, an event rule): awsvpc only, on
 * Fargate, EC2 or Managed Instances capacity; in a security group with no ingress; ECS Exec
 * permissions when asked.
 */
export function buildStandaloneTask(scope: Construct, env: IEnvironment, props: WorkloadTaskProps, spec: StandaloneTaskSpec): StandaloneTask {
  if (spec.capacity.platform === CapacityPlatform.EXTERNAL) {
    const article = /^[AEIOU]/.test(spec.workload) ? 'an' : 'a';
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `${article} ${spec.workload} runs its task through ${spec.starter}, which does not start ECS Anywhere tasks here`,
      `run ${spec.noun.replace(/^an? /, 'the ')} on Fargate, EC2 or Managed Instances capacity`);
  }
  if ((props.networkMode ?? ecs.NetworkMode.AWS_VPC) !== ecs.NetworkMode.AWS_VPC) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `network mode ${show(props.networkMode)} is not supported by ${spec.workload}`,
      'leave networkMode out: each of its tasks gets its own network interface and security group (awsvpc), on Fargate and EC2 alike');
  }
  const task = buildTask(scope, env, props, [], spec.capacity);
  const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: env.vpc, description: `${scope.node.path}: ${spec.description}; no inbound traffic`, allowAllOutbound: true,
  });
  const connections = new ec2.Connections({ securityGroups: [securityGroup] });
  if (props.enableExec) grantExecToTasks(task.taskDefinition, env.cluster);
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
