// An environment's cluster and what hangs off it: the cluster (capacity providers, Container
// Insights, ECS Exec), the default capacity strategy, the Service Connect namespace, the
// task-event rules and lifecycle log, and the checks on the cluster's and namespace's names.

import { Names, Token, aws_ec2 as ec2, aws_ecs as ecs, aws_events as events, aws_kms as kms, aws_logs as logs, aws_servicediscovery as servicediscovery } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EnvironmentProps, IEnvironment } from './environment';
import { execConfiguration } from './exec';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { checkPattern, ECS_NAME } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { logLifecycleEvents, notifyTaskEvents, TaskEventsOptions } from '../observability/task-events';

/** The cluster: Fargate providers, enhanced Container Insights, and ECS Exec's settings with `exec`. */
export function createCluster(scope: Construct, vpc: ec2.IVpc, props: EnvironmentProps,
  logging: { retention: logs.RetentionDays; logKey?: kms.IKey }): ecs.Cluster {
  checkClusterName(scope, props.clusterName);
  return new ecs.Cluster(scope, 'Cluster', {
    vpc,
    clusterName: props.clusterName,
    containerInsightsV2: props.containerInsights ?? ecs.ContainerInsights.ENHANCED,
    enableFargateCapacityProviders: true,
    executeCommandConfiguration: props.exec
      ? execConfiguration(scope, props.exec, logging)
      : undefined,
  });
}

/** The cluster's default capacity provider strategy: any capacity but ECS Anywhere, a launch type. */
export function setDefaultCapacity(scope: Construct, cluster: ecs.Cluster, capacity: Capacity): void {
  if (capacity.platform === CapacityPlatform.EXTERNAL) {
    throw new ShipyardError(scope, ErrorCode.CAPACITY_STRATEGY, 'ECS Anywhere cannot be the environment\'s default capacity (it is a launch type, not a strategy)',
      'keep a Fargate or EC2 default, and pass Capacity.external(...) to the workloads that run there');
  }
  cluster.addDefaultCapacityProviderStrategy(capacity._bind(scope));
}

/** The cluster's default Cloud Map namespace, used for Service Connect (an HTTP one unless a private DNS one is asked for). */
export function addServiceConnectNamespace(scope: Construct, props: EnvironmentProps, cluster: ecs.Cluster): servicediscovery.INamespace {
  const namespaceType = props.serviceConnectNamespaceType ?? servicediscovery.NamespaceType.HTTP;
  checkNamespaceName(scope, namespaceType, props.serviceConnectNamespaceName);
  return cluster.addDefaultCloudMapNamespace({
    name: props.serviceConnectNamespaceName
      ?? Names.uniqueResourceName(scope, { maxLength: 63, separator: '-' }).toLowerCase(),
    type: namespaceType,
    vpc: namespaceType === servicediscovery.NamespaceType.DNS_PRIVATE ? cluster.vpc : undefined,
    useForServiceConnect: true,
  });
}

/** The environment's task-event rules (notifications to the alarm topic, then the lifecycle log's) and the lifecycle log group. */
export function addTaskEvents(
  environment: IEnvironment, cluster: ecs.ICluster, props: EnvironmentProps,
): { rules: events.Rule[]; lifecycleLogGroup?: logs.ILogGroup } {
  checkTaskEventsTopic(environment, props);
  const rules = props.alarmTopic ? notifyTaskEvents(environment, cluster, props.alarmTopic, props.taskEvents) : [];
  if (!props.taskEvents?.lifecycleLog) return { rules };
  const lifecycle = logLifecycleEvents(environment, cluster, { retention: environment.logRetention, logKey: environment.logEncryptionKey });
  return { rules: [...rules, lifecycle.rule], lifecycleLogGroup: lifecycle.logGroup };
}

/**
 * Task events that notify need the alarm topic; the lifecycle log alone does not. Without a topic,
 * `taskEvents` must ask for the lifecycle log and for no notification by name.
 */
function checkTaskEventsTopic(scope: Construct, props: EnvironmentProps): void {
  const options = props.taskEvents;
  if (!options || props.alarmTopic) return;
  const notifications = ['healthEvents', 'unexpectedStops', 'spotInterruptions'].filter(k => options[k as keyof TaskEventsOptions] === true);
  if (options.lifecycleLog && notifications.length === 0) return;
  const asked = notifications.length > 0 ? notifications.join(', ') : 'the default notifications (healthEvents, unexpectedStops)';
  throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `taskEvents asks for ${asked}, but the environment has no alarmTopic to send them to`,
    'give an alarmTopic (new AlarmTopic(...)), leave taskEvents out, or ask for the lifecycle log alone ({ lifecycleLog: true }), which needs no topic');
}

/** Up to 255 letters, digits, underscores and hyphens. Source: Amazon ECS API Reference, CreateCluster clusterName. */
function checkClusterName(scope: Construct, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name) || ECS_NAME.test(name)) return;
  throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `clusterName ${show(name)} is not a valid cluster name`,
    'use up to 255 letters, digits, underscores and hyphens (or leave the name to CloudFormation)');
}

/**
 * A namespace name Cloud Map takes: for an HTTP namespace 1-1024 printable ASCII characters
 * without spaces, not an ARN (CreateHttpNamespace Name); for a DNS namespace a domain name, of
 * labels of letters, digits and hyphens up to 63 characters, 253 in all (CreatePrivateDnsNamespace,
 * CreatePublicDnsNamespace). Source: AWS Cloud Map API Reference.
 */
function checkNamespaceName(scope: Construct, type: servicediscovery.NamespaceType, name: string | undefined): void {
  if (type === servicediscovery.NamespaceType.HTTP) {
    checkPattern(scope, ErrorCode.SERVICE_CONNECT, 'serviceConnectNamespaceName', name, /^(?!arn:)[!-~]{1,1024}$/,
      '1-1024 printable ASCII characters without spaces, not an ARN');
  } else {
    checkPattern(scope, ErrorCode.SERVICE_CONNECT, 'serviceConnectNamespaceName', name,
      /^(?=.{1,253}\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/,
      'a DNS name for a DNS namespace, such as internal.example.com');
  }
}
