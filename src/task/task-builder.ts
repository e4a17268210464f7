import { Token, aws_ec2 as ec2, aws_ecs as ecs, aws_efs as efs, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { addAppContainer, addContainerDependencies, addSidecar, appContainerName, initContainer, reserveAppMemory } from './app-container';
import { checkImageArchitectures, checkNoNetwork, checkSameEnvironment, checkSecrets, checkTaskDefinition, checkTaskInputs, imageArchitecture } from './build-checks';
import { checkEc2TaskSize, checkFaultInjection, checkPlatform, checkWindows } from './platform-checks';
import { checkPrivileges } from './privileges';
import { SidecarOptions } from './sidecar';
import { acknowledgeIgnoredEgress, acknowledgeTaskFindings, acknowledgeTaskRole } from './task-findings';
import type { Volume } from './volumes';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { IEnvironment } from '../environment/environment';
import { checkTaskRoleTrust } from '../environment/roles';
import { checkFargateTaskSize, checkPlainEnvironment } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { LOG_ROUTER_NAME, Logging, LoggingBindOptions } from '../logging/logging';
import type { WorkloadTaskProps } from '../workloads/workload-props';

/** The task of a workload, built from its `WorkloadTaskProps`. */
export interface TaskModel {
  /** A `FargateTaskDefinition` on Fargate, an EC2-compatible `TaskDefinition` on EC2 capacity. */
  readonly taskDefinition: ecs.TaskDefinition;
  /** The capacity the task runs on. */
  readonly capacity: Capacity;
  /** The main container. */
  readonly container: ecs.ContainerDefinition;
  /** Every container the workload created, main container first. */
  readonly containers: ecs.ContainerDefinition[];
  /** The log group the main container's logs reach, if they stay in CloudWatch Logs. */
  readonly logGroup?: logs.ILogGroup;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  /** Whether the task runs Windows containers. */
  readonly windows: boolean;
  /** Whether every image the task pulls is in ECR (reachable through the ECR VPC endpoints). */
  readonly imagesFromEcr: boolean;
  /** Environment variables that look like secrets, for the workload's warning. */
  readonly secretLooking: string[];
  /** The EBS volume ECS configures when it starts each task (`Volume.ebs`), which the service passes on. */
  readonly launchVolume?: ecs.ServiceManagedVolume;
  /**
   * Finish the task once the service exists: admit it where the task needs it (EFS security
   * groups) and acknowledge the task role's findings (exec adds to the role with the service).
   */
  connect(runner: ec2.IConnectable, cluster: ecs.ICluster): void;
}

/** The platform a task is built for, decided and checked from the workload's props and capacity. */
export interface TaskPlatform {
  readonly cpu: number;
  readonly memoryLimitMiB: number;
  readonly onEc2: boolean;
  readonly external: boolean;
  readonly windows: boolean;
  readonly networkMode: ecs.NetworkMode;
  readonly cpuArchitecture: ecs.CpuArchitecture;
  readonly operatingSystemFamily: ecs.OperatingSystemFamily;
}

/** Build the task of a workload for its capacity: main container, sidecars, volumes, logging and tracing. */
export function buildTask(
  scope: Construct, env: IEnvironment, props: WorkloadTaskProps, portMappings: ecs.PortMapping[], capacity: Capacity,
  build: { managedDaemon?: boolean; hostAgent?: boolean } = {},
): TaskModel {
  checkSameEnvironment(scope, env);
  const platform = taskPlatform(scope, props, capacity);
  checkPrivileges(scope, props, { platform, hostAgent: build.hostAgent === true, managedDaemon: build.managedDaemon === true });
  checkTaskInputs(scope, props, platform, portMappings, capacity);
  const appName = appContainerName(scope, props.containerName);
  checkSecrets(scope, appName, props.secrets);
  const secretLooking = checkPlainEnvironment(scope, props.environmentVariables ?? {});

  const taskDefinition = createTaskDefinition(scope, props, capacity, platform);
  const logging = props.logging ?? Logging.awsLogs();
  const logBind = (containerName: string): LoggingBindOptions => ({
    containerName, taskDefinition, retention: env.logRetention, encryptionKey: env.logEncryptionKey, taskMemoryMiB: platform.memoryLimitMiB,
  });
  const tracing = props.tracing?._bind(scope, { taskDefinition, retention: env.logRetention, encryptionKey: env.logEncryptionKey });
  const appLogging = logging._bind(scope, logBind(appName));
  const container = addAppContainer(scope, taskDefinition, props, platform, portMappings, appName, {
    logDriver: appLogging.logDriver, environment: tracing ? { ...tracing.appEnvironment, ...props.environmentVariables } : props.environmentVariables,
  });

  const all = [
    ...(tracing ? [tracing.sidecar] : []),
    ...(props.sidecars ?? []),
    ...(props.initContainers ?? []).map(init => initContainer(scope, init)),
  ];
  const sidecars = all.map((options): [SidecarOptions, ecs.ContainerDefinition] =>
    [options, addSidecar(scope, taskDefinition, options, platform.cpuArchitecture, logging._bind(scope, logBind(options.name)), platform.windows,
      platform.memoryLimitMiB)]);
  if (platform.windows && taskDefinition.findContainer(LOG_ROUTER_NAME)) {
    throw new ShipyardError(scope, ErrorCode.LOGGING, 'the FireLens router cdk-shipyard adds is a Linux container, and the task runs Windows',
      'use Logging.awsLogs() or Logging.splunk() for Windows tasks');
  }
  const containers = [container, ...sidecars.map(([, c]) => c)];
  addContainerDependencies(scope, container, sidecars);
  const { fileSystems, launchVolume } = bindVolumes(scope, props.volumes ?? [], taskDefinition, containers, capacity, platform, build.managedDaemon);
  if (platform.networkMode === ecs.NetworkMode.NONE) checkNoNetwork(scope, props, containers, taskDefinition);
  checkTaskDefinition(scope, taskDefinition, platform);
  acknowledgeTaskFindings(scope, taskDefinition, props);
  if (props.memoryReservationMiB !== undefined) {
    reserveAppMemory(scope, taskDefinition, container, props.memoryReservationMiB, platform.memoryLimitMiB);
  }
  return {
    taskDefinition,
    capacity,
    container,
    containers,
    logGroup: appLogging.logGroup,
    cpuArchitecture: platform.cpuArchitecture,
    windows: platform.windows,
    imagesFromEcr: props.image.fromEcr && all.every(s => s.image.fromEcr),
    secretLooking,
    launchVolume,
    connect: (runner, cluster) => connectTask(taskDefinition, props, fileSystems, appLogging.logGroup, runner, cluster),
  };
}

/** Bind the volumes: the file systems the task mounts, and its one EBS volume, if any. */
function bindVolumes(scope: Construct, volumes: Volume[], taskDefinition: ecs.TaskDefinition, containers: ecs.ContainerDefinition[],
  capacity: Capacity, platform: TaskPlatform, managedDaemon?: boolean): { fileSystems: efs.IFileSystem[]; launchVolume?: ecs.ServiceManagedVolume } {
  const fileSystems: efs.IFileSystem[] = [];
  const launchVolumes: ecs.ServiceManagedVolume[] = [];
  const instanceSecurityGroups = capacity.autoScalingCapacities.map(c => c.securityGroup);
  for (const volume of volumes) {
    const bind = { taskDefinition, containers, platform: capacity.platform, windows: platform.windows, instanceSecurityGroups, managedDaemon };
    const config = volume._bind(scope, bind);
    if (config.fileSystem) fileSystems.push(config.fileSystem);
    if (config.launchVolume) launchVolumes.push(config.launchVolume);
  }
  if (launchVolumes.length > 1) {
    // Source: Amazon ECS API Reference, Volume (configuredAtLaunch): one per task definition revision.
    throw new ShipyardError(scope, ErrorCode.VOLUME, `the task has ${launchVolumes.length} EBS volumes (${launchVolumes.map(v => v.name).join(', ')}), and ECS attaches one per task`,
      'keep one Volume.ebs, and use Volume.scratch or Volume.efs for the rest');
  }
  return { fileSystems, launchVolume: launchVolumes[0] };
}

/** Connect the task to what it mounts, and acknowledge its role's findings, once the runner exists. */
function connectTask(taskDefinition: ecs.TaskDefinition, props: WorkloadTaskProps, fileSystems: efs.IFileSystem[],
  logGroup: logs.ILogGroup | undefined, runner: ec2.IConnectable, cluster: ecs.ICluster): void {
  // From the workload's side: where the file system lives in the environment's stack and the
  // workload in another, both rules land in the workload's stack (no dependency back on it).
  fileSystems.forEach(fs => runner.connections.allowTo(fs, fs.connections.defaultPort!, 'NFS from the workloads that mount it'));
  // The workload's groups allow all outbound traffic, so aws-cdk-lib skips the egress half of a
  // rule to a peer (these file systems, or a database the app admits it to with
  // `service.connections.allowToDefaultPort(db)`) and warns; the warning is true and asks nothing
  // of the user. Acknowledged at synth, after the app's own rules are added.
  runner.connections.securityGroups.filter(g => g.allowAllOutbound).forEach(acknowledgeIgnoredEgress);
  acknowledgeTaskRole(taskDefinition, props, cluster, logGroup);
}

/**
 * The task's platform: size, operating system, network mode (bridge on ECS Anywhere, which has
 * no awsvpc; nat for Windows on EC2; awsvpc otherwise) and architecture (the capacity's or the
 * image's; x86_64 for Windows and ECS Anywhere, whose instances are mostly x86_64 servers;
 * ARM64 otherwise), checked against the capacity.
 */
function taskPlatform(scope: Construct, props: WorkloadTaskProps, capacity: Capacity): TaskPlatform {
  const cpu = props.cpu ?? 256;
  const memoryLimitMiB = props.memoryLimitMiB ?? 512;
  const onEc2 = capacity.platform === CapacityPlatform.EC2;
  const external = capacity.platform === CapacityPlatform.EXTERNAL;
  const operatingSystemFamily = props.operatingSystemFamily ?? ecs.OperatingSystemFamily.LINUX;
  const windows = operatingSystemFamily.isWindows();
  const networkMode = props.networkMode
    ?? (external ? ecs.NetworkMode.BRIDGE : windows && onEc2 ? ecs.NetworkMode.NAT : ecs.NetworkMode.AWS_VPC);
  if (windows) checkWindows(scope, props, capacity, cpu);
  const cpuArchitecture = props.cpuArchitecture ?? capacity.cpuArchitecture ?? imageArchitecture(props.image)
    ?? (windows || external ? ecs.CpuArchitecture.X86_64 : ecs.CpuArchitecture.ARM64);
  checkImageArchitectures(scope, props, cpuArchitecture);
  checkPlatform(scope, props, capacity, networkMode, cpuArchitecture);
  checkFaultInjection(scope, props, networkMode, windows);
  if (onEc2 || external) checkEc2TaskSize(scope, cpu, memoryLimitMiB);
  else checkFargateTaskSize(scope, cpu, memoryLimitMiB);
  return { cpu, memoryLimitMiB, onEc2, external, windows, networkMode, cpuArchitecture, operatingSystemFamily };
}

/** The task definition for the capacity's platform. */
function createTaskDefinition(scope: Construct, props: WorkloadTaskProps, capacity: Capacity, platform: TaskPlatform): ecs.TaskDefinition {
  checkTaskRoleTrust(scope, 'taskRole', props.taskRole);
  checkTaskRoleTrust(scope, 'executionRole', props.executionRole);
  const roles = { taskRole: props.taskRole, executionRole: props.executionRole };
  // Off is ECS's default: the property stays out of the template unless asked for.
  const faultInjection = { enableFaultInjection: props.enableFaultInjection === true ? true : undefined };
  const size = {
    cpu: numberString(platform.cpu), memoryMiB: numberString(platform.memoryLimitMiB), family: props.family, ...roles, ...faultInjection,
  };
  const runtimePlatform = { cpuArchitecture: platform.cpuArchitecture, operatingSystemFamily: platform.operatingSystemFamily };
  switch (capacity.platform) {
    case CapacityPlatform.MANAGED_INSTANCES:
      // Compatible with Fargate too, so a workload moves between the two by its capacity alone.
      return new ecs.TaskDefinition(scope, 'TaskDefinition', {
        ...size, compatibility: ecs.Compatibility.FARGATE_AND_MANAGED_INSTANCES, networkMode: ecs.NetworkMode.AWS_VPC, runtimePlatform,
      });
    case CapacityPlatform.EXTERNAL:
      return new ecs.TaskDefinition(scope, 'TaskDefinition', { ...size, compatibility: ecs.Compatibility.EXTERNAL, networkMode: platform.networkMode });
    case CapacityPlatform.EC2:
      // ECS takes no runtime platform for EC2 tasks: the capacity's instances have the task's architecture (checked).
      return new ecs.TaskDefinition(scope, 'TaskDefinition', { ...size, compatibility: ecs.Compatibility.EC2, networkMode: platform.networkMode });
    default:
      return new ecs.FargateTaskDefinition(scope, 'TaskDefinition', {
        cpu: platform.cpu,
        memoryLimitMiB: platform.memoryLimitMiB,
        runtimePlatform,
        ephemeralStorageGiB: props.ephemeralStorageGiB,
        family: props.family,
        ...roles,
        ...faultInjection,
      });
  }
}

function numberString(value: number): string {
  return Token.isUnresolved(value) ? Token.asString(value) : String(value);
}
