import { aws_ecs as ecs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { checkInteger, checkRange, isKnown, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import type { WorkloadTaskProps } from '../workloads/workload-props';

/** Restart policy limits. Source: Amazon ECS Developer Guide, "Restart individual containers in Amazon ECS tasks". */
const RESTART_ATTEMPT_PERIOD = { min: 60, max: 1800 };
const MAX_IGNORED_EXIT_CODES = 50;

/**
 * What the capacity's platform cannot run. Source: Amazon ECS Developer Guide, "Amazon ECS
 * task networking options" (Fargate: awsvpc only) and "Task definition differences for
 * Fargate" (ephemeral storage is Fargate's; shared memory and other ulimits are EC2's). tmpfs
 * mounts run everywhere: on Fargate and ECS Managed Instances since 6 January 2026 (What's New,
 * "Amazon ECS supports tmpfs mounts on AWS Fargate and Amazon ECS Managed Instances").
 */
export function checkPlatform(
  scope: Construct, props: WorkloadTaskProps, capacity: Capacity, networkMode: ecs.NetworkMode, cpuArchitecture: ecs.CpuArchitecture,
): void {
  const fail = (problem: string, fix: string) => new ShipyardError(scope, ErrorCode.PLATFORM, problem, fix);
  const instances = capacity.cpuArchitecture;
  if (instances && cpuArchitecture !== instances) {
    throw fail(`the task's CPU architecture is ${cpuArchitecture}, and the capacity's instances are ${instances}`,
      `leave cpuArchitecture out (it follows the instances), or run the workload on ${cpuArchitecture} instances`);
  }
  if (capacity.platform === CapacityPlatform.EXTERNAL) {
    if (networkMode !== ecs.NetworkMode.BRIDGE && networkMode !== ecs.NetworkMode.HOST) {
      throw fail(`network mode ${show(networkMode)} is not available on ECS Anywhere`, 'leave networkMode out (bridge) or use HOST');
    }
    if (props.ephemeralStorageGiB !== undefined) {
      throw fail('ephemeralStorageGiB is a Fargate setting, and the workload runs on ECS Anywhere', 'remove it');
    }
    return;
  }
  if (capacity.platform !== CapacityPlatform.EC2) {
    const where = capacity.platform === CapacityPlatform.FARGATE ? 'Fargate' : 'Managed Instances';
    if (networkMode !== ecs.NetworkMode.AWS_VPC) {
      throw fail(`network mode ${show(networkMode)} runs on EC2 capacity only, and the workload runs on ${where} (${capacity.kind})`,
        'leave networkMode out (awsvpc), or run the workload on EC2 capacity (Capacity.ec2(...))');
    }
    if (capacity.platform === CapacityPlatform.MANAGED_INSTANCES && props.ephemeralStorageGiB !== undefined) {
      throw fail('ephemeralStorageGiB is a Fargate setting, and the workload runs on Managed Instances',
        'remove it; tasks use the instances\' task storage (ManagedInstancesCapacity taskVolumeStorage)');
    }
    return;
  }
  const windows = props.operatingSystemFamily?.isWindows() ?? false;
  if (!windows && capacity.windowsInstances === true) {
    throw fail(`the capacity (${capacity.kind}) runs Windows instances, and the task is Linux`,
      'set operatingSystemFamily to the instances\' Windows Server family, or run the task on Linux capacity');
  }
  // Source: Amazon ECS Developer Guide, "Amazon ECS task networking options for EC2": Windows
  // takes awsvpc or nat (its default), Linux awsvpc, bridge, host or none.
  const modes = windows ? [ecs.NetworkMode.AWS_VPC, ecs.NetworkMode.NAT]
    : [ecs.NetworkMode.AWS_VPC, ecs.NetworkMode.BRIDGE, ecs.NetworkMode.HOST, ecs.NetworkMode.NONE];
  if (!modes.includes(networkMode)) {
    throw fail(`network mode ${show(networkMode)} is not supported for ${windows ? 'Windows' : 'Linux'} tasks on EC2`,
      `use ${modes.map(m => m.toUpperCase()).join(', ')}`);
  }
  if (networkMode !== ecs.NetworkMode.AWS_VPC && capacity.autoScalingCapacities.length === 0) {
    throw fail(`network mode ${show(networkMode)} needs to know the instances' security groups, and the capacity is a raw strategy`,
      'use Capacity.ec2(...) or Capacity.ec2SpotMix(...) so the load balancer can be admitted to the instances');
  }
  if (props.ephemeralStorageGiB !== undefined) {
    throw fail('ephemeralStorageGiB is a Fargate setting, and the workload runs on EC2 capacity',
      'remove it; EC2 tasks use the instance\'s volume (AutoScalingCapacity volumeSizeGiB)');
  }
}

/**
 * Fault injection works in tasks of the awsvpc or host network mode, and not on Windows.
 * Source: Amazon ECS Developer Guide, "Use fault injection with your Amazon ECS and Fargate
 * workloads" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fault-injection.html).
 */
export function checkFaultInjection(scope: Construct, props: WorkloadTaskProps, networkMode: ecs.NetworkMode, windows: boolean): void {
  if (props.enableFaultInjection !== true) return;
  if (windows) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, 'enableFaultInjection is true, and the task runs Windows, where ECS offers no fault injection',
      'leave enableFaultInjection out for Windows tasks');
  }
  if (networkMode !== ecs.NetworkMode.AWS_VPC && networkMode !== ecs.NetworkMode.HOST) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `enableFaultInjection is true, and the network mode is ${show(networkMode)}; fault injection works in awsvpc or host mode only`,
      'set networkMode to AWS_VPC or HOST, or leave enableFaultInjection out');
  }
}

