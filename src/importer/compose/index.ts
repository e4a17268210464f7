/**
 * `cdk-shipyard import compose`: a Compose file to a CDK app, in the stages DESIGN.md names:
 * read (YAML with lines, anchors resolved), resolve (interpolation, .env, extends, profiles:
 * resolve.ts), analyse (what each service becomes: analyse.ts), map (each service's fields by
 * section: service.ts), wire (who calls whom, the stacks) and emit (app.ts, with the report).
 */
import * as path from 'path';
import { analyse, Service } from './analyse';
import { HINTS } from './hints';
import { resolveCompose, skip, Skipped } from './resolve';
import { FileMapping, serviceFunction } from './service';
import type { EnvironmentProps } from '../../index';
import { appLine, code, functionNames, pascal, quote, render } from '../code';
import { ImportResult, tallyFields } from '../import-result';
import { variablesComment, VariableUse } from '../interpolate';
import { PropsModel } from '../model';
import { FieldFate, ImportError, show, YamlFile } from '../source';

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
 * The most services one stack holds. A production web service is about 17 resources, a backend
 * with its alarms and Service Connect about 20, the environment about 45: 18 services stay
 * under 400 of CloudFormation's 500 resources a stack (AWS CloudFormation User Guide, quotas).
 */
const SPLIT_AFTER = 18;

/** What the resolve stage found, and what the import adds to it. */
interface Report {
  readonly skipped: Skipped[];
  readonly variables: VariableUse[];
  readonly warnings: string[];
}

/**
 * Import a Compose file: services with published ports become `WebService`s, services others
 * call `BackendService`s they `connectTo`, services run to completion `StandaloneTask`s, the
 * others `BackgroundService`s, in one environment. A service that cannot be mapped is left out
 * with its reason; fields with no prop become TODO comments that quote them.
 */
export function importCompose(options: ComposeImportOptions): ImportResult {
  const display = path.basename(options.file);
  const f = YamlFile.read(options.file, display);
  const sourceDir = path.dirname(path.resolve(options.file));
  const resolved = resolveCompose(f, sourceDir, options);
  const names = serviceNames(f, display, options, resolved);
  const topTodos: string[] = [];
  const file: FileMapping = {
    f,
    display,
    sourceDir,
    ...fileLevel(f, topTodos),
    services: analyse(f, names.filter(n => !resolved.skipped.some(x => x.name === n)), resolved),
  };
  const services = file.services;
  const fn = functionNames(services.map(x => x.name), ['fileSystems', 'SOURCE', 'FileSystems']);
  const functions = serviceFunctions(file, fn, resolved);
  for (const x of resolved.skipped) topTodos.push(`TODO(compose): ${show(['services', x.name])} (line ${x.line ?? '?'}): not imported: ${x.reason}`);
  const stackName = pascal(f.str(['name']) ?? path.basename(sourceDir));
  const statements = wire(f, services, fn, stackName, topTodos);
  const { todos: unmappedTodos, ...counts } = tallyFields('compose', [f], HINTS);
  const environmentProps: PropsModel<EnvironmentProps> = options.production
    ? { profile: code('EnvironmentProfile.PRODUCTION'), ingress: { protocol: code('elbv2.ApplicationProtocol.HTTP') } }
    : { profile: code('EnvironmentProfile.DEVELOPMENT') };
  const fromOut = path.relative(options.outDir, sourceDir).split(path.sep).join('/') || '.';
  const body = [
    '// Build contexts and files are relative to the Compose file, as in Compose.',
    `const SOURCE = path.join(__dirname, ${quote(fromOut)});`,
    '',
    '/** The named volumes\' file systems by volume name. */',
    'type FileSystems = { [volume: string]: efs.IFileSystem };',
    '',
    ...(functions.some(x => x.includes('envFile(')) ? ENV_FILE_HELPER : []),
    ...functions,
    ...unmappedTodos,
    ...(unmappedTodos.length > 0 ? [''] : []),
    appLine(),
    ...(services.length > SPLIT_AFTER ? [`// ${services.length} services: a stack for the environment and one for each service, each well under CloudFormation's 500 resources.`] : []),
    `const stack = new Stack(app, ${quote(stackName)});`,
    `const environment = new Environment(stack, 'Environment', ${render(environmentProps)});`,
    ...topTodos.map(t => `// ${t}`),
    ...(Object.keys(file.fileSystems).length > 0 ? [
      '/** The named volumes: EFS file systems the services mount. */',
      `const fileSystems: FileSystems = {\n${Object.entries(file.fileSystems).map(([v, c]) => `  ${quote(v)}: ${c},`).join('\n')}\n};`,
    ] : ['const fileSystems: FileSystems = {};']),
    ...statements,
    'app.synth();',
    '',
  ].join('\n');
  const sources = Object.fromEntries(services.map(x => [x.name, `${display}:${f.line(['services', x.name]) ?? 1}`]));
  return { files: { 'app.ts': emit(body, path.posix.join(fromOut, display), resolved) }, ...counts, report: { imported: services.map(x => x.name), sources, ...resolved } };
}

