import * as fs from 'fs';
import * as path from 'path';
import { Code, code, durationCode, milliseconds, pascal, camel, Props, quote, render } from './code';
import { FieldFate, FieldPath, ImportError, show, YamlFile } from './source';

/** What an import writes, and how many fields it carried over. */
export interface ImportResult {
  /** File name (relative to the output directory) to content. */
  readonly files: { [name: string]: string };
  readonly mapped: number;
  readonly partial: number;
  readonly unmapped: number;
}

/** Options of a Copilot import. */
export interface CopilotImportOptions {
  /** The Copilot workspace: the directory that holds `copilot/`. */
  readonly workspace: string;
  /** Where app.ts goes; paths in it are relative to this directory. */
  readonly outDir: string;
  /** Treat these environment names as production (default: names containing "prod"). */
  readonly productionEnvironments?: string[];
}

/** A workload the mapper understands, and the construct it becomes. */
const WORKLOAD_TYPES: { [type: string]: string } = {
  'Load Balanced Web Service': 'WebService',
  'Backend Service': 'BackendService',
  'Worker Service': 'WorkerService',
  'Scheduled Job': 'ScheduledJob',
};

/** One manifest's mapping: its props, what needs a person, and the topics it publishes. */
interface Mapped {
  readonly props: Props;
  readonly todos: string[];
}

/** The fields each workload's props come from, with a mark for each one used. */
class Mapper {
  public readonly todos: string[] = [];
  constructor(private readonly f: YamlFile, private readonly base: FieldPath, private readonly ids: Ids,
    /** The topics some workload of the workspace publishes, as `<service>-<topic>`. */
    public readonly published: ReadonlySet<string> = new Set()) {}

  public p(...rest: Array<string | number>): FieldPath {
    return [...this.base, ...rest];
  }

  public done(fate: FieldFate, ...rest: Array<string | number>): void {
    this.f.mark(this.p(...rest), fate);
  }

  /** Mark a field partial and say what a person must do. */
  public todo(rest: Array<string | number>, what: string): void {
    this.f.mark(this.p(...rest), FieldFate.PARTIAL);
    this.todos.push(`TODO(copilot): ${show(this.p(...rest))} (line ${this.f.line(this.p(...rest))}): ${what}`);
  }

  public get file(): YamlFile {
    return this.f;
  }

  public id(wanted: string): string {
    return this.ids.unique(wanted);
  }
}

/** Construct ids unique in a stack. */
class Ids {
  private readonly used = new Set<string>();
  public unique(wanted: string): string {
    let id = wanted;
    for (let i = 2; this.used.has(id); i++) id = `${wanted}${i}`;
    this.used.add(id);
    return id;
  }
}

/** A workload manifest, read. */
interface Workload {
  readonly name: string;
  readonly type: string;
  readonly construct: string;
  readonly file: YamlFile;
  readonly relFile: string;
  readonly publishes: string[];
}

/**
 * Import a Copilot workspace: each environment manifest becomes an `Environment` in a stack of
 * its own, each service or job manifest a workload in every environment, with the
 * manifest's `environments:` overrides as `forStage` data. Fields with no prop become TODO
 * comments that quote them.
 */
