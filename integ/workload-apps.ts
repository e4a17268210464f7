/**
 * The workload-type integ scenarios (worker, backend, scheduled job, event task, network
 * service), shared by the integ apps and the compliance tests like those of apps.ts.
 */
import { App, Duration, Stack, aws_sns as sns } from 'aws-cdk-lib';
import { HELLO_IMAGE, Scenario } from './apps';
import {
  AlarmTopic, BackendService, Environment, EnvironmentProfile, Image, WebService, WorkerService, WorkQueue,
} from '../src';

function developmentEnvironment(stack: Stack, tag: string, alarmTopic?: sns.ITopic): Environment {
  return new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT, alarmTopic, tags: { 'shipyard:integ': tag } });
}

/**
 * (g) A queue worker: its own queue and dead-letter queue, subscribed to an encrypted SNS
 * topic with a filter policy, scaling on the backlog per task down to zero and waking up on
 * the first message, with queue alarms sent to the environment's topic.
 */
export function queueWorker(app: App): Scenario {
  const stack = new Stack(app, 'ShipyardIntegWorker');
  const alarms = new AlarmTopic(stack, 'Alarms').topic;
  const environment = developmentEnvironment(stack, 'worker', alarms);
  const orders = new AlarmTopic(stack, 'Orders').topic;
  const worker = new WorkerService(stack, 'Worker', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    queue: WorkQueue.newQueue({ maxReceiveCount: 5 }),
    processingTime: Duration.minutes(2),
    subscriptions: [{ topic: orders, filterPolicy: { kind: sns.SubscriptionFilter.stringFilter({ allowlist: ['created'] }) } }],
    scaling: { minCapacity: 0, maxCapacity: 3, messagesPerTask: 20 },
  });
  return { stack, environment, services: [worker] };
}

/**
 * (h) Service Connect: a private backend reached as http://orders:8080 inside the
 * environment, called by a web service that is the only workload its security group admits.
 */
export function serviceConnect(app: App): Scenario {
  const stack = new Stack(app, 'ShipyardIntegServiceConnect');
  const environment = developmentEnvironment(stack, 'service-connect');
  const orders = new BackendService(stack, 'Orders', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    serviceConnect: { perRequestTimeout: Duration.seconds(15), accessLogs: true },
  });
  const web = new WebService(stack, 'Web', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    targetHealthCheck: { path: '/health' },
    environmentVariables: { ORDERS_URL: orders.endpoint! },
  });
  web.connectTo(orders);
  return { stack, environment, services: [orders, web] };
}
