import { Duration, aws_ecs as ecs, aws_iam as iam, aws_servicediscovery as servicediscovery } from 'aws-cdk-lib';
import type { ServiceSpec } from './ecs-service';
import type { VpcLatticeTarget } from './vpc-lattice';
import { Capacity } from '../capacity/capacity';
import { DeploySpeed } from '../deployment/deploy-speed';
import { Deployment } from '../deployment/deployment';
import { IEnvironment } from '../environment/environment';
import { Logging } from '../logging/logging';
import { Tracing } from '../observability/tracing';
import { ContainerSecurityOptions } from '../task/baseline';
import { LinuxSettings, RestartPolicyOptions } from '../task/containers';
import { Image } from '../task/image';
import { SidecarOptions } from '../task/sidecar';
import { Volume } from '../task/volumes';

/**
 * The task model every workload shares: the main container, sidecars, volumes, logs and
 * operations access.
 */
export interface WorkloadTaskProps {
  /** The main container's image. */
  readonly image: Image;
  /**
   * Task CPU units (256 = 0.25 vCPU); must pair with `memoryLimitMiB` as Fargate allows.
   * @default 256
   */
  readonly cpu?: number;
  /**
   * Task memory in MiB.
   * @default 512
   */
  readonly memoryLimitMiB?: number;
  /**
   * CPU architecture of the task (and of local image builds).
   * @default - the architecture of the capacity's instances on EC2; ecs.CpuArchitecture.ARM64 (Graviton, about 20% cheaper than x86) on Fargate
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * Operating system of the task's containers. Windows Server tasks run on Fargate
   * (on-demand, X86_64, 1, 2 or 4 vCPU) or on Windows EC2 instances (`nat` or `awsvpc`
   * networking), without the Linux parts of the baseline.
   * @default ecs.OperatingSystemFamily.LINUX
   */
  readonly operatingSystemFamily?: ecs.OperatingSystemFamily;
  /**
   * Network mode. `AWS_VPC` gives each task its own network interface and security group
   * (Fargate supports nothing else); on EC2 capacity `BRIDGE` maps container ports to
   * dynamic host ports (many tasks per instance, the instances' security group admits the
   * load balancer on the ephemeral range) and `HOST` uses the instance's network directly.
   * @default ecs.NetworkMode.AWS_VPC
   */
  readonly networkMode?: ecs.NetworkMode;
  /**
   * The main container's command.
   * @default - the image's
   */
  readonly command?: string[];
  /**
   * The main container's entry point, replacing the image's ENTRYPOINT (`command` then holds
   * its arguments).
   * @default - the image's
   */
  readonly entryPoint?: string[];
  /**
   * The main container's working directory.
   * @default - the image's WORKDIR
   */
  readonly workingDirectory?: string;
  /**
   * CPU units reserved for the main container within the task's (`cpu`), so that sidecars keep
   * theirs under contention.
   * @default - none: the containers share the task's CPU (on Windows EC2 tasks, the task's CPU)
   */
  readonly containerCpu?: number;
  /**
   * The main container's soft memory limit (MiB): what it reserves, below its hard limit (what
   * the sidecars leave of the task's memory). At least 6 MiB (Docker's minimum).
   * @default - none: the hard limit alone
   */
  readonly memoryReservationMiB?: number;
  /**
   * Docker labels of the main container (for log routers, agents and tools that read them).
   * @default - none
   */
  readonly dockerLabels?: { [key: string]: string };
  /**
   * GPUs the main container reserves (the ECS agent gives it these devices), on EC2 capacity
   * of GPU instances (`AutoScalingCapacity` with `gpu: true`) or ECS Anywhere servers
   * registered with GPU support. Fargate and Managed Instances tasks reserve none here.
   * @default - no GPU
   */
  readonly gpuCount?: number;
  /**
   * The main container's name (what `targetContainer`, volume mounts, ECS Exec and the
   * console show), for a task that keeps a name it had before (`simple-app`).
   * @default 'app'
   */
  readonly containerName?: string;
  /**
   * The task definition's family: its name, shared by its revisions.
   * @default - generated from the construct path
   */
  readonly family?: string;
  /**
   * The role the task's containers act as (your organisation's, or one shared by tasks). It
   * must trust ecs-tasks.amazonaws.com; the library adds to it what its options need (ECS
   * Exec, tracing), so an imported role must be mutable or already allow those.
   * @default - a new role with nothing in it (`taskRole`, for your grants)
   */
  readonly taskRole?: iam.IRole;
  /**
   * The role ECS uses to start the task: pull the images, write the logs, read the secrets
   * and environment files. It must trust ecs-tasks.amazonaws.com; the library grants exactly
   * those reads to it, so an imported role must be mutable or already allow them.
   * @default - a new role with exactly those grants
   */
  readonly executionRole?: iam.IRole;
  /**
   * Plain (non-secret) environment variables. Credentials are rejected; use `secrets`.
   * @default - none
   */
  readonly environmentVariables?: { [key: string]: string };
  /**
   * Secrets from Secrets Manager (whole secret, JSON field, version stage or id) or SSM
   * Parameter Store (String or SecureString), injected as environment variables. The
   * execution role may read exactly these.
   * @default - none
   */
  readonly secrets?: { [key: string]: ecs.Secret };
  /**
   * Environment files (`.env`) from S3; the execution role may read exactly these objects.
   * @default - none
   */
  readonly environmentFiles?: ecs.EnvironmentFile[];
  /**
   * The main container's health check; its start period also becomes the service's health
   * check grace period.
   * @default - none (the load balancer health check decides)
   */
  readonly healthCheck?: ecs.HealthCheck;
  /**
   * Where the logs of every container of the task go.
   * @default Logging.awsLogs() - a new log group with the environment's retention, retained on delete
   */
  readonly logging?: Logging;
  /**
   * The main container's secure baseline.
   * @default - read-only root file system with a writable /tmp, user 1000:1000, init process, no privilege
   */
  readonly containerSecurity?: ContainerSecurityOptions;
  /**
   * Containers running beside the main container.
   * @default - none
   */
  readonly sidecars?: SidecarOptions[];
  /**
   * Containers that must run to completion (exit 0) before the main container starts.
   * @default - none
   */
  readonly initContainers?: SidecarOptions[];
  /**
   * Volumes mounted into the task's containers: EFS, or scratch space shared between containers.
   * @default - only the baseline's writable scratch paths
   */
  readonly volumes?: Volume[];
  /**
   * Ephemeral storage of a Fargate task in GiB (21-200).
   * @default 20 - Fargate's included storage
   */
  readonly ephemeralStorageGiB?: number;
  /**
   * Time the main container gets after SIGTERM before SIGKILL (Fargate: at most 120 s).
   * @default Duration.seconds(30)
   */
  readonly stopTimeout?: Duration;
  /**
   * Time a container's dependencies get to reach their condition before it gives up.
   * @default - ECS's default (3 minutes on Fargate)
   */
  readonly startTimeout?: Duration;
  /**
   * Restart the main container in place when it exits.
   * @default - no restart; the service replaces the task
   */
  readonly restartPolicy?: RestartPolicyOptions;
  /**
   * Linux settings of the main container beyond the baseline.
   * @default - the baseline only
   */
  readonly linuxSettings?: LinuxSettings;
  /**
   * Allow `aws ecs execute-command` into the tasks (ECS Exec). The task role gets the SSM
   * channel permissions and, when the environment configures exec, its logging and key.
   * @default false
   */
  readonly enableExec?: boolean;
  /**
   * Distributed tracing through a collector sidecar.
   * @default - no tracing
   */
  readonly tracing?: Tracing;
  /**
   * Let AWS Fault Injection Service (FIS) inject network faults into the tasks (the task
   * definition's `EnableFaultInjection`: the ECS agent gives the task's containers the fault
   * injection endpoints that FIS's ECS task actions use). For teams that run FIS experiments;
   * the experiment templates and their role are yours. Linux tasks in awsvpc or host network
   * mode only: anything else fails at synth (`PLATFORM`). On EC2 instances not built from a
   * current ECS-optimized AMI, the instances need `tc` and the `sch_netem` kernel module.
   * Source: Amazon ECS Developer Guide, "Use fault injection with your Amazon ECS and Fargate
   * workloads"; AWS CloudFormation Template Reference, AWS::ECS::TaskDefinition EnableFaultInjection.
   * @default false
   */
  readonly enableFaultInjection?: boolean;
}

