import { Annotations, App, Aspects, CfnResource, Stack, aws_ec2 as ec2, aws_ecs as ecs, aws_ecs_patterns as patterns } from 'aws-cdk-lib';
import * as nag2 from 'cdk-nag';
// eslint-disable-next-line import/no-extraneous-dependencies
import * as nag3 from 'cdk-nag-v3';
import { Environment, EnvironmentProfile, Image, ShipyardChecks, WarningId, WebService } from '../../src';
import { SHIPYARD_RULES, Verdict } from '../../src/guardrails/shipyard-checks';

/** `Shipyard-*` findings of both majors, as `<major> <rule> <path>`. */
function findings(build: (app: App) => void): string[] {
  const v2App = new App();
  build(v2App);
  Aspects.of(v2App).add(ShipyardChecks._packFor(nag2, undefined));
  const v2 = v2App.synth().stacks.flatMap(s => [...s.findMetadataByType('aws:cdk:error'), ...s.findMetadataByType('aws:cdk:warning')])
    .map(e => String(e.data).match(/^(Shipyard-[A-Za-z]+)/)?.[1]).filter((r): r is string => r !== undefined).map(r => `v2 ${r}`);
  const v3App = new App();
  build(v3App);
  const report = ShipyardChecks._packFor(nag3, v3App).validateScope(v3App);
  const v3 = report.violations.map((v: any) => `v3 ${v.ruleName}`);
  return [...new Set([...v2, ...v3])].sort();
}

const rule = (id: string) => SHIPYARD_RULES.find(r => r.id === id)!;
const check = (id: string, type: string, p: Record<string, any>): Verdict => rule(id).check(type, p);

describe('ShipyardChecks rules', () => {
  const container = { ReadonlyRootFilesystem: true, User: '1000:1000', LogConfiguration: { LogDriver: 'awslogs', Options: { mode: 'non-blocking' } } };
  const cases: Array<[string, string, Record<string, any>, Record<string, any>]> = [
    ['ServiceCircuitBreaker', 'AWS::ECS::Service',
      { DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } } },
      { DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: false } } }],
    ['ServiceMinHealthy', 'AWS::ECS::Service',
      { LoadBalancers: [{}], DeploymentConfiguration: { MinimumHealthyPercent: 100 } },
      { LoadBalancers: [{}], DeploymentConfiguration: { MinimumHealthyPercent: 50 } }],
    ['LogRetention', 'AWS::Logs::LogGroup', { RetentionInDays: 30 }, {}],
    ['ReadOnlyRootFilesystem', 'AWS::ECS::TaskDefinition', { ContainerDefinitions: [container] },
      { ContainerDefinitions: [container, { ...container, ReadonlyRootFilesystem: false }] }],
    ['NonRootUser', 'AWS::ECS::TaskDefinition', { ContainerDefinitions: [container] }, { ContainerDefinitions: [{ ...container, User: 'root' }] }],
    ['NoPrivilegedContainer', 'AWS::ECS::TaskDefinition', { ContainerDefinitions: [container] }, { ContainerDefinitions: [{ ...container, Privileged: true }] }],
    ['AwsLogsNonBlocking', 'AWS::ECS::TaskDefinition', { ContainerDefinitions: [container] },
      { ContainerDefinitions: [{ ...container, LogConfiguration: { LogDriver: 'awslogs', Options: {} } }] }],
    ['DeregistrationDelay', 'AWS::ElasticLoadBalancingV2::TargetGroup',
      { TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] }, {}],
    ['HealthCheckBudget', 'AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2 },
      { HealthCheckIntervalSeconds: 10 }],
    ['FargateTaskSize', 'AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['FARGATE'], Cpu: '512', Memory: '1024' },
      { RequiresCompatibilities: ['FARGATE'], Cpu: '512', Memory: '512' }],
    ['NoSecretsInVariables', 'AWS::ECS::TaskDefinition', { ContainerDefinitions: [{ Environment: [{ Name: 'LOG_LEVEL', Value: 'info' }] }] },
      { ContainerDefinitions: [{ Environment: [{ Name: 'DB_PASSWORD', Value: 'hunter2' }] }] }],
  ];

  test('every rule has a compliant and a non-compliant case', () => {
    expect(cases.map(([id]) => id).sort()).toEqual(SHIPYARD_RULES.map(r => r.id).sort());
  });

  test.each(cases)('%s: compliant, non-compliant, and not applicable to other resources', (id, type, good, bad) => {
    expect(check(id, type, good)).toBe('Compliant');
    expect(check(id, type, bad)).toBe('Non-Compliant');
    expect(check(id, 'AWS::SQS::Queue', good)).toBe('N/A');
  });

  test('a CodeDeploy-controlled service and a daemon are not judged on rolling settings; Windows tasks not on Linux controls', () => {
    expect(check('ServiceCircuitBreaker', 'AWS::ECS::Service', { DeploymentController: { Type: 'CODE_DEPLOY' } })).toBe('N/A');
    expect(check('ServiceCircuitBreaker', 'AWS::ECS::Service', { SchedulingStrategy: 'DAEMON', DeploymentConfiguration: {} })).toBe('N/A');
    expect(check('NonRootUser', 'AWS::ECS::TaskDefinition', { RuntimePlatform: { OperatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' }, ContainerDefinitions: [{}] }))
      .toBe('N/A');
  });

  test('a FireLens router may run as root on a writable root file system (AWS for Fluent Bit needs both); the app may not', () => {
    const router = { Name: 'log-router', User: '0', ReadonlyRootFilesystem: false, FirelensConfiguration: { Type: 'fluentbit' } };
    const app = { Name: 'app', User: '1000', ReadonlyRootFilesystem: true };
    for (const id of ['NonRootUser', 'ReadOnlyRootFilesystem']) {
      expect(check(id, 'AWS::ECS::TaskDefinition', { ContainerDefinitions: [router, app] })).toBe('Compliant');
      expect(check(id, 'AWS::ECS::TaskDefinition', { ContainerDefinitions: [router, { ...app, User: '0', ReadonlyRootFilesystem: false }] }))
        .toBe('Non-Compliant');
    }
  });
});

describe('ShipyardChecks pack', () => {
  test('both cdk-nag majors report a raw resource that breaks a rule, under Shipyard-<rule>', () => {
    expect(findings(app => { new CfnResource(new Stack(app, 'S'), 'Logs', { type: 'AWS::Logs::LogGroup', properties: {} }); }))
      .toEqual(['v2 Shipyard-LogRetention', 'v3 Shipyard-LogRetention']);
  });

  test.each([
    ['a root user', { user: '0' }, WarningId.ROOT_USER, 'NonRootUser'],
    ['the image\'s user', { imageUser: true }, WarningId.IMAGE_USER, 'NonRootUser'],
    ['a writable root file system', { readOnlyRootFilesystem: false }, WarningId.WRITABLE_ROOT_FILESYSTEM, 'ReadOnlyRootFilesystem'],
  ])('acknowledging the library\'s warning for %s also acknowledges the ShipyardChecks rule for it', (_name, containerSecurity, warning, ruleId) => {
    const build = (acknowledged: boolean) => (app: App) => {
      const stack = new Stack(app, 'S');
      const environment = new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
      const web = new WebService(stack, 'Web', { environment, image: Image.fromRegistry('public.ecr.aws/nginx/nginx:1.27'), containerSecurity });
      if (acknowledged) Annotations.of(web).acknowledgeWarning(warning, 'the image drops privileges itself');
    };
    expect(findings(build(false))).toEqual(expect.arrayContaining([`v2 Shipyard-${ruleId}`, `v3 Shipyard-${ruleId}`]));
    expect(findings(build(true)).filter(f => f.startsWith('v2 ') && f.endsWith(`Shipyard-${ruleId}`))).toEqual([]);
    // cdk-nag 3.x runs as a validation plugin, after the app's aspects: synthesize, then validate as it does.
    const v3 = (acknowledged: boolean) => {
      const app = new App();
      build(acknowledged)(app);
      app.synth();
      return ShipyardChecks._packFor(nag3, app).validateScope(app).violations.map((v: any) => v.ruleName).filter((r: string) => r === `Shipyard-${ruleId}`);
    };
    expect(v3(false)).toEqual([`Shipyard-${ruleId}`]);
    expect(v3(true)).toEqual([]);
  });

  test('aws-ecs-patterns\' default load-balanced Fargate service fails it', () => {
    const found = findings(app => {
      const stack = new Stack(app, 'S');
      new patterns.ApplicationLoadBalancedFargateService(stack, 'Patterns', {
        vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }),
        taskImageOptions: { image: ecs.ContainerImage.fromRegistry('nginx') },
      });
    });
    for (const id of ['ServiceCircuitBreaker', 'ReadOnlyRootFilesystem', 'NonRootUser', 'DeregistrationDelay', 'HealthCheckBudget']) {
      expect(found).toContain(`v2 Shipyard-${id}`);
      expect(found).toContain(`v3 Shipyard-${id}`);
    }
  });

  // The integ apps pass it with both majors: test/compliance.test.ts, in the one sweep every gate shares.
});

