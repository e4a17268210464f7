import * as fs from 'fs';
import * as path from 'path';
import { aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import {
  Code, code, commandWords, durationCode, functionNames, liftVariables, milliseconds, pascal, camel, Props, quote, QUOTED_COMMAND, registryImage,
  render, retentionMember,
  RETENTION_EXPECTED, secretCode,
} from './code';
import { VariableUse, variablesComment } from './interpolate';
import { WorkloadPropsModel } from './model';
import { FieldFate, FieldPath, FieldTally, ImportError, show, Skipped, tallyFields, YamlFile } from './source';

/** What an import writes, and how many fields it carried over. */
export interface ImportResult {
  /** File name (relative to the output directory) to content. */
  readonly files: { [name: string]: string };
  readonly mapped: number;
  readonly partial: number;
  readonly unmapped: number;
  /** Every leaf field that was not mapped whole, as `<file> <path>`, with its fate. */
  readonly notMapped: FieldTally['notMapped'];
  /** The workloads written, those left out with the reason, the variables read and what to know. */
  readonly report: ImportReport;
}

/** What an import did, workload by workload, for the CLI's summary and its exit code. */
export interface ImportReport {
  /** The workloads written into the app, by name. */
  readonly imported: string[];
  /** The workloads (or files) left out, with the file, line and reason. */
  readonly skipped: Skipped[];
  /** Every variable the source interpolates, where, with its default and where its value came from. */
  readonly variables: VariableUse[];
  /** What the import changed or assumed that a person should know. */
  readonly warnings: string[];
}

/** Options of a Copilot import. */
export interface CopilotImportOptions {
  /** The Copilot workspace: the directory that holds `copilot/`. */
  readonly workspace: string;
  /** Where app.ts goes; paths in it are relative to this directory. */
  readonly outDir: string;
  /** Treat these environment names as production (default: names containing "prod"). */
  readonly productionEnvironments?: string[];
  /** The shell's variables, for `${VAR}` in manifests (Copilot substitutes them when it deploys). */
  readonly environment?: { [name: string]: string | undefined };
  /** Import only these environments (`--env`); the others are listed as skipped. */
  readonly environments?: string[];
  /** Import only these workloads, by directory name (`--service`); the others are listed as skipped. */
  readonly workloads?: string[];
}

/**
 * The app with the function that reads the manifests' `${VAR}` variables when it synthesizes,
 * if it reads any: Copilot refused to deploy with one unset, and so does the app.
 */
function withVariables(app: string): string {
  if (!/\bvariable\('/.test(app)) return app;
  const at = app.indexOf('\nconst app = new App();');
  return `${app.slice(0, at)}
/** A variable the manifests read as \${NAME}: Copilot required it when it deployed, and so does this app. */
function variable(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(\`Set \${name}: the Copilot manifests read \\\${\${name}} (listed at the top of this file)\`);
  return value;
}
${app.slice(at)}`;
}

/** Workload types Copilot has that no construct here runs, and what to do instead. */
const UNSUPPORTED_TYPES: { [type: string]: string } = {
  'Request-Driven Web Service': 'it runs on AWS App Runner, which the library does not deploy: import it as a WebService by hand (its image, port and variables carry over), or keep it on App Runner',
  'Static Site': 'it is an S3 bucket behind CloudFront, not a container: deploy it with aws-s3-deployment and a CloudFront distribution',
};

/**
 * A workload manifest, read and checked as Copilot checks it: a type, and an image to build or
 * pull (Copilot: "must specify one of image.build or image.location").
 */
function readWorkload(manifest: string, relFile: string, dir: string, ctx: InterpolationContext): Workload {
  const file = YamlFile.read(manifest, relFile);
  const type = file.str(['type']);
  if (type === undefined) throw file.error(['type'], 'has no type: expected one of ' + Object.keys(WORKLOAD_TYPES).join(', '));
  if (UNSUPPORTED_TYPES[type]) throw file.error(['type'], `${type}: ${UNSUPPORTED_TYPES[type]}`);
  if (!WORKLOAD_TYPES[type]) {
    throw file.error(['type'], `type ${JSON.stringify(type)} is not a Copilot workload type: expected one of ${Object.keys(WORKLOAD_TYPES).join(', ')}`);
  }
  const name = file.str(['name']) ?? dir;
  interpolateManifest(file, { ...ctx, workload: name });
  const hasImage = file.kind(['image']) === 'map' && (file.has(['image', 'build']) || file.has(['image', 'location']));
  const overridden = file.keys(['environments']).some(e => file.kind(['environments', e, 'image']) === 'map'
    && (file.has(['environments', e, 'image', 'build']) || file.has(['environments', e, 'image', 'location'])));
  if (!hasImage && !overridden) throw file.error(['image'], 'has neither image.build nor image.location: Copilot rejects it too ("must specify one of image.build or image.location")');
  file.mark(['type']);
  file.mark(['name']);
  const publishes = Array.from({ length: file.length(['publish', 'topics']) }, (_, i) => file.str(['publish', 'topics', i, 'name'])!);
  return { name, type, construct: construct(file, type), file, relFile, publishes, rootTakenBy: {} };
}

/** What `${VAR}` in a manifest resolves against. */
interface InterpolationContext {
  /** The application's name, for COPILOT_APPLICATION_NAME. */
  readonly app?: string;
  /** The environment of an environment manifest, for COPILOT_ENVIRONMENT_NAME. */
  readonly env?: string;
  readonly workload?: string;
  readonly shell: { [name: string]: string | undefined };
  readonly variables: VariableUse[];
}

/**
 * Copilot substitutes `${VAR}` in a manifest from the shell that deploys it, and gives
 * COPILOT_APPLICATION_NAME and COPILOT_ENVIRONMENT_NAME itself. Here the shell's value is used
 * when it has one; otherwise the text stays and the app reads the variable from `process.env`
 * when it synthesizes (`${COPILOT_ENVIRONMENT_NAME}` outside an environment's override becomes
 * the stage).
 */
function interpolateManifest(f: YamlFile, ctx: InterpolationContext): void {
  f.interpolate((text, at, line) => {
    if (!/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(text)) return undefined;
    const env = ctx.env ?? (at[0] === 'environments' && typeof at[1] === 'string' ? at[1] : undefined);
    return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
      const given = name === 'COPILOT_APPLICATION_NAME' ? ctx.app : name === 'COPILOT_ENVIRONMENT_NAME' ? env
        : name === 'COPILOT_SERVICE_NAME' ? ctx.workload : ctx.shell[name];
      ctx.variables.push({ name, where: `${f.file}:${line ?? '?'} ${show(at)}`, required: true, source: given !== undefined ? 'the shell' : undefined });
      return given ?? whole;
    });
  });
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
  readonly props: WorkloadPropsModel;
  readonly todos: string[];
  /** Statements after the workload is built (`workload`, `stack`, `environment` in scope). */
  readonly after?: string[];
}

/** The fields each workload's props come from, with a mark for each one used. */
class Mapper {
  public readonly todos: string[] = [];
  public readonly after: string[] = [];
  constructor(private readonly f: YamlFile, private readonly base: FieldPath, private readonly ids: Ids,
    /** The topics some workload of the workspace publishes, as `<service>-<topic>`. */
    public readonly published: ReadonlySet<string> = new Set()) {}

  /** Whether this maps an `environments.<name>` override rather than the manifest itself. */
  public get override(): boolean {
    return this.base.length > 0;
  }

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
  /** By stage, the workload that keeps the root path of the shared load balancer, when this one also asked for it. */
  readonly rootTakenBy: { [stage: string]: string };
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
  const skipped: Skipped[] = [];
  const warnings: string[] = [];
  const variables: VariableUse[] = [];
  const applicationName = attemptName(options.workspace) ?? 'app';
  const shell = options.environment ?? {};
  // One manifest that cannot be read or mapped is left out with its reason; the others import.
  const attempt = <T>(file: string, name: string, read: () => T): T | undefined => {
    try {
      return read();
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      skipped.push({ file, line: e.line, name, reason: e.message });
      return undefined;
    }
  };
  const envNames: string[] = [];
  const envFiles: YamlFile[] = [];
  const envCandidates = fs.existsSync(envDir) ? fs.readdirSync(envDir).filter(n => fs.existsSync(path.join(envDir, n, 'manifest.yml'))).sort() : [];
  for (const n of envCandidates) {
    const file = rel(path.join(envDir, n, 'manifest.yml'));
    const f = options.environments && !options.environments.includes(n) ? undefined : attempt(file, n, () => {
      const read = YamlFile.read(path.join(envDir, n, 'manifest.yml'), file);
      interpolateManifest(read, { app: applicationName, env: n, shell, variables });
      return read;
    });
    if (options.environments && !options.environments.includes(n)) skipped.push({ file, name: n, reason: 'not named by --env' });
    if (f) {
      envNames.push(n);
      envFiles.push(f);
    }
  }
  const workloads: Workload[] = [];
  for (const dir of fs.readdirSync(root).sort()) {
    const manifest = path.join(root, dir, 'manifest.yml');
    if (dir === 'environments' || dir === 'pipelines' || !fs.existsSync(manifest)) continue;
    if (options.workloads && !options.workloads.includes(dir)) {
      skipped.push({ file: rel(manifest), name: dir, reason: 'not named by --service' });
      continue;
    }
    const w = attempt(rel(manifest), dir, () => readWorkload(manifest, rel(manifest), dir, { app: applicationName, shell, variables }));
    if (w) workloads.push(w);
  }
  if (envFiles.length === 0 && envCandidates.length === 0) {
    // Copilot before v1.20 kept environments in the account, not in manifests: take the names the
    // workloads' overrides use (or Copilot's first environment, test) with Copilot's defaults.
    const named = [...new Set(workloads.flatMap(w => w.file.keys(['environments'])).filter(n => /^[A-Za-z0-9_-]+$/.test(n)))].sort();
    const chosen = (named.length > 0 ? named : ['test']).filter(n => !options.environments || options.environments.includes(n));
    for (const n of chosen) {
      envNames.push(n);
      envFiles.push(YamlFile.parse(`name: ${n}\ntype: Environment\n`, `copilot/environments/${n} (no manifest)`));
    }
    warnings.push(`${rel(root)} has no environment manifests: the environments ${chosen.join(', ')} get Copilot's defaults (a new VPC, a public load balancer on HTTP); `
      + 'give each the settings it had (copilot env show), or run copilot env init to write its manifest and import again');
  }
  const production = (n: string) => options.productionEnvironments ? options.productionEnvironments.includes(n) : /prod/i.test(n);
  const envFunctions: string[] = [];
  for (const [i, f] of [...envFiles.entries()].reverse()) {
    const written = attempt(f.file, envNames[i], () => environmentFunction(envNames[i], f, production(envNames[i])));
    if (written) {envFunctions.unshift(written);} else {
      envNames.splice(i, 1);
      envFiles.splice(i, 1);
    }
  }
  if (envFiles.length === 0) {
    throw new ImportError(rel(root), undefined, `no environment could be imported:\n${skipped.map(x => `  ${x.reason.startsWith(x.file) ? x.reason : `${x.file}: ${x.reason}`}`).join('\n')}`);
  }
  const stages = envNames;
  const workspaceFromOut = path.relative(options.outDir, options.workspace).split(path.sep).join('/') || '.';
  envFunctions.push(`const ENVIRONMENTS: { [stage: string]: (stack: Stack) => Environment } = { ${stages.map(s => `${quote(s)}: ${camel(s)}Environment`).join(', ')} };`, '');
  const topicKeys = workloads.flatMap(w => w.publishes.map((t, i) => ({ service: w.name, topic: t, props: topicProps(w.file, i) })));
  // Copilot let several services claim / of one load balancer (the last deployed won); here the
  // first keeps it and each other one answers under its own name, with a TODO.
  // (Web services share the environment's load balancer; Backend Services with http the internal one.)
  for (const stage of stages) {
    for (const type of ['Load Balanced Web Service', 'Backend Service']) {
      const roots = workloads.filter(w => w.construct === 'WebService' && w.type === type && claimsRoot(w.file, stage));
      for (const w of roots.slice(1)) w.rootTakenBy[stage] = roots[0].name;
    }
  }
  const fn = functionNames(workloads.map(w => w.name), ['topics', 'discovery', 'internalIngress', 'ENVIRONMENTS', 'WORKSPACE', 'Topics', ...stages.map(e => `${camel(e)}Environment`)]);
  const workloadFunctions: string[] = [];
  for (const w of [...workloads]) {
    const written = attempt(w.relFile, w.name, () => workloadFunction(w, stages, topicKeys.length > 0));
    if (written) {workloadFunctions.push(written);} else {
      workloads.splice(workloads.indexOf(w), 1);
    }
  }
  if (workloads.length === 0 && skipped.some(x => x.reason !== 'not named by --service')) {
    throw new ImportError(rel(root), undefined, `no workload could be imported:\n${skipped.map(x => `  ${x.reason.startsWith(x.file) ? x.reason : `${x.file}: ${x.reason}`}`).join('\n')}`);
  }

  const { todos: unmappedTodos, ...counts } = tallyFields('copilot', [...envFiles, ...workloads.map(w => w.file)], HINTS);
  const name = appName(options.workspace);
  const body = [
    '// Build contexts and files are relative to the workspace, as in Copilot.',
    `const WORKSPACE = path.join(__dirname, ${quote(workspaceFromOut)});`,
    '',
    '/** Copilot topics by `<service>-<topic>`. */',
    'type Topics = { [key: string]: sns.ITopic };',
    '',
    ...envFunctions,
    ...(workloads.some(w => w.type === 'Backend Service' && w.construct === 'WebService') ? [
      '/** The internal load balancer Copilot gave Backend Services with http: one per stage, reached from the VPC. */',
      'function internalIngress(stack: Stack, environment: Environment): SharedIngress {',
      '  return stack.node.tryFindChild(\'InternalIngress\') as SharedIngress | undefined ?? new SharedIngress(stack, \'InternalIngress\', {',
      '    vpc: environment.vpc,',
      '    vpcCidr: environment.vpcCidr,',
      '    production: environment.profile === EnvironmentProfile.PRODUCTION,',
      '    internetFacing: false,',
      '    // Copilot\'s internal load balancer served plain HTTP unless http.private.certificates gave it one.',
      '    protocol: elbv2.ApplicationProtocol.HTTP,',
      '  });',
      '}',
      '',
    ] : []),
    ...workloadFunctions,
    ...unmappedTodos,
    ...(unmappedTodos.length > 0 ? [''] : []),
    'const app = new App();',
    `for (const stage of [${stages.map(quote).join(', ')}]) {`,
    '  // The account and region the CDK CLI runs with, as Copilot deployed to its environments\' own.',
    '  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };',
    '  // As Copilot deployed: a stack for the environment, and one for each workload in it.',
    '  const stack = new Stack(app, `' + name + '-${stage}`, { env });',
    '  const environment = ENVIRONMENTS[stage](stack);',
    '  const topics: Topics = {};',
    ...topicKeys.map(t => `  topics[${quote(`${t.service}-${t.topic}`)}] = new sns.Topic(stack, ${quote(`${pascal(t.service)}${pascal(t.topic)}Topic`)}, ${render(t.props, '  ')});`),
    '  // Copilot\'s service discovery names, <service>.<env>.<app>.local, for apps that call them (Service Connect answers the short names).',
    `  const discovery = new servicediscovery.PrivateDnsNamespace(stack, 'ServiceDiscovery', { name: \`\${stage}.${rawAppName(options.workspace) ?? 'app'}.local\`, vpc: environment.vpc });`,
    ...workloads.map(w => `  ${fn.get(w.name)}(new Stack(app, \`${name}-\${stage}-${pascal(w.name)}\`, { env }), environment, stage, topics, discovery);`),
    '}',
    'app.synth();',
    '',
  ].join('\n');
  const used = (names: string[]) => names.filter(n => new RegExp(`\\b${n}\\b`).test(body));
  const modules: { [alias: string]: string } = {
    acm: 'aws_certificatemanager',
    cloudwatch: 'aws_cloudwatch',
    ec2: 'aws_ec2',
    ecs: 'aws_ecs',
    efs: 'aws_efs',
    elbv2: 'aws_elasticloadbalancingv2',
    logs: 'aws_logs',
    route53: 'aws_route53',
    secretsmanager: 'aws_secretsmanager',
    servicediscovery: 'aws_servicediscovery',
    sns: 'aws_sns',
    ssm: 'aws_ssm',
  };
  // A module alias is used where a member of it is (`logs` is also a word in comments).
  const cdkModules = Object.keys(modules).filter(n => new RegExp(`\\b${n}\\.[A-Za-z]`).test(body));
  const app = [
    '// Written by `cdk-shipyard import copilot` from the Copilot workspace at',
    `// ${workspaceFromOut} (relative to this file). The code is yours now: edit it as you would any CDK app.`,
    '// TODO(copilot) comments quote what the importer could not carry over.',
    ...variablesComment(variables),
    'import * as path from \'path\';',
    `import { ${[...used(['App', 'Duration', 'Fn', 'RemovalPolicy', 'Stack']), ...cdkModules.map(a => `${modules[a]} as ${a}`)].join(', ')} } from 'aws-cdk-lib';`,
    `import { ${used(SHIPYARD_NAMES).join(', ')} } from 'cdk-shipyard';`,
    '',
    body,
  ].join('\n');
  return {
    files: { 'app.ts': withVariables(liftVariables(app, { COPILOT_ENVIRONMENT_NAME: 'stage', COPILOT_LB_DNS: 'environment.ingress.loadBalancer.loadBalancerDnsName' }, n => `variable(${quote(n)})`)) },
    ...counts,
    report: { imported: workloads.map(w => w.name), skipped, variables, warnings },
  };

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
    props.network = network(m);
    const ingress = props.ingress as Props;
    const sslPolicy = f.str(['http', 'public', 'ssl_policy']) ?? f.str(['http', 'private', 'ssl_policy']);
    if (sslPolicy !== undefined) {
      const member = Object.entries(elbv2.SslPolicy).find(([, v]) => v === sslPolicy)?.[0];
      if (!member) f.fail(f.has(['http', 'public', 'ssl_policy']) ? ['http', 'public', 'ssl_policy'] : ['http', 'private', 'ssl_policy'], `${JSON.stringify(sslPolicy)} is not an SSL policy aws-cdk-lib knows (elbv2.SslPolicy)`);
      ingress.sslPolicy = code(`elbv2.SslPolicy.${member}`);
      for (const lb of ['public', 'private']) if (f.has(['http', lb, 'ssl_policy'])) m.done(FieldFate.MAPPED, 'http', lb, 'ssl_policy');
    }
    const sources: Code[] = [];
    for (const ip of f.strings(['http', 'public', 'ingress', 'source_ips']) ?? []) sources.push(code(`IngressSource.cidr(${quote(ip)})`));
    if (f.has(['http', 'public', 'ingress', 'source_ips'])) m.done(FieldFate.MAPPED, 'http', 'public', 'ingress', 'source_ips');
    if (f.bool(['http', 'public', 'ingress', 'cdn'])) {
      sources.push(code('IngressSource.cloudFront()'));
      m.done(FieldFate.MAPPED, 'http', 'public', 'ingress', 'cdn');
    }
    if (sources.length > 0) ingress.allowedSources = sources;
    if (f.has(['http', 'public', 'access_logs'])) {
      // The shared load balancer always logs, to a bucket of its own.
      if (f.kind(['http', 'public', 'access_logs']) === 'map') m.todo(['http', 'public', 'access_logs'], 'the load balancer logs to a bucket the library creates; bucket_name and prefix are not used');
      else m.done(FieldFate.MAPPED, 'http', 'public', 'access_logs');
    }
    if (f.has(['http', 'private']) && !f.has(['http', 'public'])) {
      // Copilot's private load balancer: internal, reached from the VPC.
      ingress.internetFacing = false;
      const privateCert = f.str(['http', 'private', 'certificates', 0]);
      if (privateCert !== undefined) {
        ingress.certificate = code(`acm.Certificate.fromCertificateArn(stack, 'Certificate', ${quote(privateCert)})`);
        delete ingress.protocol;
        m.done(FieldFate.MAPPED, 'http', 'private', 'certificates');
      }
      if (f.has(['http', 'private', 'ingress', 'vpc'])) m.done(FieldFate.MAPPED, 'http', 'private', 'ingress', 'vpc');
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
      // Copilot applies an override only when it deploys to that environment, so one for an environment the workspace lacks does nothing.
      if (!allStages.includes(envName)) {
        w.file.mark(['environments', envName], FieldFate.MAPPED);
        warnings.push(`${w.relFile}:${w.file.line(['environments', envName])}: environments.${envName} names no environment of the workspace (${allStages.join(', ')}): ignored, as Copilot ignores it`);
      }
    }
    // An override's count replaces the manifest's (Copilot replaces the count field): where some
    // stages scale and others have a fixed count, each stage gets its own, since an overlay can
    // add a prop but not remove one.
    const countKeys = ['desiredCount', 'scaling'] as const;
    if (allStages.some(s => countKeys.some(k => overrides[s].props[k] !== undefined)) && countKeys.some(k => base.props[k] !== undefined)) {
      for (const s of allStages) {
        const o = overrides[s].props;
        if (!countKeys.some(k => o[k] !== undefined)) {
          if (base.props.desiredCount !== undefined) o.desiredCount = base.props.desiredCount;
          if (base.props.scaling !== undefined) o.scaling = base.props.scaling;
        }
      }
      for (const k of countKeys) delete (base.props as Props)[k];
    }
    // Copilot let several services claim / of one load balancer (the last deployed won); here the
    // first keeps it and each other one answers under its own name, in the stages where they meet.
    const taken = allStages.filter(s => w.rootTakenBy[s] !== undefined);
    if (taken.length > 0) {
      const at = w.file.has(['http', 'path']) ? ['http', 'path'] : ['http'];
      const reroute = (props: Props) => props.routing = { ...props.routing as Props, pathPatterns: [`/${w.name}`, `/${w.name}/*`] };
      if (taken.length === allStages.length) reroute(base.props);
      else taken.forEach(s => reroute(overrides[s].props));
      w.file.mark(at, FieldFate.PARTIAL);
      base.todos.push(`TODO(copilot): ${show(at)} (line ${w.file.line(at)}): ${[...new Set(taken.map(s => w.rootTakenBy[s]))].join(', ')} also answers at / of the shared `
        + `load balancer${taken.length < allStages.length ? ` in ${taken.join(', ')}` : ''} (Copilot let the last deployed win): ${w.name} answers under /${w.name} there; `
        + 'give it the host name (alias) or path it should have');
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
      `function ${fn.get(w.name)}(stack: Stack, environment: Environment, stage: string, ${hasTopics ? 'topics' : '_topics'}: Topics, discovery: servicediscovery.INamespace): ${w.construct} {`,
      ...todos.map(t => `  // ${t}`),
      `  const props = forStage<${w.construct}Props>(stage, ${render({ environment: code('environment'), ...base.props, ...discoveryProps(w) }, '  ')}, ${render(stageOverrides, '  ')});`,
      `  const workload = new ${w.construct}(stack, ${quote(pascal(w.name))}, props);`,
      ...publish,
      ...publishVar,
      ...(w.construct === 'WorkerService' ? ['  // The variable Copilot gave workers; the library also sets QUEUE_URL.', '  workload.container.addEnvironment(\'COPILOT_QUEUE_URI\', workload.queue.queueUrl);'] : []),
      '  workload.container.addEnvironment(\'COPILOT_SERVICE_DISCOVERY_ENDPOINT\', discovery.namespaceName);',
      '  // The variables Copilot gave every container of a workload.',
      `  workload.container.addEnvironment('COPILOT_APPLICATION_NAME', ${quote(applicationName ?? 'app')});`,
      '  workload.container.addEnvironment(\'COPILOT_ENVIRONMENT_NAME\', stage);',
      `  workload.container.addEnvironment('COPILOT_SERVICE_NAME', ${quote(w.name)});`,
      ...(w.construct === 'WebService' ? ['  workload.container.addEnvironment(\'COPILOT_LB_DNS\', (props.ingress ?? environment.ingress).loadBalancer.loadBalancerDnsName);'] : []),
      ...mountPoints(w.file).map(json => `  workload.container.addEnvironment('COPILOT_MOUNT_POINTS', ${quote(json)});`),
      ...(base.after ?? []),
      '  return workload;',
      '}',
      '',
    ].join('\n');
  }
}

