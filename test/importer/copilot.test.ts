/**
 * The Copilot importer on a corpus written from the Copilot manifest specification: each
 * workspace is imported, the app it writes is type-checked against the library and
 * synthesized, and the templates are checked for what the manifests say.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { main } from '../../src/cli/main';
import { importCompose } from '../../src/importer/compose';
import { importCopilot } from '../../src/importer/copilot';
import { ImportError } from '../../src/importer/source';

const ROOT = path.join(__dirname, '..', '..');
const CORPUS = path.join(__dirname, 'corpus', 'copilot');

/** Import a workspace into a directory under the repository, with the library resolved from src/. */
function importInto(workspace: string): { dir: string; appFile: string; result: ReturnType<typeof importCopilot> } {
  const dir = fs.mkdtempSync(path.join(ROOT, '.import-'));
  const result = importCopilot({ workspace, outDir: dir });
  const src = path.relative(dir, path.join(ROOT, 'src')).split(path.sep).join('/');
  const appFile = path.join(dir, 'app.ts');
  fs.writeFileSync(appFile, result.files['app.ts'].replace(/from 'cdk-shipyard'/g, `from '${src}'`));
  return { dir, appFile, result };
}

function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, esModuleInterop: true, skipLibCheck: true, types: ['node'],
  });
  return ts.getPreEmitDiagnostics(program).filter(d => d.file?.fileName === file)
    .map(d => `${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

function synth(appFile: string, dir: string): { [stack: string]: any } {
  const out = path.join(dir, 'cdk.out');
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', appFile], {
    cwd: ROOT,
    env: { ...process.env, CDK_OUTDIR: out, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json'), AWS_EC2_METADATA_DISABLED: 'true' },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return Object.fromEntries(fs.readdirSync(out).filter(f => f.endsWith('.template.json'))
    .map(f => [f.replace('.template.json', ''), JSON.parse(fs.readFileSync(path.join(out, f), 'utf8'))]));
}

function resourcesOf(template: any, type: string): Array<[string, any]> {
  return Object.entries(template.Resources).filter(([, r]: [string, any]) => r.Type === type) as Array<[string, any]>;
}

describe('cdk-shipyard import copilot', () => {
  test('the shop workspace: the app type-checks and synthesizes one stack per environment', () => {
    const { dir, appFile, result } = importInto(path.join(CORPUS, 'shop'));
    try {
      expect(typeErrors(appFile)).toEqual([]);
      const stacks = synth(appFile, dir);
      expect(Object.keys(stacks).sort()).toEqual(['Shop-prod', 'Shop-test']);
      const prod = stacks['Shop-prod'];
      const test = stacks['Shop-test'];
      // Environments: the prod certificate and CIDR; test keeps Copilot's plain HTTP.
      expect(resourcesOf(prod, 'AWS::EC2::VPC')[0][1].Properties.CidrBlock).toBe('10.20.0.0/16');
      expect(resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l.Properties.Protocol)).toContain('HTTPS');
      expect(resourcesOf(test, 'AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l.Properties.Protocol)).toEqual(['HTTP']);
      // frontend: built from its Dockerfile, ARM64 as the manifest says, scaled 2-10 in prod and 1-4 in test.
      const scalable = (t: any) => resourcesOf(t, 'AWS::ApplicationAutoScaling::ScalableTarget')
        .filter(([id]) => id.startsWith('Frontend')).map(([, r]) => [r.Properties.MinCapacity, r.Properties.MaxCapacity]);
      expect(scalable(prod)).toEqual([[2, 10]]);
      expect(scalable(test)).toEqual([[1, 4]]);
      const frontendTask = resourcesOf(prod, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith('Frontend'))![1].Properties;
      expect(frontendTask.RuntimePlatform.CpuArchitecture).toBe('ARM64');
      expect(frontendTask.ContainerDefinitions[0].Environment).toEqual(expect.arrayContaining([
        { Name: 'LOG_LEVEL', Value: 'warn' }, { Name: 'FEATURE_X', Value: 'true' },
      ]));
      // Copilot's defaults written out: x86_64 where the manifest says nothing, the SNS envelope, COPILOT_QUEUE_URI.
      const ordersTask = resourcesOf(prod, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith('Orders'))![1].Properties;
      expect(ordersTask.RuntimePlatform.CpuArchitecture).toBe('X86_64');
      expect(ordersTask.ContainerDefinitions[0].HealthCheck.Command).toEqual(['CMD-SHELL', 'curl -f http://localhost:9000/health || exit 1']);
      expect(resourcesOf(prod, 'AWS::SNS::Subscription')[0][1].Properties.RawMessageDelivery).toBe(false);
      const costsTask = resourcesOf(prod, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith('Costs'))![1].Properties;
      expect(costsTask.ContainerDefinitions[0].Environment.map((e: any) => e.Name)).toContain('COPILOT_QUEUE_URI');
      // The job: weekdays at 03:00 in prod, @daily in test, re-run 3 times.
      const schedule = (t: any) => resourcesOf(t, 'AWS::Scheduler::Schedule')[0][1].Properties.ScheduleExpression;
      expect(schedule(prod)).toBe('cron(0 3 ? * 2-6 *)');
      expect(schedule(test)).toBe('cron(0 0 * * ? *)');
      expect(resourcesOf(prod, 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
      // A Backend Service without a port is a BackgroundService: no Service Connect endpoint.
      const warmer = resourcesOf(prod, 'AWS::ECS::Service').find(([id]) => id.startsWith('Warmer'))![1].Properties;
      expect(warmer.ServiceConnectConfiguration).toBeUndefined();
      // The summary counts every leaf field once; what is not carried over is a TODO in the code.
      expect(result.mapped).toBeGreaterThan(60);
      expect(result.partial).toBeGreaterThan(0);
      expect(result.unmapped).toBeGreaterThan(0);
      const todos = result.files['app.ts'].match(/\/\/ TODO\(copilot\): /g)!.length;
      expect(todos).toBe(result.partial + result.unmapped);
      // Sidecars: nginx in front of frontend (the route reaches it on 80), envoy that orders waits for.
      const listenerTarget = resourcesOf(prod, 'AWS::ECS::Service').find(([id]) => id.startsWith('Frontend'))![1].Properties.LoadBalancers[0];
      expect(listenerTarget).toEqual(expect.objectContaining({ ContainerName: 'nginx', ContainerPort: 80 }));
      const nginx = frontendTask.ContainerDefinitions.find((c: any) => c.Name === 'nginx');
      expect(nginx.DependsOn).toEqual([{ ContainerName: 'app', Condition: 'START' }]);
      expect(nginx.ReadonlyRootFilesystem).toBe(false);
      expect(ordersTask.ContainerDefinitions[0].DependsOn).toEqual(expect.arrayContaining([{ ContainerName: 'envoy', Condition: 'HEALTHY' }]));
      expect(ordersTask.ContainerDefinitions.find((c: any) => c.Name === 'envoy').Secrets.map((x: any) => x.Name)).toEqual(['MESH_TOKEN']);
      expect(result.files['app.ts']).toContain('logging.retention');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    ['a file that is not YAML', 'cpu: [1, 2\n', /manifest\.yml:\d+: is not valid YAML/],
    ['an unknown manifest type', 'name: x\ntype: Static Site\n', /manifest\.yml:2: type "Static Site" is not one the importer maps/],
    ['a field of the wrong type', 'name: x\ntype: Backend Service\nimage:\n  location: a/b:1\ncpu: lots\n', /manifest\.yml:5: expected a whole number for cpu, got "lots"/],
    ['a bad duration', 'name: x\ntype: Scheduled Job\non:\n  schedule: "@daily"\nimage:\n  location: a/b:1\ntimeout: soon\n', /manifest\.yml:7: expected a duration/],
  ])('fails with the file and the line for %s, and writes nothing', (_name, manifest, message) => {
    const workspace = fs.mkdtempSync(path.join(ROOT, '.import-ws-'));
    const out = path.join(workspace, 'out');
    try {
      fs.mkdirSync(path.join(workspace, 'copilot', 'environments', 'test'), { recursive: true });
      fs.writeFileSync(path.join(workspace, 'copilot', 'environments', 'test', 'manifest.yml'), 'name: test\ntype: Environment\n');
      fs.mkdirSync(path.join(workspace, 'copilot', 'x'));
      fs.writeFileSync(path.join(workspace, 'copilot', 'x', 'manifest.yml'), manifest);
      expect(() => importCopilot({ workspace, outDir: out })).toThrow(ImportError);
      expect(() => importCopilot({ workspace, outDir: out })).toThrow(message);
      const errors: string[] = [];
      expect(main(['import', 'copilot', workspace, '--out', out], () => undefined, e => errors.push(e))).toBe(1);
      expect(errors[0]).toMatch(message);
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });

  test('the command line needs import copilot <dir> --out <dir>', () => {
    const errors: string[] = [];
    expect(main(['import', 'compose'], () => undefined, e => errors.push(e))).toBe(2);
    expect(main(['import', 'copilot', 'x'], () => undefined, e => errors.push(e))).toBe(2);
    expect(errors.join('\n')).toContain('--out <dir> is missing');
  });
});

describe('cdk-shipyard import compose', () => {
  test('the shop file: published ports make a web service, exposed ports a backend its dependants call, neither a background service', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, '.import-'));
    try {
      const result = importCompose({ file: path.join(__dirname, 'corpus', 'compose', 'shop', 'compose.yaml'), outDir: dir });
      const src = path.relative(dir, path.join(ROOT, 'src')).split(path.sep).join('/');
      const appFile = path.join(dir, 'app.ts');
      fs.writeFileSync(appFile, result.files['app.ts'].replace(/from 'cdk-shipyard'/g, `from '${src}'`));
      expect(typeErrors(appFile)).toEqual([]);
      const stacks = synth(appFile, dir);
      expect(Object.keys(stacks)).toEqual(['Shop']);
      const t = stacks.Shop;
      const task = (prefix: string) => resourcesOf(t, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith(prefix))![1].Properties;
      // web: built from ./web, 0.5 vCPU and 1 GiB, two tasks, its health check in whole seconds.
      expect(task('Web')).toEqual(expect.objectContaining({ Cpu: '512', Memory: '1024', RuntimePlatform: expect.objectContaining({ CpuArchitecture: 'X86_64' }) }));
      expect(task('Web').ContainerDefinitions[0].HealthCheck).toEqual({
        Command: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://localhost:8080/'], Interval: 30, Timeout: 5, Retries: 3, StartPeriod: 10,
      });
      expect(resourcesOf(t, 'AWS::ECS::Service').find(([id]) => id.startsWith('Web'))![1].Properties.DesiredCount).toBe(2);
      // api: a Service Connect backend on 9000 that web and indexer call; 0.3 vCPU / 700 MiB rounded up to a Fargate size.
      expect(task('Api')).toEqual(expect.objectContaining({ Cpu: '512', Memory: '1024' }));
      expect(task('Api').ContainerDefinitions[0].PortMappings).toEqual([expect.objectContaining({ ContainerPort: 9000 })]);
      const intoApi = resourcesOf(t, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => JSON.stringify(r.Properties.GroupId).includes('ApiSecurityGroup'));
      expect(intoApi.map(([, r]) => JSON.stringify(r.Properties.SourceSecurityGroupId)).sort()).toEqual([
        expect.stringContaining('IndexerSecurityGroup'), expect.stringContaining('WebSecurityGroup'),
      ]);
      // indexer: no ports, so a BackgroundService; its named volume is task scratch space.
      expect(task('Indexer').ContainerDefinitions[0]).toEqual(expect.objectContaining({
        EntryPoint: ['/bin/index', '--watch'], WorkingDirectory: '/srv',
      }));
      expect(task('Indexer').ContainerDefinitions[0].PortMappings).toBeUndefined();
      expect(task('Indexer').Volumes).toEqual(expect.arrayContaining([{ Name: 'index-cache' }]));
      // What needs a person is a TODO: the env file, the variable without a value, the bind mount, the rounding.
      expect(result.files['app.ts']).toMatch(/TODO\(compose\): services\.api\.env_file/);
      expect(result.files['app.ts']).toMatch(/TODO\(compose\): services\.api\.environment\[1\].*FEATURE_FLAGS/);
      expect(result.files['app.ts']).toMatch(/TODO\(compose\): services\.indexer\.volumes\[1\].*bind mount/);
      expect(result.mapped).toBeGreaterThanOrEqual(20);
      expect(result.partial).toBeGreaterThanOrEqual(4);
      expect(result.files['app.ts'].match(/\/\/ TODO\(compose\): /g)!.length).toBeGreaterThanOrEqual(result.partial + result.unmapped);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fails with the file and the line for a port that is not one, and for a service without an image', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, '.import-ws-'));
    try {
      const file = path.join(dir, 'compose.yaml');
      fs.writeFileSync(file, 'services:\n  a:\n    image: x:1\n    ports:\n      - "eighty"\n');
      expect(() => importCompose({ file, outDir: path.join(dir, 'out') })).toThrow(/compose\.yaml:5: expected a port such as "8080:80"/);
      fs.writeFileSync(file, 'services:\n  a:\n    command: run\n');
      expect(() => importCompose({ file, outDir: path.join(dir, 'out') })).toThrow(/compose\.yaml:3: service a has neither image nor build/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
