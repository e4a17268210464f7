/**
 * Bad inputs AWS would reject (or accept and never act on), caught at synth: one `fails when …`
 * (or warning) per category of the catalogue.
 */
import { App, Duration, Stack, aws_ecs as ecs } from 'aws-cdk-lib';
import { Environment, EnvironmentProfile, Image, Logging, Volume, WebService, WebServiceProps } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, expectValidationError, hasWarning, productionEnvironment, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27', { architectures: [ecs.CpuArchitecture.ARM64] });

function web(props: Partial<WebServiceProps> = {}, stack: Stack = testStack()): { stack: Stack; service: WebService } {
  const environment = props.environment ?? productionEnvironment(stack);
  return { stack, service: new WebService(stack, 'Web', { image: IMAGE, ...props, environment }) };
}

describe('the bad-input catalogue', () => {
  test.each(['199', '500', '200-199', '200,abc', '2xx', ''])('fails when the target health check success codes are %j', (codes) => {
    expectError(ErrorCode.TARGET_HEALTH_CHECK, () => web({ targetHealthCheck: { healthyHttpCodes: codes } }));
  });

  test('accepts success codes listed and as ranges', () => {
    expect(() => web({ targetHealthCheck: { healthyHttpCodes: '200,204,300-399' } })).not.toThrow();
  });

  test.each([0, 4001])('fails when the load balancer idle timeout is %d s (ELB takes 1-4000)', (seconds) => {
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new Environment(testStack(), 'Env', {
      profile: EnvironmentProfile.DEVELOPMENT, ingress: { idleTimeout: Duration.seconds(seconds) },
    }));
  });

  test('warns when a path pattern can never match (no leading /)', () => {
    const { stack } = web({ routing: { pathPatterns: ['api/*'] } });
    expect(hasWarning(stack, 'cdk-shipyard:unreachable-route')).toBe(true);
    expect(hasWarning(web({ routing: { pathPatterns: ['/api/*', '*.png'] } }).stack, 'cdk-shipyard:unreachable-route')).toBe(false);
  });

  test.each(['', 'LOG LEVEL', 'A=B'])('fails when an environment variable or secret is named %j', (name) => {
    expectError(ErrorCode.TASK_SETTINGS, () => web({ environmentVariables: { [name]: 'x' } }));
    expectError(ErrorCode.TASK_SETTINGS, () => web({ secrets: { [name]: ecs.Secret.fromSsmParameter({ parameterArn: 'arn:aws:ssm:us-east-1:111111111111:parameter/p', parameterName: 'p' } as any) } }));
  });

  test('fails when an environment tag key is reserved for AWS or too long', () => {
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new Environment(testStack(), 'Env', { profile: EnvironmentProfile.DEVELOPMENT, tags: { 'aws:team': 'a' } }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new Environment(testStack(), 'Env', { profile: EnvironmentProfile.DEVELOPMENT, tags: { ['k'.repeat(129)]: 'a' } }));
  });

  test('fails when two volumes are mounted on one container path, the baseline\'s /tmp included', () => {
    expect(() => web({ volumes: [Volume.scratch('cache', { containerPath: '/tmp' })] }))
      .toThrow(/^\[cdk-shipyard:VOLUME\] Test\/Web: container "app" mounts 2 volumes at \/tmp \(app-writable-0, cache\)/);
  });

  test('fails at synth when an escape hatch mounts a second volume on a path', () => {
    const { stack, service } = web();
    service.taskDefinition.addVolume({ name: 'extra' });
    service.container.addMountPoints({ sourceVolume: 'extra', containerPath: '/tmp/', readOnly: false });
    expectValidationError(stack, ErrorCode.VOLUME, /mounts 2 volumes at \/tmp/);
  });

  test.each(['', 'nginx latest', 'Nginx:1', 'nginx:', 'nginx@sha256:xyz', 'nginx:-bad'])('fails when an image reference is %j', (name) => {
    expectError(ErrorCode.IMAGE, () => web({ image: Image.fromRegistry(name) }));
  });

  test('accepts registry hosts with ports, tags and digests', () => {
    for (const name of ['nginx', 'registry.example.com:5000/team/api:1.4.2', `ghcr.io/org/app@sha256:${'a'.repeat(64)}`]) {
      expect(() => web({ image: Image.fromRegistry(name) })).not.toThrow();
    }
  });

  test('fails when a workload\'s stack is in another region or account than its environment', () => {
    const app = new App();
    const platform = new Stack(app, 'Platform', { env: { account: '111111111111', region: 'eu-west-1' } });
    const environment = new Environment(platform, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
    const elsewhere = new Stack(app, 'Apps', { env: { account: '111111111111', region: 'us-east-1' } });
    expect(() => new WebService(elsewhere, 'Web', { environment, image: IMAGE }))
      .toThrow(/^\[cdk-shipyard:CROSS_ENVIRONMENT\] Apps\/Web: the workload's stack Apps is in 111111111111\/us-east-1, and its environment's stack Platform in 111111111111\/eu-west-1/);
    const sameEnv = new Stack(app, 'Same', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(() => new WebService(sameEnv, 'Web', { environment, image: IMAGE })).not.toThrow();
  });
});

test.each([
  ['a soft limit above the hard limit', { name: ecs.UlimitName.NOFILE, softLimit: 70000, hardLimit: 65535 }],
  ['a fractional limit', { name: ecs.UlimitName.NOFILE, softLimit: 1.5, hardLimit: 2 }],
  ['a negative limit', { name: ecs.UlimitName.NOFILE, softLimit: -1, hardLimit: 2 }],
])('fails when a ulimit has %s', (_name, ulimit) => {
  expectError(ErrorCode.TASK_SETTINGS, () => web({ linuxSettings: { ulimits: [ulimit] } }));
});

test.each([
  ['a JSON key on an SSM parameter', 'arn:aws:ssm:us-east-1:111111111111:parameter/app/config:password::'],
  ['an SSM parameter name with a space', 'arn:aws:ssm:us-east-1:111111111111:parameter/app/my key'],
  ['an SSM ARN without a parameter', 'arn:aws:ssm:us-east-1:111111111111:document/x'],
])('fails when a secret is %s', (_name, arn) => {
  expectError(ErrorCode.SECRET, () => web({ secrets: { KEY: ecs.Secret.fromSsmParameter({ parameterArn: arn, parameterName: 'x', grantRead: () => ({}) } as any) } }));
});

test('fails when a retention is a number CloudWatch Logs does not accept', () => {
  expectError(ErrorCode.LOGGING, () => new Environment(testStack(), 'Env', { profile: EnvironmentProfile.DEVELOPMENT, logRetention: 10 as any }));
  expectError(ErrorCode.LOGGING, () => web({ logging: Logging.awsLogs({ retention: 45 as any }) }));
});

test.each([1, 121])('fails when a Fargate container start timeout is %d s (Fargate takes 2-120)', (seconds) => {
  expectError(ErrorCode.TASK_SETTINGS, () => web({ startTimeout: Duration.seconds(seconds) }));
});
