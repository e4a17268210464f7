import {
  ArnFormat, RemovalPolicy, Stack, aws_ecs as ecs, aws_events as events, aws_events_targets as eventsTargets, aws_iam as iam, aws_kms as kms,
  aws_logs as logs, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { watchLogResourcePolicies } from '../private/log-resource-policies';

/** Which task events an environment sends to its alarm topic, and whether it keeps them in a log group. */
export interface TaskEventsOptions {
  /**
   * AWS Health's scheduled changes for ECS, such as Fargate task retirement for patching
   * (`AWS_ECS_TASK_PATCHING_RETIREMENT`), announced days ahead. AWS Health events are
   * account-wide: every environment with this on in the account and Region gets them.
   * @default - true when the environment has an alarmTopic
   */
  readonly healthEvents?: boolean;
  /**
   * Service tasks that stop for a reason other than a deployment, a scale-in or a user: an
   * essential container exited (a crash or an out-of-memory kill), the task failed to start, or
   * the infrastructure under it failed or was terminated.
   * @default - true when the environment has an alarmTopic
   */
  readonly unexpectedStops?: boolean;
  /**
   * Count Fargate Spot and EC2 Spot interruptions among the unexpected stops. The service
   * replaces an interrupted task by itself; a Spot environment would otherwise notify often.
   * @default false
   */
  readonly spotInterruptions?: boolean;
  /**
   * Keep every lifecycle event of the cluster (task state changes, service actions, deployment
   * state changes) in a log group the environment creates, with its log retention and key,
   * retained on delete: the history of what ECS did, to search later with Logs Insights. Needs no
   * alarmTopic. The log group's resource policy (EventBridge writes through no role) is one of the
   * 10 CloudWatch Logs resource policies an account has per Region, a quota that cannot be raised.
   * @default false
   */
  readonly lifecycleLog?: boolean;
}

/**
 * The stop codes of a task that stopped unexpectedly. ServiceSchedulerInitiated (deployments,
 * scale-in, failed health checks) and UserInitiated are left out. Source: Amazon ECS API
 * Reference, Task stopCode.
 */
export function unexpectedStopCodes(spotInterruptions: boolean): string[] {
  return ['EssentialContainerExited', 'TaskFailedToStart', 'InfrastructureHealth', 'TerminationNotice', ...spotInterruptions ? ['SpotInterruption'] : []];
}

/**
 * An event pattern for service tasks of `cluster` that stopped unexpectedly: of all services, of
 * the services of one task definition family, or of one service by name.
 */
export function unexpectedStopPattern(cluster: ecs.ICluster, spotInterruptions: boolean,
  of?: { family: string } | { serviceName: string }): events.EventPattern {
  const byName = of !== undefined && 'serviceName' in of;
  return {
    source: ['aws.ecs'],
    detailType: ['ECS Task State Change'],
    detail: {
      clusterArn: [cluster.clusterArn],
      lastStatus: ['STOPPED'],
      stopCode: unexpectedStopCodes(spotInterruptions),
      group: byName ? [`service:${of.serviceName}`] : [{ prefix: 'service:' }],
      // EventBridge wildcard matching (Amazon EventBridge User Guide, "Wildcard matching").
      ...(of !== undefined && 'family' in of ? { taskDefinitionArn: [{ wildcard: `*:task-definition/${of.family}:*` }] } : {}),
    },
  };
}

/**
 * The environment's task-event rules, each sending a message that says what happened and what
 * to do to `topic`. Sources: Amazon ECS Developer Guide, "Amazon ECS task state change events"
 * and "Prepare for AWS Fargate task retirement"; AWS Health User Guide, "Monitoring AWS Health
 * events with Amazon EventBridge".
 */
export function notifyTaskEvents(scope: Construct, cluster: ecs.ICluster, topic: sns.ITopic, options: TaskEventsOptions = {}): events.Rule[] {
  const rules: events.Rule[] = [];
  if (options.healthEvents ?? true) {
    const field = (path: string) => events.EventField.fromPath(path);
    rules.push(new events.Rule(scope, 'HealthEvents', {
      description: `${scope.node.path}: AWS Health scheduled changes for ECS (task retirement)`,
      eventPattern: { source: ['aws.health'], detailType: ['AWS Health Event'], detail: { service: ['ECS'], eventTypeCategory: ['scheduledChange'] } },
      targets: [new eventsTargets.SnsTopic(topic, {
        message: events.RuleTargetInput.fromText(`AWS Health: ${field('$.detail.eventTypeCode')} from ${field('$.detail.startTime')} `
          + `for ${field('$.detail.affectedEntities')}. ECS replaces the tasks of services by itself, keeping their minimum healthy percent; `
          + 'to choose the time, force a new deployment of each service before then. Standalone tasks (jobs) must be restarted by you.'),
      })],
    }));
  }
  if (options.unexpectedStops ?? true) {
    const field = (path: string) => events.EventField.fromPath(path);
    rules.push(new events.Rule(scope, 'UnexpectedTaskStops', {
      description: `${scope.node.path}: a service task stopped unexpectedly`,
      eventPattern: unexpectedStopPattern(cluster, options.spotInterruptions ?? false),
      targets: [new eventsTargets.SnsTopic(topic, {
        message: events.RuleTargetInput.fromText(`Task ${field('$.detail.taskArn')} of ${field('$.detail.group')} stopped: `
          + `${field('$.detail.stopCode')} (${field('$.detail.stoppedReason')}). The service starts a replacement; if this repeats, read the `
          + 'task\'s logs and its containers\' exit codes (137: out of memory or killed; 1: the application failed).'),
      })],
    }));
  }
  return rules;
}

/**
 * The ECS events kept in the lifecycle log. Container instance state changes, the fourth kind ECS
 * sends, describe EC2 capacity and are left out. Source: Amazon EventBridge Events Reference,
 * "Amazon Elastic Container Service events".
 */
export const LIFECYCLE_DETAIL_TYPES = ['ECS Task State Change', 'ECS Service Action', 'ECS Deployment State Change'];

/** The rule and the log group of an environment's lifecycle log. */
export interface LifecycleLog {
  readonly rule: events.Rule;
  readonly logGroup: logs.LogGroup;
}

/**
 * One rule for the environment that keeps the lifecycle events of `cluster` in a new log group.
 * EventBridge writes to CloudWatch Logs under a CloudWatch Logs resource policy that names
 * `events.amazonaws.com` and `delivery.logs.amazonaws.com`, never a role (Amazon EventBridge User
 * Guide, "Using resource-based policies for Amazon EventBridge", CloudWatch Logs permissions).
 * The policy is an `AWS::Logs::ResourcePolicy` for this log group alone, not aws-cdk-lib's
 * `CloudWatchLogGroup` target: that target always puts the policy with a custom resource (a
 * Lambda function and its role; `installLatestAwsSdk` and `logEvent` do not change that). Each
 * policy counts toward the account's 10 per Region (see `watchLogResourcePolicies`).
 */
export function logLifecycleEvents(
  scope: Construct, cluster: ecs.ICluster, defaults: { retention: logs.RetentionDays; logKey?: kms.IKey },
): LifecycleLog {
  const logGroup = new logs.LogGroup(scope, 'LifecycleLog', {
    retention: defaults.retention,
    encryptionKey: defaults.logKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const { policyDependable } = logGroup.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  watchLogResourcePolicies(scope);
  const rule = new events.Rule(scope, 'LifecycleEvents', {
    description: `${scope.node.path}: task state changes, service actions and deployment state changes of the cluster, kept in a log group`,
    eventPattern: { source: ['aws.ecs'], detailType: LIFECYCLE_DETAIL_TYPES },
    targets: [logGroupTarget(logGroup)],
  });
  (rule.node.defaultChild as events.CfnRule).addPropertyOverride('EventPattern.$or', ofCluster(cluster));
  // Events matched before the policy exists would be dropped.
  if (policyDependable) rule.node.addDependency(policyDependable);
  return { rule, logGroup };
}

/**
 * Pattern branches ($or) that keep the events of `cluster` alone: task state changes and service
 * actions carry its ARN in `detail.clusterArn`; deployment state changes do not, and name the
 * service (`service/<cluster name>/<service name>`) in `resources`. Sources: Amazon ECS Developer
 * Guide, "Amazon ECS events" (task state change, service action and service deployment state
 * change events); Amazon EventBridge User Guide, "Content filtering in event patterns" ($or and
 * wildcard matching).
 */
function ofCluster(cluster: ecs.ICluster): Array<Record<string, unknown>> {
  const services = Stack.of(cluster).formatArn({
    service: 'ecs', resource: 'service', resourceName: `${cluster.clusterName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  return [{ detail: { clusterArn: [cluster.clusterArn] } }, { resources: [{ wildcard: services }] }];
}

/**
 * A log group as a rule target that returns its ARN alone (without the `:*` of `logGroupArn`, as
 * EventBridge PutTargets takes it): the policy that lets EventBridge write is the caller's.
 */
function logGroupTarget(logGroup: logs.ILogGroup): events.IRuleTarget {
  return {
    bind: () => ({
      arn: Stack.of(logGroup).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    }),
  };
}
