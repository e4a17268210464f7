// The checks of an AutoScalingCapacity's props: instance types of one architecture, the group's
// and the capacity provider's bounds and managed settings, the Windows, GPU and volume choices,
// the ECS agent settings; and that the capacity lives in its cluster's stack.

import { Stack, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AutoScalingCapacityProps } from './auto-scaling-capacity';
import { HostImage } from './host-image';
import { checkInteger, checkRange, isKnown } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { isWindowsHost } from '../private/host-images';

/** The props checked against `scope`, with the defaults the capacity builds with. */
export function checkCapacityProps(scope: Construct, props: AutoScalingCapacityProps, instanceTypes: ec2.InstanceType[]) {
  const fail = (problem: string, fix: string) => new ShipyardError(scope, ErrorCode.CAPACITY_PROVIDER, problem, fix);
  if (instanceTypes.length === 0) throw fail('instanceTypes is empty', 'name at least one instance type, or leave instanceTypes out');
  const architectures = new Set(instanceTypes.map(t => t.architecture));
  if (architectures.size > 1) {
    throw fail(`instanceTypes mix CPU architectures (${instanceTypes.map(t => `${t}: ${t.architecture}`).join(', ')})`,
      'use Graviton (ARM64) types only or x86_64 types only; add a second AutoScalingCapacity for the other architecture');
  }
  const arm = instanceTypes[0].architecture === ec2.InstanceArchitecture.ARM_64;
  if (instanceTypes.length > 20) throw fail(`instanceTypes has ${instanceTypes.length} types`, 'name at most 20 (the mixed instances policy limit)');
  const minCapacity = props.minCapacity ?? 0;
  const maxCapacity = props.maxCapacity ?? 10;
  checkInteger(scope, ErrorCode.CAPACITY_PROVIDER, 'minCapacity', minCapacity);
  checkInteger(scope, ErrorCode.CAPACITY_PROVIDER, 'maxCapacity', maxCapacity);
  checkRange(scope, ErrorCode.CAPACITY_PROVIDER, 'minCapacity', minCapacity, 0, 10000);
  checkRange(scope, ErrorCode.CAPACITY_PROVIDER, 'maxCapacity', maxCapacity, 1, 10000);
  if (isKnown(minCapacity) && isKnown(maxCapacity) && minCapacity > maxCapacity) {
    throw fail(`minCapacity ${minCapacity} is above maxCapacity ${maxCapacity}`, 'lower minCapacity or raise maxCapacity');
  }
  const managedScaling = props.managedScaling ?? true;
  const managedTerminationProtection = props.managedTerminationProtection ?? managedScaling;
  if (managedTerminationProtection && !managedScaling) {
    throw fail('managedTerminationProtection is on while managedScaling is off',
      'turn managedScaling on, or set managedTerminationProtection: false (ECS protects instances only while it scales the group)');
  }
  // Source: ECS API Reference, ManagedScaling: targetCapacity 1-100, instanceWarmupPeriod 0-10000.
  const targetCapacityPercent = props.targetCapacityPercent ?? 100;
  checkInteger(scope, ErrorCode.CAPACITY_PROVIDER, 'targetCapacityPercent', targetCapacityPercent);
  checkRange(scope, ErrorCode.CAPACITY_PROVIDER, 'targetCapacityPercent', targetCapacityPercent, 1, 100);
  if (props.managedDraining === false && !managedTerminationProtection) {
    throw fail('managedDraining and managedTerminationProtection are both off',
      'keep managedDraining on: without either, the group terminates instances with their tasks still running');
  }
  if (!managedScaling && props.targetCapacityPercent !== undefined) {
    throw fail('targetCapacityPercent is set while managedScaling is off', 'turn managedScaling on, or leave targetCapacityPercent out');
  }
  checkRange(scope, ErrorCode.CAPACITY_PROVIDER, 'instanceWarmup (seconds)', props.instanceWarmup?.toSeconds(), 0, 10000);
  const windows = isWindowsHost(props.hostImage ?? HostImage.AMAZON_LINUX_2023);
  if (windows && arm) {
    throw fail(`Windows instances are x86_64, and instanceTypes are Graviton (${instanceTypes.join(', ')})`,
      'pick x86_64 instance types (m7i, m6i, c7i...) for Windows');
  }
  if (windows && props.gpu) throw fail('gpu is set for Windows instances', 'GPU images are Amazon Linux or Bottlerocket; use one of them');
  const volumeSizeGiB = props.volumeSizeGiB ?? (windows ? 50 : 30);
  checkInteger(scope, ErrorCode.CAPACITY_PROVIDER, 'volumeSizeGiB', volumeSizeGiB);
  // The ECS-optimized Amazon Linux 2023 image's root snapshot is 30 GiB; gp3 allows up to 16 TiB.
  checkRange(scope, ErrorCode.CAPACITY_PROVIDER, 'volumeSizeGiB', volumeSizeGiB, 30, 16384);
  if (props.gpu && arm && (props.hostImage ?? HostImage.AMAZON_LINUX_2023) === HostImage.AMAZON_LINUX_2023) {
    throw fail('gpu is set with Graviton instance types', 'the Amazon Linux 2023 GPU image is x86_64: pick x86_64 GPU instance types (g5, g6, p4...)');
  }
  checkAgentConfiguration(scope, props);
  return { arm, minCapacity, maxCapacity, managedScaling, managedTerminationProtection, targetCapacityPercent, volumeSizeGiB };
}

