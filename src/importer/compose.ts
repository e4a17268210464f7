import * as path from 'path';
import { aws_ecs as ecs } from 'aws-cdk-lib';
import {
  Code, code, commandWords, milliseconds, pascal, camel, Props, quote, QUOTED_COMMAND, registryImage, render, retentionMember, RETENTION_EXPECTED,
  secretCode,
} from './code';
import { ImportResult } from './copilot';
import { FieldFate, FieldPath, ImportError, show, tallyFields, YamlFile } from './source';

/** Options of a Compose import. */
export interface ComposeImportOptions {
  /** The Compose file. */
  readonly file: string;
  /** Where app.ts goes; paths in it are relative to this directory. */
  readonly outDir: string;
  /** Give the environment the production profile. */
  readonly production?: boolean;
}

/**
 * Fargate task sizes: each CPU value and the memory it allows (MiB). Source: Amazon ECS
 * Developer Guide, "Amazon ECS task definition parameters for Fargate", Task size.
 */
const FARGATE_SIZES: Array<[number, number[]]> = [
  [256, [512, 1024, 2048]],
  [512, [1024, 2048, 3072, 4096]],
  [1024, [2048, 3072, 4096, 5120, 6144, 7168, 8192]],
  [2048, Array.from({ length: 13 }, (_, i) => 4096 + i * 1024)],
  [4096, Array.from({ length: 23 }, (_, i) => 8192 + i * 1024)],
];

/** What to do with a field that has no prop, by its path. */
const HINTS: Array<[RegExp, string]> = [
  [/\.(extends)\b|^include/, 'Compose merges it: import the output of `docker compose config`, which resolves extends, include, profiles and variables'],
  [/\.build\./, 'Image.fromAsset runs docker build: set its other options (buildSecrets, cacheFrom, platform, outputs) by hand'],
  [/\.(gpus|deploy\.resources\.reservations\.(devices|generic_resources))\b/, 'GPUs need EC2 capacity: gpuCount with Capacity.autoScaling'],
  [/\.deploy\.mode\b/, 'replicated is a service; global is a DaemonService on EC2 capacity'],
  [/\.healthcheck\.start_interval\b/, 'ECS checks at the interval during the start period too'],
  [/\.(post_start|pre_stop)\b/, 'run it from the entry point (or a lifecycle hook of the deployment)'],
  [/\.(cap_add|privileged|security_opt|userns_mode|pid|ipc|uts|cgroup|cgroup_parent|devices|device_cgroup_rules)\b/, 'the secure baseline runs tasks unprivileged, without added capabilities or host namespaces'],
  [/\.(networks|network_mode|links|external_links|hostname|domainname|dns|dns_opt|dns_search|extra_hosts|mac_address)\b|^networks/, 'tasks share the environment\'s VPC and call each other through Service Connect (connectTo)'],
  [/\.(restart|deploy\.restart_policy)\b/, 'ECS replaces a stopped task of a service; restartPolicy restarts a container in place'],
  [/\.(logging)\b/, 'logs go to CloudWatch Logs (logging: Logging.awsLogs, fireLens or splunk)'],
  [/\.(tmpfs|shm_size|sysctls|storage_opt|oom_kill_disable|oom_score_adj|pids_limit|mem_swappiness|memswap_limit|blkio_config|deploy\.resources\.limits\.pids)\b/,
    'Fargate does not take it; on EC2 capacity set linuxSettings or the task definition by hand'],
  [/\.(cpu_count|cpu_percent|cpu_period|cpu_quota|cpu_rt_period|cpu_rt_runtime|cpu_shares|cpuset|deploy\.resources\.reservations\.cpus)\b/, 'a task has cpu units (cpu, containerCpu)'],
  [/\.deploy\.(placement|endpoint_mode|labels|rollback_config|update_config)\b/, 'ECS deploys with the rolling deployment and circuit breaker (deployment)'],
  [/\.(configs)\b|^configs/, 'build the file into the image, or pass it as a variable or secret'],
  [/\.(develop|attach|profiles|stdin_open|tty|pull_policy|pull_refresh_after|stop_signal|annotations|label_file|runtime|isolation|credential_spec|group_add|volumes_from|provider|models|use_api_socket)\b|^(models|version)/,
    'it shapes local runs of Compose, not a service in ECS'],
  [/^x-aws-(cluster|loadbalancer|cloudformation)/, 'the environment creates its cluster and load balancer; an existing one goes to Environment.fromAttributes, an overlay to escape hatches'],
  [/^secrets/, 'only secrets with external: true and a Secrets Manager ARN as name are imported'],
  [/^volumes/, 'the file system is EFS with the library\'s settings (encrypted, an access point per service)'],
];

