/**
 * One Compose service as a workload function: each section of the service's fields is a small
 * function that adds props, TODOs and statements to a `ServiceMapping`, in the order the props
 * depend on each other (a store's one task before an explicit count, the task's service-only
 * props removed last).
 */
import * as fs from 'fs';
import * as path from 'path';
import { aws_ecs as ecs } from 'aws-cdk-lib';
import { isService, Service, portsOf } from './analyse';
import { durationMs, durationOf, fargateSize, mapOf, mebibytes, parseVolume, retentionCode } from './values';
import { isForbiddenPlainVariable } from '../../guardrails/checks';
import type {
  AccessPointOptions, ContainerSecurityOptions, EfsVolumeOptions, ImageAssetOptions, LinuxSettings, RollingDeploymentOptions,
} from '../../index';
import { CONTAINER_HEALTH_CHECK_LIMITS } from '../../task/baseline';
import { isImageReference } from '../../task/image';
import { Code, code, commandWords, pascal, quote, QUOTED_COMMAND, registryImage, render, secretCode } from '../code';
import { processEnvCode, parseInterpolation } from '../interpolate';
import { PropsModel, WorkloadPropsModel } from '../model';
import { FieldFate, FieldPath, show, YamlFile } from '../source';

/** What every service of the file shares. */
export interface FileMapping {
  readonly f: YamlFile;
  /** The file's name, for comments. */
  readonly display: string;
  readonly sourceDir: string;
  readonly services: Service[];
  /** The named volumes' file systems, as code, by volume name (a section may add one). */
  readonly fileSystems: { [volume: string]: string };
  /** External secrets' ARNs by secret name. */
  readonly secretArns: { [secret: string]: string };
  /** x-aws-logs_retention, in days. */
  readonly retention?: number;
}

/** One service's mapping under way: its props, its TODOs and the statements after its construct. */
export class ServiceMapping {
  public readonly props: WorkloadPropsModel = { environment: code('environment') };
  public readonly todos: string[] = [];
  public readonly after: string[] = [];
  /** The Compose file. */
  public readonly f: YamlFile;

  constructor(public readonly file: FileMapping, public readonly s: Service) {
    this.f = file.f;
  }

  /** A field of the service. */
  public readonly at = (...rest: Array<string | number>): FieldPath => ['services', this.s.name, ...rest];

  /** Mark a field partial and say what a person must do. */
  public readonly todo = (p: FieldPath, what: string): void => {
    this.f.mark(p, FieldFate.PARTIAL);
    this.todos.push(`TODO(compose): ${show(p)} (line ${this.f.line(p)}): ${what}`);
  };
}

/** The workload function of one service. */
export function serviceFunction(file: FileMapping, s: Service, name: string): string {
  const c = new ServiceMapping(file, s);
  for (const section of SECTIONS) section(c);
  // A task runs once: it has no count, deployment or scaling.
  if (s.construct === 'StandaloneTask') for (const k of ['desiredCount', 'deployment', 'scaling'] as const) delete c.props[k];
  const construct = `new ${s.construct}(stack, ${quote(pascal(s.name))}, ${render(c.props, '  ')})`;
  return [
    `/** Service ${s.name} (${file.display}). */`,
    `function ${name}(stack: Stack, environment: Environment, fileSystems: FileSystems): ${s.construct} {`,
    ...c.todos.map(t => `  // ${t}`),
    ...(c.after.length > 0 ? [`  const workload = ${construct};`, ...c.after, '  return workload;'] : [`  return ${construct};`]),
    '}',
    '',
  ].join('\n');
}

