/** The fields every workload type shares, and where each type's own fields go. */
import type { AdditionalRoute, ContainerSecurityOptions, Routing } from '../../index';
import { code, pascal, quote, render } from '../code';
import { mapCount } from './count';
import { mapHttp, mapNlb } from './http';
import { healthCheck, image, secret, sidecar } from './image';
import { Ids, Mapped, Mapper, Workload } from './mapper';
import { mapBackend, mapJob, mapWorker } from './messaging';
import { mountPoints, volumes } from './storage';
import { deployment, logging, taskdefOverrides, words } from './values';
import { PropsModel, WorkloadPropsModel } from '../model';
import { FieldFate, show } from '../source';

/** Services with a port registered under their Copilot name, as Copilot did. */
export function discoveryProps(w: Workload): WorkloadPropsModel {
  if (!['WebService', 'BackendService', 'NetworkService'].includes(w.construct)) return {};
  return { serviceDiscovery: { namespace: code('discovery'), name: w.name } };
}

/** The fields every workload type shares. */
export function mapWorkload(m: Mapper, w: Workload, override = false): Mapped {
  const props: WorkloadPropsModel = {};
  const f = m.file;
  mapImage(m, w, props, override);
  // Command and entry point.
  props.command = words(m, ['command']);
  props.entryPoint = words(m, ['entrypoint']);
  mapSize(m, props, override);
  mapVariables(m, w, props);
  if (f.has(m.p('exec'))) {
    props.enableExec = f.kind(m.p('exec')) === 'scalar' ? f.bool(m.p('exec')) : true;
    m.done(FieldFate.MAPPED, 'exec');
  }
  mapStorage(m, w, props);
  const envFile = f.str(m.p('env_file'));
  if (envFile !== undefined) {
    // Copilot uploaded the file from the workspace to S3; an asset does the same.
    props.environmentFiles = [code(`ecs.EnvironmentFile.fromAsset(path.join(WORKSPACE, ${quote(envFile)}))`)];
    m.done(FieldFate.MAPPED, 'env_file');
  }
  if (f.has(m.p('logging'))) props.logging = logging(m);
  mapTracing(m, props);
  if (f.has(m.p('deployment'))) props.deployment = deployment(m, w);
  if (f.has(m.p('taskdef_overrides'))) taskdefOverrides(m);
  // Count and scaling.
  mapCount(m, w, props);
  mapTypeFields(m, w, props, override);
  return { props, todos: m.todos, after: m.after };
}

/** `image`: the image, its port (and the user a port below 1024 needs), health check and labels, and the sidecars. */
function mapImage(m: Mapper, w: Workload, props: WorkloadPropsModel, override: boolean): void {
  const f = m.file;
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
}

/** `cpu`, `memory` and `platform`: the task size and CPU architecture. */
function mapSize(m: Mapper, props: WorkloadPropsModel, override: boolean): void {
  const f = m.file;
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
}

/** `variables` (a value, or `from_cfn` an export) and `secrets`. */
function mapVariables(m: Mapper, w: Workload, props: WorkloadPropsModel): void {
  const f = m.file;
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
}

/** `storage`: ephemeral size, a read-only root file system, volumes. */
function mapStorage(m: Mapper, w: Workload, props: WorkloadPropsModel): void {
  const f = m.file;
  const ephemeral = f.int(m.p('storage', 'ephemeral'));
  if (ephemeral !== undefined) {
    // Copilot's (and Fargate's) default of 20 GiB needs nothing; 21-200 is the setting.
    if (ephemeral > 20) props.ephemeralStorageGiB = ephemeral;
    m.done(FieldFate.MAPPED, 'storage', 'ephemeral');
  }
  const readonlyFs = f.bool(m.p('storage', 'readonly_fs'));
  if (readonlyFs !== undefined) {
    props.containerSecurity = { ...props.containerSecurity as PropsModel<ContainerSecurityOptions> | undefined, readOnlyRootFilesystem: readonlyFs };
    m.done(FieldFate.MAPPED, 'storage', 'readonly_fs');
  }
  if (f.has(m.p('storage', 'volumes'))) props.volumes = volumes(m, w);
}

/** `observability.tracing`: awsxray only. */
function mapTracing(m: Mapper, props: WorkloadPropsModel): void {
  const f = m.file;
  const tracing = f.str(m.p('observability', 'tracing'));
  if (tracing === undefined) return;
  if (tracing !== 'awsxray') f.fail(m.p('observability', 'tracing'), `expected awsxray for observability.tracing, got ${JSON.stringify(tracing)}`);
  // Copilot ran the AWS Distro for OpenTelemetry collector as an X-Ray sidecar, as this does.
  props.tracing = code('Tracing.awsDistroForOpenTelemetry()');
  m.done(FieldFate.MAPPED, 'observability', 'tracing');
}

