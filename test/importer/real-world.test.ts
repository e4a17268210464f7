/**
 * The importers on inputs nobody here wrote: Compose files and Copilot workspaces from public
 * repositories (corpus/real/*\/PROVENANCE.json). Every source imports, or is refused for a reason
 * its own tool shares (REFUSED.json); every workload left out is left out for such a reason;
 * every app type-checks strictly and synthesizes with every stack under CloudFormation's
 * limit; and the semantics of Compose and Copilot hold where the files use them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { resourcesOf, ROOT } from './harness';
import { copilotWorkspaces, composeFiles, Imported, importAll, largeWorkspace, REAL, stubLocalFiles, synthAll, typeErrorsOf } from './real-world';
import { importCopilot } from '../../src/importer/copilot';

/**
 * Why a workload may be left out of an import that goes on: the source's own tool would not run
 * it as it stands either, or the library has no construct for it. Any other reason fails the gate.
 */
const ACCEPTED_SKIPS: Array<[RegExp, string]> = [
  [/runs only with the profiles? |its only profile is empty/, 'Compose starts it only with its profile'],
  [/has neither image nor build/, 'a service of a file meant to be extended or overridden'],
  [/extends ".*", which is not a service of/, 'the file extends a service its companion file (as collected) lacks'],
  [/image is empty|is not one Docker can pull/, 'the image comes from a variable of the project\'s .env, or is a documentation placeholder'],
  [/Static Site: |Request-Driven Web Service: /, 'a Copilot workload type that is not a container service'],
];

const OUT = path.join(ROOT, '.import-real');
let imported: Imported[];
let synthesized: ReturnType<typeof synthAll>;
let typeErrors: { [file: string]: string[] };

beforeAll(() => {
  fs.rmSync(OUT, { recursive: true, force: true });
  imported = importAll(OUT);
  const apps = imported.filter(i => i.appFile).map(i => i.appFile!);
  typeErrors = typeErrorsOf(apps);
  const variables = JSON.parse(fs.readFileSync(path.join(REAL, 'copilot', 'VARIABLES.json'), 'utf8'));
  delete variables.why;
  synthesized = synthAll(apps.filter(a => !typeErrors[a]), variables);
}, 600_000);

afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

/** The templates of a source's app, by stack name. */
function templates(source: string): { [stack: string]: any } {
  const app = imported.find(i => i.source === source)?.appFile;
  if (!app) throw new Error(`${source} did not import`);
  const out = path.join(path.dirname(app), 'cdk.out');
  return Object.fromEntries(fs.readdirSync(out).filter(f => f.endsWith('.template.json'))
    .map(f => [f.replace('.template.json', ''), JSON.parse(fs.readFileSync(path.join(out, f), 'utf8'))]));
}

/** Every resource of the app's stacks whose name starts with `prefix` (an app split into stacks, or not), as one template. */
function merged(source: string, prefix = ''): any {
  const stacks = Object.entries(templates(source)).filter(([name]) => name.startsWith(prefix));
  return { Resources: Object.assign({}, ...stacks.map(([, t]) => t.Resources)) };
}

function appText(source: string): string {
  return imported.find(i => i.source === source)!.result!.files['app.ts'];
}

/** The properties of the one resource of a type whose logical id starts with `prefix`. */
function only(template: any, type: string, prefix: string): any {
  const found = resourcesOf(template, type).filter(([id]) => id.startsWith(prefix));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0][1].Properties;
}

