/** `cdk-shipyard report`: the estimated fixed monthly cost, on templates whose figures are computed here by hand. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, aws_certificatemanager as acm } from 'aws-cdk-lib';
import { fails, run } from './harness';
import { AutoScalingCapacity, BackgroundService, Environment, EnvironmentProfile, Image } from '../../src';
import { alarmMetrics, tasksByProvider } from '../../src/cli/report/cost';
import { HOURS_PER_MONTH, PRICE_TABLES } from '../../src/cli/report/prices';

let scratch: string;
beforeEach(() => { scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-shipyard-cost-')); });
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface StackSpec { readonly id: string; readonly environment: string; readonly resources: Record<string, any> }

/** A cloud assembly in `scratch/name` with these stacks, as `cdk synth` writes one. */
function assembly(name: string, ...stacks: StackSpec[]): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  const artifacts: Record<string, any> = {};
  for (const s of stacks) {
    fs.writeFileSync(path.join(dir, `${s.id}.template.json`), JSON.stringify({ Resources: s.resources }));
    artifacts[s.id] = { type: 'aws:cloudformation:stack', environment: s.environment, properties: { templateFile: `${s.id}.template.json` } };
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '36.0.0', artifacts }));
  return dir;
}

function json(...argv: string[]): any {
  const { code, out, err } = run(...argv);
  expect([code, err]).toEqual([0, []]);
  return JSON.parse(out.join('\n'));
}

const r = (Type: string, Properties: any = {}) => ({ Type, Properties });
const metric = (id: string, name: string) => ({ Id: id, MetricStat: { Metric: { Namespace: 'AWS/ECS', MetricName: name }, Period: 60, Stat: 'Average' }, ReturnData: false });

