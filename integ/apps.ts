/**
 * The integ scenarios, as functions so that the compliance tests build exactly what
 * integ-runner snapshots. Each `integ.<name>.ts` file turns one into a deployable app.
 */
import * as path from 'path';
import {
  App, Duration, Environment as StackEnvironment, RemovalPolicy, Stack, TimeZone, Token, aws_applicationautoscaling as appscaling,
  aws_certificatemanager as acm, aws_codedeploy as codedeploy, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2,
  aws_events as events, aws_iam as iam, aws_lambda as lambda, aws_logs as logs, aws_route53 as route53, aws_scheduler as scheduler,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  AlarmTopic, AutoScalingCapacity, Capacity, Deployment, Egress, Environment, EnvironmentProfile, Image, IngressSource, LifecycleHookTimeoutAction,
  Network, Scaling, SharedIngress, TestTraffic, WebService,
} from '../src';
import { newestNodeRuntime } from '../src/private/lambda-runtime';
import { acknowledge, inCompliancePacks } from '../src/private/nag';

/** What an integ scenario builds. */
export interface Scenario {
  readonly stack: Stack;
  readonly environment: Environment;
  /** The long-running services; each must reach its desired count after deployment. */
  readonly services: Array<{ readonly service: ecs.BaseService }>;
  /** Schedules that must exist and be enabled after deployment. */
  readonly schedules?: scheduler.CfnSchedule[];
  /** EventBridge rules that must exist and be enabled after deployment. */
  readonly rules?: events.IRule[];
}

/**
 * How the compliance tests vary a scenario, to test it as users deploy it; the integ apps
 * (and their snapshots) use the defaults.
 */
export interface ScenarioOptions {
  /** Make every stack environment-specific (literal account and region in ARNs). @default - environment-agnostic */
  readonly env?: StackEnvironment;
  /** Put the workloads (and the app's own resources) in a stack of their own. @default - beside the environment */
  readonly workloadsApart?: boolean;
}

/** What builds a scenario into an app. */
export type ScenarioBuilder = (app: App, options?: ScenarioOptions) => Scenario;

/**
 * The scenario's stacks: `stack` holds the environment (and the integ test's target);
 * `workloads` is the same stack unless the options put the workloads apart.
 */
export function scenarioStacks(app: App, name: string, options: ScenarioOptions = {}): { stack: Stack; workloads: Stack } {
  const stack = new Stack(app, name, { env: options.env });
  const workloads = options.workloadsApart ? new Stack(app, `${name}Workloads`, { env: options.env }) : stack;
  return { stack, workloads };
}

/** A static site image built for the secure baseline (non-root, read-only, /tmp volume). */
export const HELLO_IMAGE = path.join(__dirname, 'images', 'hello');

/** An nginx built for the same baseline that speaks cleartext HTTP/2 (h2c) besides HTTP/1.1, for HTTP/2 target groups. */
const H2C_IMAGE = path.join(__dirname, 'images', 'h2c');

