import { Annotations, AspectPriority, Aspects, Lazy, Stack, Token, aws_ec2 as ec2, aws_ecs as ecs, aws_efs as efs, aws_iam as iam, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { applySecureBaseline, baselineContainerProps, baselineLinuxParameters, checkContainerHealthCheck, isRoot } from './baseline';
import { APP_CONTAINER_NAME, WorkloadTaskProps } from './containers';
import { Image } from './image';
import { checkEc2TaskSize, checkPlatform, checkTaskSettings, checkWindows } from './platform-checks';
import { ContainerDependency, SidecarOptions } from './sidecar';
import { reservedMiB, secretArnProblem, taskProblems } from './task-checks';
import type { Volume } from './volumes';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { acknowledgeUnencryptedLogGroup, IEnvironment } from '../environment/environment';
import { checkTaskRoleTrust } from '../environment/roles';
import { checkFargateTaskSize, checkInteger, checkPlainEnvironment, checkRange, checkVariableNames, ECS_NAME, isKnown } from '../guardrails/checks';
import { ErrorCode, problemMessage, ShipyardError, show } from '../guardrails/errors';
import { warn, WarningId } from '../guardrails/warnings';
import { LOG_ROUTER_NAME, Logging, LoggingBindOptions } from '../logging/logging';
import { COLLECTOR_NAME } from '../observability/tracing';
import { acknowledge, acknowledgeInlinePolicy } from '../private/nag';
import { warnWithRule } from '../private/warning-rules';

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

/** Writable paths the ECS Exec agent needs when the root file system is read-only. Source: aws/containers-roadmap#1359. */
const EXEC_WRITABLE_PATHS = ['/var/lib/amazon', '/var/log/amazon'];


/** The platform a task is built for, decided and checked from the workload's props and capacity. */
interface TaskPlatform {
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
): TaskModel {
  checkSameEnvironment(scope, env);
  const platform = taskPlatform(scope, props, capacity);
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
  const { fileSystems, launchVolume } = bindVolumes(scope, props.volumes ?? [], taskDefinition, containers, capacity, platform);
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

/** What the workload's props must satisfy before anything is built. */
function checkTaskInputs(scope: Construct, props: WorkloadTaskProps, platform: TaskPlatform, portMappings: ecs.PortMapping[],
  capacity: Capacity): void {
  if (platform.networkMode === ecs.NetworkMode.NONE && portMappings.length > 0) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `network mode "none" gives the task no network, and the workload listens on port ${portMappings[0].containerPort}`,
      'use bridge or awsvpc for a workload that receives traffic');
  }
  checkContainerHealthCheck(scope, props.healthCheck);
  checkTaskSettings(scope, props, platform.onEc2 || platform.external);
  checkContainerSettings(scope, props);
  checkContainerResources(scope, props, platform);
  checkGpus(scope, props.gpuCount, capacity);
}