export function importCopilot(options: CopilotImportOptions): ImportResult {
  const root = path.join(options.workspace, 'copilot');
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new ImportError(options.workspace, undefined, 'has no copilot/ directory: give the workspace that holds it');
  }
  const rel = (p: string) => path.relative(options.workspace, p).split(path.sep).join('/');
  const envDir = path.join(root, 'environments');
  const envNames = fs.existsSync(envDir) ? fs.readdirSync(envDir).filter(n => fs.existsSync(path.join(envDir, n, 'manifest.yml'))).sort() : [];
  const envFiles = envNames.map(n => YamlFile.read(path.join(envDir, n, 'manifest.yml'), rel(path.join(envDir, n, 'manifest.yml'))));
  const workloads: Workload[] = [];
  for (const dir of fs.readdirSync(root).sort()) {
    const manifest = path.join(root, dir, 'manifest.yml');
    if (dir === 'environments' || dir === 'pipelines' || !fs.existsSync(manifest)) continue;
    const file = YamlFile.read(manifest, rel(manifest));
    const type = file.str(['type']);
    if (type === undefined) throw file.error(['type'], 'has no type: expected one of ' + Object.keys(WORKLOAD_TYPES).join(', '));
    if (!WORKLOAD_TYPES[type]) {
      throw file.error(['type'], `type ${JSON.stringify(type)} is not one the importer maps: expected one of ${Object.keys(WORKLOAD_TYPES).join(', ')}`);
    }
    file.mark(['type']);
    const name = file.str(['name']) ?? dir;
    file.mark(['name']);
    const publishes = Array.from({ length: file.length(['publish', 'topics']) }, (_, i) => file.str(['publish', 'topics', i, 'name'])!);
    workloads.push({ name, type, construct: construct(file, type), file, relFile: rel(manifest), publishes });
  }
  if (envFiles.length === 0) {
    throw new ImportError(rel(root), undefined, 'has no environment manifest (copilot/environments/<name>/manifest.yml): the importer needs at least one');
  }
  const stages = envNames;
  const production = (n: string) => options.productionEnvironments ? options.productionEnvironments.includes(n) : /prod/i.test(n);
  const workspaceFromOut = path.relative(options.outDir, options.workspace).split(path.sep).join('/') || '.';

  const envFunctions = envFiles.map((f, i) => environmentFunction(stages[i], f, production(stages[i])));
  const topicKeys = workloads.flatMap(w => w.publishes.map(t => ({ service: w.name, topic: t })));
  const workloadFunctions = workloads.map(w => workloadFunction(w, stages, topicKeys.length > 0));

  const files = [...envFiles, ...workloads.map(w => w.file)];
  let mapped = 0;
  let partial = 0;
  let unmapped = 0;
  const unmappedComments: string[] = [];
  for (const f of files) {
    for (const leaf of f.leaves()) {
      if (leaf.fate === FieldFate.MAPPED) {mapped++;} else if (leaf.fate === FieldFate.PARTIAL) {partial++;} else {
        unmapped++;
        unmappedComments.push(`// TODO(copilot): ${f.file}:${leaf.line ?? '?'} ${show(leaf.path)}: ${leaf.text} has no equivalent the importer knows; port it by hand.`);
      }
    }
  }
  const name = appName(options.workspace);
  const body = [
    '// Build contexts and files are relative to the workspace, as in Copilot.',
    `const WORKSPACE = path.join(__dirname, ${quote(workspaceFromOut)});`,
    '',
    '/** Copilot topics by `<service>-<topic>`. */',
    'type Topics = { [key: string]: sns.ITopic };',
    '',
    ...envFunctions,
    ...workloadFunctions,
    ...unmappedComments,
    ...(unmappedComments.length > 0 ? [''] : []),
    'const app = new App();',
    `for (const stage of [${stages.map(quote).join(', ')}]) {`,
    '  const stack = new Stack(app, `' + name + '-${stage}`);',
    '  const environment = ENVIRONMENTS[stage](stack);',
    '  const topics: Topics = {};',
    ...topicKeys.map(t => `  topics[${quote(`${t.service}-${t.topic}`)}] = new sns.Topic(stack, ${quote(`${pascal(t.service)}${pascal(t.topic)}Topic`)}, { enforceSSL: true });`),
    ...workloads.map(w => `  ${camel(w.name)}(stack, environment, stage, topics);`),
    '}',
    'app.synth();',
    '',
  ].join('\n');
  const used = (names: string[]) => names.filter(n => new RegExp(`\\b${n}\\b`).test(body));
  const cdkModules = used(['acm', 'ec2', 'ecs', 'elbv2', 'secretsmanager', 'sns', 'ssm']);
  const modules: { [alias: string]: string } = {
    acm: 'aws_certificatemanager',
    ec2: 'aws_ec2',
    ecs: 'aws_ecs',
    elbv2: 'aws_elasticloadbalancingv2',
    secretsmanager: 'aws_secretsmanager',
    sns: 'aws_sns',
    ssm: 'aws_ssm',
  };
  const app = [
    '// Written by `cdk-shipyard import copilot` from the Copilot workspace at',
    `// ${workspaceFromOut} (relative to this file). The code is yours now: edit it as you would any CDK app.`,
    '// TODO(copilot) comments quote what the importer could not carry over.',
    'import * as path from \'path\';',
    `import { ${[...used(['App', 'Duration', 'Stack']), ...cdkModules.map(a => `${modules[a]} as ${a}`)].join(', ')} } from 'aws-cdk-lib';`,
    `import { ${used(SHIPYARD_NAMES).join(', ')} } from 'cdk-shipyard';`,
    '',
    body,
  ].join('\n');
  return { files: { 'app.ts': app }, mapped, partial, unmapped };

  function environmentFunction(stage: string, f: YamlFile, prod: boolean): string {
    const m = new Mapper(f, [], new Ids());
    f.mark(['name']);
    f.mark(['type']);
    const props: Props = { profile: code(`EnvironmentProfile.${prod ? 'PRODUCTION' : 'DEVELOPMENT'}`) };
    const certs = f.length(['http', 'public', 'certificates']);
    if (certs > 0) {
      props.ingress = { certificate: code(`acm.Certificate.fromCertificateArn(stack, 'Certificate', ${quote(f.str(['http', 'public', 'certificates', 0])!)})`) };
      m.done(FieldFate.MAPPED, 'http', 'public', 'certificates', 0);
      if (certs > 1) {
        (props.ingress as Props).additionalCertificates = Array.from({ length: certs - 1 }, (_, i) =>
          code(`acm.Certificate.fromCertificateArn(stack, 'Certificate${i + 2}', ${quote(f.str(['http', 'public', 'certificates', i + 1])!)})`));
        for (let i = 1; i < certs; i++) m.done(FieldFate.MAPPED, 'http', 'public', 'certificates', i);
      }
    } else {
      // Copilot serves plain HTTP without certificates; a production environment here defaults to HTTPS.
      props.ingress = { protocol: code('elbv2.ApplicationProtocol.HTTP') };
    }
    const cidr = f.str(['network', 'vpc', 'cidr']);
    if (cidr) {
      props.network = code(`Network.newVpc({ cidr: ${quote(cidr)} })`);
      m.done(FieldFate.MAPPED, 'network', 'vpc', 'cidr');
    }
    const insights = f.value(['observability', 'container_insights']);
    if (insights !== undefined) {
      props.containerInsights = code(`ecs.ContainerInsights.${insights === false ? 'DISABLED' : 'ENABLED'}`);
      m.done(FieldFate.MAPPED, 'observability', 'container_insights');
    }
    return [
      `/** The ${stage} environment (${f.file}). */`,
      `function ${camel(stage)}Environment(stack: Stack): Environment {`,
      ...m.todos.map(t => `  // ${t}`),
      `  return new Environment(stack, 'Environment', ${render(props, '  ')});`,
      '}',
      '',
      ...(stage === stages[stages.length - 1] ? [
        `const ENVIRONMENTS: { [stage: string]: (stack: Stack) => Environment } = { ${stages.map(s => `${quote(s)}: ${camel(s)}Environment`).join(', ')} };`,
        '',
      ] : []),
    ].join('\n');
  }

  function workloadFunction(w: Workload, allStages: string[], hasTopics: boolean): string {
    const ids = new Ids();
    const published = new Set(topicKeys.map(t => `${t.service}-${t.topic}`));
    const base = mapWorkload(new Mapper(w.file, [], ids, published), w);
    const overrides: { [stage: string]: Mapped } = {};
    for (const stage of allStages) {
      overrides[stage] = w.file.has(['environments', stage])
        ? mapWorkload(new Mapper(w.file, ['environments', stage], ids, published), w, true)
        : { props: {}, todos: [] };
    }
    for (const envName of w.file.keys(['environments'])) {
      if (!allStages.includes(envName)) w.file.fail(['environments', envName], `environments.${envName} names no environment of the workspace (${allStages.join(', ')})`);
    }
    const todos = [...base.todos, ...Object.values(overrides).flatMap(o => o.todos)];
    const publish = w.publishes.map((t, i) => {
      w.file.mark(['publish', 'topics', i, 'name']);
      return `  topics[${quote(`${w.name}-${t}`)}].grantPublish(workload.taskRole);`;
    });
    const publishVar = w.publishes.length > 0
      ? [`  workload.container.addEnvironment('COPILOT_SNS_TOPIC_ARNS', stack.toJsonString({ ${w.publishes.map(t => `${quote(t)}: topics[${quote(`${w.name}-${t}`)}].topicArn`).join(', ')} }));`]
      : [];
    const stageOverrides: Props = Object.fromEntries(allStages.map(s => [s, overrides[s].props]));
    return [
      `/** ${w.type} ${w.name} (${w.relFile}). */`,
      `function ${camel(w.name)}(stack: Stack, environment: Environment, stage: string, ${hasTopics ? 'topics' : '_topics'}: Topics): ${w.construct} {`,
      ...todos.map(t => `  // ${t}`),
      `  const props = forStage<${w.construct}Props>(stage, ${render({ environment: code('environment'), ...base.props }, '  ')}, ${render(stageOverrides, '  ')});`,
      `  const workload = new ${w.construct}(stack, ${quote(pascal(w.name))}, props);`,
      ...publish,
      ...publishVar,
      ...(w.construct === 'WorkerService' ? ['  // The variable Copilot gave workers; the library also sets QUEUE_URL.', '  workload.container.addEnvironment(\'COPILOT_QUEUE_URI\', workload.queue.queueUrl);'] : []),
      '  return workload;',
      '}',
      '',
    ].join('\n');
  }
}

