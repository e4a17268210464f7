/** The image, its health check, its sidecars and secrets. */
import * as path from 'path';
import type { aws_ecs as ecs } from 'aws-cdk-lib';
import type { ContainerDependency, ImageAssetOptions, SidecarOptions } from '../../index';
import { Code, code, milliseconds, pascal, quote, registryImage, render, secretCode } from '../code';
import { Mapper, Workload } from './mapper';
import { duration, words } from './values';
import { CONTAINER_HEALTH_CHECK_LIMITS } from '../../task/baseline';
import { Emitted, PropsModel } from '../model';
import { FieldFate } from '../source';

/** An image (`image`, `sidecars.<name>.image`): a registry image, with credentials, or one built from the workspace. */
export function image(m: Mapper, base: Array<string | number>, credentialsId: string): Code | undefined {
  const f = m.file;
  const at = (...rest: string[]) => m.p(...base, ...rest);
  const done = (...rest: string[]) => m.done(FieldFate.MAPPED, ...base, ...rest);
  if (f.has(at('location'))) {
    const credential = f.str(at('credentials'));
    const credentials = credential === undefined ? undefined : secretRef(m, credential, credentialsId);
    done('location');
    if (credential !== undefined) done('credentials');
    return registryImage(f.str(at('location'))!, credentials);
  }
  if (!f.has(at('build'))) return undefined;
  let dockerfile: string | undefined;
  let context: string | undefined;
  const options: PropsModel<ImageAssetOptions> = {};
  if (f.kind(at('build')) === 'scalar') {
    dockerfile = f.str(at('build'));
    done('build');
  } else {
    dockerfile = f.str(at('build', 'dockerfile'));
    context = f.str(at('build', 'context'));
    options.target = f.str(at('build', 'target'));
    if (f.has(at('build', 'args'))) {
      options.buildArgs = Object.fromEntries(f.keys(at('build', 'args')).map(k => [k, f.text(at('build', 'args', k))!]));
    }
    for (const k of ['dockerfile', 'context', 'target', 'args']) if (f.has(at('build', k))) done('build', k);
  }
  const dir = context ?? (dockerfile ? path.posix.dirname(dockerfile) : '.');
  if (dockerfile) options.file = path.posix.relative(dir, dockerfile);
  if (options.file === 'Dockerfile') delete options.file;
  return code(`Image.fromAsset(path.join(WORKSPACE, ${quote(dir)})${Object.values(options).some(v => v !== undefined) ? `, ${render(options, '  ')}` : ''})`);
}

/** A health check (`image.healthcheck`, `sidecars.<name>.healthcheck`) as the container health check ECS runs. */
export function healthCheck(m: Mapper, base: string[] = ['image', 'healthcheck']): PropsModel<ecs.HealthCheck> {
  const f = m.file;
  const at = (k: string) => m.p(...base, k);
  // Copilot filled what a health check leaves out: curl on localhost, every 10 s, 2 retries, a
  // 5 s timeout, no start period (NewDefaultContainerHealthCheck). ECS takes each within its
  // limits (CONTAINER_HEALTH_CHECK_LIMITS), which Copilot did not check: a value outside is
  // moved to the nearest, with a TODO.
  const command = f.strings(at('command'));
  if (command) m.done(FieldFate.MAPPED, ...base, 'command');
  else if (!m.override) m.todo([...base], 'no command: Copilot checked with curl -f http://localhost/, which needs curl in the image');
  const seconds = (k: string, fallback: number, [min, max]: [number, number]) => {
    if (!f.has(at(k))) return m.override ? undefined : fallback;
    const s = Math.round(milliseconds(f.text(at(k))!) ?? NaN) / 1000;
    if (Number.isNaN(s)) duration(m, [...base, k]);
    const clamped = Math.min(max, Math.max(min, Math.round(s)));
    m.done(FieldFate.MAPPED, ...base, k);
    if (clamped !== s) m.todo([...base, k], `${s} s is outside what ECS takes (${min}-${max} s): ${clamped} s instead`);
    return clamped;
  };
  const limits = CONTAINER_HEALTH_CHECK_LIMITS;
  const interval = seconds('interval', 10, limits.interval);
  let timeout = seconds('timeout', 5, limits.timeout);
  if (interval !== undefined && timeout !== undefined && timeout >= interval) {
    timeout = Math.max(limits.timeout[0], interval - 1);
    m.todo([...base, f.has(at('timeout')) ? 'timeout' : 'interval'], `the timeout does not end before the next check: ${timeout} s`);
  }
  const retries = f.int(at('retries'));
  const startPeriod = seconds('start_period', 0, limits.startPeriod);
  const check: PropsModel<ecs.HealthCheck> = {
    command: command ? f.kind(at('command')) === 'list' ? command : ['CMD-SHELL', command[0]] : m.override ? undefined : ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
    interval: interval === undefined ? undefined : code(`Duration.seconds(${interval})`),
    timeout: timeout === undefined ? undefined : code(`Duration.seconds(${timeout})`),
    retries: retries === undefined ? m.override ? undefined : 2 : Math.min(limits.retries[1], Math.max(limits.retries[0], retries)),
    startPeriod: startPeriod === undefined ? undefined : code(`Duration.seconds(${startPeriod})`),
  };
  if (retries !== undefined) m.done(FieldFate.MAPPED, ...base, 'retries');
  if (retries !== undefined && retries !== check.retries) m.todo([...base, 'retries'], `${retries} retries: ECS takes 1-10`);
  return check;
}