/**
 * Windows containers, on Fargate or Windows EC2 instances. Source: Amazon ECS Developer Guide,
 * "Amazon ECS task definition differences for Windows containers on AWS Fargate" and
 * "Windows containers": X86_64 only; on Fargate no Spot and 1, 2 or 4 vCPU; no EFS, Service
 * Connect or Linux parameters (user, read-only root file system, init process).
 */
export function checkWindows(scope: Construct, props: WorkloadTaskProps, capacity: Capacity, cpu: number): void {
  const fail = (problem: string, fix: string) => new ShipyardError(scope, ErrorCode.PLATFORM, problem, fix);
  const family = props.operatingSystemFamily!._operatingSystemFamily;
  if (props.cpuArchitecture === ecs.CpuArchitecture.ARM64) {
    throw fail('Windows tasks are X86_64 only, and cpuArchitecture is ARM64', 'leave cpuArchitecture out (X86_64 for Windows)');
  }
  if (capacity.platform === CapacityPlatform.EC2) {
    if (capacity.windowsInstances !== true) {
      throw fail(`Windows tasks (${family}) need Windows instances, and the capacity (${capacity.kind}) does not run Windows`,
        'run them on an AutoScalingCapacity with hostImage WINDOWS_SERVER_2022 or WINDOWS_SERVER_2025, or on Capacity.fargate()');
    }
  } else if (capacity.platform !== CapacityPlatform.FARGATE) {
    throw fail(`Windows tasks (${family}) run on Fargate or Windows EC2 instances, and the capacity is ${capacity.kind}`,
      'use Capacity.fargate() or Capacity.ec2(...) with Windows instances');
  }
  if (capacity.providerNames.includes('FARGATE_SPOT')) {
    throw fail(`Fargate Spot does not run Windows tasks, and the capacity (${capacity.kind}) names FARGATE_SPOT`,
      'use Capacity.fargate() for Windows workloads');
  }
  if (capacity.platform === CapacityPlatform.FARGATE && isKnown(cpu) && ![1024, 2048, 4096].includes(cpu)) {
    throw new ShipyardError(scope, ErrorCode.FARGATE_TASK_SIZE, `cpu ${cpu} is not a Windows task size on Fargate`,
      'use 1024, 2048 or 4096 CPU units (1, 2 or 4 vCPU)');
  }
  const linuxOnly: Array<[string, boolean]> = [
    ['containerSecurity', props.containerSecurity !== undefined],
    ['linuxSettings', props.linuxSettings !== undefined],
    ['tracing', props.tracing !== undefined],
    ['volumes other than Volume.ebs and Volume.fsxWindows', (props.volumes ?? []).some(v => !v._windows)],
    ['sidecars[].containerSecurity', [...props.sidecars ?? [], ...props.initContainers ?? []].some(s => s.containerSecurity !== undefined)],
  ];
  const given = linuxOnly.filter(([, set]) => set).map(([name]) => name);
  if (given.length > 0) {
    throw fail(`${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} Linux-only, and the task runs Windows (${family})`,
      'remove them for a Windows task');
  }
}

/**
 * EC2 task size. Sources: ECS API Reference, TaskDefinition cpu ("Supported values are between
 * 128 CPU units (0.125 vCPUs) and 196608 CPU units (192 vCPUs)") and memory (on EC2 "optional and
 * any value can be used"); ContainerDefinition memory: "The Docker 20.10.0 or later daemon
 * reserves a minimum of 6 MiB of memory for a container", and the app container takes the
 * task's memory. (A floor of 128 MiB refused the CloudWatch agent daemon of Container Insights,
 * aws-samples/amazon-cloudwatch-container-insights, whose task takes 64 MiB.)
 */