/** The image: built from the file's context, or pulled (an unset tag variable pulls the latest, with a TODO). */
function mapImage(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  // Image.
  if (f.has(at('build'))) {
    if (f.kind(at('build')) === 'scalar') {
      props.image = code(`Image.fromAsset(path.join(SOURCE, ${quote(f.str(at('build'))!)}))`);
    } else {
      // An empty dockerfile (an unset variable) is Docker's default, Dockerfile.
      const build: PropsModel<ImageAssetOptions> = {
        file: f.str(at('build', 'dockerfile')) || undefined,
        target: f.str(at('build', 'target')),
        buildArgs: f.has(at('build', 'args')) ? mapOf(f, at('build', 'args')) : undefined,
      };
      for (const k of ['context', 'dockerfile', 'target', 'args']) if (f.has(at('build', k))) f.mark(at('build', k));
      const hasOptions = Object.values(build).some(v => v !== undefined);
      props.image = code(`Image.fromAsset(path.join(SOURCE, ${quote(f.str(at('build', 'context')) ?? '.')})${hasOptions ? `, ${render(build, '    ')}` : ''})`);
    }
    if (f.kind(at('build')) === 'scalar') f.mark(at('build'));
    if (f.has(at('image'))) f.mark(at('image'));
  } else if (f.has(at('image'))) {
    // x-aws-pull_credentials: the ARN of a Secrets Manager secret with the registry's user name and password.
    const pull = f.str(at('x-aws-pull_credentials'));
    let image = f.text(at('image'))!;
    const unset = f.raw(at('image')) !== undefined ? ` (it reads ${f.raw(at('image'))}; set the variables in .env)` : '';
    if (image === '') throw f.error(at('image'), `image is empty${unset}`);
    f.mark(at('image'));
    if (image.endsWith(':')) {
      // An unset tag variable (`app:${TAG}`): Compose would fail to pull; the latest image is the nearest.
      image = image.slice(0, -1);
      todo(at('image'), `the tag is empty${unset}: ${image} pulls the latest image; pin the version`);
    }
    if (!isImageReference(image)) throw f.error(at('image'), `image reference ${JSON.stringify(image)} is not one Docker can pull${unset}`);
    props.image = registryImage(image, pull === undefined ? undefined : secretCode(pull, `${pascal(s.name)}PullCredentials`));
    if (pull !== undefined) f.mark(at('x-aws-pull_credentials'));
  } else {
    throw f.error(at(), `service ${s.name} has neither image nor build: expected one`);
  }
}

/** Docker's ECS integration ran x86_64 unless the service's platform said otherwise; cdk-shipyard would pick ARM64. */
function mapPlatform(c: ServiceMapping): void {
  const { f, at, props } = c;
  // Docker's ECS integration ran x86_64 unless the service's platform said otherwise; cdk-shipyard would pick ARM64.
  const platform = f.str(at('platform'));
  props.cpuArchitecture = code(`ecs.CpuArchitecture.${platform && /arm64|aarch64/.test(platform) ? 'ARM64' : 'X86_64'}`);
  if (platform !== undefined) f.mark(at('platform'));
}