/** The names the generated app may take from cdk-shipyard. */
const SHIPYARD_NAMES = [
  'BackendService', 'BackendServiceProps', 'BackgroundService', 'BackgroundServiceProps', 'Capacity', 'Deployment', 'Environment', 'EnvironmentProfile',
  'FireLensConfigFile', 'forStage', 'Image', 'IngressSource', 'JobSchedule', 'LogDestination', 'Logging', 'Network', 'NetworkService', 'NetworkServiceProps',
  'Scaling', 'ScheduledJob', 'ScheduledJobProps', 'SharedIngress', 'StandaloneTask', 'StandaloneTaskProps', 'Tracing', 'Volume', 'WebService', 'WebServiceProps', 'WorkerService', 'WorkerServiceProps', 'WorkQueue',
];

/** What to do with a field that has no prop, by its path. */
const HINTS: Array<[RegExp, string]> = [
  [/^(environments\.[^.]+\.)?network\.vpc\.placement/, 'tasks run in the environment\'s task subnets (Network.newVpc or fromVpc taskSubnets)'],
  [/^(environments\.[^.]+\.)?network\.vpc\.security_groups/, 'the workload has a security group of its own: admit it where these groups were admitted (workload.connections)'],
  [/^network\.vpc\.security_group/, 'the library creates the security groups; add rules to environment or workload connections'],
  [/^(environments\.[^.]+\.)?http\.alb/, 'workloads share the environment\'s load balancer; an existing one goes to Environment.fromAttributes'],
  [/redirect_to_https$/, 'an environment with a certificate redirects HTTP to HTTPS'],
  [/^(environments\.[^.]+\.)?nlb/, 'NetworkService has no such option; set it on its load balancer or target group by hand'],
  [/^cdn/, 'CloudFront is not part of the library; create the distribution in the stack and admit it with IngressSource.cloudFront()'],
  [/^http\.private\.subnets/, 'the load balancer uses the network\'s load-balancer subnets (Network loadBalancerSubnets)'],
  [/^http\.public\.certificates|^http\.private/, 'the environment has one load balancer'],
  [/^logging\.env_file/, 'the FireLens router takes no environment file here; pass its variables in the config file'],
  [/secretOptions/, 'pass the secret to the output with LogDestination.fluentBitOutput options or a config file'],
  [/^(environments\.[^.]+\.)?http/, 'WebService has no such option; set it on its target group or listener rule by hand'],
  [/^(environments\.[^.]+\.)?count/, 'this workload type scales with other props'],
];

