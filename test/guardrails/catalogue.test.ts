/**
 * Bad inputs AWS would reject (or accept and never act on), caught at synth: one `fails when …`
 * (or warning) per category of the catalogue.
 */
import { App, Duration, Stack, aws_certificatemanager as acm, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Capacity, Environment, EnvironmentProfile, Image, Logging, NetworkService, Volume, WebService, WebServiceProps } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, expectValidationError, hasWarning, productionEnvironment, testStack } from '../fixtures';

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

describe('container settings Docker refuses when the task starts', () => {
  test.each(['app', './app', 'srv/app'])('fails when the working directory is relative (%j)', (dir) => {
    expect(() => web({ workingDirectory: dir })).toThrow(/\[cdk-shipyard:TASK_SETTINGS\].*workingDirectory .* is not an absolute path.*Fix: give an absolute path, such as \/(app|srv\/app)/s);
  });

  test('accepts an absolute working directory, and a Windows one on Windows', () => {
    expect(() => web({ workingDirectory: '/srv/app' })).not.toThrow();
    expect(() => web({ workingDirectory: 'C:\\app', operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE, cpu: 1024, memoryLimitMiB: 2048 }))
      .not.toThrow(/workingDirectory/);
  });

  test.each([[['']], [[' ', '-c']]])('fails when the entry point names no program (%j)', (entryPoint) => {
    expect(() => web({ entryPoint })).toThrow(/^\[cdk-shipyard:TASK_SETTINGS\] .*entryPoint .* names no program/);
  });

  test('accepts an entry point whose later arguments are empty strings', () => {
    expect(() => web({ entryPoint: ['/bin/app', ''] })).not.toThrow();
  });

  test.each(['1000:', ':1000', '1000 ', 'app user', '1000:1000:1000', ''])('fails when the user is %j', (user) => {
    expectError(ErrorCode.TASK_SETTINGS, () => web({ containerSecurity: { user } }));
  });

  test.each(['1000', '1000:1000', 'nginx', 'app:staff', 'app:1000', '1000:staff'])('accepts the user %j (ECS\'s six forms)', (user) => {
    expect(() => web({ containerSecurity: { user } })).not.toThrow();
  });

  test.each([
    ['a relative path', { containerPath: 'cache', size: 64 }],
    ['a size of 0', { containerPath: '/cache', size: 0 }],
    ['a fractional size', { containerPath: '/cache', size: 1.5 }],
  ])('fails when a tmpfs mount has %s', (_name, tmpfs) => {
    const { stack, environment, instances } = ec2Environment();
    expect(() => new WebService(stack, 'Web', {
      environment, image: IMAGE, capacity: Capacity.ec2(instances), linuxSettings: { tmpfs: [tmpfs] },
    })).toThrow(/^\[cdk-shipyard:TASK_SETTINGS\] .*linuxSettings\.tmpfs\[0\]\.(containerPath|size)/);
  });
});

describe('certificates from another region (ACM certificates are regional)', () => {
  const inRegion = (region: string) => new Stack(new App(), 'S', { env: { account: '111111111111', region } });
  const certificate = (stack: Stack, region: string) =>
    acm.Certificate.fromCertificateArn(stack, 'Cert', `arn:aws:acm:${region}:111111111111:certificate/00000000-0000-0000-0000-000000000000`);

  test('fails when the shared load balancer is given a certificate of another region', () => {
    const stack = inRegion('eu-west-1');
    expect(() => new Environment(stack, 'Env', { ingress: { certificate: certificate(stack, 'us-east-1') } }))
      .toThrow(/^\[cdk-shipyard:CROSS_ENVIRONMENT\] S\/Env\/Ingress: ingress.certificate "arn:aws:acm:us-east-1:.*" is in us-east-1, and the load balancer in eu-west-1/);
  });

  test('accepts a certificate of the load balancer\'s region, and any in an environment-agnostic stack', () => {
    const stack = inRegion('eu-west-1');
    expect(() => new Environment(stack, 'Env', { ingress: { certificate: certificate(stack, 'eu-west-1') } })).not.toThrow();
    const agnostic = testStack();
    expect(() => new Environment(agnostic, 'Env', { ingress: { certificate: certificate(agnostic, 'us-east-1') } })).not.toThrow();
  });

  test('fails when a TLS network service is given a certificate of another region', () => {
    const stack = inRegion('eu-west-1');
    const environment = new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
    expectError(ErrorCode.CROSS_ENVIRONMENT, () => new NetworkService(stack, 'Tls', {
      environment, image: IMAGE, containerPort: 8443, protocol: elbv2.Protocol.TLS, certificate: certificate(stack, 'us-west-2'),
    }));
  });
});