describe('the real-world corpus', () => {
  test('has at least 100 Copilot manifests from 20 repositories and 60 Compose files from 40, each with its provenance', () => {
    const compose = JSON.parse(fs.readFileSync(path.join(REAL, 'compose', 'PROVENANCE.json'), 'utf8')) as Array<{ file: string; repo: string; commit: string }>;
    const copilot = JSON.parse(fs.readFileSync(path.join(REAL, 'copilot', 'PROVENANCE.json'), 'utf8')) as Array<{ dir: string; repo: string; commit: string; files: object }>;
    for (const p of compose) {
      expect(fs.existsSync(path.join(REAL, 'compose', p.file))).toBe(true);
      expect(p.commit).toMatch(/^[0-9a-f]{40}$/);
    }
    for (const p of copilot) {
      for (const local of Object.keys(p.files)) expect(fs.existsSync(path.join(REAL, 'copilot', p.dir, local))).toBe(true);
      expect(p.commit).toMatch(/^[0-9a-f]{40}$/);
    }
    expect(composeFiles().length).toBeGreaterThanOrEqual(60);
    expect(new Set(compose.map(p => p.repo)).size).toBeGreaterThanOrEqual(40);
    const manifests = copilot.flatMap(p => Object.keys(p.files).filter(f => f.endsWith('manifest.yml')));
    expect(manifests.length).toBeGreaterThanOrEqual(100);
    expect(new Set(copilot.map(p => p.repo)).size).toBeGreaterThanOrEqual(20);
    expect(copilotWorkspaces().length).toBe(copilot.length);
  });

  test('every source imports, or is refused for the reason REFUSED.json gives', () => {
    const expected = JSON.parse(fs.readFileSync(path.join(REAL, 'REFUSED.json'), 'utf8'));
    delete expected.why;
    const refused = Object.fromEntries(imported.filter(i => i.refused).map(i => [i.source, i.refused!]));
    expect(Object.keys(refused).sort()).toEqual(Object.keys(expected).sort());
    for (const [source, message] of Object.entries(refused)) expect(message).toContain(expected[source].reason);
  });

  test('every workload left out is left out for a reason the source\'s own tool shares', () => {
    const unexplained = imported.flatMap(i => (i.result?.report.skipped ?? [])
      .filter(s => !ACCEPTED_SKIPS.some(([re]) => re.test(s.reason)))
      .map(s => `${i.source}: ${s.name}: ${s.reason}`));
    expect(unexplained).toEqual([]);
    // Most of each source imports: the corpus is not passed by leaving things out.
    const workloads = imported.flatMap(i => i.result ? [i.result.report] : []);
    const written = workloads.reduce((n, r) => n + r.imported.length, 0);
    const left = workloads.reduce((n, r) => n + r.skipped.filter(s => !/profile/.test(s.reason)).length, 0);
    expect(written / (written + left)).toBeGreaterThan(0.85);
  });

  test('every app type-checks strictly against the library', () => {
    expect(typeErrors).toEqual({});
  });

  test('every app synthesizes, each stack under 400 resources (CloudFormation takes 500)', () => {
    expect(synthesized.failures).toEqual({});
    const written = imported.filter(i => i.appFile).length;
    expect(Object.keys(synthesized.stacks)).toHaveLength(written);
    const over = Object.entries(synthesized.stacks).flatMap(([app, stacks]) => Object.entries(stacks).filter(([, n]) => n >= 400).map(([s, n]) => `${app} ${s}: ${n}`));
    expect(over).toEqual([]);
  });
});

