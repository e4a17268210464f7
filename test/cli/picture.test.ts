/** `cdk-shipyard picture`: the stack pictures and the traffic view of a synthesized app, and its bad-input messages. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_ecs as ecs, aws_ecs_patterns as patterns, aws_rds as rds, aws_sqs as sqs } from 'aws-cdk-lib';
import { fails, run } from './harness';
import { readAssembly } from '../../src/cli/picture/assembly';
import { trafficOf } from '../../src/cli/picture/traffic';

const ROOT = path.join(__dirname, '..', '..');
const SHARED_ALB = path.join(ROOT, 'integ', 'integ.shared-alb.ts.snapshot');
const SERVICE_CONNECT = path.join(ROOT, 'integ', 'integ.service-connect.ts.snapshot');
const GRAPHVIZ = spawnSync('dot', ['-V']).status === 0;


let scratch: string;
beforeEach(() => { scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-shipyard-picture-')); });
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
/** The node names of a stack picture. */
const nodesOf = (dot: string) => [...dot.matchAll(/^ {4}"([^"]+)" \[label=/gm)].map(m => m[1]);

describe('cdk-shipyard picture on the shared-alb scenario', () => {
  test('writes one picture per stack of the manifest, drawn as the project\'s own pictures, and the traffic view', () => {
    const out = path.join(scratch, 'out');
    const { code, out: said, err } = run('picture', SHARED_ALB, '--out', out);
    expect([code, err]).toEqual([0, []]);
    const dots = fs.readdirSync(out).filter(f => f.endsWith('.dot')).sort();
    expect(dots).toEqual(['SharedAlbDefaultTestDeployAssert66C6A8C5.dot', 'ShipyardIntegSharedAlb.dot', 'traffic.dot']);
    const stack = read(out, 'ShipyardIntegSharedAlb.dot');
    // The same drawing as docs/pictures (npx projen pictures), under the stack's own title.
    expect(stack).toBe(read(path.join(ROOT, 'docs', 'pictures'), 'shared-alb.dot').split('shared-alb: ShipyardIntegSharedAlb').join('ShipyardIntegSharedAlb'));
    expect(nodesOf(stack)).toEqual([
      'AlarmTopic/Key', 'AlarmTopic/Topic',
      'Api/Alarms', 'Api/DeploymentFailed', 'Api/ListenerRule', 'Api/LogGroup', 'Api/SecurityGroup', 'Api/Service', 'Api/TargetGroup', 'Api/TaskDefinition',
      'Env/Cluster', 'Env/Dashboard', 'Env/FlowLogs', 'Env/HealthEvents', 'Env/Ingress/AccessLogs', 'Env/Ingress/LoadBalancer', 'Env/Ingress/SecurityGroup',
      'Env/LifecycleEvents', 'Env/LifecycleLog', 'Env/UnexpectedTaskStops', 'Env/Vpc',
      'Offices/Resource',
      'Site/Alarms', 'Site/DeploymentFailed', 'Site/ListenerRule', 'Site/LogGroup', 'Site/Route2Alias0', 'Site/Route2ListenerRule', 'Site/Route2TargetGroup',
      'Site/SecurityGroup', 'Site/Service', 'Site/TargetGroup', 'Site/TaskDefinition',
    ]);
    expect(said.join('\n')).toMatch(new RegExp(`^Wrote 3 pictures to ${out.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
  });

  test('the traffic view: internet, the shared load balancer, its listeners, their rules\' conditions, the two services with their 2 alarms each', () => {
    const traffic = trafficOf(readAssembly(SHARED_ALB));
    const lb = 'ShipyardIntegSharedAlb/Env/Ingress/LoadBalancer';
    expect(traffic.describeEdges()).toEqual([
      `${lb} -> ${lb}/HttpRedirect`,
      `${lb} -> ${lb}/Https`,
      `${lb}/HttpRedirect -> ${lb}/Https: redirect`,
      `${lb}/Https -> ShipyardIntegSharedAlb/Api: path /api/*; method GET,HEAD,POST`,
      // Rules in priority order: the host rule (25585) before the catch-all path (49240).
      `${lb}/Https -> ShipyardIntegSharedAlb/Site: host admin.integ.example.com | path /*`,
      `internet -> ${lb}`,
    ]);
    const out = path.join(scratch, 'out');
    expect(run('picture', SHARED_ALB, '--out', out).code).toBe(0);
    const dot = read(out, 'traffic.dot');
    // Counted by hand from the template: the CloudWatch alarms under Api/ and under Site/.
    expect(dot).toContain('"ShipyardIntegSharedAlb/Api" [label="ShipyardIntegSharedAlb/Api\\nECS service\\n2 alarms"');
    expect(dot).toContain('"ShipyardIntegSharedAlb/Site" [label="ShipyardIntegSharedAlb/Site\\nECS service\\n2 alarms"');
    expect(dot).toContain(`"${lb}/Https" [label="HTTPS :443\\ndefault: 404"`);
    expect(dot).toContain(`"${lb}/HttpRedirect" [label="HTTP :80\\ndefault: redirect to HTTPS:443"`);
    expect(dot).toContain(`"${lb}/Https" -> "ShipyardIntegSharedAlb/Site" [label="host admin.integ.example.com\\npath /*"];`);
  });

  test('the same assembly gives byte-identical files, .svg included where Graphviz is installed', () => {
    const [a, b] = [path.join(scratch, 'a'), path.join(scratch, 'b')];
    expect(run('picture', SHARED_ALB, '--out', a).code).toBe(0);
    expect(run('picture', path.relative(process.cwd(), SHARED_ALB), '--out', b).code).toBe(0);
    const files = fs.readdirSync(a).sort();
    expect(fs.readdirSync(b).sort()).toEqual(files);
    expect(files.filter(f => f.endsWith('.svg')).length).toBe(GRAPHVIZ ? 3 : 0);
    for (const f of files) expect([f, fs.readFileSync(path.join(b, f))]).toEqual([f, fs.readFileSync(path.join(a, f))]);
  });
});

describe('cdk-shipyard picture on the service-connect scenario', () => {
  test('the callers of the orders service reach it through Service Connect and its security group; alarms fold into each service', () => {
    const out = path.join(scratch, 'out');
    expect(run('picture', SERVICE_CONNECT, '--out', out).code).toBe(0);
    expect(nodesOf(read(out, 'ShipyardIntegServiceConnect.dot'))).toEqual([
      'Env/Cluster', 'Env/Dashboard', 'Env/FlowLogs', 'Env/Ingress/AccessLogs', 'Env/Ingress/LoadBalancer', 'Env/Ingress/SecurityGroup', 'Env/Vpc',
      'LegacyNames/Resource',
      'Orders/Alarms', 'Orders/LogGroup', 'Orders/SecurityGroup', 'Orders/Service', 'Orders/TaskDefinition', 'Orders/VpcLatticeRole',
      'OrdersLatticeTargets/OrdersLatticeTargets',
      'Poller/Alarms', 'Poller/LogGroup', 'Poller/SecurityGroup', 'Poller/Service', 'Poller/TaskDefinition',
      'Web/Alarms', 'Web/ListenerRule', 'Web/LogGroup', 'Web/SecurityGroup', 'Web/Service', 'Web/TargetGroup', 'Web/TaskDefinition',
    ]);
    const lb = 'ShipyardIntegServiceConnect/Env/Ingress/LoadBalancer';
    expect(trafficOf(readAssembly(SERVICE_CONNECT)).describeEdges()).toEqual([
      `${lb} -> ${lb}/Http`,
      `${lb}/Http -> ShipyardIntegServiceConnect/Web: path /*`,
      // ORDERS_URL=http://orders:80 names the orders client alias; the orders group admits both callers on 8080.
      'ShipyardIntegServiceConnect/Poller -> ShipyardIntegServiceConnect/Orders: Service Connect orders | tcp 8080',
      'ShipyardIntegServiceConnect/Web -> ShipyardIntegServiceConnect/Orders: Service Connect orders | tcp 8080',
      `internet -> ${lb}`,
    ]);
    const dot = read(out, 'traffic.dot');
    // By hand: Orders has its Degraded alarm and 2 scaling alarms under Orders/Service; Web Failing and Degraded; Poller Degraded.
    expect(dot).toContain('[label="ShipyardIntegServiceConnect/Orders\\nECS service\\n3 alarms"');
    expect(dot).toContain('[label="ShipyardIntegServiceConnect/Web\\nECS service\\n2 alarms"');
    expect(dot).toContain('[label="ShipyardIntegServiceConnect/Poller\\nECS service\\n1 alarm"');
    expect(dot).toContain('"ShipyardIntegServiceConnect/Web" -> "ShipyardIntegServiceConnect/Orders" [label="Service Connect orders\\ntcp 8080"];');
  });
});

/** A plain aws-ecs-patterns app (ApplicationLoadBalancedFargateService and a queue), as `cdk synth` writes it, under `stackPath`. */
function plainTemplate(stackPath: string, withPaths = true): any {
  const at = (p: string) => withPaths ? { Metadata: { 'aws:cdk:path': `${stackPath}/${p}` } } : {};
  return {
    Resources: {
      WebLB: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing', Type: 'application' }, ...at('Web/LB/Resource') },
      WebLBPublicListener: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: { LoadBalancerArn: { Ref: 'WebLB' }, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'WebLBPublicListenerECSGroup' } }] },
        ...at('Web/LB/PublicListener/Resource'),
      },
      WebLBPublicListenerECSGroup: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP', TargetType: 'ip' }, ...at('Web/LB/PublicListener/ECSGroup/Resource') },
      Jobs: { Type: 'AWS::SQS::Queue', ...at('Jobs/Resource') },
      WebTaskDef: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: { ContainerDefinitions: [{ Name: 'web', Image: 'nginx', Environment: [{ Name: 'JOBS_URL', Value: { Ref: 'Jobs' } }] }] },
        ...at('Web/TaskDef/Resource'),
      },
      WebService: {
        Type: 'AWS::ECS::Service',
        Properties: { TaskDefinition: { Ref: 'WebTaskDef' }, LoadBalancers: [{ ContainerName: 'web', ContainerPort: 80, TargetGroupArn: { Ref: 'WebLBPublicListenerECSGroup' } }] },
        ...at('Web/Service/Service'),
      },
      CpuAlarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: { MetricName: 'CPUUtilization', Namespace: 'AWS/ECS', Dimensions: [{ Name: 'ServiceName', Value: { 'Fn::GetAtt': ['WebService', 'Name'] } }] },
        ...at('CpuAlarm/Resource'),
      },
    },
  };
}

