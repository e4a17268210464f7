/**
 * `cdk-shipyard import copilot`: a Copilot workspace to a CDK app, in the stages DESIGN.md names:
 * read (each manifest as Copilot reads it: read.ts), map (each manifest section to the props it
 * gives: workload.ts and the files by section), wire (a stack per environment and per workload,
 * the root path several services claim) and emit (app.ts, with the report).
 */
import * as fs from 'fs';
import * as path from 'path';
import { environmentFunction } from './environment';
import { HINTS } from './hints';
import { claimsRoot } from './http';
import { Workload } from './mapper';
import { topicProps } from './messaging';
import { appName, attemptName, interpolateManifest, rawAppName, readWorkload } from './read';
import { workloadFunction } from './workload';
import { appLine, camel, functionNames, liftVariables, pascal, quote, render } from '../code';
import { ImportResult, Skipped, tallyFields } from '../import-result';
import { VariableUse, variablesComment } from '../interpolate';
import { ImportError, YamlFile } from '../source';

export { crc32 } from './storage';
export type { ImportReport, ImportResult } from '../import-result';


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
  const at = app.indexOf('\nconst app = new App(');
  return `${app.slice(0, at)}
/** A variable the manifests read as \${NAME}: Copilot required it when it deployed, and so does this app. */
function variable(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(\`Set \${name}: the Copilot manifests read \\\${\${name}} (listed at the top of this file)\`);
  return value;
}
${app.slice(at)}`;
}

/** The names the generated app may take from cdk-shipyard. */
const SHIPYARD_NAMES = [
  'BackendService', 'BackendServiceProps', 'BackgroundService', 'BackgroundServiceProps', 'Capacity', 'Deployment', 'Environment', 'EnvironmentProfile',
  'FireLensConfigFile', 'forStage', 'Image', 'IngressSource', 'JobSchedule', 'LogDestination', 'Logging', 'Network', 'NetworkService', 'NetworkServiceProps',
  'Scaling', 'ScheduledJob', 'ScheduledJobProps', 'SharedIngress', 'StandaloneTask', 'StandaloneTaskProps', 'Tracing', 'Volume', 'WebService', 'WebServiceProps', 'WorkerService', 'WorkerServiceProps', 'WorkQueue',
];

/** What reading the workspace found, and what the stages after it add. */
interface Workspace {
  readonly options: CopilotImportOptions;
  readonly root: string;
  readonly applicationName: string;
  readonly envNames: string[];
  readonly envFiles: YamlFile[];
  readonly workloads: Workload[];
  readonly skipped: Skipped[];
  readonly warnings: string[];
  readonly variables: VariableUse[];
  /** Run a step for one file; an ImportError leaves that file out with its reason. */
  attempt<T>(file: string, name: string, step: () => T): T | undefined;
  /** A path relative to the workspace, as messages give it. */
  rel(p: string): string;
}

/**
 * Import a Copilot workspace: each environment manifest becomes an `Environment` in a stack of
 * its own, each service or job manifest a workload in a stack of its own in every environment,
 * with the manifest's `environments:` overrides as `forStage` data. A manifest that cannot be
 * read or mapped is left out with its reason; fields with no prop become TODO comments.
 */
export function importCopilot(options: CopilotImportOptions): ImportResult {
  const ws = readWorkspace(options);
  const envFunctions = environmentFunctions(ws);
  const stages = ws.envNames;
  const topicKeys = ws.workloads.flatMap(w => w.publishes.map((t, i) => ({ service: w.name, topic: t, props: topicProps(w.file, i) })));
  shareRoots(ws);
  const fn = functionNames(ws.workloads.map(w => w.name), ['topics', 'discovery', 'internalIngress', 'ENVIRONMENTS', 'WORKSPACE', 'Topics', ...stages.map(e => `${camel(e)}Environment`)]);
  const workloadFunctions = workloadFunctionsOf(ws, fn, new Set(topicKeys.map(t => `${t.service}-${t.topic}`)));
  if (ws.workloads.length === 0 && ws.skipped.some(x => x.reason !== 'not named by --service')) {
    throw new ImportError(ws.rel(ws.root), undefined, `no workload could be imported:\n${reasons(ws.skipped)}`);
  }
  const { todos: unmappedTodos, ...counts } = tallyFields('copilot', [...ws.envFiles, ...ws.workloads.map(w => w.file)], HINTS);
  const name = appName(options.workspace);
  const body = [
    '// Build contexts and files are relative to the workspace, as in Copilot.',
    `const WORKSPACE = path.join(__dirname, ${quote(path.relative(options.outDir, options.workspace).split(path.sep).join('/') || '.')});`,
    '',
    '/** Copilot topics by `<service>-<topic>`. */',
    'type Topics = { [key: string]: sns.ITopic };',
    '',
    ...envFunctions,
    ...(ws.workloads.some(w => w.type === 'Backend Service' && w.construct === 'WebService') ? INTERNAL_INGRESS : []),
    ...workloadFunctions,
    ...unmappedTodos,
    ...(unmappedTodos.length > 0 ? [''] : []),
    appLine(),
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
    ...ws.workloads.map(w => `  ${fn.get(w.name)}(new Stack(app, \`${name}-\${stage}-${pascal(w.name)}\`, { env }), environment, stage, topics, discovery);`),
    '}',
    'app.synth();',
    '',
  ].join('\n');
  return {
    files: { 'app.ts': emit(body, options, ws.variables) },
    ...counts,
    report: {
      imported: ws.workloads.map(w => w.name),
      sources: Object.fromEntries(ws.workloads.map(w => [w.name, `${w.relFile}:${w.file.line(['name']) ?? 1}`])),
      skipped: ws.skipped,
      variables: ws.variables,
      warnings: ws.warnings,
    },
  };
}