/** The fields of the workload's own type: http, nlb, a backend's, a worker's queue, a job's schedule. */
function mapTypeFields(m: Mapper, w: Workload, props: WorkloadPropsModel, override: boolean): void {
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
}

/** What a workload's function needs from the workspace around it. */
export interface WorkloadContext {
  /** The topics the workspace's workloads publish, as `<service>-<topic>`. */
  readonly published: ReadonlySet<string>;
  /** The function's name (unique in the app). */
  readonly functionName: string;
  /** The application's name, for COPILOT_APPLICATION_NAME. */
  readonly applicationName: string;
  /** Where the import's warnings go. */
  readonly warnings: string[];
}

/** The function that builds one workload in a stage, with its overrides per stage. */
export function workloadFunction(w: Workload, allStages: string[], hasTopics: boolean, ctx: WorkloadContext): string {
  const { base, overrides } = mapStages(w, allStages, ctx);
  countPerStage(base, overrides, allStages);
  rerouteRoot(w, base, overrides, allStages);
  oneRecordPerAlias(w, base, overrides, allStages);
  const todos = [...base.todos, ...Object.values(overrides).flatMap(o => o.todos)];
  const stageOverrides: { [stage: string]: WorkloadPropsModel } = Object.fromEntries(allStages.map(s => [s, overrides[s].props]));
  return [
    `/** ${w.type} ${w.name} (${w.relFile}). */`,
    `function ${ctx.functionName}(stack: Stack, environment: Environment, stage: string, ${hasTopics ? 'topics' : '_topics'}: Topics, discovery: servicediscovery.INamespace): ${w.construct} {`,
    ...todos.map(t => `  // ${t}`),
    `  const props = forStage<${w.construct}Props>(stage, ${render({ environment: code('environment'), ...base.props, ...discoveryProps(w) }, '  ')}, ${render(stageOverrides, '  ')});`,
    `  const workload = new ${w.construct}(stack, ${quote(pascal(w.name))}, props);`,
    ...afterWorkload(w, ctx),
    ...(base.after ?? []),
    '  return workload;',
    '}',
    '',
  ].join('\n');
}

/** The manifest mapped, and each stage's override (an override for no stage of the workspace is ignored, with a warning). */
function mapStages(w: Workload, allStages: string[], ctx: WorkloadContext): { base: Mapped; overrides: { [stage: string]: Mapped } } {
  const ids = new Ids();
  const published = ctx.published;
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
      ctx.warnings.push(`${w.relFile}:${w.file.line(['environments', envName])}: environments.${envName} names no environment of the workspace (${allStages.join(', ')}): ignored, as Copilot ignores it`);
    }
  }
  return { base, overrides };
}

/**
 * An override's count replaces the manifest's (Copilot replaces the count field): where some
 * stages scale and others have a fixed count, each stage gets its own, since an overlay can
 * add a prop but not remove one.
 */
function countPerStage(base: Mapped, overrides: { [stage: string]: Mapped }, allStages: string[]): void {
  const countKeys = ['desiredCount', 'scaling'] as const;
  if (!allStages.some(s => countKeys.some(k => overrides[s].props[k] !== undefined)) || !countKeys.some(k => base.props[k] !== undefined)) return;
  for (const s of allStages) {
    const o = overrides[s].props;
    if (!countKeys.some(k => o[k] !== undefined)) {
      if (base.props.desiredCount !== undefined) o.desiredCount = base.props.desiredCount;
      if (base.props.scaling !== undefined) o.scaling = base.props.scaling;
    }
  }
  for (const k of countKeys) delete base.props[k];
}

/**
 * Copilot let several services claim / of one load balancer (the last deployed won); here the
 * first keeps it and each other one answers under its own name, in the stages where they meet.
 */
function rerouteRoot(w: Workload, base: Mapped, overrides: { [stage: string]: Mapped }, allStages: string[]): void {
  const taken = allStages.filter(s => w.rootTakenBy[s] !== undefined);
  if (taken.length === 0) return;
  const at = w.file.has(['http', 'path']) ? ['http', 'path'] : ['http'];
  const reroute = (props: WorkloadPropsModel) => props.routing = { ...props.routing as PropsModel<Routing> | undefined, pathPatterns: [`/${w.name}`, `/${w.name}/*`] };
  if (taken.length === allStages.length) reroute(base.props);
  else taken.forEach(s => reroute(overrides[s].props));
  w.file.mark(at, FieldFate.PARTIAL);
  base.todos.push(`TODO(copilot): ${show(at)} (line ${w.file.line(at)}): ${[...new Set(taken.map(s => w.rootTakenBy[s]))].join(', ')} also answers at / of the shared `
    + `load balancer${taken.length < allStages.length ? ` in ${taken.join(', ')}` : ''} (Copilot let the last deployed win): ${w.name} answers under /${w.name} there; `
    + 'give it the host name (alias) or path it should have');
}