/** Write a cloud assembly: a manifest naming each stack's template, and the templates. */
function assembly(dir: string, stacks: { [id: string]: { template: unknown; displayName?: string } },
  nested: { [dir: string]: string } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const artifacts: Record<string, unknown> = {};
  for (const [id, { template, displayName }] of Object.entries(stacks)) {
    fs.writeFileSync(path.join(dir, `${id}.template.json`), typeof template === 'string' ? template : JSON.stringify(template));
    artifacts[id] = { type: 'aws:cloudformation:stack', ...displayName ? { displayName } : {}, properties: { templateFile: `${id}.template.json` } };
  }
  for (const [id, directoryName] of Object.entries(nested)) artifacts[id] = { type: 'cdk:cloud-assembly', properties: { directoryName } };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '36.0.0', artifacts }));
  return dir;
}

describe('cdk-shipyard picture on an app that does not use the library', () => {
  test('draws an aws-ecs-patterns service by its construct path: internet, load balancer, listener, service with its alarm, the queue it names', () => {
    const cdkOut = assembly(path.join(scratch, 'cdk.out'), { MyApp: { template: plainTemplate('MyApp') } });
    expect(run('picture', cdkOut, '--out', path.join(scratch, 'out')).code).toBe(0);
    const traffic = trafficOf(readAssembly(cdkOut));
    expect(traffic.describeEdges()).toEqual([
      'MyApp/Web -> MyApp/Jobs: env JOBS_URL',
      'MyApp/Web/LB -> MyApp/Web/LB/PublicListener',
      'MyApp/Web/LB/PublicListener -> MyApp/Web: default',
      'internet -> MyApp/Web/LB',
    ]);
    const dot = read(path.join(scratch, 'out'), 'traffic.dot');
    expect(dot).toContain('"MyApp/Web" [label="MyApp/Web\\nECS service\\n1 alarm"');
    expect(dot).toContain('"MyApp/Jobs" [label="MyApp/Jobs\\nSQS queue"');
    expect(nodesOf(read(path.join(scratch, 'out'), 'MyApp.dot'))).toEqual(['CpuAlarm/Resource', 'Jobs/Resource', 'Web/LB', 'Web/Service', 'Web/TaskDef']);
  });

  test('names resources by logical id where the template has no construct paths, and reads stages (nested assemblies)', () => {
    const cdkOut = assembly(path.join(scratch, 'cdk.out'), { Plain: { template: plainTemplate('Plain', false) } }, { 'assembly-Prod': 'assembly-Prod' });
    assembly(path.join(cdkOut, 'assembly-Prod'), { ProdMyApp1A2B3C4D: { template: plainTemplate('Prod/MyApp'), displayName: 'Prod/MyApp' } });
    const out = path.join(scratch, 'out');
    expect(run('picture', cdkOut, '--out', out).code).toBe(0);
    expect(fs.readdirSync(out).filter(f => f.endsWith('.dot')).sort()).toEqual(['Plain.dot', 'ProdMyApp1A2B3C4D.dot', 'traffic.dot']);
    expect(nodesOf(read(out, 'ProdMyApp1A2B3C4D.dot'))).toEqual(['CpuAlarm/Resource', 'Jobs/Resource', 'Web/LB', 'Web/Service', 'Web/TaskDef']);
    expect(trafficOf(readAssembly(cdkOut)).describeEdges()).toEqual([
      'Plain/WebLB -> Plain/WebLBPublicListener',
      'Plain/WebLBPublicListener -> Plain/WebService: default',
      'Plain/WebService -> Plain/Jobs: env JOBS_URL',
      'Prod/MyApp/Web -> Prod/MyApp/Jobs: env JOBS_URL',
      'Prod/MyApp/Web/LB -> Prod/MyApp/Web/LB/PublicListener',
      'Prod/MyApp/Web/LB/PublicListener -> Prod/MyApp/Web: default',
      'internet -> Plain/WebLB',
      'internet -> Prod/MyApp/Web/LB',
    ]);
    expect(read(out, 'traffic.dot')).toContain('"Plain/WebService" [label="Plain/WebService\\nECS service\\n1 alarm"');
  });

  test.each([
    ['exports (Fn::ImportValue)', {}],
    // What `cdk init` now sets: references read the other stack's outputs (Fn::GetStackOutput).
    ['weak references (Fn::GetStackOutput)', { '@aws-cdk/core:defaultCrossStackReferences': 'weak' }],
  ])('draws a synthesized aws-ecs-patterns app across two stacks, with %s: the queue, and the database through its secret and its security group', (_how, references) => {
    // As `cdk synth` writes it (the CLI turns path metadata on); the network and database in one stack, the services in another.
    const app = new App({ outdir: path.join(scratch, 'cdk.out'), context: { 'aws:cdk:enable-path-metadata': true, ...references } });
    const net = new Stack(app, 'Net');
    const vpc = new ec2.Vpc(net, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new ecs.Cluster(net, 'Cluster', { vpc });
    const db = new rds.DatabaseCluster(net, 'Db', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }), writer: rds.ClusterInstance.serverlessV2('writer'), vpc,
    });
    const stack = new Stack(app, 'Apps');
    const queue = new sqs.Queue(stack, 'Jobs');
    const web = new patterns.ApplicationLoadBalancedFargateService(stack, 'Web', {
      cluster,
      taskImageOptions: { image: ecs.ContainerImage.fromRegistry('nginx'), environment: { JOBS: queue.queueUrl }, secrets: { DB: ecs.Secret.fromSecretsManager(db.secret!, 'password') } },
    });
    queue.grantSendMessages(web.taskDefinition.taskRole);
    web.service.connections.allowToDefaultPort(db);
    new cloudwatch.Alarm(stack, 'WebCpu', { metric: web.service.metricCpuUtilization(), threshold: 90, evaluationPeriods: 1 });
    new patterns.QueueProcessingFargateService(stack, 'Worker', { cluster, queue, image: ecs.ContainerImage.fromRegistry('busybox') });
    app.synth();
    const template = fs.readFileSync(path.join(scratch, 'cdk.out', 'Apps.template.json'), 'utf8');
    expect(template).toContain(Object.keys(references).length > 0 ? 'Fn::GetStackOutput' : 'Fn::ImportValue');
    const out = path.join(scratch, 'out');
    expect(run('picture', path.join(scratch, 'cdk.out'), '--out', out).code).toBe(0);
    expect(fs.readdirSync(out).filter(f => f.endsWith('.dot')).sort()).toEqual(['Apps.dot', 'Net.dot', 'traffic.dot']);
    expect(trafficOf(readAssembly(path.join(scratch, 'cdk.out'))).describeEdges()).toEqual([
      'Apps/Web -> Apps/Jobs: env JOBS | task role',
      // The secret is attached to the cluster; the port is the cluster's (a Fn::GetAtt, known at deploy), both across stacks (Fn::ImportValue).
      'Apps/Web -> Net/Db: secret DB | tcp ?',
      'Apps/Web/LB -> Apps/Web/LB/PublicListener',
      'Apps/Web/LB/PublicListener -> Apps/Web: default',
      'Apps/Worker/QueueProcessingFargateService -> Apps/Jobs: env QUEUE_NAME | task role',
      'internet -> Apps/Web/LB',
    ]);
    const dot = read(out, 'traffic.dot');
    expect(dot).toContain('"Apps/Web" [label="Apps/Web\\nECS service\\n1 alarm"');
    // The pattern's two step-scaling alarms on the queue's backlog, under the worker's construct.
    expect(dot).toContain('"Apps/Worker/QueueProcessingFargateService" [label="Apps/Worker/QueueProcessingFargateService\\nECS service\\n2 alarms"');
    expect(dot).toContain('"Net/Db" [label="Net/Db\\nRDS cluster", fillcolor="#f1eafb", shape=cylinder];');
  });

  test('an internal load balancer is reached from the VPC; a condition resolved at deploy shows as ?; Service Connect needs one namespace', () => {
    const sc = (namespace: string, extra: object) => ({ ServiceConnectConfiguration: { Enabled: true, Namespace: namespace, ...extra } });
    const task = (url: string) => ({ Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Name: 'app', Environment: [{ Name: 'URL', Value: url }] }] } });
    const template = {
      Resources: {
        Nlb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internal', Type: 'network' } },
        Tcp: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: { Ref: 'Nlb' }, Port: 6379, Protocol: 'TCP', DefaultActions: [] } },
        Rule: {
          Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
          Properties: { ListenerArn: { Ref: 'Tcp' }, Priority: 1, Actions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Tg' } }], Conditions: [{ Field: 'host-header', Values: [{ Ref: 'Host' }] }] },
        },
        Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup' },
        Cache: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'CacheTask' }, LoadBalancers: [{ TargetGroupArn: { Ref: 'Tg' } }], ...sc('shop', { Services: [{ PortName: 'redis', ClientAliases: [{ DnsName: 'cache', Port: 6379 }] }] }) } },
        CacheTask: task('none'),
        Same: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'SameTask' }, ...sc('shop', {}) } },
        SameTask: task('redis://cache:6379/0'),
        Other: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: { Ref: 'OtherTask' }, ...sc('billing', {}) } },
        OtherTask: task('redis://cache:6379/0'),
      },
      Parameters: { Host: { Type: 'String' } },
    };
    const cdkOut = assembly(path.join(scratch, 'cdk.out'), { Cache: { template } });
    expect(trafficOf(readAssembly(cdkOut)).describeEdges()).toEqual([
      'Cache/Nlb -> Cache/Tcp',
      'Cache/Same -> Cache/Cache: Service Connect cache',
      'Cache/Tcp -> Cache/Cache: host ?',
      'VPC -> Cache/Nlb',
    ]);
  });

  test('says once that it wrote .dot only, and how to install Graphviz, when dot is not on PATH', () => {
    const cdkOut = assembly(path.join(scratch, 'cdk.out'), { MyApp: { template: plainTemplate('MyApp') } });
    const pathVariable = process.env.PATH;
    process.env.PATH = path.join(scratch, 'no-graphviz-here');
    try {
      const { code, out, err } = run('picture', cdkOut, '--out', path.join(scratch, 'out'));
      expect([code, err]).toEqual([0, []]);
      expect(out.filter(l => /\.dot only/.test(l))).toEqual([expect.stringMatching(/^Wrote \.dot only: Graphviz's dot is not on PATH; install Graphviz .*apt-get install graphviz/)]);
      expect(fs.readdirSync(path.join(scratch, 'out')).sort()).toEqual(['MyApp.dot', 'traffic.dot']);
    } finally {
      process.env.PATH = pathVariable;
    }
  });
});

describe('cdk-shipyard picture on bad input', () => {
  test('fails when the directory does not exist, naming it and how to make it (cdk.out by default)', () => {
    const missing = path.join(scratch, 'nothing');
    fails(1, new RegExp(`^cdk-shipyard picture: ${missing}: no such directory\\. Synthesize the app first \\(\`npx cdk synth\` writes cdk\\.out\\)`), 'picture', missing, '--out', path.join(scratch, 'out'));
    expect(fs.existsSync(path.join(scratch, 'out'))).toBe(false);
    const cwd = process.cwd();
    process.chdir(scratch);
    try {
      fails(1, /^cdk-shipyard picture: cdk\.out: no such directory/, 'picture', '--out', 'out');
    } finally {
      process.chdir(cwd);
    }
  });

  test('fails when the directory has no manifest.json, or is a file', () => {
    fails(1, new RegExp(`^cdk-shipyard picture: ${scratch} has no manifest\\.json, so it is not a cloud assembly: name the directory \`cdk synth\` wrote`), 'picture', scratch, '--out', path.join(scratch, 'out'));
    fs.writeFileSync(path.join(scratch, 'file'), '');
    fails(1, /^cdk-shipyard picture: .*\/file is a file, not a cloud assembly/, 'picture', path.join(scratch, 'file'), '--out', path.join(scratch, 'out'));
  });

  test('fails when a template is not CloudFormation JSON, naming the file', () => {
    const yaml = assembly(path.join(scratch, 'yaml'), { App: { template: 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n' } });
    fails(1, new RegExp(`^cdk-shipyard picture: ${yaml}/App\\.template\\.json is not CloudFormation JSON \\(.*\\): synthesize the app again`), 'picture', yaml, '--out', path.join(scratch, 'out'));
    const noResources = assembly(path.join(scratch, 'json'), { App: { template: { Hello: 'world' } } });
    fails(1, /App\.template\.json is not CloudFormation JSON: it has no Resources object/, 'picture', noResources, '--out', path.join(scratch, 'out'));
    fs.writeFileSync(path.join(noResources, 'manifest.json'), '{ not json');
    fails(1, /json\/manifest\.json is not JSON \(.*\): synthesize the app again/, 'picture', noResources, '--out', path.join(scratch, 'out'));
  });

  test('fails when --out names a file', () => {
    fs.writeFileSync(path.join(scratch, 'taken'), '');
    fails(1, /^cdk-shipyard picture: cannot write to .*\/taken \(EEXIST.*\): name a directory you can write with --out$/, 'picture', SHARED_ALB, '--out', path.join(scratch, 'taken'));
  });

  test.each([
    [['picture', 'cdk.out', '--out', 'o', '--verbose'], /^unknown option --verbose\n\nUsage:/],
    [['picture', 'cdk.out', 'other.out', '--out', 'o'], /^unexpected argument other\.out: picture reads one cloud assembly/],
    [['picture', 'cdk.out'], /^--out <dir> is missing/],
    [['picture', 'cdk.out', '--out'], /^--out needs a value/],
  ])('exits 2 on a command line it cannot read: %j', (argv, message) => fails(2, message, ...argv));
});

describe('cdk-shipyard picture on the ecs-gateway scenario', () => {
  const GATEWAY = path.join(ROOT, 'integ', 'integ.ecs-gateway.ts.snapshot');

  test('the traffic view goes from the internet through the ECS gateway to each service that joins it, on the port its connector names', () => {
    const traffic = trafficOf(readAssembly(GATEWAY));
    const gateway = 'ShipyardIntegEcsGateway/Env/Gateway';
    expect(traffic.describeEdges()).toEqual([
      `${gateway} -> ShipyardIntegEcsGateway/Api: host name of its own, port http\npublic`,
      `${gateway} -> ShipyardIntegEcsGateway/Site: host name of its own, port http\npublic`,
      `internet -> ${gateway}`,
    ]);
    // The integ app's gateway allows at most 2 load balancers (MaxAlbCount).
    expect(traffic.render('traffic')).toContain(`"${gateway}" [label="${gateway}\\nECS gateway, internet-facing, at most 2 load balancers"`);
  });

  test('a service that joins a gateway through an imported cluster, in an app with no gateway, goes to a gateway outside the app', () => {
    const template = JSON.parse(read(GATEWAY, 'ShipyardIntegEcsGateway.template.json'));
    for (const [id, r] of Object.entries<any>(template.Resources)) {
      if (r.Type === 'AWS::ECS::Gateway' || r.Type === 'AWS::ECS::GatewayClusterAssociations') delete template.Resources[id];
      if (r.Type === 'AWS::ECS::Service') r.Properties.Cluster = 'imported-cluster';
    }
    const dir = path.join(scratch, 'assembly');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'Gw.template.json'), JSON.stringify(template));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      version: '36.0.0', artifacts: { Gw: { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: 'Gw.template.json' } } },
    }));
    const edges = trafficOf(readAssembly(dir)).describeEdges();
    expect(edges.filter(e => e.startsWith('ECS gateway (outside this app) ->'))).toHaveLength(2);
  });
});

