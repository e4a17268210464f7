/**
 * The workload-type integ scenarios (worker, backend, scheduled job, event task, network
 * service), shared by the integ apps and the compliance tests like those of apps.ts.
 */
import * as path from 'path';
import {
  App, Duration, RemovalPolicy, Stack, aws_cloudwatch as cloudwatch, aws_ecs as ecs, aws_iam as iam, aws_s3 as s3,
  aws_servicediscovery as servicediscovery, aws_sns as sns, aws_vpclattice as vpclattice,
} from 'aws-cdk-lib';
import { HELLO_IMAGE, Scenario, ScenarioOptions, scenarioStacks } from './apps';
import {
  AlarmTopic, BackendService, BackgroundService, CircuitBreakerThreshold, Deployment, Environment, EnvironmentProfile, EventTask, EventTrigger, Image,
  JobSchedule, NetworkService, Scaling,
  RoleSettings, ScheduledJob, SharedNetworkLoadBalancer, StandaloneTask, TestTraffic, Volume, WebService, WorkerService, WorkQueue,
} from '../src';
import { acknowledge, inCompliancePacks } from '../src/private/nag';

/** A development environment; workers and jobs alone need no shared load balancer (nor pay for one). */
function developmentEnvironment(stack: Stack, tag: string, alarmTopic?: sns.ITopic, sharedLoadBalancer = true,
  roleSettings?: RoleSettings): Environment {
  return new Environment(stack, 'Env', {
    profile: EnvironmentProfile.DEVELOPMENT, alarmTopic, sharedLoadBalancer, tags: { 'shipyard:integ': tag }, roleSettings,
  });
}

/**
 * (g) A queue worker: its own queue and dead-letter queue, subscribed to an encrypted SNS
 * topic with a filter policy, scaling on the backlog per task down to zero and waking up on
 * the first message, with queue alarms sent to the environment's topic; each task gets an EBS
 * scratch volume. The library's roles have a path and a permissions boundary.
 */
export function queueWorker(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegWorker', options);
  const alarms = new AlarmTopic(stack, 'Alarms').topic;
  // The organisation's convention: every role the library creates lives under /shipyard-integ/
  // and carries its boundary, which caps them at what they do here: write logs, pull images,
  // close the default security group and manage the tasks' EBS volumes.
  const boundaryActions = ['logs:Create*', 'logs:Describe*', 'logs:Put*', 'ecr:Batch*', 'ecr:Get*', 'ec2:Describe*',
    'ec2:AuthorizeSecurityGroup*', 'ec2:RevokeSecurityGroup*', 'ec2:*Volume', 'ec2:CreateTags'];
  const boundary = new iam.ManagedPolicy(stack, 'RoleBoundary', {
    description: 'The permissions boundary of the roles the library creates in the queue worker integ app',
    statements: [new iam.PolicyStatement({ actions: boundaryActions, resources: ['*'] })],
  });
  acknowledge(boundary, [{
    id: 'AwsSolutions-IAM5',
    reason: 'Integration test: a permissions boundary grants nothing; it caps the library\'s roles at these actions, whose resources their own policies name.',
    appliesTo: [...boundaryActions.map(a => `Action::${a}`), 'Resource::*'],
  }]);
  const environment = developmentEnvironment(stack, 'worker', alarms, false, { path: '/shipyard-integ/', permissionsBoundary: boundary });
  const orders = new AlarmTopic(workloads, 'Orders').topic;
  const refunds = new AlarmTopic(workloads, 'Refunds').topic;
  // The team's own task role, which the worker acts as.
  const taskRole = new iam.Role(workloads, 'WorkerTaskRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    description: 'The queue worker of the integ app',
  });
  const worker = new WorkerService(workloads, 'Worker', {
    environment,
    taskRole,
    image: Image.fromAsset(HELLO_IMAGE),
    queue: WorkQueue.newQueue({ maxReceiveCount: 5 }),
    processingTime: Duration.minutes(2),
    subscriptions: [
      { topic: orders, filterPolicy: { kind: sns.SubscriptionFilter.stringFilter({ allowlist: ['created'] }) } },
      // Refunds wait apart from orders, a minute late (they follow a payment provider's settlement).
      { topic: refunds, queue: WorkQueue.newQueue({ deliveryDelay: Duration.minutes(1) }) },
    ],
    scaling: { minCapacity: 0, maxCapacity: 3, messagesPerTask: 20 },
    // Each task unpacks its batch on a 20 GiB gp3 volume of its own, deleted with the task.
    volumes: [Volume.ebs('scratch', { containerPath: '/scratch', sizeGiB: 20 })],
  });
  return { stack, environment, services: [worker] };
}

