import * as fs from 'fs';
import * as path from 'path';
import { aws_ecs as ecs } from 'aws-cdk-lib';
import {
  Code, code, commandWords, functionNames, milliseconds, pascal, Props, quote, QUOTED_COMMAND, registryImage, render, retentionMember,
  RETENTION_EXPECTED,
  secretCode,
} from './code';
import { knownImage, KnownImage } from './compose-images';
import { resolveCompose, skip } from './compose-resolve';
import { ImportResult } from './copilot';
import { processEnvCode, parseInterpolation, variablesComment } from './interpolate';
import { FieldFate, FieldPath, ImportError, show, tallyFields, YamlFile } from './source';
import { isForbiddenPlainVariable } from '../guardrails/checks';
import { isImageReference } from '../task/image';

/** Options of a Compose import. */
export interface ComposeImportOptions {
  /** The Compose file. */
  readonly file: string;
  /** Where app.ts goes; paths in it are relative to this directory. */
  readonly outDir: string;
  /** Give the environment the production profile. */
  readonly production?: boolean;
  /** The shell's variables, which win over `.env` in interpolation (the CLI gives its own). */
  readonly environment?: { [name: string]: string | undefined };
  /** Profiles to enable (`--profile`), besides COMPOSE_PROFILES. */
  readonly profiles?: string[];
  /** A `.env` file other than the one beside the Compose file (`--env-file`). */
  readonly envFile?: string;
  /** Import only these services (`--service`); the others are listed as skipped. */
  readonly services?: string[];
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

/**
 * The most services one stack holds. A production web service is about 17 resources, a backend
 * with its alarms and Service Connect about 20, the environment about 45: 18 services stay
 * under 400 of CloudFormation's 500 resources a stack (AWS CloudFormation User Guide, quotas).
 */
const SPLIT_AFTER = 18;

/** A service of the file, read. */
interface Service {
  readonly name: string;
  readonly construct: 'WebService' | 'NetworkService' | 'BackendService' | 'BackgroundService' | 'StandaloneTask';
  readonly port?: number;
  /** The services it depends on or names in its variables (`postgres://db:5432`): it calls them. */
  readonly calls: string[];
  /** What is known of its image. */
  readonly known?: KnownImage;
  /** Ports published on the host's loopback only, which stay private. */
  readonly hostOnly: number[];
  /** Why the construct is not the plain reading of its ports, for a TODO. */
  readonly why?: string;
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
  const resolved = resolveCompose(f, sourceDir, options);
  const fromOut = path.relative(options.outDir, sourceDir).split(path.sep).join('/') || '.';
  const topTodos: string[] = [];
  const allNames = f.keys(['services']);
  if (allNames.length === 0 && f.keys([]).some(k => f.kind([k]) === 'map' && (f.has([k, 'image']) || f.has([k, 'build'])))) {
    throw new ImportError(display, 1, 'is in Compose file format 1 (services at the top, no services: map), which Docker Compose v2 no longer reads: move the services under services: and import again');
  }
  if (allNames.length === 0) throw new ImportError(display, f.line(['services']), 'has no services: expected a services map');
  for (const name of allNames) {
    if (options.services && !options.services.includes(name) && !resolved.skipped.some(x => x.name === name)) skip(f, name, 'not named by --service', resolved);
  }
  const skippedNames = () => new Set(resolved.skipped.map(x => x.name));
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
    // local is Docker's default driver: a volume that persists, which EFS is.
    if (f.kind(at('driver')) === 'scalar' && f.str(at('driver')) === 'local') f.mark(at('driver'));
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

  const services = analyse(f, allNames.filter(n => !skippedNames().has(n)), resolved);