/** Ports: the container port, the shared listener's path for a second web service, the NLB of a network service. */
function mapPorts(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  if (s.port !== undefined && isService(s)) props.containerPort = s.port;
  if (s.why) todo(s.construct === 'StandaloneTask' ? at() : f.has(at('ports')) ? at('ports') : at(), s.why);
  // Compose published each web service on a port of its own; here they share the load balancer's
  // listener, where the first takes every path and each other one needs a condition of its own.
  const webServices = c.file.services.filter(x => x.construct === 'WebService');
  if (s.construct === 'WebService' && webServices[0] !== s) {
    props.routing = { pathPatterns: [`/${s.name}`, `/${s.name}/*`] };
    todo(at('ports'), `${webServices[0].name} takes every path of the shared load balancer: give ${s.name} the host name (routing.hostHeaders) or path it answers to`);
  }
  if (f.has(at('ports'))) {
    const ports = portsOf(f, at('ports'));
    f.mark(at('ports'));
    for (let i = 0; i < f.length(at('ports')); i++) {
      if (f.kind(at('ports', i)) === 'scalar' && /^[\s:]*(\/(tcp|udp))?$/.test(f.text(at('ports', i))!)) {
        todo(at('ports', i), `${f.raw(at('ports', i)) ?? 'the entry'} is empty: the variables it reads were not set at import; give the port and import again`);
      }
    }
    if (s.construct === 'NetworkService') {
      // A network load balancer of the service's own, reached from the VPC: Compose files publish
      // database and cache ports for local tools, which should not face the internet.
      const first = ports.published[0];
      props.listenerPort = first.published;
      if (first.protocol === 'udp') props.protocol = code('elbv2.Protocol.UDP');
      todo(at('ports'), `port ${first.published} is reachable from the VPC only: set internetFacing: true if clients outside it must reach ${s.name}`);
    }
    if (s.hostOnly.length > 0 && s.construct !== 'BackendService') {
      todo(at('ports'), `the ports bound to the host's loopback (${s.hostOnly.join(', ')}) stay private: reach them with ECS Exec or from the VPC`);
    }
    if (ports.all > 1) {
      todo(at('ports'), s.construct === 'NetworkService'
        ? 'the service has more than one port: the first is the listener; give the others as additionalListeners'
        : 'the service has more than one port: the first is the container port; route the others with additionalRoutes');
    } else if (ports.udp && s.construct !== 'NetworkService') {
      todo(at('ports'), 'a UDP port: make the service a NetworkService with protocol UDP');
    }
  }
  if (f.has(at('expose'))) {
    f.mark(at('expose'));
    if (f.length(at('expose')) > 1) todo(at('expose'), 'more than one exposed port: a BackendService publishes one');
  }
}

/** What the image needs: its own user for a port below 1024 or an image that starts as root; one task for a store that keeps data. */
function mapImageNeeds(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  if (s.port !== undefined && s.port < 1024 && isService(s)) props.containerSecurity = { imageUser: true, readOnlyRootFilesystem: false };
  // Images whose documentation has them start as root, or write outside /tmp: the baseline would stop them.
  if (s.known?.needsRoot && f.has(at('image')) && !f.has(at('user')) && !f.has(at('read_only'))) {
    props.containerSecurity = { imageUser: true, readOnlyRootFilesystem: false };
    todo(at('image'), `the ${s.known.what} image starts as root (or writes outside /tmp): it runs with its own user and a writable root, not the baseline's user 1000 and read-only root`);
  }
  if (s.known?.stateful && isService(s)) {
    props.desiredCount = 1;
    props.deployment = code('Deployment.rolling({ minHealthyPercent: 0, maxHealthyPercent: 100 })');
    todo(at('image'), `${s.known.what} keeps data: it runs as one task, stopped before its replacement starts, with its named volumes on EFS (retained)`
      + (s.known.managed ? `; in production move the data to ${s.known.managed} and give the services its endpoint` : ''));
  }
}

/** Command, entry point and working directory. */
function mapCommand(c: ServiceMapping): void {
  const { f, at, props, todo } = c;
  const words = (field: string): string[] | undefined => {
    const list = f.strings(at(field));
    if (!list) return undefined;
    const { words: split, quoted } = commandWords(f.kind(at(field)) === 'list', list);
    if (quoted) todo(at(field), QUOTED_COMMAND);
    else f.mark(at(field));
    return split;
  };
  props.command = words('command');
  props.entryPoint = words('entrypoint');
  props.workingDirectory = f.str(at('working_dir'));
  if (props.workingDirectory !== undefined) f.mark(at('working_dir'));
}