/**
 * Each service's function. A service that fails to map is left out with its reason; the others
 * still import, and none left ends the import.
 */
function serviceFunctions(file: FileMapping, fn: Map<string, string>, resolved: Report): string[] {
  const { f, display, services } = file;
  const functions: string[] = [];
  for (const s of [...services]) {
    try {
      functions.push(serviceFunction(file, s, fn.get(s.name)!));
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      skip(f, s.name, e.message, resolved);
      services.splice(services.indexOf(s), 1);
    }
  }
  if (services.length === 0) {
    throw new ImportError(display, f.line(['services']), `no service could be imported:\n${resolved.skipped.map(x => `  ${x.reason.startsWith(x.file) ? x.reason : `${x.file}:${x.line ?? '?'}: ${x.name}: ${x.reason}`}`).join('\n')}`);
  }
  return functions;
}

/** The services of the file, after the checks of its shape; those not named by --service are left out. */
function serviceNames(f: YamlFile, display: string, options: ComposeImportOptions, resolved: Report): string[] {
  const names = f.keys(['services']);
  if (names.length === 0 && f.keys([]).some(k => f.kind([k]) === 'map' && (f.has([k, 'image']) || f.has([k, 'build'])))) {
    throw new ImportError(display, 1, 'is in Compose file format 1 (services at the top, no services: map), which Docker Compose v2 no longer reads: move the services under services: and import again');
  }
  if (names.length === 0) throw new ImportError(display, f.line(['services']), 'has no services: expected a services map');
  for (const name of names) {
    if (options.services && !options.services.includes(name) && !resolved.skipped.some(x => x.name === name)) skip(f, name, 'not named by --service', resolved);
  }
  for (const top of ['name', 'version']) if (f.has([top])) f.mark([top]);
  return names;
}