/** Bind the volumes: the file systems the task mounts, and its one EBS volume, if any. */
function bindVolumes(scope: Construct, volumes: Volume[], taskDefinition: ecs.TaskDefinition, containers: ecs.ContainerDefinition[],
  capacity: Capacity, platform: TaskPlatform): { fileSystems: efs.IFileSystem[]; launchVolume?: ecs.ServiceManagedVolume } {
  const fileSystems: efs.IFileSystem[] = [];
  const launchVolumes: ecs.ServiceManagedVolume[] = [];
  const instanceSecurityGroups = capacity.autoScalingCapacities.map(c => c.securityGroup);
  for (const volume of volumes) {
    const bind = { taskDefinition, containers, platform: capacity.platform, windows: platform.windows, instanceSecurityGroups };
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

/** Acknowledge, as the app synthesizes, aws-cdk-lib's warning that a group allowing all outbound traffic skips an egress rule. */
function acknowledgeIgnoredEgress(group: ec2.ISecurityGroup): void {
  Aspects.of(group).add({
    visit: node => {
      if (node === group) {
        Annotations.of(group).acknowledgeWarning('@aws-cdk/aws-ec2:ipv4IgnoreEgressRule',
          'the group allows all outbound traffic, to the peers its rules name included');
      }
    },
  }, { priority: AspectPriority.MUTATING });
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
  if (onEc2 || external) checkEc2TaskSize(scope, cpu, memoryLimitMiB);
  else checkFargateTaskSize(scope, cpu, memoryLimitMiB);
  return { cpu, memoryLimitMiB, onEc2, external, windows, networkMode, cpuArchitecture, operatingSystemFamily };
}

/**
 * A family is up to 255 letters, digits, underscores and hyphens (Amazon ECS API Reference,
 * RegisterTaskDefinition family); Docker label keys are not empty; the entry point names a
 * program; the working directory and tmpfs mounts are absolute paths, and tmpfs sizes whole MiB.
 */
function checkContainerSettings(scope: Construct, props: WorkloadTaskProps): void {
  const code = ErrorCode.TASK_SETTINGS;
  if (props.family !== undefined && !Token.isUnresolved(props.family) && !ECS_NAME.test(props.family)) {
    throw new ShipyardError(scope, code, `family ${show(props.family)} is not a valid task definition family`,
      'use up to 255 letters, digits, underscores and hyphens');
  }
  if (Object.keys(props.dockerLabels ?? {}).some(k => k.trim() === '')) {
    throw new ShipyardError(scope, code, 'a Docker label has an empty key', 'give every label a key');
  }
  const program = props.entryPoint?.[0];
  if (props.entryPoint !== undefined && (program === undefined || (isKnown(program) && program.trim() === ''))) {
    throw new ShipyardError(scope, code, `entryPoint ${show(props.entryPoint)} names no program`,
      'leave entryPoint out to keep the image\'s, or give the program to run first');
  }
  const dir = props.workingDirectory;
  if (dir !== undefined && isKnown(dir) && dir.trim() === '') {
    throw new ShipyardError(scope, code, 'workingDirectory is empty', 'leave it out to keep the image\'s WORKDIR, or give a path');
  }
  // Docker refuses to start a Linux container whose working directory is relative ("the working
  // directory ... is invalid, it needs to be an absolute path").
  if (dir !== undefined && isKnown(dir) && !props.operatingSystemFamily?.isWindows() && !dir.startsWith('/')) {
    throw new ShipyardError(scope, code, `workingDirectory ${show(dir)} is not an absolute path, and Docker would not start the container`,
      `give an absolute path, such as /${dir.replace(/^\.?\/*/, '')}`);
  }
  props.linuxSettings?.tmpfs?.forEach((t, i) => {
    if (isKnown(t.containerPath) && !t.containerPath.startsWith('/')) {
      throw new ShipyardError(scope, code, `linuxSettings.tmpfs[${i}].containerPath ${show(t.containerPath)} is not absolute`, 'give an absolute container path');
    }
    checkInteger(scope, code, `linuxSettings.tmpfs[${i}].size`, t.size);
    checkRange(scope, code, `linuxSettings.tmpfs[${i}].size`, t.size, 1, Number.MAX_SAFE_INTEGER, ' MiB');
  });
}

/**
 * The main container's CPU share fits the task's, and its memory reservation is at least
 * Docker's 6 MiB and below the task's memory (Amazon ECS Developer Guide, task definition
 * parameters: `cpu`, `memoryReservation`).
 */
function checkContainerResources(scope: Construct, props: WorkloadTaskProps, platform: TaskPlatform): void {
  const code = ErrorCode.TASK_SETTINGS;
  checkInteger(scope, code, 'containerCpu', props.containerCpu);
  checkRange(scope, code, 'containerCpu', props.containerCpu, 0, platform.cpu, ' CPU units');
  checkInteger(scope, code, 'memoryReservationMiB', props.memoryReservationMiB);
  checkRange(scope, code, 'memoryReservationMiB', props.memoryReservationMiB, 6, platform.memoryLimitMiB - 1, ' MiB');
}

/**
 * GPUs are reserved on instances that have them: EC2 capacity whose groups all run the GPU
 * image, or ECS Anywhere servers (registered with --enable-gpu). Source: Amazon ECS Developer
 * Guide, "Amazon ECS task definitions for GPU workloads".
 */
function checkGpus(scope: Construct, gpuCount: number | undefined, capacity: Capacity): void {
  if (gpuCount === undefined) return;
  checkInteger(scope, ErrorCode.TASK_SETTINGS, 'gpuCount', gpuCount);
  checkRange(scope, ErrorCode.TASK_SETTINGS, 'gpuCount', gpuCount, 1, 64);
  if (capacity.platform !== CapacityPlatform.EC2 && capacity.platform !== CapacityPlatform.EXTERNAL) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `gpuCount ${gpuCount} is given, and the tasks run on ${capacity.platform} capacity`,
      'run the workload on GPU instances: an AutoScalingCapacity with gpu: true (Capacity.ec2(...)), or ECS Anywhere servers with GPUs');
  }
  const without = capacity.autoScalingCapacities.filter(p => !p.gpu);
  if (without.length > 0) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `gpuCount ${gpuCount} is given, and ${without.map(p => p.node.path).join(', ')} has no GPU image`,
      'set gpu: true on the AutoScalingCapacity (the NVIDIA image) with GPU instance types (g5, g6, p4...)');
  }
}

