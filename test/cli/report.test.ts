/** `cdk-shipyard report`: what a synthesized app creates, its deploy times, alarms, acknowledgements and warnings; and `--compare`. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, App, CfnResource, Stack, Stage, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as actions, aws_ecs as ecs, aws_ecs_patterns as patterns, aws_sns as sns } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import { fails, run } from './harness';
import { readAssembly } from '../../src/cli/picture/assembly';
import { modelDeploy } from '../../src/cli/report/deploy-model';
import { reportOf } from '../../src/cli/report/facts';

const ROOT = path.join(__dirname, '..', '..');
const SHARED_ALB = path.join(ROOT, 'integ', 'integ.shared-alb.ts.snapshot');
const SERVICE_CONNECT = path.join(ROOT, 'integ', 'integ.service-connect.ts.snapshot');

/** The JSON report (or comparison) of the command line. */
function json(...argv: string[]): any {
  const { code, out, err } = run(...argv);
  expect([code, err]).toEqual([0, []]);
  return JSON.parse(out.join('\n'));
}

let scratch: string;
beforeEach(() => { scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-shipyard-report-')); });
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

const stackOf = (report: any, id: string) => report.stacks.find((s: any) => s.id === id);
const templateOf = (dir: string, id: string) => JSON.parse(fs.readFileSync(path.join(dir, `${id}.template.json`), 'utf8'));

describe('cdk-shipyard report on the shared-alb scenario', () => {
  test('counts the resources by type and the quota headroom, as counted by hand', () => {
    const stack = stackOf(json('report', SHARED_ALB, '--json'), 'ShipyardIntegSharedAlb');
    // By hand: jq '.Resources|length' → 88; '[.Resources[]|.Type]|group_by(.)|map({(.[0]):length})|add'.
    expect(stack.resources.total).toBe(88);
    expect(Object.keys(stack.resources.byType)).toHaveLength(40);
    expect(stack.resources.byType).toMatchObject({
      'AWS::CloudWatch::Alarm': 4,
      'AWS::ECS::Service': 2,
      'AWS::ECS::TaskDefinition': 2,
      'AWS::EC2::Subnet': 4,
      'AWS::IAM::Role': 6,
      'AWS::Events::Rule': 7,
      'AWS::ElasticLoadBalancingV2::TargetGroup': 3,
      'AWS::ElasticLoadBalancingV2::ListenerRule': 3,
      'Custom::VpcRestrictDefaultSG': 1,
    });
    // By hand: 3 outputs, 1 parameter (BootstrapVersion), `wc -c` 92122 bytes.
    expect(stack.quotas).toEqual({
      resources: { used: 88, limit: 500, left: 412 },
      outputs: { used: 3, limit: 200, left: 197 },
      parameters: { used: 1, limit: 200, left: 199 },
      templateBytes: { used: 92122, limit: 1000000, left: 907878 },
    });
  });

  test('the modeled deploy times are the benchmark model\'s on the same template', () => {
    const template = templateOf(SHARED_ALB, 'ShipyardIntegSharedAlb');
    const stack = stackOf(json('report', SHARED_ALB, '--json'), 'ShipyardIntegSharedAlb');
    const model = modelDeploy(template);
    expect(stack.deploy.createSeconds).toBe(model.createSeconds);
    expect(stack.deploy.createPath.map((s: any) => `${s.logicalId} ${s.doneAt}`)).toEqual(model.createPath);
    expect(stack.deploy.newImageSeconds).toBe(model.newImageSeconds);
    // A new image, SAFE preset, 1 task: task definition 3 + task start 45 + first 5 s check + 60 s bake (docs/benchmark.md).
    expect(stack.deploy.newImageSeconds).toBe(113);
    const api = stack.workloads.find((w: any) => w.id === 'ShipyardIntegSharedAlb/Api');
    expect(api.deploy.newImageSeconds).toBe(113);
    expect(api.deploy.newImageTerms.map((t: any) => [t.what, t.seconds, t.source.startsWith('estimate')])).toEqual([
      ['new task definition', 3, true], ['task start', 45, true], ['first health check', 5, false], ['alarm bake', 60, false],
    ]);
    // Adding the service: the same model over the resources under Api/.
    const paths = readAssembly(SHARED_ALB).find(s => s.id === 'ShipyardIntegSharedAlb')!.paths;
    const own = new Set([...paths].filter(([, p]) => p.startsWith('ShipyardIntegSharedAlb/Api/')).map(([id]) => id));
    // By hand: the 18 logical ids under /ShipyardIntegSharedAlb/Api/ in ShipyardIntegSharedAlb.metadata.json.
    expect(own.size).toBe(18);
    expect(api.resources).toBe(own.size);
    expect(api.deploy.addServiceSeconds).toBe(modelDeploy(template, id => own.has(id)).addServiceSeconds);
    expect(api.deploy.addServicePath.map((s: any) => `${s.logicalId} ${s.doneAt}`)).toEqual(modelDeploy(template, id => own.has(id)).addServicePath);
  });

  test('lists the alarms of a service: 2, both paging the alarm topic, Failing rolling a deployment back', () => {
    const stack = stackOf(json('report', SHARED_ALB, '--json'), 'ShipyardIntegSharedAlb');
    const api = stack.workloads.find((w: any) => w.id === 'ShipyardIntegSharedAlb/Api');
    // By hand: the 2 AWS::CloudWatch::Alarm under Api/Alarms, each with AlarmActions [Ref AlarmTopic];
    // DeploymentConfiguration.Alarms.AlarmNames names Failing.
    expect(api.alarms).toHaveLength(2);
    expect(api.alarms.filter((a: any) => a.pages).length).toBe(2);
    expect(new Set(api.alarms.flatMap((a: any) => a.topics))).toEqual(new Set(['ShipyardIntegSharedAlb/AlarmTopic/Topic']));
    expect(api.alarms.filter((a: any) => a.rollsBack).map((a: any) => a.name)).toEqual([
      'ShipyardIntegSharedAlb-Api-8CFC87C8-Failing',
    ]);
    expect(api.alarms.find((a: any) => a.name.endsWith('Degraded'))).toMatchObject({
      metric: 'math expression', threshold: 100, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1,
    });
  });

  test('the JSON has stable keys', () => {
    const report = json('report', SHARED_ALB, '--json');
    expect(Object.keys(report)).toEqual(['version', 'assembly', 'stacks']);
    expect(report.stacks.map((s: any) => s.id)).toEqual(['SharedAlbDefaultTestDeployAssert66C6A8C5', 'ShipyardIntegSharedAlb']);
    const stack = stackOf(report, 'ShipyardIntegSharedAlb');
    expect(Object.keys(stack)).toEqual(['id', 'displayName', 'stackName', 'templateFile', 'resources', 'quotas', 'deploy', 'workloads', 'acknowledgements', 'warnings', 'cost']);
    expect(Object.keys(stack.cost)).toEqual(['region', 'regionAssumed', 'noPrices', 'hoursPerMonth', 'total', 'developmentTotal', 'lines', 'notEstimated', 'usageRates', 'pricesRead', 'sources']);
    // The integ app's stacks are environment-agnostic: no region, so no estimate (null, not a missing key).
    expect(stack.cost).toMatchObject({ region: null, total: null, developmentTotal: null, lines: [], pricesRead: null });
    expect(Object.keys(stack.deploy)).toEqual(['createSeconds', 'createPath', 'newImageSeconds']);
    expect(Object.keys(stack.deploy.createPath[0])).toEqual(['resource', 'logicalId', 'type', 'seconds', 'doneAt', 'source', 'terms']);
    expect(Object.keys(stack.workloads[0])).toEqual(['id', 'kind', 'serviceLogicalId', 'resources', 'deploy', 'alarms']);
    expect(Object.keys(stack.workloads[0].alarms[0])).toEqual(['name', 'logicalId', 'metric', 'threshold', 'comparison', 'evaluationPeriods', 'pages', 'topics', 'otherActions', 'rollsBack']);
    expect(Object.keys(stack.acknowledgements[0])).toEqual(['tool', 'resource', 'rule', 'reason', 'appliesTo']);
    // The DeployAssert stack has no ECS service: no new-image figure, and null rather than a missing key.
    expect(stackOf(report, 'SharedAlbDefaultTestDeployAssert66C6A8C5').deploy.newImageSeconds).toBeNull();
  });

  test('the text fits in 100 columns and names every section', () => {
    const { code, out, err } = run('report', SHARED_ALB);
    expect([code, err]).toEqual([0, []]);
    expect(out.filter(l => l.length > 100)).toEqual([]);
    const text = out.join('\n');
    for (const heading of ['Stack ShipyardIntegSharedAlb (ShipyardIntegSharedAlb.template.json)', 'What it creates: 88 resources of 40 types',
      'Quota headroom (AWS CloudFormation quotas, per stack)', 'first create', 'Workload ShipyardIntegSharedAlb/Api', 'Alarms: 2 (2 page, 1 roll a deployment back)',
      'Acknowledged findings: 55 (cdk-nag 55, cfn-guard 0)', 'Warnings: 0']) expect(text).toContain(heading);
    expect(text).toMatch(/^ {4}resources {15}88 of 500 {14}412 left \(18% used\)$/m);
    expect(text).toMatch(/^ {4}new image, all {8}113 s/m);
  });
});

describe('cdk-shipyard report on the service-connect scenario', () => {
  test('acknowledged findings and the library\'s warning, with its id', () => {
    const stack = stackOf(json('report', SERVICE_CONNECT, '--json'), 'ShipyardIntegServiceConnect');
    // By hand: jq '[.Resources[] | (.Metadata.cdk_nag.rules_to_suppress // []) | length] | add' → 86.
    expect(stack.acknowledgements).toHaveLength(86);
    expect(stack.acknowledgements.every((a: any) => a.tool === 'cdk-nag' && a.reason.length >= 10)).toBe(true);
    expect(stack.warnings).toEqual([{
      path: 'ShipyardIntegServiceConnect/Env/Ingress',
      id: 'cdk-shipyard:plain-http',
      message: 'the shared load balancer serves plain HTTP: traffic is not encrypted. Pass ingress.certificate or ingress.domain to serve HTTPS.',
    }]);
  });

  test('scaling alarms act on their policy and do not page; no service here rolls back on alarms', () => {
    const stack = stackOf(json('report', SERVICE_CONNECT, '--json'), 'ShipyardIntegServiceConnect');
    // By hand: Orders has its Degraded alarm (no AlarmActions: the scenario has no alarm topic) and 2 step-scaling alarms.
    const orders = stack.workloads.find((w: any) => w.id === 'ShipyardIntegServiceConnect/Orders');
    expect(orders.alarms).toHaveLength(3);
    expect(orders.alarms.filter((a: any) => a.pages)).toEqual([]);
    expect(orders.alarms.filter((a: any) => a.otherActions.length > 0).map((a: any) => a.metric)).toEqual(['ShipyardInteg/Orders/PendingOrders', 'ShipyardInteg/Orders/PendingOrders']);
    expect(stack.workloads.flatMap((w: any) => w.alarms).filter((a: any) => a.rollsBack)).toEqual([]);
    // By hand: 81 resources, 4 outputs (the exports the integ assertions read), 1 parameter (BootstrapVersion).
    expect([stack.resources.total, stack.quotas.outputs.used, stack.quotas.parameters.used]).toEqual([81, 4, 1]);
    const template = templateOf(SERVICE_CONNECT, 'ShipyardIntegServiceConnect');
    const model = modelDeploy(template);
    expect([stack.deploy.createSeconds, stack.deploy.newImageSeconds]).toEqual([model.createSeconds, model.newImageSeconds]);
    expect(run('report', SERVICE_CONNECT).out.filter(l => l.length > 100)).toEqual([]);
  });
});

describe('cdk-shipyard report --compare', () => {
  /** A copy of the shared-alb assembly without the resources under Site/. */
  function withoutSite(): string {
    const dir = path.join(scratch, 'without-site');
    fs.cpSync(SHARED_ALB, dir, { recursive: true });
    const file = path.join(dir, 'ShipyardIntegSharedAlb.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const site = readAssembly(SHARED_ALB).find(s => s.id === 'ShipyardIntegSharedAlb')!.paths;
    for (const [id, p] of site) if (p.startsWith('ShipyardIntegSharedAlb/Site/')) delete template.Resources[id];
    fs.writeFileSync(file, JSON.stringify(template, null, 1));
    return dir;
  }

  test('lists what removing a service does: its resources by kind, its alarms and acknowledgements, and the deploy times', () => {
    const after = withoutSite();
    const comparison = json('report', after, '--compare', SHARED_ALB, '--json');
    expect(Object.keys(comparison)).toEqual(['version', 'before', 'after', 'stacks']);
    const [assert, stack] = comparison.stacks;
    expect(assert.status).toBe('unchanged');
    expect(stack.status).toBe('changed');
    // By hand: the 18 resources under Site/ (jq on the metadata's logical ids), 2 of them alarms.
    expect([stack.resources.before, stack.resources.after, stack.resources.removed.length, stack.resources.added]).toEqual([88, 70, 18, []]);
    expect(stack.resources.byType['AWS::CloudWatch::Alarm']).toBe(-2);
    expect(stack.resources.byType['AWS::ECS::Service']).toBe(-1);
    expect(stack.resources.removed).toContainEqual({ resource: 'Site/Service/Service', type: 'AWS::ECS::Service' });
    expect(stack.alarms.removed.map((a: any) => a.name)).toHaveLength(2);
    expect(stack.alarms.removed.filter((a: any) => /rolls a deployment back/.test(a.text))).toHaveLength(1);
    expect(stack.alarms.added).toEqual([]);
    // By hand: Site/LogGroup 3 + the execution role's policy 4.
    expect(stack.acknowledgements.removed).toHaveLength(7);
    expect(stack.workloads.find((w: any) => w.id === 'ShipyardIntegSharedAlb/Site')).toEqual({
      id: 'ShipyardIntegSharedAlb/Site', addServiceSeconds: { before: 128, after: null }, newImageSeconds: { before: 113, after: null },
    });
    const text = run('report', after, '--compare', SHARED_ALB).out;
    expect(text.filter(l => l.length > 100)).toEqual([]);
    expect(text).toContain('Stack ShipyardIntegSharedAlb: changed');
    expect(text).toContain('    removed    2 AWS::CloudWatch::Alarm');
    expect(text).toContain('  Alarms: 0 added, 2 removed');
    expect(text).toContain('      add this service     128 s -> none');
  });

  test('the same app twice: every stack unchanged, nothing listed', () => {
    const comparison = json('report', SHARED_ALB, '--compare', SHARED_ALB, '--json');
    expect(comparison.stacks.map((s: any) => s.status)).toEqual(['unchanged', 'unchanged']);
    expect(run('report', SHARED_ALB, '--compare', SHARED_ALB).out.filter(l => l.startsWith('Stack '))).toEqual([
      'Stack SharedAlb/DefaultTest/DeployAssert: unchanged', 'Stack ShipyardIntegSharedAlb: unchanged',
    ]);
  });

  test('two different apps: stacks only in one are added or removed', () => {
    const comparison = json('report', SERVICE_CONNECT, '--compare', SHARED_ALB, '--json');
    expect(comparison.stacks.map((s: any) => [s.stack, s.status])).toEqual([
      ['ServiceConnect/DefaultTest/DeployAssert', 'added'],
      ['SharedAlb/DefaultTest/DeployAssert', 'removed'],
      ['ShipyardIntegServiceConnect', 'added'],
      ['ShipyardIntegSharedAlb', 'removed'],
    ]);
    expect(comparison.stacks[3].createSeconds.after).toBeNull();
    expect(comparison.stacks[3].alarms.removed).toHaveLength(4);
  });
});

describe('cdk-shipyard report on the managed-instances scenario', () => {
  test('a managed daemon is a workload: adding it, and a new revision that replaces the instances batch by batch', () => {
    const report = json('report', path.join(ROOT, 'integ', 'integ.managed-instances.ts.snapshot'), '--json');
    const stack = stackOf(report, 'ShipyardIntegManagedInstances');
    const agent = stack.workloads.find((w: any) => w.id === 'ShipyardIntegManagedInstances/LogAgent');
    expect(agent).toEqual(expect.objectContaining({ kind: 'daemon', serviceLogicalId: expect.stringMatching(/^LogAgentDaemon/), alarms: [] }));
    // By hand: drainPercent 25 gives up to 4 batches; each an instance start (90 s) and a daemon
    // task start (45 s); bakeTime 1 minute between them (3 x 60 s); the task definition 3 s.
    expect(agent.deploy.newImageTerms.map((t: any) => t.seconds)).toEqual([3, 4 * 90, 4 * 45, 3 * 60]);
    expect(agent.deploy.newImageSeconds).toBe(723);
    // Its own resources: roles, the execution role's policy, the log group, the two ECS resources.
    expect(agent.deploy.addServicePath.map((s: any) => s.type)).toEqual(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::ECS::Daemon']);
    expect(agent.deploy.addServiceSeconds).toBe(10 + 10 + 5);
    expect(stack.workloads.filter((w: any) => w.kind === 'service').map((w: any) => w.id))
      .toEqual(['ShipyardIntegManagedInstances/Web', 'ShipyardIntegManagedInstances/Worker']);
    const text = run('report', path.join(ROOT, 'integ', 'integ.managed-instances.ts.snapshot')).out.join('\n');
    expect(text).toMatch(/Workload ShipyardIntegManagedInstances\/LogAgent \(6 resources, ECS managed daemon\s+LogAgentDaemon/);
    expect(text).toContain('replaces the instances: every task on them restarts');
  });
});

describe('cdk-shipyard report on an app that does not use the library', () => {
  test('an aws-ecs-patterns service: its alarm pages its topic and rolls back (named by Ref); cdk-nag and cfn-guard acknowledgements; a warning', () => {
    const app = new App({ outdir: path.join(scratch, 'cdk.out'), context: { 'aws:cdk:enable-path-metadata': true } });
    const stack = new Stack(app, 'Apps');
    const web = new patterns.ApplicationLoadBalancedFargateService(stack, 'Web', { taskImageOptions: { image: ecs.ContainerImage.fromRegistry('nginx') } });
    const topic = new sns.Topic(stack, 'Oncall');
    const alarm = new cloudwatch.Alarm(stack, 'WebCpu', { metric: web.service.metricCpuUtilization(), threshold: 90, evaluationPeriods: 3 });
    alarm.addAlarmAction(new actions.SnsAction(topic));
    web.service.enableDeploymentAlarms([alarm.alarmName]);
    NagSuppressions.addResourceSuppressions(web.loadBalancer, [{ id: 'AwsSolutions-ELB2', reason: 'access logs are not needed in this test app' }]);
    (web.loadBalancer.node.defaultChild as CfnResource).addMetadata('guard', { SuppressedRules: ['ELB_DELETION_PROTECTION_ENABLED'] });
    Annotations.of(web).addWarningV2('my-team:no-https', 'this service listens on plain HTTP');
    app.synth();
    const report = json('report', path.join(scratch, 'cdk.out'), '--json');
    const apps = stackOf(report, 'Apps');
    expect(apps.workloads.map((w: any) => w.id)).toEqual(['Apps/Web']);
    expect(apps.workloads[0].alarms).toEqual([expect.objectContaining({
      logicalId: expect.stringMatching(/^WebCpu/),
      metric: 'AWS/ECS/CPUUtilization',
      threshold: 90,
      comparison: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 3,
      pages: true,
      topics: ['Apps/Oncall'],
      rollsBack: true,
    })]);
    expect(apps.acknowledgements).toEqual([
      { tool: 'cdk-nag', resource: 'Web/LB/Resource', rule: 'AwsSolutions-ELB2', reason: 'access logs are not needed in this test app', appliesTo: [] },
      { tool: 'cfn-guard', resource: 'Web/LB/Resource', rule: 'ELB_DELETION_PROTECTION_ENABLED', reason: null, appliesTo: [] },
    ]);
    // Ours, and aws-ecs's own (which carry ids too).
    expect(apps.warnings).toContainEqual({ path: 'Apps/Web', id: 'my-team:no-https', message: 'this service listens on plain HTTP' });
    expect(apps.warnings).toContainEqual(expect.objectContaining({ path: 'Apps/Web/Service', id: '@aws-cdk/aws-ecs:minHealthyPercent' }));
    const model = modelDeploy(templateOf(path.join(scratch, 'cdk.out'), 'Apps'));
    expect([apps.deploy.createSeconds, apps.deploy.newImageSeconds]).toEqual([model.createSeconds, model.newImageSeconds]);
    const text = run('report', path.join(scratch, 'cdk.out')).out;
    expect(text.filter(l => l.length > 100)).toEqual([]);
    expect(text.join('\n')).toContain('(cfn-guard exceptions carry no reason)');
    expect(reportOf(readAssembly(path.join(scratch, 'cdk.out')))[0].workloads[0].alarms[0].rollsBack).toBe(true);
  });
});

describe('cdk-shipyard report on an app with stages', () => {
  test('reads the stage\'s nested assembly and names its workloads by their full construct path', () => {
    const app = new App({ outdir: path.join(scratch, 'cdk.out') });
    const stack = new Stack(new Stage(app, 'Prod'), 'Apps');
    new patterns.ApplicationLoadBalancedFargateService(stack, 'Web', { taskImageOptions: { image: ecs.ContainerImage.fromRegistry('nginx') } });
    app.synth();
    const report = json('report', path.join(scratch, 'cdk.out'), '--json');
    expect(report.stacks.map((s: any) => s.displayName)).toEqual(['Prod/Apps']);
    expect(report.stacks[0].workloads.map((w: any) => w.id)).toEqual(['Prod/Apps/Web']);
    expect(report.stacks[0].templateFile).toMatch(/^assembly-Prod\//);
  });
});

describe('cdk-shipyard report on bad input', () => {
  test('fails when the directory does not exist, naming it and the command to run', () => {
    const missing = path.join(scratch, 'nothing');
    fails(1, new RegExp(`^cdk-shipyard report: ${missing}: no such directory\\. Synthesize the app first .*: cdk-shipyard report <dir>`), 'report', missing);
    fails(1, new RegExp(`^cdk-shipyard report: ${missing}: no such directory`), 'report', SHARED_ALB, '--compare', missing);
    const cwd = process.cwd();
    process.chdir(scratch);
    try {
      fails(1, /^cdk-shipyard report: cdk\.out: no such directory/, 'report');
    } finally {
      process.chdir(cwd);
    }
  });

  test('fails when the directory has no manifest.json', () => {
    fails(1, new RegExp(`^cdk-shipyard report: ${scratch} has no manifest\\.json, so it is not a cloud assembly`), 'report', scratch);
  });

  test('fails when a template is not CloudFormation JSON, naming the file', () => {
    fs.writeFileSync(path.join(scratch, 'App.template.json'), 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n');
    fs.writeFileSync(path.join(scratch, 'manifest.json'), JSON.stringify({ version: '36.0.0', artifacts: { App: { type: 'aws:cloudformation:stack', properties: { templateFile: 'App.template.json' } } } }));
    fails(1, new RegExp(`^cdk-shipyard report: ${scratch}/App\\.template\\.json is not CloudFormation JSON \\(.*\\): synthesize the app again`), 'report', scratch);
  });

  test.each([
    [['report', 'cdk.out', '--verbose'], /^unknown option --verbose\n\nUsage:/],
    [['report', 'cdk.out', 'other.out'], /^unexpected argument other\.out: report reads one cloud assembly \(name the other with --compare\)/],
    [['report', 'cdk.out', '--compare'], /^--compare needs a value/],
    [['report', '--compare', '--json'], /^--compare needs a value/],
  ])('exits 2 on a command line it cannot read: %j', (argv, message) => fails(2, message, ...argv));
});
