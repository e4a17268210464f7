// A Compose service's container settings: its identity and file system (user, read_only, init),
// stop timeout and labels, restart policy and name, Linux settings and log retention, and the
// health check within what ECS takes.

import { aws_ecs as ecs } from 'aws-cdk-lib';
import type { ServiceMapping } from './service';
import { durationMs, durationOf, mapOf, retentionCode } from './values';
import type { ContainerSecurityOptions, LinuxSettings } from '../../index';
import { CONTAINER_HEALTH_CHECK_LIMITS } from '../../task/baseline';
import { code } from '../code';
import { PropsModel } from '../model';
import { show } from '../source';

/** The container's identity and file system, its stop timeout and labels. */
export function mapIdentity(c: ServiceMapping): void {
  const { f, at, props } = c;
  const security: PropsModel<ContainerSecurityOptions> = {};
  const user = f.text(at('user'));
  if (user !== undefined) {
    security.user = user;
    f.mark(at('user'));
  }
  const readOnly = f.bool(at('read_only'));
  if (readOnly !== undefined) {
    security.readOnlyRootFilesystem = readOnly;
    f.mark(at('read_only'));
  }
  const init = f.bool(at('init'));
  if (init !== undefined) {
    security.initProcessEnabled = init;
    f.mark(at('init'));
  }
  if (Object.keys(security).length > 0) {
    props.containerSecurity = { ...props.containerSecurity as PropsModel<ContainerSecurityOptions> | undefined, ...security };
  }
  if (f.has(at('stop_grace_period'))) {
    props.stopTimeout = durationOf(f, at('stop_grace_period'));
    f.mark(at('stop_grace_period'));
  }
  if (f.has(at('labels'))) {
    props.dockerLabels = mapOf(f, at('labels'));
    f.mark(at('labels'));
  }
}

/** restart (or deploy.restart_policy.condition), privileged: false and container_name. */
export function mapRestart(c: ServiceMapping): void {
  const { f, at, props, todo } = c;
  const restartAt = f.has(at('deploy', 'restart_policy', 'condition')) ? at('deploy', 'restart_policy', 'condition') : at('restart');
  const restart = f.str(restartAt);
  if (restart !== undefined) {
    // on-failure[:max-retries]: ECS restarts without a count, after restartAttemptPeriod.
    if (/^on-failure(:\d+)?$/.test(restart)) props.restartPolicy = { ignoredExitCodes: [0] };
    else if (['always', 'unless-stopped', 'any'].includes(restart)) props.restartPolicy = {};
    else if (!['no', 'none', 'never'].includes(restart)) throw f.error(restartAt, `expected no, always, on-failure or unless-stopped for ${show(restartAt)}, got ${JSON.stringify(restart)}`);
    f.mark(restartAt);
    // deploy.restart_policy takes precedence over restart, as in Compose.
    if (f.has(at('restart'))) f.mark(at('restart'));
  }
  if (f.bool(at('privileged')) === false) f.mark(at('privileged'));
  if (f.has(at('container_name'))) {
    // ECS takes letters, digits, hyphens and underscores in a container name.
    const name = f.text(at('container_name'))!;
    props.containerName = name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 255);
    f.mark(at('container_name'));
    if (props.containerName !== name) todo(at('container_name'), `ECS takes letters, digits, hyphens and underscores: ${props.containerName}`);
  }
}

/**
 * Docker's default capabilities, which a container keeps unless it drops them. Source: moby/moby
 * oci/defaults.go (defaultCapabilities); ECS adds and drops from "the default configuration
 * provided by Docker" (ECS API Reference, KernelCapabilities).
 */
const DOCKER_DEFAULT_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

/** Linux settings (cap_drop, cap_add, ulimits) and the log retention of x-aws-logs_retention. */
export function mapLinux(c: ServiceMapping): void {
  const { f, at, props } = c;
  const linux: PropsModel<LinuxSettings> = {};
  const capabilityNames = (key: string) => f.strings(at(key))!.map(name => {
    const cap = name.replace(/^CAP_/, '');
    if (!(cap in ecs.Capability)) throw f.error(at(key), `${name} is not a Linux capability ECS knows (ecs.Capability)`);
    return cap;
  });
  const dropped = f.has(at('cap_drop')) ? capabilityNames('cap_drop') : [];
  if (dropped.length > 0) linux.dropCapabilities = dropped.map(cap => code(`ecs.Capability.${cap}`));
  if (f.has(at('cap_drop'))) f.mark(at('cap_drop'));
  if (f.has(at('cap_add'))) {
    const added = mapAddedCapabilities(c, capabilityNames('cap_add'), dropped);
    if (added.length > 0) linux.addCapabilities = added.map(cap => code(`ecs.Capability.${cap}`));
    f.mark(at('cap_add'));
  }
  mapUlimits(c, linux);
  if (Object.keys(linux).length > 0) props.linuxSettings = linux;
  if (c.file.retention !== undefined) props.logging = code(`Logging.awsLogs({ retention: ${retentionCode(f, ['x-aws-logs_retention'], c.file.retention)} })`);
}

/**
 * What of Compose's cap_add a Fargate task adds: SYS_PTRACE, the one capability Fargate adds (ECS
 * API Reference, KernelCapabilities). One of Docker's defaults the service does not drop is kept
 * already; the others are a TODO for EC2 capacity.
 */