describe('ShipyardChecks wired as the docs show, with each cdk-nag major', () => {
  /** An app with one raw log group that has no retention: one finding to report. */
  function appWithFinding(): App {
    const app = new App();
    new CfnResource(new Stack(app, 'S'), 'Logs', { type: 'AWS::Logs::LogGroup', properties: {} });
    return app;
  }

  test('cdk-nag 2.x: the docs\' aspect reports the finding as an error on the resource', () => {
    const app = appWithFinding();
    Aspects.of(app).add(ShipyardChecks._packFor(nag2, undefined));
    const errors = app.synth().getStackByName('S').findMetadataByType('aws:cdk:error').map(e => String(e.data));
    expect(errors).toEqual([expect.stringMatching(/^Shipyard-LogRetention: /)]);
  });

  test('cdk-nag 3.x: the pack of the app reports the finding through validateScope (the plugin\'s run)', () => {
    const app = appWithFinding();
    const report = ShipyardChecks._packFor(nag3, app).validateScope(app);
    expect(report.violations.map((v: any) => v.ruleName)).toEqual(['Shipyard-LogRetention']);
  });

  test('cdk-nag 3.x wired the 2.x way fails loudly, with the fix, instead of checking nothing', () => {
    expect(() => ShipyardChecks._packFor(nag3, undefined)).toThrow(/^\[cdk-shipyard:NAG_WIRING\] .*Validations\.of\(app\)\.addPlugins\(ShipyardChecks\.pack\(app\)\)/);
    const app = appWithFinding();
    Aspects.of(app).add(ShipyardChecks._packFor(nag3, app));
    expect(() => app.synth()).toThrow(/NAG_WIRING/);
  });
});