/** The task definition for the capacity's platform. */
function createTaskDefinition(scope: Construct, props: WorkloadTaskProps, capacity: Capacity, platform: TaskPlatform): ecs.TaskDefinition {
  checkTaskRoleTrust(scope, 'taskRole', props.taskRole);
  checkTaskRoleTrust(scope, 'executionRole', props.executionRole);
  const roles = { taskRole: props.taskRole, executionRole: props.executionRole };
  const size = { cpu: numberString(platform.cpu), memoryMiB: numberString(platform.memoryLimitMiB), family: props.family, ...roles };
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
      });
  }
}

/** The main container, with the secure baseline (Linux) and its settings. */
function addAppContainer(scope: Construct, taskDefinition: ecs.TaskDefinition, props: WorkloadTaskProps, platform: TaskPlatform,
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
  }
  grantEnvironmentFiles(scope, taskDefinition, props.environmentFiles ?? []);
  props.linuxSettings?.ulimits?.forEach(u => container.addUlimits(u));
  props.linuxSettings?.tmpfs?.forEach(t => linuxParameters?.addTmpfs(t));
  return container;
}

/** The sidecars' `dependsOn` and the app's `appWaitsFor`, each naming a container of the task. */
function addContainerDependencies(scope: Construct, container: ecs.ContainerDefinition,
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

/** The task's problems now, and at synth again for containers and volumes added later through the escape hatch. */
function checkTaskDefinition(scope: Construct, taskDefinition: ecs.TaskDefinition, platform: TaskPlatform): void {
  const fargate = { memoryMiB: platform.memoryLimitMiB, fargate: !platform.onEc2 && !platform.external };
  const problems = taskProblems(taskDefinition, { ...fargate, synth: false });
  if (problems.length > 0) throw new ShipyardError(scope, problems[0].code, problems[0].problem, problems[0].fix);
  taskDefinition.node.addValidation({
    validate: () => taskProblems(taskDefinition, { ...fargate, synth: true }).map(p => problemMessage(taskDefinition, p)),
  });
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

function numberString(value: number): string {
  return Token.isUnresolved(value) ? Token.asString(value) : String(value);
}

function unique(paths: string[]): string[] {
  return paths.filter((p, i) => paths.indexOf(p) === i);
}

function checkSecrets(scope: Construct, containerName: string, secrets: { [key: string]: ecs.Secret } | undefined): void {
  checkVariableNames(scope, Object.keys(secrets ?? {}));
  for (const [name, secret] of Object.entries(secrets ?? {})) {
    const problem = secretArnProblem(secret.arn);
    if (problem) throw new ShipyardError(scope, problem.code, `container ${show(containerName)} secret ${show(name)}: ${problem.problem}`, problem.fix);
  }
}

function applyLinuxSettings(scope: Construct, linuxParameters: ecs.LinuxParameters, props: WorkloadTaskProps): void {
  const drop = props.linuxSettings?.dropCapabilities ?? [];
  if (drop.length > 0) linuxParameters.dropCapabilities(...drop);
  if (props.enableExec && drop.length > 0) {
    warn(scope, WarningId.EXEC_DROPPED_CAPABILITIES,
      'ECS Exec runs its agent inside the main container; dropped capabilities may stop it from starting a session');
  }
}

function initContainer(scope: Construct, init: SidecarOptions): SidecarOptions {
  if (init.essential === true) {
    throw new ShipyardError(scope, ErrorCode.CONTAINER_DEPENDENCY, `init container ${show(init.name)} is essential`,
      'leave essential unset: an init container exits, which would stop the task');
  }
  return { ...init, essential: false, appWaitsFor: ecs.ContainerDependencyCondition.SUCCESS };
}

/**
 * A task in network mode `none` has a loopback interface only: no container maps a port, and
 * nothing in the task reaches out (ECS Exec's channel, the tracing collector, a FireLens
 * router). awslogs and splunk drivers run in the instance's Docker daemon, so they still ship.
 * Source: Amazon ECS Developer Guide, "Amazon ECS task networking options for EC2".
 */
function checkNoNetwork(scope: Construct, props: WorkloadTaskProps, containers: ecs.ContainerDefinition[], taskDefinition: ecs.TaskDefinition): void {
  const mapped = containers.filter(c => c.portMappings.length > 0).map(c => c.containerName);
  const problem = mapped.length > 0 ? `container ${mapped.join(', ')} maps ports`
    : props.enableExec ? 'ECS Exec needs the network for its channel'
      : props.tracing ? 'the tracing collector sends spans over the network'
        : taskDefinition.findContainer(LOG_ROUTER_NAME) ? 'the FireLens log router sends logs over the network' : undefined;
  if (problem) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `network mode "none" gives the task no network, and ${problem}`,
      'use bridge or awsvpc for a task that talks to anything, or drop what needs the network (awslogs still ships logs)');
  }
}

