// The checks buildTask makes on a workload's props and platform as it builds the task; the
// rules read from the rendered task definition (taskProblems) are in task-checks.ts.

import { Stack, Token, aws_ecs as ecs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkContainerHealthCheck } from './baseline';
import { APP_CONTAINER_NAME } from './containers';
import { Image } from './image';
import { checkTaskSettings } from './platform-checks';
import type { TaskPlatform } from './task-builder';
import { secretArnProblem, taskProblems } from './task-checks';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { IEnvironment } from '../environment/environment';
import { checkInteger, checkRange, checkVariableNames, ECS_NAME, isKnown } from '../guardrails/checks';
import { ErrorCode, problemMessage, ShipyardError, show } from '../guardrails/errors';
import { warn, WarningId } from '../guardrails/warnings';
import { LOG_ROUTER_NAME } from '../logging/logging';
import type { WorkloadTaskProps } from '../workloads/workload-props';

/** What the workload's props must satisfy before anything is built. */
export function checkTaskInputs(scope: Construct, props: WorkloadTaskProps, platform: TaskPlatform, portMappings: ecs.PortMapping[],
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

/** The task's problems now, and at synth again for containers and volumes added later through the escape hatch. */
export function checkTaskDefinition(scope: Construct, taskDefinition: ecs.TaskDefinition, platform: TaskPlatform): void {
  const fargate = { memoryMiB: platform.memoryLimitMiB, fargate: !platform.onEc2 && !platform.external };
  const problems = taskProblems(taskDefinition, { ...fargate, synth: false });
  if (problems.length > 0) throw new ShipyardError(scope, problems[0].code, problems[0].problem, problems[0].fix);
  taskDefinition.node.addValidation({
    validate: () => taskProblems(taskDefinition, { ...fargate, synth: true }).map(p => problemMessage(taskDefinition, p)),
  });
}

export function checkSecrets(scope: Construct, containerName: string, secrets: { [key: string]: ecs.Secret } | undefined): void {
  checkVariableNames(scope, Object.keys(secrets ?? {}));
  for (const [name, secret] of Object.entries(secrets ?? {})) {
    const problem = secretArnProblem(secret.arn);
    if (problem) throw new ShipyardError(scope, problem.code, `container ${show(containerName)} secret ${show(name)}: ${problem.problem}`, problem.fix);
  }
}

/**
 * A task in network mode `none` has a loopback interface only: no container maps a port, and
 * nothing in the task reaches out (ECS Exec's channel, the tracing collector, a FireLens
 * router). awslogs and splunk drivers run in the instance's Docker daemon, so they still ship.
 * Source: Amazon ECS Developer Guide, "Amazon ECS task networking options for EC2".
 */
export function checkNoNetwork(scope: Construct, props: WorkloadTaskProps, containers: ecs.ContainerDefinition[],
  taskDefinition: ecs.TaskDefinition): void {
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

/** The architecture an image stated for one architecture only gives a task left to its default. */
export function imageArchitecture(image: Image): ecs.CpuArchitecture | undefined {
  const stated = image.architectures ?? [];
  return stated.length === 1 ? stated[0] : undefined;
}

/**
 * Every image that states its architectures includes the task's; a registry image that states
 * none, meeting the ARM64 default, is warned about (most stock images are multi-architecture,
 * some are x86 only, and an x86 image on an ARM64 task exits at once with `exec format error`).
 */
export function checkImageArchitectures(scope: Construct, props: WorkloadTaskProps, cpuArchitecture: ecs.CpuArchitecture): void {
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
export function checkSameEnvironment(scope: Construct, env: IEnvironment): void {
  const here = Stack.of(scope);
  const there = Stack.of(env.cluster);
  const differs = (a: string, b: string) => !Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b;
  if (differs(here.account, there.account) || differs(here.region, there.region)) {
    throw new ShipyardError(scope, ErrorCode.CROSS_ENVIRONMENT,
      `the workload's stack ${here.stackName} is in ${here.account}/${here.region}, and its environment's stack ${there.stackName} in ${there.account}/${there.region}`,
      'deploy the workload\'s stack to the environment\'s account and region (env), or give it an Environment of its own there');
  }
}
