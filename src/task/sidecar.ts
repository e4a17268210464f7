import { aws_ecs as ecs } from 'aws-cdk-lib';
import { ContainerSecurityOptions } from './baseline';
import { Image } from './image';

/** A container another container waits for. */
export interface ContainerDependency {
  /** Name of the container waited for (`app` is the workload's main container). */
  readonly containerName: string;
  /**
   * What the container must reach first. HEALTHY needs a health check on that container;
   * COMPLETE and SUCCESS need it to be non-essential (it exits).
   * @default ecs.ContainerDependencyCondition.START
   */
  readonly condition?: ecs.ContainerDependencyCondition;
}

/**
 * A container next to the workload's main container: a proxy, an agent, or (as an init
 * container) a step that must finish first. The secure baseline applies to it as well.
 */
export interface SidecarOptions {
  /** Container name, unique within the task (`app` is taken). */
  readonly name: string;
  /** The container image (built for the task's CPU architecture when local). */
  readonly image: Image;
  /**
   * The container's command.
   * @default - the image's
   */
  readonly command?: string[];
  /**
   * The container's entry point.
   * @default - the image's
   */
  readonly entryPoint?: string[];
  /**
   * Plain environment variables. Credentials are rejected; use `secrets`.
   * @default - none
   */
  readonly environmentVariables?: { [key: string]: string };
  /**
   * Secrets from Secrets Manager or SSM Parameter Store, injected as environment variables.
   * @default - none
   */
  readonly secrets?: { [key: string]: ecs.Secret };
  /**
   * Whether the task stops when this container stops. Init containers are never essential.
   * @default true for sidecars
   */
  readonly essential?: boolean;
  /**
   * The container's health check (needed when another container waits for it to be HEALTHY).
   * @default - none
   */
  readonly healthCheck?: ecs.HealthCheck;
  /**
   * CPU units reserved for the container, out of the task's.
   * @default - none reserved; the container shares the task's CPU
   */
  readonly cpu?: number;
  /**
   * Soft memory limit in MiB, counted against the task's memory.
   * @default 64
   */
  readonly memoryReservationMiB?: number;
  /**
   * Hard memory limit in MiB; the container is killed above it.
   * @default - no hard limit; the task's memory is the limit
   */
  readonly memoryLimitMiB?: number;
  /**
   * Ports the container listens on (within the task, or for Service Connect).
   * @default - none
   */
  readonly portMappings?: ecs.PortMapping[];
  /**
   * Docker labels of the container (Copilot's `sidecars.<name>.labels`).
   * @default - none
   */
  readonly dockerLabels?: { [key: string]: string };
  /**
   * Files of `KEY=value` lines in S3 whose variables the container gets; the execution role
   * reads exactly these objects.
   * @default - none
   */
  readonly environmentFiles?: ecs.EnvironmentFile[];
  /**
   * Containers that must reach a condition before this one starts.
   * @default - none
   */
  readonly dependsOn?: ContainerDependency[];
  /**
   * Make the main container wait until this sidecar reaches the condition (START, or HEALTHY
   * for a proxy the app needs). Init containers always use SUCCESS.
   * @default - the main container does not wait for the sidecar
   */
  readonly appWaitsFor?: ecs.ContainerDependencyCondition;
  /**
   * The secure baseline of this container.
   * @default - read-only root file system with a writable /tmp, user 1000:1000, init process, no privilege
   */
  readonly containerSecurity?: ContainerSecurityOptions;
}