/** Names the library gives containers it adds (the tracing collector is a sidecar by that name). */
const RESERVED_NAMES = [LOG_ROUTER_NAME, COLLECTOR_NAME];

/** The main container's name: `app`, or the one given, a valid name the library does not use. */
function appContainerName(scope: Construct, name: string | undefined): string {
  if (name === undefined) return APP_CONTAINER_NAME;
  if (!Token.isUnresolved(name) && (!/^[a-zA-Z0-9_-]{1,255}$/.test(name) || RESERVED_NAMES.includes(name))) {
    throw new ShipyardError(scope, ErrorCode.CONTAINERS, `containerName ${show(name)} is not a name the main container can take`,
      `use up to 255 letters, digits, hyphens and underscores, other than ${RESERVED_NAMES.join(' and ')} (the library's)`);
  }
  return name;
}

function addSidecar(
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
  if (!windows) applySecureBaseline(scope, taskDefinition, sidecar, options.containerSecurity, taskMemoryMiB);
  grantEnvironmentFiles(scope, taskDefinition, options.environmentFiles ?? []);
  return sidecar;
}

/** Acknowledge AwsSolutions-ECS2 (plain environment variables) once per task definition. */
export function acknowledgePlainVariables(taskDefinition: ecs.TaskDefinition): void {
  if (ACKNOWLEDGED_VARIABLES.has(taskDefinition)) return;
  ACKNOWLEDGED_VARIABLES.add(taskDefinition);
  acknowledge(taskDefinition, [{
    id: 'AwsSolutions-ECS2',
    reason: 'Plain environment variables carry configuration only: cdk-shipyard rejects credentials at synth time and passes secrets through ecs.Secret.',
  }]);
}