/** Properties every workload shares: its environment and its task. */
export interface WorkloadProps extends WorkloadTaskProps {
  /** The environment the workload runs in. */
  readonly environment: IEnvironment;
}

/** Registration of a service's tasks in a Cloud Map DNS namespace, for callers outside ECS or a DNS name they already use. */
export interface ServiceDiscoveryOptions {
  /** A private (or public) DNS namespace: its name is the domain the tasks are found under. */
  readonly namespace: servicediscovery.INamespace;
  /**
   * The service's name in the namespace: callers resolve `<name>.<namespace>`.
   * @default - the construct id in lower case
   */
  readonly name?: string;
  /**
   * How long resolvers keep an answer; short, so callers stop calling a stopped task soon.
   * @default Duration.seconds(10)
   */
  readonly dnsTtl?: Duration;
}

/**
 * Properties the long-running services with a desired count share (WebService,
 * BackendService, WorkerService, NetworkService).
 */
export interface ServiceWorkloadProps extends WorkloadProps {
  /**
   * Capacity the tasks run on.
   * @default - the environment's default capacity
   */
  readonly capacity?: Capacity;
  /**
   * The Fargate platform version of the service's tasks (Fargate capacity only).
   * @default - LATEST
   */
  readonly platformVersion?: ecs.FargatePlatformVersion;
  /**
   * Also register the tasks in a Cloud Map DNS namespace (`<name>.<namespace>`): A records in
   * awsvpc mode, SRV records (address and port) in bridge and host mode, as ECS requires.
   * Beside Service Connect, for callers outside ECS or names clients already use.
   * @default - no DNS registration
   */
  readonly serviceDiscovery?: ServiceDiscoveryOptions;
  /**
   * Tasks to run. Leave it out with scaling: the scaling minimum brings a new service up and
   * the template then holds no count, so a deploy never resets a scaled-out service.
   * @default - scaling.minCapacity with scaling; otherwise 2 in production and 1 in development
   */
  readonly desiredCount?: number;
  /**
   * Sets health checks, draining and rolling percentages together for deployment speed.
   * @default - DeploySpeed.SAFE in production, DeploySpeed.FAST in development
   */
  readonly deploySpeed?: DeploySpeed;
  /**
   * How new versions roll out: rolling, or (with a load balancer) ECS-native blue/green,
   * linear or canary, or CodeDeploy (WebService). The circuit breaker rolls failures back, and
   * so do the load balancer alarms where the workload has them (WebService, NetworkService).
   * @default Deployment.rolling() - percentages from the deploy-speed preset
   */
  readonly deployment?: Deployment;
  /**
   * The ECS service's name, for runbooks and `aws ecs execute-command --service`: up to 255
   * letters, digits, underscores and hyphens, unique in the cluster. A named service cannot be
   * replaced under the same name (CloudFormation: a resource with a custom name cannot be
   * replaced), so a change that needs a new service also needs a new name; the library warns
   * (`WarningId.SERVICE_NAME`) so the choice is made on purpose.
   * @default - a name CloudFormation generates from the stack and construct
   */
  readonly serviceName?: string;
  /**
   * Availability Zone rebalancing: ECS watches how the service's tasks spread over the zones
   * and, when one zone holds more than its share (after a zone outage or a capacity shortage),
   * starts tasks in the zones with fewest and stops the surplus. It works for services that
   * start a task before stopping one (maxHealthyPercent above 100), whose first placement
   * strategy (EC2) spreads across zones and that pin no zone; not on ECS Anywhere. ENABLED
   * where it cannot work fails at synth (`DEPLOYMENT` for maxHealthyPercent 100, `PLATFORM`
   * otherwise); DISABLED turns it off for this service. The library writes the value into the
   * template, because ECS keeps a service's existing value on an update that gives none.
   * Sources: Amazon ECS Developer Guide, "Balancing an Amazon ECS service across Availability
   * Zones"; AWS CloudFormation Template Reference, AWS::ECS::Service AvailabilityZoneRebalancing.
   * @default - ENABLED where ECS can rebalance the service (a changed default since 0.3.0, under
   * the context flag `cdk-shipyard:availabilityZoneRebalancing`); DISABLED where it cannot
   * (maxHealthyPercent 100, another first placement strategy, a zone constraint); none on ECS Anywhere
   */
  readonly availabilityZoneRebalancing?: ecs.AvailabilityZoneRebalancing;
  /**
   * VPC Lattice target groups to register the tasks in (up to five; awsvpc tasks, as IP
   * targets): clients in other VPCs and accounts of the Lattice service network reach the
   * service through a Lattice service whose listener forwards to these groups. ECS registers and
   * deregisters the tasks through an infrastructure role the service gets, allowed those target
   * groups only. Source: Amazon ECS Developer Guide, "Use Amazon VPC Lattice to connect,
   * observe, and secure your Amazon ECS services".
   * @default - none
   */
  readonly vpcLattice?: VpcLatticeTarget[];
}

/**
 * What every replica workload passes from its `ServiceWorkloadProps` to `buildService` unchanged:
 * one place, so a new service setting reaches every workload that offers it. `id` names the
 * DNS registration by default.
 */
export function serviceSettings(id: string, props: ServiceWorkloadProps): Pick<ServiceSpec,
  'serviceName' | 'enableExec' | 'platformVersion' | 'availabilityZoneRebalancing' | 'vpcLattice' | 'serviceDiscovery'> {
  return {
    serviceName: props.serviceName,
    enableExec: props.enableExec,
    platformVersion: props.platformVersion,
    availabilityZoneRebalancing: props.availabilityZoneRebalancing,
    vpcLattice: props.vpcLattice,
    serviceDiscovery: props.serviceDiscovery && { options: props.serviceDiscovery, defaultName: id.toLowerCase() },
  };
}
