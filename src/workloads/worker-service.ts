import {
  Duration, Stack, aws_applicationautoscaling as appscaling, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as actions,
  aws_ec2 as ec2, aws_ecs as ecs,
  aws_events as events, aws_iam as iam,
  aws_logs as logs, aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IBackendService, IServiceWorkload } from './backend-service';
import { buildService, notifyDeploymentFailures } from './ecs-service';
import { connectToBackend } from './service-connect';
import { subscribe, TopicSubscription, WorkQueue, WorkQueueBindOptions } from './work-queue';
import { ServiceWorkloadProps, serviceSettings } from './workload-props';
import { applyEnvironmentSettings, resolveDesiredCount, speedOf } from './workload-settings';
import { applyRolloutControls, bindDeployment, enableRollbackAlarms, NO_LOAD_BALANCER_ALARM, rolloutOptions } from '../deployment/rollout';
import { IEnvironment } from '../environment/environment';
import { checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { ConsumedQueue, queueAlarms } from '../observability/queue-alarms';
import { ServiceAlarms, ServiceAlarmsOptions } from '../observability/service-alarms';
import { ONE_MINUTE, serviceInsightsMetric } from '../private/metrics';
import { scaleTaskCount } from '../scaling/scaling';
import { buildTask } from '../task/task-builder';
import { acknowledgePlainVariables, warnAboutTask } from '../task/task-findings';

/** Backlog scaling of a worker. */
export interface WorkerScalingOptions {
  /** Fewest tasks; 0 lets the worker scale to zero and wake up on the first message. */
  readonly minCapacity: number;
  /** Most tasks. */
  readonly maxCapacity: number;
  /**
   * Visible messages each task may have waiting (the target of backlog-per-task tracking):
   * roughly the messages one task works through in the acceptable latency.
   * @default 100
   */
  readonly messagesPerTask?: number;
  /**
   * Wait after a scale-out before another.
   * @default Duration.seconds(60)
   */
  readonly scaleOutCooldown?: Duration;
  /**
   * Wait after a scale-in before another.
   * @default Duration.seconds(300)
   */
  readonly scaleInCooldown?: Duration;
}

/** Alarms of a worker, beyond the service's. */
export interface WorkerAlarmsOptions extends ServiceAlarmsOptions {
  /**
   * Alarm when the oldest message has waited this long (5 consecutive minutes).
   * @default Duration.minutes(15)
   */
  readonly oldestMessageAge?: Duration;
  /**
   * Alarm as soon as the dead-letter queue holds a message.
   * @default true
   */
  readonly deadLetterQueueNotEmpty?: boolean;
}

/** Properties of a WorkerService. */
export interface WorkerServiceProps extends ServiceWorkloadProps {
  /**
   * The queue the worker consumes; its URL and name reach the container as QUEUE_URL and QUEUE_NAME.
   * @default WorkQueue.newQueue() - a standard queue with a dead-letter queue, SSE-SQS, TLS only, retained
   */
  readonly queue?: WorkQueue;
  /**
   * The longest time the worker takes for one message; the queue's visibility timeout must cover it.
   * @default - not declared; the visibility timeout is checked against the stop timeout only
   */
  readonly processingTime?: Duration;
  /**
   * SNS topics the queue subscribes to.
   * @default - none
   */
  readonly subscriptions?: TopicSubscription[];
  /**
   * Scale on the backlog per task (visible messages / running tasks).
   * @default - a fixed number of tasks
   */
  readonly scaling?: WorkerScalingOptions;
  /**
   * The worker's alarms.
   * @default - task count, CPU or memory, oldest message 15 minutes, dead-letter queue not empty
   */
  readonly alarms?: WorkerAlarmsOptions;
}

/**
 * A service that consumes an SQS queue, scales on its backlog and alarms when messages age
 * or land in the dead-letter queue.
 */
export class WorkerService extends Construct implements IServiceWorkload {
  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The queue consumed. */
  public readonly queue: sqs.IQueue;
  /** The dead-letter queue, when known. */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** The queues of the subscriptions that have their own (`subscriptions[].queue`), by name. */
  public readonly topicQueues: { [name: string]: sqs.IQueue } = {};
  /** Every queue consumed, with its dead-letter queue and a name for alarms (the worker's queue first). */
  private readonly consumed: ConsumedQueue[] = [];
  /** The log group of the main container, unless its logs leave CloudWatch Logs. */
  public readonly logGroup?: logs.ILogGroup;
  /** The task role (may consume the queue). */
  public readonly taskRole: iam.IRole;
  /** The service's security group (no ingress). */
  public readonly connections: ec2.Connections;
  /** The service's alarms. */
  public readonly alarms: ServiceAlarms;
  /** The queue alarms (oldest message, dead-letter queue). */
  public readonly queueAlarms: cloudwatch.AlarmBase[] = [];
  /** The scalable task count, with scaling. */
  public readonly scalableTaskCount?: ecs.ScalableTaskCount;
  /** The rule that notifies the alarm topic when a deployment fails. */
  public readonly deploymentFailedRule?: events.Rule;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    const env = props.environment;
    const scaling = props.scaling;
    if (props.networkMode === ecs.NetworkMode.NONE) {
      throw new ShipyardError(this, ErrorCode.PLATFORM, 'network mode "none" gives the task no network, and a worker polls its queue over it',
        'leave networkMode out (awsvpc), or use BRIDGE on EC2 capacity');
    }
    const desiredCount = resolveDesiredCount(this, env.profile, props.desiredCount, scaling, 0, false);
    const stopSeconds = knownSeconds(props.stopTimeout) ?? 30;
    const processingSeconds = knownSeconds(props.processingTime);
    const visibility = Math.max(60, 2 * (processingSeconds ?? 0), stopSeconds + 30);
    const queues = (props.queue ?? WorkQueue.newQueue())._bind(this, {
      defaultVisibilityTimeout: Duration.seconds(visibility),
      processingSeconds,
      stopTimeoutSeconds: stopSeconds,
    });
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;
    this.consumed.push({ key: '', queue: this.queue, deadLetterQueue: this.deadLetterQueue });
    const bindOptions = { defaultVisibilityTimeout: Duration.seconds(visibility), processingSeconds, stopTimeoutSeconds: stopSeconds };
    const topicQueueUrls = this.bindTopicQueues(props.subscriptions ?? [], bindOptions);

    const task = buildTask(this, env, props, [], props.capacity ?? env.defaultCapacity);
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.logGroup = task.logGroup;
    this.taskRole = this.taskDefinition.taskRole;
    this.container.addEnvironment('QUEUE_URL', this.queue.queueUrl);
    this.container.addEnvironment('QUEUE_NAME', this.queue.queueName);
    if (Object.keys(topicQueueUrls).length > 0) this.container.addEnvironment('TOPIC_QUEUE_URLS', Stack.of(this).toJsonString(topicQueueUrls));
    acknowledgePlainVariables(this.taskDefinition);
    for (const c of this.consumed) c.queue.grantConsumeMessages(this.taskRole);
    subscribe(this, this.queue, (props.subscriptions ?? []).filter(s => !s.queue));

    const deployment = bindDeployment(this, props.deployment, speedOf(env, props.deploySpeed), { shiftsTraffic: false, hasRollbackAlarms: false });
    const built = buildService(this, {
      ...serviceSettings(id, props),
      env,
      task,
      securityGroupDescription: 'a queue worker; no inbound traffic',
      rollout: rolloutOptions(deployment),
      desiredCount,
    });
    this.service = built.service;
    this.connections = built.connections;
    this.alarms = new ServiceAlarms(this, 'Alarms', { ...props.alarms, service: this.service, clusterName: env.cluster.clusterName, topic: env.alarmTopic });
    applyRolloutControls(this.service, deployment);
    enableRollbackAlarms(this, this.service, deployment, [], NO_LOAD_BALANCER_ALARM);
    this.deploymentFailedRule = notifyDeploymentFailures(this, env, this.service);
    this.queueAlarms.push(...queueAlarms(this, this.consumed, props.alarms ?? {}, env.alarmTopic));
    if (scaling) this.scalableTaskCount = this.scaleOnBacklog(env, scaling);

    applyEnvironmentSettings(this, env);
    warnAboutTask(this, env, task, props);
  }


  /** Call `backend` over Service Connect: this service joins the namespace in client mode and the backend admits it. */
  public connectTo(backend: IBackendService): void {
    connectToBackend(this, backend);
  }

  /**
   * The subscriptions with a queue of their own: each queue bound in a scope named after the
   * subscription, subscribed to its topic; their URLs by name.
   */
  private bindTopicQueues(subscriptions: TopicSubscription[], bindOptions: WorkQueueBindOptions): { [name: string]: string } {
    const urls: { [name: string]: string } = {};
    for (const s of subscriptions) {
      if (!s.queue) continue;
      const name = s.name ?? s.topic.node.id;
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(name) || urls[name] !== undefined) {
        throw new ShipyardError(this, ErrorCode.QUEUE, `subscription name ${show(name)} ${urls[name] !== undefined ? 'is used twice' : 'is not valid'}`,
          'give each subscription with its own queue a unique name (name) of up to 64 letters, digits, hyphens and underscores');
      }
      const bound = s.queue._bind(new Construct(this, `Topic-${name}`), bindOptions);
      subscribe(this, bound.queue, [s]);
      this.topicQueues[name] = bound.queue;
      this.consumed.push({ key: name, queue: bound.queue, deadLetterQueue: bound.deadLetterQueue });
      urls[name] = bound.queue.queueUrl;
    }
    return urls;
  }

  /**
   * Target tracking on visible messages per running task (metric math over SQS and
   * Container Insights), plus a step policy that starts one task when messages wait and
   * none runs.
   */
  private scaleOnBacklog(env: IEnvironment, scaling: WorkerScalingOptions): ecs.ScalableTaskCount {
    const perTask = scaling.messagesPerTask ?? 100;
    checkRange(this, ErrorCode.SCALING_TARGET, 'scaling.messagesPerTask', perTask, 1, 1e9);
    const taskCount = scaleTaskCount(this.service, scaling.minCapacity, scaling.maxCapacity);
    const target = taskCount.node.findChild('Target') as appscaling.ScalableTarget;
    // Every queue's visible messages count (one term with one queue, as before topic queues).
    const visibleIds = this.consumed.map((_, i) => (i === 0 ? 'visible' : `visible${i}`));
    const visible = visibleIds.length === 1 ? 'FILL(visible, 0)' : `(${visibleIds.map(v => `FILL(${v}, 0)`).join(' + ')})`;
    new appscaling.CfnScalingPolicy(taskCount, 'BacklogScaling', {
      policyName: `${this.node.path.replace(/\//g, '-')}-backlog`.slice(-256),
      policyType: 'TargetTrackingScaling',
      scalingTargetId: target.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: perTask,
        scaleOutCooldown: (scaling.scaleOutCooldown ?? Duration.seconds(60)).toSeconds(),
        scaleInCooldown: (scaling.scaleInCooldown ?? Duration.seconds(300)).toSeconds(),
        customizedMetricSpecification: {
          metrics: [
            ...this.consumed.map((c, i) => ({
              id: i === 0 ? 'visible' : `visible${i}`,
              returnData: false,
              metricStat: {
                stat: 'Average',
                metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: [{ name: 'QueueName', value: c.queue.queueName }] },
              },
            })),
            {
              id: 'running',
              returnData: false,
              metricStat: {
                stat: 'Average',
                metric: {
                  namespace: 'ECS/ContainerInsights',
                  metricName: 'RunningTaskCount',
                  dimensions: [{ name: 'ClusterName', value: env.cluster.clusterName }, { name: 'ServiceName', value: this.service.serviceName }],
                },
              },
            },
            { id: 'backlog', expression: `IF(FILL(running, 0) > 0, ${visible} / FILL(running, 0), ${visible})`, label: 'messages per task', returnData: true },
          ],
        },
      },
    });
    if (scaling.minCapacity === 0) this.wakeUpFromZero(env, taskCount, target, visible);
    return taskCount;
  }

  /**
   * From zero tasks: one alarm and one step, +1 task when messages wait and no task runs
   * (target tracking cannot scale out from zero: zero tasks times any ratio is zero).
   */
  private wakeUpFromZero(env: IEnvironment, taskCount: ecs.ScalableTaskCount, target: appscaling.ScalableTarget, visible: string): void {
    // One alarm and one step: +1 task when messages wait and no task runs.
    const wakeUp = new appscaling.StepScalingAction(taskCount, 'WakeUp', {
      scalingTarget: target,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.seconds(60),
    });
    wakeUp.addAdjustment({ adjustment: 1, lowerBound: 0 });
    const alarm = new cloudwatch.Alarm(taskCount, 'WakeUpAlarm', {
      alarmDescription: `${this.node.path}: messages wait and no task runs; start one`,
      metric: new cloudwatch.MathExpression({
        expression: `IF(FILL(running, 0) < 1 AND ${visible} > 0, 1, 0)`,
        usingMetrics: {
          ...Object.fromEntries(this.consumed.map((c, i) => [i === 0 ? 'visible' : `visible${i}`,
            c.queue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: 'Maximum' })])),
          running: serviceInsightsMetric(env.cluster.clusterName, this.service.serviceName, 'RunningTaskCount'),
        },
        period: ONE_MINUTE,
        label: 'messages wait and no task runs',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.ApplicationScalingAction(wakeUp));
  }
}