/** A published topic's props: encrypted in transit, FIFO where the manifest says. */
function topicProps(file: YamlFile, i: number): Props {
  const fifo = ['publish', 'topics', i, 'fifo'];
  const props: Props = { enforceSSL: true };
  if (file.kind(fifo) === 'map') {
    props.fifo = true;
    props.contentBasedDeduplication = file.bool([...fifo, 'content_based_deduplication']);
  } else if (file.bool(fifo)) {
    props.fifo = true;
  }
  if (file.has(fifo)) file.mark(fifo);
  return props;
}

/** An environment's `network.vpc`: a new VPC with Copilot's CIDR, or the existing one it names. */
function network(m: Mapper): Code | undefined {
  const f = m.file;
  const vpc = (...rest: Array<string | number>) => ['network', 'vpc', ...rest];
  const id = f.str(vpc('id'));
  if (id !== undefined) {
    const subnetIds = (kind: string) => Array.from({ length: f.length(vpc('subnets', kind)) }, (_, i) => f.str(vpc('subnets', kind, i, 'id'))!);
    const publicIds = subnetIds('public');
    const privateIds = subnetIds('private');
    if (privateIds.length === 0 && publicIds.length > 0) {
      f.fail(vpc('subnets'), `the VPC ${id} has public subnets only: Copilot gave tasks public IPs there, the library runs them in private subnets without one; `
        + 'add private subnets (with a NAT gateway or VPC endpoints), list them under network.vpc.subnets.private and import again');
    }
    m.todo(vpc('id'), `give the CIDR block of ${id} (vpcCidrBlock): the library admits the VPC to the load balancer and endpoints by it`);
    m.done(FieldFate.MAPPED, ...vpc('subnets'));
    m.todo(vpc('subnets'), 'check that the availability zones are listed in the order of the subnets');
    const azs = Math.max(publicIds.length, privateIds.length, 1);
    const attributes: Props = {
      vpcId: id,
      vpcCidrBlock: '10.0.0.0/16',
      // One zone for each subnet, as many as the subnets (an environment-agnostic stack knows two by name).
      availabilityZones: code(`Array.from({ length: ${azs} }, (_, i) => Fn.select(i, Fn.getAzs()))`),
      publicSubnetIds: publicIds.length > 0 ? publicIds : undefined,
      privateSubnetIds: privateIds.length > 0 ? privateIds : undefined,
    };
    return code(`Network.fromVpc(ec2.Vpc.fromVpcAttributes(stack, 'Vpc', ${render(attributes, '    ')}))`);
  }
  const cidr = f.str(vpc('cidr'));
  if (cidr !== undefined) m.done(FieldFate.MAPPED, ...vpc('cidr'));
  if (f.has(vpc('subnets'))) m.todo(vpc('subnets'), 'the library cuts its subnets from the CIDR (two AZs, public /24 and private /20): keep Copilot\'s by creating the VPC yourself and passing it to Network.fromVpc');
  if (f.has(vpc('flow_logs'))) {
    // A new VPC here always logs its flows, kept as long as the environment's logs.
    if (f.has(vpc('flow_logs', 'retention'))) m.todo(vpc('flow_logs', 'retention'), 'flow logs are kept for the environment\'s logRetention');
    m.done(FieldFate.MAPPED, ...vpc('flow_logs'));
  }
  return cidr !== undefined ? code(`Network.newVpc({ cidr: ${quote(cidr)} })`) : undefined;
}

