import { Token, aws_ecs as ecs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CHANGED_DEFAULTS, takesNewDefault } from '../guardrails/changed-defaults';
import { checkInteger, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { WarningId } from '../guardrails/warnings';
import { warnWithRule } from '../private/warning-rules';

/** Where the secure baseline's writable paths live. */
export enum WritablePathStorage {
  /**
   * A tmpfs mount per path, in the container's memory: writable by any user, since the mount
   * takes the mode of the image's directory at that path (1777 for `/tmp` in common base images)
   * or 1777 where the image has none. ECS supports tmpfs on Fargate and ECS Managed Instances
   * since January 2026, and on EC2 and ECS Anywhere before that.
   */
  MEMORY = 'memory',
  /**
   * A task storage volume (a bind mount) per path, on the task's disk. On Fargate the volume
   * is created owned by root (aws/containers-roadmap#938), so a non-root user cannot write it.
   */
  TASK_STORAGE = 'task-storage',
}

/**
 * The secure container baseline. Every field has a safe default; relaxing one is
 * explicit and raises an acknowledgeable warning.
 */
export interface ContainerSecurityOptions {
  /**
   * The user (and group) the container runs as, `uid[:gid]` or a name the image defines.
   * @default '1000:1000' - a non-root user
   */
  readonly user?: string;
  /**
   * Run as the user the image itself sets (its Dockerfile's `USER`), as stock images such as
   * nginx or httpd expect; the template then names no user. Raises the acknowledgeable
   * warning `cdk-shipyard:image-user`, since that user may be root.
   * @default false - the baseline's (or `user`'s) non-root user
   */
  readonly imageUser?: boolean;
  /**
   * Mount the container's root file system read-only.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Paths that stay writable, each backed by a scratch volume so the root file system
   * stays read-only (nginx, for instance, needs `/var/cache/nginx` and `/var/run`).
   * @default ['/tmp'] with a read-only root file system; none with a writable one (a volume
   * over `/tmp` would hide what the image keeps there)
   */
  readonly writablePaths?: string[];
  /**
   * Where the writable paths live: in memory (tmpfs, writable by the container's non-root
   * user) or on the task's storage (owned by root on Fargate).
   * @default WritablePathStorage.MEMORY, unless the app's context flag
   * `cdk-shipyard:writablePathsInMemory` is false (then TASK_STORAGE, as in 0.1.0)
   */
  readonly writablePathStorage?: WritablePathStorage;
  /**
   * The most each in-memory writable path may hold, in MiB; what it holds counts in the
   * container's memory.
   * @default - a quarter of the task's memory
   */
  readonly writablePathSizeMiB?: number;
  /**
   * Run an init process (tini) as PID 1 that forwards signals and reaps zombies.
   * @default true
   */
  readonly initProcessEnabled?: boolean;
  /**
   * Run the container privileged: every capability and the host's devices, as some host agents
   * (security sensors, infrastructure monitors) ask, for their main, sidecar or init containers.
   * A DaemonService's only, on EC2 capacity or ECS Managed Instances; for the main container, not
   * with `linuxSettings` capabilities, which ECS ignores for a privileged container. Raises the acknowledgeable warning `cdk-shipyard:privileged-container`,
   * paired with the ShipyardChecks rule `Shipyard-NoPrivilegedContainer`.
   * @default false
   */
  readonly privileged?: boolean;
}

/** Apply the baseline to `container` in `task`. Returns the baseline settings used. */
export function applySecureBaseline(
  scope: Construct, task: ecs.TaskDefinition, container: ecs.ContainerDefinition, options: ContainerSecurityOptions = {}, taskMemoryMiB: number,
  rootOnlyPaths: string[] = [],
): void {
  if (options.imageUser && options.user !== undefined) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `containerSecurity has both user ${show(options.user)} and imageUser`,
      'give one: user names who the container runs as, imageUser keeps the image\'s own');
  }
  // ECS takes user, user:group, uid, uid:gid, user:gid or uid:group (Amazon ECS Developer Guide,
  // task definition parameters, `user`); Docker fails to start a container with an empty part.
  const user = options.user;
  if (user !== undefined && !Token.isUnresolved(user) && !/^[^:\s]+(:[^:\s]+)?$/.test(user)) {
    throw new ShipyardError(scope, ErrorCode.TASK_SETTINGS, `containerSecurity.user ${show(user)} is not a user ECS can start the container as`,
      'give user, user:group, uid or uid:gid, such as 1000:1000, with no spaces or empty parts');
  }
  const writablePaths = options.writablePaths ?? (options.readOnlyRootFilesystem === false ? [] : ['/tmp']);
  writablePaths.forEach((path, i) => {
    if (!path.startsWith('/')) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `writable path ${show(path)} is not absolute`,
        'give absolute container paths such as /tmp or /var/cache/nginx');
    }
    if (writablePaths.indexOf(path) !== i) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `writable path ${show(path)} is listed twice`,
        'list each writable path once');
    }
  });
  mountWritablePaths(scope, task, container, writablePaths, options, taskMemoryMiB, rootOnlyPaths);
  // Each warning is paired with the ShipyardChecks rule that reports the same choice on the
  // task definition: acknowledging the warning acknowledges the rule.
  const resource = task.node.defaultChild!;
  if (isRoot(options.user)) {
    warnWithRule(scope, WarningId.ROOT_USER,
      `container ${container.containerName} runs as root (user ${show(options.user)}); a non-root user limits what a compromised process can do`,
      resource, 'NonRootUser');
  }
  if (options.imageUser) {
    warnWithRule(scope, WarningId.IMAGE_USER,
      `container ${container.containerName} runs as the user its image sets, which may be root; a non-root user limits what a compromised process can do`,
      resource, 'NonRootUser');
  }
  if (options.readOnlyRootFilesystem === false) {
    warnWithRule(scope, WarningId.WRITABLE_ROOT_FILESYSTEM,
      `container ${container.containerName} has a writable root file system; prefer containerSecurity.writablePaths`, resource, 'ReadOnlyRootFilesystem');
  }
}