describe('Compose semantics on the real files', () => {
  const LANGFUSE = 'compose/langfuse__langfuse/docker-compose.yml';

  test('langfuse: loopback-only ports stay private and reachable by name, the databases keep their data, checks fit ECS', () => {
    const t = templates(LANGFUSE).LangfuseLangfuse;
    const service = (prefix: string) => only(t, 'AWS::ECS::Service', prefix);
    // 127.0.0.1:5432:5432 and the like: private, on Service Connect under the Compose name.
    for (const [prefix, name, port] of [['Postgres', 'postgres', 5432], ['Redis', 'redis', 6379], ['Clickhouse', 'clickhouse', 8123], ['LangfuseWorker', 'langfuse-worker', 3030]] as const) {
      expect(service(prefix).LoadBalancers).toBeUndefined();
      expect(JSON.stringify(service(prefix).ServiceConnectConfiguration)).toContain(`"DnsName":"${name}"`);
      expect(JSON.stringify(service(prefix).ServiceConnectConfiguration)).toContain(`"Port":${port}`);
    }
    // The two published ones share the load balancer, minio under its own path.
    expect(service('LangfuseWeb').LoadBalancers).toHaveLength(1);
    expect(service('Minio').LoadBalancers).toHaveLength(1);
    // The web service calls its backends (the merged depends_on anchor) as a Service Connect client.
    expect(service('LangfuseWeb').ServiceConnectConfiguration.Enabled).toBe(true);
    // Postgres: its named volume on EFS, one task, stopped before the next starts.
    const pg = only(t, 'AWS::ECS::TaskDefinition', 'PostgresTaskDefinition');
    expect(pg.Volumes).toEqual(expect.arrayContaining([expect.objectContaining({ EFSVolumeConfiguration: expect.anything() })]));
    expect(service('Postgres').DesiredCount).toBe(1);
    expect(service('Postgres').DeploymentConfiguration).toEqual(expect.objectContaining({ MinimumHealthyPercent: 0, MaximumPercent: 100 }));
    expect(resourcesOf(t, 'AWS::EFS::FileSystem').every(([, r]) => r.DeletionPolicy === 'Retain')).toBe(true);
    // The official image starts as root: it keeps its own user and a writable root, said in a TODO.
    expect(pg.ContainerDefinitions[0].User).toBeUndefined();
    expect(pg.ContainerDefinitions[0].ReadonlyRootFilesystem).toBe(false);
    expect(appText(LANGFUSE)).toMatch(/TODO\(compose\): services\.postgres\.image .*Amazon RDS for PostgreSQL/);
    // interval: 1s and timeout: 5s, which ECS refuses: 5 s and 4 s, each with a TODO.
    const minio = only(t, 'AWS::ECS::TaskDefinition', 'MinioTaskDefinition').ContainerDefinitions[0].HealthCheck;
    expect(minio).toEqual(expect.objectContaining({ Interval: 5, Timeout: 4 }));
    expect(appText(LANGFUSE)).toMatch(/services\.minio\.healthcheck\.interval .*1 s is outside what ECS takes \(5-300 s\): 5 s instead/);
  });

  test('langfuse: ${VAR:-default} in a container variable is read from process.env with the file\'s default, listed at the top', () => {
    const app = appText(LANGFUSE);
    expect(app).toContain("TELEMETRY_ENABLED: (process.env.TELEMETRY_ENABLED || 'true')");
    expect(app).toMatch(/^\/\/ {3}TELEMETRY_ENABLED \(default "true"\): not set at import$/m);
    const env = only(templates(LANGFUSE).LangfuseLangfuse, 'AWS::ECS::TaskDefinition', 'LangfuseWebTaskDefinition').ContainerDefinitions[0].Environment;
    expect(env).toEqual(expect.arrayContaining([{ Name: 'TELEMETRY_ENABLED', Value: 'true' }, { Name: 'REDIS_HOST', Value: 'redis' }]));
  });

  test('SigNoz: !!merge keys, nested through two anchors, give zookeeper-1 its image', () => {
    const t = Object.values(templates('compose/SigNoz__signoz/deploy/docker/docker-compose.yaml'))[0];
    const zk = only(t, 'AWS::ECS::TaskDefinition', 'Zookeeper1TaskDefinition').ContainerDefinitions[0];
    expect(zk.Image).toBe('signoz/zookeeper:3.7.1');
    expect(zk.User).toBe('root');
  });

  test('plausible: a named volume declared with no value (`db-data:`) is mounted from EFS', () => {
    const t = Object.values(templates('compose/plausible__community-edition/compose.yml'))[0];
    const db = only(t, 'AWS::ECS::TaskDefinition', 'PlausibleDbTaskDefinition');
    expect(db.Volumes).toEqual(expect.arrayContaining([expect.objectContaining({ Name: 'db-data', EFSVolumeConfiguration: expect.anything() })]));
    expect(db.ContainerDefinitions[0].MountPoints).toEqual(expect.arrayContaining([expect.objectContaining({ SourceVolume: 'db-data' })]));
  });

  test('jitsi: a read-only service keeps its tmpfs mounts (/run and /tmp) in memory, where its user writes', () => {
    const t = merged('compose/jitsi__docker-jitsi-meet/docker-compose.yml');
    const web = Object.entries(t.Resources as { [id: string]: any })
      .find(([id, r]) => r.Type === 'AWS::ECS::TaskDefinition' && id.startsWith('Web'))![1].Properties.ContainerDefinitions[0];
    expect(web.ReadonlyRootFilesystem).toBe(true);
    expect(web.LinuxParameters.Tmpfs.map((m: any) => m.ContainerPath)).toEqual(['/tmp', '/run']);
    expect(web.MountPoints ?? []).toEqual([]);
    expect(appText('compose/jitsi__docker-jitsi-meet/docker-compose.yml')).not.toMatch(/TODO\(compose\): services\.web\.tmpfs/);
  });

  test('twenty: a service others wait on to complete is a task, not a service that restarts forever', () => {
    const t = Object.values(templates('compose/twentyhq__twenty/packages/twenty-docker/docker-compose.yml'))[0];
    expect(resourcesOf(t, 'AWS::ECS::TaskDefinition').some(([id]) => id.startsWith('ChangeVolOwnership'))).toBe(true);
    expect(resourcesOf(t, 'AWS::ECS::Service').some(([id]) => id.startsWith('ChangeVolOwnership'))).toBe(false);
    expect(appText('compose/twentyhq__twenty/packages/twenty-docker/docker-compose.yml')).toMatch(/TODO\(compose\): services\.change-vol-ownership .*ran it once, to completion, before server/);
  });

  test('mailcow: $$ is a dollar sign the container sees', () => {
    const t = merged('compose/mailcow__mailcow-dockerized/docker-compose.yml');
    const sogo = only(t, 'AWS::ECS::TaskDefinition', 'SogoMailcowTaskDefinition').ContainerDefinitions[0];
    expect(sogo.DockerLabels['ofelia.job-exec.sogo_sessions.command']).toContain('[[ ${MASTER} == y ]]');
  });

  test('sentry: versions come from the .env beside the file, as Compose reads it', () => {
    const result = imported.find(i => i.source === 'compose/getsentry__self-hosted/docker-compose.yml')!.result!;
    expect(result.report.variables.filter(v => v.source === '.env').map(v => v.name)).toEqual(expect.arrayContaining(['SNUBA_IMAGE']));
    // 24 services: past 18, the environment has a stack and each service one of its own.
    expect(Object.keys(templates('compose/getsentry__self-hosted/docker-compose.yml'))).toHaveLength(1 + result.report.imported.length);
    const t = merged('compose/getsentry__self-hosted/docker-compose.yml');
    const images = resourcesOf(t, 'AWS::ECS::TaskDefinition').map(([, r]) => r.Properties.ContainerDefinitions[0].Image);
    expect(images.filter(i => typeof i === 'string' && i.includes('${'))).toEqual([]);
    expect(images).toEqual(expect.arrayContaining([expect.stringMatching(/getsentry\/snuba:nightly$/)]));
  });

  test('PostHog: a service that extends one of another file gets its fields, with its own on top', () => {
    const t = merged('compose/PostHog__posthog/docker-compose.hobby.yml');
    const db = only(t, 'AWS::ECS::TaskDefinition', 'DbTaskDefinition').ContainerDefinitions[0];
    expect(db.Image).toMatch(/^postgres:/);
  });
});