  const fn = functionNames(services.map(x => x.name), ['fileSystems', 'SOURCE', 'FileSystems']);
  const fnName = (name: string) => fn.get(name)!;
  // A service that fails to map is left out with its reason; the others still import.
  const functions: string[] = [];
  for (const s of [...services]) {
    try {
      functions.push(serviceFunction(s));
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      skip(f, s.name, e.message, resolved);
      services.splice(services.indexOf(s), 1);
    }
  }
  if (services.length === 0) {
    throw new ImportError(display, f.line(['services']), `no service could be imported:\n${resolved.skipped.map(x => `  ${x.reason.startsWith(x.file) ? x.reason : `${x.file}:${x.line ?? '?'}: ${x.name}: ${x.reason}`}`).join('\n')}`);
  }
  for (const x of resolved.skipped) topTodos.push(`TODO(compose): ${show(['services', x.name])} (line ${x.line ?? '?'}): not imported: ${x.reason}`);
  const callable = (d: string) => services.some(x => x.name === d && (x.construct === 'BackendService' || (x.construct === 'WebService' && services.some(c => c.calls.includes(d)))));
  // One stack holds the file while it stays well under CloudFormation's 500 resources (a service
  // is about 20 with its alarms); past SPLIT_AFTER services, the environment keeps a stack and
  // each service gets one of its own, as Copilot deploys.
  const stackName = pascal(f.str(['name']) ?? path.basename(sourceDir));
  const stackPerService = services.length > SPLIT_AFTER;
  const calls = services.map(s => `const ${fn.get(s.name)}Service = ${fn.get(s.name)}(${stackPerService ? `new Stack(app, ${quote(`${stackName}-${pascal(s.name)}`)})` : 'stack'}, environment, fileSystems);`);
  const connects = services.filter(s => s.construct !== 'StandaloneTask').flatMap(s => s.calls
    .filter(callable)
    .map(d => `${fn.get(s.name)}Service.connectTo(${fn.get(d)}Service);`));
  for (const s of services) {
    if (!f.has(['services', s.name, 'depends_on'])) continue;
    const left = (f.kind(['services', s.name, 'depends_on']) === 'map' ? f.keys(['services', s.name, 'depends_on']) : f.strings(['services', s.name, 'depends_on']) ?? [])
      .filter(d => !services.some(x => x.name === d));
    f.mark(['services', s.name, 'depends_on'], left.length > 0 ? FieldFate.PARTIAL : FieldFate.MAPPED);
    if (left.length > 0) topTodos.push(`TODO(compose): ${show(['services', s.name, 'depends_on'])} (line ${f.line(['services', s.name, 'depends_on'])}): ${left.join(', ')} not imported (see the import's summary)`);
  }

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
    ...(stackPerService ? [`// ${services.length} services: a stack for the environment and one for each service, each well under CloudFormation's 500 resources.`] : []),
    `const stack = new Stack(app, ${quote(stackName)});`,
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
    ...variablesComment(resolved.variables),
    'import * as path from \'path\';',
    `import { ${[...used(['App', 'Duration', 'RemovalPolicy', 'Stack']), ...Object.keys(modules).filter(n => new RegExp(`\\b${n}\\.[A-Za-z]`).test(body)).map(a => `${modules[a]} as ${a}`)].join(', ')} } from 'aws-cdk-lib';`,
    `import { ${used(['BackendService', 'BackgroundService', 'Deployment', 'Environment', 'EnvironmentProfile', 'Image', 'Logging', 'NetworkService', 'Scaling', 'StandaloneTask', 'Volume', 'WebService']).join(', ')} } from 'cdk-shipyard';`,
    '',
    body,
  ].join('\n');
  return {
    files: { 'app.ts': app },
    ...counts,
    report: { imported: services.map(x => x.name), skipped: resolved.skipped, variables: resolved.variables, warnings: resolved.warnings },
  };

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
        // An empty dockerfile (an unset variable) is Docker's default, Dockerfile.
        const build: Props = {
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
    // Docker's ECS integration ran x86_64 unless the service's platform said otherwise; cdk-shipyard would pick ARM64.
    const platform = f.str(at('platform'));
    props.cpuArchitecture = code(`ecs.CpuArchitecture.${platform && /arm64|aarch64/.test(platform) ? 'ARM64' : 'X86_64'}`);
    if (platform !== undefined) f.mark(at('platform'));
    // Ports.
    const isService = s.construct !== 'StandaloneTask' && s.construct !== 'BackgroundService';
    if (s.port !== undefined && isService) props.containerPort = s.port;
    if (s.why) todo(s.construct === 'StandaloneTask' ? at() : f.has(at('ports')) ? at('ports') : at(), s.why);
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
    if (s.port !== undefined && s.port < 1024 && isService) props.containerSecurity = { imageUser: true, readOnlyRootFilesystem: false };
    // Images whose documentation has them start as root, or write outside /tmp: the baseline would stop them.
    if (s.known?.needsRoot && f.has(at('image')) && !f.has(at('user')) && !f.has(at('read_only'))) {
      props.containerSecurity = { imageUser: true, readOnlyRootFilesystem: false };
      todo(at('image'), `the ${s.known.what} image starts as root (or writes outside /tmp): it runs with its own user and a writable root, not the baseline's user 1000 and read-only root`);
    }
    if (s.known?.stateful && isService) {
      props.desiredCount = 1;
      props.deployment = code('Deployment.rolling({ minHealthyPercent: 0, maxHealthyPercent: 100 })');
      todo(at('image'), `${s.known.what} keeps data: it runs as one task, stopped before its replacement starts, with its named volumes on EFS (retained)`
        + (s.known.managed ? `; in production move the data to ${s.known.managed} and give the services its endpoint` : ''));
    }
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
    if (f.has(at('env_file'))) {
      // Uploaded with the app as an S3 asset; ECS reads VAR=VALUE lines (no quotes or interpolation).
      const files = f.kind(at('env_file')) === 'list'
        ? Array.from({ length: f.length(at('env_file')) }, (_, i) => f.kind(at('env_file', i)) === 'map' ? f.str(at('env_file', i, 'path'))! : f.str(at('env_file', i))!)
        : [f.str(at('env_file'))!];
      f.mark(at('env_file'));
      // A file that is not there (a .env the project's README says to create) is left out: the app would not synthesize.
      const present = files.filter(file => fs.existsSync(path.join(sourceDir, file)));
      if (present.length < files.length) {
        todo(at('env_file'), `${files.filter(x => !present.includes(x)).join(', ')} did not exist at import: create ${files.length - present.length > 1 ? 'them' : 'it'} and add ecs.EnvironmentFile.fromAsset(...) to environmentFiles`);
      }
      if (present.length > 0) props.environmentFiles = present.map(file => code(`ecs.EnvironmentFile.fromAsset(path.join(SOURCE, ${quote(file)}))`));
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
    if (retention !== undefined) props.logging = code(`Logging.awsLogs({ retention: ${retentionCode(f, ['x-aws-logs_retention'], retention)} })`);
    // Health check.
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
          const value = within(k, ms === undefined ? undefined : Math.round(ms / 1000), limits, ' s');
          return value === undefined ? undefined : code(`Duration.seconds(${value})`);
        };
        const testWords = f.kind(at('healthcheck', 'test')) === 'list' ? test : ['CMD-SHELL', test[0]];
        const interval = seconds('interval', HEALTH_CHECK_LIMITS.interval);
        let timeout = seconds('timeout', HEALTH_CHECK_LIMITS.timeout);
        // A check must end before the next starts: the timeout stays under the interval (30 s when not given).
        const intervalS = interval ? Number(/\d+/.exec(interval.text)![0]) : 30;
        const timeoutS = timeout ? Number(/\d+/.exec(timeout.text)![0]) : 5;
        if (timeoutS >= intervalS) {
          const fixed = Math.max(HEALTH_CHECK_LIMITS.timeout[0], intervalS - 1);
          timeout = code(`Duration.seconds(${fixed})`);
          todo(at('healthcheck', f.has(at('healthcheck', 'timeout')) ? 'timeout' : 'interval'), `a timeout of ${timeoutS} s does not end before the next check (every ${intervalS} s): ${fixed} s instead`);
        }
        props.healthCheck = {
          command: testWords[0] === 'CMD' || testWords[0] === 'CMD-SHELL' ? testWords : ['CMD', ...testWords],
          interval,
          timeout,
          retries: within('retries', f.int(at('healthcheck', 'retries')), HEALTH_CHECK_LIMITS.retries, ''),
          startPeriod: seconds('start_period', HEALTH_CHECK_LIMITS.startPeriod),
        };
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
    if (s.construct === 'WebService' && services.some(c => c.calls.includes(s.name))) props.serviceConnect = { dnsName: s.name };
    // A task runs once: it has no count, deployment or scaling.
    if (!isService && s.construct === 'StandaloneTask') for (const k of ['desiredCount', 'deployment', 'scaling']) delete props[k];
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
        if (spec.target && spec.source && (spec.type ?? 'volume') === 'volume' && !/^[./~]/.test(spec.source) && f.hasKey(['volumes'], spec.source)) {
          const mount: Props = { containerPath: spec.target, readOnly: spec.readOnly };
          const ids: Props = { uid: f.int(['volumes', spec.source, 'driver_opts', 'uid']), gid: f.int(['volumes', spec.source, 'driver_opts', 'gid']) };
          if (ids.uid !== undefined || ids.gid !== undefined) mount.accessPoint = ids;
          volumes.push(code(`Volume.efs(${quote(spec.source.replace(/[^A-Za-z0-9_-]/g, '-'))}, fileSystems[${quote(spec.source)}], ${render(mount, '      ')})`));
          f.mark(at('volumes', i));
        } else if (spec.target && (spec.type === 'tmpfs' || !spec.source)) {
          volumes.push(code(`Volume.scratch(${quote(`${s.name}-${i}`)}, { containerPath: ${quote(spec.target)} })`));
          f.mark(at('volumes', i));
        } else if (s.known?.dataPath && spec.target && spec.source && (spec.target === s.known.dataPath || s.known.dataPath.startsWith(`${spec.target}/`))) {
          // The store's data stays: a file system of its own instead of the host's directory.
          const volume = `${s.name}-host-data`;
          fileSystems[volume] = `new efs.FileSystem(stack, ${quote(`${pascal(volume)}FileSystem`)}, { vpc: environment.vpc, encrypted: true, removalPolicy: RemovalPolicy.RETAIN })`;
          volumes.push(code(`Volume.efs(${quote(volume)}, fileSystems[${quote(volume)}], ${render({ containerPath: spec.target, readOnly: spec.readOnly }, '      ')})`));
          todo(at('volumes', i), `the host directory ${spec.source} held ${s.name}'s data: here an EFS file system (retained); copy the data in before the first start`);
        } else {
          todo(at('volumes', i), 'a bind mount of a local path: build the files into the image, or use EFS');
        }
      }
      if (volumes.length > 0) props.volumes = volumes;
      // A volume at /tmp takes the place of the baseline's scratch /tmp.
      if (volumes.some(v => /containerPath: '\/tmp'/.test((v as Code).text))) props.containerSecurity = { ...props.containerSecurity as Props, writablePaths: [] };
    }
    return [
      `/** Service ${s.name} (${display}). */`,
      `function ${fnName(s.name)}(stack: Stack, environment: Environment, fileSystems: FileSystems): ${s.construct} {`,
      ...todos.map(t => `  // ${t}`),
      ...(after.length > 0
        ? [`  const workload = new ${s.construct}(stack, ${quote(pascal(s.name))}, ${render(props, '  ')});`, ...after, '  return workload;']
        : [`  return new ${s.construct}(stack, ${quote(pascal(s.name))}, ${render(props, '  ')});`]),
      '}',
      '',
    ].join('\n');
  }
}