/** A placeholder certificate ARN in the stack's region (us-east-1 when it has none): ACM certificates are regional. */
function placeholderCertificateArn(stack: Stack, n: number): string {
  const region = Token.isUnresolved(stack.region) ? 'us-east-1' : stack.region;
  return `arn:aws:acm:${region}:111111111111:certificate/00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
}

function integCertificate(stack: Stack): acm.ICertificate {
  const certificateArn = process.env.SHIPYARD_INTEG_CERTIFICATE_ARN ?? placeholderCertificateArn(stack, 0);
  return acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn);
}

/**
 * The public hosted zone the integ services' alias records go in. Deploying needs one the
 * certificate covers: set SHIPYARD_INTEG_HOSTED_ZONE_ID and SHIPYARD_INTEG_ZONE_NAME.
 */
function integHostedZone(stack: Stack): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: process.env.SHIPYARD_INTEG_HOSTED_ZONE_ID ?? 'Z00000000000000000000',
    zoneName: process.env.SHIPYARD_INTEG_ZONE_NAME ?? 'integ.example.com',
  });
}

/**
 * (a) A production environment serving HTTPS, with two web services sharing its load balancer,
 * one of them served by the load balancer over HTTP/2 end to end. The cluster's lifecycle events
 * are kept in a log group.
 * Deploying needs ACM certificates in the target region: set SHIPYARD_INTEG_CERTIFICATE_ARN and
 * SHIPYARD_INTEG_SECOND_CERTIFICATE_ARN (and the hosted zone of the admin alias, see integHostedZone).
 */
export function sharedAlb(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegSharedAlb', options);
  // Alarms and failed deployments notify an encrypted topic.
  const alarmTopic = new AlarmTopic(stack, 'AlarmTopic').topic;
  const offices = new ec2.PrefixList(stack, 'Offices', { entries: [{ cidr: '198.51.100.0/24' }, { cidr: '203.0.113.0/24' }], maxEntries: 2 });
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.PRODUCTION,
    alarmTopic,
    ingress: {
      certificate: integCertificate(stack),
      // An integ test must be destroyable; production environments keep protection on.
      deletionProtection: false,
      // TLS 1.3 only, reachable from the offices' ranges only (an internal tool on a public ALB).
      sslPolicy: elbv2.SslPolicy.TLS13_13,
      allowedSources: [IngressSource.prefixList(offices.prefixListId, 2)],
      // A second domain on the same listener (SNI): set SHIPYARD_INTEG_SECOND_CERTIFICATE_ARN to deploy.
      additionalCertificates: [acm.Certificate.fromCertificateArn(stack, 'SecondCertificate', process.env.SHIPYARD_INTEG_SECOND_CERTIFICATE_ARN
        ?? placeholderCertificateArn(stack, 1))],
    },
    tags: { 'shipyard:integ': 'shared-alb' },
    clusterName: 'shipyard-integ-shared-alb',
    // Every task state change, service action and deployment state change, kept in a log group.
    taskEvents: { lifecycleLog: true },
  });
  const api = new WebService(workloads, 'Api', {
    environment,
    // The load balancer speaks HTTP/2 to the tasks (cleartext h2c, which the image's nginx answers)
    // and so serves /api/* to HTTP/2 clients only; the container health check stays on HTTP/1.1.
    image: Image.fromAsset(H2C_IMAGE),
    loadBalancing: { protocolVersion: elbv2.ApplicationProtocolVersion.HTTP2 },
    // Reads and form posts only: other methods on /api/* fall through to the 404 default.
    routing: { pathPatterns: ['/api/*'], httpMethods: ['GET', 'HEAD', 'POST'] },
    targetHealthCheck: { path: '/api/health' },
    healthCheck: {
      command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/api/health || exit 1'],
      startPeriod: Duration.seconds(15),
    },
    environmentVariables: { LOG_LEVEL: 'info' },
    scaling: {
      minCapacity: 2,
      maxCapacity: 6,
      targets: [Scaling.cpu(60), Scaling.requestsPerTarget(500), Scaling.responseTime(Duration.millis(800))],
      // Fewer tasks at night, Berlin time; the full range again in the morning.
      schedules: [
        { name: 'night', schedule: appscaling.Schedule.cron({ minute: '0', hour: '22' }), maxCapacity: 3, timeZone: TimeZone.EUROPE_BERLIN },
        { name: 'day', schedule: appscaling.Schedule.cron({ minute: '0', hour: '6' }), maxCapacity: 6, timeZone: TimeZone.EUROPE_BERLIN },
      ],
    },
  });
  // The image's server started through its own entry point, working directory, labels and family.
  const zone = integHostedZone(stack);
  const site = new WebService(workloads, 'Site', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    cpu: 512,
    memoryLimitMiB: 1024,
    entryPoint: ['httpd'],
    command: ['-f', '-v', '-p', '8080', '-h', '.'],
    workingDirectory: '/www',
    dockerLabels: { 'com.example.team': 'shop' },
    family: 'shipyard-integ-site',
    // Sessions stay on one task; a new task warms up over 30 s; the least busy task gets the next request.
    loadBalancing: {
      stickiness: { duration: Duration.hours(1) },
      slowStart: Duration.seconds(30),
      algorithm: elbv2.TargetGroupLoadBalancingAlgorithmType.LEAST_OUTSTANDING_REQUESTS,
    },
    healthCheckGracePeriod: Duration.seconds(90),
    // An admin server beside the app, on a route of its own with its own health check.
    sidecars: [{
      name: 'admin',
      image: Image.fromAsset(HELLO_IMAGE),
      command: ['httpd', '-f', '-v', '-p', '9090', '-h', '/www'],
      portMappings: [{ containerPort: 9090 }],
    }],
    // Reached by its own DNS name (an alias record in the zone), every path.
    additionalRoutes: [{
      routing: { aliases: [`admin.${zone.zoneName}`], hostedZone: zone },
      targetContainer: 'admin',
      targetHealthCheck: { path: '/' },
    }],
  });
  return { stack, environment, services: [api, site] };
}

/**
 * (p) A production environment on an ECS gateway instead of a load balancer of its own: ECS
 * provisions Application Load Balancers (two at most here) when the first service connects, and
 * gives each web service an HTTPS host name of its own. Two web services join it with the props
 * they would give on the shared ALB; neither brings a certificate, a target group or a rule.
 */
export function ecsGateway(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegEcsGateway', options);
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.PRODUCTION,
    alarmTopic: new AlarmTopic(stack, 'AlarmTopic').topic,
    gateway: {
      // An integ test must be destroyable; production gateways keep protection on.
      deletionProtection: false,
      maxAlbCount: 2,
      accessLogRetentionDays: 90,
      // Requests with this header reach a new revision during ECS's progressive deployments.
      testTraffic: TestTraffic.header('x-shipyard-test', ['true']),
    },
    tags: { 'shipyard:integ': 'ecs-gateway' },
  });
  const api = new WebService(workloads, 'Api', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    targetHealthCheck: { path: '/health' },
    // CPU every 20 seconds: target tracking scales out sooner.
    scaling: { minCapacity: 2, maxCapacity: 4, targets: [Scaling.cpu(60)], highResolutionMetrics: true },
  });
  const site = new WebService(workloads, 'Site', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    // Healthy on 200 only, checked every 10 s.
    targetHealthCheck: { path: '/health', healthyHttpCodes: '200', interval: Duration.seconds(10) },
  });
  return { stack, environment, services: [api, site] };
}

/**
 * (b) A development environment without NAT: isolated subnets and VPC endpoints, plain
 * HTTP, one web service on Fargate whose image comes from ECR through the endpoints, and
 * one on EC2 instances (bridge mode) that register with ECS through the agent endpoints the
 * capacity adds.
 */
export function vpcEndpoints(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegVpcEndpoints', options);
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.DEVELOPMENT,
    network: Network.newVpc({ egress: Egress.VPC_ENDPOINTS }),
  });
  const site = new WebService(workloads, 'Site', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    targetHealthCheck: { path: '/health' },
  });
  const instances = new AutoScalingCapacity(stack, 'Instances', {
    environment,
    instanceTypes: [new ec2.InstanceType('t4g.small')],
    maxCapacity: 2,
  });
  const api = new WebService(workloads, 'Api', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    capacity: Capacity.ec2(instances),
    networkMode: ecs.NetworkMode.BRIDGE,
    routing: { pathPatterns: ['/api/*'] },
    targetHealthCheck: { path: '/api/health' },
    desiredCount: 1,
  });
  return { stack, environment, services: [site, api] };
}

/**
 * A deployment lifecycle hook that approves every release: where a smoke test against the new
 * revision would go. ECS invokes it through a role of its own and reads `hookStatus`.
 */
function approvingHook(scope: Construct, retention: logs.RetentionDays): lambda.IFunction {
  const logGroup = new logs.LogGroup(scope, 'ReleaseCheckLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, 'ReleaseCheckRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'The release check of the blue/green integ app',
  });
  logGroup.grantWrite(role);
  const fn = new lambda.Function(scope, 'ReleaseCheck', {
    runtime: newestNodeRuntime(),
    handler: 'index.handler',
    code: lambda.Code.fromInline([
      'exports.handler = async event => {',
      '  console.log(JSON.stringify(event));',
      '  return { hookStatus: \'SUCCEEDED\' };',
      '};',
    ].join('\n')),
    timeout: Duration.seconds(10),
    role,
    logGroup,
    description: 'Approves each release of the blue/green integ app\'s service after its test traffic shift',
  });
  fn.node.addDependency(role);
  const reason = 'Integration test: a release check that ECS invokes and waits for; it calls nothing, so it needs no VPC, '
    + 'and a failed or throttled run fails the release, which ECS rolls back.';
  acknowledge(fn, [
    ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap(pack => [{ id: `${pack}-LambdaConcurrency`, reason }, { id: `${pack}-LambdaDLQ`, reason }]),
    ...inCompliancePacks('LambdaInsideVPC', reason),
  ]);
  acknowledge(logGroup, inCompliancePacks('CloudWatchLogGroupEncrypted', 'Integration test: the release check\'s logs, encrypted at rest by CloudWatch Logs.'));
  acknowledge(role.node.findChild('DefaultPolicy'), inCompliancePacks('IAMNoInlinePolicy',
    'Integration test: aws-cdk-lib\'s grant of writing to the function\'s own log group, on this one role.'));
  return fn;
}

/**
 * (c) ECS-native releases on the shared HTTPS load balancer: a blue/green service whose
 * new revision takes test traffic (header x-shipyard-test: true) and then, once a lifecycle
 * hook has approved it, production traffic, and a canary service whose new revision takes
 * test traffic on the test listener (port 8443). Needs SHIPYARD_INTEG_CERTIFICATE_ARN to deploy, like (a).
 */
export function nativeBlueGreen(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegBlueGreen', options);
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.PRODUCTION,
    ingress: { certificate: integCertificate(stack), deletionProtection: false, testListener: { port: 8443 } },
  });
  const api = new WebService(workloads, 'Api', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    routing: { pathPatterns: ['/api/*'] },
    targetHealthCheck: { path: '/api/health' },
    deployment: Deployment.blueGreen({
      bakeTime: Duration.minutes(5),
      testTraffic: TestTraffic.header(),
      // Once the new revision takes the test traffic, a function approves it before production traffic moves.
      // The function answers within 10 s; a hook still running after 15 minutes rolls the release back.
      lifecycleHooks: [{
        handler: approvingHook(workloads, environment.logRetention),
        stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
        timeout: Duration.minutes(15),
        timeoutAction: LifecycleHookTimeoutAction.ROLLBACK,
      }],
    }),
    scaling: { minCapacity: 2, maxCapacity: 4, targets: [Scaling.requestsPerTarget(500)] },
  });
  const site = new WebService(workloads, 'Site', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    deployment: Deployment.canary({
      canaryPercent: 10, canaryBakeTime: Duration.minutes(5), bakeTime: Duration.minutes(5), testTraffic: TestTraffic.testListener(),
    }),
  });
  return { stack, environment, services: [api, site] };
}

/**
 * (l) CodeDeploy blue/green: a web service on a load balancer of its own (plain HTTP in a
 * development environment, test listener on 8443) that CodeDeploy releases canary-style
 * (10% for 5 minutes), rolling back on failure, stop and the service's alarms. New task
 * definitions are deployed with `aws deploy create-deployment` and the service's AppSpec.
 */
export function codeDeployBlueGreen(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegCodeDeploy', options);
  const environment = new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
  const ingress = new SharedIngress(workloads, 'ApiIngress', {
    vpc: environment.vpc,
    production: false,
    protocol: elbv2.ApplicationProtocol.HTTP,
    vpcCidr: environment.vpcCidr,
    testListener: { port: 8443 },
  });
  const api = new WebService(workloads, 'Api', {
    environment,
    ingress,
    image: Image.fromAsset(HELLO_IMAGE),
    targetHealthCheck: { path: '/health' },
    deployment: Deployment.codeDeploy({ deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES }),
  });
  return { stack, environment, services: [api] };
}