describe('cdk-shipyard picture on ECS Express Mode services', () => {
  test('each is a service reached through its own managed ingress: from the internet, or from the VPC in private subnets', () => {
    const resources = {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: {} },
      Private: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, MapPublicIpOnLaunch: false } },
      Public: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, MapPublicIpOnLaunch: true } },
      Site: {
        Type: 'AWS::ECS::ExpressGatewayService',
        Properties: { ExecutionRoleArn: 'arn:role', InfrastructureRoleArn: 'arn:role', PrimaryContainer: { Image: 'nginx', ContainerPort: 8080 } },
      },
      Inner: {
        Type: 'AWS::ECS::ExpressGatewayService',
        Properties: {
          ExecutionRoleArn: 'arn:role',
          InfrastructureRoleArn: 'arn:role',
          PrimaryContainer: { Image: 'nginx' },
          NetworkConfiguration: { Subnets: [{ Ref: 'Private' }] },
        },
      },
      Outer: {
        Type: 'AWS::ECS::ExpressGatewayService',
        Properties: {
          ExecutionRoleArn: 'arn:role',
          InfrastructureRoleArn: 'arn:role',
          PrimaryContainer: { Image: 'nginx' },
          NetworkConfiguration: { Subnets: [{ Ref: 'Public' }, { Ref: 'Private' }] },
        },
      },
    };
    const dir = path.join(scratch, 'express');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'Ex.template.json'), JSON.stringify({ Resources: resources }));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
      version: '36.0.0', artifacts: { Ex: { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: 'Ex.template.json' } } },
    }));
    const traffic = trafficOf(readAssembly(dir));
    // Site names no subnets (the default VPC's public ones), Outer has a public one: internet-facing; Inner only a private one: internal.
    // The port is the primary container's, 80 when it names none (Express Mode's default).
    expect(traffic.describeEdges()).toEqual([
      'Ex/Inner ingress -> Ex/Inner: URL of its own, port 80',
      'Ex/Outer ingress -> Ex/Outer: URL of its own, port 80',
      'Ex/Site ingress -> Ex/Site: URL of its own, port 8080',
      'VPC -> Ex/Inner ingress',
      'internet -> Ex/Outer ingress',
      'internet -> Ex/Site ingress',
    ]);
    const dot = traffic.render('traffic');
    expect(dot).toContain('"Ex/Site" [label="Ex/Site\\nECS Express Mode service"');
    expect(dot).toContain('"Ex/Inner ingress" [label="Ex/Inner ingress\\nload balancer managed by ECS Express Mode, internal"');
  });
});
