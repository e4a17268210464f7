// The main container and its sidecars and init containers, with the app's memory share.

import { Lazy, Stack, Token, aws_ecs as ecs, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { applySecureBaseline, baselineContainerProps, baselineLinuxParameters, checkContainerHealthCheck } from './baseline';
import { checkSecrets } from './build-checks';
import { APP_CONTAINER_NAME } from './containers';
import { EXEC_WRITABLE_PATHS } from './exec';
import { warnAboutPrivileges, warnIfPrivileged } from './privileges';
import { ContainerDependency, SidecarOptions } from './sidecar';
import type { TaskPlatform } from './task-builder';
import { reservedMiB } from './task-checks';
import { checkPlainEnvironment } from '../guardrails/checks';
import { ErrorCode, problemMessage, ShipyardError, show } from '../guardrails/errors';
import { warn, WarningId } from '../guardrails/warnings';
import { LOG_ROUTER_NAME } from '../logging/logging';
import { COLLECTOR_NAME } from '../observability/tracing';
import type { WorkloadTaskProps } from '../workloads/workload-props';

/** The main container, with the secure baseline (Linux) and its settings. */
export function addAppContainer(scope: Construct, taskDefinition: ecs.TaskDefinition, props: WorkloadTaskProps, platform: TaskPlatform,
  portMappings: ecs.PortMapping[], appName: string,
  wiring: { logDriver?: ecs.LogDriver; environment?: Record<string, string> }): ecs.ContainerDefinition {
  const { windows, networkMode } = platform;
  // ECS Exec's agent writes under /var/lib/amazon and /var/log/amazon: writable paths on a read-only root.
  const security = props.enableExec && props.containerSecurity?.readOnlyRootFilesystem !== false
    ? { ...props.containerSecurity, writablePaths: unique([...(props.containerSecurity?.writablePaths ?? ['/tmp']), ...EXEC_WRITABLE_PATHS]) }
    : props.containerSecurity;
  // Windows containers take none of the Linux controls (checked: no Linux settings given).
  const linuxParameters = windows ? undefined : baselineLinuxParameters(scope, security, undefined, props.linuxSettings?.sharedMemorySizeMiB);
  if (linuxParameters) applyLinuxSettings(scope, linuxParameters, props);
  bindEnvironmentFilesApart(scope, props.environmentFiles ?? []);
  const container = taskDefinition.addContainer('App', {
    containerName: appName,
    image: props.image._bind(scope, { cpuArchitecture: platform.cpuArchitecture }),
    command: props.command,
    entryPoint: props.entryPoint,
    workingDirectory: props.workingDirectory,
    dockerLabels: props.dockerLabels,
    // Port names and application protocols are Service Connect's, which host and nat modes do not support.
    portMappings: networkMode === ecs.NetworkMode.HOST || networkMode === ecs.NetworkMode.NAT
      ? portMappings.map(({ name, appProtocol, ...m }) => m) : portMappings,
    environment: wiring.environment,
    environmentFiles: props.environmentFiles,
    secrets: props.secrets,
    healthCheck: props.healthCheck,
    logging: wiring.logDriver,
    linuxParameters,
    stopTimeout: props.stopTimeout,
    startTimeout: props.startTimeout,
    enableRestartPolicy: props.restartPolicy ? true : undefined,
    restartIgnoredExitCodes: props.restartPolicy?.ignoredExitCodes,
    restartAttemptPeriod: props.restartPolicy?.attemptPeriod,
    // ECS ignores task-level CPU for Windows containers on EC2; the app container takes it.
    cpu: props.containerCpu ?? (windows && platform.onEc2 ? platform.cpu : undefined),
    gpuCount: props.gpuCount,
    // Every container states a hard limit (AWS Control Tower CT.ECS.PR.7). The app's is what the
    // other containers leave of the task's memory, so it can never take what they reserve.
    memoryLimitMiB: Lazy.uncachedNumber({ produce: () => appMemoryLimit(taskDefinition, platform.memoryLimitMiB, appName) }),
    ...(windows ? {} : baselineContainerProps(security)),
  });
  if (!windows) {
    const listed = props.containerSecurity?.writablePaths ?? [];
    const agentPaths = security === props.containerSecurity ? [] : EXEC_WRITABLE_PATHS.filter(p => !listed.includes(p));
    applySecureBaseline(scope, taskDefinition, container, security, platform.memoryLimitMiB, agentPaths);
    warnAboutPrivileges(scope, container, props, taskDefinition.node.defaultChild!);
  }
  grantEnvironmentFiles(scope, taskDefinition, props.environmentFiles ?? []);
  props.linuxSettings?.ulimits?.forEach(u => container.addUlimits(u));
  props.linuxSettings?.tmpfs?.forEach(t => linuxParameters?.addTmpfs(t));
  return container;
}

/** The sidecars' `dependsOn` and the app's `appWaitsFor`, each naming a container of the task. */
export function addContainerDependencies(scope: Construct, container: ecs.ContainerDefinition,
  sidecars: Array<[SidecarOptions, ecs.ContainerDefinition]>): void {
  const byName = new Map([container, ...sidecars.map(([, c]) => c)].map(c => [c.containerName, c]));
  const depend = (from: ecs.ContainerDefinition, dependency: ContainerDependency) => {
    const target = byName.get(dependency.containerName);
    if (!target) {
      throw new ShipyardError(scope, ErrorCode.CONTAINER_DEPENDENCY,
        `container ${show(from.containerName)} depends on ${show(dependency.containerName)}, which is not a container of the task`,
        `depend on one of ${[...byName.keys()].join(', ')}`);
    }
    from.addContainerDependencies({ container: target, condition: dependency.condition ?? ecs.ContainerDependencyCondition.START });
  };
  for (const [options, sidecar] of sidecars) {
    options.dependsOn?.forEach(d => depend(sidecar, d));
    if (options.appWaitsFor) depend(container, { containerName: options.name, condition: options.appWaitsFor });
  }
}

export function initContainer(scope: Construct, init: SidecarOptions): SidecarOptions {
  if (init.essential === true) {
    throw new ShipyardError(scope, ErrorCode.CONTAINER_DEPENDENCY, `init container ${show(init.name)} is essential`,
      'leave essential unset: an init container exits, which would stop the task');
  }
  return { ...init, essential: false, appWaitsFor: ecs.ContainerDependencyCondition.SUCCESS };
}

/** Names the library gives containers it adds (the tracing collector is a sidecar by that name). */
const RESERVED_NAMES = [LOG_ROUTER_NAME, COLLECTOR_NAME];

/** The main container's name: `app`, or the one given, a valid name the library does not use. */
export function appContainerName(scope: Construct, name: string | undefined): string {
  if (name === undefined) return APP_CONTAINER_NAME;
  if (!Token.isUnresolved(name) && (!/^[a-zA-Z0-9_-]{1,255}$/.test(name) || RESERVED_NAMES.includes(name))) {
    throw new ShipyardError(scope, ErrorCode.CONTAINERS, `containerName ${show(name)} is not a name the main container can take`,
      `use up to 255 letters, digits, hyphens and underscores, other than ${RESERVED_NAMES.join(' and ')} (the library's)`);
  }
  return name;
}

export function addSidecar(
  scope: Construct, taskDefinition: ecs.TaskDefinition, options: SidecarOptions, cpuArchitecture: ecs.CpuArchitecture,
  logging: { logDriver: ecs.LogDriver }, windows: boolean, taskMemoryMiB: number,
): ecs.ContainerDefinition {
  if (!Token.isUnresolved(options.name) && !/^[a-zA-Z0-9_-]{1,255}$/.test(options.name)) {
    throw new ShipyardError(scope, ErrorCode.CONTAINERS, `container name ${show(options.name)} is not valid`,
      'use up to 255 letters, digits, hyphens and underscores');
  }
  if (taskDefinition.findContainer(options.name) || options.name === LOG_ROUTER_NAME) {
    const containers = taskDefinition.node.children.filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition);
    const taken = [...containers.map(c => c.containerName), ...RESERVED_NAMES];
    throw new ShipyardError(scope, ErrorCode.CONTAINERS, `container name ${show(options.name)} is already used in the task`,
      `pick another name (${[...new Set(taken)].join(', ')} are taken by the workload)`);
  }
  checkContainerHealthCheck(scope, options.healthCheck);
  checkSecrets(scope, options.name, options.secrets);
  checkPlainEnvironment(scope, options.environmentVariables ?? {});
  bindEnvironmentFilesApart(scope, options.environmentFiles ?? [], `EnvironmentFiles-${options.name}`);
  const sidecar = taskDefinition.addContainer(`Sidecar-${options.name}`, {
    containerName: options.name,
    image: options.image._bind(scope, { cpuArchitecture }),
    command: options.command,
    entryPoint: options.entryPoint,
    dockerLabels: options.dockerLabels,
    environment: options.environmentVariables,
    environmentFiles: options.environmentFiles,
    secrets: options.secrets,
    essential: options.essential ?? true,
    healthCheck: options.healthCheck,
    cpu: options.cpu,
    memoryReservationMiB: options.memoryReservationMiB ?? (options.memoryLimitMiB === undefined ? 64 : undefined),
    // Every container states a hard limit (AWS Control Tower CT.ECS.PR.7): the task's, unless given.
    // (A reservation above it is the task's memory check to report, not aws-cdk-lib's.)
    memoryLimitMiB: options.memoryLimitMiB ?? Math.max(taskMemoryMiB, options.memoryReservationMiB ?? 0),
    portMappings: options.portMappings,
    logging: logging.logDriver,
    linuxParameters: windows ? undefined : baselineLinuxParameters(scope, options.containerSecurity, `LinuxParameters-${options.name}`),
    ...(windows ? {} : baselineContainerProps(options.containerSecurity)),
  });
  if (!windows) {
    applySecureBaseline(scope, taskDefinition, sidecar, options.containerSecurity, taskMemoryMiB);
    warnIfPrivileged(scope, sidecar, options.containerSecurity, taskDefinition.node.defaultChild!);
  }
  grantEnvironmentFiles(scope, taskDefinition, options.environmentFiles ?? []);
  return sidecar;
}

