import * as path from 'path';
import { code, milliseconds, pascal, camel, Props, quote, render } from './code';
import { ImportResult } from './copilot';
import { FieldFate, FieldPath, ImportError, show, YamlFile } from './source';

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

/** A service of the file, read. */
interface Service {
  readonly name: string;
  readonly construct: 'WebService' | 'BackendService' | 'BackgroundService';
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
  const names = f.keys(['services']);
  if (names.length === 0) throw new ImportError(display, f.line(['services']), 'has no services: expected a services map');
  // The top-level volumes only name what the services mount; each mount says what it becomes.
  for (const top of ['name', 'version', 'volumes']) if (f.has([top])) f.mark([top]);

  const services: Service[] = names.map(name => {
    const at = (...rest: Array<string | number>): FieldPath => ['services', name, ...rest];
    const ports = portsOf(f, at('ports'));
    const exposed = Array.from({ length: f.length(at('expose')) }, (_, i) => Number(f.text(at('expose', i))));
    if (exposed.some(p => !Number.isInteger(p))) throw f.error(at('expose'), `expected port numbers for ${show(at('expose'))}`);
    const dependsOn = f.kind(at('depends_on')) === 'map' ? f.keys(at('depends_on')) : f.strings(at('depends_on')) ?? [];
    for (const d of dependsOn) if (!names.includes(d)) throw f.error(at('depends_on'), `depends_on names ${JSON.stringify(d)}, which is not a service of the file`);
    const construct = ports.published.length > 0 ? 'WebService' : ports.container.length + exposed.length > 0 ? 'BackendService' : 'BackgroundService';
    return { name, construct, port: ports.published[0]?.target ?? ports.container[0] ?? exposed[0], dependsOn };
  });

  const functions = services.map(s => serviceFunction(s));
  const calls = services.map(s => `const ${camel(s.name)}Service = ${camel(s.name)}(stack, environment);`);
  const connects = services.flatMap(s => s.dependsOn
    .filter(d => services.find(x => x.name === d)!.construct === 'BackendService')
    .map(d => `${camel(s.name)}Service.connectTo(${camel(d)}Service);`));
  for (const s of services) f.mark(['services', s.name, 'depends_on']);

  let mapped = 0;
  let partial = 0;
  let unmapped = 0;
  const comments: string[] = [];
  const notMapped: ImportResult['notMapped'] = [];
  for (const leaf of f.leaves()) {
    if (leaf.fate !== FieldFate.MAPPED) notMapped.push({ file: display, path: show(leaf.path), fate: leaf.fate === FieldFate.PARTIAL ? 'partial' : 'unmapped' });
    if (leaf.fate === FieldFate.MAPPED) {mapped++;} else if (leaf.fate === FieldFate.PARTIAL) {partial++;} else {
      unmapped++;
      comments.push(`// TODO(compose): ${display}:${leaf.line ?? '?'} ${show(leaf.path)}: ${leaf.text} has no equivalent the importer knows; port it by hand.`);
    }
  }
  const body = [
    '// Build contexts and files are relative to the Compose file, as in Compose.',
    `const SOURCE = path.join(__dirname, ${quote(fromOut)});`,
    '',
    ...functions,
    ...comments,
    ...(comments.length > 0 ? [''] : []),
    'const app = new App();',
    `const stack = new Stack(app, ${quote(pascal(f.str(['name']) ?? path.basename(sourceDir)))});`,
    `const environment = new Environment(stack, 'Environment', ${render(options.production
      ? { profile: code('EnvironmentProfile.PRODUCTION'), ingress: { protocol: code('elbv2.ApplicationProtocol.HTTP') } }
      : { profile: code('EnvironmentProfile.DEVELOPMENT') })});`,
    ...calls,
    ...connects,
    'app.synth();',
    '',
  ].join('\n');
  const used = (list: string[]) => list.filter(n => new RegExp(`\\b${n}\\b`).test(body));
  const modules: { [alias: string]: string } = { ecs: 'aws_ecs', elbv2: 'aws_elasticloadbalancingv2' };
  const app = [
    '// Written by `cdk-shipyard import compose` from the Compose file at',
    `// ${path.posix.join(fromOut, path.basename(options.file))} (relative to this file). The code is yours now: edit it as you would any CDK app.`,
    '// TODO(compose) comments quote what the importer could not carry over.',
    'import * as path from \'path\';',
    `import { ${[...used(['App', 'Duration', 'Stack']), ...used(Object.keys(modules)).map(a => `${modules[a]} as ${a}`)].join(', ')} } from 'aws-cdk-lib';`,
    `import { ${used(['BackendService', 'BackgroundService', 'Environment', 'EnvironmentProfile', 'Image', 'Volume', 'WebService']).join(', ')} } from 'cdk-shipyard';`,
    '',
    body,
  ].join('\n');
  return { files: { 'app.ts': app }, mapped, partial, unmapped, notMapped };

