import { aws_ecs as ecs, aws_events as events, aws_events_targets as eventsTargets, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Which task events an environment sends to its alarm topic. */
export interface TaskEventsOptions {
  /**
   * AWS Health's scheduled changes for ECS, such as Fargate task retirement for patching
   * (`AWS_ECS_TASK_PATCHING_RETIREMENT`), announced days ahead. AWS Health events are
   * account-wide: every environment with this on in the account and Region gets them.
   * @default true
   */
  readonly healthEvents?: boolean;
  /**
   * Service tasks that stop for a reason other than a deployment, a scale-in or a user: an
   * essential container exited (a crash or an out-of-memory kill), the task failed to start, or
   * the infrastructure under it failed or was terminated.
   * @default true
   */
  readonly unexpectedStops?: boolean;
  /**
   * Count Fargate Spot and EC2 Spot interruptions among the unexpected stops. The service
   * replaces an interrupted task by itself; a Spot environment would otherwise notify often.
   * @default false
   */
  readonly spotInterruptions?: boolean;
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