describe('Copilot semantics on the real workspaces', () => {
  test('Open-Assistant: two services at / of one load balancer, as Copilot allowed: the first keeps it, the other answers under its name', () => {
    const t = merged('copilot/LAION-AI__Open-Assistant', 'OpenAssistant-staging');
    const paths = resourcesOf(t, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => JSON.stringify(r.Properties.Conditions));
    expect(paths.filter(c => c.includes('"/*"'))).toHaveLength(1);
    expect(appText('copilot/LAION-AI__Open-Assistant')).toMatch(/TODO\(copilot\): http(\.path)? .*also answers at \/ of the shared load balancer/);
  });

  test('every container of a workload gets the variables Copilot injected', () => {
    const t = merged('copilot/LAION-AI__Open-Assistant', 'OpenAssistant-staging');
    for (const [, task] of resourcesOf(t, 'AWS::ECS::TaskDefinition')) {
      const names = task.Properties.ContainerDefinitions[0].Environment.map((e: any) => e.Name);
      expect(names).toEqual(expect.arrayContaining(['COPILOT_APPLICATION_NAME', 'COPILOT_ENVIRONMENT_NAME', 'COPILOT_SERVICE_NAME', 'COPILOT_SERVICE_DISCOVERY_ENDPOINT']));
    }
  });

  test('a workspace without environment manifests (Copilot before 1.20) gets the environments its overrides name', () => {
    const result = imported.find(i => i.source === 'copilot/GUI__covid-vaccine-spotter')!.result!;
    expect(result.report.warnings.join('\n')).toMatch(/has no environment manifests: the environments .* get Copilot's defaults/);
    expect(Object.keys(templates('copilot/GUI__covid-vaccine-spotter')).length).toBeGreaterThanOrEqual(1);
  });

  test('an override for an environment the workspace lacks is ignored with a warning, as Copilot ignores it', () => {
    const result = imported.find(i => i.source === 'copilot/AleksaC__app-runner-demo' || i.source === 'copilot/GridPlus__mqtt-backup-job')!;
    const warnings = imported.flatMap(i => i.result?.report.warnings ?? []).filter(w => /names no environment of the workspace .*ignored, as Copilot ignores it/.test(w));
    expect(result).toBeDefined();
    expect(warnings.length).toBeGreaterThan(0);
  });
});

describe('a workspace of many services', () => {
  test('the corpus\'s web and backend manifests in one workspace: at least 50 services, a stack for each in each environment, every stack under 400 resources', () => {
    const dir = path.join(OUT, 'large');
    const count = largeWorkspace(path.join(dir, 'ws'));
    expect(count).toBeGreaterThanOrEqual(50);
    const result = importCopilot({ workspace: path.join(dir, 'ws'), outDir: dir, environment: {} });
    expect(result.report.imported.length).toBeGreaterThanOrEqual(50);
    expect(result.report.skipped.filter(s => !ACCEPTED_SKIPS.some(([re]) => re.test(s.reason)))).toEqual([]);
    const lib = path.relative(dir, path.join(ROOT, 'src')).split(path.sep).join('/');
    const appFile = path.join(dir, 'app.ts');
    fs.writeFileSync(appFile, result.files['app.ts'].replace(/from 'cdk-shipyard'/g, `from '${lib}'`));
    stubLocalFiles(appFile);
    expect(typeErrorsOf([appFile])).toEqual({});
    const variables = JSON.parse(fs.readFileSync(path.join(REAL, 'copilot', 'VARIABLES.json'), 'utf8'));
    const { failures, stacks } = synthAll([appFile], variables);
    expect(failures).toEqual({});
    const sizes = stacks[appFile];
    // An environment stack and a stack a workload, in each of the two environments.
    expect(Object.keys(sizes)).toHaveLength(2 * (1 + result.report.imported.length));
    expect(Object.entries(sizes).filter(([, n]) => n >= 400)).toEqual([]);
  }, 300_000);
});
