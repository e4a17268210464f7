/**
 * The task-model integ scenarios (sidecars, logging, volumes, registries, secrets, exec),
 * shared by the integ apps and the compliance tests like those of apps.ts.
 */
import {
  App, Duration, RemovalPolicy, Stack, Validations, aws_ecs as ecs, aws_kinesisfirehose as firehose, aws_s3 as s3,
  aws_secretsmanager as secretsmanager, aws_ssm as ssm,
} from 'aws-cdk-lib';
import { HELLO_IMAGE, Scenario, ScenarioOptions, scenarioStacks } from './apps';
import {
  Environment, EnvironmentProfile, Image, LogDestination, Logging, SharedFileSystem, Tracing, Volume, WebService, WorkerService,
} from '../src';
import { Acknowledgement, acknowledge, inCompliancePacks as inAllPacks } from '../src/private/nag';

/** Reasons of the integ apps' own acknowledgements say so (the README lists only the library's). */
function integReason(reason: string): string {
  return reason.startsWith('Integration test: ') ? reason : `Integration test: ${reason}`;
}

/** The integ app's own acknowledgement of `rule` in each of the NIST, HIPAA and PCI packs. */
function inCompliancePacks(rule: string, reason: string): Acknowledgement[] {
  return inAllPacks(rule, integReason(reason));
}

function developmentEnvironment(stack: Stack, tag: string): Environment {
  return new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT, tags: { 'shipyard:integ': tag } });
}

/**
 * (d) Telemetry: a web service with an AWS Distro for OpenTelemetry collector sidecar
 * (traces to X-Ray, metrics to CloudWatch) whose logs FireLens routes to a Firehose stream
 * that delivers to an encrypted S3 bucket.
 */
export function telemetry(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegTelemetry', options);
  const environment = developmentEnvironment(stack, 'telemetry');
  const logBucket = new s3.Bucket(workloads, 'LogArchive', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(7) }],
  });
  const logging = 'The archive receives only Firehose deliveries; object-level access is recorded by CloudTrail data events where required.';
  acknowledge(logBucket, [
    { id: 'AwsSolutions-S1', reason: integReason(logging) },
    ...inCompliancePacks('S3BucketLoggingEnabled', logging),
    ...inCompliancePacks('S3BucketReplicationEnabled', 'A log archive of an integration test; replication is a per-organisation choice.'),
    ...inCompliancePacks('S3DefaultEncryptionKMS', 'SSE-S3 encryption; a customer managed key is a per-organisation choice.'),
  ]);
  const stream = new firehose.DeliveryStream(workloads, 'LogStream', {
    destination: new firehose.S3Bucket(logBucket, { dataOutputPrefix: 'web/', errorOutputPrefix: 'errors/' }),
    encryption: firehose.StreamEncryption.awsOwnedKey(),
  });
  // aws-cdk-lib's Firehose construct adds a CIDR mapping that only some destinations use.
  Validations.of(workloads).acknowledge({ id: 'CloudFormation-Validate::W7001', reason: 'Integration test: aws-cdk-lib\'s unused Firehose CIDR mapping.' });
  const deliveryReason = integReason('The Firehose stream\'s own S3 delivery role and error log group, as aws-cdk-lib creates them for the user\'s stream.');
  acknowledge(stream.node.findChild('S3 Destination Role').node.findChild('DefaultPolicy'), [
    {
      id: 'AwsSolutions-IAM5',
      reason: deliveryReason,
      appliesTo: ['Action::s3:Abort*', 'Action::s3:DeleteObject*', 'Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*',
        `Resource::<${workloads.getLogicalId(logBucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`],
    },
    ...inCompliancePacks('IAMNoInlinePolicy', deliveryReason),
  ]);
  acknowledge(stream.node.findChild('LogGroup'), inCompliancePacks('CloudWatchLogGroupEncrypted', deliveryReason));
  const web = new WebService(workloads, 'Web', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    targetHealthCheck: { path: '/health' },
    cpu: 512,
    memoryLimitMiB: 1024,
    logging: Logging.fireLens({ destination: LogDestination.firehose(stream) }),
    tracing: Tracing.awsDistroForOpenTelemetry(),
  });
  return { stack, environment, services: [web] };
}

/**
 * (e) Shared files: an EFS file system of the environment (encrypted, TLS-only, backed up
 * daily) that a queue worker mounts through its own access point; an init container writes
 * to it before the main container starts.
 */
export function sharedFiles(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegSharedFiles', options);
  const environment = developmentEnvironment(stack, 'shared-files');
  const files = new SharedFileSystem(stack, 'Files', { environment });
  const worker = new WorkerService(workloads, 'Worker', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    initContainers: [{ name: 'prepare', image: Image.fromAsset(HELLO_IMAGE), command: ['sh', '-c', 'date > /data/started-at'] }],
    volumes: [Volume.efs('data', files.fileSystem, { containerPath: '/data', containers: ['prepare', 'app'] })],
  });
  return { stack, environment, services: [worker] };
}

/**
 * (f) A private registry: the image comes from a registry that needs credentials (a
 * Secrets Manager secret), the app reads a generated secret and an SSM parameter, and
 * operators can open ECS Exec sessions that are encrypted and recorded. Deploying needs
 * SHIPYARD_INTEG_PRIVATE_IMAGE and SHIPYARD_INTEG_REGISTRY_SECRET_ARN (username/password).
 */
export function privateRegistry(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegPrivateRegistry', options);
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.DEVELOPMENT,
    exec: {},
    tags: { 'shipyard:integ': 'private-registry' },
  });
  const credentials = secretsmanager.Secret.fromSecretCompleteArn(workloads, 'RegistryCredentials',
    process.env.SHIPYARD_INTEG_REGISTRY_SECRET_ARN ?? 'arn:aws:secretsmanager:us-east-1:111111111111:secret:registry-AbCdEf');
  const apiKey = new secretsmanager.Secret(workloads, 'ApiKey', {
    description: 'A generated value the integ app reads',
    generateSecretString: { secretStringTemplate: '{"user":"app"}', generateStringKey: 'password', excludePunctuation: true },
  });
  const rotation = 'A generated value of an integration test that lives as long as the stack; production secrets rotate in their own stacks.';
  acknowledge(apiKey, [
    { id: 'AwsSolutions-SMG4', reason: integReason(rotation) },
    ...inCompliancePacks('SecretsManagerRotationEnabled', rotation),
    ...inCompliancePacks('SecretsManagerUsingKMSKey', 'Encrypted with the AWS managed key for Secrets Manager.'),
  ]);
  const featureFlags = new ssm.StringParameter(workloads, 'FeatureFlags', { stringValue: '{"beta":false}' });
  const web = new WebService(workloads, 'Web', {
    environment,
    image: Image.fromRegistry(process.env.SHIPYARD_INTEG_PRIVATE_IMAGE ?? 'registry.example.com/shipyard/hello:1.0.0', { credentials }),
    targetHealthCheck: { path: '/health' },
    secrets: {
      DB_USER: ecs.Secret.fromSecretsManager(apiKey, 'user'),
      DB_PASSWORD: ecs.Secret.fromSecretsManager(apiKey, 'password'),
      FEATURE_FLAGS: ecs.Secret.fromSsmParameter(featureFlags),
    },
    enableExec: true,
  });
  return { stack, environment, services: [web] };
}