/** The application's name from copilot/.workspace, as a stack-name prefix. */
function appName(workspace: string): string {
  const name = rawAppName(workspace);
  return name === undefined ? 'Copilot' : pascal(name);
}

/** The application's name, or undefined when copilot/.workspace is missing or cannot be read. */
function attemptName(workspace: string): string | undefined {
  try {
    return rawAppName(workspace);
  } catch (e) {
    if (e instanceof ImportError) return undefined;
    throw e;
  }
}

/** The application's name as Copilot wrote it in copilot/.workspace. */
function rawAppName(workspace: string): string | undefined {
  const file = path.join(workspace, 'copilot', '.workspace');
  if (!fs.existsSync(file)) return undefined;
  const application = YamlFile.read(file).value(['application']);
  return typeof application === 'string' ? application : undefined;
}

/** Services with a port registered under their Copilot name, as Copilot did. */
function discoveryProps(w: Workload): Props {
  if (!['WebService', 'BackendService', 'NetworkService'].includes(w.construct)) return {};
  return { serviceDiscovery: { namespace: code('discovery'), name: w.name } };
}

/** A Backend Service without `image.port` has nothing to publish: a BackgroundService. */
function construct(file: YamlFile, type: string): string {
  // schedule: none is a job Copilot runs only when told to (copilot job run): a task nothing starts.
  if (type === 'Scheduled Job' && file.kind(['on', 'schedule']) === 'scalar' && file.str(['on', 'schedule']) === 'none') return 'StandaloneTask';
  if (type === 'Backend Service' && !file.has(['image', 'port'])) return 'BackgroundService';
  // A Backend Service with http sat behind the environment's internal load balancer: a WebService on an internal ingress.
  if (type === 'Backend Service' && file.kind(['http']) === 'map') return 'WebService';
  // A web service behind a network load balancer only is a NetworkService.
  if (type === 'Load Balanced Web Service' && file.has(['nlb']) && (!file.has(['http']) || file.value(['http']) === false)) return 'NetworkService';
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
  const list = m.file.strings(m.p(...rest));
  if (!list) return undefined;
  const { words: split, quoted } = commandWords(m.file.kind(m.p(...rest)) === 'list', list);
  if (quoted) m.todo(rest, QUOTED_COMMAND);
  else m.done(FieldFate.MAPPED, ...rest);
  return split;
}

