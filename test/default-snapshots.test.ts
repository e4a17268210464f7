/**
 * The default output of every construct, as a snapshot of the resources it owns (their logical
 * ids start with its path), so an unintended template change shows up in review. Five
 * constructs keep their snapshot in their own suite (listed below); the check at the end fails
 * when a construct is added without one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack, aws_certificatemanager as acm, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as shipyard from '../src';
import {
  AlarmTopic, AutoScalingCapacity, BackgroundService, Capacity, DaemonService, EcsGateway, EventTask, EventTrigger, ExternalInstances, Image,
  ManagedInstancesCapacity, NetworkService, SharedFileSystem, SharedIngress, SharedNetworkLoadBalancer, StandaloneTask, WebService,
} from '../src';
import { CERTIFICATE_ARN, productionEnvironment, template, testStack } from './fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');

/** Each construct: how to build it with its defaults in a production environment, and the logical-id prefix of what it owns. */
const BUILDS: Record<string, { prefix: string; build: (stack: Stack) => void }> = {
  SharedIngress: {
    prefix: 'Internal',
    build: stack => {
      const environment = productionEnvironment(stack);
      new SharedIngress(stack, 'Internal', {
        vpc: environment.vpc,
        production: true,
        internetFacing: false,
        certificate: acm.Certificate.fromCertificateArn(stack, 'InternalCert', CERTIFICATE_ARN),
      });
    },
  },
  EcsGateway: {
    prefix: 'Gateway',
    build: stack => {
      const environment = productionEnvironment(stack);
      new EcsGateway(stack, 'Gateway', { vpc: environment.vpc, cluster: environment.cluster, production: true });
    },
  },
  BackgroundService: {
    prefix: 'Poller',
    build: stack => { new BackgroundService(stack, 'Poller', { environment: productionEnvironment(stack), image: IMAGE }); },
  },
  SharedNetworkLoadBalancer: {
    prefix: 'Nlb',
    build: stack => { new SharedNetworkLoadBalancer(stack, 'Nlb', { environment: productionEnvironment(stack) }); },
  },
  AutoScalingCapacity: {
    prefix: 'Instances',
    build: stack => { new AutoScalingCapacity(stack, 'Instances', { environment: productionEnvironment(stack) }); },
  },
  ManagedInstancesCapacity: {
    prefix: 'Managed',
    build: stack => { new ManagedInstancesCapacity(stack, 'Managed', { environment: productionEnvironment(stack) }); },
  },
  ExternalInstances: {
    prefix: 'OnPrem',
    build: stack => { new ExternalInstances(stack, 'OnPrem', { environment: productionEnvironment(stack) }); },
  },
  EventTask: {
    prefix: 'OnUpload',
    build: stack => {
      const bucket = s3.Bucket.fromBucketName(stack, 'Uploads', 'uploads');
      new EventTask(stack, 'OnUpload', { environment: productionEnvironment(stack), image: IMAGE, trigger: EventTrigger.s3ObjectCreated(bucket) });
    },
  },
  NetworkService: {
    prefix: 'Mqtt',
    build: stack => { new NetworkService(stack, 'Mqtt', { environment: productionEnvironment(stack), image: IMAGE }); },
  },
  DaemonService: {
    prefix: 'Agent',
    build: stack => {
      const environment = productionEnvironment(stack);
      const instances = new AutoScalingCapacity(stack, 'Instances', { environment });
      new DaemonService(stack, 'Agent', { environment, image: IMAGE, capacity: Capacity.ec2(instances) });
    },
  },
  SharedFileSystem: {
    prefix: 'Files',
    build: stack => { new SharedFileSystem(stack, 'Files', { environment: productionEnvironment(stack) }); },
  },
  ServiceAlarms: {
    prefix: 'WebAlarms',
    build: stack => { new WebService(stack, 'Web', { environment: productionEnvironment(stack), image: IMAGE }); },
  },
  ServiceDashboard: {
    prefix: 'WebDashboard',
    build: stack => { new WebService(stack, 'Web', { environment: productionEnvironment(stack), image: IMAGE, dashboard: true }); },
  },
  EnvironmentDashboard: {
    prefix: 'EnvDashboard',
    build: stack => { productionEnvironment(stack); },
  },
  StandaloneTask: {
    prefix: 'Migrate',
    build: stack => { new StandaloneTask(stack, 'Migrate', { environment: productionEnvironment(stack), image: IMAGE }); },
  },
  AlarmTopic: {
    prefix: 'Alarms',
    build: stack => { new AlarmTopic(stack, 'Alarms', { displayName: 'Production alarms' }); },
  },
};

/** Constructs whose default snapshot lives in their own suite. */
const OWN_SUITE: Record<string, string> = {
  Environment: 'environment/environment.test.ts',
  WebService: 'workloads/web-service.test.ts',
  BackendService: 'workloads/backend-service.test.ts',
  WorkerService: 'workloads/worker-service.test.ts',
  ScheduledJob: 'workloads/scheduled-job.test.ts',
};

describe('default output of every construct', () => {
  test.each(Object.keys(BUILDS))('%s', name => {
    const { prefix, build } = BUILDS[name];
    const stack = testStack();
    build(stack);
    const own = Object.fromEntries(Object.entries(template(stack).toJSON().Resources).filter(([id]) => id.startsWith(prefix)));
    expect(Object.keys(own).length).toBeGreaterThan(0);
    expect(own).toMatchSnapshot();
  });

  test('every exported construct has a default snapshot', () => {
    const constructs = Object.entries(shipyard)
      .filter(([, value]) => typeof value === 'function' && (value as any).prototype instanceof Construct)
      .map(([name]) => name);
    expect(constructs.length).toBe(21);
    for (const name of constructs) {
      if (BUILDS[name]) continue;
      expect(OWN_SUITE[name]).toBeDefined();
      expect(fs.readFileSync(path.join(__dirname, OWN_SUITE[name]), 'utf8')).toContain('toMatchSnapshot()');
    }
  });
});