/**
 * Copilot let several services claim / of one load balancer (the last deployed won); here the
 * first keeps it and each other one answers under its own name, with a TODO. (Web services
 * share the environment's load balancer; Backend Services with http the internal one.)
 */
function shareRoots(ws: Workspace): void {
  for (const stage of ws.envNames) {
    for (const type of ['Load Balanced Web Service', 'Backend Service']) {
      const roots = ws.workloads.filter(w => w.construct === 'WebService' && w.type === type && claimsRoot(w.file, stage));
      for (const w of roots.slice(1)) w.rootTakenBy[stage] = roots[0].name;
    }
  }
}

/** Each workload's function; a workload that cannot be mapped is left out. */
function workloadFunctionsOf(ws: Workspace, fn: Map<string, string>, published: ReadonlySet<string>): string[] {
  const written: string[] = [];
  for (const w of [...ws.workloads]) {
    const one = ws.attempt(w.relFile, w.name, () => workloadFunction(w, ws.envNames, published.size > 0,
      { published, functionName: fn.get(w.name)!, applicationName: ws.applicationName, warnings: ws.warnings }));
    if (one) written.push(one);
    else ws.workloads.splice(ws.workloads.indexOf(w), 1);
  }
  return written;
}

/** Every reason something was left out, one a line, for an ImportError that ends the import. */
function reasons(skipped: Skipped[]): string {
  return skipped.map(x => `  ${x.reason.startsWith(x.file) ? x.reason : `${x.file}: ${x.reason}`}`).join('\n');
}

/** The workspace's environment and workload manifests, read as Copilot reads them; what cannot be read is left out. */
function readWorkspace(options: CopilotImportOptions): Workspace {
  const root = path.join(options.workspace, 'copilot');
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new ImportError(options.workspace, undefined, 'has no copilot/ directory: give the workspace that holds it');
  }
  const skipped: Skipped[] = [];
  const ws: Workspace = {
    options,
    root,
    applicationName: attemptName(options.workspace) ?? 'app',
    envNames: [],
    envFiles: [],
    workloads: [],
    skipped,
    warnings: [],
    variables: [],
    rel: (p: string) => path.relative(options.workspace, p).split(path.sep).join('/'),
    attempt: <T>(file: string, name: string, step: () => T): T | undefined => {
      try {
        return step();
      } catch (e) {
        if (!(e instanceof ImportError)) throw e;
        skipped.push({ file, line: e.line, name, reason: e.message });
        return undefined;
      }
    },
  };
  const found = readEnvironments(ws);
  readWorkloads(ws);
  if (found === 0) legacyEnvironments(ws);
  return ws;
}

/** The environment manifests (`copilot/environments/<name>/manifest.yml`) into the workspace; returns how many there are. */
function readEnvironments(ws: Workspace): number {
  const options = ws.options;
  const shell = options.environment ?? {};
  const envDir = path.join(ws.root, 'environments');
  const envCandidates = fs.existsSync(envDir) ? fs.readdirSync(envDir).filter(n => fs.existsSync(path.join(envDir, n, 'manifest.yml'))).sort() : [];
  for (const n of envCandidates) {
    const file = ws.rel(path.join(envDir, n, 'manifest.yml'));
    if (options.environments && !options.environments.includes(n)) {
      ws.skipped.push({ file, name: n, reason: 'not named by --env' });
      continue;
    }
    const f = ws.attempt(file, n, () => {
      const read = YamlFile.read(path.join(envDir, n, 'manifest.yml'), file);
      interpolateManifest(read, { app: ws.applicationName, env: n, shell, variables: ws.variables });
      return read;
    });
    if (f) {
      ws.envNames.push(n);
      ws.envFiles.push(f);
    }
  }
  return envCandidates.length;
}