/** The cluster's provider associations reference the provider, and the provider the cluster: one stack holds both. */
export function checkSameStack(capacity: Construct, cluster: Construct): void {
  if (Stack.of(capacity) === Stack.of(cluster)) return;
  throw new ShipyardError(capacity, ErrorCode.CAPACITY_PROVIDER,
    `it is in stack ${show(Stack.of(capacity).stackName)}, the environment's cluster in ${show(Stack.of(cluster).stackName)}; the cluster's `
    + 'capacity provider associations would reference this stack while this stack references the cluster (a cycle)',
    `create the AutoScalingCapacity in ${show(Stack.of(cluster).stackName)}, the environment's stack; its workloads may live anywhere`);
}

/**
 * Agent settings are keys of the host image's agent (ECS_* variables, or Bottlerocket
 * settings.ecs keys) with single-line values; the cluster and instance attributes are the library's.
 */
function checkAgentConfiguration(scope: Construct, props: AutoScalingCapacityProps): void {
  const bottlerocket = props.hostImage === HostImage.BOTTLEROCKET;
  const pattern = bottlerocket ? /^[a-z0-9][a-z0-9-]*$/ : /^ECS_[A-Z0-9_]+$/;
  for (const [key, value] of Object.entries(props.agentConfiguration ?? {})) {
    if (!pattern.test(key) || ['ECS_CLUSTER', 'cluster', 'ECS_INSTANCE_ATTRIBUTES', 'instance-attributes'].includes(key)) {
      throw new ShipyardError(scope, ErrorCode.CAPACITY_PROVIDER, `agentConfiguration key ${show(key)} is not ${bottlerocket
        ? 'a Bottlerocket settings.ecs key' : 'an ECS agent variable'}`,
      bottlerocket ? 'use settings.ecs keys such as image-pull-behavior (the cluster is set for you)'
        : 'use ECS_* variable names such as ECS_IMAGE_PULL_BEHAVIOR (the cluster and instance attributes are set for you)');
    }
    if (/['\n\r"\\]/.test(value)) {
      throw new ShipyardError(scope, ErrorCode.CAPACITY_PROVIDER, `agentConfiguration ${key} has a quote, backslash or line break (${show(value)})`,
        'agent settings are single-line values without quotes');
    }
  }
}