/** An image (`image`, `sidecars.<name>.image`): a registry image, with credentials, or one built from the workspace. */
function image(m: Mapper, base: Array<string | number>, credentialsId: string): Code | undefined {
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
  const options: Props = {};
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

/** CRC-32 (IEEE), as Go's crc32.ChecksumIEEE, which Copilot used for a managed volume's uid and gid. */
export function crc32(text: string): number {
  /* eslint-disable no-bitwise -- a checksum is bit arithmetic */
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
  /* eslint-enable no-bitwise */
}

/** COPILOT_MOUNT_POINTS as Copilot set it: a JSON map of each volume's name to its path in the container. */
function mountPoints(f: YamlFile): string[] {
  const names = f.keys(['storage', 'volumes']).filter(n => f.kind(['storage', 'volumes', n, 'path']) === 'scalar');
  return names.length === 0 ? [] : [JSON.stringify(Object.fromEntries(names.map(n => [n, f.str(['storage', 'volumes', n, 'path'])])))];
}

/** The zone an alias is likely in: its parent (`api.example.com` → `example.com`), or itself at the apex. */
function zoneNameOf(alias: string): string {
  const labels = alias.split('.');
  return labels.length > 2 ? labels.slice(1).join('.') : alias;
}

/** The names of `http.alias` in each of its forms, with the hosted zone an entry names. */
function aliasEntries(f: YamlFile, at: FieldPath): Array<{ name: string; zone?: string }> {
  const kind = f.kind(at);
  if (kind === undefined || !f.has(at)) return [];
  const one = (p: FieldPath) => f.kind(p) === 'map' ? { name: f.str([...p, 'name'])!, zone: f.str([...p, 'hosted_zone']) } : { name: f.text(p)! };
  const entries = kind === 'list' ? Array.from({ length: f.length(at) }, (_, i) => one([...at, i])) : [one(at)];
  for (const e of entries) if (!e.name) f.fail(at, 'an alias has no name');
  return entries;
}

/** Whether a web service's main rule takes every request in a stage: the path / (or none) and no alias, the stage's override first. */
function claimsRoot(f: YamlFile, stage: string): boolean {
  if (f.kind(['http']) !== 'map') return false;
  const field = (...rest: string[]) => f.has(['environments', stage, 'http', ...rest]) ? ['environments', stage, 'http', ...rest] : ['http', ...rest];
  const p = f.kind(field('path')) === 'scalar' ? f.text(field('path')) : undefined;
  return (p === undefined || p.replace(/^\/+|\/+$/g, '') === '') && !f.has(field('alias'));
}

/** The fields every workload type shares. */
function mapWorkload(m: Mapper, w: Workload, override = false): Mapped {
  const props: Props = {};
  const f = m.file;
  // Image.
  props.image = image(m, ['image'], `${pascal(w.name)}RegistryCredentials`);
  if (props.image === undefined && !override) {
    f.fail(m.p('image'), 'has no image.build or image.location: expected one');
  }
  const port = f.int(m.p('image', 'port'));
  if (port !== undefined && w.construct !== 'ScheduledJob' && w.construct !== 'WorkerService' && w.construct !== 'StandaloneTask') {
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
  // platform: linux/arm64, or { osfamily, architecture }.
  const platform = f.kind(m.p('platform')) === 'map'
    ? `${f.str(m.p('platform', 'osfamily')) ?? 'linux'}/${f.str(m.p('platform', 'architecture')) ?? 'x86_64'}`
    : f.str(m.p('platform'));
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
        const exported = f.str(m.p('variables', k, 'from_cfn'));
        if (exported === undefined) throw f.error(m.p('variables', k), `expected a value or from_cfn for variables.${k}`);
        m.done(FieldFate.MAPPED, 'variables', k);
        return [k, code(`Fn.importValue(${quote(exported)})`)];
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
  const readonlyFs = f.bool(m.p('storage', 'readonly_fs'));
  if (readonlyFs !== undefined) {
    props.containerSecurity = { ...props.containerSecurity as Props, readOnlyRootFilesystem: readonlyFs };
    m.done(FieldFate.MAPPED, 'storage', 'readonly_fs');
  }
  if (f.has(m.p('storage', 'volumes'))) props.volumes = volumes(m, w);
  const envFile = f.str(m.p('env_file'));
  if (envFile !== undefined) {
    // Copilot uploaded the file from the workspace to S3; an asset does the same.
    props.environmentFiles = [code(`ecs.EnvironmentFile.fromAsset(path.join(WORKSPACE, ${quote(envFile)}))`)];
    m.done(FieldFate.MAPPED, 'env_file');
  }
  if (f.has(m.p('logging'))) props.logging = logging(m);
  const tracing = f.str(m.p('observability', 'tracing'));
  if (tracing !== undefined) {
    if (tracing !== 'awsxray') f.fail(m.p('observability', 'tracing'), `expected awsxray for observability.tracing, got ${JSON.stringify(tracing)}`);
    // Copilot ran the AWS Distro for OpenTelemetry collector as an X-Ray sidecar, as this does.
    props.tracing = code('Tracing.awsDistroForOpenTelemetry()');
    m.done(FieldFate.MAPPED, 'observability', 'tracing');
  }
  if (f.has(m.p('deployment'))) props.deployment = deployment(m, w);
  if (f.has(m.p('taskdef_overrides'))) taskdefOverrides(m);
  // Count and scaling.
  mapCount(m, w, props);
  // Type-specific fields.
  if (w.construct === 'WebService') mapHttp(m, props, w);
  if (w.construct === 'WebService' && w.type === 'Backend Service') {
    if (!override) props.ingress = code('internalIngress(Stack.of(environment), environment)');
    mapBackend(m, props, w, true);
  }
  if (w.construct === 'NetworkService') mapNlb(m, props, w);
  if (w.construct === 'BackendService') mapBackend(m, props, w);
  if (w.construct === 'WorkerService') mapWorker(m, props);
  if (w.construct === 'ScheduledJob') mapJob(m, props, override);
  if (w.construct === 'StandaloneTask') {
    for (const k of ['on', 'retries', 'timeout']) {
      if (m.file.has(m.p(k))) m.todo([k], 'schedule: none: Copilot ran the job only with copilot job run; here it is a StandaloneTask: start it with RunTask (its taskDefinition, cluster, subnets and securityGroup), retries and timeout are the caller\'s');
    }
  }
  return { props, todos: m.todos, after: m.after };
}

/** Copilot's `storage.volumes`: EFS (managed or existing) or an empty volume the containers share. */
function volumes(m: Mapper, w: Workload): Code[] {
  const f = m.file;
  return f.keys(m.p('storage', 'volumes')).map(name => {
    const at = (...rest: Array<string | number>) => m.p('storage', 'volumes', name, ...rest);
    const rest = (...more: string[]) => ['storage', 'volumes', name, ...more];
    const containerPath = f.str(at('path'));
    if (containerPath === undefined) throw f.error(at(), `storage.volumes.${name} has no path: expected the directory it is mounted at`);
    m.done(FieldFate.MAPPED, ...rest('path'));
    // Copilot mounted volumes read-only unless read_only: false.
    const readOnly = f.bool(at('read_only')) ?? true;
    if (f.has(at('read_only'))) m.done(FieldFate.MAPPED, ...rest('read_only'));
    // Sidecars that mount the volume at the same path share it; another path needs a person.
    const containers = ['app'];
    for (const other of f.keys(m.p('sidecars'))) {
      const mounts = f.length(m.p('sidecars', other, 'mount_points'));
      for (let i = 0; i < mounts; i++) {
        const mp = (k: string) => m.p('sidecars', other, 'mount_points', i, k);
        if (f.str(mp('source_volume')) !== name) continue;
        if (f.str(mp('path')) === containerPath) {
          containers.push(other);
          m.done(FieldFate.MAPPED, 'sidecars', other, 'mount_points', i);
        } else {
          m.todo(['sidecars', other, 'mount_points', i], `${other} mounts ${name} at ${f.str(mp('path'))}, not ${containerPath}: a volume has one path here; give the sidecar its own Volume or the same path`);
        }
      }
    }
    const mount: Props = { containerPath, readOnly, containers: containers.length > 1 ? containers : undefined };
    const id = m.id(`${pascal(w.name)}${pascal(name)}`);
    if (!f.has(at('efs')) || (f.kind(at('efs')) === 'scalar' && f.bool(at('efs')) === false)) {
      if (f.has(at('efs'))) m.done(FieldFate.MAPPED, ...rest('efs'));
      return code(`Volume.scratch(${quote(name)}, ${render(mount, '    ')})`);
    }
    const fsId = f.kind(at('efs')) === 'map' && f.kind(at('efs', 'id')) === 'scalar' ? f.str(at('efs', 'id')) : undefined;
    let fileSystem: string;
    if (fsId !== undefined) {
      m.todo(rest('efs', 'id'), `give the security group of ${fsId} (Copilot required it to admit the environment's tasks on 2049)`);
      fileSystem = `efs.FileSystem.fromFileSystemAttributes(stack, ${quote(`${id}FileSystem`)}, { fileSystemId: ${quote(fsId)}, `
        + `securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, ${quote(`${id}FileSystemGroup`)}, 'sg-00000000000000000', { mutable: false }) })`;
    } else if (f.has(at('efs', 'id'))) {
      m.todo(rest('efs', 'id'), 'a file system from a CloudFormation export: pass Fn.importValue to efs.FileSystem.fromFileSystemAttributes');
      fileSystem = `efs.FileSystem.fromFileSystemAttributes(stack, ${quote(`${id}FileSystem`)}, { fileSystemId: Fn.importValue(${quote(String(f.value(at('efs', 'id', 'from_cfn'))))}), `
        + `securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, ${quote(`${id}FileSystemGroup`)}, 'sg-00000000000000000', { mutable: false }) })`;
    } else {
      // Copilot's managed file system: one per environment, kept when the service went away.
      m.todo(rest('efs'), 'a new encrypted file system replaces the one Copilot managed: copy its data across (AWS DataSync) or import it with efs.FileSystem.fromFileSystemAttributes');
      fileSystem = `new efs.FileSystem(stack, ${quote(`${id}FileSystem`)}, { vpc: environment.vpc, encrypted: true, removalPolicy: RemovalPolicy.RETAIN })`;
    }
    // Copilot's managed volume: the directory /<service> owned by a uid and gid taken from the
    // service's name (CRC32), so that files copied across keep their owner.
    const managed = fsId === undefined && !f.has(at('efs', 'id'));
    const accessPoint: Props = {
      path: f.str(at('efs', 'root_dir')) ?? (managed ? `/${w.name}` : undefined),
      uid: f.int(at('efs', 'uid')) ?? (managed ? crc32(w.name) : undefined),
      gid: f.int(at('efs', 'gid')) ?? (managed ? crc32(w.name) : undefined),
    };
    for (const k of ['root_dir', 'uid', 'gid']) if (f.has(at('efs', k))) m.done(FieldFate.MAPPED, ...rest('efs', k));
    if (f.has(at('efs', 'auth', 'iam'))) m.done(FieldFate.MAPPED, ...rest('efs', 'auth', 'iam')); // IAM authorization is always on here.
    if (f.has(at('efs', 'auth', 'access_point_id'))) {
      m.todo(rest('efs', 'auth', 'access_point_id'), `the volume gets an access point of its own (accessPoint.path, uid, gid); ${f.str(at('efs', 'auth', 'access_point_id'))} is not used`);
    }
    if (Object.values(accessPoint).some(v => v !== undefined)) mount.accessPoint = accessPoint;
    return code(`Volume.efs(${quote(name)}, ${fileSystem}, ${render(mount, '    ')})`);
  });
}

/** Log retention in days as the RetentionDays member CloudWatch accepts. */
function retentionDays(m: Mapper, rest: Array<string | number>): Code | undefined {
  const days = m.file.int(m.p(...rest));
  if (days === undefined) return undefined;
  const member = retentionMember(days);
  if (!member) m.file.fail(m.p(...rest), `expected ${RETENTION_EXPECTED}, got ${days}`);
  m.done(FieldFate.MAPPED, ...rest);
  return code(`logs.RetentionDays.${member}`);
}

/** Copilot's `logging`: retention of the awslogs group, or a FireLens router with an output. */
function logging(m: Mapper): Code {
  const f = m.file;
  const retention = retentionDays(m, ['logging', 'retention']);
  const fireLens = ['image', 'destination', 'enableMetadata', 'secretOptions', 'configFilePath', 'env_file'].some(k => f.has(m.p('logging', k)));
  if (!fireLens) return code(`Logging.awsLogs({ retention: ${retention!.text} })`);
  if (retention) m.todo(['logging', 'retention'], 'with FireLens, the retention applies to the router\'s own log group only');
  const options: Props = {};
  if (f.has(m.p('logging', 'destination'))) {
    const destination = Object.fromEntries(f.keys(m.p('logging', 'destination')).map(k => [k, f.text(m.p('logging', 'destination', k))!]));
    options.destination = code(`LogDestination.fluentBitOutput(${render(destination, '    ')})`);
    m.todo(['logging', 'destination'], 'grant the task role what the output writes to (the second argument of fluentBitOutput)');
  }
  const routerImage = f.str(m.p('logging', 'image'));
  if (routerImage !== undefined) {
    options.routerImage = code(`ecs.ContainerImage.fromRegistry(${quote(routerImage)})`);
    m.done(FieldFate.MAPPED, 'logging', 'image');
  }
  options.enableMetadata = f.bool(m.p('logging', 'enableMetadata'));
  if (options.enableMetadata !== undefined) m.done(FieldFate.MAPPED, 'logging', 'enableMetadata');
  const configFile = f.str(m.p('logging', 'configFilePath'));
  if (configFile !== undefined) {
    options.configFile = code(`FireLensConfigFile.fromImage(${quote(configFile)})`);
    m.done(FieldFate.MAPPED, 'logging', 'configFilePath');
  }
  if (!options.destination && !options.configFile) {
    m.todo(['logging'], 'FireLens needs an output: give destination (LogDestination) or configFile');
    options.destination = code('LogDestination.cloudWatchLogs()');
  }
  return code(`Logging.fireLens(${render(options, '    ')})`);
}

/** Copilot's `deployment`: recreate or rolling, and the alarms that roll a deployment back. */
function deployment(m: Mapper, w: Workload): Code | undefined {
  const f = m.file;
  const options: Props = {};
  const rolling = f.str(m.p('deployment', 'rolling'));
  if (rolling === 'recreate') {
    // Copilot's recreate: stop every old task before starting new ones.
    Object.assign(options, { minHealthyPercent: 0, maxHealthyPercent: 100 });
  } else if (rolling === 'default') {
    // Copilot's default rolling update: start the new tasks beside the old ones.
    Object.assign(options, { minHealthyPercent: 100, maxHealthyPercent: 200 });
  } else if (rolling !== undefined) {
    f.fail(m.p('deployment', 'rolling'), `expected default or recreate for deployment.rolling, got ${JSON.stringify(rolling)}`);
  }
  if (rolling !== undefined) m.done(FieldFate.MAPPED, 'deployment', 'rolling');
  const alarms = m.p('deployment', 'rollback_alarms');
  if (f.kind(alarms) === 'list' || f.kind(alarms) === 'scalar') {
    options.rollbackAlarms = f.strings(alarms)!.map(name => code(`cloudwatch.Alarm.fromAlarmName(stack, ${quote(m.id(`${pascal(w.name)}${pascal(name)}Alarm`))}, ${quote(name)})`));
    m.done(FieldFate.MAPPED, 'deployment', 'rollback_alarms');
  } else if (f.kind(alarms) === 'map') {
    m.todo(['deployment', 'rollback_alarms'], 'Copilot\'s utilization alarms: the service\'s own alarms roll back already; add cloudwatch.Alarm objects on its metrics to rollbackAlarms for these thresholds');
  }
  return Object.keys(options).length > 0 ? code(`Deployment.rolling(${render(options, '    ')})`) : undefined;
}

/**
 * Copilot's `taskdef_overrides` as CloudFormation property overrides. Container indexes may
 * differ (the library adds its own sidecars), so each one needs a look.
 */
function taskdefOverrides(m: Mapper): void {
  const f = m.file;
  const n = f.length(m.p('taskdef_overrides'));
  for (let i = 0; i < n; i++) {
    const rule = f.str(m.p('taskdef_overrides', i, 'path'));
    if (rule === undefined) throw f.error(m.p('taskdef_overrides', i), 'a taskdef_overrides entry has no path');
    const value = f.value(m.p('taskdef_overrides', i, 'value'));
    if (m.override || /\[-\]/.test(rule)) {
      m.todo(['taskdef_overrides', i], `${m.override ? 'a per-environment' : 'an appending ([-])'} override of ${rule}: apply ${JSON.stringify(value)} with addPropertyOverride by hand`);
      continue;
    }
    m.after.push(`  // From taskdef_overrides[${i}]: check the container index against the synthesized task definition.`);
    m.after.push(`  (workload.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).addPropertyOverride(${quote(rule.replace(/\[(\d+)\]/g, '.$1'))}, ${JSON.stringify(value)});`);
    m.todo(['taskdef_overrides', i], `check the container index of ${rule}: the library adds containers of its own`);
  }
}

/** A health check (`image.healthcheck`, `sidecars.<name>.healthcheck`) as the container health check ECS runs. */
function healthCheck(m: Mapper, base: string[] = ['image', 'healthcheck']): Props {
  const f = m.file;
  const at = (k: string) => m.p(...base, k);
  // Copilot filled what a health check leaves out: curl on localhost, every 10 s, 2 retries, a
  // 5 s timeout, no start period (NewDefaultContainerHealthCheck). ECS takes each within its
  // limits (interval 5-300 s, timeout 2-60 s, retries 1-10, start period 0-300 s), which
  // Copilot did not check: a value outside is moved to the nearest, with a TODO.
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
  const interval = seconds('interval', 10, [5, 300]);
  let timeout = seconds('timeout', 5, [2, 60]);
  if (interval !== undefined && timeout !== undefined && timeout >= interval) {
    timeout = Math.max(2, interval - 1);
    m.todo([...base, f.has(at('timeout')) ? 'timeout' : 'interval'], `the timeout does not end before the next check: ${timeout} s`);
  }
  const retries = f.int(at('retries'));
  const startPeriod = seconds('start_period', 0, [0, 300]);
  const check: Props = {
    command: command ? f.kind(at('command')) === 'list' ? command : ['CMD-SHELL', command[0]] : m.override ? undefined : ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
    interval: interval === undefined ? undefined : code(`Duration.seconds(${interval})`),
    timeout: timeout === undefined ? undefined : code(`Duration.seconds(${timeout})`),
    retries: retries === undefined ? m.override ? undefined : 2 : Math.min(10, Math.max(1, retries)),
    startPeriod: startPeriod === undefined ? undefined : code(`Duration.seconds(${startPeriod})`),
  };
  if (retries !== undefined) m.done(FieldFate.MAPPED, ...base, 'retries');
  if (retries !== undefined && retries !== check.retries) m.todo([...base, 'retries'], `${retries} retries: ECS takes 1-10`);
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
  let sidecarImage: Code | undefined;
  if (f.kind(at('image')) === 'map') {
    sidecarImage = image(m, rest('image'), `${pascal(w.name)}${pascal(name)}RegistryCredentials`);
    if (sidecarImage === undefined) throw f.error(at('image'), `sidecars.${name}.image has no location or build`);
  } else {
    const location = f.str(at('image'));
    if (location === undefined) throw f.error(at(), `sidecars.${name} has no image`);
    const credential = f.str(at('credentialsParameter'));
    const credentials = credential === undefined ? undefined : secretRef(m, credential, `${pascal(w.name)}${pascal(name)}RegistryCredentials`);
    if (credential !== undefined) m.done(FieldFate.MAPPED, ...rest('credentialsParameter'));
    sidecarImage = registryImage(location, credentials);
    m.done(FieldFate.MAPPED, ...rest('image'));
  }
  const props: Props = { name, image: sidecarImage, containerSecurity: { imageUser: true, readOnlyRootFilesystem: false } };
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
    props.dockerLabels = { ...props.dockerLabels as Props, ...Object.fromEntries(f.keys(at(...labels)).map(k => [k, f.text(at(...labels, k))!])) };
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
  // depends_on, or image.depends_on in a sidecar's image map: the same container dependencies.
  for (const deps of [['depends_on'], ['image', 'depends_on']]) {
    if (!f.has(at(...deps))) continue;
    props.dependsOn = [...props.dependsOn as Props[] ?? [], ...f.keys(at(...deps)).map(container => {
      const condition = f.str(at(...deps, container))!;
      if (!CONDITIONS[condition]) throw f.error(at(...deps, container), `expected start, healthy, complete or success, got ${JSON.stringify(condition)}`);
      return { containerName: container === w.name ? 'app' : container, condition: code(`ecs.ContainerDependencyCondition.${CONDITIONS[condition]}`) };
    })];
    m.done(FieldFate.MAPPED, ...rest(...deps));
  }
  const waits = f.str(m.p('image', 'depends_on', name));
  if (waits !== undefined) {
    if (!CONDITIONS[waits]) throw f.error(m.p('image', 'depends_on', name), `expected start, healthy, complete or success, got ${JSON.stringify(waits)}`);
    props.appWaitsFor = code(`ecs.ContainerDependencyCondition.${CONDITIONS[waits]}`);
    m.done(FieldFate.MAPPED, 'image', 'depends_on', name);
  }
  return props;
}

/** A Secrets Manager secret by name or ARN. */
function secretRef(m: Mapper, nameOrArn: string, id: string): string {
  return secretCode(nameOrArn, m.id(id));
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
    return code(`ecs.Secret.fromSecretsManager(${secretRef(m, match[1], `${pascal(w.name)}${pascal(prefix)}${pascal(k)}`)}${match[2] ? `, ${quote(match[2])}` : ''})`);
  }
  m.todo([...base, k], 'a secret from a CloudFormation export (from_cfn): pass it with ecs.Secret and the exported ARN');
  return undefined;
}

function mapCount(m: Mapper, w: Workload, props: Props): void {
  const f = m.file;
  if (!f.has(m.p('count')) || w.construct === 'ScheduledJob' || w.construct === 'StandaloneTask') return;
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
    // Copilot: "min value must be less than or equal to max value" (RangeConfig validation).
    if (min > max) throw f.error(m.p('count', 'range'), `the range ${range} has its minimum above its maximum: Copilot rejects it too; write ${max}-${min}`);
    m.done(FieldFate.MAPPED, 'count', 'range');
  } else if (f.has(m.p('count', 'range'))) {
    min = f.int(m.p('count', 'range', 'min'));
    max = f.int(m.p('count', 'range', 'max'));
    if (min !== undefined && max !== undefined && min > max) throw f.error(m.p('count', 'range', 'min'), `count.range.min ${min} is above max ${max}: Copilot rejects it too`);
    const spotFrom = f.int(m.p('count', 'range', 'spot_from'));
    // Copilot: an on-demand base of spot_from - 1 tasks when spot_from >= min, otherwise every task on Spot.
    if (spotFrom !== undefined) {
      props.capacity = code(spotFrom >= 1 && (min === undefined || spotFrom >= min)
        ? `Capacity.fargateSpotMix({ onDemandBase: ${spotFrom - 1} })` : 'Capacity.fargateSpot()');
    }
    m.done(FieldFate.MAPPED, 'count', 'range');
  }
  // Cooldowns: count.cooldown for every target, a target's own cooldown for that one.
  const cooldowns = (...base: string[]): Props => {
    const c: Props = {};
    if (f.has(m.p(...base, 'in'))) c.scaleInCooldown = duration(m, [...base, 'in']);
    if (f.has(m.p(...base, 'out'))) c.scaleOutCooldown = duration(m, [...base, 'out']);
    return c;
  };
  const shared = cooldowns('count', 'cooldown');
  const targets: Code[] = [];
  const withOptions = (args: string, options: Props) => Object.keys(options).length > 0 ? `${args}, ${render(options, '      ')}` : args;
  const target = (field: string, factory: (args: string) => string) => {
    if (!f.has(m.p('count', field))) return;
    const isMap = f.kind(m.p('count', field)) === 'map';
    const value = isMap ? f.text(m.p('count', field, 'value')) : f.text(m.p('count', field));
    if (isMap) m.done(FieldFate.MAPPED, 'count', field, 'value');
    else m.done(FieldFate.MAPPED, 'count', field);
    const own = isMap ? cooldowns('count', field, 'cooldown') : {};
    targets.push(code(factory(withOptions(value!, { ...shared, ...own }))));
  };
  target('cpu_percentage', v => `Scaling.cpu(${v})`);
  target('memory_percentage', v => `Scaling.memory(${v})`);
  if (w.construct === 'WebService') {
    target('requests', v => `Scaling.requestsPerTarget(${v})`);
    if (f.has(m.p('count', 'response_time'))) {
      const isMap = f.kind(m.p('count', 'response_time')) === 'map';
      const value = duration(m, isMap ? ['count', 'response_time', 'value'] : ['count', 'response_time'])!.text;
      targets.push(code(`Scaling.responseTime(${withOptions(value, { ...shared, ...(isMap ? cooldowns('count', 'response_time', 'cooldown') : {}) })})`));
    }
  }
  if (w.construct === 'WorkerService') {
    const scaling: Props = { minCapacity: min, maxCapacity: max };
    if (f.has(m.p('count', 'queue_delay'))) {
      const latency = durationMs(m, ['count', 'queue_delay', 'acceptable_latency']);
      const processing = durationMs(m, ['count', 'queue_delay', 'msg_processing_time']);
      if (latency !== undefined && processing !== undefined) scaling.messagesPerTask = Math.max(1, Math.floor(latency / processing));
      Object.assign(scaling, shared, cooldowns('count', 'queue_delay', 'cooldown'));
      m.done(FieldFate.MAPPED, 'count', 'queue_delay');
    } else {
      Object.assign(scaling, shared);
    }
    for (const field of ['cpu_percentage', 'memory_percentage']) {
      if (f.has(m.p('count', field))) m.todo(['count', field], 'a worker scales on its backlog (messagesPerTask); add Scaling.cpu or Scaling.memory by hand if it must scale on this too');
    }
    if (min !== undefined || max !== undefined) props.scaling = scaling;
    return;
  }
  if (min !== undefined || max !== undefined) {
    props.scaling = { minCapacity: min, maxCapacity: max, targets: targets.length > 0 ? targets : undefined };
  } else if (targets.length > 0) {
    m.todo(['count'], 'scaling targets without range: give scaling.minCapacity and maxCapacity');
  }
}