/** Variables: a value read from a variable is read again when the app synthesizes; AWS credentials are left out. */
function mapEnvironment(c: ServiceMapping): void {
  const { f, at, props, todo } = c;
  if (f.has(at('environment'))) {
    const vars: { [k: string]: string | Code } = {};
    if (f.kind(at('environment')) === 'list') {
      for (let i = 0; i < f.length(at('environment')); i++) {
        const entry = f.text(at('environment', i))!;
        const eq = entry.indexOf('=');
        const raw = f.raw(at('environment', i));
        if (eq < 0) todo(at('environment', i), `${entry} takes its value from the shell that runs Compose: give it a value`);
        else vars[entry.slice(0, eq)] = raw !== undefined && raw.indexOf('=') >= 0 ? code(processEnvCode(parseInterpolation(raw.slice(raw.indexOf('=') + 1)))) : entry.slice(eq + 1);
      }
    } else {
      for (const k of f.keys(at('environment'))) {
        const v = f.value(at('environment', k));
        const raw = f.raw(at('environment', k));
        // A value from a variable is read when the app synthesizes, with the file's default.
        vars[k] = raw !== undefined ? code(processEnvCode(parseInterpolation(raw))) : v === null || v === undefined ? '' : String(v);
      }
    }
    f.mark(at('environment'));
    for (const name of Object.keys(vars).filter(isForbiddenPlainVariable)) {
      delete vars[name];
      todo(at('environment'), `${name} is an AWS credential, which a task never holds in plain text: grant the task role (workload.taskRole) what it is for, or pass it as a secret`);
    }
    props.environmentVariables = vars;
  }
}

/** env_file: uploaded as S3 assets; a file that is not there is left out with a TODO. */
function mapEnvFiles(c: ServiceMapping): void {
  const { f, at, props, todo } = c;
  if (f.has(at('env_file'))) {
    // Uploaded with the app as an S3 asset; ECS reads VAR=VALUE lines (no quotes or interpolation).
    const files = f.kind(at('env_file')) === 'list'
      ? Array.from({ length: f.length(at('env_file')) }, (_, i) => f.kind(at('env_file', i)) === 'map' ? f.str(at('env_file', i, 'path'))! : f.str(at('env_file', i))!)
      : [f.str(at('env_file'))!];
    f.mark(at('env_file'));
    // A file that is not there (a .env the project's README says to create) is left out: the app would not synthesize.
    const present = files.filter(file => fs.existsSync(path.join(c.file.sourceDir, file)));
    if (present.length < files.length) {
      todo(at('env_file'), `${files.filter(x => !present.includes(x)).join(', ')} did not exist at import: create ${files.length - present.length > 1 ? 'them' : 'it'} and add ecs.EnvironmentFile.fromAsset(...) to environmentFiles`);
    }
    // ECS reads only files named *.env; an asset keeps its source's extension (a `.env` dotfile has
    // none), so any other name goes through envFile(), which uploads a copy named *.env.
    if (present.length > 0) {
      props.environmentFiles = present.map(file => code(path.extname(file) === '.env'
        ? `ecs.EnvironmentFile.fromAsset(path.join(SOURCE, ${quote(file)}))` : `envFile(path.join(SOURCE, ${quote(file)}))`));
    }
  }
}

/** secrets: an external Secrets Manager secret is a variable; a file is a TODO. */
function mapSecrets(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  if (f.has(at('secrets'))) {
    const secrets: { [name: string]: Code } = {};
    for (let i = 0; i < f.length(at('secrets')); i++) {
      const source = f.kind(at('secrets', i)) === 'map' ? f.str(at('secrets', i, 'source'))! : f.str(at('secrets', i))!;
      const arn = c.file.secretArns[source];
      if (arn === undefined) {
        todo(at('secrets', i), `${source} is a file: store it in Secrets Manager (external: true, name: its ARN) and import again`);
        continue;
      }
      const variable = source.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
      secrets[variable] = code(`ecs.Secret.fromSecretsManager(${secretCode(arn, `${pascal(s.name)}${pascal(source)}Secret`)})`);
      todo(at('secrets', i), `the app read /run/secrets/${source}; ECS gives the value in the variable ${variable}`);
    }
    if (Object.keys(secrets).length > 0) props.secrets = secrets;
  }
}

