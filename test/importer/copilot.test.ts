/**
 * The Copilot importer on a corpus written from the Copilot manifest specification: each
 * workspace is imported, the app it writes is type-checked against the library and
 * synthesized, and the templates are checked for what the manifests say.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { CORPUS, expectEveryTodoWritten, hasField, importInto, nodePaths, resourcesOf, ROOT, synth, typeErrors } from './harness';

/** The environment's stack and its workloads' stacks as one template (logical ids are unique across them). */
function stageTemplate(stacks: { [name: string]: any }, env: string): any {
  const parts = Object.entries(stacks).filter(([name]) => name === env || name.startsWith(`${env}-`)).map(([, t]) => t.Resources);
  const ids = parts.flatMap(r => Object.keys(r));
  expect(new Set(ids).size).toBe(ids.length);
  return { Resources: Object.assign({}, ...parts) };
}
import { main } from '../../src/cli/main';
import { importCopilot } from '../../src/importer/copilot';
import { ImportError } from '../../src/importer/source';

describe('cdk-shipyard import copilot', () => {
  test('the shop workspace: the app type-checks and synthesizes one stack per environment', () => {
    const { dir, appFile, result } = importInto(path.join(CORPUS, 'shop'));
    try {
      expect(typeErrors(appFile)).toEqual([]);
      const stacks = synth(appFile, dir);
      // As Copilot deployed: a stack per environment and one per workload in each.
      const workloads = ['Costs', 'Frontend', 'Orders', 'Report', 'Warmer'];
      expect(Object.keys(stacks).sort()).toEqual(['prod', 'test'].flatMap(e => [`Shop-${e}`, ...workloads.map(w => `Shop-${e}-${w}`)]));
      const prod = stageTemplate(stacks, 'Shop-prod');
      const test = stageTemplate(stacks, 'Shop-test');
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
      expectEveryTodoWritten(result);
      // Sidecars: nginx in front of frontend (the route reaches it on 80), envoy that orders waits for.
      const listenerTarget = resourcesOf(prod, 'AWS::ECS::Service').find(([id]) => id.startsWith('Frontend'))![1].Properties.LoadBalancers[0];
      expect(listenerTarget).toEqual(expect.objectContaining({ ContainerName: 'nginx', ContainerPort: 80 }));
      const nginx = frontendTask.ContainerDefinitions.find((c: any) => c.Name === 'nginx');
      expect(nginx.DependsOn).toEqual([{ ContainerName: 'app', Condition: 'START' }]);
      expect(nginx.ReadonlyRootFilesystem).toBe(false);
      expect(ordersTask.ContainerDefinitions[0].DependsOn).toEqual(expect.arrayContaining([{ ContainerName: 'envoy', Condition: 'HEALTHY' }]));
      expect(ordersTask.ContainerDefinitions.find((c: any) => c.Name === 'envoy').Secrets.map((x: any) => x.Name)).toEqual(['MESH_TOKEN']);
      // logging.retention sets the awslogs group's retention.
      const frontendLogs = resourcesOf(prod, 'AWS::Logs::LogGroup').filter(([id]) => id.startsWith('Frontend'));
      expect(frontendLogs.map(([, r]) => r.Properties.RetentionInDays)).toContain(14);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the everything workspace: every field of the specification, the app type-checks and synthesizes', () => {
    const { dir, appFile, result } = importInto(path.join(CORPUS, 'everything'));
    try {
      expect(typeErrors(appFile)).toEqual([]);
      const stacks = synth(appFile, dir, { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' });
      const workloads = ['Api', 'Jobs', 'Reports', 'Tcp', 'Web'];
      expect(Object.keys(stacks).sort()).toEqual(['prod', 'staging'].flatMap(e => [`Kitchen-${e}`, ...workloads.map(w => `Kitchen-${e}-${w}`)]));
      const prod = stageTemplate(stacks, 'Kitchen-prod');
      const staging = stageTemplate(stacks, 'Kitchen-staging');
      const task = (t: any, prefix: string) => resourcesOf(t, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith(prefix))![1].Properties;
      const service = (t: any, prefix: string) => resourcesOf(t, 'AWS::ECS::Service').find(([id]) => id.startsWith(prefix))![1].Properties;
      // Environments: prod's VPC is imported (no VPC resource), its listener has the SSL policy and both certificates;
      // staging's load balancer is internal.
      expect(resourcesOf(prod, 'AWS::EC2::VPC')).toHaveLength(0);
      const prodHttps = resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::Listener').find(([, l]) => l.Properties.Protocol === 'HTTPS')![1].Properties;
      expect(prodHttps.SslPolicy).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
      expect(resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::ListenerCertificate')).toHaveLength(1);
      expect(resourcesOf(stacks['Kitchen-staging'], 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0][1].Properties.Scheme).toBe('internal');
      expect(resourcesOf(staging, 'AWS::EC2::VPC')[0][1].Properties.CidrBlock).toBe('10.30.0.0/16');
      // Copilot's service discovery names, and the variable that holds them.
      expect(resourcesOf(prod, 'AWS::ServiceDiscovery::PrivateDnsNamespace')[0][1].Properties.Name).toBe('prod.kitchen.local');
      const web = task(prod, 'Web');
      const app = web.ContainerDefinitions.find((c: any) => c.Name === 'app');
      expect(app.Environment).toEqual(expect.arrayContaining([{ Name: 'COPILOT_SERVICE_DISCOVERY_ENDPOINT', Value: expect.anything() }]));
      expect(app.Environment).toEqual(expect.arrayContaining([{ Name: 'TABLE_NAME', Value: { 'Fn::ImportValue': 'kitchen-prod-TableName' } }]));
      expect(app.EnvironmentFiles).toHaveLength(1);
      expect(app.ReadonlyRootFilesystem).toBe(true);
      expect(app.DockerLabels).toEqual(expect.objectContaining({ 'com.example.team': 'storefront' }));
      // Volumes: scratch shared with the admin sidecar, EFS read-only unless read_only: false.
      expect(web.Volumes.map((v: any) => v.Name)).toEqual(expect.arrayContaining(['cache', 'exported', 'private', 'shared', 'uploads']));
      const admin = web.ContainerDefinitions.find((c: any) => c.Name === 'admin');
      expect(admin.MountPoints).toEqual([expect.objectContaining({ SourceVolume: 'cache', ContainerPath: '/var/cache/nginx', ReadOnly: false })]);
      expect(app.MountPoints).toEqual(expect.arrayContaining([expect.objectContaining({ SourceVolume: 'shared', ReadOnly: true })]));
      expect(resourcesOf(prod, 'AWS::EFS::AccessPoint').map(([, r]) => r.Properties.RootDirectory.Path)).toContain('/shared');
      // FireLens with the manifest's output, X-Ray tracing through the ADOT collector, registry credentials on a sidecar.
      expect(app.LogConfiguration.LogDriver).toBe('awsfirelens');
      expect(app.LogConfiguration.Options).toEqual(expect.objectContaining({ Name: 'cloudwatch', log_group_name: '/kitchen/web' }));
      expect(web.ContainerDefinitions.map((c: any) => c.Name)).toEqual(expect.arrayContaining(['admin', 'agent']));
      expect(web.ContainerDefinitions.find((c: any) => c.Name === 'agent').RepositoryCredentials).toBeDefined();
      // Routing: the path and its subtree, the admin rule to the sidecar on 9090, stickiness and HTTP/2 on the main target group.
      const rules = resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => JSON.stringify(r.Properties.Conditions));
      expect(rules.some(r => r.includes('/app/*'))).toBe(true);
      expect(rules.some(r => r.includes('/admin/*'))).toBe(true);
      const groups = resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::TargetGroup').filter(([id]) => id.startsWith('Web')).map(([, g]) => g.Properties);
      expect(groups.find(g => g.ProtocolVersion === 'HTTP2')!.TargetGroupAttributes).toEqual(expect.arrayContaining([{ Key: 'stickiness.enabled', Value: 'true' }]));
      expect(service(prod, 'Web').LoadBalancers).toEqual(expect.arrayContaining([expect.objectContaining({ ContainerName: 'admin', ContainerPort: 9090 })]));
      // The rollback alarms by name, the cooldowns, the FIFO topic.
      expect(service(prod, 'Web').DeploymentConfiguration.Alarms.AlarmNames).toEqual(expect.arrayContaining(['web-p99-latency', 'web-errors']));
      const cpuPolicy = resourcesOf(prod, 'AWS::ApplicationAutoScaling::ScalingPolicy')
        .find(([id, r]) => id.startsWith('Web') && r.Properties.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType?.startsWith('ECSServiceAverageCPUUtilization'))![1];
      expect(cpuPolicy.Properties.TargetTrackingScalingPolicyConfiguration)
        .toEqual(expect.objectContaining({ ScaleInCooldown: 300, ScaleOutCooldown: 60 }));
      expect(resourcesOf(prod, 'AWS::SNS::Topic').map(([, r]) => r.Properties?.FifoTopic)).toContain(true);
      // The NLB-only service is a NetworkService on 6379, its own internet-facing load balancer; recreate stops the old tasks first.
      const nlb = resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::LoadBalancer').find(([, r]) => r.Properties.Type === 'network')![1];
      expect(nlb.Properties.Scheme).toBe('internet-facing');
      expect(resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l.Properties.Port)).toEqual(expect.arrayContaining([6379, 6380]));
      expect(service(prod, 'Tcp').DeploymentConfiguration).toEqual(expect.objectContaining({ MinimumHealthyPercent: 0, MaximumPercent: 100 }));
      // The Backend Service with http: a web service behind an internal load balancer of its own, with its Service Connect alias.
      expect(JSON.stringify(service(prod, 'Api').ServiceConnectConfiguration)).toContain('api.kitchen');
      const schemes = resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::LoadBalancer').filter(([, r]) => r.Properties.Type !== 'network').map(([, r]) => r.Properties.Scheme);
      expect(schemes.sort()).toEqual(['internal', 'internet-facing']);
      expect(resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => JSON.stringify(r.Properties.Conditions)).some(c => c.includes('/api/*'))).toBe(true);
      // The worker: a FIFO queue, the filter policy's allowlist, the ledger topic's own queue.
      const queues = resourcesOf(prod, 'AWS::SQS::Queue').map(([, q]) => q.Properties);
      expect(queues.filter(q => q.FifoQueue).length).toBeGreaterThanOrEqual(2);
      const policies = resourcesOf(prod, 'AWS::SNS::Subscription').map(([, r]) => r.Properties.FilterPolicy).filter(p => p);
      expect(policies).toEqual([{ kind: ['order', 'refund'] }]);
      // The job: ARM64 from the platform map, every 6 hours, re-run twice.
      expect(task(prod, 'Reports').RuntimePlatform.CpuArchitecture).toBe('ARM64');
      expect(resourcesOf(prod, 'AWS::Scheduler::Schedule')[0][1].Properties.ScheduleExpression).toBe('rate(6 hours)');
      // Every TODO is counted, and the count is what the corpus has.
      expectEveryTodoWritten(result);
      expect(admin.DockerLabels).toEqual({ 'com.example.role': 'admin' });
      const proxy = task(prod, 'Api').ContainerDefinitions.find((c: any) => c.Name === 'proxy');
      expect(proxy.DockerLabels).toEqual({ 'com.example.role': 'proxy' });
      expect(proxy.DependsOn).toEqual([{ ContainerName: 'app', Condition: 'START' }]);
      expect(admin.EnvironmentFiles).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the corpus holds every field of the Copilot manifest specification at least once', () => {
    const spec = JSON.parse(fs.readFileSync(path.join(__dirname, 'copilot-spec-fields.json'), 'utf8')).fields as { [type: string]: string[] };
    // Every node path of every manifest of the corpus, by manifest type, list indexes left out.
    const seen: { [type: string]: Set<string> } = {};
    for (const workspace of fs.readdirSync(CORPUS)) {
      const root = path.join(CORPUS, workspace, 'copilot');
      const manifests = [
        ...fs.readdirSync(path.join(root, 'environments')).map(e => path.join(root, 'environments', e, 'manifest.yml')),
        ...fs.readdirSync(root).map(d => path.join(root, d, 'manifest.yml')).filter(f => fs.existsSync(f)),
      ];
      for (const file of manifests) {
        const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
        nodePaths(doc, seen[doc.type] ??= new Set());
        for (const sidecar of Object.values(doc.sidecars ?? {})) nodePaths(sidecar, seen['sidecars.*'] ??= new Set());
      }
    }
    // A field the service and job types share (http.healthcheck.path, storage.volumes) counts once, in any of them.
    const kind = (type: string) => type === 'Environment' || type === 'sidecars.*' ? type : 'workload';
    const union = (k: string) => new Set(Object.entries(seen).filter(([type]) => kind(type) === k).flatMap(([, paths]) => [...paths]));
    const missing = [...new Set(Object.entries(spec).flatMap(([type, fields]) => fields.map(field => `${kind(type)}: ${field}`)))]
      .filter(entry => { const [k, field] = entry.split(': '); return !hasField(field, union(k)); });
    expect(missing).toEqual([]);
  });

  test.each([
    ['a file that is not YAML', 'cpu: [1, 2\n', /manifest\.yml:\d+: is not valid YAML/],
    ['an unknown manifest type', 'name: x\ntype: Static Site\n', /manifest\.yml:2: Static Site: it is an S3 bucket behind CloudFront/],
    ['a field of the wrong type', 'name: x\ntype: Backend Service\nimage:\n  location: a/b:1\ncpu: lots\n', /manifest\.yml:5: expected a whole number for cpu, got "lots"/],
    ['a bad duration', 'name: x\ntype: Scheduled Job\non:\n  schedule: "@daily"\nimage:\n  location: a/b:1\ntimeout: soon\n', /manifest\.yml:7: expected a duration/],
    ['a log retention CloudWatch does not take', 'name: x\ntype: Backend Service\nimage:\n  location: a/b:1\nlogging:\n  retention: 15\n', /manifest\.yml:6: expected a retention CloudWatch Logs accepts .* got 15/],
    ['an nlb port that is not one', 'name: x\ntype: Load Balanced Web Service\nimage:\n  location: a/b:1\n  port: 80\nnlb:\n  port: web\n', /manifest\.yml:7: expected a port such as 80\/tcp/],
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