/** Whether a host address is the host's own loopback, which Compose users bind to keep a port off the network. */
function isLoopback(hostIp: string | undefined): boolean {
  return hostIp !== undefined && /^(127\.|::1$|localhost$)/.test(hostIp);
}

/** The names of the other services a text calls: `db`, `redis:6379`, `postgres://u:p@db:5432/x`, `http://api/`. */
function servicesNamed(text: string, names: string[], self: string): string[] {
  return names.filter(n => n !== self && new RegExp(`(^|[/@=,\\s'"])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[:/,\\s'"?])`).test(text));
}

/**
 * Read each service's ports, what it calls and what it becomes. A service another one calls
 * stays reachable by its Compose name: on its exposed or container port, a port published on
 * the host's loopback, or the well-known port of its image. A service another waits for to
 * complete (`service_completed_successfully`) ran once: it is a task, not a service.
 */
function analyse(f: YamlFile, names: string[], resolved: { skipped: Array<{ name: string }> }): Service[] {
  const at = (name: string, ...rest: Array<string | number>): FieldPath => ['services', name, ...rest];
  const completed = new Map<string, string[]>();
  const calls = new Map<string, string[]>();
  for (const name of names) {
    const dependsOn = f.kind(at(name, 'depends_on')) === 'map' ? f.keys(at(name, 'depends_on')) : f.kind(at(name, 'depends_on')) === 'list' ? f.strings(at(name, 'depends_on')) ?? [] : [];
    for (const d of dependsOn) {
      if (f.kind(at(name, 'depends_on')) === 'map' && f.kind(at(name, 'depends_on', d)) === 'map' && f.str(at(name, 'depends_on', d, 'condition')) === 'service_completed_successfully') completed.set(d, [...completed.get(d) ?? [], name]);
    }
    const links = (f.strings(at(name, 'links')) ?? []).map(l => l.split(':')[0]);
    const texts = [f.value(at(name, 'environment')), f.value(at(name, 'command')), f.value(at(name, 'entrypoint')), links]
      .flatMap(v => v === undefined || v === null ? [] : typeof v === 'object' ? Object.values(v as object).map(String) : [String(v)]);
    const named = texts.flatMap(t => servicesNamed(t, names, name));
    calls.set(name, [...new Set([...dependsOn.filter(d => names.includes(d)), ...named])]);
  }
  const calledBy = (name: string) => names.filter(n => calls.get(n)!.includes(name));
  const out: Service[] = [];
  for (const name of names) {
    try {
      const ports = portsOf(f, at(name, 'ports'));
      const exposed = Array.from({ length: f.length(at(name, 'expose')) }, (_, i) => parseInt(f.text(at(name, 'expose', i))!, 10));
      if (exposed.some(p => !Number.isInteger(p))) throw f.error(at(name, 'expose'), `expected port numbers for ${show(at(name, 'expose'))}`);
      const known = knownImage(f.has(at(name, 'image')) && f.kind(at(name, 'image')) === 'scalar' ? f.text(at(name, 'image')) : undefined);
      const open = ports.published.filter(p => !isLoopback(p.hostIp));
      const hostOnly = ports.published.filter(p => isLoopback(p.hostIp)).map(p => p.target);
      const callers = calledBy(name);
      const base = { name, calls: calls.get(name)!, known, hostOnly };
      if (completed.has(name)) {
        out.push({ ...base, construct: 'StandaloneTask', why: `Compose ran it once, to completion, before ${completed.get(name)!.join(', ')}: run the task (RunTask) before deploying the services, or from your pipeline` });
      } else if (open.length > 0) {
        out.push({ ...base, construct: isHttp(open[0]) ? 'WebService' : 'NetworkService', port: open[0].target });
      } else {
        const port = hostOnly[0] ?? ports.container[0] ?? exposed[0] ?? (callers.length > 0 ? known?.port : undefined);
        const why = hostOnly.length > 0 ? `published on the host's loopback only (${hostOnly.join(', ')}): it stays private, reached over Service Connect${callers.length > 0 ? ` by ${callers.join(', ')}` : ''}`
          : port !== undefined && port === known?.port && ports.container.length + exposed.length === 0
            ? `the file gives no port; ${callers.join(', ')} call${callers.length === 1 ? 's' : ''} it on the port ${known.what} listens on, ${port}` : undefined;
        if (port !== undefined) out.push({ ...base, construct: 'BackendService', port, why });
        else out.push({ ...base, construct: 'BackgroundService', why: callers.length > 0 ? `${callers.join(', ')} call${callers.length === 1 ? 's' : ''} it, but the file gives no port: set containerPort and make it a BackendService` : undefined });
      }
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      skip(f, name, e.message, resolved as any);
    }
  }
  return out;
}

