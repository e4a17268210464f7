/**
 * The example app the README synthesizes: a platform team's production environment and an
 * application team's two web services sharing its HTTPS load balancer, one of them released
 * blue/green, with alarms notifying an encrypted topic.
 *
 *   npx projen example      # writes cdk.out/
 *
 * Deploying needs an ACM certificate in the target region: pass -c certificateArn=arn:aws:acm:...
 */
import * as path from 'path';
import { App, Duration, Stack, aws_certificatemanager as acm, aws_ecs as ecs, aws_ssm as ssm } from 'aws-cdk-lib';
import { AlarmTopic, Deployment, Environment, EnvironmentProfile, Image, Scaling, TestTraffic, WebService } from '../src';

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

// An application team's stack: two services routed through the shared load balancer.
const apps = new Stack(app, 'ShipyardApps');
const databasePassword = ssm.StringParameter.fromSecureStringParameterAttributes(apps, 'DatabasePassword', {
  parameterName: '/shipyard/api/database-password',
});

new WebService(apps, 'Api', {
  environment,
  image: Image.fromAsset(path.join(__dirname, 'api')),
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
});

new WebService(apps, 'Site', {
  environment,
  image: Image.fromAsset(path.join(__dirname, 'site')),
  cpu: 512,
  memoryLimitMiB: 1024,
});

app.synth();