const ACKNOWLEDGED_VARIABLES = new WeakSet<ecs.TaskDefinition>();

function acknowledgeTaskFindings(scope: Construct, taskDefinition: ecs.TaskDefinition, props: WorkloadTaskProps): void {
  for (const child of scope.node.children) {
    if (child instanceof logs.LogGroup && !(child.node.defaultChild as logs.CfnLogGroup).kmsKeyId) acknowledgeUnencryptedLogGroup(child);
  }
  const plainVariables = [props.environmentVariables, ...[...props.sidecars ?? [], ...props.initContainers ?? []].map(s => s.environmentVariables)]
    .some(v => v && Object.keys(v).length > 0);
  if (plainVariables || props.tracing) acknowledgePlainVariables(taskDefinition);
  if (props.operatingSystemFamily?.isWindows()) {
    // An EC2 Windows task states no runtime platform, so ShipyardChecks cannot tell it is Windows.
    const reason = 'Windows containers take none of the Linux controls (read-only root file system, user); warning cdk-shipyard:windows-baseline.';
    acknowledge(taskDefinition, [{ id: 'Shipyard-ReadOnlyRootFilesystem', reason }, { id: 'Shipyard-NonRootUser', reason }]);
  }
  const stack = Stack.of(scope);
  const executionPolicy = taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
  if (executionPolicy) {
    acknowledgeInlinePolicy(executionPolicy);
    const text = JSON.stringify(stack.resolve((executionPolicy.node.defaultChild as iam.CfnPolicy).policyDocument));
    if (text.includes('ecr:GetAuthorizationToken')) {
      acknowledge(executionPolicy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'ecr:GetAuthorizationToken does not support resource-level permissions; image pulls are limited to the images\' repositories.',
        appliesTo: ['Resource::*'],
      }]);
    }
    if (text.includes('repository/aws-for-fluent-bit')) {
      acknowledge(executionPolicy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'AWS publishes the AWS for Fluent Bit image from an AWS-owned account that differs by region; pulls are limited to that repository name in this region.',
        appliesTo: ['Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:*:repository/aws-for-fluent-bit'],
      }]);
    }
  }
}

/** The waivable warnings about a workload's task. */
export function warnAboutTask(scope: Construct, env: IEnvironment, task: TaskModel, props: WorkloadTaskProps): void {
  if (task.secretLooking.length > 0) {
    warnWithRule(scope, WarningId.SECRET_LIKE_VARIABLE,
      `environment variables ${task.secretLooking.join(', ')} look like secrets; pass them through \`secrets\` (ecs.Secret) instead`,
      task.taskDefinition.node.defaultChild!, 'NoSecretsInVariables');
  }
  if (!env.internetEgress && !task.imagesFromEcr) {
    warn(scope, WarningId.IMAGE_UNREACHABLE,
      'the environment has no internet egress (VPC endpoints only) and an image of the task is not in ECR; tasks cannot pull it unless the registry is reachable privately');
  }
  if (props.operatingSystemFamily?.isWindows()) {
    warn(scope, WarningId.WINDOWS_BASELINE,
      'Windows containers take none of the secure baseline\'s Linux controls (read-only root file system, non-root user, init process); '
      + 'run the application as a non-administrator user inside the image');
  }
  if (task.capacity.platform === CapacityPlatform.EC2 && task.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC) {
    warn(scope, WarningId.AWSVPC_ON_EC2,
      'awsvpc tasks on EC2 take one network interface of their instance each (an m7g.large has 2 to spare); '
      + 'turn on the account setting awsvpcTrunking, or use networkMode BRIDGE');
  }
  if (!env.internetEgress && props.enableExec) {
    warn(scope, WarningId.EXEC_UNREACHABLE,
      'ECS Exec needs the ssmmessages endpoint; the environment has no internet egress, so add an interface endpoint for ssmmessages to the VPC');
  }
  if (!props.operatingSystemFamily?.isWindows()) warnAboutPrivilegedPorts(scope, task.containers);
}

