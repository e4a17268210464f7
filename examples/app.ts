/**
 * The example app the README synthesizes: a platform team's production environment and an
 * application team's workloads: two web services sharing its HTTPS load balancer (one
 * released blue/green, one on EC2 instances in bridge mode), a private backend they call over
 * Service Connect, a queue worker, a nightly job, a task per uploaded file, a TCP service and a
 * daemon on every EC2 instance, with alarms notifying an encrypted topic.
 *
 *   npx projen example      # writes cdk.out/
 *
 * Deploying needs an ACM certificate in the target region: pass -c certificateArn=arn:aws:acm:...
 */
import * as path from 'path';
import { App, Duration, Stack, aws_certificatemanager as acm, aws_ecs as ecs, aws_s3 as s3, aws_ssm as ssm } from 'aws-cdk-lib';
import {
  AlarmTopic, AutoScalingCapacity, BackendService, Capacity, DaemonService, Deployment, Environment, EnvironmentProfile, EventTask,
  EventTrigger, forStage, Image, JobSchedule, NetworkService, Scaling, ScheduledJob, TestTraffic, WebService, WorkerService,
} from '../src';

const app = new App();

// The platform team's stack: network, cluster, shared HTTPS load balancer.
const platform = new Stack(app, 'ShipyardPlatform');
const certificateArn = app.node.tryGetContext('certificateArn')
  ?? 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';
// Alarms and failed deployments notify an encrypted topic CloudWatch and EventBridge can publish to.
const alarmTopic = new AlarmTopic(platform, 'AlarmTopic').topic;

const environment = new Environment(platform, 'Production', {
  profile: EnvironmentProfile.PRODUCTION,
  alarmTopic,
  ingress: { certificate: acm.Certificate.fromCertificateArn(platform, 'Certificate', certificateArn) },
  tags: { 'cost-center': 'platform' },
});
// EC2 capacity: Graviton instances that ECS adds as tasks need them (0-4).
const instances = new AutoScalingCapacity(platform, 'Instances', { environment, maxCapacity: 4 });

// An application team's stack: two services routed through the shared load balancer.
const apps = new Stack(app, 'ShipyardApps');
const databasePassword = ssm.StringParameter.fromSecureStringParameterAttributes(apps, 'DatabasePassword', {
  parameterName: '/shipyard/api/database-password',
});

const apiImage = Image.fromAsset(path.join(__dirname, 'api'));
// Declared once; what differs per stage (-c stage=development) is laid over it deeply.
const stage = app.node.tryGetContext('stage') ?? 'production';
const api = new WebService(apps, 'Api', forStage(stage, {
  environment,
  image: apiImage,
  routing: { pathPatterns: ['/api/*'] },
  healthCheck: {
    command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/api/health || exit 1'],
    startPeriod: Duration.seconds(20),
  },
  targetHealthCheck: { path: '/api/health' },
  environmentVariables: { LOG_LEVEL: 'info' },
  secrets: { DATABASE_PASSWORD: ecs.Secret.fromSsmParameter(databasePassword) },
  scaling: { minCapacity: 2, maxCapacity: 10, targets: [Scaling.cpu(60), Scaling.requestsPerTarget(1000)] },
  // New versions take requests carrying `x-shipyard-test: true` first, then all traffic at once.
  deployment: Deployment.blueGreen({ testTraffic: TestTraffic.header(), bakeTime: Duration.minutes(10) }),
}, {
  development: { scaling: { minCapacity: 1, maxCapacity: 2 }, environmentVariables: { LOG_LEVEL: 'debug' } },
  production: {},
}));

// The site runs on the EC2 instances, several tasks per instance on dynamic host ports.
new WebService(apps, 'Site', {
  environment,
  image: Image.fromAsset(path.join(__dirname, 'site')),
  cpu: 512,
  memoryLimitMiB: 1024,
  capacity: Capacity.ec2(instances),
  networkMode: ecs.NetworkMode.BRIDGE,
});

// One small agent on every instance of that capacity.
new DaemonService(apps, 'HostAgent', {
  environment,
  image: apiImage,
  command: ['sh', '-c', 'while true; do echo "instance heartbeat"; sleep 300; done'],
  capacity: Capacity.ec2(instances),
  cpu: 128,
  memoryLimitMiB: 128,
});

// A private backend only the API may call, at http://orders:8080.
const orders = new BackendService(apps, 'Orders', { environment, image: apiImage });
api.connectTo(orders);

// A worker on its own queue (with a dead-letter queue), scaling on its backlog down to zero.
new WorkerService(apps, 'Emails', {
  environment,
  image: apiImage,
  command: ['sh', '-c', 'echo "consume $QUEUE_URL"; while true; do sleep 60; done'],
  processingTime: Duration.minutes(2),
  scaling: { minCapacity: 0, maxCapacity: 5, messagesPerTask: 50 },
});

// A nightly report at 02:30 Paris time that may not run longer than an hour.
new ScheduledJob(apps, 'NightlyReport', {
  environment,
  image: apiImage,
  command: ['sh', '-c', 'echo report'],
  schedule: JobSchedule.cron('30 2 * * ? *'),
  timeZone: 'Europe/Paris',
  timeout: Duration.hours(1),
  preventOverlap: true,
});

// A task for every CSV uploaded to the imports bucket.
const imports = s3.Bucket.fromBucketName(apps, 'Imports', 'shipyard-example-imports');
new EventTask(apps, 'Import', {
  environment,
  image: apiImage,
  command: ['sh', '-c', 'echo "import $OBJECT_KEY"'],
  trigger: EventTrigger.s3ObjectCreated(imports, { suffix: '.csv' }),
  eventFields: { OBJECT_KEY: '$.detail.object.key' },
});

// A TCP service behind its own internal network load balancer.
new NetworkService(apps, 'Syslog', { environment, image: apiImage, containerPort: 6514, listenerPort: 514 });

app.synth();