/**
 * The app container's hard limit: the task's memory less what the other containers reserve
 * (their reservation, or their hard limit where they reserve nothing), those added later
 * through the escape hatch included; at least 6 MiB, the least Docker accepts. Where they
 * reserve more than the task has, the task's memory check says so.
 */
function appMemoryLimit(taskDefinition: ecs.TaskDefinition, taskMemoryMiB: number, appName: string): number {
  let reserved = 0;
  for (const c of taskDefinition.node.children) {
    if (!(c instanceof ecs.ContainerDefinition) || c.containerName === appName) continue;
    reserved += reservedMiB(c.renderContainerDefinition());
  }
  return Math.max(taskMemoryMiB - reserved, 6);
}

/**
 * The main container's memory reservation. aws-cdk-lib compares it with the hard limit when the
 * container is added, and the hard limit is only known once every sidecar is (what they leave
 * of the task's memory): so it goes into the app's own entry of the rendered definitions (by its
 * position among the task's containers, fixed once added), and the comparison waits for synth.
 */
export function reserveAppMemory(scope: Construct, taskDefinition: ecs.TaskDefinition, container: ecs.ContainerDefinition, reservationMiB: number,
  taskMemoryMiB: number): void {
  const index = taskDefinition.node.children.filter(c => c instanceof ecs.ContainerDefinition).indexOf(container);
  (taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).addPropertyOverride(`ContainerDefinitions.${index}.MemoryReservation`, reservationMiB);
  scope.node.addValidation({
    validate: () => {
      const limit = appMemoryLimit(taskDefinition, taskMemoryMiB, container.containerName);
      return reservationMiB > limit ? [problemMessage(scope, {
        code: ErrorCode.TASK_SETTINGS,
        problem: `memoryReservationMiB is ${reservationMiB}, above the ${limit} MiB the sidecars leave the main container`,
        fix: 'lower memoryReservationMiB, raise memoryLimitMiB, or give the sidecars less memory',
      })] : [];
    },
  });
}