/**
 * Mount the writable paths: tmpfs mounts (the default), or task storage volumes. Mount options:
 * nosuid and nodev (nothing there needs them); exec stays allowed, as on a disk, since JVM
 * libraries (Netty, snappy-java, sqlite-jdbc) load native code they unpack into the temp directory.
 * `rootOnlyPaths` (the ECS Exec agent's, which runs as root) stay on task storage: disk, not memory.
 */
function mountWritablePaths(scope: Construct, task: ecs.TaskDefinition, container: ecs.ContainerDefinition, paths: string[],
  options: ContainerSecurityOptions, taskMemoryMiB: number, rootOnlyPaths: string[]): void {
  const given = options.writablePathSizeMiB;
  const inMemory = options.writablePathStorage !== undefined
    ? options.writablePathStorage === WritablePathStorage.MEMORY
    : paths.some(p => !rootOnlyPaths.includes(p)) && takesNewDefault(scope, CHANGED_DEFAULTS.writablePathsInMemory);
  if (given !== undefined && !inMemory) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `containerSecurity.writablePathSizeMiB is ${show(given)}, and the writable paths are on task storage`,
      'remove writablePathSizeMiB (task storage takes the task\'s disk), or keep the paths in memory');
  }
  checkInteger(scope, ErrorCode.TASK_SETTINGS, 'containerSecurity.writablePathSizeMiB', given);
  checkRange(scope, ErrorCode.TASK_SETTINGS, 'containerSecurity.writablePathSizeMiB', given, 1, taskMemoryMiB, ' MiB (the task\'s memory)');
  paths.forEach((path, i) => {
    if (inMemory && !rootOnlyPaths.includes(path)) {
      container.linuxParameters!.addTmpfs({
        containerPath: path,
        size: given ?? Math.max(1, Math.floor(taskMemoryMiB / 4)),
        mountOptions: [ecs.TmpfsMountOption.NOSUID, ecs.TmpfsMountOption.NODEV, ecs.TmpfsMountOption.EXEC],
      });
      return;
    }
    const volumeName = `${container.containerName}-writable-${i}`;
    task.addVolume({ name: volumeName });
    container.addMountPoints({ sourceVolume: volumeName, containerPath: path, readOnly: false });
  });
}

/** The container definition fields the baseline sets. */
export function baselineContainerProps(options: ContainerSecurityOptions = {}) {
  return {
    user: options.imageUser ? undefined : options.user ?? '1000:1000',
    readonlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
    privileged: options.privileged ?? false,
  };
}

/** The Linux parameters the baseline sets (init process, no added capabilities). */
export function baselineLinuxParameters(
  scope: Construct, options: ContainerSecurityOptions = {}, id = 'LinuxParameters', sharedMemorySize?: number,
): ecs.LinuxParameters {
  return new ecs.LinuxParameters(scope, id, {
    initProcessEnabled: options.initProcessEnabled ?? true,
    sharedMemorySize,
  });
}

/** Whether a container `user` is root (`0` or `root`, with or without a group). */
export function isRoot(user: string | undefined): boolean {
  if (user === undefined) return false;
  const name = user.split(':')[0];
  return name === '0' || name === 'root';
}

/**
 * What ECS takes for a container health check, in seconds (retries a count). Source: Amazon ECS
 * API Reference, HealthCheck (interval 5-300, timeout 2-60, retries 1-10, startPeriod 0-300).
 * The importers move a source's values into these.
 */
export const CONTAINER_HEALTH_CHECK_LIMITS: { readonly [k in 'interval' | 'timeout' | 'retries' | 'startPeriod']: [number, number] } = {
  interval: [5, 300], timeout: [2, 60], retries: [1, 10], startPeriod: [0, 300],
};

/**
 * Validate a container health check against ECS limits (CONTAINER_HEALTH_CHECK_LIMITS, from the
 * ECS API Reference, HealthCheck: the timeout is 2-60 s; 2-120 s is a target group's).
 */
export function checkContainerHealthCheck(scope: Construct, healthCheck: ecs.HealthCheck | undefined): void {
  if (!healthCheck) return;
  const code = ErrorCode.CONTAINER_HEALTH_CHECK;
  const limits = CONTAINER_HEALTH_CHECK_LIMITS;
  checkRange(scope, code, 'healthCheck.interval', knownSeconds(healthCheck.interval), ...limits.interval, ' s');
  checkRange(scope, code, 'healthCheck.timeout', knownSeconds(healthCheck.timeout), ...limits.timeout, ' s');
  checkRange(scope, code, 'healthCheck.retries', healthCheck.retries, ...limits.retries);
  checkRange(scope, code, 'healthCheck.startPeriod', knownSeconds(healthCheck.startPeriod), ...limits.startPeriod, ' s');
}
