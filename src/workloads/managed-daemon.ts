import { aws_cloudwatch as cloudwatch, aws_ecs as ecs, CfnResource, Duration, ITaggable, Lazy, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IEnvironment } from '../environment/environment';
import { checkRange } from '../guardrails/checks';
import { ErrorCode, Problem, problemMessage, ShipyardError, show } from '../guardrails/errors';
import { renderedProperties } from '../private/rendered';
import { grantExecToTasks } from '../task/exec';
import { TaskModel } from '../task/task-builder';

/*
 * ECS Managed Daemons: one task on every instance of ECS Managed Instances capacity providers.
 * ECS starts a daemon's task on an instance before any other task there, and (when the daemon is
 * critical) drains and replaces an instance whose daemon task stops. A new daemon revision deploys
 * by draining a share of the instances at a time and replacing them (ECS Developer Guide, "Amazon
 * ECS Managed Daemons" and "Daemon deployments"; ECS API Reference, CreateDaemon: "ECS Managed
 * Daemons is only supported for Amazon ECS Managed Instances Capacity Providers").
 *
 * CloudFormation: AWS::ECS::DaemonTaskDefinition and AWS::ECS::Daemon, typed from aws-cdk-lib 2.260
 * (CfnDaemonTaskDefinition, CfnDaemon) and written here as CfnResource so the 2.257 floor has them.
 * The daemon task definition is rendered from an ordinary aws-cdk-lib task definition (the task
 * model every workload builds: containers, logging, secrets, roles), which is not deployed itself.
 */

/** How a managed daemon deploys and what its failure does to the instance. */
export interface ManagedDaemonSettings {
  readonly drainPercent?: number;
  readonly bakeTime?: Duration;
  readonly critical?: boolean;
  readonly rollbackAlarms?: cloudwatch.IAlarm[];
  readonly enableExec?: boolean;
}

/** What a managed daemon creates. */
export interface ManagedDaemonResources {
  readonly daemon: CfnResource;
  readonly daemonTaskDefinition: CfnResource;
}

/**
 * Container definition properties a daemon container takes (API Reference, DaemonContainerDefinition;
 * CloudFormation AWS::ECS::DaemonTaskDefinition DaemonContainerDefinition). Anything else the task
 * model renders (port mappings, Docker labels, links...) has no place in a daemon task.
 */
const DAEMON_CONTAINER_PROPERTIES = new Set([
  'Command', 'Cpu', 'DependsOn', 'EntryPoint', 'Environment', 'EnvironmentFiles', 'Essential', 'FirelensConfiguration',
  'HealthCheck', 'Image', 'Interactive', 'LinuxParameters', 'LogConfiguration', 'Memory', 'MemoryReservation', 'MountPoints',
  'Name', 'Privileged', 'PseudoTerminal', 'ReadonlyRootFilesystem', 'RepositoryCredentials', 'RestartPolicy', 'Secrets',
  'StartTimeout', 'StopTimeout', 'SystemControls', 'Ulimits', 'User', 'WorkingDirectory',
]);
/** LinuxParameters a daemon container takes (DaemonLinuxParameters). */
const DAEMON_LINUX_PARAMETERS = new Set(['Capabilities', 'Devices', 'InitProcessEnabled', 'Tmpfs']);
/**
 * Task definition properties the daemon task definition carries over; the placement, network and
 * compatibility settings of the model are the model's own and are left behind.
 */
const CARRIED_TASK_PROPERTIES = ['Family', 'Cpu', 'Memory', 'ExecutionRoleArn', 'TaskRoleArn'];
/** Task definition properties a daemon has no equivalent for. */
const UNSUPPORTED_TASK_PROPERTIES = ['EphemeralStorage', 'ProxyConfiguration', 'InferenceAccelerators', 'EnableFaultInjection'];

/**
 * The daemon task definition and the daemon of `task`, on the Managed Instances capacity of the
 * task. The model's own task definition leaves the tree: the daemon task definition replaces it.
 */
