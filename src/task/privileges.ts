// What the main container may hold beyond Docker's default capabilities: kernel capabilities it
// adds (linuxSettings.addCapabilities) and, for a host agent, a privileged container
// (containerSecurity.privileged). Both are checked here before the container is built.

import { aws_ecs as ecs } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { baselineContainerProps, ContainerSecurityOptions, isRoot } from './baseline';
import type { TaskPlatform } from './task-builder';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { warn, WarningId } from '../guardrails/warnings';
import { warnWithRule } from '../private/warning-rules';
import type { WorkloadTaskProps } from '../workloads/workload-props';

/**
 * The one capability a Fargate task may add. Source: Amazon ECS API Reference, KernelCapabilities
 * (`add`): "Tasks launched on AWS Fargate only support adding the SYS_PTRACE kernel capability."
 * A Managed Instances service's task definition is Fargate's too (FARGATE and MANAGED_INSTANCES
 * compatibilities); a managed daemon's (AWS::ECS::DaemonTaskDefinition) is not.
 */
const FARGATE_ADDABLE = ecs.Capability.SYS_PTRACE;

/** Where the task runs, as far as its privileges go. */
export interface PrivilegeSite {
  readonly platform: TaskPlatform;
  /** The workload is a host agent (a DaemonService), the one kind that may run privileged. */
  readonly hostAgent: boolean;
  /** The task is an ECS managed daemon's, which Fargate's rules do not bind. */
  readonly managedDaemon: boolean;
}

/** Check the capabilities the main container adds, and which containers are privileged (a host agent's only). */
export function checkPrivileges(scope: Construct, props: WorkloadTaskProps, site: PrivilegeSite): void {
  const add = props.linuxSettings?.addCapabilities ?? [];
  const drop = props.linuxSettings?.dropCapabilities ?? [];
  add.forEach((cap, i) => {
    if (add.indexOf(cap) !== i) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `linuxSettings.addCapabilities lists ${cap} twice`, 'list each capability once');
    }
    if (drop.includes(cap)) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `linuxSettings both adds and drops ${cap}`,
        'keep it in one list: addCapabilities to grant it, dropCapabilities to take it away');
    }
  });
  const fargateRules = !site.platform.onEc2 && !site.platform.external && !site.managedDaemon;
  const refused = fargateRules ? add.filter(cap => cap !== FARGATE_ADDABLE) : [];
  if (refused.length > 0) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM,
      `linuxSettings.addCapabilities has ${refused.join(', ')}: a Fargate task adds SYS_PTRACE only (ECS API Reference, KernelCapabilities), `
      + 'and a Managed Instances service\'s task definition is Fargate\'s too',
      'run the workload on EC2 capacity, or a host agent as a DaemonService on Managed Instances (a managed daemon); or remove them');
  }
  const privileged = [
    ...props.containerSecurity?.privileged === true ? ['the main container'] : [],
    ...[...props.sidecars ?? [], ...props.initContainers ?? []].filter(c => c.containerSecurity?.privileged === true).map(c => `container ${c.name}`),
  ];
  if (privileged.length > 0 && !site.hostAgent) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `containerSecurity.privileged is set for ${privileged.join(', ')}, and the workload is not a host agent`,
      'run the agent as a DaemonService on EC2 capacity or ECS Managed Instances; an application adds the one capability it needs with linuxSettings.addCapabilities');
  }
  if (props.containerSecurity?.privileged === true && (add.length > 0 || drop.length > 0)) {
    // Source: ECS API Reference, KernelCapabilities: for a privileged container "the capabilities
    // specified in the add request parameter, and the drop request parameter are ignored".
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, 'containerSecurity.privileged is set with linuxSettings capabilities, which ECS ignores for a privileged container',
      'keep one: the capabilities the agent needs (linuxSettings.addCapabilities), or privileged');
  }
}

/**
 * Warn about what the main container holds beyond Docker's defaults. A privileged container is
 * paired with the ShipyardChecks rule that reports it (`Shipyard-NoPrivilegedContainer`), so one
 * acknowledgement covers both.
 */
export function warnAboutPrivileges(scope: Construct, container: ecs.ContainerDefinition, props: WorkloadTaskProps, taskResource: IConstruct): void {
  const add = props.linuxSettings?.addCapabilities ?? [];
  if (add.length > 0) {
    // Docker leaves a non-root user's process no effective capabilities (its ambient set stays
    // empty: moby/moby#8460, #50083, and moby/moby#36587's "+i rather than the +eip you get as
    // root"): one added is used only through a file capability of the program (setcap).
    const user = baselineContainerProps(props.containerSecurity).user;
    const nonRoot = user !== undefined && !isRoot(user)
      ? `; the container runs as non-root user ${user}, whose processes hold them only through file capabilities of their program (setcap), `
        + 'so an agent that needs them as a process runs as root (containerSecurity.user: \'0\')'
      : '';
    warn(scope, WarningId.ADDED_CAPABILITIES,
      `container ${container.containerName} adds kernel capabilities beyond Docker's default set (${add.join(', ')}); `
      + `each lets a compromised process do more: keep only those the program needs${nonRoot}`);
  }
  warnIfPrivileged(scope, container, props.containerSecurity, taskResource);
}

/** Warn when `container` is privileged, paired with `Shipyard-NoPrivilegedContainer` on the task definition. */
export function warnIfPrivileged(
  scope: Construct, container: ecs.ContainerDefinition, security: ContainerSecurityOptions | undefined, taskResource: IConstruct,
): void {
  if (security?.privileged !== true) return;
  warnWithRule(scope, WarningId.PRIVILEGED_CONTAINER,
    `container ${container.containerName} is privileged: it has every capability and the host's devices; `
    + 'prefer the capabilities the agent documents (linuxSettings.addCapabilities). Where AWS Control Tower\'s proactive control '
    + 'CT.ECS.PR.11 is enabled, it refuses an ECS task definition with a privileged container (a managed daemon\'s is not one it reads)',
    taskResource, 'NoPrivilegedContainer');
}