function mapHttp(m: Mapper, props: WorkloadPropsModel, w: Workload): void {
  const f = m.file;
  if (f.kind(m.p('http')) === 'scalar' && f.bool(m.p('http')) === false) {
    m.todo(['http'], 'http: false leaves a web service without a load balancer: make it a BackendService or BackgroundService');
    return;
  }
  Object.assign(props, httpRule(m, w, ['http']));
  const rules = f.length(m.p('http', 'additional_rules'));
  if (rules > 0) {
    props.additionalRoutes = Array.from({ length: rules }, (_, i) => {
      const { routing, targetContainer, targetPort, targetHealthCheck } = httpRule(m, w, ['http', 'additional_rules', i]);
      return { routing: routing ?? { pathPatterns: ['/*'] }, targetContainer, targetPort, targetHealthCheck };
    });
  }
}

/** One listener rule of `http` (or of `http.additional_rules[i]`) as WebService props. */
function httpRule(m: Mapper, w: Workload, base: Array<string | number>): WorkloadPropsModel {
  const f = m.file;
  const props: WorkloadPropsModel = {};
  // Fields the library sets per service, not per rule: an additional rule's need a person.
  const main = base.length === 1;
  const perService = (rest: string[]): boolean => {
    if (main || !f.has(m.p(...base, ...rest))) return main;
    m.todo([...base, ...rest], `${rest.join('.')} is set per service here, not per rule: set it on the service, or give the rule a service of its own`);
    return false;
  };
  const at = (...rest: Array<string | number>) => m.p(...base, ...rest);
  const done = (...rest: Array<string | number>) => m.done(FieldFate.MAPPED, ...base, ...rest);
  const routing: Props = {};
  const p = f.str(at('path'));
  if (p !== undefined) {
    const clean = `/${p.replace(/^\/+|\/+$/g, '')}`;
    // Copilot's path rule matched the path and everything under it.
    if (clean !== '/') routing.pathPatterns = [clean, `${clean}/*`];
    done('path');
  }

  // alias: a name, a list of names, or names with their own hosted_zone ({name, hosted_zone}, or a list of them).
  const entries = aliasEntries(f, at('alias'));
  const aliases = entries.length > 0 ? entries.map(e => e.name) : undefined;
  const zones = [...new Set(entries.map(e => e.zone).filter((z): z is string => z !== undefined))];
  const zone = f.str(at('hosted_zone')) ?? zones[0];
  if (zones.length > 1 || (zones.length === 1 && f.has(at('hosted_zone')) && zones[0] !== f.str(at('hosted_zone')))) {
    m.todo([...base, 'alias'], `the names are in more than one hosted zone (${[...new Set([zone, ...zones])].join(', ')}): routing takes one; add the other records by hand`);
  }
  if (aliases && zone !== undefined) {
    // Copilot's hosted_zone is the zone's id; the zone name is taken as the alias's parent domain.
    routing.aliases = aliases;
    routing.hostedZone = code(`route53.HostedZone.fromHostedZoneAttributes(stack, ${quote(m.id(`${pascal(w.name)}Zone`))}, `
      + `{ hostedZoneId: ${quote(zone)}, zoneName: ${quote(zoneNameOf(aliases[0]))} })`);
    done('alias');
    m.todo([...base, f.has(at('hosted_zone')) ? 'hosted_zone' : 'alias'], `check the zone name given for ${zone}`);
  } else if (aliases) {
    // The names route here at once; their DNS records need the zone (routing.aliases with routing.hostedZone).
    routing.hostHeaders = aliases;
    m.todo([...base, 'alias'], `create the DNS records of ${aliases.join(', ')}: give routing.aliases and routing.hostedZone`);
  }
  const sources = f.strings(at('allowed_source_ips'));
  if (sources) {
    routing.sourceIps = sources;
    done('allowed_source_ips');
  }
  if (Object.keys(routing).length > 0) props.routing = routing;
  const check: Props = {};
  if (f.kind(at('healthcheck')) === 'scalar') {
    check.path = f.str(at('healthcheck'));
    done('healthcheck');
  } else if (f.has(at('healthcheck'))) {
    const hc = (k: string) => at('healthcheck', k);
    check.path = f.str(hc('path'));
    check.port = f.int(hc('port'));
    check.healthyHttpCodes = f.text(hc('success_codes'));
    check.healthyThresholdCount = f.int(hc('healthy_threshold'));
    check.unhealthyThresholdCount = f.int(hc('unhealthy_threshold'));
    check.interval = duration(m, [...base, 'healthcheck', 'interval']);
    check.timeout = duration(m, [...base, 'healthcheck', 'timeout']);
    for (const k of ['path', 'port', 'success_codes', 'healthy_threshold', 'unhealthy_threshold']) if (f.has(hc(k))) done('healthcheck', k);
    if (f.has(hc('grace_period')) && perService(['healthcheck', 'grace_period'])) props.healthCheckGracePeriod = duration(m, [...base, 'healthcheck', 'grace_period']);
  }
  if (Object.values(check).some(v => v !== undefined)) props.targetHealthCheck = check;
  if (f.has(at('deregistration_delay')) && perService(['deregistration_delay'])) props.deregistrationDelay = duration(m, [...base, 'deregistration_delay']);
  const targetContainer = f.str(at('target_container'));
  if (targetContainer !== undefined) {
    // The route reaches a sidecar of the manifest on its port (the main container is `app` here).
    props.targetContainer = targetContainer === w.name ? 'app' : targetContainer;
    done('target_container');
  }
  // Copilot's target port defaults to the target container's own port.
  const sidecarPort = targetContainer === undefined || targetContainer === w.name ? undefined : f.text(['sidecars', targetContainer, 'port']);
  const targetPort = f.int(at('target_port')) ?? (sidecarPort !== undefined ? Number(sidecarPort.split('/')[0]) : undefined);
  if (targetPort !== undefined) props.targetPort = targetPort;
  if (f.has(at('target_port'))) done('target_port');
  const loadBalancing: Props = {};
  const stickiness = f.bool(at('stickiness'));
  if (stickiness !== undefined && perService(['stickiness'])) {
    // Copilot's stickiness: the load balancer's cookie, one day.
    if (stickiness) loadBalancing.stickiness = {};
    done('stickiness');
  }
  const version = f.str(at('version'));
  if (version !== undefined && perService(['version'])) {
    const versions: { [k: string]: string } = { grpc: 'GRPC', http1: 'HTTP1', http2: 'HTTP2' };
    if (!versions[version.toLowerCase()]) f.fail(at('version'), `expected grpc, http1 or http2 for ${show(at('version'))}, got ${JSON.stringify(version)}`);
    loadBalancing.protocolVersion = code(`elbv2.ApplicationProtocolVersion.${versions[version.toLowerCase()]}`);
    done('version');
  }
  if (Object.keys(loadBalancing).length > 0) props.loadBalancing = loadBalancing;
  return props;
}