/**
 * Copilot's manifest alias applies in every environment; in one hosted zone a name holds one
 * record, and each environment has its own load balancer, so the library refuses the second
 * record. The records are made in one stage (a production one, else the first); the others keep
 * the names as host-header conditions, with a TODO to give them aliases of their own. The main
 * rule's aliases and those of additional rules are handled alike (an overlay replaces the list
 * of additional routes whole, so the kept stage gets the whole list).
 */
function oneRecordPerAlias(w: Workload, base: Mapped, overrides: { [stage: string]: Mapped }, allStages: string[]): void {
  const routes = (base.props.additionalRoutes ?? []) as Array<PropsModel<AdditionalRoute>>;
  const own = (s: string) => overrides[s].props;
  const ownAliases = (s: string) =>
    (own(s).routing as PropsModel<Routing> | undefined)?.aliases !== undefined || own(s).additionalRoutes !== undefined;
  const sharing = allStages.filter(s => !ownAliases(s));
  const main = base.props.routing as PropsModel<Routing> | undefined;
  const claims = [main, ...routes.map(r => r.routing as PropsModel<Routing> | undefined)].some(r => r?.aliases && r.hostedZone);
  if (!claims || sharing.length < 2) return;
  const keep = sharing.find(s => /prod/i.test(s)) ?? sharing[0];
  if (main?.aliases && main.hostedZone) {
    own(keep).routing = { ...own(keep).routing as PropsModel<Routing> | undefined, aliases: main.aliases, hostedZone: main.hostedZone };
    base.props.routing = hostsOnly(main);
  }
  if (routes.some(r => (r.routing as PropsModel<Routing> | undefined)?.aliases)) {
    own(keep).additionalRoutes = routes;
    base.props.additionalRoutes = routes.map(r => ({ ...r, routing: hostsOnly(r.routing as PropsModel<Routing>) }));
  }
  const at = w.file.has(['http', 'alias']) ? ['http', 'alias'] : ['http'];
  w.file.mark(at, FieldFate.PARTIAL);
  base.todos.push(`TODO(copilot): ${show(at)} (line ${w.file.line(at)}): Copilot gave these names to every environment; a hosted zone holds one record `
    + `per name, so the records point at ${keep}'s load balancer and ${sharing.filter(s => s !== keep).join(', ')} route the names as host headers only: `
    + 'give those environments aliases of their own (environments.<env>.http.alias)');
}

/** A routing's aliases as host-header conditions only, with no DNS record. */
function hostsOnly(routing: PropsModel<Routing>): PropsModel<Routing> {
  const { aliases, hostedZone: _zone, ...rest } = routing;
  return aliases === undefined ? routing : { ...rest, hostHeaders: rest.hostHeaders ?? aliases };
}

/** The statements after the workload is built: its topics, and the variables Copilot gave its containers. */
function afterWorkload(w: Workload, ctx: WorkloadContext): string[] {
  const publish = w.publishes.map((t, i) => {
    w.file.mark(['publish', 'topics', i, 'name']);
    return `  topics[${quote(`${w.name}-${t}`)}].grantPublish(workload.taskRole);`;
  });
  const publishVar = w.publishes.length > 0
    ? [`  workload.container.addEnvironment('COPILOT_SNS_TOPIC_ARNS', stack.toJsonString({ ${w.publishes.map(t => `${quote(t)}: topics[${quote(`${w.name}-${t}`)}].topicArn`).join(', ')} }));`]
    : [];
  return [
    ...publish,
    ...publishVar,
    ...(w.construct === 'WorkerService' ? ['  // The variable Copilot gave workers; the library also sets QUEUE_URL.', '  workload.container.addEnvironment(\'COPILOT_QUEUE_URI\', workload.queue.queueUrl);'] : []),
    '  workload.container.addEnvironment(\'COPILOT_SERVICE_DISCOVERY_ENDPOINT\', discovery.namespaceName);',
    '  // The variables Copilot gave every container of a workload.',
    `  workload.container.addEnvironment('COPILOT_APPLICATION_NAME', ${quote(ctx.applicationName)});`,
    '  workload.container.addEnvironment(\'COPILOT_ENVIRONMENT_NAME\', stage);',
    `  workload.container.addEnvironment('COPILOT_SERVICE_NAME', ${quote(w.name)});`,
    ...(w.construct === 'WebService' ? ['  workload.container.addEnvironment(\'COPILOT_LB_DNS\', (props.ingress ?? environment.ingress).loadBalancer.loadBalancerDnsName);'] : []),
    ...mountPoints(w.file).map(json => `  workload.container.addEnvironment('COPILOT_MOUNT_POINTS', ${quote(json)});`),
  ];
}