export function checkEc2TaskSize(scope: Construct, cpu: number, memoryMiB: number): void {
  checkInteger(scope, ErrorCode.TASK_SETTINGS, 'cpu', cpu);
  checkRange(scope, ErrorCode.TASK_SETTINGS, 'cpu', cpu, 128, 196608);
  checkInteger(scope, ErrorCode.TASK_SETTINGS, 'memoryLimitMiB', memoryMiB);
  checkRange(scope, ErrorCode.TASK_SETTINGS, 'memoryLimitMiB', memoryMiB, 6, 3145728);
}

export function checkTaskSettings(scope: Construct, props: WorkloadTaskProps, onEc2: boolean): void {
  const code = ErrorCode.TASK_SETTINGS;
  // Fargate ephemeral storage: 21-200 GiB. Source: ECS API Reference, EphemeralStorage.
  checkInteger(scope, code, 'ephemeralStorageGiB', props.ephemeralStorageGiB);
  checkRange(scope, code, 'ephemeralStorageGiB', props.ephemeralStorageGiB, 21, 200, ' GiB');
  // Fargate stops a container at most 120 s after SIGTERM. Source: ECS API Reference, ContainerDefinition stopTimeout.
  if (!onEc2) checkRange(scope, code, 'stopTimeout', knownSeconds(props.stopTimeout), 0, 120, ' s');
  // Fargate waits 2-120 s for a container's dependencies. Source: CloudFormation resource
  // reference, AWS::ECS::TaskDefinition ContainerDefinition StartTimeout ("The valid values for
  // Fargate are 2-120 seconds").
  if (onEc2) checkRange(scope, code, 'startTimeout', knownSeconds(props.startTimeout), 0, 600, ' s');
  else checkRange(scope, code, 'startTimeout', knownSeconds(props.startTimeout), 2, 120, ' s');
  const restart = props.restartPolicy;
  if (restart) {
    const { min, max } = RESTART_ATTEMPT_PERIOD;
    checkRange(scope, code, 'restartPolicy.attemptPeriod', knownSeconds(restart.attemptPeriod), min, max, ' s');
    checkRange(scope, code, 'restartPolicy.ignoredExitCodes (count)', restart.ignoredExitCodes?.length, 0, MAX_IGNORED_EXIT_CODES);
  }
  const linux = props.linuxSettings;
  // A ulimit's limits are whole numbers, the soft one at most the hard one (setrlimit(2) refuses
  // a soft limit above the hard limit, and the container fails to start).
  for (const u of linux?.ulimits ?? []) {
    checkInteger(scope, code, `ulimit ${u.name} softLimit`, u.softLimit);
    checkInteger(scope, code, `ulimit ${u.name} hardLimit`, u.hardLimit);
    checkRange(scope, code, `ulimit ${u.name} softLimit`, u.softLimit, 0, Number.MAX_SAFE_INTEGER);
    if (isKnown(u.softLimit) && isKnown(u.hardLimit) && u.softLimit > u.hardLimit) {
      throw new ShipyardError(scope, code, `ulimit ${show(u.name)} has a soft limit of ${u.softLimit}, above its hard limit of ${u.hardLimit}`,
        'make the soft limit at most the hard limit');
    }
  }
  if (onEc2) {
    checkInteger(scope, code, 'linuxSettings.sharedMemorySizeMiB', linux?.sharedMemorySizeMiB);
    checkRange(scope, code, 'linuxSettings.sharedMemorySizeMiB', linux?.sharedMemorySizeMiB, 1, props.memoryLimitMiB ?? 512, ' MiB');
    return;
  }
  if (linux?.sharedMemorySizeMiB !== undefined) {
    throw new ShipyardError(scope, code, 'linuxSettings.sharedMemorySizeMiB is not supported on Fargate',
      'remove it (containerSecurity.writablePaths or linuxSettings.tmpfs give in-memory scratch space), or run the workload on EC2 capacity');
  }
  for (const u of linux?.ulimits ?? []) {
    if (u.name !== ecs.UlimitName.NOFILE) {
      throw new ShipyardError(scope, code, `ulimit ${show(u.name)} is not supported on Fargate (only nofile is)`,
        'remove it or use nofile, or run the workload on EC2 capacity');
    }
  }
}