/** The names the generated app may take from cdk-shipyard. */
const SHIPYARD_NAMES = [
  'BackendService', 'BackendServiceProps', 'BackgroundService', 'BackgroundServiceProps', 'Capacity', 'Environment', 'EnvironmentProfile',
  'forStage', 'Image', 'JobSchedule', 'Network', 'Scaling', 'ScheduledJob', 'ScheduledJobProps', 'WebService', 'WebServiceProps',
  'WorkerService', 'WorkerServiceProps', 'WorkQueue',
];

/** The application's name from copilot/.workspace, as a stack-name prefix. */
function appName(workspace: string): string {
  const file = path.join(workspace, 'copilot', '.workspace');
  if (!fs.existsSync(file)) return 'Copilot';
  const application = YamlFile.read(file).value(['application']);
  return typeof application === 'string' ? pascal(application) : 'Copilot';
}

/** A Backend Service without `image.port` has nothing to publish: a BackgroundService. */
function construct(file: YamlFile, type: string): string {
  if (type === 'Backend Service' && !file.has(['image', 'port'])) return 'BackgroundService';
  if (type === 'Load Balanced Web Service' && file.has(['nlb']) && !file.has(['http'])) {
    file.fail(['nlb'], 'a Load Balanced Web Service with only nlb is not mapped yet: port it to a NetworkService by hand');
  }
  return WORKLOAD_TYPES[type];
}

/** A Copilot duration field (`30s`, `1m30s`, `2h`, `500ms`, `1.5h`) in milliseconds, marked mapped. */
function durationMs(m: Mapper, rest: Array<string | number>): number | undefined {
  const text = m.file.text(m.p(...rest));
  if (text === undefined) return undefined;
  const ms = milliseconds(text);
  if (ms === undefined) throw m.file.error(m.p(...rest), `expected a duration such as 30s, 5m or 1h for ${show(m.p(...rest))}, got ${JSON.stringify(text)}`);
  m.done(FieldFate.MAPPED, ...rest);
  return ms;
}

