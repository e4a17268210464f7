/**
 * The checks docs/guardrails.md ("Every prop and its check") claims for a prop, each made to
 * fire through the public API with the bad value or combination its row names, beside an
 * accepting case at the valid boundary where one is natural.
 */
import {
  App, Aws, Duration, Lazy, Stack, Stage,
  aws_acmpca as acmpca, aws_certificatemanager as acm, aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_ecr as ecr, aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2, aws_route53 as route53, aws_s3 as s3, aws_secretsmanager as secretsmanager,
  aws_servicediscovery as servicediscovery, aws_sns as sns, aws_ssm as ssm,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  BackendService, BackendServiceProps, BackgroundService, Capacity, Deployment, Environment, HostImage, IEnvironment, Image, IngressSource,
  JobSchedule, LogDestination, Logging, Network, NetworkService, NetworkServiceProps, Routing, Scaling, ScheduledJob, ScheduledJobProps,
  SharedIngress, SharedNetworkLoadBalancer, TestTraffic, Tracing, Volume, WebService, WebServiceProps, WorkerService,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { WarningId } from '../../src/guardrails/warnings';
import { CERTIFICATE_ARN, ec2Environment, expectValidationError, importedEnvironment, productionEnvironment, testApp, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27', { architectures: [ecs.CpuArchitecture.ARM64] });
const WINDOWS_IMAGE = Image.fromRegistry('mcr.microsoft.com/dotnet/samples:aspnetapp');
const WINDOWS = ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE;
const HEALTH_CHECK: ecs.HealthCheck = { command: ['CMD-SHELL', 'exit 0'] };

/** Expect `build` to throw the ShipyardError `code`, its message matching `message`. */
function expectFailure(code: ErrorCode, build: () => unknown, message: RegExp): void {
  expect(build).toThrow(new RegExp(`^\\[cdk-shipyard:${code}\\] [\\s\\S]*${message.source}`));
}

/** The construct paths the stack's warning `id` is on, and their messages (the app is synthesized once). */
function warningsOf(stack: Stack, id: WarningId): Array<{ path: string; message: string }> {
  return Stage.of(stack)!.synth().getStackArtifact(stack.artifactId).findMetadataByType('aws:cdk:warning')
    .map(w => ({ path: w.path.replace(/^\//, ''), message: String(w.data) }))
    .filter(w => w.message.includes(id));
}

function web(props: Partial<WebServiceProps> = {}, stack: Stack = testStack(), id = 'Web'): { stack: Stack; service: WebService } {
  const environment = props.environment ?? productionEnvironment(stack);
  return { stack, service: new WebService(stack, id, { image: IMAGE, ...props, environment }) };
}

function certificate(stack: Stack, id = 'Cert', region = 'us-east-1'): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, id, CERTIFICATE_ARN.replace(':us-east-1:', `:${region}:`));
}

describe('AutoScalingCapacityProps', () => {
  test('fails when hostImage is Windows and the task Linux, or hostImage Linux and the task Windows; accepts a Windows task on Windows instances', () => {
    const windowsTask = { operatingSystemFamily: WINDOWS, cpu: 1024, memoryLimitMiB: 2048 };
    const on = (hostImage: HostImage, props: Partial<WebServiceProps>) => () => {
      const { stack, environment, instances } = ec2Environment({ hostImage });
      return new WebService(stack, 'Web', { environment, image: WINDOWS_IMAGE, capacity: Capacity.ec2(instances), ...props });
    };
    expectFailure(ErrorCode.PLATFORM, on(HostImage.WINDOWS_SERVER_2022, {}), /the capacity \(ec2\) runs Windows instances, and the task is Linux/);
    expectFailure(ErrorCode.PLATFORM, on(HostImage.AMAZON_LINUX_2023, windowsTask), /need Windows instances, and the capacity \(ec2\) does not run Windows/);
    expect(on(HostImage.WINDOWS_SERVER_2022, windowsTask)).not.toThrow();
  });

  test('fails when instanceWarmup is above 10000 s (ECS ManagedScaling); accepts 10000 s', () => {
    expectFailure(ErrorCode.CAPACITY_PROVIDER, () => ec2Environment({ instanceWarmup: Duration.seconds(10001) }),
      /instanceWarmup \(seconds\) is 10001, outside 0-10000/);
    expect(() => ec2Environment({ instanceWarmup: Duration.seconds(10000) })).not.toThrow();
  });
});

describe('RollingDeploymentOptions and BlueGreenOptions', () => {
  const deployments = [
    ['Deployment.rolling', (rollbackAlarms: cloudwatch.IAlarm[]) => Deployment.rolling({ rollbackAlarms })],
    ['Deployment.blueGreen', (rollbackAlarms: cloudwatch.IAlarm[]) => Deployment.blueGreen({ rollbackAlarms })],
  ] as const;

  /** A web service whose rollbackAlarms holds an alarm on its own CPU metric, named as given (or not). */
  function serviceWithOwnAlarm(deployment: (alarms: cloudwatch.IAlarm[]) => Deployment, alarmName?: string): Stack {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    let service: WebService | undefined;
    // The alarm exists before the service that lists it; its metric reads the service's name once the service exists.
    const serviceName = Lazy.string({ produce: () => service!.service.serviceName });
    const metric = new cloudwatch.Metric({ namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensionsMap: { ServiceName: serviceName } });
    const alarm = new cloudwatch.Alarm(stack, 'Cpu', { metric, threshold: 95, evaluationPeriods: 3, alarmName });
    service = new WebService(stack, 'Web', { environment, image: IMAGE, deployment: deployment([alarm]) });
    return stack;
  }

  test.each(deployments)('%s: fails at synth when rollbackAlarms lists, by a name CloudFormation resolves (a Ref), an alarm on the service\'s metric',
    (_name, deployment) => {
      expectValidationError(serviceWithOwnAlarm(deployment, `${Aws.STACK_NAME}-cpu`), ErrorCode.ALARM,
        /Test\/Web\/Service: the service lists alarm Test\/Cpu\/Resource for rollback by its generated name/);
    });

  test.each(deployments)('%s: accepts the same alarm in rollbackAlarms without a name (it is given a fixed one)', (_name, deployment) => {
    const stack = serviceWithOwnAlarm(deployment);
    expect(() => Stage.of(stack)!.synth()).not.toThrow();
  });

  test.each([
    ['a header named Host', () => TestTraffic.header('Host'), /HTTP header condition on "Host": the load balancer takes the host only in a host-header condition/],
    ['a header value of 129 characters', () => TestTraffic.header('x-test', ['v'.repeat(129)]), /HTTP header value "v{129}" is not 1-128 characters/],
    ['an empty header value', () => TestTraffic.header('x-test', ['']), /HTTP header value "" is not 1-128 characters/],
    ['5 header values beside the path (6 condition values)', () => TestTraffic.header('x-test', ['a', 'b', 'c', 'd', 'e']),
      /routing has 6 condition values .* a listener rule takes at most 5/],
  ])('fails when the blue/green testTraffic is %s', (_name, testTraffic, message) => {
    expectFailure(ErrorCode.ROUTING_INVALID, () => web({ deployment: Deployment.blueGreen({ testTraffic: testTraffic() }) }), message);
  });

  test('accepts testTraffic on a header of 40 characters with 4 values of 128 (5 condition values with the path)', () => {
    const testTraffic = TestTraffic.header('x'.repeat(40), ['a', 'b', 'c', 'd'].map(c => c.repeat(128)));
    expect(() => web({ deployment: Deployment.blueGreen({ testTraffic }) })).not.toThrow();
  });
});

describe('CanaryDeploymentOptions', () => {
  test.each([
    [Duration.minutes(1441), /canaryBakeTime is 1441 minutes, outside 0-1440 minutes/],
    [Duration.seconds(90), /canaryBakeTime is 90 s, not whole minutes/],
  ])('fails when canaryBakeTime is %s', (canaryBakeTime, message) => {
    expectFailure(ErrorCode.DEPLOYMENT, () => web({ deployment: Deployment.canary({ canaryBakeTime }) }), message);
  });

  test('accepts a canaryBakeTime of 0 and of 1440 minutes', () => {
    expect(() => web({ deployment: Deployment.canary({ canaryBakeTime: Duration.minutes(0) }) })).not.toThrow();
    expect(() => web({ deployment: Deployment.canary({ canaryBakeTime: Duration.minutes(1440) }) })).not.toThrow();
  });
});

describe('ContainerSecurityOptions', () => {
  test('fails when writablePaths names a path a volume mounts; accepts another path', () => {
    const volumes = [Volume.scratch('data', { containerPath: '/data' })];
    expectFailure(ErrorCode.VOLUME, () => web({ containerSecurity: { writablePaths: ['/tmp', '/data'] }, volumes }),
      /container "app" mounts 2 volumes at \/data/);
    expect(() => web({ containerSecurity: { writablePaths: ['/tmp', '/cache'] }, volumes })).not.toThrow();
  });
});

describe('EbsVolumeOptions', () => {
  test.each(['snap-xyz', 'snapshot-0123456789abcdef0', 'snap-'])('fails when snapshotId is %j (aws-cdk-lib\'s check, reported as VOLUME)', (snapshotId) => {
    expectFailure(ErrorCode.VOLUME, () => web({ volumes: [Volume.ebs('data', { containerPath: '/data', snapshotId })] }),
      /volume data is not a valid EBS volume: 'snapshotId' does match expected pattern/);
  });

  test('accepts snap- and hexadecimal digits', () => {
    expect(() => web({ volumes: [Volume.ebs('data', { containerPath: '/data', snapshotId: 'snap-0123456789ABCDEF0' })] })).not.toThrow();
  });
});

describe('ExistingVpcOptions and EnvironmentAttributes: internetEgress', () => {
  test.each([
    ['Network.fromVpc(vpc, { internetEgress: false })', (stack: Stack): IEnvironment => productionEnvironment(stack, {
      network: Network.fromVpc(new ec2.Vpc(stack, 'Existing', { natGateways: 1 }), { internetEgress: false }),
    })],
    ['Environment.fromAttributes({ internetEgress: false })', (stack: Stack): IEnvironment => importedEnvironment(stack, { internetEgress: false })],
  ])('with %s: warns of an image outside ECR and of ECS Exec, and of nothing else', (_name, noEgress) => {
    const stack = testStack();
    const environment = noEgress(stack);
    const fromEcr = Image.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'app'), '1.0');
    new WebService(stack, 'Registry', { environment, image: IMAGE, routing: { pathPatterns: ['/registry/*'] } });
    new WebService(stack, 'Exec', { environment, image: fromEcr, routing: { pathPatterns: ['/exec/*'] }, enableExec: true });
    new WebService(stack, 'Quiet', { environment, image: fromEcr, routing: { pathPatterns: ['/quiet/*'] } });
    expect(warningsOf(stack, WarningId.IMAGE_UNREACHABLE).map(w => w.path)).toEqual(['Test/Registry']);
    expect(warningsOf(stack, WarningId.EXEC_UNREACHABLE)).toEqual([
      { path: 'Test/Exec', message: expect.stringMatching(/ECS Exec needs the ssmmessages endpoint; the environment has no internet egress/) },
    ]);
  });
});

describe('EnvironmentAttributes and IngressOptions: the listener protocol', () => {
  test.each([
    ['IngressOptions protocol', (stack: Stack, protocol: elbv2.ApplicationProtocol): IEnvironment => new Environment(stack, 'Env', {
      ingress: protocol === elbv2.ApplicationProtocol.HTTPS ? { protocol, certificate: certificate(stack) } : { protocol },
    })],
    ['EnvironmentAttributes listenerProtocol', (stack: Stack, listenerProtocol: elbv2.ApplicationProtocol): IEnvironment =>
      importedEnvironment(stack, { listenerProtocol })],
  ])('fails with TARGET_GROUP when the tasks speak HTTP/2 or gRPC and the %s is HTTP; accepts them behind HTTPS', (_name, environment) => {
    for (const protocolVersion of [elbv2.ApplicationProtocolVersion.HTTP2, elbv2.ApplicationProtocolVersion.GRPC]) {
      const plain = testStack();
      const http = environment(plain, elbv2.ApplicationProtocol.HTTP);
      expectFailure(ErrorCode.TARGET_GROUP, () => web({ environment: http, loadBalancing: { protocolVersion } }, plain),
        new RegExp(`loadBalancing.protocolVersion is ${protocolVersion}, but the load balancer listens on plain HTTP`));
      const tls = testStack();
      expect(() => web({ environment: environment(tls, elbv2.ApplicationProtocol.HTTPS), loadBalancing: { protocolVersion } }, tls)).not.toThrow();
    }
  });
});

describe('EnvironmentProps', () => {
  test('fails when taskEvents notifications are asked for without an alarmTopic; accepts them with one, the lifecycle log alone without', () => {
    expectFailure(ErrorCode.CONFLICTING_OPTIONS, () => productionEnvironment(testStack(), { taskEvents: {} }),
      /taskEvents asks for the default notifications \(healthEvents, unexpectedStops\), but the environment has no alarmTopic to send them to/);
    const taskEvents = { lifecycleLog: true, unexpectedStops: true };
    expectFailure(ErrorCode.CONFLICTING_OPTIONS, () => productionEnvironment(testStack(), { taskEvents }),
      /taskEvents asks for unexpectedStops, but the environment has no alarmTopic/);
    const stack = testStack();
    expect(() => productionEnvironment(stack, { taskEvents: {}, alarmTopic: new sns.Topic(stack, 'Topic') })).not.toThrow();
    expect(() => productionEnvironment(testStack(), { taskEvents: { lifecycleLog: true } })).not.toThrow();
  });
});

describe('FireLensOptions', () => {
  const fireLens = (routerMemoryReservationMiB: number) =>
    Logging.fireLens({ destination: LogDestination.cloudWatchLogs(), routerMemoryReservationMiB });

  test.each([
    ['4 MiB, below the 6 MiB Docker reserves', 4, [], /container "log-router" has memoryReservationMiB 4, below the 6 MiB Docker reserves/],
    ['480 MiB beside a 64 MiB sidecar, in a 512 MiB task', 480, [{ name: 'agent', image: IMAGE, memoryReservationMiB: 64 }],
      /the containers reserve 550 MiB together, above the task's 512 MiB/],
  ])('fails when routerMemoryReservationMiB is %s', (_name, routerMemoryReservationMiB, sidecars, message) => {
    expectFailure(ErrorCode.CONTAINER_MEMORY, () => web({ logging: fireLens(routerMemoryReservationMiB), sidecars }), message);
  });

  test('accepts a routerMemoryReservationMiB of 6, and one that leaves the app 6 MiB of the task', () => {
    expect(() => web({ logging: fireLens(6) })).not.toThrow();
    expect(() => web({ logging: fireLens(442), sidecars: [{ name: 'agent', image: IMAGE, memoryReservationMiB: 64 }] })).not.toThrow();
  });
});

describe('FsxWindowsVolumeOptions', () => {
  test('fails when credentialsSecret is given with credentialsParameter; accepts credentialsSecret alone', () => {
    const { stack, environment, instances } = ec2Environment({ hostImage: HostImage.WINDOWS_SERVER_2022 });
    const credentialsSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'DomainUser', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:fsx-user-AbCdEf');
    const credentialsParameter = ssm.StringParameter.fromStringParameterName(stack, 'DomainParameter', 'fsx-user');
    const share = (more: { credentialsParameter?: ssm.IParameter }) => Volume.fsxWindows('share', {
      fileSystemId: 'fs-0123456789abcdef0', rootDirectory: 'share', domain: 'corp.example.com', containerPath: 'C:\\data', credentialsSecret, ...more,
    });
    const windows = {
      environment, image: WINDOWS_IMAGE, operatingSystemFamily: WINDOWS, cpu: 1024, memoryLimitMiB: 2048, capacity: Capacity.ec2(instances),
    };
    expectFailure(ErrorCode.VOLUME, () => new WebService(stack, 'Both', { ...windows, volumes: [share({ credentialsParameter })] }),
      /volume share needs exactly one of credentialsSecret and credentialsParameter/);
    expect(() => new WebService(stack, 'Secret', { ...windows, volumes: [share({})] })).not.toThrow();
  });
});

describe('IngressOptions', () => {
  test('warns when the shared load balancer protocol is plain HTTP; not when it is HTTPS', () => {
    const plain = testStack();
    new Environment(plain, 'Env', { ingress: { protocol: elbv2.ApplicationProtocol.HTTP } });
    expect(warningsOf(plain, WarningId.PLAIN_HTTP)).toEqual([
      { path: 'Test/Env/Ingress', message: expect.stringMatching(/the shared load balancer serves plain HTTP: traffic is not encrypted/) },
    ]);
    const tls = testStack();
    new Environment(tls, 'Env', { ingress: { protocol: elbv2.ApplicationProtocol.HTTPS, certificate: certificate(tls) } });
    expect(warningsOf(tls, WarningId.PLAIN_HTTP)).toEqual([]);
  });

  test('fails when one of the additionalCertificates is of another region than the load balancer; accepts one of its region', () => {
    const build = (region: string) => () => {
      const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
      return new Environment(stack, 'Env', {
        ingress: { certificate: certificate(stack, 'Cert', 'eu-west-1'), additionalCertificates: [certificate(stack, 'Other', region)] },
      });
    };
    expectFailure(ErrorCode.CROSS_ENVIRONMENT, build('us-east-1'),
      /S\/Env\/Ingress: ingress.additionalCertificates\[0\] "arn:aws:acm:us-east-1:[^"]*" is in us-east-1, and the load balancer in eu-west-1/);
    expect(build('eu-west-1')).not.toThrow();
  });
});

describe('TestListenerOptions', () => {
  test('fails when allowedCidrs take the load balancer\'s security group past 60 rules with allowedSources; accepts 60', () => {
    const build = (cidrs: number) => () => {
      const stack = testStack();
      const allowedCidrs = Array.from({ length: cidrs }, (_, i) => `10.${i}.0.0/16`);
      // HTTPS: the CIDR source takes two rules (443, and 80 for the redirect), each test CIDR one.
      return new Environment(stack, 'Env', {
        ingress: { certificate: certificate(stack), allowedSources: [IngressSource.cidr('203.0.113.0/24')], testListener: { port: 8443, allowedCidrs } },
      });
    };
    expectFailure(ErrorCode.CONFLICTING_OPTIONS, build(59), /ingress.allowedSources need 61 inbound rules on the load balancer's security group, over the 60/);
    expect(build(58)).not.toThrow();
  });
});

describe('NetworkServiceProps', () => {
  const NLB_IMAGE = Image.fromRegistry('public.ecr.aws/my-org/mqtt:1.0.0', { architectures: [ecs.CpuArchitecture.ARM64] });
  function nlb(props: (stack: Stack) => Partial<NetworkServiceProps> = () => ({})): { stack: Stack; service: NetworkService } {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    return { stack, service: new NetworkService(stack, 'Mqtt', { image: NLB_IMAGE, ...props(stack), environment }) };
  }
  const testTraffic = () => Deployment.blueGreen({ testTraffic: TestTraffic.testListener() });

  test('fails when accessLogsBucket is given for a service on a shared network load balancer; accepts it on the service\'s own TLS one', () => {
    // NLB access logging needs the stack's region.
    const stack = new Stack(testApp(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
    const environment = productionEnvironment(stack);
    const accessLogsBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'nlb-access-logs');
    const sharedLoadBalancer = new SharedNetworkLoadBalancer(stack, 'Nlb', { environment });
    expectFailure(ErrorCode.CONFLICTING_OPTIONS, () => new NetworkService(stack, 'Shared', { environment, image: NLB_IMAGE, sharedLoadBalancer, accessLogsBucket }),
      /internetFacing or accessLogsBucket is given for a service on a shared network load balancer/);
    expect(() => new NetworkService(stack, 'Own', {
      environment, image: NLB_IMAGE, protocol: elbv2.Protocol.TLS, containerPort: 8443, certificate: certificate(stack, 'NlbCert'), accessLogsBucket,
    })).not.toThrow();
  });

  test.each([0, 65536, 80.5])('fails when healthCheckPort is %p', (healthCheckPort) => {
    expectFailure(ErrorCode.PORT_RANGE, () => nlb(() => ({ healthCheckPort })), new RegExp(`healthCheckPort is ${healthCheckPort}, (outside 1-65535|not a whole number)`));
  });

  test('accepts a healthCheckPort of 1 and of 65535', () => {
    expect(() => nlb(() => ({ healthCheckPort: 1 }))).not.toThrow();
    expect(() => nlb(() => ({ healthCheckPort: 65535 }))).not.toThrow();
  });

  test.each([0, 65536])('fails when the testListenerPort of test traffic is %p', (testListenerPort) => {
    expectFailure(ErrorCode.PORT_RANGE, () => nlb(() => ({ deployment: testTraffic(), testListenerPort })),
      new RegExp(`testListenerPort is ${testListenerPort}, outside 1-65535`));
  });

  test('accepts a testListenerPort of 65535', () => {
    expect(() => nlb(() => ({ deployment: testTraffic(), testListenerPort: 65535 }))).not.toThrow();
  });

  test('fails when testListenerPort is the port of one of the service\'s additional listeners; accepts another port', () => {
    expectFailure(ErrorCode.LISTENER, () => nlb(() => ({ testListenerPort: 9090, additionalListeners: [{ port: 9090 }] })),
      /additionalListeners\[0\].port 9090 \(TCP\) is already a listener of the service \(TCP\)/);
    expect(() => nlb(() => ({ testListenerPort: 9091, additionalListeners: [{ port: 9090 }] }))).not.toThrow();
  });

  test('fails when testListenerPort is a port of the shared network load balancer another service claims; accepts a free one', () => {
    const amqp = (testListenerPort: number) => () => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      const sharedLoadBalancer = new SharedNetworkLoadBalancer(stack, 'Nlb', { environment });
      new NetworkService(stack, 'Mqtt', { environment, image: NLB_IMAGE, sharedLoadBalancer, listenerPort: 1883 });
      return new NetworkService(stack, 'Amqp', {
        environment, image: NLB_IMAGE, sharedLoadBalancer, listenerPort: 5672, testListenerPort, deployment: testTraffic(),
      });
    };
    expectFailure(ErrorCode.LISTENER, amqp(1883), /Test\/Amqp: port 1883 of the shared network load balancer is already used by Test\/Mqtt \(TCP\)/);
    expect(amqp(5673)).not.toThrow();
  });
});

describe('PlacementOptions', () => {
  const constraints = (n: number) => Array.from({ length: n }, (_, i) => ecs.PlacementConstraint.memberOf(`attribute:ecs.os-type == linux-${i}`));

  test('fails when placementConstraints are given for Fargate capacity; accepts them on EC2 capacity', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const fargate = Capacity.strategy([{ capacityProvider: 'FARGATE', weight: 1 }], { placementConstraints: constraints(1) });
    expectFailure(ErrorCode.PLATFORM, () => new WebService(stack, 'Web', { environment, image: IMAGE, capacity: fargate }),
      /placement strategies or constraints are set for FARGATE capacity/);
    const instances = ec2Environment();
    expect(() => new WebService(instances.stack, 'Web', {
      environment: instances.environment, image: IMAGE, capacity: Capacity.ec2(instances.instances, { placementConstraints: constraints(1) }),
    })).not.toThrow();
  });

  test('fails when more than 10 placementConstraints are given; accepts 10', () => {
    const at = (n: number) => () => {
      const { stack, environment, instances } = ec2Environment();
      return new WebService(stack, 'Web', { environment, image: IMAGE, capacity: Capacity.ec2(instances, { placementConstraints: constraints(n) }) });
    };
    expectFailure(ErrorCode.CAPACITY_STRATEGY, at(11), /placementConstraints \(count\) is 11, outside 0-10/);
    expect(at(10)).not.toThrow();
  });
});

describe('Routing and QueryStringMatch: a second service with the same conditions collides', () => {
  test.each([
    ['hostHeaders (case-insensitive)', { hostHeaders: ['API.example.com'] }, { hostHeaders: ['api.example.com'] }, { hostHeaders: ['www.example.com'] }],
    ['aliases (the rule\'s host headers)', { aliases: ['api.example.com'] }, { aliases: ['API.example.com'] }, { aliases: ['www.example.com'] }],
    ['queryStrings of the same key and value', { pathPatterns: ['/api/*'], queryStrings: [{ key: 'version', value: '2' }] },
      { pathPatterns: ['/api/*'], queryStrings: [{ key: 'version', value: '2' }] }, { pathPatterns: ['/api/*'], queryStrings: [{ key: 'version', value: '3' }] }],
    ['queryStrings of the same value and key', { pathPatterns: ['/api/*'], queryStrings: [{ key: 'version', value: '2' }] },
      { pathPatterns: ['/api/*'], queryStrings: [{ key: 'version', value: '2' }] }, { pathPatterns: ['/api/*'], queryStrings: [{ key: 'release', value: '2' }] }],
    ['sourceIps, in another order', { pathPatterns: ['/admin/*'], sourceIps: ['203.0.113.0/24', '198.51.100.0/24'] },
      { pathPatterns: ['/admin/*'], sourceIps: ['198.51.100.0/24', '203.0.113.0/24'] }, { pathPatterns: ['/admin/*'], sourceIps: ['203.0.113.0/24'] }],
  ])('fails when it routes on the same %s; accepts other ones', (_name, first: Routing, same: Routing, other: Routing) => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    web({ environment, routing: { ...first, hostedZone } }, stack, 'First');
    expectFailure(ErrorCode.ROUTING_COLLISION, () => web({ environment, routing: { ...same, hostedZone } }, stack, 'Same'),
      /Test\/Same: routing .* is the same as Test\/First's/);
    expect(() => web({ environment, routing: { ...other, hostedZone } }, stack, 'Other')).not.toThrow();
  });
});

describe('QueryStringMatch', () => {
  test.each([['an empty key', ''], ['a key of 129 characters', 'k'.repeat(129)]])('fails when a query string has %s', (_name, key) => {
    expectFailure(ErrorCode.ROUTING_INVALID, () => web({ routing: { pathPatterns: ['/api/*'], queryStrings: [{ key, value: 'x' }] } }),
      new RegExp(`query string "${key}" is not 1-128 characters`));
  });

  test('accepts a query string key of 128 characters', () => {
    expect(() => web({ routing: { pathPatterns: ['/api/*'], queryStrings: [{ key: 'k'.repeat(128), value: 'x' }] } })).not.toThrow();
  });
});

describe('RouteOptions (IIngress.addRoute)', () => {
  const notFound = () => elbv2.ListenerAction.fixedResponse(404);

  test('fails when the httpHeader is on Host; accepts another header', () => {
    const stack = testStack();
    const { ingress } = productionEnvironment(stack);
    expectFailure(ErrorCode.ROUTING_INVALID, () => ingress.addRoute(new Construct(stack, 'A'), 'Rule', {
      routing: { pathPatterns: ['/a/*'] }, action: notFound(), httpHeader: { name: 'Host', values: ['api.example.com'] },
    }), /HTTP header condition on "Host"/);
    expect(() => ingress.addRoute(new Construct(stack, 'B'), 'Rule', {
      routing: { pathPatterns: ['/a/*'] }, action: notFound(), httpHeader: { name: 'x-tenant', values: ['beta'] },
    })).not.toThrow();
  });

  test('fails when a second route has the same routing and httpHeader (header values case-insensitive); accepts another header value', () => {
    const stack = testStack();
    const { ingress } = productionEnvironment(stack);
    const route = (id: string, value: string) => () => ingress.addRoute(new Construct(stack, id), 'Rule', {
      routing: { pathPatterns: ['/a/*'] }, action: notFound(), httpHeader: { name: 'X-Tenant', values: [value] },
    });
    route('Beta', 'beta')();
    expectFailure(ErrorCode.ROUTING_COLLISION, route('Again', 'BETA'), /Test\/Again: routing .* is the same as Test\/Beta's/);
    expect(route('Gamma', 'gamma')).not.toThrow();
  });

  test('fails when onTestListener is set and the environment has no test listener; accepts it with one', () => {
    const route = (testListener: { port: number } | undefined) => () => {
      const stack = testStack();
      const { ingress } = new Environment(stack, 'Env', { ingress: { certificate: certificate(stack), testListener } });
      return ingress.addRoute(stack, 'Rule', { routing: { pathPatterns: ['/a/*'] }, action: notFound(), onTestListener: true });
    };
    expectFailure(ErrorCode.CONFLICTING_OPTIONS, route(undefined), /Test\/Env\/Ingress: a route asks for the test listener, but there is none/);
    expect(route({ port: 8443 })).not.toThrow();
  });

  test('warns when the target groups the routes\' action forwards to pass 80 (80% of the ALB\'s 100); not at 80', () => {
    const routes = (count: number) => {
      const stack = testStack();
      const { ingress } = productionEnvironment(stack);
      for (let r = 0; r < count; r++) {
        const groups = Array.from({ length: 5 }, (_, g) => elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, `Tg${r}x${g}`, {
          targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/tg-${r}-${g}/0123456789abcdef`,
        }));
        const action = elbv2.ListenerAction.weightedForward(groups.map(targetGroup => ({ targetGroup, weight: 1 })));
        ingress.addRoute(stack, `Rule${r}`, { routing: { pathPatterns: [`/r${r}/*`] }, action });
      }
      return warningsOf(stack, WarningId.LOAD_BALANCER_QUOTA);
    };
    expect(routes(16)).toEqual([]);
    expect(routes(17)).toEqual([{ path: 'Test/Env/Ingress', message: expect.stringMatching(/has 85 target groups; the ALB quota is 100 \(not adjustable\)/) }]);
  });
});

describe('ScheduledJobProps', () => {
  function job(props: Partial<ScheduledJobProps> = {}, stack: Stack = testStack()): { stack: Stack; job: ScheduledJob } {
    const environment = props.environment ?? productionEnvironment(stack);
    return { stack, job: new ScheduledJob(stack, 'Report', { image: IMAGE, schedule: JobSchedule.cron('0 3 * * ? *'), ...props, environment }) };
  }

  test.each([Duration.seconds(59), Duration.days(8)])('fails when the run timeout is %s (60 s to 7 days)', (timeout) => {
    expectFailure(ErrorCode.SCHEDULE, () => job({ timeout }), new RegExp(`timeout is ${timeout.toSeconds()} s, outside 60-604800 s`));
  });

  test('accepts a run timeout of 60 s and of 7 days', () => {
    expect(() => job({ timeout: Duration.seconds(60) })).not.toThrow();
    expect(() => job({ timeout: Duration.days(7) })).not.toThrow();
  });

  test.each([
    ['not an image reference', Image.fromRegistry('busybox latest'), /Test\/Report: image reference "busybox latest" is not valid/],
    ['published for X86_64 only, and the task runs ARM64', Image.fromRegistry('busybox:1.37', { architectures: [ecs.CpuArchitecture.X86_64] }),
      /the image of container "timeout" is published for X86_64, and the task runs ARM64/],
  ])('fails when the timeoutImage is %s', (_name, timeoutImage, message) => {
    expectFailure(ErrorCode.IMAGE, () => job({ timeout: Duration.minutes(30), timeoutImage }), message);
  });

  test('accepts an X86_64 timeoutImage when the task runs X86_64', () => {
    const timeoutImage = Image.fromRegistry('busybox:1.37', { architectures: [ecs.CpuArchitecture.X86_64] });
    const image = Image.fromRegistry('public.ecr.aws/my-org/report:1.0.0', { architectures: [ecs.CpuArchitecture.ARM64, ecs.CpuArchitecture.X86_64] });
    expect(() => job({ image, timeout: Duration.minutes(30), timeoutImage, cpuArchitecture: ecs.CpuArchitecture.X86_64 })).not.toThrow();
  });

  test('warns when the timeoutImage does not say it is built for the default ARM64; not for the timer\'s own image', () => {
    const stated = job({ timeout: Duration.minutes(30), timeoutImage: Image.fromRegistry('busybox:1.37') });
    expect(warningsOf(stated.stack, WarningId.IMAGE_ARCHITECTURE)).toEqual([
      { path: 'Test/Report', message: expect.stringMatching(/the registry image of "timeout" does not say it is built for ARM64/) },
    ]);
    expect(warningsOf(job({ timeout: Duration.minutes(30) }).stack, WarningId.IMAGE_ARCHITECTURE)).toEqual([]);
  });

  test('warns when the environment has no internet egress and the timeoutImage is not in ECR; not when it is', () => {
    const unreachable = (ecrTimer: boolean) => {
      const stack = testStack();
      const environment = productionEnvironment(stack, {
        network: Network.fromVpc(new ec2.Vpc(stack, 'Existing', { natGateways: 1 }), { internetEgress: false }),
      });
      const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'report');
      const image = Image.fromEcrRepository(repository, '1.0');
      const timeoutImage = ecrTimer ? Image.fromEcrRepository(repository, 'busybox') : Image.fromRegistry('busybox:1.37');
      job({ environment, image, timeout: Duration.minutes(30), timeoutImage }, stack);
      return warningsOf(stack, WarningId.IMAGE_UNREACHABLE).map(w => w.path);
    };
    expect(unreachable(false)).toEqual(['Test/Report']);
    expect(unreachable(true)).toEqual([]);
  });
});

describe('ServiceAlarmsOptions', () => {
  test.each([Duration.seconds(301), Duration.millis(0)])('fails when the responseTimeP99 threshold is %s (1 ms to 300 s)', (responseTimeP99) => {
    expectFailure(ErrorCode.ALARM, () => web({ alarms: { responseTimeP99 } }),
      new RegExp(`alarms.responseTimeP99 is ${responseTimeP99.toSeconds({ integral: false })} s, outside 0.001-300 s`));
  });

  test('accepts a responseTimeP99 of 1 ms and of 300 s', () => {
    expect(() => web({ alarms: { responseTimeP99: Duration.millis(1) } })).not.toThrow();
    expect(() => web({ alarms: { responseTimeP99: Duration.seconds(300) } })).not.toThrow();
  });
});

describe('ServiceConnectOptions, ServiceConnectTlsOptions and ServiceDiscoveryOptions', () => {
  function backend(props: (stack: Stack, environment: Environment) => Partial<BackendServiceProps>) {
    return () => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      return new BackendService(stack, 'Orders', { image: IMAGE, ...props(stack, environment), environment });
    };
  }

  test('fails when serviceConnect.idleTimeout is above 2147483647 s; accepts 2147483647 s', () => {
    expectFailure(ErrorCode.SERVICE_CONNECT, backend(() => ({ serviceConnect: { idleTimeout: Duration.seconds(2147483648) } })),
      /serviceConnect.idleTimeout is 2147483648 s, outside 0-2147483647 s/);
    expect(backend(() => ({ serviceConnect: { idleTimeout: Duration.seconds(2147483647) } }))).not.toThrow();
  });

  test('fails when serviceConnect.tls has no certificateAuthority (a JavaScript caller); accepts one', () => {
    expectFailure(ErrorCode.SERVICE_CONNECT, backend(() => ({ serviceConnect: { tls: { certificateAuthority: undefined as any } } })),
      /serviceConnect.tls has no certificate authority/);
    expect(backend(stack => ({
      serviceConnect: {
        tls: {
          certificateAuthority: acmpca.CertificateAuthority.fromCertificateAuthorityArn(stack, 'Ca',
            'arn:aws:acm-pca:us-east-1:111111111111:certificate-authority/00000000-0000-0000-0000-000000000000'),
        },
      },
    }))).not.toThrow();
  });

  test('fails when serviceDiscovery.dnsTtl is above 2147483647 s; accepts 2147483647 s', () => {
    const discovery = (dnsTtl: Duration) => backend((stack, environment) => ({
      serviceDiscovery: { namespace: new servicediscovery.PrivateDnsNamespace(stack, 'Legacy', { name: 'corp.internal', vpc: environment.vpc }), dnsTtl },
    }));
    expectFailure(ErrorCode.SERVICE_CONNECT, discovery(Duration.seconds(2147483648)), /serviceDiscovery.dnsTtl is 2147483648 s, outside 0-2147483647 s/);
    expect(discovery(Duration.seconds(2147483647))).not.toThrow();
  });
});

describe('ServiceWorkloadProps and WorkloadTaskProps: DNS registration and the network mode', () => {
  test.each([
    [ecs.NetworkMode.NONE, ErrorCode.PLATFORM, /network mode "none" gives the task no network, and Service Connect or DNS registration needs one/],
    [ecs.NetworkMode.BRIDGE, ErrorCode.SERVICE_CONNECT, /serviceDiscovery needs a port in bridge or host mode \(SRV records\), and the main container maps none/],
  ])('fails when a service without a port registers in DNS (serviceDiscovery) in networkMode %s', (networkMode, code, message) => {
    const { stack, environment, instances } = ec2Environment();
    const namespace = new servicediscovery.PrivateDnsNamespace(stack, 'Legacy', { name: 'corp.internal', vpc: environment.vpc });
    expectFailure(code, () => new BackgroundService(stack, 'Poller', {
      environment, image: IMAGE, capacity: Capacity.ec2(instances), networkMode, serviceDiscovery: { namespace },
    }), message);
    expect(() => new BackgroundService(stack, 'Awsvpc', {
      environment, image: IMAGE, capacity: Capacity.ec2(instances), networkMode: ecs.NetworkMode.AWS_VPC, serviceDiscovery: { namespace },
    })).not.toThrow();
  });
});

describe('SidecarOptions and WorkloadTaskProps: health checks others wait for', () => {
  test('fails when the app waits for a sidecar to be HEALTHY and the sidecar has no healthCheck; accepts one with a healthCheck', () => {
    const proxy = (healthCheck?: ecs.HealthCheck) => ({ name: 'proxy', image: IMAGE, appWaitsFor: ecs.ContainerDependencyCondition.HEALTHY, healthCheck });
    expectFailure(ErrorCode.CONTAINER_DEPENDENCY, () => web({ sidecars: [proxy()] }),
      /container "app" waits for "proxy" to be HEALTHY, but that container has no health check/);
    expect(() => web({ sidecars: [proxy(HEALTH_CHECK)] })).not.toThrow();
  });

  test('fails when a sidecar waits for the app to be HEALTHY and the app has no healthCheck; accepts the app with one', () => {
    const agent = { name: 'agent', image: IMAGE, dependsOn: [{ containerName: 'app', condition: ecs.ContainerDependencyCondition.HEALTHY }] };
    expectFailure(ErrorCode.CONTAINER_DEPENDENCY, () => web({ sidecars: [agent] }),
      /container "agent" waits for "app" to be HEALTHY, but that container has no health check/);
    expect(() => web({ sidecars: [agent], healthCheck: HEALTH_CHECK })).not.toThrow();
  });
});

describe('SplunkOptions', () => {
  test('fails when the token is an SSM parameter ARN whose name SSM refuses; accepts a Secrets Manager secret', () => {
    const splunk = (token: (stack: Stack) => ecs.Secret) => () => {
      const stack = testStack();
      return web({ logging: Logging.splunk({ url: 'https://splunk.example.com:8088', token: token(stack) }) }, stack);
    };
    expectFailure(ErrorCode.SECRET, splunk(stack => ecs.Secret.fromSsmParameter(
      ssm.StringParameter.fromStringParameterArn(stack, 'Hec', 'arn:aws:ssm:us-east-1:111111111111:parameter/splunk/hec token'))),
    /secret "splunk-token": arn:aws:ssm:us-east-1:111111111111:parameter\/splunk\/hec token is not an SSM parameter ARN with a valid name/);
    expect(splunk(stack => ecs.Secret.fromSecretsManager(
      secretsmanager.Secret.fromSecretCompleteArn(stack, 'Hec', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:hec-AbCdEf')))).not.toThrow();
  });
});

describe('WebServiceProps', () => {
  test('fails when a CodeDeploy deployment is given the environment\'s shared ingress, or an imported one; accepts an ingress of the service\'s own', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const codeDeployed = (id: string, ingress: WebServiceProps['ingress']) => () =>
      new WebService(stack, id, { environment, image: IMAGE, ingress, deployment: Deployment.codeDeploy() });
    const imported = SharedIngress.fromListener(stack, 'ImportedIngress', environment.ingress.loadBalancer, environment.ingress.listener,
      elbv2.ApplicationProtocol.HTTPS);
    for (const [id, ingress] of [['Shared', environment.ingress], ['Imported', imported]] as const) {
      expectFailure(ErrorCode.DEPLOYMENT, codeDeployed(id, ingress),
        /CodeDeploy moves a listener's default action, so it needs a load balancer of the service's own/);
    }
    const own = new SharedIngress(stack, 'Own', {
      vpc: environment.vpc, production: false, protocol: elbv2.ApplicationProtocol.HTTP, vpcCidr: '10.0.0.0/16', testListener: { port: 8443 },
    });
    expect(codeDeployed('Api', own)).not.toThrow();
  });
});

describe('WorkerAlarmsOptions', () => {
  test.each([Duration.seconds(59), Duration.days(15)])('fails when the oldestMessageAge threshold is %s (60 s to 14 days)', (oldestMessageAge) => {
    const stack = testStack();
    expectFailure(ErrorCode.ALARM, () => new WorkerService(stack, 'Worker', { environment: productionEnvironment(stack), image: IMAGE, alarms: { oldestMessageAge } }),
      new RegExp(`alarms.oldestMessageAge is ${oldestMessageAge.toSeconds()} s, outside 60-1209600 s`));
  });

  test('accepts an oldestMessageAge of 60 s and of 14 days', () => {
    for (const oldestMessageAge of [Duration.seconds(60), Duration.days(14)]) {
      const stack = testStack();
      expect(() => new WorkerService(stack, 'Worker', { environment: productionEnvironment(stack), image: IMAGE, alarms: { oldestMessageAge } })).not.toThrow();
    }
  });
});

describe('WorkloadTaskProps', () => {
  test.each([
    [{ cpu: 64 }, /cpu is 64, outside 128-196608/],
    [{ cpu: 196609 }, /cpu is 196609, outside 128-196608/],
    [{ cpu: 256.5 }, /cpu is 256.5, not a whole number/],
    [{ memoryLimitMiB: 5 }, /memoryLimitMiB is 5, outside 6-3145728/],
    [{ memoryLimitMiB: 3145729 }, /memoryLimitMiB is 3145729, outside 6-3145728/],
    [{ memoryLimitMiB: 512.5 }, /memoryLimitMiB is 512.5, not a whole number/],
  ])('fails when an EC2 task has %j', (size, message) => {
    const { stack, environment, instances } = ec2Environment();
    expectFailure(ErrorCode.TASK_SETTINGS, () => new WebService(stack, 'Web', { environment, image: IMAGE, capacity: Capacity.ec2(instances), ...size }), message);
  });

  test('accepts an EC2 task of cpu 128 and memoryLimitMiB 128', () => {
    const { stack, environment, instances } = ec2Environment();
    expect(() => new WebService(stack, 'Web', { environment, image: IMAGE, capacity: Capacity.ec2(instances), cpu: 128, memoryLimitMiB: 128 })).not.toThrow();
  });

  test.each([
    ['the main container\'s name', 'app', /container name "app" is already used in the task/],
    ['a name with a space', 'db migrate', /container name "db migrate" is not valid/],
  ])('fails when one of the initContainers takes %s; accepts "migrate"', (_name, name, message) => {
    expectFailure(ErrorCode.CONTAINERS, () => web({ initContainers: [{ name, image: IMAGE, command: ['migrate'] }] }), message);
    expect(() => web({ initContainers: [{ name: 'migrate', image: IMAGE, command: ['migrate'] }] })).not.toThrow();
  });

  test.each([512, 8192])('fails when a Windows operatingSystemFamily on Fargate has cpu %p (Windows takes 1, 2 or 4 vCPU)', (cpu) => {
    expectFailure(ErrorCode.FARGATE_TASK_SIZE, () => web({ image: WINDOWS_IMAGE, operatingSystemFamily: WINDOWS, cpu, memoryLimitMiB: cpu * 2 }),
      new RegExp(`cpu ${cpu} is not a Windows task size on Fargate`));
  });

  test('accepts a Windows operatingSystemFamily on Fargate with cpu 1024, 2048 and 4096', () => {
    for (const cpu of [1024, 2048, 4096]) {
      expect(() => web({ image: WINDOWS_IMAGE, operatingSystemFamily: WINDOWS, cpu, memoryLimitMiB: cpu * 2 })).not.toThrow();
    }
  });

  test('warns of the Linux baseline when the operatingSystemFamily is Windows; not for a Linux task', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    web({ environment, image: WINDOWS_IMAGE, operatingSystemFamily: WINDOWS, cpu: 1024, memoryLimitMiB: 2048, routing: { pathPatterns: ['/win/*'] } }, stack, 'Windows');
    web({ environment, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX }, stack, 'Linux');
    expect(warningsOf(stack, WarningId.WINDOWS_BASELINE)).toEqual([
      { path: 'Test/Windows', message: expect.stringMatching(/Windows containers take none of the secure baseline's Linux controls/) },
    ]);
  });

  test('fails when tracing\'s otel-collector takes the task past 10 containers, or a sidecar takes its name; accepts either without tracing', () => {
    const nine = Array.from({ length: 9 }, (_, i) => ({ name: `s${i}`, image: IMAGE, memoryReservationMiB: 16 }));
    const namedLikeIt = [{ name: 'otel-collector', image: IMAGE }];
    const tracing = Tracing.awsDistroForOpenTelemetry();
    expectFailure(ErrorCode.CONTAINERS, () => web({ sidecars: nine, tracing, cpu: 512, memoryLimitMiB: 1024 }), /the task has 11 containers, more than ECS's 10/);
    expectFailure(ErrorCode.CONTAINERS, () => web({ sidecars: namedLikeIt, tracing }), /container name "otel-collector" is already used in the task/);
    expect(() => web({ sidecars: nine, cpu: 512, memoryLimitMiB: 1024 })).not.toThrow();
    expect(() => web({ sidecars: namedLikeIt })).not.toThrow();
  });
});

describe('RestartPolicyOptions', () => {
  test('fails when more than 50 ignoredExitCodes are given; accepts 50', () => {
    const codes = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expectFailure(ErrorCode.TASK_SETTINGS, () => web({ restartPolicy: { ignoredExitCodes: codes(51) } }),
      /restartPolicy.ignoredExitCodes \(count\) is 51, outside 0-50/);
    expect(() => web({ restartPolicy: { ignoredExitCodes: codes(50) } })).not.toThrow();
  });
});

describe('Scaling.memory', () => {
  test.each([0, -5, 100.5])('fails when Scaling.memory(%p) targets a utilisation outside (0, 100]', (target) => {
    expectFailure(ErrorCode.SCALING_TARGET, () => web({ scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.memory(target)] } }),
      new RegExp(`memory target utilisation is ${target}%, outside \\(0, 100\\]`));
  });

  test('accepts Scaling.memory(100) and Scaling.memory(0.5)', () => {
    expect(() => web({ scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.memory(100)] } })).not.toThrow();
    expect(() => web({ scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.memory(0.5)] } })).not.toThrow();
  });
});