/** The workload manifests (`copilot/<name>/manifest.yml`) into the workspace. */
function readWorkloads(ws: Workspace): void {
  const options = ws.options;
  const shell = options.environment ?? {};
  for (const dir of fs.readdirSync(ws.root).sort()) {
    const manifest = path.join(ws.root, dir, 'manifest.yml');
    if (dir === 'environments' || dir === 'pipelines' || !fs.existsSync(manifest)) continue;
    if (options.workloads && !options.workloads.includes(dir)) {
      ws.skipped.push({ file: ws.rel(manifest), name: dir, reason: 'not named by --service' });
      continue;
    }
    const context = { app: ws.applicationName, shell, variables: ws.variables };
    const w = ws.attempt(ws.rel(manifest), dir, () => readWorkload(manifest, ws.rel(manifest), dir, context));
    if (w) ws.workloads.push(w);
  }
}

/**
 * Copilot before v1.20 kept environments in the account, not in manifests: take the names the
 * workloads' overrides use (or Copilot's first environment, test) with Copilot's defaults.
 */
function legacyEnvironments(ws: Workspace): void {
  const named = [...new Set(ws.workloads.flatMap(w => w.file.keys(['environments'])).filter(n => /^[A-Za-z0-9_-]+$/.test(n)))].sort();
  const chosen = (named.length > 0 ? named : ['test']).filter(n => !ws.options.environments || ws.options.environments.includes(n));
  for (const n of chosen) {
    ws.envNames.push(n);
    ws.envFiles.push(YamlFile.parse(`name: ${n}\ntype: Environment\n`, `copilot/environments/${n} (no manifest)`));
  }
  ws.warnings.push(`${ws.rel(ws.root)} has no environment manifests: the environments ${chosen.join(', ')} get Copilot's defaults (a new VPC, a public load balancer on HTTP); `
    + 'give each the settings it had (copilot env show), or run copilot env init to write its manifest and import again');
}

/** Each environment's function and the ENVIRONMENTS map; an environment that cannot be mapped is left out. */
function environmentFunctions(ws: Workspace): string[] {
  const production = (n: string) => ws.options.productionEnvironments ? ws.options.productionEnvironments.includes(n) : /prod/i.test(n);
  const written: string[] = [];
  for (const [i, f] of [...ws.envFiles.entries()].reverse()) {
    const one = ws.attempt(f.file, ws.envNames[i], () => environmentFunction(ws.envNames[i], f, production(ws.envNames[i])));
    if (one) {
      written.unshift(one);
    } else {
      ws.envNames.splice(i, 1);
      ws.envFiles.splice(i, 1);
    }
  }
  if (ws.envFiles.length === 0) throw new ImportError(ws.rel(ws.root), undefined, `no environment could be imported:\n${reasons(ws.skipped)}`);
  written.push(`const ENVIRONMENTS: { [stage: string]: (stack: Stack) => Environment } = { ${ws.envNames.map(s => `${quote(s)}: ${camel(s)}Environment`).join(', ')} };`, '');
  return written;
}

/** The internal load balancer Copilot gave Backend Services with http, as the app builds it. */
const INTERNAL_INGRESS = [
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
];

/** aws-cdk-lib's modules by the alias the app uses. */
const CDK_MODULES: { [alias: string]: string } = {
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

/** The app: a header with the workspace and its variables, the imports the body uses, the body; `${VAR}` left read from the shell. */
function emit(body: string, options: CopilotImportOptions, variables: VariableUse[]): string {
  const used = (names: string[]) => names.filter(n => new RegExp(`\\b${n}\\b`).test(body));
  // A module alias is used where a member of it is (`logs` is also a word in comments).
  const cdkModules = Object.keys(CDK_MODULES).filter(n => new RegExp(`\\b${n}\\.[A-Za-z]`).test(body));
  const app = [
    '// Written by `cdk-shipyard import copilot` from the Copilot workspace at',
    `// ${path.relative(options.outDir, options.workspace).split(path.sep).join('/') || '.'} (relative to this file). The code is yours now: edit it as you would any CDK app.`,
    '// TODO(copilot) comments quote what the importer could not carry over.',
    ...variablesComment(variables, [
      '// Variables the manifests read as ${NAME}: a value the shell had at import is written in; the others are read when',
      '// the app synthesizes (variable(...) fails on one that is unset, as Copilot did):',
    ]),
    'import * as path from \'path\';',
    `import { ${[...used(['App', 'Duration', 'Fn', 'RemovalPolicy', 'Stack']), ...cdkModules.map(a => `${CDK_MODULES[a]} as ${a}`)].join(', ')} } from 'aws-cdk-lib';`,
    `import { ${used(SHIPYARD_NAMES).join(', ')} } from 'cdk-shipyard';`,
    '',
    body,
  ].join('\n');
  const known = { COPILOT_ENVIRONMENT_NAME: 'stage', COPILOT_LB_DNS: 'environment.ingress.loadBalancer.loadBalancerDnsName' };
  return withVariables(liftVariables(app, known, n => `variable(${quote(n)})`));
}