  function serviceFunction(s: Service): string {
    const at = (...rest: Array<string | number>): FieldPath => ['services', s.name, ...rest];
    const todos: string[] = [];
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
      props.image = code(`Image.fromRegistry(${quote(f.str(at('image'))!)})`);
      f.mark(at('image'));
    } else {
      throw f.error(at(), `service ${s.name} has neither image nor build: expected one`);
    }
    // Docker's ECS integration ran x86_64 unless the service's platform said otherwise; cdk-shipyard would pick ARM64.
    const platform = f.str(at('platform'));
    props.cpuArchitecture = code(`ecs.CpuArchitecture.${platform && /arm64|aarch64/.test(platform) ? 'ARM64' : 'X86_64'}`);
    if (platform !== undefined) f.mark(at('platform'));
    // Ports.
    if (s.port !== undefined) props.containerPort = s.port;
    if (f.has(at('ports'))) {
      const ports = portsOf(f, at('ports'));
      f.mark(at('ports'));
      if (ports.all > 1) todo(at('ports'), 'the service has more than one port: the first is the container port; route the others with additionalRoutes');
      if (ports.udp) todo(at('ports'), 'a UDP port: make the service a NetworkService with protocol UDP');
    }
    if (f.has(at('expose'))) {
      f.mark(at('expose'));
      if (f.length(at('expose')) > 1) todo(at('expose'), 'more than one exposed port: a BackendService publishes one');
    }
    if (s.port !== undefined && s.port < 1024) props.containerSecurity = { imageUser: true, readOnlyRootFilesystem: false };
    // Command and entry point.
    const command = f.strings(at('command'));
    if (command) {
      props.command = f.kind(at('command')) === 'list' ? command : command[0].split(/\s+/).filter(w => w);
      if (f.kind(at('command')) !== 'list' && /["']/.test(command[0])) todo(at('command'), 'the command has quotes: check the split into arguments');
      else f.mark(at('command'));
    }
    const entrypoint = f.strings(at('entrypoint'));
    if (entrypoint) {
      props.entryPoint = f.kind(at('entrypoint')) === 'list' ? entrypoint : entrypoint[0].split(/\s+/).filter(w => w);
      f.mark(at('entrypoint'));
    }
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
    if (f.has(at('env_file'))) todo(at('env_file'), 'the file is read on your machine: put it in S3 and give environmentFiles, or its variables in environmentVariables');
    if (f.has(at('secrets'))) todo(at('secrets'), 'Compose secrets are files: store each in Secrets Manager and give secrets (ecs.Secret.fromSecretsManager)');
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
        for (const k of ['test', 'interval', 'timeout', 'retries', 'start_period']) if (f.has(at('healthcheck', k))) f.mark(at('healthcheck', k));
      }
    }
    // Size and count.
    const cpus = f.text(at('deploy', 'resources', 'limits', 'cpus'));
    const memory = f.text(at('deploy', 'resources', 'limits', 'memory'));
    if (cpus !== undefined || memory !== undefined) {
      const wantCpu = cpus !== undefined ? Math.ceil(Number(cpus) * 1024) : 256;
      const wantMemory = memory !== undefined ? mebibytes(f, at('deploy', 'resources', 'limits', 'memory'), memory) : 512;
      const [cpu, mem] = fargateSize(wantCpu, wantMemory);
      props.cpu = cpu;
      props.memoryLimitMiB = mem;
      if (cpus !== undefined) f.mark(at('deploy', 'resources', 'limits', 'cpus'), cpu === wantCpu ? FieldFate.MAPPED : FieldFate.PARTIAL);
      if (memory !== undefined) f.mark(at('deploy', 'resources', 'limits', 'memory'), mem === wantMemory ? FieldFate.MAPPED : FieldFate.PARTIAL);
      if (cpu !== wantCpu || mem !== wantMemory) {
        todos.push(`TODO(compose): ${show(at('deploy', 'resources', 'limits'))}: rounded up to the Fargate size ${cpu} CPU / ${mem} MiB`);
      }
    }
    const replicas = f.int(at('deploy', 'replicas'));
    if (replicas !== undefined) {
      props.desiredCount = replicas;
      f.mark(at('deploy', 'replicas'));
    }
    // Volumes: named volumes become task scratch space (Compose keeps them on the host).
    if (f.has(at('volumes'))) {
      const volumes: unknown[] = [];
      for (let i = 0; i < f.length(at('volumes')); i++) {
        const spec = f.kind(at('volumes', i)) === 'map'
          ? { source: f.str(at('volumes', i, 'source')), target: f.str(at('volumes', i, 'target')), type: f.str(at('volumes', i, 'type')) }
          : parseVolume(f.str(at('volumes', i))!);
        if (spec.target && spec.source && (spec.type ?? 'volume') === 'volume' && !/^[./~]/.test(spec.source)) {
          volumes.push(code(`Volume.scratch(${quote(spec.source.replace(/[^A-Za-z0-9_-]/g, '-'))}, { containerPath: ${quote(spec.target)} })`));
          todo(at('volumes', i), `${spec.source} lives as long as the task here: use a SharedFileSystem and Volume.efs if the data must persist`);
        } else {
          todo(at('volumes', i), 'a bind mount of a local path: build the files into the image, or use EFS');
        }
      }
      if (volumes.length > 0) props.volumes = volumes;
    }
    return [
      `/** Service ${s.name} (${display}). */`,
      `function ${camel(s.name)}(stack: Stack, environment: Environment): ${s.construct} {`,
      ...todos.map(t => `  // ${t}`),
      `  return new ${s.construct}(stack, ${quote(pascal(s.name))}, ${render(props, '  ')});`,
      '}',
      '',
    ].join('\n');
  }
}