/** A published port: the container's, the one clients use, its protocol and the application protocol Compose was told. */
interface PublishedPort {
  /** The host address it is bound to, if the file names one (`127.0.0.1:8080:80`). */
  readonly hostIp?: string;
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
      const hostIp = f.str([...at, i, 'host_ip']);
      if (host !== undefined) published.push({ hostIp, target, published: Number(host.split('-')[0]), protocol, appProtocol });
      else container.push(target);
      continue;
    }
    const spec = f.text([...at, i])!;
    // An empty entry is an unset variable (`- "${PORT}"`): no port, with a TODO where the service is mapped.
    if (/^[\s:]*(\/(tcp|udp))?$/.test(spec)) continue;
    const match = /^(?:(?:([\d.]*|\[[0-9a-fA-F:.]+\]|localhost):)?(\d*(?:-\d+)?):)?(\d+)(?:-\d+)?(?:\/(tcp|udp|sctp))?$/.exec(spec);
    if (!match) throw f.error([...at, i], `expected a port such as "8080:80" or "80", got ${JSON.stringify(spec)}`);
    if (match[4] === 'udp') udp = true;
    // "127.0.0.1::80" publishes on a host port Docker picks.
    if (match[2] !== undefined) {
      published.push({ hostIp: match[1]?.replace(/^\[|\]$/g, '') || undefined, target: Number(match[3]), published: Number(match[2].split('-')[0]) || Number(match[3]), protocol: match[4] === 'udp' ? 'udp' : 'tcp' });
    } else {container.push(Number(match[3]));}
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

/**
 * What ECS takes for a container health check, in seconds (retries a count). Source: Amazon ECS
 * API Reference, HealthCheck (interval 5-300, timeout 2-60, retries 1-10, startPeriod 0-300).
 */
export const HEALTH_CHECK_LIMITS: { [k in 'interval' | 'timeout' | 'retries' | 'startPeriod']: [number, number] } = {
  interval: [5, 300], timeout: [2, 60], retries: [1, 10], startPeriod: [0, 300],
};

/** Compose durations: `1m30s`, `10s`, `500ms`, in milliseconds. */
function durationMs(f: YamlFile, at: FieldPath): number | undefined {
  const text = f.text(at);
  if (text === undefined) return undefined;
  const ms = milliseconds(text);
  if (ms === undefined) throw f.error(at, `expected a duration such as 30s or 1m30s for ${show(at)}, got ${JSON.stringify(text)}`);
  return ms;
}

/** A Compose duration as a `Duration` in whole seconds (at least one). */
function durationOf(f: YamlFile, at: FieldPath) {
  const ms = durationMs(f, at);
  return ms === undefined ? undefined : code(`Duration.seconds(${Math.max(1, Math.round(ms / 1000))})`);
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