/**
 * (h) Service Connect: a private backend reached as http://orders:80 inside the environment
 * while its container listens on 8080, called by a web service and a background poller, the
 * only workloads its security group admits (on 8080, where the traffic arrives).
 */
export function serviceConnect(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegServiceConnect', options);
  const environment = developmentEnvironment(stack, 'service-connect');
  // The name callers outside ECS already use: orders.shipyard-integ.internal (DNS, beside Service Connect).
  const legacyNames = new servicediscovery.PrivateDnsNamespace(stack, 'LegacyNames', { name: 'shipyard-integ.internal', vpc: environment.vpc });
  // And reachable from other VPCs of a VPC Lattice service network: ECS registers the tasks in this target group.
  const latticeTargets = new vpclattice.CfnTargetGroup(workloads, 'OrdersLatticeTargets', {
    type: 'IP',
    config: { port: 8080, protocol: 'HTTP', vpcIdentifier: environment.vpc.vpcId, healthCheck: { enabled: true, path: '/health' } },
  });
  const orders = new BackendService(workloads, 'Orders', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    // Callers use port 80 (their Service Connect proxy listens on it); the container keeps 8080.
    serviceConnect: { clientAliasPort: 80, perRequestTimeout: Duration.seconds(15), accessLogs: true },
    serviceDiscovery: { namespace: legacyNames },
    vpcLattice: [{ targetGroupArn: latticeTargets.attrArn }],
    // Up to 10 tasks: a release fails after 3 failed tasks whatever the count, counting every failure of the deployment.
    deployment: Deployment.rolling({ circuitBreakerThreshold: CircuitBreakerThreshold.count(3), resetCircuitBreakerOnHealthyTask: false }),
    // Steps on the app's own backlog metric: one task less under 10 orders, two more above 100, five above 500.
    scaling: {
      minCapacity: 1,
      maxCapacity: 10,
      targets: [Scaling.steps(new cloudwatch.Metric({ namespace: 'ShipyardInteg/Orders', metricName: 'PendingOrders', statistic: 'Maximum' }), {
        steps: [{ upper: 10, change: -1 }, { lower: 100, change: 2 }, { lower: 500, change: 5 }],
        evaluationPeriods: 2,
      })],
      // A CPU forecast from the service's history, for review before it is let to scale.
      predictive: { targetUtilizationPercent: 60 },
    },
  });
  const web = new WebService(workloads, 'Web', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    targetHealthCheck: { path: '/health' },
    environmentVariables: { ORDERS_URL: orders.endpoint! },
    // Served through the load balancer, and callable by name inside the environment as well.
    serviceConnect: { dnsName: 'web' },
    // Ready for AWS FIS network experiments (awsvpc on Fargate).
    enableFaultInjection: true,
  });
  web.connectTo(orders);
  // A poller with no port of its own: it calls Orders every 30 s over Service Connect.
  const poller = new BackgroundService(workloads, 'Poller', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    command: ['sh', '-c', 'while true; do wget -q -O /dev/null "$ORDERS_URL/health" && echo polled; sleep 30; done'],
    environmentVariables: { ORDERS_URL: orders.endpoint! },
  });
  poller.connectTo(orders);
  return { stack, environment, services: [orders, web, poller] };
}

/**
 * (i) Scheduled jobs: a nightly report in the Paris time zone that stops after 20 minutes
 * and runs again up to twice when a run fails, and an every-5-minutes sync that skips a run
 * while the previous one is still going. Failed runs raise an alarm to the environment's topic.
 */
export function scheduledJobs(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegScheduledJob', options);
  const alarms = new AlarmTopic(stack, 'Alarms').topic;
  const environment = developmentEnvironment(stack, 'scheduled-job', alarms, false);
  const report = new ScheduledJob(workloads, 'Report', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    command: ['sh', '-c', 'echo "report $(date)"'],
    schedule: JobSchedule.cron('30 2 * * ? *'),
    timeZone: 'Europe/Paris',
    flexibleWindow: Duration.minutes(10),
    timeout: Duration.minutes(20),
    rerunsOnFailure: 2,
    platformVersion: ecs.FargatePlatformVersion.VERSION1_4,
  });
  const sync = new ScheduledJob(workloads, 'Sync', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    command: ['sh', '-c', 'echo sync; sleep 30'],
    schedule: JobSchedule.rate(Duration.minutes(5)),
    retryAttempts: 1,
    maxEventAge: Duration.minutes(5),
    preventOverlap: true,
  });
  // A task nothing schedules: a release pipeline runs it (RunTask) before deploying.
  new StandaloneTask(workloads, 'Migrate', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    command: ['sh', '-c', 'echo migrating'],
    containerName: 'migrate',
  });
  return { stack, environment, services: [], schedules: [report.schedule, sync.schedule], rules: [report.failureRule] };
}

