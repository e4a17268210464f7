import { Duration, aws_ecs as ecs } from 'aws-cdk-lib';

/** The name of a workload's main container, for `dependsOn` and volume mounts. */
export const APP_CONTAINER_NAME = 'app';

/** Linux settings of the main container, beyond the secure baseline. */
export interface LinuxSettings {
  /**
   * Kernel capabilities to drop (`ecs.Capability.ALL` drops every one).
   * @default - Docker's default set is kept
   */
  readonly dropCapabilities?: ecs.Capability[];
  /**
   * Kernel capabilities to add to Docker's default set, for a program that needs one (a
   * profiler's `SYS_PTRACE`, a network agent's `NET_ADMIN`). A Fargate task, and a Managed
   * Instances service (whose task definition is Fargate's too), adds `SYS_PTRACE` only; EC2
   * capacity, ECS Anywhere and a managed daemon add any. Raises the acknowledgeable warning
   * `cdk-shipyard:added-capabilities`.
   * @default - none: Docker's default set
   */
  readonly addCapabilities?: ecs.Capability[];
  /**
   * Resource limits (Fargate accepts `NOFILE` only, up to 1048576; EC2 accepts every limit).
   * @default - nofile 65535 on Fargate
   */
  readonly ulimits?: ecs.Ulimit[];
  /**
   * Size of /dev/shm in MiB. EC2 capacity only: Fargate does not support it.
   * @default - Docker's 64 MiB
   */
  readonly sharedMemorySizeMiB?: number;
  /**
   * tmpfs mounts of the main container, with your own size and mount options (the baseline's
   * `containerSecurity.writablePaths` are tmpfs mounts already). Every Linux capacity.
   * @default - none
   */
  readonly tmpfs?: ecs.Tmpfs[];
}

/** Restart a failed essential container in place instead of replacing the task. */
export interface RestartPolicyOptions {
  /**
   * Exit codes that do not restart the container (at most 50).
   * @default - every exit code restarts it
   */
  readonly ignoredExitCodes?: number[];
  /**
   * How long the container must have run before a restart is tried again (60-1800 s).
   * @default Duration.seconds(300)
   */
  readonly attemptPeriod?: Duration;
}
