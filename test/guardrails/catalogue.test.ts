/**
 * Bad inputs AWS would reject (or accept and never act on), caught at synth: one `fails when …`
 * (or warning) per category of the catalogue.
 */
import {
  App, Duration, Stack, aws_certificatemanager as acm, aws_ec2 as ec2, aws_ecr as ecr, aws_ecs as ecs, aws_efs as efs,
  aws_elasticloadbalancingv2 as elbv2, aws_iam as iam, aws_opensearchservice as opensearch, aws_route53 as route53, aws_s3 as s3, aws_sqs as sqs,
} from 'aws-cdk-lib';
import {
  Capacity, DaemonService, Environment, EnvironmentProfile, EventTask, EventTrigger, FireLensConfigFile, Image, JobSchedule, LogDestination, Logging,
  ManagedInstancesCapacity, NetworkService, ScheduledJob, Tracing, Volume, WarningId, WebService, WebServiceProps,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, expectValidationError, hasWarning, productionEnvironment, template, testStack } from '../fixtures';

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
      .toThrow(/^\[cdk-shipyard:VOLUME\] Test\/Web: container "app" mounts 2 volumes at \/tmp \(cache, a tmpfs mount\)/);
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

describe('the limits the prop catalogue found unchecked', () => {
  const plainHttpEnvironment = (webAclArn: string) =>
    productionEnvironment(testStack(), { ingress: { webAclArn, certificate: undefined, protocol: elbv2.ApplicationProtocol.HTTP } });

  test('EFS accessPoint path: at most 100 characters and 4 directories, none of the characters EFS refuses', () => {
    const efsVolume = (path: string) => (s: Stack) => Volume.efs('data', efs.FileSystem.fromFileSystemAttributes(s, 'Fs', {
      fileSystemId: 'fs-12345678', securityGroup: ec2.SecurityGroup.fromSecurityGroupId(s, 'FsSg', 'sg-12345678'),
    }), { containerPath: '/data', accessPoint: { path } });
    for (const path of ['/a/b/c/d/e', '/data$', '/a b;c', `/${'x'.repeat(100)}`]) {
      const stack = testStack();
      expectError(ErrorCode.VOLUME, () => web({ volumes: [efsVolume(path)(stack)] }, stack));
    }
    const stack = testStack();
    expect(() => web({ volumes: [efsVolume('/a/b/c/d')(stack)] }, stack)).not.toThrow();
  });

  test.each([
    ['sidecar memoryLimitMiB', { sidecars: [{ name: 'proxy', image: IMAGE, memoryLimitMiB: 4 }] }],
    ['sidecar memoryReservationMiB', { sidecars: [{ name: 'proxy', image: IMAGE, memoryReservationMiB: 5 }] }],
    ['tracing memoryReservationMiB', { tracing: Tracing.awsDistroForOpenTelemetry({ memoryReservationMiB: 5 }) }],
    ['FireLens routerMemoryReservationMiB', { logging: Logging.fireLens({ destination: LogDestination.cloudWatchLogs(), routerMemoryReservationMiB: 4 }) }],
  ])('fails when a container has less than 6 MiB (%s, CONTAINER_MEMORY)', (_what, props) => {
    expect(() => web(props as Partial<WebServiceProps>)).toThrow(/^\[cdk-shipyard:CONTAINER_MEMORY\] .* below the 6 MiB Docker reserves/);
  });

  test('accepts sidecars of exactly 6 MiB', () => {
    const { stack } = web({ sidecars: [{ name: 'proxy', image: IMAGE, memoryLimitMiB: 6, memoryReservationMiB: 6 }] });
    expect(() => template(stack)).not.toThrow();
  });

  test.each(['AWS/ECS', ':metrics', 'my: app', 'app #1', '"quoted"'])('fails when the tracing metricNamespace is %j (TASK_SETTINGS)', (metricNamespace) => {
    expectError(ErrorCode.TASK_SETTINGS, () => web({ tracing: Tracing.awsDistroForOpenTelemetry({ metricNamespace }) }));
  });

  test('accepts a metricNamespace with slashes, hyphens and inner spaces', () => {
    expect(() => web({ tracing: Tracing.awsDistroForOpenTelemetry({ metricNamespace: 'Team/Orders API-v2' }) })).not.toThrow();
  });

  test.each(['ecs-spot', 'fargate_x', 'my provider', 'a'.repeat(256)])('fails when a capacityProviderName is %j (CAPACITY_PROVIDER)', (capacityProviderName) => {
    expectError(ErrorCode.CAPACITY_PROVIDER, () => ec2Environment({ capacityProviderName }));
    const stack = testStack();
    expectError(ErrorCode.CAPACITY_PROVIDER, () => new ManagedInstancesCapacity(stack, 'Mi', { environment: productionEnvironment(stack), capacityProviderName }));
  });

  test('accepts a capacityProviderName of letters, digits, _ and -', () => {
    expect(() => ec2Environment({ capacityProviderName: 'Team_a-graviton2' })).not.toThrow();
  });

  test.each(['app:web', 'a*', 'x'.repeat(476)])('fails when the awslogs streamPrefix is %j (LOGGING)', (streamPrefix) => {
    expect(() => web({ logging: Logging.awsLogs({ streamPrefix }) })).toThrow(/^\[cdk-shipyard:LOGGING\] .*log stream prefix/);
  });

  test('accepts the longest streamPrefix whose stream names fit 512 characters', () => {
    expect(() => web({ logging: Logging.awsLogs({ streamPrefix: 'x'.repeat(475) }) })).not.toThrow();
  });

  test('fails when a daemon minHealthyPercent is not a whole number below 100 (DEPLOYMENT)', () => {
    for (const minHealthyPercent of [100, -1, 12.5]) {
      const { stack, environment, instances } = ec2Environment();
      expectError(ErrorCode.DEPLOYMENT, () => new DaemonService(stack, 'Agent', { environment, image: IMAGE, capacity: Capacity.ec2(instances), minHealthyPercent }));
    }
    const { stack, environment, instances } = ec2Environment();
    expect(() => new DaemonService(stack, 'Agent', { environment, image: IMAGE, capacity: Capacity.ec2(instances), minHealthyPercent: 0 })).not.toThrow();
  });

  test('fails when the environment domain domainName is outside its hosted zone (ROUTING_INVALID)', () => {
    const stack = testStack();
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
    expectError(ErrorCode.ROUTING_INVALID, () => new Environment(stack, 'Env', { ingress: { domain: { domainName: 'example.org', hostedZone } } }));
    expect(() => new Environment(stack, 'Env2', { ingress: { domain: { domainName: 'apps.example.com', hostedZone } } })).not.toThrow();
  });

  test('fails when an EBS volume infrastructureRole made in the app does not trust ecs.amazonaws.com (ROLES)', () => {
    const stack = testStack();
    const role = (principal: string) => new iam.Role(stack, `R-${principal}`, { assumedBy: new iam.ServicePrincipal(principal) });
    expectError(ErrorCode.ROLES, () => web({ volumes: [Volume.ebs('data', { containerPath: '/data', sizeGiB: 20, infrastructureRole: role('ecs-tasks.amazonaws.com') })] }, stack));
    const other = testStack();
    const trusted = new iam.Role(other, 'Infra', { assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com') });
    expect(() => web({ volumes: [Volume.ebs('data', { containerPath: '/data', sizeGiB: 20, infrastructureRole: trusted })] }, other)).not.toThrow();
  });

  test('fails when Environment.fromAttributes gets a logRetention or tags AWS refuses (LOGGING, CONFLICTING_OPTIONS)', () => {
    const stack = testStack();
    const source = productionEnvironment(stack);
    const attributes = { vpc: source.vpc, cluster: source.cluster };
    expectError(ErrorCode.LOGGING, () => Environment.fromAttributes(stack, 'A', { ...attributes, logRetention: 10 as any }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => Environment.fromAttributes(stack, 'B', { ...attributes, tags: { 'aws:owner': 'x' } }));
    expect(() => Environment.fromAttributes(stack, 'C', { ...attributes, tags: { owner: 'x' } })).not.toThrow();
  });

  test.each(['arn:aws:servicediscovery:us-east-1:111111111111:namespace/ns-1', 'my namespace', ''])(
    'fails when the serviceConnectNamespaceName is %j (SERVICE_CONNECT)', (serviceConnectNamespaceName) => {
      expectError(ErrorCode.SERVICE_CONNECT, () => new Environment(testStack(), 'Env', { profile: EnvironmentProfile.DEVELOPMENT, serviceConnectNamespaceName }));
    });

  test('fails when an event task or scheduled job deadLetterQueue is FIFO (QUEUE)', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const fifo = sqs.Queue.fromQueueArn(stack, 'Fifo', 'arn:aws:sqs:us-east-1:111111111111:dlq.fifo');
    expectError(ErrorCode.QUEUE, () => new EventTask(stack, 'Task', { environment, image: IMAGE, trigger: EventTrigger.pattern({ source: ['my.app'] }), deadLetterQueue: fifo }));
    expectError(ErrorCode.QUEUE, () => new ScheduledJob(stack, 'Job', { environment, image: IMAGE, schedule: JobSchedule.rate(Duration.hours(1)), deadLetterQueue: fifo }));
    const standard = sqs.Queue.fromQueueArn(stack, 'Std', 'arn:aws:sqs:us-east-1:111111111111:dlq');
    expect(() => new ScheduledJob(stack, 'Job2', { environment, image: IMAGE, schedule: JobSchedule.rate(Duration.hours(1)), deadLetterQueue: standard })).not.toThrow();
  });

  test.each(['Web', '_logs', 'a b', 'logs:2026'])('fails when the openSearch index is %j (LOGGING)', (index) => {
    const stack = testStack();
    const domain = opensearch.Domain.fromDomainEndpoint(stack, 'Domain', 'https://search-logs-abc.us-east-1.es.amazonaws.com');
    expectError(ErrorCode.LOGGING, () => web({ logging: Logging.fireLens({ destination: LogDestination.openSearch(domain, { index }) }) }, stack));
  });

  test.each([
    ['a CloudFront web ACL', 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/1'],
    ['a WAF Classic id', 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111'],
  ])('fails when ingress webAclArn is %s (CONFLICTING_OPTIONS)', (_what, webAclArn) => {
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => plainHttpEnvironment(webAclArn));
  });

  test('accepts a regional web ACL ARN of the AWS WAF documentation\'s form', () => {
    const webAclArn = 'arn:aws:wafv2:us-west-2:123456789012:regional/webacl/ExampleWebACL/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
    expect(() => plainHttpEnvironment(webAclArn)).not.toThrow();
  });

  test('fails with more than 10 environmentFiles, or one not named .env (TASK_SETTINGS)', () => {
    const files = (stack: Stack, names: string[]) => names.map(n => ecs.EnvironmentFile.fromBucket(s3.Bucket.fromBucketName(stack, `B-${n}`, 'config'), n));
    const tenEnv = Array.from({ length: 10 }, (_, i) => `${i}.env`);
    const at = (names: string[]) => { const stack = testStack(); return () => web({ environmentFiles: files(stack, names) }, stack); };
    expect(at([...tenEnv, '10.env'])).toThrow(/^\[cdk-shipyard:TASK_SETTINGS\] .*11 environmentFiles/);
    expect(at(['app.properties'])).toThrow(/^\[cdk-shipyard:TASK_SETTINGS\] .*must end in \.env/);
    expect(at(tenEnv)).not.toThrow();
  });

  test('fails when FireLensConfigFile.fromImage( is given a relative path (LOGGING)', () => {
    expectError(ErrorCode.LOGGING, () => web({ logging: Logging.fireLens({ configFile: FireLensConfigFile.fromImage('extra.conf') }) }));
  });

  test.each(['-bad', 'v 1', 'sha256:abc', 'x'.repeat(129)])('fails when Image.fromEcrRepository( gets the tag or digest %j (IMAGE)', (tagOrDigest) => {
    const stack = testStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'app');
    expectError(ErrorCode.IMAGE, () => web({ image: Image.fromEcrRepository(repository, tagOrDigest) }, stack));
  });

  test('fails when a nofile ulimits hard limit passes Fargate\'s 1048576 (TASK_SETTINGS)', () => {
    expect(() => web({ linuxSettings: { ulimits: [{ name: ecs.UlimitName.NOFILE, softLimit: 1048577, hardLimit: 1048577 }] } }))
      .toThrow(/^\[cdk-shipyard:TASK_SETTINGS\] .*nofile limit of 1048577/);
    expect(() => web({ linuxSettings: { ulimits: [{ name: ecs.UlimitName.NOFILE, softLimit: 1048576, hardLimit: 1048576 }] } })).not.toThrow();
  });

  test.each([['targetPort', { targetPort: 70000 }], ['healthCheckPort', { healthCheckPort: 0 }]])(
    'fails when an additional listener %s is outside 1-65535 (PORT_RANGE)', (_what, port) => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      expectError(ErrorCode.PORT_RANGE, () => new NetworkService(stack, 'Nlb', { environment, image: IMAGE, additionalListeners: [{ port: 9000, ...port }] }));
    });
});

describe('serviceName', () => {
  test('names the ECS service, and warns that a named service cannot be replaced under its name (SERVICE_NAME)', () => {
    const { stack } = web({ serviceName: 'orders-api' });
    template(stack).hasResourceProperties('AWS::ECS::Service', { ServiceName: 'orders-api' });
    expect(hasWarning(stack, WarningId.SERVICE_NAME)).toBe(true);
    expect(hasWarning(web().stack, WarningId.SERVICE_NAME)).toBe(false);
  });

  test.each(['orders api', 'orders.api', '', 'x'.repeat(256)])('fails when the serviceName is %j (CONFLICTING_OPTIONS)', (serviceName) => {
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => web({ serviceName }));
  });

  test('accepts 255 letters, digits, underscores and hyphens', () => {
    expect(() => web({ serviceName: `Orders_API-v2${'x'.repeat(242)}` })).not.toThrow();
  });
});