export function buildManagedDaemon(scope: Construct, env: IEnvironment, task: TaskModel, settings: ManagedDaemonSettings): ManagedDaemonResources {
  const capacity = task.capacity._managedInstances;
  if (!capacity) throw new Error('buildManagedDaemon needs Managed Instances capacity');
  checkSettings(scope, settings);
  const model = task.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  task.taskDefinition.node.tryRemoveChild(model.node.id);
  // Still the default child: the task's checks, overrides and escape hatches reach it as before.
  task.taskDefinition.node.defaultChild = model;
  const daemonTaskDefinition = new TaggedResource(scope, 'DaemonTaskDefinition', 'AWS::ECS::DaemonTaskDefinition', lazyTaskProperties(model));
  // The model's acknowledgements (cdk-nag suppressions, ours and the app's, now and later) are
  // the daemon task definition's: one metadata object, as its containers are the model's.
  // The daemon's own entries (its construct path) win over the model's.
  const metadata = { ...model.cfnOptions.metadata, ...daemonTaskDefinition.cfnOptions.metadata };
  daemonTaskDefinition.cfnOptions.metadata = metadata;
  model.cfnOptions.metadata = metadata;
  scope.node.addValidation({ validate: () => modelProblems(model).map(p => problemMessage(scope, p)) });
  const stack = Stack.of(scope);
  const capacityProviderArn = stack.formatArn({ service: 'ecs', resource: 'capacity-provider', resourceName: capacity.capacityProviderName });
  const alarms = settings.rollbackAlarms ?? [];
  const daemon = new TaggedResource(scope, 'Daemon', 'AWS::ECS::Daemon', {
    ClusterArn: env.cluster.clusterArn,
    CapacityProviderArns: [capacityProviderArn],
    DaemonTaskDefinitionArn: daemonTaskDefinition.getAtt('DaemonTaskDefinitionArn').toString(),
    DeploymentConfiguration: omitEmpty({
      DrainPercent: settings.drainPercent,
      BakeTimeInMinutes: settings.bakeTime?.toMinutes(),
      Alarms: alarms.length > 0 ? { AlarmNames: alarms.map(a => a.alarmName), Enable: true } : undefined,
    }),
    Critical: settings.critical,
    EnableExecuteCommand: settings.enableExec ? true : undefined,
    EnableECSManagedTags: true,
    // The daemon's tags (the environment's, the app's) reach its tasks (CreateDaemon propagateTags: DAEMON | NONE).
    PropagateTags: 'DAEMON',
  });
  if (settings.enableExec) grantExecToTasks(task.taskDefinition, env.cluster, task.logGroup);
  // The capacity provider must be associated with the cluster before the daemon is created, and
  // the roles' policies in place before its first task pulls its image and writes its logs.
  daemon.node.addDependency(env.cluster, capacity, task.taskDefinition.taskRole);
  if (task.taskDefinition.executionRole) daemon.node.addDependency(task.taskDefinition.executionRole);
  return { daemon, daemonTaskDefinition };
}

/**
 * A resource type the aws-cdk-lib floor does not type, taggable as its generated class would be
 * (both take `Tags`), so `Tags.of(...)` and the environment's tags reach it.
 */
class TaggedResource extends CfnResource implements ITaggable {
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, type: string, properties: Record<string, unknown>) {
    super(scope, id, { type, properties });
    // CfnResource renders a taggable resource's tags under tagPropertyName; KEY_VALUE renders
    // them as CloudFormation's [{ Key, Value }] (a raw resource's properties are not converted).
    this.tags = new TagManager(TagType.KEY_VALUE, type, undefined, { tagPropertyName: 'Tags' });
  }
}

function omitEmpty<T extends object>(value: T): T | undefined {
  return isEmpty(value) ? undefined : value;
}

/** The daemon task definition's properties, read from the model when the template is rendered. */
function lazyTaskProperties(model: ecs.CfnTaskDefinition): Record<string, unknown> {
  const rendered = (): Record<string, any> => renderedProperties(model);
  const properties: Record<string, unknown> = {};
  for (const key of CARRIED_TASK_PROPERTIES) properties[key] = Lazy.any({ produce: () => rendered()[key] });
  properties.PidMode = Lazy.any({ produce: () => namespaceMode(rendered().PidMode) });
  properties.IpcMode = Lazy.any({ produce: () => namespaceMode(rendered().IpcMode) });
  properties.Volumes = Lazy.any({ produce: () => daemonVolumes(rendered().Volumes ?? []) }, { omitEmptyArray: true });
  properties.ContainerDefinitions = Lazy.any({ produce: () => (rendered().ContainerDefinitions ?? []).map(daemonContainer) });
  return properties;
}

/** A standard task's `host` PID or IPC namespace is a daemon's `shared` one. */
function namespaceMode(mode: string | undefined): string | undefined {
  return mode === 'host' ? 'shared' : mode;
}