/** Copilot's `nlb.port` (`80`, `443/tls`, `53/udp`) as a port and a listener protocol. */
function nlbPort(m: Mapper, rest: Array<string | number>): { port: number; protocol?: Code } {
  const text = m.file.text(m.p(...rest));
  const match = text === undefined ? null : /^(\d+)(?:\/(tcp|udp|tls|tcp_udp))?$/i.exec(text);
  if (!match) throw m.file.error(m.p(...rest), `expected a port such as 80/tcp, 443/tls or 53/udp for ${show(m.p(...rest))}, got ${JSON.stringify(text)}`);
  m.done(FieldFate.MAPPED, ...rest);
  const protocol = match[2]?.toUpperCase();
  return { port: Number(match[1]), protocol: protocol && protocol !== 'TCP' ? code(`elbv2.Protocol.${protocol}`) : undefined };
}

/** A Load Balanced Web Service with `nlb` only: its own network load balancer, open to the internet as Copilot's was. */
function mapNlb(m: Mapper, props: WorkloadPropsModel, w: Workload): void {
  const f = m.file;
  if (!m.override) props.internetFacing = true;
  if (f.has(m.p('nlb', 'port'))) {
    const { port, protocol } = nlbPort(m, ['nlb', 'port']);
    props.listenerPort = port;
    props.protocol = protocol;
    if (protocol?.text.endsWith('TLS')) m.todo(['nlb', 'port'], 'a TLS listener needs certificate: give the environment\'s certificate (acm.Certificate.fromCertificateArn)');
  }
  const container = (name: string | undefined) => name === undefined ? undefined : name === w.name ? 'app' : name;
  props.targetContainer = container(f.str(m.p('nlb', 'target_container')));
  if (props.targetContainer !== undefined) m.done(FieldFate.MAPPED, 'nlb', 'target_container');
  props.targetPort = f.int(m.p('nlb', 'target_port'));
  if (props.targetPort !== undefined) m.done(FieldFate.MAPPED, 'nlb', 'target_port');
  props.healthCheckPort = f.int(m.p('nlb', 'healthcheck', 'port'));
  if (props.healthCheckPort !== undefined) m.done(FieldFate.MAPPED, 'nlb', 'healthcheck', 'port');
  const listeners = f.length(m.p('nlb', 'additional_listeners'));
  if (listeners > 0) {
    props.additionalListeners = Array.from({ length: listeners }, (_, i) => {
      const at = (...rest: Array<string | number>) => m.p('nlb', 'additional_listeners', i, ...rest);
      const { port, protocol } = nlbPort(m, ['nlb', 'additional_listeners', i, 'port']);
      const listener: Props = { port, protocol, targetContainer: container(f.str(at('target_container'))), targetPort: f.int(at('target_port')) };
      listener.healthCheckPort = f.int(at('healthcheck', 'port'));
      for (const k of ['target_container', 'target_port']) if (f.has(at(k))) m.done(FieldFate.MAPPED, 'nlb', 'additional_listeners', i, k);
      if (listener.healthCheckPort !== undefined) m.done(FieldFate.MAPPED, 'nlb', 'additional_listeners', i, 'healthcheck', 'port');
      return listener;
    });
  }
}