/** The container's identity and file system, its stop timeout and labels. */
function mapIdentity(c: ServiceMapping): void {
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
function mapRestart(c: ServiceMapping): void {
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

/** Linux settings (cap_drop, ulimits) and the log retention of x-aws-logs_retention. */
function mapLinux(c: ServiceMapping): void {
  const { f, at, props, todo } = c;
  const linux: PropsModel<LinuxSettings> = {};
  if (f.has(at('cap_drop'))) {
    // The baseline drops every capability already; these stay listed for the reader.
    linux.dropCapabilities = f.strings(at('cap_drop'))!.map(name => {
      const cap = name.replace(/^CAP_/, '');
      if (!(cap in ecs.Capability)) throw f.error(at('cap_drop'), `${name} is not a Linux capability ECS knows (ecs.Capability)`);
      return code(`ecs.Capability.${cap}`);
    });
    f.mark(at('cap_drop'));
  }
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
  if (Object.keys(linux).length > 0) props.linuxSettings = linux;
  if (c.file.retention !== undefined) props.logging = code(`Logging.awsLogs({ retention: ${retentionCode(f, ['x-aws-logs_retention'], c.file.retention)} })`);
}

/** The health check, each value within what ECS takes. */
function mapHealthCheck(c: ServiceMapping): void {
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

/** Size and count: deploy.resources.limits, or the older cpus and mem_limit; reservations; scale. */
function mapSize(c: ServiceMapping): void {
  const { f, at, props, todo } = c;
  const cpusAt = f.has(at('deploy', 'resources', 'limits', 'cpus')) ? at('deploy', 'resources', 'limits', 'cpus') : at('cpus');
  const memoryAt = f.has(at('deploy', 'resources', 'limits', 'memory')) ? at('deploy', 'resources', 'limits', 'memory') : at('mem_limit');
  const cpus = f.text(cpusAt);
  const memory = f.text(memoryAt);
  if (cpus !== undefined || memory !== undefined) {
    const wantCpu = cpus !== undefined ? Math.ceil(Number(cpus) * 1024) : 256;
    const wantMemory = memory !== undefined ? mebibytes(f, memoryAt, memory) : 512;
    const [cpu, mem] = fargateSize(wantCpu, wantMemory);
    props.cpu = cpu;
    props.memoryLimitMiB = mem;
    if (cpus !== undefined) f.mark(cpusAt);
    if (memory !== undefined) f.mark(memoryAt);
    if (cpu !== wantCpu) todo(cpusAt, `rounded up to the Fargate size ${cpu} CPU / ${mem} MiB`);
    if (mem !== wantMemory) todo(memoryAt, `rounded up to the Fargate size ${cpu} CPU / ${mem} MiB`);
  }
  const reservationAt = f.has(at('deploy', 'resources', 'reservations', 'memory')) ? at('deploy', 'resources', 'reservations', 'memory') : at('mem_reservation');
  const reservation = f.text(reservationAt);
  if (reservation !== undefined) {
    props.memoryReservationMiB = mebibytes(f, reservationAt, reservation);
    f.mark(reservationAt);
  }
  if (f.has(at('scale'))) {
    props.desiredCount = f.int(at('scale'));
    f.mark(at('scale'));
  }
}

/** deploy.update_config: stop-first replaces the tasks in place; x-aws-min_percent and max_percent set the bounds. */
function mapRolling(c: ServiceMapping): void {
  const { f, at, props } = c;
  const update = (...k: string[]) => at('deploy', 'update_config', ...k);
  const rolling: PropsModel<RollingDeploymentOptions> = {};
  if (f.str(update('order')) === 'stop-first') Object.assign(rolling, { minHealthyPercent: 0, maxHealthyPercent: 100 });
  else if (f.str(update('order')) === 'start-first') Object.assign(rolling, { minHealthyPercent: 100, maxHealthyPercent: 200 });
  if (f.has(update('order'))) f.mark(update('order'));
  if (f.has(update('x-aws-min_percent'))) { rolling.minHealthyPercent = f.int(update('x-aws-min_percent')); f.mark(update('x-aws-min_percent')); }
  if (f.has(update('x-aws-max_percent'))) { rolling.maxHealthyPercent = f.int(update('x-aws-max_percent')); f.mark(update('x-aws-max_percent')); }
  // failure_action: rollback is what the circuit breaker does.
  if (f.str(update('failure_action')) === 'rollback') f.mark(update('failure_action'));
  if (Object.keys(rolling).length > 0) props.deployment = code(`Deployment.rolling(${render(rolling, '    ')})`);
}

/** x-aws-autoscaling, x-aws-policies and x-aws-role. */
function mapAwsExtensions(c: ServiceMapping): void {
  const { f, s, at, props } = c;
  const scaling = (k: string) => at('x-aws-autoscaling', k);
  if (f.has(at('x-aws-autoscaling'))) {
    const targets: Code[] = [];
    if (f.has(scaling('cpu'))) targets.push(code(`Scaling.cpu(${f.int(scaling('cpu'))})`));
    if (f.has(scaling('memory'))) targets.push(code(`Scaling.memory(${f.int(scaling('memory'))})`));
    props.scaling = { minCapacity: f.int(scaling('min')) ?? 1, maxCapacity: f.int(scaling('max')), targets: targets.length > 0 ? targets : undefined };
    f.mark(at('x-aws-autoscaling'));
  }
  // x-aws-policies and x-aws-role: what the task role may do.
  for (let i = 0; i < f.length(at('x-aws-policies')); i++) {
    c.after.push(`  workload.taskRole.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, ${quote(`${pascal(s.name)}Policy${i + 1}`)}, ${quote(f.str(at('x-aws-policies', i))!)}));`);
  }
  if (f.has(at('x-aws-policies'))) f.mark(at('x-aws-policies'));
  if (f.has(at('x-aws-role'))) {
    c.after.push(`  workload.taskRole.attachInlinePolicy(new iam.Policy(stack, ${quote(`${pascal(s.name)}RolePolicy`)}, { document: iam.PolicyDocument.fromJson(${JSON.stringify(f.value(at('x-aws-role')))}) }));`);
    f.mark(at('x-aws-role'));
  }
}

/** The Service Connect name callers use, and deploy.replicas. */
function mapCount(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  if (s.construct === 'BackendService' && s.name !== pascal(s.name).toLowerCase()) props.serviceConnect = { dnsName: s.name };
  if (s.construct === 'WebService' && c.file.services.some(x => x.calls.includes(s.name))) props.serviceConnect = { dnsName: s.name };
  const replicas = f.int(at('deploy', 'replicas'));
  if (replicas !== undefined) {
    props.desiredCount = replicas;
    f.mark(at('deploy', 'replicas'));
  }
  if (props.scaling !== undefined && props.desiredCount !== undefined) {
    // A scaled service starts at minCapacity; a desired count would reset it on each deploy.
    delete props.desiredCount;
    todo(f.has(at('deploy', 'replicas')) ? at('deploy', 'replicas') : at('scale'), 'the service scales (x-aws-autoscaling): it starts at scaling.minCapacity');
  }
}

/**
 * Volumes: named volumes are EFS file systems; tmpfs mounts (the service's `tmpfs`, `type: tmpfs`
 * volumes and named volumes whose driver options say tmpfs) are the baseline's in-memory writable
 * paths, as Compose ran them; an anonymous volume is task scratch space; a store's data directory stays.
 */
function mapVolumes(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  const inMemory = serviceTmpfs(c);
  if (f.has(at('volumes'))) {
    const volumes: Code[] = [];
    for (let i = 0; i < f.length(at('volumes')); i++) {
      const spec = f.kind(at('volumes', i)) === 'map'
        ? {
          source: f.str(at('volumes', i, 'source')),
          target: f.str(at('volumes', i, 'target')),
          type: f.str(at('volumes', i, 'type')),
          readOnly: f.bool(at('volumes', i, 'read_only')),
        }
        : parseVolume(f.str(at('volumes', i))!);
      const tmpfsVolume = spec.source !== undefined && f.str(['volumes', spec.source, 'driver_opts', 'type']) === 'tmpfs';
      if (spec.target && (spec.type === 'tmpfs' || ((spec.type ?? 'volume') === 'volume' && tmpfsVolume))) {
        inMemory.push(spec.target);
        f.mark(at('volumes', i));
      } else if (spec.target && spec.source && (spec.type ?? 'volume') === 'volume' && !/^[./~]/.test(spec.source) && f.hasKey(['volumes'], spec.source)) {
        const mount: PropsModel<EfsVolumeOptions> = { containerPath: spec.target, readOnly: spec.readOnly };
        const ids: PropsModel<AccessPointOptions> = { uid: f.int(['volumes', spec.source, 'driver_opts', 'uid']), gid: f.int(['volumes', spec.source, 'driver_opts', 'gid']) };
        if (ids.uid !== undefined || ids.gid !== undefined) mount.accessPoint = ids;
        volumes.push(code(`Volume.efs(${quote(spec.source.replace(/[^A-Za-z0-9_-]/g, '-'))}, fileSystems[${quote(spec.source)}], ${render(mount, '      ')})`));
        f.mark(at('volumes', i));
      } else if (spec.target && !spec.source) {
        volumes.push(code(`Volume.scratch(${quote(`${s.name}-${i}`)}, { containerPath: ${quote(spec.target)} })`));
        f.mark(at('volumes', i));
      } else if (s.known?.dataPath && spec.target && spec.source && (spec.target === s.known.dataPath || s.known.dataPath.startsWith(`${spec.target}/`))) {
        // The store's data stays: a file system of its own instead of the host's directory.
        const volume = `${s.name}-host-data`;
        c.file.fileSystems[volume] = `new efs.FileSystem(stack, ${quote(`${pascal(volume)}FileSystem`)}, { vpc: environment.vpc, encrypted: true, removalPolicy: RemovalPolicy.RETAIN })`;
        const mount: PropsModel<EfsVolumeOptions> = { containerPath: spec.target, readOnly: spec.readOnly };
        volumes.push(code(`Volume.efs(${quote(volume)}, fileSystems[${quote(volume)}], ${render(mount, '      ')})`));
        todo(at('volumes', i), `the host directory ${spec.source} held ${s.name}'s data: here an EFS file system (retained); copy the data in before the first start`);
      } else {
        todo(at('volumes', i), 'a bind mount of a local path: build the files into the image, or use EFS');
      }
    }
    if (volumes.length > 0) props.volumes = volumes;
    // A volume at /tmp takes the place of the baseline's scratch /tmp.
    if (volumes.some(v => /containerPath: '\/tmp'/.test((v as Code).text))) props.containerSecurity = { ...props.containerSecurity as PropsModel<ContainerSecurityOptions> | undefined, writablePaths: [] };
  }
  if (inMemory.length > 0) {
    const security = props.containerSecurity as PropsModel<ContainerSecurityOptions> | undefined;
    const given = security?.writablePaths;
    const base = Array.isArray(given) ? given : (security?.readOnlyRootFilesystem === false ? [] : ['/tmp']);
    props.containerSecurity = { ...security, writablePaths: [...new Set([...base, ...inMemory])] };
  }
}

/**
 * The service's `tmpfs` paths (`/run` or `/run:size=16M,mode=1750`). ECS takes no mode, owner or
 * size from Compose here: a path gets the baseline's options (nosuid, nodev, exec) and size.
 */
function serviceTmpfs(c: ServiceMapping): string[] {
  const { f, at } = c;
  if (!f.has(at('tmpfs'))) return [];
  const entries = f.kind(at('tmpfs')) === 'scalar' ? [f.str(at('tmpfs'))!]
    : Array.from({ length: f.length(at('tmpfs')) }, (_, i) => f.str(at('tmpfs', i))!);
  f.mark(at('tmpfs'));
  return entries.filter(e => e).map(e => e.split(':')[0]);
}

/** The sections in the order their props depend on each other. */
const SECTIONS: Array<(c: ServiceMapping) => void> = [
  mapImage, mapPlatform, mapPorts, mapImageNeeds, mapCommand, mapEnvironment, mapEnvFiles, mapSecrets, mapIdentity, mapRestart, mapLinux,
  mapHealthCheck, mapSize, mapRolling, mapAwsExtensions, mapCount, mapVolumes,
];