/** Ports: `"8080:80"`, `"80"`, `"127.0.0.1:8080:80/udp"`, or the long form; published when a host port is given. */
function portsOf(f: YamlFile, at: FieldPath): { published: Array<{ target: number }>; container: number[]; all: number; udp: boolean } {
  const published: Array<{ target: number }> = [];
  const container: number[] = [];
  let udp = false;
  const n = f.length(at);
  for (let i = 0; i < n; i++) {
    if (f.kind([...at, i]) === 'map') {
      const target = f.int([...at, i, 'target']);
      if (target === undefined) throw f.error([...at, i], 'a long-form port has no target');
      if (f.str([...at, i, 'protocol']) === 'udp') udp = true;
      if (f.has([...at, i, 'published'])) published.push({ target });
      else container.push(target);
      continue;
    }
    const spec = f.text([...at, i])!;
    const match = /^(?:(?:[\d.]+:)?(\d+(?:-\d+)?):)?(\d+)(?:-\d+)?(?:\/(tcp|udp))?$/.exec(spec);
    if (!match) throw f.error([...at, i], `expected a port such as "8080:80" or "80", got ${JSON.stringify(spec)}`);
    if (match[3] === 'udp') udp = true;
    if (match[1]) published.push({ target: Number(match[2]) });
    else container.push(Number(match[2]));
  }
  return { published, container, all: n, udp };
}

function parseVolume(spec: string): { source?: string; target?: string; type?: string } {
  const parts = spec.split(':');
  return parts.length === 1 ? { target: parts[0] } : { source: parts[0], target: parts[1] };
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