/** The file's own fields: named volumes (EFS file systems), external secrets, the x-aws extensions. */
function fileLevel(f: YamlFile, topTodos: string[]): Pick<FileMapping, 'fileSystems' | 'secretArns' | 'retention'> {
  // Named volumes persist, so each is an EFS file system, as Docker's ECS integration made them:
  // external ones name an existing file system, the others are new and kept when the stack goes.
  const fileSystems: { [volume: string]: string } = {};
  for (const volume of f.keys(['volumes'])) {
    const at = (...rest: string[]) => ['volumes', volume, ...rest];
    const id = `${pascal(volume)}FileSystem`;
    if (f.kind(at('external')) === 'scalar' && f.bool(at('external'))) {
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
    const name = f.str(['secrets', secret, 'name']);
    if (f.bool(['secrets', secret, 'external']) && name?.startsWith('arn:')) {
      secretArns[secret] = name;
      f.mark(['secrets', secret]);
    }
  }
  const retention = f.int(['x-aws-logs_retention']);
  if (retention !== undefined) f.mark(['x-aws-logs_retention']);
  if (f.has(['x-aws-vpc'])) {
    topTodos.push(`TODO(compose): x-aws-vpc (line ${f.line(['x-aws-vpc'])}): import the VPC with ec2.Vpc.fromLookup and give network: Network.fromVpc(vpc)`);
    f.mark(['x-aws-vpc'], FieldFate.PARTIAL);
  }
  return { fileSystems, secretArns, retention };
}

/**
 * The statements that build each service in its stack and let it call the services it names.
 * One stack holds the file while it stays well under CloudFormation's 500 resources; past
 * SPLIT_AFTER services, the environment keeps a stack and each service gets one of its own, as
 * Copilot deploys.
 */
function wire(f: YamlFile, services: Service[], fn: Map<string, string>, stackName: string, topTodos: string[]): string[] {
  const callable = (d: string) => services.some(x => x.name === d && (x.construct === 'BackendService' || (x.construct === 'WebService' && services.some(c => c.calls.includes(d)))));
  const stackPerService = services.length > SPLIT_AFTER;
  const calls = services.map(s => `const ${fn.get(s.name)}Service = ${fn.get(s.name)}(${stackPerService ? `new Stack(app, ${quote(`${stackName}-${pascal(s.name)}`)})` : 'stack'}, environment, fileSystems);`);
  const connects = services.filter(s => s.construct !== 'StandaloneTask').flatMap(s => s.calls
    .filter(callable)
    .map(d => `${fn.get(s.name)}Service.connectTo(${fn.get(d)}Service);`));
  for (const s of services) {
    const at = ['services', s.name, 'depends_on'];
    if (!f.has(at)) continue;
    const left = (f.kind(at) === 'map' ? f.keys(at) : f.strings(at) ?? []).filter(d => !services.some(x => x.name === d));
    f.mark(at, left.length > 0 ? FieldFate.PARTIAL : FieldFate.MAPPED);
    if (left.length > 0) topTodos.push(`TODO(compose): ${show(at)} (line ${f.line(at)}): ${left.join(', ')} not imported (see the import's summary)`);
  }
  return [...calls, ...connects];
}

/** Uploads an env_file under a name ECS reads (*.env), from a copy made at synth; the asset hash follows the content. */
const ENV_FILE_HELPER = [
  '/** ECS reads environment files named *.env only: `file` is uploaded as a copy so named, made at synth. */',
  'function envFile(file: string): ecs.EnvironmentFile {',
  '  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), \'env-file-\')), `${path.basename(file).replace(/^\\.+/, \'\') || \'app\'}.env`);',
  '  fs.copyFileSync(file, copy);',
  '  return ecs.EnvironmentFile.fromAsset(copy);',
  '}',
  '',
];

/** The app: a header with the source and its variables, the imports the body uses, the body. */
function emit(body: string, source: string, resolved: Report): string {
  const used = (list: string[]) => list.filter(n => new RegExp(`\\b${n}\\b`).test(body));
  const modules: { [alias: string]: string } = {
    ec2: 'aws_ec2', ecs: 'aws_ecs', efs: 'aws_efs', elbv2: 'aws_elasticloadbalancingv2', iam: 'aws_iam', logs: 'aws_logs', secretsmanager: 'aws_secretsmanager',
  };
  const cdk = [...used(['App', 'Duration', 'RemovalPolicy', 'Stack']), ...Object.keys(modules).filter(n => new RegExp(`\\b${n}\\.[A-Za-z]`).test(body)).map(a => `${modules[a]} as ${a}`)];
  const shipyard = used(['BackendService', 'BackgroundService', 'Deployment', 'Environment', 'EnvironmentProfile', 'Image', 'Logging', 'NetworkService', 'Scaling',
    'StandaloneTask', 'Volume', 'WebService']);
  return [
    '// Written by `cdk-shipyard import compose` from the Compose file at',
    `// ${source} (relative to this file). The code is yours now: edit it as you would any CDK app.`,
    '// TODO(compose) comments quote what the importer could not carry over.',
    ...variablesComment(resolved.variables),
    ...(/\bfs\./.test(body) ? ['import * as fs from \'fs\';', 'import * as os from \'os\';'] : []),
    'import * as path from \'path\';',
    `import { ${cdk.join(', ')} } from 'aws-cdk-lib';`,
    `import { ${shipyard.join(', ')} } from 'cdk-shipyard';`,
    '',
    body,
  ].join('\n');
}