function mapBackend(m: Mapper, props: WorkloadPropsModel, w: Workload, webService = false): void {
  const f = m.file;
  // Copilot's Service Connect alias is the service's name as written (`simple-backend`); the
  // default here, the construct id in lower case, would drop the hyphen.
  const name = w.name === pascal(w.name).toLowerCase() || m.override ? {} : { dnsName: w.name };
  if (!webService && !m.override) props.serviceConnect = Object.keys(name).length > 0 ? name : undefined;
  // A web service (a backend with http) publishes a Service Connect name only when asked.
  if (webService && f.kind(m.p('network', 'connect')) === 'scalar' && f.bool(m.p('network', 'connect'))) props.serviceConnect = name;
  if (f.kind(m.p('network', 'connect')) === 'map') {
    const alias = f.str(m.p('network', 'connect', 'alias'));
    if (alias !== undefined) props.serviceConnect = { dnsName: alias };
    m.done(FieldFate.MAPPED, 'network', 'connect');
  } else if (f.has(m.p('network', 'connect'))) {
    if (f.bool(m.p('network', 'connect')) === false && !webService) m.todo(['network', 'connect'], 'a BackendService is always in Service Connect; make it a BackgroundService if nothing calls it');
    else m.done(FieldFate.MAPPED, 'network', 'connect');
  }
}

/** A Copilot queue (`subscribe.queue`, `subscribe.topics[i].queue`) as WorkQueue options. */
function queueSettings(m: Mapper, base: Array<string | number>): Props {
  const f = m.file;
  const queue: Props = {};
  const q = (...k: string[]) => m.p(...base, ...k);
  if (f.has(q('retention'))) queue.retentionPeriod = duration(m, [...base, 'retention']);
  if (f.has(q('timeout'))) queue.visibilityTimeout = duration(m, [...base, 'timeout']);
  if (f.has(q('delay'))) queue.deliveryDelay = duration(m, [...base, 'delay']);
  const tries = f.int(q('dead_letter', 'tries'));
  if (tries !== undefined) {
    queue.maxReceiveCount = tries;
    m.done(FieldFate.MAPPED, ...base, 'dead_letter', 'tries');
  }
  if (f.kind(q('fifo')) === 'map') {
    queue.fifo = true;
    queue.contentBasedDeduplication = f.bool(q('fifo', 'content_based_deduplication'));
    if (queue.contentBasedDeduplication !== undefined) m.done(FieldFate.MAPPED, ...base, 'fifo', 'content_based_deduplication');
    for (const k of ['high_throughput', 'deduplication_scope', 'throughput_limit']) {
      if (f.has(q('fifo', k))) m.todo([...base, 'fifo', k], `FIFO ${k} has no WorkQueue option: set it on the queue (workload.queue's CfnQueue) by hand`);
    }
  } else if (f.has(q('fifo'))) {
    queue.fifo = f.bool(q('fifo'));
    m.done(FieldFate.MAPPED, ...base, 'fifo');
  }
  return queue;
}

/**
 * A Copilot filter policy as `sns.SubscriptionFilter`s: lists of strings or numbers are
 * allowlists; other operators (prefix, anything-but, numeric ranges, exists) need a person.
 */
function filterPolicy(m: Mapper, base: Array<string | number>): Props | undefined {
  const f = m.file;
  const policy: Props = {};
  let whole = true;
  for (const attribute of f.keys(m.p(...base))) {
    const values = f.value(m.p(...base, attribute));
    if (Array.isArray(values) && values.length > 0 && values.every(v => typeof v === 'string')) {
      policy[attribute] = code(`sns.SubscriptionFilter.stringFilter({ allowlist: ${render(values)} })`);
    } else if (Array.isArray(values) && values.length > 0 && values.every(v => typeof v === 'number')) {
      policy[attribute] = code(`sns.SubscriptionFilter.numericFilter({ allowlist: ${render(values)} })`);
    } else {
      whole = false;
      m.todo([...base, attribute], `give ${attribute} as an sns.SubscriptionFilter: ${JSON.stringify(values)}`);
      continue;
    }
    m.done(FieldFate.MAPPED, ...base, attribute);
  }
  return Object.keys(policy).length > 0 || whole ? policy : undefined;
}

function mapWorker(m: Mapper, props: WorkloadPropsModel): void {
  const f = m.file;
  const queue = queueSettings(m, ['subscribe', 'queue']);
  if (Object.keys(queue).length > 0) props.queue = code(`WorkQueue.newQueue(${render(queue, '    ')})`);
  const topics = f.length(m.p('subscribe', 'topics'));
  if (topics > 0) {
    props.subscriptions = Array.from({ length: topics }, (_, i) => {
      const t = (...k: string[]) => m.p('subscribe', 'topics', i, ...k);
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
      if (f.has(t('filter_policy'))) sub.filterPolicy = filterPolicy(m, ['subscribe', 'topics', i, 'filter_policy']);
      if (f.has(t('queue'))) {
        // The topic's own queue, as Copilot gave it: its settings, or the defaults with queue: true.
        const own = f.kind(t('queue')) === 'map' ? queueSettings(m, ['subscribe', 'topics', i, 'queue']) : {};
        if (f.kind(t('queue')) !== 'map') m.done(FieldFate.MAPPED, 'subscribe', 'topics', i, 'queue');
        sub.queue = code(`WorkQueue.newQueue(${Object.keys(own).length > 0 ? render(own, '        ') : ''})`);
        sub.name = pascal(key);
      }
      return sub;
    }).filter(s => s !== undefined);
  }
}

function mapJob(m: Mapper, props: WorkloadPropsModel, override: boolean): void {
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