function daemonVolumes(volumes: Array<Record<string, any>>): Array<Record<string, any>> {
  return volumes.map(v => ({ Name: v.Name, Host: v.Host ? { SourcePath: v.Host.SourcePath } : undefined }));
}

function daemonContainer(container: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [key, value] of Object.entries(container)) {
    if (!DAEMON_CONTAINER_PROPERTIES.has(key) || isEmpty(value)) continue;
    const kept = key === 'LinuxParameters' ? pick(value, DAEMON_LINUX_PARAMETERS) : value;
    if (!isEmpty(kept)) out[key] = kept;
  }
  return out;
}

function pick(value: Record<string, any>, keys: Set<string>): Record<string, any> {
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => keys.has(k) && !isEmpty(v)));
}

/** Undefined, an empty list, or an object with nothing but empty values (as `Capabilities: {}`). */
function isEmpty(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.values(value).every(isEmpty);
}

/** What the task model asks for that a daemon task cannot be. */
function modelProblems(model: ecs.CfnTaskDefinition): Problem[] {
  const rendered = renderedProperties(model);
  const problems: Problem[] = [];
  for (const key of UNSUPPORTED_TASK_PROPERTIES) {
    if (!isEmpty(rendered[key])) problems.push(unsupported(`the task's ${key}`, 'remove it from the daemon'));
  }
  for (const mode of ['PidMode', 'IpcMode'] as const) {
    if (rendered[mode] === 'task') problems.push(unsupported(`${mode} "task"`, 'use host (the instance\'s namespace) or leave it unset'));
  }
  for (const volume of rendered.Volumes ?? []) {
    const kinds = Object.keys(volume).filter(k => k !== 'Name' && k !== 'Host' && !isEmpty(volume[k]));
    if (kinds.length > 0) {
      problems.push(unsupported(`volume ${show(volume.Name)} (${kinds.join(', ')})`, 'mount a host path (Volume.host) or nothing: a daemon task takes host volumes only'));
    }
  }
  for (const container of rendered.ContainerDefinitions ?? []) problems.push(...containerProblems(container));
  return problems;
}

function containerProblems(container: Record<string, any>): Problem[] {
  const problems: Problem[] = [];
  const dropped = Object.keys(container).filter(k => !DAEMON_CONTAINER_PROPERTIES.has(k) && !isEmpty(container[k]));
  const linux = Object.keys(container.LinuxParameters ?? {}).filter(k => !DAEMON_LINUX_PARAMETERS.has(k) && !isEmpty(container.LinuxParameters[k]));
  const all = [...dropped, ...linux.map(k => `LinuxParameters.${k}`)];
  if (all.length > 0) {
    problems.push(unsupported(`container ${show(container.Name)} sets ${all.join(', ')}`,
      'remove them: a daemon container takes no port mappings, Docker labels, links, DNS or host settings, shared memory or swap settings (ECS API Reference, DaemonContainerDefinition)'));
  }
  // ECS refuses a daemon container with neither: "At least one of 'memory' or 'memoryReservation'
  // must be specified" (seen on a live deployment by DataDog/datadog-cdk-constructs,
  // src/ecs/managed-instances/constants.ts), though a task-level memory would do for a task.
  if (container.Memory === undefined && container.MemoryReservation === undefined) {
    problems.push({
      code: ErrorCode.CONTAINER_MEMORY,
      problem: `container ${show(container.Name)} sets neither memory nor memoryReservation, and ECS registers no daemon container without one`,
      fix: 'give the container memoryLimitMiB or memoryReservationMiB',
    });
  }
  return problems;
}

function unsupported(what: string, fix: string): Problem {
  return { code: ErrorCode.PLATFORM, problem: `${what}: a managed daemon's task cannot have it`, fix };
}

function checkSettings(scope: Construct, settings: ManagedDaemonSettings): void {
  // Source: ECS API Reference, DaemonDeploymentConfiguration: drainPercent 0.0-100.0, bakeTimeInMinutes an integer.
  checkRange(scope, ErrorCode.DEPLOYMENT, 'drainPercent', settings.drainPercent, 0, 100, '%');
  const bake = settings.bakeTime;
  if (bake !== undefined && !Token.isUnresolved(bake.toSeconds()) && bake.toSeconds() % 60 !== 0) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `bakeTime is ${bake.toHumanString()}, and ECS bakes a daemon deployment in whole minutes`,
      'give bakeTime in whole minutes (Duration.minutes(n))');
  }
}