/** Copilot's container dependency conditions. */
export const CONDITIONS: { [k: string]: string } = { start: 'START', healthy: 'HEALTHY', complete: 'COMPLETE', success: 'SUCCESS' };

/**
 * A sidecar. Copilot ran sidecar images as they are, so each keeps its image's user and a
 * writable root file system; a dependency on the main container (named after the service in
 * Copilot) names `app`.
 */
export function sidecar(m: Mapper, name: string, w: Workload): PropsModel<SidecarOptions> {
  const f = m.file;
  const at = (...rest: Array<string | number>) => m.p('sidecars', name, ...rest);
  const rest = (...more: Array<string | number>) => ['sidecars', name, ...more];
  const props: PropsModel<SidecarOptions> = {
    name, image: sidecarImage(m, name, w), containerSecurity: { imageUser: true, readOnlyRootFilesystem: false },
  };
  const port = f.text(at('port'));
  if (port !== undefined) {
    const match = /^(\d+)(?:\/(tcp|udp))?$/.exec(port);
    if (!match) throw f.error(at('port'), `expected a port such as 8080 or 8080/udp for sidecars.${name}.port, got ${JSON.stringify(port)}`);
    props.portMappings = [match[2] === 'udp'
      ? { containerPort: Number(match[1]), protocol: code('ecs.Protocol.UDP') }
      : { containerPort: Number(match[1]) }];
    m.done(FieldFate.MAPPED, ...rest('port'));
  }
  props.essential = f.bool(at('essential'));
  if (props.essential !== undefined) m.done(FieldFate.MAPPED, ...rest('essential'));
  // labels, or image.labels in a sidecar's image map.
  for (const labels of [['image', 'labels'], ['labels']]) {
    if (!f.has(at(...labels))) continue;
    const added = Object.fromEntries(f.keys(at(...labels)).map(k => [k, f.text(at(...labels, k))!]));
    props.dockerLabels = { ...props.dockerLabels as { [label: string]: Emitted<string> } | undefined, ...added };
    m.done(FieldFate.MAPPED, ...rest(...labels));
  }
  const envFile = f.str(at('env_file'));
  if (envFile !== undefined) {
    props.environmentFiles = [code(`ecs.EnvironmentFile.fromAsset(path.join(WORKSPACE, ${quote(envFile)}))`)];
    m.done(FieldFate.MAPPED, ...rest('env_file'));
  }
  props.command = words(m, rest('command') as string[]);
  props.entryPoint = words(m, rest('entrypoint') as string[]);
  if (f.has(at('variables'))) {
    props.environmentVariables = Object.fromEntries(f.keys(at('variables')).map(k => [k, String(f.value(at('variables', k)) ?? '')]));
    m.done(FieldFate.MAPPED, ...rest('variables'));
  }
  if (f.has(at('secrets'))) props.secrets = Object.fromEntries(f.keys(at('secrets')).map(k => [k, secret(m, k, w, rest('secrets') as string[], name)]));
  if (f.has(at('healthcheck'))) props.healthCheck = healthCheck(m, rest('healthcheck') as string[]);
  sidecarDependencies(m, name, w, props);
  return props;
}