/**
 * (j) An event-triggered task: each object uploaded under incoming/ in a bucket starts a
 * task that receives the bucket and key; events it cannot start go to a dead-letter queue.
 */
export function eventTask(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegEventTask', options);
  const environment = developmentEnvironment(stack, 'event-task', undefined, false);
  const uploads = new s3.Bucket(workloads, 'Uploads', {
    eventBridgeEnabled: true,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
  });
  const reason = 'Integration test: an upload bucket whose access logging, replication and key are per-organisation choices.';
  acknowledge(uploads, ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'HIPAA.Security-S3BucketLoggingEnabled',
    'PCI.DSS.321-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'HIPAA.Security-S3BucketReplicationEnabled',
    'PCI.DSS.321-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3DefaultEncryptionKMS', 'HIPAA.Security-S3DefaultEncryptionKMS',
    'PCI.DSS.321-S3DefaultEncryptionKMS'].map(id => ({ id, reason })));
  const task = new EventTask(workloads, 'Ingest', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    command: ['sh', '-c', 'echo "ingest s3://$BUCKET/$OBJECT_KEY"'],
    trigger: EventTrigger.s3ObjectCreated(uploads, { prefix: 'incoming/' }),
    eventFields: { BUCKET: '$.detail.bucket.name', OBJECT_KEY: '$.detail.object.key' },
  });
  uploads.grantRead(task.taskRole, 'incoming/*');
  // The app's own grant and aws-cdk-lib's bucket-notification handler (eventBridgeEnabled).
  const own = 'Integration test: the app\'s own read grant on incoming/ and aws-cdk-lib\'s bucket notification handler.';
  acknowledge(task.taskRole.node.findChild('DefaultPolicy'), [
    {
      id: 'AwsSolutions-IAM5',
      reason: own,
      appliesTo: ['Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*',
        `Resource::<${workloads.getLogicalId(uploads.node.defaultChild as s3.CfnBucket)}.Arn>/incoming/*`],
    },
    ...inCompliancePacks('IAMNoInlinePolicy', own),
  ]);
  acknowledge(uploads.node.findChild('Notifications').node.findChild('HandlerPolicy'), inCompliancePacks('IAMNoInlinePolicy', own));
  const handler = workloads.node.children.find(c => c.node.id.startsWith('BucketNotificationsHandler'))!;
  acknowledge(handler.node.findChild('Role'), [{
    id: 'AwsSolutions-IAM4', reason: own, appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
  }]);
  return { stack, environment, services: [], rules: [task.rule] };
}

/**
 * (k) TCP services behind their own internal network load balancers (one rolling, one
 * released ECS-native blue/green with a test listener on 9090), and one on a network load
 * balancer the environment's services share.
 */
/** Files the integ apps upload as assets (environment files). */
const FILES = path.join(__dirname, 'files');

export function networkService(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegNetworkService', options);
  const environment = developmentEnvironment(stack, 'network-service');
  const tcp = new NetworkService(workloads, 'Tcp', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    listenerPort: 80,
    // Two environment files from the app's source, uploaded as assets (each an asset of its own).
    environmentFiles: [ecs.EnvironmentFile.fromAsset(path.join(FILES, 'common.env')), ecs.EnvironmentFile.fromAsset(path.join(FILES, 'admin.env'))],
    // A second server in the task, reached on a listener of its own, with its labels and env file.
    sidecars: [{
      name: 'admin',
      image: Image.fromAsset(HELLO_IMAGE),
      command: ['httpd', '-f', '-v', '-p', '9090', '-h', '/www'],
      portMappings: [{ containerPort: 9090 }],
      dockerLabels: { 'com.example.role': 'admin' },
      environmentFiles: [ecs.EnvironmentFile.fromAsset(path.join(FILES, 'admin.env'))],
    }],
    additionalListeners: [{ port: 9090, targetContainer: 'admin' }],
  });
  const blueGreen = new NetworkService(workloads, 'TcpBlueGreen', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    listenerPort: 80,
    deployment: Deployment.blueGreen({ bakeTime: Duration.minutes(5), testTraffic: TestTraffic.testListener() }),
    testListenerPort: 9090,
  });
  const shared = new SharedNetworkLoadBalancer(stack, 'SharedNlb', { environment });
  const onShared = new NetworkService(workloads, 'TcpShared', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    sharedLoadBalancer: shared,
    listenerPort: 8081,
  });
  return { stack, environment, services: [tcp, blueGreen, onShared] };
}