/**
 * A container that runs as a non-root user cannot bind a port below 1024 on ECS: the runtime
 * leaves net.ipv4.ip_unprivileged_port_start at 1024 and drops no such privilege to
 * non-root processes (aws/containers-roadmap#1721, open). The task would start and then fail
 * to listen, so synth says so.
 */
function warnAboutPrivilegedPorts(scope: Construct, containers: ecs.ContainerDefinition[]): void {
  for (const container of containers) {
    const rendered = container.renderContainerDefinition();
    if (rendered.user === undefined || Token.isUnresolved(rendered.user) || isRoot(rendered.user)) continue;
    const low = container.portMappings.map(m => m.containerPort).filter(p => !Token.isUnresolved(p) && p > 0 && p < 1024);
    if (low.length === 0) continue;
    warn(scope, WarningId.PRIVILEGED_PORT,
      `container ${container.containerName} listens on port ${low.join(', ')} as user ${show(rendered.user)}, and a non-root process cannot bind a port `
      + 'below 1024 on ECS; listen on 1024 or above (the load balancer keeps its own port: set containerPort to it, e.g. 8080), '
      + 'or run the container as root (containerSecurity.user \'0\') if the image drops privileges itself');
  }
}

/** Acknowledge the task role's findings for the wildcards the task model itself adds. */
function acknowledgeTaskRole(
  taskDefinition: ecs.TaskDefinition, props: WorkloadTaskProps, cluster: ecs.ICluster, taskLogGroup?: logs.ILogGroup,
): void {
  const taskPolicy = taskDefinition.taskRole.node.tryFindChild('DefaultPolicy');
  if (!taskPolicy) return;
  acknowledgeInlinePolicy(taskPolicy);
  const reasons = [
    props.tracing ? 'X-Ray trace and sampling actions (xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSampling*) take no resource-level permissions'
      : undefined,
    props.enableExec ? 'the ECS Exec channel actions (ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel, '
      + 'ssmmessages:OpenDataChannel) and logs:DescribeLogGroups take no resource-level permissions' : undefined,
  ].filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return;
  const appliesTo = ['Resource::*'];
  const execLogs = props.enableExec ? execLogGroup(cluster, taskLogGroup) : undefined;
  if (execLogs) {
    // An imported group's ARN ends in :* (its streams); a group of the app's renders as its Arn attribute.
    appliesTo.push(`Resource::${execLogs.logGroupArn}`);
    reasons.push('exec session logs go to one log group and its streams only (the environment\'s exec log group, or else the task\'s own)');
  }
  acknowledge(taskPolicy, [{ id: 'AwsSolutions-IAM5', reason: `${reasons.join('; ')}.`, appliesTo }]);
}

/** Where exec session logs go: the cluster's exec log group, or with logging DEFAULT the task's awslogs group; none with NONE. */
function execLogGroup(cluster: ecs.ICluster, taskLogGroup: logs.ILogGroup | undefined): logs.ILogGroup | undefined {
  const exec = cluster.executeCommandConfiguration;
  return (exec?.logConfiguration?.cloudWatchLogGroup as logs.ILogGroup | undefined)
    ?? (exec?.logging === ecs.ExecuteCommandLogging.NONE ? undefined : taskLogGroup);
}

/**
 * The task-role permissions ECS Exec needs, the least each takes: the SSM channel, and the
 * cluster's exec key, log group and bucket; with no exec log group (logging DEFAULT), session
 * logs go where the container's awslogs driver sends its logs, so to the task's own log group.
 * Source: Amazon ECS Developer Guide, "Monitor Amazon ECS containers with ECS Exec", IAM
 * permissions and "Logging and auditing using ECS Exec".
 */