/** A sidecar's `image`: a location (with `credentialsParameter`), or a map as the main container's. */
function sidecarImage(m: Mapper, name: string, w: Workload): Code {
  const f = m.file;
  const at = (...rest: Array<string | number>) => m.p('sidecars', name, ...rest);
  const credentialsId = `${pascal(w.name)}${pascal(name)}RegistryCredentials`;
  if (f.kind(at('image')) === 'map') {
    const built = image(m, ['sidecars', name, 'image'], credentialsId);
    if (built === undefined) throw f.error(at('image'), `sidecars.${name}.image has no location or build`);
    return built;
  }
  const location = f.str(at('image'));
  if (location === undefined) throw f.error(at(), `sidecars.${name} has no image`);
  const credential = f.str(at('credentialsParameter'));
  const credentials = credential === undefined ? undefined : secretRef(m, credential, credentialsId);
  if (credential !== undefined) m.done(FieldFate.MAPPED, 'sidecars', name, 'credentialsParameter');
  const located = registryImage(location, credentials);
  m.done(FieldFate.MAPPED, 'sidecars', name, 'image');
  return located;
}

/** The containers a sidecar waits for (`depends_on`), and whether the main container waits for it (`image.depends_on`). */
function sidecarDependencies(m: Mapper, name: string, w: Workload, props: PropsModel<SidecarOptions>): void {
  const f = m.file;
  const at = (...rest: Array<string | number>) => m.p('sidecars', name, ...rest);
  // depends_on, or image.depends_on in a sidecar's image map: the same container dependencies.
  for (const deps of [['depends_on'], ['image', 'depends_on']]) {
    if (!f.has(at(...deps))) continue;
    props.dependsOn = [...props.dependsOn as Array<Emitted<ContainerDependency>> ?? [], ...f.keys(at(...deps)).map(container => {
      const condition = f.str(at(...deps, container))!;
      if (!CONDITIONS[condition]) throw f.error(at(...deps, container), `expected start, healthy, complete or success, got ${JSON.stringify(condition)}`);
      return { containerName: container === w.name ? 'app' : container, condition: code(`ecs.ContainerDependencyCondition.${CONDITIONS[condition]}`) };
    })];
    m.done(FieldFate.MAPPED, 'sidecars', name, ...deps);
  }
  const waits = f.str(m.p('image', 'depends_on', name));
  if (waits !== undefined) {
    if (!CONDITIONS[waits]) throw f.error(m.p('image', 'depends_on', name), `expected start, healthy, complete or success, got ${JSON.stringify(waits)}`);
    props.appWaitsFor = code(`ecs.ContainerDependencyCondition.${CONDITIONS[waits]}`);
    m.done(FieldFate.MAPPED, 'image', 'depends_on', name);
  }
}

/** A Secrets Manager secret by name or ARN. */
export function secretRef(m: Mapper, nameOrArn: string, id: string): string {
  return secretCode(nameOrArn, m.id(id));
}

export function secret(m: Mapper, k: string, w: Workload, base: string[] = ['secrets'], prefix: string = ''): Code | undefined {
  const f = m.file;
  const at = m.p(...base, k);
  const idOf = (key: string) => m.id(`${pascal(w.name)}${pascal(prefix)}${pascal(key)}`);
  if (f.kind(at) === 'scalar') {
    m.done(FieldFate.MAPPED, ...base, k);
    const name = f.str(at)!;
    const parameterName = name.startsWith('arn:') ? name.split(':parameter')[1] ?? name : name;
    return code(`ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(stack, ${quote(idOf(k))}, { parameterName: ${quote(parameterName)} }))`);
  }
  const sm = f.str([...at, 'secretsmanager']);
  if (sm !== undefined) {
    m.done(FieldFate.MAPPED, ...base, k);
    // name, name:key::, or an ARN with :key:: at the end.
    const match = /^(.*?)(?::([^:]+)::)?$/.exec(sm)!;
    return code(`ecs.Secret.fromSecretsManager(${secretRef(m, match[1], `${pascal(w.name)}${pascal(prefix)}${pascal(k)}`)}${match[2] ? `, ${quote(match[2])}` : ''})`);
  }
  m.todo([...base, k], 'a secret from a CloudFormation export (from_cfn): pass it with ecs.Secret and the exported ARN');
  return undefined;
}