/** A stack with one of each priced thing, and some that are not priced. */
function web(desiredApi = 2): Record<string, any> {
  return {
    ApiTask: r('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '512', RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } }),
    ApiService: r('AWS::ECS::Service', { TaskDefinition: { Ref: 'ApiTask' }, DesiredCount: desiredApi, LaunchType: 'FARGATE' }),
    WorkerTask: r('AWS::ECS::TaskDefinition', { Cpu: '1024', Memory: '2048' }),
    WorkerService: r('AWS::ECS::Service', {
      TaskDefinition: { Ref: 'WorkerTask' },
      DesiredCount: 4,
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 3 }],
    }),
    Alb: r('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'application' }),
    Nlb: r('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network' }),
    Vpc: r('AWS::EC2::VPC'),
    PublicA: r('AWS::EC2::Subnet', { VpcId: { Ref: 'Vpc' } }),
    PublicB: r('AWS::EC2::Subnet', { VpcId: { Ref: 'Vpc' } }),
    NatA: r('AWS::EC2::NatGateway', { SubnetId: { Ref: 'PublicA' } }),
    NatB: r('AWS::EC2::NatGateway', { SubnetId: { Ref: 'PublicB' } }),
    EcrEndpoint: r('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: [{ Ref: 'PublicA' }, { Ref: 'PublicB' }] }),
    LogsEndpoint: r('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: [{ Ref: 'PublicA' }, { Ref: 'PublicB' }] }),
    S3Endpoint: r('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }),
    CpuAlarm: r('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Period: 60 }),
    MathAlarm: r('AWS::CloudWatch::Alarm', {
      Metrics: [metric('m1', 'CPUUtilization'), metric('m2', 'MemoryUtilization'), { Id: 'e1', Expression: 'm1 / m2 * 100', ReturnData: true }],
    }),
    FastAlarm: r('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Period: 10 }),
    AnyAlarm: r('AWS::CloudWatch::CompositeAlarm', { AlarmRule: 'ALARM(CpuAlarm)' }),
    Hosts: r('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '2' }),
    Logs: r('AWS::Logs::LogGroup'),
  };
}

const US_EAST_1 = 'aws://123456789012/us-east-1';

describe('the monthly cost estimate on a known template (us-east-1)', () => {
  test('each line and the totals, as computed by hand', () => {
    const cost = json('report', assembly('web', { id: 'Web', environment: US_EAST_1, resources: web() }), '--json').stacks[0].cost;
    expect(cost.hoursPerMonth).toBe(730);
    const line = (what: RegExp) => cost.lines.find((l: any) => what.test(l.what));
    // Api, ARM64, 0.25 vCPU / 0.5 GB: 0.25 × 0.03238 + 0.5 × 0.00356 = 0.009875 $/task-hour;
    // 2 tasks × 0.009875 × 730 = 14.4175 → $14.42; development (1 task): 7.20875 → $7.21.
    expect(line(/^ApiService: Fargate on-demand \(0.25 vCPU, 0.5 GB, ARM64\)$/)).toMatchObject({
      quantity: 2, unit: 'task', unitPrice: 0.009875, per: 'hour', monthly: 14.42, development: 7.21, resources: ['ApiService'],
    });
    // Worker, x86, 1 vCPU / 2 GB: 0.04048 + 2 × 0.004445 = 0.04937 $/task-hour. 4 tasks over FARGATE base 1 weight 1,
    // FARGATE_SPOT weight 3: 1 + 3 × 1/4 = 1.75 on-demand, 3 × 3/4 = 2.25 on Spot.
    // On-demand: 1.75 × 0.04937 × 730 = 63.070175 → $63.07; Spot at 70% off: 0.04937 × 0.3 = 0.014811; × 2.25 × 730 = 24.3270675 → $24.33.
    // Development: 1 task, the base on on-demand: 0.04937 × 730 = 36.0401 → $36.04, none on Spot.
    expect(line(/^WorkerService: Fargate on-demand \(1 vCPU, 2 GB, x86\)$/)).toMatchObject({ quantity: 1.75, monthly: 63.07, development: 36.04 });
    expect(line(/^WorkerService: Fargate Spot, 70% off/)).toMatchObject({ quantity: 2.25, monthly: 24.33, development: 0 });
    expect(line(/^WorkerService: Fargate Spot/).unitPrice).toBeCloseTo(0.014811, 9);
    // One ALB, one NLB: 0.0225 × 730 = 16.425 → $16.43 each.
    expect(line(/^Application Load Balancers/)).toMatchObject({ quantity: 1, monthly: 16.43, development: 16.43 });
    expect(line(/^Network Load Balancers/)).toMatchObject({ quantity: 1, monthly: 16.43, development: 16.43 });
    // Two NAT gateways in one VPC: 2 × 0.045 × 730 = $65.70; development, one per VPC: $32.85.
    expect(line(/^NAT gateways/)).toMatchObject({ quantity: 2, monthly: 65.7, development: 32.85, resources: ['NatA', 'NatB'] });
    // Two interface endpoints in two subnets each (the gateway endpoint is free): 4 × 0.01 × 730 = $29.20.
    expect(line(/^Interface VPC endpoints/)).toMatchObject({ quantity: 4, unit: 'endpoint-AZ', monthly: 29.2, development: 29.2 });
    // Alarms: CpuAlarm 1 metric + MathAlarm's 2 MetricStat metrics (its expression is not a metric) = 3 × $0.10 = $0.30.
    expect(line(/^CloudWatch alarms, standard \(2 alarms\)$/)).toMatchObject({ quantity: 3, per: 'month', monthly: 0.3, development: 0.3 });
    // 14.42 + 63.07 + 24.33 + 16.43 + 16.43 + 65.70 + 29.20 + 0.30 = 229.88;
    // development: 7.21 + 36.04 + 0 + 16.43 + 16.43 + 32.85 + 29.20 + 0.30 = 138.46.
    expect([cost.total, cost.developmentTotal]).toEqual([229.88, 138.46]);
    expect(cost.region).toBe('us-east-1');
    expect(cost.noPrices).toBeNull();
  });

  test('names what it does not price, with the reason, and lists the usage-based rates apart', () => {
    const cost = json('report', assembly('web', { id: 'Web', environment: US_EAST_1, resources: web() }), '--json').stacks[0].cost;
    expect(cost.notEstimated.map((n: any) => [n.resource, n.reason])).toEqual([
      ['AnyAlarm', 'no sourced price for composite alarms in this table'],
      ['FastAlarm', 'a high-resolution alarm: no sourced price in this table'],
      ['Hosts', 'no launch template or launch configuration in this template: its instance type is unknown'],
    ]);
    expect(cost.usageRates).toEqual([
      { what: 'Application Load Balancer LCU', usd: 0.008, unit: 'LCU-hour' },
      { what: 'Network Load Balancer NLCU', usd: 0.006, unit: 'NLCU-hour' },
      { what: 'NAT gateway data processing', usd: 0.045, unit: 'GB processed' },
      { what: 'Interface endpoint data processing', usd: 0.01, unit: 'GB processed (first PB)' },
      { what: 'CloudWatch Logs ingestion', usd: 0.5, unit: 'GB ingested' },
    ]);
    expect(cost.pricesRead).toBe('2026-12-07');
    expect(cost.sources).toEqual([
      'https://aws.amazon.com/cloudwatch/pricing/', 'https://aws.amazon.com/elasticloadbalancing/pricing/', 'https://aws.amazon.com/fargate/pricing/',
      'https://aws.amazon.com/privatelink/pricing/', 'https://aws.amazon.com/vpc/pricing/',
    ]);
  });

  test('the text: a table in 100 columns with the total, the development figure, the rates and the sources', () => {
    const { code, out, err } = run('report', assembly('web', { id: 'Web', environment: US_EAST_1, resources: web() }));
    expect([code, err]).toEqual([0, []]);
    expect(out.filter(l => l.length > 100)).toEqual([]);
    const text = out.join('\n');
    expect(text).toContain('  Monthly cost estimate (us-east-1, list prices read 2026-12-07, 730 hours a month;');
    expect(text).toMatch(/^ {4}what {46}quantity {4}unit price {5}monthly {1}development$/m);
    // A description longer than its column goes on a line of its own, the figures under the columns.
    expect(text).toMatch(/^ {4}ApiService: Fargate on-demand \(0\.25 vCPU, 0\.5 GB, ARM64\)\n {54} {7}2 {3}\$0\.009875\/h {6}\$14\.42 {7}\$7\.21$/m);
    expect(text).toMatch(/^ {4}CloudWatch alarms, standard \(2 alarms\) +3 +\$0\.10\/mo +\$0\.30 +\$0\.30$/m);
    expect(text).toMatch(/^ {4}Total, fixed part +\$229\.88 +\$138\.46$/m);
    expect(text).toContain('    Not estimated: 3');
    expect(text).toMatch(/^ {6}CloudWatch Logs ingestion +\$0\.50 per GB ingested$/m);
    expect(text).toContain('https://aws.amazon.com/fargate/pricing/');
  });
});

describe('the development column on the library\'s own output', () => {
  test('a production app\'s development figure is what the same app costs under EnvironmentProfile.DEVELOPMENT', () => {
    const dir = path.join(scratch, 'profiles');
    const app = new App({ outdir: dir });
    for (const profile of [EnvironmentProfile.PRODUCTION, EnvironmentProfile.DEVELOPMENT]) {
      const stack = new Stack(app, `Cost-${profile}`, { env: { account: '123456789012', region: 'us-east-1' } });
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/example');
      const environment = new Environment(stack, 'Env', { profile, ingress: { certificate } });
      new BackgroundService(stack, 'Poller', { environment, image: Image.fromRegistry('public.ecr.aws/docker/library/busybox:stable') });
    }
    app.synth();
    const stacks = json('report', dir, '--json').stacks;
    const [production, development] = ['Cost-production', 'Cost-development'].map(id => stacks.find((s: any) => s.id === id).cost);
    const figures = (c: any) => c.lines.map((l: any) => [l.what, l.quantity, l.monthly, l.development]);
    // Production: 2 ARM64 tasks of 0.25 vCPU / 0.5 GB on on-demand Fargate (2 × 0.009875 × 730 = $14.42), the shared ALB
    // ($16.43), a NAT gateway per AZ (2 × 0.045 × 730 = $65.70), the Degraded alarm over 5 metrics (desired and running tasks,
    // CPU, memory, unexpected stops): $0.50. Total 97.05.
    expect(figures(production)).toEqual([
      ['Poller: Fargate on-demand (0.25 vCPU, 0.5 GB, ARM64)', 2, 14.42, 7.21],
      ['Application Load Balancers (hourly part)', 1, 16.43, 16.43],
      ['NAT gateways (hourly part)', 2, 65.7, 32.85],
      ['CloudWatch alarms, standard (1 alarm)', 5, 0.5, 0.5],
    ]);
    // Development: 1 task (the Spot mix's on-demand base takes it), one NAT gateway: 7.21 + 16.43 + 32.85 + 0.50 = 56.99,
    // the production template's development figure.
    expect([production.total, production.developmentTotal]).toEqual([97.05, 56.99]);
    expect([development.total, development.developmentTotal]).toEqual([56.99, 56.99]);
  });
});

describe('the parts of the estimate', () => {
  test('ECS places the bases first, then the rest by weight', () => {
    // The development profile's mix (base 1 on FARGATE, weight 0; FARGATE_SPOT weight 1), 3 tasks: 1 on-demand, 2 Spot.
    const mix = [{ provider: 'FARGATE', base: 1, weight: 0 }, { provider: 'FARGATE_SPOT', base: 0, weight: 1 }];
    expect(tasksByProvider(3, mix)).toEqual({ FARGATE: 1, FARGATE_SPOT: 2 });
    // One task: the base takes it.
    expect(tasksByProvider(1, mix)).toEqual({ FARGATE: 1, FARGATE_SPOT: 0 });
    // Weights 1:1 with no base, 3 tasks: 1.5 each (a share, not a placement).
    expect(tasksByProvider(3, [{ provider: 'FARGATE', base: 0, weight: 1 }, { provider: 'FARGATE_SPOT', base: 0, weight: 1 }]))
      .toEqual({ FARGATE: 1.5, FARGATE_SPOT: 1.5 });
  });

  test('a metric-math alarm counts each metric it uses; an expression is not a metric', () => {
    expect(alarmMetrics(r('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Period: 300 }))).toBe(1);
    expect(alarmMetrics(r('AWS::CloudWatch::Alarm', {
      Metrics: [metric('a', 'A'), metric('b', 'B'), metric('c', 'C'), { Id: 'e', Expression: 'a + b + c' }],
    }))).toBe(3);
    expect(alarmMetrics(r('AWS::CloudWatch::Alarm', { Metrics: [{ Id: 'q', Expression: 'SELECT AVG(CPUUtilization) FROM "AWS/EC2"' }] })))
      .toMatch(/Metrics Insights/);
    expect(alarmMetrics(r('AWS::CloudWatch::Alarm', { Metrics: [metric('m', 'A')], ThresholdMetricId: 'ad' }))).toMatch(/anomaly detection/);
  });

  test('a service on its cluster\'s default strategy takes that strategy\'s Spot share; an EC2 capacity provider is not priced', () => {
    const resources = {
      Cluster: r('AWS::ECS::Cluster'),
      Associations: r('AWS::ECS::ClusterCapacityProviderAssociations', {
        Cluster: { Ref: 'Cluster' },
        CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        DefaultCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
      }),
      Task: r('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024', RuntimePlatform: { CpuArchitecture: 'ARM64' } }),
      Spot: r('AWS::ECS::Service', { Cluster: { Ref: 'Cluster' }, TaskDefinition: { Ref: 'Task' }, DesiredCount: 2 }),
      OnHosts: r('AWS::ECS::Service', {
        Cluster: { Ref: 'Cluster' },
        TaskDefinition: { Ref: 'Task' },
        DesiredCount: 2,
        CapacityProviderStrategy: [{ CapacityProvider: { Ref: 'AsgProvider' }, Weight: 1 }],
      }),
    };
    const cost = json('report', assembly('spot', { id: 'Spot', environment: US_EAST_1, resources }), '--json').stacks[0].cost;
    // ARM64 0.5 vCPU / 1 GB: 0.5 × 0.03238 + 1 × 0.00356 = 0.01975 $/h; at 70% off 0.005925; 2 tasks × 0.005925 × 730 = 8.6505 → $8.65.
    // Development: 1 task, the base on on-demand: 0.01975 × 730 = 14.4175 → $14.42 (the dev mix keeps one task on-demand).
    expect(cost.lines.map((l: any) => [l.what, l.quantity, l.monthly, l.development])).toEqual([
      ['Spot: Fargate on-demand (0.5 vCPU, 1 GB, ARM64)', 0, 0, 14.42],
      ['Spot: Fargate Spot, 70% off (0.5 vCPU, 1 GB, ARM64)', 2, 8.65, 0],
    ]);
    expect(cost.notEstimated).toEqual([{
      what: 'ECS service',
      resource: 'OnHosts',
      reason: 'capacity provider (resolved at deploy): EC2 or Managed Instances capacity is priced by its instances (on the Auto Scaling group, where EC2 prices cover it), not per task',
    }]);
  });

  test('a month is 730 hours and the table covers the regions it names', () => {
    expect(HOURS_PER_MONTH).toBe(730);
    expect(Object.keys(PRICE_TABLES)).toEqual(['us-east-1', 'eu-west-2']);
    for (const prices of Object.values(PRICE_TABLES)) {
      for (const p of Object.values(prices)) {
        expect(p.usd).toBeGreaterThan(0);
        expect(p.source).toMatch(/^https:\/\/aws\.amazon\.com\/[a-z]+\/pricing\/$/);
        expect(p.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    }
  });
});

describe('the same template in the other regions with a price table', () => {
  test('eu-west-2 (London): each line and the totals, as computed by hand', () => {
    const cost = json('report', assembly('london', { id: 'Web', environment: 'aws://123456789012/eu-west-2', resources: web() }), '--json').stacks[0].cost;
    expect([cost.region, cost.noPrices]).toEqual(['eu-west-2', null]);
    const line = (what: RegExp) => cost.lines.find((l: any) => what.test(l.what));
    // Api, ARM64, 0.25 vCPU / 0.5 GB: 0.25 × 0.03725 + 0.5 × 0.00409 = 0.0113575 $/task-hour;
    // 2 tasks × 0.0113575 × 730 = 16.58195 → $16.58; development (1 task): 8.290975 → $8.29.
    expect(line(/^ApiService: Fargate on-demand/)).toMatchObject({ quantity: 2, monthly: 16.58, development: 8.29 });
    expect(line(/^ApiService: Fargate on-demand/).unitPrice).toBeCloseTo(0.0113575, 9);
    // Worker, x86, 1 vCPU / 2 GB: 0.04656 + 2 × 0.00511 = 0.05678 $/task-hour. On-demand: 1.75 × 0.05678 × 730 = 72.53645 → $72.54;
    // Spot: 0.05678 × 0.3 = 0.017034, × 2.25 × 730 = 27.978345 → $27.98. Development: 0.05678 × 730 = 41.4494 → $41.45.
    expect(line(/^WorkerService: Fargate on-demand/)).toMatchObject({ quantity: 1.75, monthly: 72.54, development: 41.45 });
    expect(line(/^WorkerService: Fargate Spot/)).toMatchObject({ quantity: 2.25, monthly: 27.98, development: 0 });
    // ALB and NLB: 0.02646 × 730 = 19.3158 → $19.32 each. NAT gateways: 2 × 0.05 × 730 = $73.00; development $36.50.
    expect(line(/^Application Load Balancers/)).toMatchObject({ unitPrice: 0.02646, monthly: 19.32 });
    expect(line(/^Network Load Balancers/)).toMatchObject({ unitPrice: 0.02646, monthly: 19.32 });
    expect(line(/^NAT gateways/)).toMatchObject({ quantity: 2, unitPrice: 0.05, monthly: 73, development: 36.5 });
    // Four endpoint-AZs: 4 × 0.011 × 730 = $32.12. Alarms: 3 metrics × $0.10 = $0.30.
    expect(line(/^Interface VPC endpoints/)).toMatchObject({ quantity: 4, unitPrice: 0.011, monthly: 32.12 });
    expect(line(/^CloudWatch alarms/)).toMatchObject({ quantity: 3, monthly: 0.3 });
    // 16.58 + 72.54 + 27.98 + 19.32 + 19.32 + 73.00 + 32.12 + 0.30 = 261.16;
    // development: 8.29 + 41.45 + 0 + 19.32 + 19.32 + 36.50 + 32.12 + 0.30 = 157.30.
    expect([cost.total, cost.developmentTotal]).toEqual([261.16, 157.3]);
    expect(cost.usageRates.map((u: any) => u.usd)).toEqual([0.0084, 0.006, 0.05, 0.01, 0.5985]);
  });

  test('every price of every table names the Price List offer or transcription it was read from', () => {
    for (const [region, prices] of Object.entries(PRICE_TABLES)) {
      expect(Object.keys(prices).sort()).toEqual(Object.keys(PRICE_TABLES['us-east-1']).sort());
      if (region === 'us-east-1') continue;
      for (const p of Object.values(prices)) expect(p.via).toMatch(new RegExp(`^AWS Price List API, \\w+ ${region} \\(`));
    }
  });
});

/** Auto Scaling groups of each kind the EC2 estimate reads: a launch template, a launch configuration, Windows, Spot, an unlisted type. */
function groups(): Record<string, any> {
  const linux = { Ref: 'LinuxAmi' };
  return {
    Lt: r('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { InstanceType: 'm7g.large', ImageId: linux } }),
    Hosts: r('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '2', MaxSize: '10', LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: { 'Fn::GetAtt': ['Lt', 'LatestVersionNumber'] } },
    }),
    Lc: r('AWS::AutoScaling::LaunchConfiguration', { InstanceType: 't3.large', ImageId: 'ami-12345678' }),
    Fixed: r('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '4', DesiredCapacity: '3', LaunchConfigurationName: { Ref: 'Lc' } }),
    WinLt: r('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { InstanceType: 'm6i.large', ImageId: { Ref: 'WindowsAmi' } } }),
    Windows: r('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '2', LaunchTemplate: { LaunchTemplateId: { Ref: 'WinLt' } } }),
    Spot: r('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '1',
      MaxSize: '2',
      MixedInstancesPolicy: {
        LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: { Ref: 'Lt' } }, Overrides: [{ InstanceType: 'm7g.large' }, { InstanceType: 'm6g.large' }] },
        InstancesDistribution: { OnDemandBaseCapacity: 0, OnDemandPercentageAboveBaseCapacity: 0 },
      },
    }),
    OddLt: r('AWS::EC2::LaunchTemplate', { LaunchTemplateData: { InstanceType: 'x2gd.large', ImageId: linux } }),
    Odd: r('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '1', LaunchTemplate: { LaunchTemplateId: { Ref: 'OddLt' } } }),
  };
}

/** An assembly whose one stack has `resources` and the SSM parameters the AMIs come from. */
function withAmis(name: string, environment: string, resources: Record<string, any>): string {
  const dir = assembly(name, { id: 'Ec2', environment, resources });
  const file = path.join(dir, 'Ec2.template.json');
  const template = JSON.parse(fs.readFileSync(file, 'utf8'));
  template.Parameters = {
    LinuxAmi: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id' },
    WindowsAmi: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-ECS_Optimized/image_id' },
  };
  fs.writeFileSync(file, JSON.stringify(template));
  return dir;
}

describe('EC2 capacity', () => {
  test('us-east-1: a group\'s instances at its instance type\'s on-demand Linux price, as computed by hand', () => {
    const cost = json('report', withAmis('ec2', US_EAST_1, groups()), '--json').stacks[0].cost;
    // Hosts: MinSize 2 (no DesiredCapacity), m7g.large at $0.0816: 2 × 0.0816 × 730 = 119.136 → $119.14.
    // Fixed: DesiredCapacity 3, t3.large at $0.0832 (its launch configuration): 3 × 0.0832 × 730 = 182.208 → $182.21.
    expect(cost.lines.map((l: any) => [l.what, l.quantity, l.unit, l.unitPrice, l.monthly, l.development])).toEqual([
      ['Hosts: EC2 on-demand m7g.large, Linux (MinSize, the least it runs)', 2, 'instance', 0.0816, 119.14, 119.14],
      ['Fixed: EC2 on-demand t3.large, Linux (DesiredCapacity)', 3, 'instance', 0.0832, 182.21, 182.21],
    ]);
    // 119.14 + 182.21 = 301.35.
    expect([cost.total, cost.developmentTotal]).toEqual([301.35, 301.35]);
    expect(cost.notEstimated.map((n: any) => [n.resource, n.reason])).toEqual([
      ['Windows', 'Windows hosts: this table has Linux EC2 prices only'],
      ['Spot', 'Spot instances: Spot has no list price'],
      ['Odd', 'no EC2 price for x2gd.large in us-east-1\'s table'],
    ]);
    expect(cost.sources).toEqual(['https://aws.amazon.com/ec2/pricing/on-demand/']);
  });

  test('a region without EC2 prices names the groups and says where there are some', () => {
    const cost = json('report', withAmis('ec2', 'aws://123456789012/eu-west-2', groups()), '--json').stacks[0].cost;
    expect(cost.lines).toEqual([]);
    expect(cost.notEstimated.find((n: any) => n.resource === 'Hosts').reason).toBe('no EC2 prices for eu-west-2; EC2 prices exist for us-east-1');
  });

  test('the library\'s AutoScalingCapacity: its group at MinSize and its launch template\'s type', () => {
    const dir = path.join(scratch, 'capacity');
    const app = new App({ outdir: dir });
    const stack = new Stack(app, 'Capacity', { env: { account: '123456789012', region: 'us-east-1' } });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/example');
    const environment = new Environment(stack, 'Env', { ingress: { certificate } });
    new AutoScalingCapacity(stack, 'Instances', { environment, minCapacity: 1 });
    app.synth();
    const cost = json('report', dir, '--json').stacks[0].cost;
    // The default type m7g.large, MinSize 1: 0.0816 × 730 = 59.568 → $59.57.
    expect(cost.lines.find((l: any) => l.unit === 'instance')).toMatchObject({
      what: expect.stringMatching(/^Instances\/.*: EC2 on-demand m7g\.large, Linux \(MinSize, the least it runs\)$/), quantity: 1, monthly: 59.57,
    });
  });
});

describe('stacks without a price table', () => {
  test('a region with no table says so and names the regions that have one', () => {
    const dir = assembly('south', { id: 'South', environment: 'aws://123456789012/eu-south-2', resources: web() });
    const cost = json('report', dir, '--json').stacks[0].cost;
    expect(cost).toMatchObject({
      region: 'eu-south-2', noPrices: 'no price table for eu-south-2; tables exist for us-east-1, eu-west-2', total: null, developmentTotal: null, lines: [],
    });
    expect(run('report', dir).out).toContain('  Monthly cost: not estimated: no price table for eu-south-2; tables exist for us-east-1, eu-west-2');
  });

  test('an environment-agnostic stack has no region, so no estimate', () => {
    const dir = assembly('agnostic', { id: 'Agnostic', environment: 'aws://unknown-account/unknown-region', resources: web() });
    const cost = json('report', dir, '--json').stacks[0].cost;
    expect(cost.region).toBeNull();
    expect(cost.noPrices).toBe('no price table for an environment-agnostic stack (no region in its environment; price it with --region); '
      + 'tables exist for us-east-1, eu-west-2');
  });

  test('--region prices an environment-agnostic stack at that region\'s prices, and leaves a stack with a region alone', () => {
    const agnostic = assembly('agnostic', { id: 'Agnostic', environment: 'aws://unknown-account/unknown-region', resources: web() });
    const priced = json('report', agnostic, '--json', '--region', 'us-east-1').stacks[0].cost;
    const inRegion = json('report', assembly('east', { id: 'East', environment: US_EAST_1, resources: web() }), '--json').stacks[0].cost;
    expect([priced.region, priced.regionAssumed, priced.total]).toEqual(['us-east-1', true, inRegion.total]);
    expect(inRegion.regionAssumed).toBe(false);
    expect(run('report', agnostic, '--region', 'us-east-1').out.join('\n')).toContain('(us-east-1 as --region says: the stack has no region, list prices read');
    const ireland = assembly('ireland', { id: 'Ireland', environment: 'aws://111111111111/eu-west-1', resources: web() });
    expect(json('report', ireland, '--json', '--region', 'us-east-1').stacks[0].cost.noPrices).toMatch(/^no price table for eu-west-1;/);
  });

  test.each([[['--region']], [['--region', 'virginia']], [['--region', '--json']]])('--region without a region name exits 2: %j', (args) => {
    const { code, err } = run('report', assembly('a', { id: 'A', environment: US_EAST_1, resources: web() }), ...args);
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('--region needs a region name, such as us-east-1');
  });

  test('odd shapes (tokens, missing properties) are not estimated, never a crash', () => {
    const resources = {
      Bare: { Type: 'AWS::ECS::Service' },
      Counted: r('AWS::ECS::Service', { TaskDefinition: { Ref: 'SmallTask' }, DesiredCount: { Ref: 'Count' }, LaunchType: 'FARGATE' }),
      SmallTask: r('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '512' }),
      Task: r('AWS::ECS::TaskDefinition', { Cpu: { Ref: 'Cpu' }, Memory: '512' }),
      Sized: r('AWS::ECS::Service', { TaskDefinition: { Ref: 'Task' }, LaunchType: 'FARGATE' }),
      Windows: r('AWS::ECS::Service', { TaskDefinition: { Ref: 'WinTask' }, LaunchType: 'FARGATE' }),
      WinTask: r('AWS::ECS::TaskDefinition', { Cpu: '1024', Memory: '2048', RuntimePlatform: { OperatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' } }),
      Endpoint: r('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', SubnetIds: { Ref: 'Subnets' } }),
      Odd: r('AWS::CloudWatch::Alarm', { Metrics: 'not a list' }),
    };
    const { code, out, err } = run('report', assembly('odd', { id: 'Odd', environment: US_EAST_1, resources }), '--json');
    expect([code, err]).toEqual([0, []]);
    const cost = JSON.parse(out.join('\n')).stacks[0].cost;
    expect(cost.notEstimated.map((n: any) => `${n.resource}: ${n.reason}`)).toEqual([
      'Bare: its task definition is not in this template',
      'Counted: its DesiredCount is resolved at deploy',
      'Sized: the task definition states no task-level Cpu and Memory',
      'Windows: WINDOWS_SERVER_2022_CORE tasks: this table has Linux Fargate prices only',
    ]);
    // The odd alarm has no Metrics list and no period: one standard metric, $0.10. The endpoint's subnets are a token: not counted.
    expect(cost.lines.map((l: any) => [l.what, l.monthly])).toEqual([['CloudWatch alarms, standard (1 alarm)', 0.1]]);
  });
});

test('a resource without a Type is not CloudFormation: one line, exit 1, no stack trace', () => {
  const dir = assembly('typeless', { id: 'Bad', environment: US_EAST_1, resources: { Null: null, Api: r('AWS::ECS::Service') } });
  fails(1, /Bad\.template\.json is not CloudFormation JSON: resource Null has no Type; synthesize the app again/, 'report', dir);
});

/**
 * A Fargate service of 0.25 vCPU / 0.5 GB with no DesiredCount (the library leaves it out of a
 * scaled service) and an Application Auto Scaling target from `minCapacity`.
 */
function scaledService(minCapacity: number): Record<string, any> {
  return {
    Task: r('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '512' }),
    Shop: r('AWS::ECS::Service', { TaskDefinition: { Ref: 'Task' }, LaunchType: 'FARGATE' }),
    Target: r('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'ecs',
      MinCapacity: minCapacity,
      MaxCapacity: 9,
      ScalableDimension: 'ecs:service:DesiredCount',
      ResourceId: { 'Fn::Join': ['', ['service/', { Ref: 'Cluster' }, '/', { 'Fn::GetAtt': ['Shop', 'Name'] }]] },
    }),
  };
}

describe('a service that scales', () => {
  test('is counted at its scalable target\'s MinCapacity, the least it runs, in both columns', () => {
    const resources = scaledService(3);
    const [onDemand, spot] = json('report', assembly('scaled', { id: 'Scaled', environment: US_EAST_1, resources }), '--json').stacks[0].cost.lines;
    // By hand: 3 x86 tasks of 0.25 vCPU / 0.5 GB at 0.0123425 an hour: 3 × 0.0123425 × 730 = $27.03. The development
    // profile keeps the floor of 3, its first task on-demand ($9.01) and two on Spot at 70% off (2 × 0.0123425 × 0.3 × 730 = $5.41).
    expect(onDemand).toMatchObject({ quantity: 3, monthly: 27.03, development: 9.01 });
    expect(spot).toMatchObject({ quantity: 0, monthly: 0, development: 5.41 });
  });
});

describe('report --compare: the monthly cost before and after', () => {
  test('one more Api task adds its monthly cost', () => {
    const before = assembly('before', { id: 'Web', environment: US_EAST_1, resources: web(2) });
    const after = assembly('after', { id: 'Web', environment: US_EAST_1, resources: web(3) });
    const [stack] = json('report', after, '--compare', before, '--json').stacks;
    // Api from 2 to 3 tasks: 3 × 0.009875 × 730 = 21.62625 → $21.63, against $14.42: +$7.21; 229.88 + 7.21 = 237.09.
    // Development keeps 1 task: unchanged.
    expect(stack.status).toBe('changed');
    expect(stack.monthlyCost).toEqual({ before: 229.88, after: 237.09 });
    expect(stack.developmentMonthlyCost).toEqual({ before: 138.46, after: 138.46 });
    const text = run('report', after, '--compare', before).out;
    expect(text).toContain('    this template          $229.88 -> $237.09 (+$7.21)');
    expect(text).toContain('    development profile    $138.46 -> $138.46');
    expect(text.filter(l => l.length > 100)).toEqual([]);
  });

  test('a stack without a price table compares as not estimated', () => {
    const dir = assembly('agnostic', { id: 'Web', environment: 'aws://unknown-account/unknown-region', resources: web(2) });
    const after = assembly('after', { id: 'Web', environment: US_EAST_1, resources: web(2) });
    const [stack] = json('report', after, '--compare', dir, '--json').stacks;
    expect(stack.monthlyCost).toEqual({ before: null, after: 229.88 });
    expect(run('report', after, '--compare', dir).out).toContain('    this template          not estimated -> $229.88');
  });
});

describe('an ECS gateway', () => {
  const ECS_GATEWAY = path.join(__dirname, '..', '..', 'integ', 'integ.ecs-gateway.ts.snapshot');

  test('counts the first load balancer of each gateway at the ALB\'s hourly price, and says the rest depends on ECS', () => {
    const stack = json('report', ECS_GATEWAY, '--json', '--region', 'us-east-1').stacks.find((s: any) => s.id === 'ShipyardIntegEcsGateway');
    // By hand: one AWS::ECS::Gateway (MaxAlbCount 2): 1 × 0.0225 × 730 = $16.43; no AWS::ElasticLoadBalancingV2::LoadBalancer.
    const line = stack.cost.lines.find((l: any) => l.what.startsWith('ECS gateway load balancers'));
    expect(line).toMatchObject({ quantity: 1, unitPrice: PRICE_TABLES['us-east-1'].albHour.usd, monthly: 16.43, resources: ['Env/Gateway/Resource'] });
    expect(stack.cost.lines.filter((l: any) => l.what.startsWith('Application Load Balancers'))).toEqual([]);
    expect(stack.cost.notEstimated).toContainEqual({
      what: 'ECS gateway',
      resource: 'Env/Gateway/Resource',
      reason: 'ECS adds Application Load Balancers as services connect, up to 2 (MaxAlbCount); the estimate counts the first, and each further one adds its hourly part',
    });
  });
});

describe('20-second metrics', () => {
  test('a service that publishes them is named as not estimated: CloudWatch bills them, and the table has no price', () => {
    const ECS_GATEWAY = path.join(__dirname, '..', '..', 'integ', 'integ.ecs-gateway.ts.snapshot');
    const template = JSON.parse(fs.readFileSync(path.join(ECS_GATEWAY, 'ShipyardIntegEcsGateway.template.json'), 'utf8'));
    const publishing = Object.values<any>(template.Resources).filter(res => res.Type === 'AWS::ECS::Service'
      && res.Properties.Monitoring?.MetricConfigurations?.some((c: any) => c.ResolutionSeconds === 20));
    expect(publishing.length).toBeGreaterThan(0);
    const stack = json('report', ECS_GATEWAY, '--json', '--region', 'us-east-1').stacks.find((st: any) => st.id === 'ShipyardIntegEcsGateway');
    const notes = stack.cost.notEstimated.filter((n: any) => n.what === '20-second metrics');
    expect(notes).toHaveLength(publishing.length);
    expect(notes[0].reason).toBe('CloudWatch bills the CPU and memory metrics ECS publishes every 20 seconds; this table has no sourced price for them');
  });
});

describe('a worker that scales from zero', () => {
  test('has no fixed task cost: MinCapacity 0 is the least it runs', () => {
    const resources = scaledService(0);
    const cost = json('report', assembly('zero', { id: 'Zero', environment: US_EAST_1, resources }), '--json').stacks[0].cost;
    expect([cost.lines, cost.total]).toEqual([[], 0]);
  });
});