export function grantExecToTasks(taskDefinition: ecs.TaskDefinition, cluster: ecs.ICluster, taskLogGroup?: logs.ILogGroup): void {
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
    actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
    resources: ['*'],
  }));
  const exec = cluster.executeCommandConfiguration;
  if (exec?.kmsKey) taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [exec.kmsKey.keyArn] }));
  const logGroup = execLogGroup(cluster, taskLogGroup);
  if (logGroup) {
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: ['*'] }));
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
  }
  const bucket = exec?.logConfiguration?.s3Bucket;
  if (bucket) {
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetEncryptionConfiguration'], resources: [bucket.bucketArn] }));
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${exec?.logConfiguration?.s3KeyPrefix ?? ''}*`)] }));
  }
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
function reserveAppMemory(scope: Construct, taskDefinition: ecs.TaskDefinition, container: ecs.ContainerDefinition, reservationMiB: number,
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

/** The architecture an image stated for one architecture only gives a task left to its default. */
function imageArchitecture(image: Image): ecs.CpuArchitecture | undefined {
  const stated = image.architectures ?? [];
  return stated.length === 1 ? stated[0] : undefined;
}

/**
 * Every image that states its architectures includes the task's; a registry image that states
 * none, meeting the ARM64 default, is warned about (most stock images are multi-architecture,
 * some are x86 only, and an x86 image on an ARM64 task exits at once with `exec format error`).
 */
function checkImageArchitectures(scope: Construct, props: WorkloadTaskProps, cpuArchitecture: ecs.CpuArchitecture): void {
  const others = [...props.sidecars ?? [], ...props.initContainers ?? []];
  const images: Array<[string, Image]> = [[props.containerName ?? APP_CONTAINER_NAME, props.image],
    ...others.map(s => [s.name, s.image] as [string, Image])];
  for (const [name, image] of images) {
    const stated = image.architectures;
    if (stated && stated.length > 0 && !stated.includes(cpuArchitecture)) {
      throw new ShipyardError(scope, ErrorCode.IMAGE,
        `the image of container ${show(name)} is published for ${stated.map(a => a._cpuArchitecture).join(', ')}, and the task runs ${cpuArchitecture._cpuArchitecture}`,
        'set cpuArchitecture to one the image supports (or leave it out to follow the image), or use an image built for the task\'s architecture');
    }
  }
  const defaulted = props.cpuArchitecture === undefined && cpuArchitecture === ecs.CpuArchitecture.ARM64;
  const unknown = images.filter(([, image]) => image.registryImage && image.architectures === undefined).map(([name]) => name);
  if (defaulted && unknown.length > 0) {
    warn(scope, WarningId.IMAGE_ARCHITECTURE,
      `the task runs ARM64 (Graviton) by default, and the registry image of ${unknown.map(n => show(n)).join(', ')} does not say it is built for ARM64; `
      + 'state its architectures (Image.fromRegistry(name, { architectures: [ecs.CpuArchitecture.ARM64, ...] })), '
      + 'or set cpuArchitecture: ecs.CpuArchitecture.X86_64 for an x86-only image');
  }
}

/**
 * A workload runs in its environment's account and region: its service, task definition and
 * listener rules reference the environment's cluster, VPC and load balancer, which
 * CloudFormation cannot reach across accounts or regions.
 */
function checkSameEnvironment(scope: Construct, env: IEnvironment): void {
  const here = Stack.of(scope);
  const there = Stack.of(env.cluster);
  const differs = (a: string, b: string) => !Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b;
  if (differs(here.account, there.account) || differs(here.region, there.region)) {
    throw new ShipyardError(scope, ErrorCode.CROSS_ENVIRONMENT,
      `the workload's stack ${here.stackName} is in ${here.account}/${here.region}, and its environment's stack ${there.stackName} in ${there.account}/${there.region}`,
      'deploy the workload\'s stack to the environment\'s account and region (env), or give it an Environment of its own there');
  }
}