/** A service of the file, read. */
interface Service {
  readonly name: string;
  readonly construct: 'WebService' | 'NetworkService' | 'BackendService' | 'BackgroundService';
  readonly port?: number;
  readonly dependsOn: string[];
}

/**
 * Import a Compose file: services with published ports become `WebService`s, services with
 * ports they only expose `BackendService`s that the services depending on them call with
 * `connectTo`, and services with neither `BackgroundService`s, all in one environment. Fields
 * with no prop become TODO comments that quote them.
 */
export function importCompose(options: ComposeImportOptions): ImportResult {
  const display = path.basename(options.file);
  const f = YamlFile.read(options.file, display);
  const sourceDir = path.dirname(path.resolve(options.file));
  const fromOut = path.relative(options.outDir, sourceDir).split(path.sep).join('/') || '.';
  const topTodos: string[] = [];
  const names = f.keys(['services']);
  if (names.length === 0) throw new ImportError(display, f.line(['services']), 'has no services: expected a services map');
  for (const top of ['name', 'version']) if (f.has([top])) f.mark([top]);
  // Named volumes persist, so each is an EFS file system, as Docker's ECS integration made them:
  // external ones name an existing file system, the others are new and kept when the stack goes.
  const fileSystems: { [volume: string]: string } = {};
  for (const volume of f.keys(['volumes'])) {
    const at = (...rest: string[]) => ['volumes', volume, ...rest];
    const id = `${pascal(volume)}FileSystem`;
    const external = f.kind(at('external')) === 'scalar' && f.bool(at('external'));
    if (external) {
      const fsId = f.str(at('name')) ?? volume;
      fileSystems[volume] = `efs.FileSystem.fromFileSystemAttributes(stack, ${quote(id)}, { fileSystemId: ${quote(fsId)}, `
        + `securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, ${quote(`${id}Group`)}, 'sg-00000000000000000', { mutable: false }) })`;
      f.mark(at('external'));
      if (f.has(at('name'))) f.mark(at('name'));
      topTodos.push(`TODO(compose): ${show(at())} (line ${f.line(at())}): give the security group of ${fsId}; it must admit the services on 2049`);
      f.mark(at(), FieldFate.PARTIAL);
    } else {
      fileSystems[volume] = `new efs.FileSystem(stack, ${quote(id)}, { vpc: environment.vpc, encrypted: true, removalPolicy: RemovalPolicy.RETAIN })`;
      if (f.kind(at()) !== 'map' || f.keys(at()).length === 0) f.mark(at());
    }
    for (const k of ['uid', 'gid']) if (f.has(at('driver_opts', k))) f.mark(at('driver_opts', k));
  }
  // Secrets: an external one names a Secrets Manager secret by ARN (Docker's ECS integration).
  const secretArns: { [secret: string]: string } = {};
  for (const secret of f.keys(['secrets'])) {
    const at = (...rest: string[]) => ['secrets', secret, ...rest];
    const name = f.str(at('name'));
    if (f.bool(at('external')) && name?.startsWith('arn:')) {
      secretArns[secret] = name;
      f.mark(at());
    }
  }
  const extension = (key: string) => f.has([key]);
  const retention = f.int(['x-aws-logs_retention']);
  if (retention !== undefined) f.mark(['x-aws-logs_retention']);
  if (extension('x-aws-vpc')) {
    topTodos.push(`TODO(compose): x-aws-vpc (line ${f.line(['x-aws-vpc'])}): import the VPC with ec2.Vpc.fromLookup and give network: Network.fromVpc(vpc)`);
    f.mark(['x-aws-vpc'], FieldFate.PARTIAL);
  }

  const services: Service[] = names.map(name => {
    const at = (...rest: Array<string | number>): FieldPath => ['services', name, ...rest];
    const ports = portsOf(f, at('ports'));
    const exposed = Array.from({ length: f.length(at('expose')) }, (_, i) => Number(f.text(at('expose', i))));
    if (exposed.some(p => !Number.isInteger(p))) throw f.error(at('expose'), `expected port numbers for ${show(at('expose'))}`);
    const dependsOn = f.kind(at('depends_on')) === 'map' ? f.keys(at('depends_on')) : f.strings(at('depends_on')) ?? [];
    for (const d of dependsOn) if (!names.includes(d)) throw f.error(at('depends_on'), `depends_on names ${JSON.stringify(d)}, which is not a service of the file`);
    const construct = ports.published.length === 0 ? ports.container.length + exposed.length > 0 ? 'BackendService' : 'BackgroundService'
      : isHttp(ports.published[0]) ? 'WebService' : 'NetworkService';
    return { name, construct, port: ports.published[0]?.target ?? ports.container[0] ?? exposed[0], dependsOn };
  });

  const functions = services.map(s => serviceFunction(s));
  const calls = services.map(s => `const ${camel(s.name)}Service = ${camel(s.name)}(stack, environment, fileSystems);`);
  const connects = services.flatMap(s => s.dependsOn
    .filter(d => services.find(x => x.name === d)!.construct === 'BackendService')
    .map(d => `${camel(s.name)}Service.connectTo(${camel(d)}Service);`));
  for (const s of services) f.mark(['services', s.name, 'depends_on']);

  const { todos: unmappedTodos, ...counts } = tallyFields('compose', [f], HINTS);
  const body = [
    '// Build contexts and files are relative to the Compose file, as in Compose.',
    `const SOURCE = path.join(__dirname, ${quote(fromOut)});`,
    '',
    '/** The named volumes\' file systems by volume name. */',
    'type FileSystems = { [volume: string]: efs.IFileSystem };',
    '',
    ...functions,
    ...unmappedTodos,
    ...(unmappedTodos.length > 0 ? [''] : []),
    'const app = new App();',
    `const stack = new Stack(app, ${quote(pascal(f.str(['name']) ?? path.basename(sourceDir)))});`,
    `const environment = new Environment(stack, 'Environment', ${render(options.production
      ? { profile: code('EnvironmentProfile.PRODUCTION'), ingress: { protocol: code('elbv2.ApplicationProtocol.HTTP') } }
      : { profile: code('EnvironmentProfile.DEVELOPMENT') })});`,
    ...topTodos.map(t => `// ${t}`),
    ...(Object.keys(fileSystems).length > 0 ? [
      '/** The named volumes: EFS file systems the services mount. */',
      `const fileSystems: FileSystems = {\n${Object.entries(fileSystems).map(([v, c]) => `  ${quote(v)}: ${c},`).join('\n')}\n};`,
    ] : ['const fileSystems: FileSystems = {};']),
    ...calls,
    ...connects,
    'app.synth();',
    '',
  ].join('\n');
  const used = (list: string[]) => list.filter(n => new RegExp(`\\b${n}\\b`).test(body));
  const modules: { [alias: string]: string } = {
    ec2: 'aws_ec2', ecs: 'aws_ecs', efs: 'aws_efs', elbv2: 'aws_elasticloadbalancingv2', iam: 'aws_iam', logs: 'aws_logs', secretsmanager: 'aws_secretsmanager',
  };
  const app = [
    '// Written by `cdk-shipyard import compose` from the Compose file at',
    `// ${path.posix.join(fromOut, path.basename(options.file))} (relative to this file). The code is yours now: edit it as you would any CDK app.`,
    '// TODO(compose) comments quote what the importer could not carry over.',
    'import * as path from \'path\';',
    `import { ${[...used(['App', 'Duration', 'RemovalPolicy', 'Stack']), ...Object.keys(modules).filter(n => new RegExp(`\\b${n}\\.[A-Za-z]`).test(body)).map(a => `${modules[a]} as ${a}`)].join(', ')} } from 'aws-cdk-lib';`,
    `import { ${used(['BackendService', 'BackgroundService', 'Deployment', 'Environment', 'EnvironmentProfile', 'Image', 'Logging', 'NetworkService', 'Scaling', 'Volume', 'WebService']).join(', ')} } from 'cdk-shipyard';`,
    '',
    body,
  ].join('\n');
  return { files: { 'app.ts': app }, ...counts };

  function serviceFunction(s: Service): string {
    const at = (...rest: Array<string | number>): FieldPath => ['services', s.name, ...rest];
    const todos: string[] = [];
    const after: string[] = [];
    const todo = (p: FieldPath, what: string) => {
      f.mark(p, FieldFate.PARTIAL);
      todos.push(`TODO(compose): ${show(p)} (line ${f.line(p)}): ${what}`);
    };
    const props: Props = { environment: code('environment') };
    // Image.
    if (f.has(at('build'))) {
      if (f.kind(at('build')) === 'scalar') {
        props.image = code(`Image.fromAsset(path.join(SOURCE, ${quote(f.str(at('build'))!)}))`);
      } else {
        const build: Props = {
          file: f.str(at('build', 'dockerfile')),
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
      props.image = registryImage(f.str(at('image'))!, pull === undefined ? undefined : secretCode(pull, `${pascal(s.name)}PullCredentials`));
      f.mark(at('image'));
      if (pull !== undefined) f.mark(at('x-aws-pull_credentials'));
    } else {
      throw f.error(at(), `service ${s.name} has neither image nor build: expected one`);
    }
    // Docker's ECS integration ran x86_64 unless the service's platform said otherwise; cdk-shipyard would pick ARM64.
    const platform = f.str(at('platform'));
    props.cpuArchitecture = code(`ecs.CpuArchitecture.${platform && /arm64|aarch64/.test(platform) ? 'ARM64' : 'X86_64'}`);
    if (platform !== undefined) f.mark(at('platform'));
    // Ports.
    if (s.port !== undefined) props.containerPort = s.port;
    // Compose published each web service on a port of its own; here they share the load balancer's
    // listener, where the first takes every path and each other one needs a condition of its own.
    const webServices = services.filter(x => x.construct === 'WebService');
    if (s.construct === 'WebService' && webServices[0] !== s) {
      props.routing = { pathPatterns: [`/${s.name}`, `/${s.name}/*`] };
      todo(at('ports'), `${webServices[0].name} takes every path of the shared load balancer: give ${s.name} the host name (routing.hostHeaders) or path it answers to`);
    }
    if (f.has(at('ports'))) {
      const ports = portsOf(f, at('ports'));
      f.mark(at('ports'));
      if (s.construct === 'NetworkService') {
        // A network load balancer of the service's own, reached from the VPC: Compose files publish
        // database and cache ports for local tools, which should not face the internet.
        const first = ports.published[0];
        props.listenerPort = first.published;
        if (first.protocol === 'udp') props.protocol = code('elbv2.Protocol.UDP');
        todo(at('ports'), `port ${first.published} is reachable from the VPC only: set internetFacing: true if clients outside it must reach ${s.name}`);
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
    if (s.port !== undefined && s.port < 1024) props.containerSecurity = { imageUser: true, readOnlyRootFilesystem: false };
    // Command and entry point.
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
    // Variables.
    if (f.has(at('environment'))) {
      const vars: { [k: string]: string } = {};
      if (f.kind(at('environment')) === 'list') {
        for (let i = 0; i < f.length(at('environment')); i++) {
          const entry = f.text(at('environment', i))!;
          const eq = entry.indexOf('=');
          if (eq < 0) todo(at('environment', i), `${entry} takes its value from the shell that runs Compose: give it a value`);
          else vars[entry.slice(0, eq)] = entry.slice(eq + 1);
        }
      } else {
        for (const k of f.keys(at('environment'))) {
          const v = f.value(at('environment', k));
          vars[k] = v === null || v === undefined ? '' : String(v);
        }
      }
      props.environmentVariables = vars;
      f.mark(at('environment'));
    }
    if (f.has(at('env_file'))) {
      // Uploaded with the app as an S3 asset; ECS reads VAR=VALUE lines (no quotes or interpolation).
      const files = f.kind(at('env_file')) === 'list'
        ? Array.from({ length: f.length(at('env_file')) }, (_, i) => f.kind(at('env_file', i)) === 'map' ? f.str(at('env_file', i, 'path'))! : f.str(at('env_file', i))!)
        : [f.str(at('env_file'))!];
      props.environmentFiles = files.map(file => code(`ecs.EnvironmentFile.fromAsset(path.join(SOURCE, ${quote(file)}))`));
      f.mark(at('env_file'));
    }
    if (f.has(at('secrets'))) {
      const secrets: Props = {};
      for (let i = 0; i < f.length(at('secrets')); i++) {
        const source = f.kind(at('secrets', i)) === 'map' ? f.str(at('secrets', i, 'source'))! : f.str(at('secrets', i))!;
        const arn = secretArns[source];
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
    // The container's identity and file system.
    const security: Props = {};
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
    if (Object.keys(security).length > 0) props.containerSecurity = { ...props.containerSecurity as Props, ...security };
    if (f.has(at('stop_grace_period'))) {
      props.stopTimeout = durationOf(f, at('stop_grace_period'));
      f.mark(at('stop_grace_period'));
    }
    if (f.has(at('labels'))) {
      props.dockerLabels = mapOf(f, at('labels'));
      f.mark(at('labels'));
    }
    // restart (or deploy.restart_policy.condition): ECS restarts the container in place; the service replaces a task anyway.
    const restartAt = f.has(at('deploy', 'restart_policy', 'condition')) ? at('deploy', 'restart_policy', 'condition') : at('restart');
    const restart = f.str(restartAt);
    if (restart !== undefined) {
      if (restart === 'on-failure') props.restartPolicy = { ignoredExitCodes: [0] };
      else if (['always', 'unless-stopped', 'any'].includes(restart)) props.restartPolicy = {};
      else if (restart !== 'no' && restart !== 'none') throw f.error(restartAt, `expected no, always, on-failure or unless-stopped for ${show(restartAt)}, got ${JSON.stringify(restart)}`);
      f.mark(restartAt);
      // deploy.restart_policy takes precedence over restart, as in Compose.
      if (f.has(at('restart'))) f.mark(at('restart'));
    }
    if (f.bool(at('privileged')) === false) f.mark(at('privileged'));
    if (f.has(at('container_name'))) {
      props.containerName = f.str(at('container_name'));
      f.mark(at('container_name'));
    }
    const linux: Props = {};
    if (f.has(at('cap_drop'))) {
      // The baseline drops every capability already; these stay listed for the reader.
      linux.dropCapabilities = f.strings(at('cap_drop'))!.map(c => {
        const cap = c.replace(/^CAP_/, '');
        if (!(cap in ecs.Capability)) throw f.error(at('cap_drop'), `${c} is not a Linux capability ECS knows (ecs.Capability)`);
        return code(`ecs.Capability.${cap}`);
      });
      f.mark(at('cap_drop'));
    }
    if (f.has(at('ulimits'))) {
      linux.ulimits = f.keys(at('ulimits')).map(name => {
        const both = f.kind(at('ulimits', name)) === 'scalar';
        const soft = both ? f.int(at('ulimits', name)) : f.int(at('ulimits', name, 'soft'));
        const hard = both ? soft : f.int(at('ulimits', name, 'hard'));
        if (!(name.toUpperCase() in ecs.UlimitName)) throw f.error(at('ulimits', name), `${name} is not a ulimit ECS knows (ecs.UlimitName)`);
        return { name: code(`ecs.UlimitName.${name.toUpperCase()}`), softLimit: soft, hardLimit: hard };
      });
      f.mark(at('ulimits'));
    }
    if (Object.keys(linux).length > 0) props.linuxSettings = linux;
    if (retention !== undefined) props.logging = code(`Logging.awsLogs({ retention: ${retentionCode(f, ['x-aws-logs_retention'], retention)} })`);
    // Health check.
    if (f.has(at('healthcheck'))) {
      const test = f.strings(at('healthcheck', 'test'));
      if (f.bool(at('healthcheck', 'disable')) === true || (test && test[0] === 'NONE')) {
        f.mark(at('healthcheck'));
      } else if (test) {
        props.healthCheck = {
          command: f.kind(at('healthcheck', 'test')) === 'list' ? test : ['CMD-SHELL', test[0]],
          interval: durationOf(f, at('healthcheck', 'interval')),
          timeout: durationOf(f, at('healthcheck', 'timeout')),
          retries: f.int(at('healthcheck', 'retries')),
          startPeriod: durationOf(f, at('healthcheck', 'start_period')),
        };
        for (const k of ['test', 'interval', 'timeout', 'retries', 'start_period', 'disable']) if (f.has(at('healthcheck', k))) f.mark(at('healthcheck', k));
      }
    }
    // Size and count: deploy.resources.limits, or the older cpus and mem_limit.
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
    // deploy.update_config: stop-first replaces the tasks in place; x-aws-min_percent and max_percent set the bounds.
    const update = (...k: string[]) => at('deploy', 'update_config', ...k);
    const rolling: Props = {};
    if (f.str(update('order')) === 'stop-first') Object.assign(rolling, { minHealthyPercent: 0, maxHealthyPercent: 100 });
    else if (f.str(update('order')) === 'start-first') Object.assign(rolling, { minHealthyPercent: 100, maxHealthyPercent: 200 });
    if (f.has(update('order'))) f.mark(update('order'));
    if (f.has(update('x-aws-min_percent'))) { rolling.minHealthyPercent = f.int(update('x-aws-min_percent')); f.mark(update('x-aws-min_percent')); }
    if (f.has(update('x-aws-max_percent'))) { rolling.maxHealthyPercent = f.int(update('x-aws-max_percent')); f.mark(update('x-aws-max_percent')); }
    // failure_action: rollback is what the circuit breaker does.
    if (f.str(update('failure_action')) === 'rollback') f.mark(update('failure_action'));
    if (Object.keys(rolling).length > 0) props.deployment = code(`Deployment.rolling(${render(rolling, '    ')})`);
    // x-aws-autoscaling: min and max tasks with a CPU or memory target.
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
      after.push(`  workload.taskRole.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, ${quote(`${pascal(s.name)}Policy${i + 1}`)}, ${quote(f.str(at('x-aws-policies', i))!)}));`);
    }
    if (f.has(at('x-aws-policies'))) f.mark(at('x-aws-policies'));
    if (f.has(at('x-aws-role'))) {
      after.push(`  workload.taskRole.attachInlinePolicy(new iam.Policy(stack, ${quote(`${pascal(s.name)}RolePolicy`)}, { document: iam.PolicyDocument.fromJson(${JSON.stringify(f.value(at('x-aws-role')))}) }));`);
      f.mark(at('x-aws-role'));
    }
    // Compose services call a backend by its service name.
    if (s.construct === 'BackendService' && s.name !== pascal(s.name).toLowerCase()) props.serviceConnect = { dnsName: s.name };
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
    // Volumes: named volumes are EFS file systems, tmpfs mounts task scratch space.
    if (f.has(at('volumes'))) {
      const volumes: unknown[] = [];
      for (let i = 0; i < f.length(at('volumes')); i++) {
        const spec = f.kind(at('volumes', i)) === 'map'
          ? {
            source: f.str(at('volumes', i, 'source')),
            target: f.str(at('volumes', i, 'target')),
            type: f.str(at('volumes', i, 'type')),
            readOnly: f.bool(at('volumes', i, 'read_only')),
          }
          : parseVolume(f.str(at('volumes', i))!);
        if (spec.target && spec.source && (spec.type ?? 'volume') === 'volume' && !/^[./~]/.test(spec.source) && f.has(['volumes', spec.source])) {
          const mount: Props = { containerPath: spec.target, readOnly: spec.readOnly };
          const ids: Props = { uid: f.int(['volumes', spec.source, 'driver_opts', 'uid']), gid: f.int(['volumes', spec.source, 'driver_opts', 'gid']) };
          if (ids.uid !== undefined || ids.gid !== undefined) mount.accessPoint = ids;
          volumes.push(code(`Volume.efs(${quote(spec.source.replace(/[^A-Za-z0-9_-]/g, '-'))}, fileSystems[${quote(spec.source)}], ${render(mount, '      ')})`));
          f.mark(at('volumes', i));
        } else if (spec.target && (spec.type === 'tmpfs' || !spec.source)) {
          volumes.push(code(`Volume.scratch(${quote(`${s.name}-${i}`)}, { containerPath: ${quote(spec.target)} })`));
          f.mark(at('volumes', i));
        } else {
          todo(at('volumes', i), 'a bind mount of a local path: build the files into the image, or use EFS');
        }
      }
      if (volumes.length > 0) props.volumes = volumes;
    }
    return [
      `/** Service ${s.name} (${display}). */`,
      `function ${camel(s.name)}(stack: Stack, environment: Environment, fileSystems: FileSystems): ${s.construct} {`,
      ...todos.map(t => `  // ${t}`),
      ...(after.length > 0
        ? [`  const workload = new ${s.construct}(stack, ${quote(pascal(s.name))}, ${render(props, '  ')});`, ...after, '  return workload;']
        : [`  return new ${s.construct}(stack, ${quote(pascal(s.name))}, ${render(props, '  ')});`]),
      '}',
      '',
    ].join('\n');
  }
}

/** A published port: the container's, the one clients use, its protocol and the application protocol Compose was told. */
interface PublishedPort {
  readonly target: number;
  readonly published: number;
  readonly protocol: 'tcp' | 'udp';
  readonly appProtocol?: string;
}

/**
 * TCP ports of well-known protocols that are not HTTP (SSH, SMTP, DNS, MQTT, MySQL, PostgreSQL,
 * AMQP, Redis, Cassandra, Kafka, memcached, MongoDB): a service published on one of them is
 * a NetworkService.
 */
const NOT_HTTP_PORTS = new Set([22, 25, 53, 1883, 3306, 5432, 5672, 6379, 9042, 9092, 11211, 27017]);

/**
 * Whether a published port serves HTTP: not UDP, an `app_protocol` of http, https, http2 or
 * grpc when one is given (or Docker's `x-aws-protocol: http`), and not a well-known port of
 * another protocol.
 */
function isHttp(port: PublishedPort): boolean {
  if (port.protocol === 'udp') return false;
  if (port.appProtocol !== undefined) return /^(https?|http2|h2c?|grpc)$/i.test(port.appProtocol);
  return !NOT_HTTP_PORTS.has(port.target) && !NOT_HTTP_PORTS.has(port.published);
}

/** Ports: `"8080:80"`, `"80"`, `"127.0.0.1:8080:80/udp"`, or the long form; published when a host port is given. */
function portsOf(f: YamlFile, at: FieldPath): { published: PublishedPort[]; container: number[]; all: number; udp: boolean } {
  const published: PublishedPort[] = [];
  const container: number[] = [];
  let udp = false;
  const n = f.length(at);
  for (let i = 0; i < n; i++) {
    if (f.kind([...at, i]) === 'map') {
      const target = f.int([...at, i, 'target']);
      if (target === undefined) throw f.error([...at, i], 'a long-form port has no target');
      const protocol = f.str([...at, i, 'protocol']) === 'udp' ? 'udp' : 'tcp';
      if (protocol === 'udp') udp = true;
      const host = f.text([...at, i, 'published']);
      const appProtocol = f.str([...at, i, 'app_protocol']) ?? f.str([...at, i, 'x-aws-protocol']);
      if (host !== undefined) published.push({ target, published: Number(host.split('-')[0]), protocol, appProtocol });
      else container.push(target);
      continue;
    }
    const spec = f.text([...at, i])!;
    const match = /^(?:(?:[\d.]+:)?(\d+(?:-\d+)?):)?(\d+)(?:-\d+)?(?:\/(tcp|udp))?$/.exec(spec);
    if (!match) throw f.error([...at, i], `expected a port such as "8080:80" or "80", got ${JSON.stringify(spec)}`);
    if (match[3] === 'udp') udp = true;
    if (match[1]) published.push({ target: Number(match[2]), published: Number(match[1].split('-')[0]), protocol: match[3] === 'udp' ? 'udp' : 'tcp' });
    else container.push(Number(match[2]));
  }
  return { published, container, all: n, udp };
}

function parseVolume(spec: string): { source?: string; target?: string; type?: string; readOnly?: boolean } {
  const parts = spec.split(':');
  if (parts.length === 1) return { target: parts[0] };
  return { source: parts[0], target: parts[1], readOnly: parts[2]?.split(',').includes('ro') ? true : undefined };
}

/** Log retention in days as the RetentionDays member CloudWatch accepts. */
function retentionCode(f: YamlFile, at: FieldPath, days: number): string {
  const member = retentionMember(days);
  if (!member) throw f.error(at, `expected ${RETENTION_EXPECTED}, got ${days}`);
  return `logs.RetentionDays.${member}`;
}

function mapOf(f: YamlFile, at: FieldPath): { [k: string]: string } {
  if (f.kind(at) === 'list') {
    return Object.fromEntries(Array.from({ length: f.length(at) }, (_, i) => {
      const entry = f.text([...at, i])!;
      const eq = entry.indexOf('=');
      return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
    }));
  }
  return Object.fromEntries(f.keys(at).map(k => [k, String(f.value([...at, k]) ?? '')]));
}

/** Compose durations: `1m30s`, `10s`, `500ms`. */
function durationOf(f: YamlFile, at: FieldPath) {
  const text = f.text(at);
  if (text === undefined) return undefined;
  const ms = milliseconds(text);
  if (ms === undefined) throw f.error(at, `expected a duration such as 30s or 1m30s for ${show(at)}, got ${JSON.stringify(text)}`);
  // ECS health checks take whole seconds.
  return code(`Duration.seconds(${Math.max(1, Math.round(ms / 1000))})`);
}

/** Compose memory (`512m`, `1g`, `1.5G`, bytes) in MiB. */
function mebibytes(f: YamlFile, at: FieldPath, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)i?b?$/i.exec(text.trim());
  if (!match) throw f.error(at, `expected a memory size such as 512M or 1G, got ${JSON.stringify(text)}`);
  const unit = match[2].toLowerCase();
  const bytes = Number(match[1]) * ({ '': 1, 'b': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3 } as { [u: string]: number })[unit];
  return Math.ceil(bytes / 1024 ** 2);
}

/** The smallest Fargate size with at least this CPU and memory. */
function fargateSize(cpu: number, memory: number): [number, number] {
  for (const [c, memories] of FARGATE_SIZES) {
    if (c < cpu) continue;
    const m = memories.find(x => x >= memory);
    if (m !== undefined) return [c, m];
  }
  return [4096, 30720];
}