/** A Copilot duration field as a `Duration` expression. */
function duration(m: Mapper, rest: Array<string | number>): Code | undefined {
  const ms = durationMs(m, rest);
  return ms === undefined ? undefined : durationCode(ms);
}

/** A string command as the list ECS takes: split on spaces (quoted arguments need a person). */
function words(m: Mapper, rest: string[]): string[] | undefined {
  const kind = m.file.kind(m.p(...rest));
  const list = m.file.strings(m.p(...rest));
  if (!list) return undefined;
  if (kind === 'list') {
    m.done(FieldFate.MAPPED, ...rest);
    return list;
  }
  if (/["']/.test(list[0])) m.todo(rest, 'the command has quotes: check the split into arguments');
  else m.done(FieldFate.MAPPED, ...rest);
  return list[0].split(/\s+/).filter(w => w);
}

/** The fields every workload type shares. */
function mapWorkload(m: Mapper, w: Workload, override = false): Mapped {
  const props: Props = {};
  const f = m.file;
  // Image.
  if (f.has(m.p('image', 'location'))) {
    props.image = code(`Image.fromRegistry(${quote(f.str(m.p('image', 'location'))!)})`);
    m.done(FieldFate.MAPPED, 'image', 'location');
  } else if (f.has(m.p('image', 'build'))) {
    let dockerfile: string | undefined;
    let context: string | undefined;
    const options: Props = {};
    if (f.kind(m.p('image', 'build')) === 'scalar') {
      dockerfile = f.str(m.p('image', 'build'));
    } else {
      dockerfile = f.str(m.p('image', 'build', 'dockerfile'));
      context = f.str(m.p('image', 'build', 'context'));
      options.target = f.str(m.p('image', 'build', 'target'));
      if (f.has(m.p('image', 'build', 'args'))) {
        options.buildArgs = Object.fromEntries(f.keys(m.p('image', 'build', 'args')).map(k => [k, f.text(m.p('image', 'build', 'args', k))!]));
      }
      for (const k of ['dockerfile', 'context', 'target', 'args']) if (f.has(m.p('image', 'build', k))) m.done(FieldFate.MAPPED, 'image', 'build', k);
    }
    const dir = context ?? (dockerfile ? path.posix.dirname(dockerfile) : '.');
    if (dockerfile) options.file = path.posix.relative(dir, dockerfile);
    if (options.file === 'Dockerfile') delete options.file;
    props.image = code(`Image.fromAsset(path.join(WORKSPACE, ${quote(dir)})${Object.values(options).some(v => v !== undefined) ? `, ${render(options, '  ')}` : ''})`);
    if (f.kind(m.p('image', 'build')) === 'scalar') m.done(FieldFate.MAPPED, 'image', 'build');
  } else if (!override) {
    f.fail(m.p('image'), 'has no image.build or image.location: expected one');
  }
  const port = f.int(m.p('image', 'port'));
  if (port !== undefined && w.construct !== 'ScheduledJob' && w.construct !== 'WorkerService') {
    props.containerPort = port;
    m.done(FieldFate.MAPPED, 'image', 'port');
    if (port < 1024) {
      // Copilot runs the image as it is; the baseline's non-root user cannot bind below 1024.
      props.containerSecurity = { imageUser: true, readOnlyRootFilesystem: false };
    }
  }
  if (f.has(m.p('image', 'healthcheck'))) props.healthCheck = healthCheck(m);
  if (f.has(m.p('sidecars'))) props.sidecars = f.keys(m.p('sidecars')).map(name => sidecar(m, name, w));
  if (f.has(m.p('image', 'labels'))) {
    props.dockerLabels = Object.fromEntries(f.keys(m.p('image', 'labels')).map(k => [k, f.text(m.p('image', 'labels', k))!]));
    m.done(FieldFate.MAPPED, 'image', 'labels');
  }
  // Command and entry point.
  props.command = words(m, ['command']);
  props.entryPoint = words(m, ['entrypoint']);
  // Size and platform.
  props.cpu = f.int(m.p('cpu'));
  if (props.cpu !== undefined) m.done(FieldFate.MAPPED, 'cpu');
  props.memoryLimitMiB = f.int(m.p('memory'));
  if (props.memoryLimitMiB !== undefined) m.done(FieldFate.MAPPED, 'memory');
  const platform = f.kind(m.p('platform')) === 'map' ? undefined : f.str(m.p('platform'));
  if (platform !== undefined) {
    const arch = platform.split('/')[1];
    if (platform.startsWith('windows')) m.todo(['platform'], `${platform}: give operatingSystemFamily (WINDOWS_SERVER_2019_CORE is Copilot's default) and a Windows task size`);
    else m.done(FieldFate.MAPPED, 'platform');
    props.cpuArchitecture = code(`ecs.CpuArchitecture.${arch === 'arm64' || arch === 'arm' ? 'ARM64' : 'X86_64'}`);
  } else if (!override) {
    // Copilot builds and runs x86_64 unless told otherwise; cdk-shipyard would pick ARM64.
    props.cpuArchitecture = code('ecs.CpuArchitecture.X86_64');
  }
  // Variables and secrets.
  if (f.has(m.p('variables'))) {
    props.environmentVariables = Object.fromEntries(f.keys(m.p('variables')).map(k => {
      if (f.kind(m.p('variables', k)) === 'map') {
        m.todo(['variables', k], 'a variable from a CloudFormation export (from_cfn): pass the value with Fn.importValue');
        return [k, undefined];
      }
      m.done(FieldFate.MAPPED, 'variables', k);
      // YAML reads true and 8080 as a boolean and a number; the container gets their text.
      const v = f.value(m.p('variables', k));
      return [k, v === null || v === undefined ? '' : String(v)];
    }));
  }
  if (f.has(m.p('secrets'))) {
    props.secrets = Object.fromEntries(f.keys(m.p('secrets')).map(k => [k, secret(m, k, w)]));
  }
  if (f.has(m.p('exec'))) {
    props.enableExec = f.kind(m.p('exec')) === 'scalar' ? f.bool(m.p('exec')) : true;
    m.done(FieldFate.MAPPED, 'exec');
  }
  const ephemeral = f.int(m.p('storage', 'ephemeral'));
  if (ephemeral !== undefined) {
    // Copilot's (and Fargate's) default of 20 GiB needs nothing; 21-200 is the setting.
    if (ephemeral > 20) props.ephemeralStorageGiB = ephemeral;
    m.done(FieldFate.MAPPED, 'storage', 'ephemeral');
  }
  // Count and scaling.
  mapCount(m, w, props);
  // Type-specific fields.
  if (w.construct === 'WebService') mapHttp(m, props, w);
  if (w.construct === 'BackendService') mapBackend(m);
  if (w.construct === 'WorkerService') mapWorker(m, props);
  if (w.construct === 'ScheduledJob') mapJob(m, props, override);
  return { props, todos: m.todos };
}

/** A health check (`image.healthcheck`, `sidecars.<name>.healthcheck`) as the container health check ECS runs. */
function healthCheck(m: Mapper, base: string[] = ['image', 'healthcheck']): Props {
  const f = m.file;
  const at = (k: string) => m.p(...base, k);
  const command = f.strings(at('command'));
  if (!command) throw f.error(at('command'), `${show(m.p(...base))} has no command: expected a list such as ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]`);
  m.done(FieldFate.MAPPED, ...base, 'command');
  const check: Props = {
    command: f.kind(at('command')) === 'list' ? command : ['CMD-SHELL', command[0]],
    interval: f.has(at('interval')) ? duration(m, [...base, 'interval']) : undefined,
    timeout: f.has(at('timeout')) ? duration(m, [...base, 'timeout']) : undefined,
    retries: f.int(at('retries')),
    startPeriod: f.has(at('start_period')) ? duration(m, [...base, 'start_period']) : undefined,
  };
  if (check.retries !== undefined) m.done(FieldFate.MAPPED, ...base, 'retries');
  return check;
}

/** Copilot's container dependency conditions. */
const CONDITIONS: { [k: string]: string } = { start: 'START', healthy: 'HEALTHY', complete: 'COMPLETE', success: 'SUCCESS' };

/**
 * A sidecar. Copilot ran sidecar images as they are, so each keeps its image's user and a
 * writable root file system; a dependency on the main container (named after the service in
 * Copilot) names `app`.
 */
function sidecar(m: Mapper, name: string, w: Workload): Props {
  const f = m.file;
  const at = (...rest: Array<string | number>) => m.p('sidecars', name, ...rest);
  const rest = (...more: Array<string | number>) => ['sidecars', name, ...more];
  let image: Code;
  if (f.kind(at('image')) === 'map') {
    const location = f.str(at('image', 'location'));
    if (location === undefined) throw f.error(at('image'), `sidecars.${name}.image has no location: the importer maps registry images of sidecars`);
    image = code(`Image.fromRegistry(${quote(location)})`);
  } else {
    const location = f.str(at('image'));
    if (location === undefined) throw f.error(at(), `sidecars.${name} has no image`);
    image = code(`Image.fromRegistry(${quote(location)})`);
  }
  m.done(FieldFate.MAPPED, ...rest('image'));
  const props: Props = { name, image, containerSecurity: { imageUser: true, readOnlyRootFilesystem: false } };
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
  props.command = words(m, rest('command') as string[]);
  props.entryPoint = words(m, rest('entrypoint') as string[]);
  if (f.has(at('variables'))) {
    props.environmentVariables = Object.fromEntries(f.keys(at('variables')).map(k => [k, String(f.value(at('variables', k)) ?? '')]));
    m.done(FieldFate.MAPPED, ...rest('variables'));
  }
  if (f.has(at('secrets'))) props.secrets = Object.fromEntries(f.keys(at('secrets')).map(k => [k, secret(m, k, w, rest('secrets') as string[], name)]));
  if (f.has(at('healthcheck'))) props.healthCheck = healthCheck(m, rest('healthcheck') as string[]);
  if (f.has(at('depends_on'))) {
    props.dependsOn = f.keys(at('depends_on')).map(container => {
      const condition = f.str(at('depends_on', container))!;
      if (!CONDITIONS[condition]) throw f.error(at('depends_on', container), `expected start, healthy, complete or success, got ${JSON.stringify(condition)}`);
      return { containerName: container === w.name ? 'app' : container, condition: code(`ecs.ContainerDependencyCondition.${CONDITIONS[condition]}`) };
    });
    m.done(FieldFate.MAPPED, ...rest('depends_on'));
  }
  const waits = f.str(m.p('image', 'depends_on', name));
  if (waits !== undefined) {
    if (!CONDITIONS[waits]) throw f.error(m.p('image', 'depends_on', name), `expected start, healthy, complete or success, got ${JSON.stringify(waits)}`);
    props.appWaitsFor = code(`ecs.ContainerDependencyCondition.${CONDITIONS[waits]}`);
    m.done(FieldFate.MAPPED, 'image', 'depends_on', name);
  }
  return props;
}

function secret(m: Mapper, k: string, w: Workload, base: string[] = ['secrets'], prefix: string = ''): Code | undefined {
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
    const secretRef = match[1].startsWith('arn:')
      ? `secretsmanager.Secret.fromSecretCompleteArn(stack, ${quote(idOf(k))}, ${quote(match[1])})`
      : `secretsmanager.Secret.fromSecretNameV2(stack, ${quote(idOf(k))}, ${quote(match[1])})`;
    return code(`ecs.Secret.fromSecretsManager(${secretRef}${match[2] ? `, ${quote(match[2])}` : ''})`);
  }
  m.todo([...base, k], 'a secret from a CloudFormation export (from_cfn): pass it with ecs.Secret and the exported ARN');
  return undefined;
}

function mapCount(m: Mapper, w: Workload, props: Props): void {
  const f = m.file;
  if (!f.has(m.p('count')) || w.construct === 'ScheduledJob') return;
  if (f.kind(m.p('count')) === 'scalar') {
    props.desiredCount = f.int(m.p('count'));
    m.done(FieldFate.MAPPED, 'count');
    return;
  }
  const spot = f.int(m.p('count', 'spot'));
  if (spot !== undefined) {
    props.desiredCount = spot;
    props.capacity = code('Capacity.fargateSpot()');
    m.done(FieldFate.MAPPED, 'count', 'spot');
  }
  let min: number | undefined;
  let max: number | undefined;
  if (f.kind(m.p('count', 'range')) === 'scalar') {
    const range = f.text(m.p('count', 'range'))!;
    const match = /^(\d+)-(\d+)$/.exec(range);
    if (!match) throw f.error(m.p('count', 'range'), `expected a range such as 1-10 for ${show(m.p('count', 'range'))}, got ${JSON.stringify(range)}`);
    [min, max] = [Number(match[1]), Number(match[2])];
    m.done(FieldFate.MAPPED, 'count', 'range');
  } else if (f.has(m.p('count', 'range'))) {
    min = f.int(m.p('count', 'range', 'min'));
    max = f.int(m.p('count', 'range', 'max'));
    const spotFrom = f.int(m.p('count', 'range', 'spot_from'));
    if (spotFrom !== undefined) props.capacity = code(`Capacity.fargateSpotMix({ onDemandBase: ${Math.max(0, spotFrom - 1)} })`);
    m.done(FieldFate.MAPPED, 'count', 'range');
  }
  const targets: Code[] = [];
  const target = (field: string, factory: (value: string) => string) => {
    if (!f.has(m.p('count', field))) return;
    const isMap = f.kind(m.p('count', field)) === 'map';
    const value = isMap ? f.text(m.p('count', field, 'value')) : f.text(m.p('count', field));
    targets.push(code(factory(value!)));
    m.done(FieldFate.MAPPED, 'count', field);
    if (isMap && f.has(m.p('count', field, 'cooldown'))) m.todo(['count', field, 'cooldown'], 'give scaleInCooldown and scaleOutCooldown to the Scaling factory');
  };
  target('cpu_percentage', v => `Scaling.cpu(${v})`);
  target('memory_percentage', v => `Scaling.memory(${v})`);
  if (w.construct === 'WebService') {
    target('requests', v => `Scaling.requestsPerTarget(${v})`);
    if (f.has(m.p('count', 'response_time'))) {
      targets.push(code(`Scaling.responseTime(${duration(m, ['count', 'response_time'])!.text})`));
    }
  }
  if (f.has(m.p('count', 'cooldown'))) m.todo(['count', 'cooldown'], 'give scaleInCooldown and scaleOutCooldown to the Scaling factories');
  if (w.construct === 'WorkerService') {
    const scaling: Props = { minCapacity: min, maxCapacity: max };
    if (f.has(m.p('count', 'queue_delay'))) {
      const latency = durationMs(m, ['count', 'queue_delay', 'acceptable_latency']);
      const processing = durationMs(m, ['count', 'queue_delay', 'msg_processing_time']);
      if (latency !== undefined && processing !== undefined) scaling.messagesPerTask = Math.max(1, Math.floor(latency / processing));
      m.done(FieldFate.MAPPED, 'count', 'queue_delay');
    }
    if (targets.length > 0) m.todo(['count'], 'a worker scales on its backlog (messagesPerTask); CPU and memory targets were left out');
    if (min !== undefined || max !== undefined) props.scaling = scaling;
    return;
  }
  if (min !== undefined || max !== undefined) {
    props.scaling = { minCapacity: min, maxCapacity: max, targets: targets.length > 0 ? targets : undefined };
  } else if (targets.length > 0) {
    m.todo(['count'], 'scaling targets without range: give scaling.minCapacity and maxCapacity');
  }
}

function mapHttp(m: Mapper, props: Props, w: Workload): void {
  const f = m.file;
  if (f.kind(m.p('http')) === 'scalar' && f.bool(m.p('http')) === false) {
    m.todo(['http'], 'http: false leaves a web service without a load balancer: make it a BackendService or BackgroundService');
    return;
  }
  const routing: Props = {};
  const p = f.str(m.p('http', 'path'));
  if (p !== undefined) {
    const clean = `/${p.replace(/^\/+|\/+$/g, '')}`;
    // Copilot's path rule matched the path and everything under it.
    if (clean !== '/') routing.pathPatterns = [clean, `${clean}/*`];
    m.done(FieldFate.MAPPED, 'http', 'path');
  }
  const aliases = f.has(m.p('http', 'alias')) && f.kind(m.p('http', 'alias')) !== 'map' ? f.strings(m.p('http', 'alias')) : undefined;
  if (aliases) {
    // The names route here at once; their DNS records need the zone (routing.aliases with routing.hostedZone).
    routing.hostHeaders = aliases;
    m.todo(['http', 'alias'], `create the DNS records of ${aliases.join(', ')}: give routing.aliases and routing.hostedZone`);
  }
  const sources = f.strings(m.p('http', 'allowed_source_ips'));
  if (sources) {
    routing.sourceIps = sources;
    m.done(FieldFate.MAPPED, 'http', 'allowed_source_ips');
  }
  if (Object.keys(routing).length > 0) props.routing = routing;
  const check: Props = {};
  if (f.kind(m.p('http', 'healthcheck')) === 'scalar') {
    check.path = f.str(m.p('http', 'healthcheck'));
    m.done(FieldFate.MAPPED, 'http', 'healthcheck');
  } else if (f.has(m.p('http', 'healthcheck'))) {
    const hc = (k: string) => m.p('http', 'healthcheck', k);
    check.path = f.str(hc('path'));
    check.port = f.int(hc('port'));
    check.healthyHttpCodes = f.text(hc('success_codes'));
    check.healthyThresholdCount = f.int(hc('healthy_threshold'));
    check.unhealthyThresholdCount = f.int(hc('unhealthy_threshold'));
    check.interval = duration(m, ['http', 'healthcheck', 'interval']);
    check.timeout = duration(m, ['http', 'healthcheck', 'timeout']);
    for (const k of ['path', 'port', 'success_codes', 'healthy_threshold', 'unhealthy_threshold']) if (f.has(hc(k))) m.done(FieldFate.MAPPED, 'http', 'healthcheck', k);
    if (f.has(hc('grace_period'))) props.healthCheckGracePeriod = duration(m, ['http', 'healthcheck', 'grace_period']);
  }
  if (Object.values(check).some(v => v !== undefined)) props.targetHealthCheck = check;
  if (f.has(m.p('http', 'deregistration_delay'))) props.deregistrationDelay = duration(m, ['http', 'deregistration_delay']);
  const targetContainer = f.str(m.p('http', 'target_container'));
  if (targetContainer !== undefined) {
    // The route reaches a sidecar of the manifest on its port (the main container is `app` here).
    props.targetContainer = targetContainer === w.name ? 'app' : targetContainer;
    m.done(FieldFate.MAPPED, 'http', 'target_container');
    // Copilot's target port defaults to the target container's own port.
    const sidecarPort = targetContainer === w.name ? undefined : f.text(['sidecars', targetContainer, 'port']);
    const targetPort = f.int(m.p('http', 'target_port')) ?? (sidecarPort !== undefined ? Number(sidecarPort.split('/')[0]) : undefined);
    if (targetPort !== undefined) props.targetPort = targetPort;
    if (f.has(m.p('http', 'target_port'))) m.done(FieldFate.MAPPED, 'http', 'target_port');
  }
}

function mapBackend(m: Mapper): void {
  // Copilot called backends by their Service Connect name; the construct id in lower case is the default here.
  if (m.file.has(m.p('network', 'connect'))) m.done(FieldFate.MAPPED, 'network', 'connect');
}

function mapWorker(m: Mapper, props: Props): void {
  const f = m.file;
  const queue: Props = {};
  const q = (k: string) => m.p('subscribe', 'queue', k);
  if (f.has(q('retention'))) queue.retentionPeriod = duration(m, ['subscribe', 'queue', 'retention']);
  if (f.has(q('timeout'))) queue.visibilityTimeout = duration(m, ['subscribe', 'queue', 'timeout']);
  if (f.has(q('delay'))) queue.deliveryDelay = duration(m, ['subscribe', 'queue', 'delay']);
  const tries = f.int(m.p('subscribe', 'queue', 'dead_letter', 'tries'));
  if (tries !== undefined) {
    queue.maxReceiveCount = tries;
    m.done(FieldFate.MAPPED, 'subscribe', 'queue', 'dead_letter', 'tries');
  }
  if (f.has(q('fifo'))) {
    queue.fifo = true;
    if (f.kind(q('fifo')) === 'map') {
      queue.contentBasedDeduplication = f.bool(m.p('subscribe', 'queue', 'fifo', 'content_based_deduplication'));
      m.todo(['subscribe', 'queue', 'fifo'], 'FIFO throughput settings (high_throughput, deduplication_scope, throughput_limit) are not mapped');
    } else {
      m.done(FieldFate.MAPPED, 'subscribe', 'queue', 'fifo');
    }
  }
  if (Object.keys(queue).length > 0) props.queue = code(`WorkQueue.newQueue(${render(queue, '    ')})`);
  const topics = f.length(m.p('subscribe', 'topics'));
  if (topics > 0) {
    props.subscriptions = Array.from({ length: topics }, (_, i) => {
      const t = (k: string) => m.p('subscribe', 'topics', i, k);
      const key = `${f.str(t('service'))}-${f.str(t('name'))}`;
      if (!m.published.has(key)) {
        m.todo(['subscribe', 'topics', i], `no workload of the workspace publishes ${key}: subscribe to that topic (sns.Topic.fromTopicArn) by hand`);
        return undefined;
      }
      m.done(FieldFate.MAPPED, 'subscribe', 'topics', i, 'name');
      m.done(FieldFate.MAPPED, 'subscribe', 'topics', i, 'service');
      const sub: Props = {
        topic: code(`topics[${quote(key)}]`),
        // Copilot delivered the SNS envelope; the app reads the message from its Message field.
        rawMessageDelivery: false,
      };
      if (f.has(t('filter_policy'))) m.todo(['subscribe', 'topics', i, 'filter_policy'], `give filterPolicy as sns.SubscriptionFilter values: ${JSON.stringify(f.value(t('filter_policy')))}`);
      if (f.has(t('queue'))) {
        sub.queue = code('WorkQueue.newQueue()');
        sub.name = pascal(key);
        m.todo(['subscribe', 'topics', i, 'queue'], 'the topic has a queue of its own; carry its settings into WorkQueue.newQueue({...})');
      }
      return sub;
    }).filter(s => s !== undefined);
  }
}

function mapJob(m: Mapper, props: Props, override: boolean): void {
  const f = m.file;
  const schedule = f.str(m.p('on', 'schedule'));
  if (schedule !== undefined) {
    props.schedule = code(jobSchedule(m, schedule));
  } else if (!override) {
    f.fail(m.p('on', 'schedule'), 'a Scheduled Job has no on.schedule');
  }
  const retries = f.int(m.p('retries'));
  if (retries !== undefined) {
    props.rerunsOnFailure = Math.min(retries, 10);
    if (retries > 10) m.todo(['retries'], `${retries} retries: rerunsOnFailure takes at most 10`);
    else m.done(FieldFate.MAPPED, 'retries');
  }
  if (f.has(m.p('timeout'))) props.timeout = duration(m, ['timeout']);
}

/** Copilot schedules as EventBridge Scheduler expressions. */
function jobSchedule(m: Mapper, schedule: string): string {
  const at = m.p('on', 'schedule');
  const named: { [k: string]: string } = {
    '@yearly': '0 0 1 1 ? *',
    '@annually': '0 0 1 1 ? *',
    '@monthly': '0 0 1 * ? *',
    '@weekly': '0 0 ? * SUN *',
    '@daily': '0 0 * * ? *',
    '@midnight': '0 0 * * ? *',
    '@hourly': '0 * * * ? *',
  };
  m.file.mark(at);
  if (named[schedule]) return `JobSchedule.cron(${quote(named[schedule])})`;
  const every = /^@every (.+)$/.exec(schedule);
  if (every) {
    const d = durationText(m, every[1]);
    return `JobSchedule.rate(${d})`;
  }
  const wrapped = /^(rate|cron)\((.+)\)$/.exec(schedule);
  if (wrapped) return `JobSchedule.expression(${quote(schedule)})`;
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) m.file.fail(at, `expected @daily, @every 1h, rate(...), cron(...) or a 5-field cron for on.schedule, got ${JSON.stringify(schedule)}`);
  const [minute, hour, dom, month, dow] = fields;
  // EventBridge: 6 fields, one of day-of-month and day-of-week is ?, days of week 1-7 from Sunday.
  const eventDow = dow === '*' ? '?' : dow.replace(/\d/g, d => String((Number(d) % 7) + 1));
  const eventDom = dow === '*' ? dom : dom === '*' ? '?' : dom;
  if (dow !== '*' && dom !== '*') m.todo(['on', 'schedule'], 'both day-of-month and day-of-week are set; EventBridge takes one of them');
  return `JobSchedule.cron(${quote(`${minute} ${hour} ${eventDom} ${month} ${eventDow} *`)})`;
}

function durationText(m: Mapper, text: string): string {
  const ms = milliseconds(text);
  if (ms === undefined) throw m.file.error(m.p('on', 'schedule'), `expected a duration such as 30m in @every, got ${JSON.stringify(text)}`);
  if (ms % 60000 !== 0) throw m.file.error(m.p('on', 'schedule'), `@every ${text} is not a whole number of minutes, which Scheduler needs`);
  return durationCode(ms).text;
}