function applyLinuxSettings(scope: Construct, linuxParameters: ecs.LinuxParameters, props: WorkloadTaskProps): void {
  const add = props.linuxSettings?.addCapabilities ?? [];
  if (add.length > 0) linuxParameters.addCapabilities(...add);
  const drop = props.linuxSettings?.dropCapabilities ?? [];
  if (drop.length > 0) linuxParameters.dropCapabilities(...drop);
  if (props.enableExec && drop.length > 0) {
    warn(scope, WarningId.EXEC_DROPPED_CAPABILITIES,
      'ECS Exec runs its agent inside the main container; dropped capabilities may stop it from starting a session');
  }
}

/**
 * aws-cdk-lib names the asset of every `EnvironmentFile.fromAsset` 'EnvironmentFile' in the
 * container, so a second one fails with a construct id clash (aws/aws-cdk#21313). Binding each
 * file first in a scope of its own gives each asset its own id; the file keeps its asset, so the
 * container's own bind does not create another.
 */
function bindEnvironmentFilesApart(scope: Construct, files: ecs.EnvironmentFile[], id: string = 'EnvironmentFiles'): void {
  if (files.length < 2) return;
  const holder = new Construct(scope, id);
  files.forEach((file, i) => file.bind(new Construct(holder, String(i))));
}

/**
 * ECS reads environment files with the execution role, which aws-cdk-lib does not grant.
 * Source: Amazon ECS Developer Guide, "Pass an individual environment variable to a container"
 * (s3:GetObject on the object, s3:GetBucketLocation on the bucket).
 */
function grantEnvironmentFiles(scope: Construct, taskDefinition: ecs.TaskDefinition, files: ecs.EnvironmentFile[]): void {
  const partition = Stack.of(scope).partition;
  for (const file of files) {
    const location = file.bind(scope).s3Location;
    taskDefinition.addToExecutionRolePolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:${partition}:s3:::${location.bucketName}/${location.objectKey}`],
    }));
    taskDefinition.addToExecutionRolePolicy(new iam.PolicyStatement({
      actions: ['s3:GetBucketLocation'],
      resources: [`arn:${partition}:s3:::${location.bucketName}`],
    }));
  }
}

function unique(paths: string[]): string[] {
  return paths.filter((p, i) => paths.indexOf(p) === i);
}