function mapAddedCapabilities(c: ServiceMapping, added: string[], dropped: string[]): string[] {
  const kept = (cap: string) => DOCKER_DEFAULT_CAPABILITIES.has(cap) && !dropped.includes(cap) && !dropped.includes('ALL');
  const out: string[] = [];
  for (const cap of added) {
    if (kept(cap)) continue;
    if (cap === 'SYS_PTRACE' && !dropped.includes(cap) && !out.includes(cap)) {
      out.push(cap);
      continue;
    }
    c.todo(c.at('cap_add'), dropped.includes(cap)
      ? `${cap} is both added and dropped: keep it in one list (linuxSettings.addCapabilities or dropCapabilities)`
      : `Fargate adds SYS_PTRACE only (ECS API Reference, KernelCapabilities): on EC2 capacity, add ${cap} with linuxSettings.addCapabilities`);
  }
  return out;
}

/** Compose's ulimits: nofile (the one Fargate takes) as linuxSettings.ulimits, the others a TODO. */
function mapUlimits(c: ServiceMapping, linux: PropsModel<LinuxSettings>): void {
  const { f, at, todo } = c;
  if (f.has(at('ulimits'))) {
    // Fargate takes nofile only (ECS task definition parameters for Fargate, ulimits); the others are a TODO.
    const names = f.keys(at('ulimits'));
    f.mark(at('ulimits'));
    for (const name of names.filter(n => n !== 'nofile')) todo(at('ulimits', name), 'Fargate takes the nofile ulimit only: on EC2 capacity, set it in linuxSettings.ulimits');
    linux.ulimits = names.filter(n => n === 'nofile').map(name => {
      const both = f.kind(at('ulimits', name)) === 'scalar';
      const soft = both ? f.int(at('ulimits', name)) : f.int(at('ulimits', name, 'soft'));
      const hard = both ? soft : f.int(at('ulimits', name, 'hard'));
      if (!(name.toUpperCase() in ecs.UlimitName)) throw f.error(at('ulimits', name), `${name} is not a ulimit ECS knows (ecs.UlimitName)`);
      return { name: code(`ecs.UlimitName.${name.toUpperCase()}`), softLimit: soft, hardLimit: hard };
    });
    if ((linux.ulimits as unknown[]).length === 0) delete linux.ulimits;
  }
}

/** The health check, each value within what ECS takes. */
export function mapHealthCheck(c: ServiceMapping): void {
  const { f, at, props, todo } = c;
  if (f.has(at('healthcheck'))) {
    const test = f.strings(at('healthcheck', 'test'));
    if (f.bool(at('healthcheck', 'disable')) === true || (test && test[0] === 'NONE')) {
      f.mark(at('healthcheck'));
    } else if (test) {
      for (const k of ['test', 'interval', 'timeout', 'retries', 'start_period', 'disable']) if (f.has(at('healthcheck', k))) f.mark(at('healthcheck', k));
      // ECS takes each within its limits: a value outside is moved to the nearest it takes, with a TODO.
      const within = (k: string, value: number | undefined, [min, max]: [number, number], unit: string) => {
        if (value === undefined) return undefined;
        const clamped = Math.min(max, Math.max(min, value));
        if (clamped !== value) todo(at('healthcheck', k), `${value}${unit} is outside what ECS takes (${min}-${max}${unit}): ${clamped}${unit} instead`);
        return clamped;
      };
      const seconds = (k: string, limits: [number, number]) => {
        const ms = durationMs(f, at('healthcheck', k));
        return within(k, ms === undefined ? undefined : Math.round(ms / 1000), limits, ' s');
      };
      const testWords = f.kind(at('healthcheck', 'test')) === 'list' ? test : ['CMD-SHELL', test[0]];
      const interval = seconds('interval', CONTAINER_HEALTH_CHECK_LIMITS.interval);
      let timeout = seconds('timeout', CONTAINER_HEALTH_CHECK_LIMITS.timeout);
      // A check must end before the next starts: the timeout stays under the interval (ECS's defaults: 30 s and 5 s).
      const [intervalS, timeoutS] = [interval ?? 30, timeout ?? 5];
      if (timeoutS >= intervalS) {
        timeout = Math.max(CONTAINER_HEALTH_CHECK_LIMITS.timeout[0], intervalS - 1);
        todo(at('healthcheck', f.has(at('healthcheck', 'timeout')) ? 'timeout' : 'interval'),
          `a timeout of ${timeoutS} s does not end before the next check (every ${intervalS} s): ${timeout} s instead`);
      }
      const retries = within('retries', f.int(at('healthcheck', 'retries')), CONTAINER_HEALTH_CHECK_LIMITS.retries, '');
      const startPeriod = seconds('start_period', CONTAINER_HEALTH_CHECK_LIMITS.startPeriod);
      const duration = (value: number | undefined) => value === undefined ? undefined : code(`Duration.seconds(${value})`);
      props.healthCheck = {
        command: testWords[0] === 'CMD' || testWords[0] === 'CMD-SHELL' ? testWords : ['CMD', ...testWords],
        interval: duration(interval),
        timeout: duration(timeout),
        retries,
        startPeriod: duration(startPeriod),
      };
    }
  }
}
