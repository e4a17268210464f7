import {
  Duration, Stack, Token, aws_cloudwatch as cloudwatch, aws_ec2 as ec2, aws_ecs as ecs,
  aws_events as events, aws_iam as iam, aws_logs as logs, aws_scheduler as scheduler, aws_sqs as sqs, aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { JobRunner } from './job-runner';
import { checkTimeZone, JobSchedule } from './job-schedule';
import { buildStandaloneTask, clusterTasksArn, grantRunTask, pascalCase, RunTaskPlacement, runTaskPlacement } from './standalone-task';
import { WorkloadProps } from './workload-props';
import { applyEnvironmentSettings, deliveryDeadLetterQueue } from './workload-settings';
import { Capacity } from '../capacity/capacity';
import { IEnvironment } from '../environment/environment';
import { checkInteger, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { fixedNameAlarm } from '../private/alarms';
import { acknowledge, acknowledgeInlinePolicy } from '../private/nag';
import { Image } from '../task/image';
import { SidecarOptions } from '../task/sidecar';
import { warnAboutTask } from '../task/task-findings';

/** Properties of a ScheduledJob. */
export interface ScheduledJobProps extends WorkloadProps {
  /** When the job runs. */
  readonly schedule: JobSchedule;
  /**
   * IANA time zone of cron and at expressions.
   * @default 'UTC'
   */
  readonly timeZone?: string;
  /**
   * Let Scheduler start the run anywhere within this window after the scheduled time (1-1440 minutes).
   * @default - runs exactly on time
   */
  readonly flexibleWindow?: Duration;
  /**
   * First time the schedule may fire, ISO 8601 (`2026-12-01T00:00:00Z`).
   * @default - from now
   */
  readonly startDate?: string;
  /**
   * Last time the schedule may fire, ISO 8601.
   * @default - no end
   */
  readonly endDate?: string;
  /**
   * Times Scheduler retries starting the task when RunTask fails (0-185).
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * How long Scheduler keeps retrying a run (60 s - 24 h).
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;
  /**
   * Where Scheduler sends runs it could not start.
   * @default - a new encrypted, TLS-only queue kept 14 days, retained on delete
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * Stop a run after this long: an essential timer sidecar exits, and ECS stops the task.
   * @default - runs until the main container exits
   */
  readonly timeout?: Duration;
  /**
   * Image of the timer sidecar (it needs `sh` and `sleep`).
   * @default - busybox 1.37 from Amazon ECR Public
   */
  readonly timeoutImage?: Image;
  /**
   * Capacity the runs use.
   * @default - the environment's default capacity
   */
  readonly capacity?: Capacity;
  /**
   * The Fargate platform version the runs use (Fargate capacity only).
   * @default - LATEST
   */
  readonly platformVersion?: ecs.FargatePlatformVersion;
  /**
   * Whether the schedule is enabled.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Skip a run while the previous one is still running or pending: Scheduler then starts a
   * Step Functions state machine that lists the family's tasks in the cluster and calls
   * RunTask only when there are none.
   * @default false - every scheduled time starts a run
   */
  readonly preventOverlap?: boolean;
  /**
   * Run the job again when a run fails, up to this many times (0-10), Copilot's `retries`.
   * Scheduler then starts a Step Functions state machine that runs the task with the
   * `ecs:runTask.sync` integration and retries it, waiting 10 s before the first rerun and
   * 1.5 times longer before each next one. A run fails when any container exits non-zero
   * (a sidecar too), when it outlives `timeout`, or when the task cannot start; the failure
   * alarm then fires only when the last rerun fails. `retryAttempts` is different: it retries
   * starting the run (or the state machine) when the call itself fails.
   * @default 0 - a failed run waits for the next scheduled time
   */
  readonly rerunsOnFailure?: number;
}

/** Container name of the timeout timer. */
const TIMER_NAME = 'timeout';

/**
 * A task that EventBridge Scheduler starts on a schedule, with retries, a dead-letter queue,
 * a scheduler role that may start exactly this task, an optional run timeout, and an alarm
 * when a run fails (the main container exits non-zero or the task fails to start).
 */
export class ScheduledJob extends Construct implements ec2.IConnectable {
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The log group of the main container, unless its logs leave CloudWatch Logs. */
  public readonly logGroup?: logs.ILogGroup;
  /** The task role. */
  public readonly taskRole: iam.IRole;
  /** The schedule. */
  public readonly schedule: scheduler.CfnSchedule;
  /** The role Scheduler uses to start the task. */
  public readonly schedulerRole: iam.Role;
  /** Where runs Scheduler could not start go. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The runs' security group (no ingress). */
  public readonly connections: ec2.Connections;
  /** The rule matching failed runs (each failed attempt, reruns included). */
  public readonly failureRule: events.Rule;
  /**
   * The alarm raised when a run fails, or with `rerunsOnFailure` when its last rerun fails
   * (notifies the environment's topic).
   */
  public readonly failureAlarm: cloudwatch.AlarmBase;
  /** The state machine that skips overlapping runs, with `preventOverlap` (the same as `runner`). */
  public readonly overlapGuard?: sfn.StateMachine;
  /** The state machine the schedule starts, with `preventOverlap` or `rerunsOnFailure`. */
  public readonly runner?: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    const env = props.environment;
    const expression = props.schedule._bind(this);
    const timeZone = props.timeZone ?? 'UTC';
    checkTimeZone(this, timeZone);
    this.checkWindow(props);

    const timer = props.timeout ? this.timer(props.timeout, props.timeoutImage) : undefined;
    const capacity = props.capacity ?? env.defaultCapacity;
    const built = buildStandaloneTask(this, env, timer ? { ...props, sidecars: [...props.sidecars ?? [], timer] } : props, {
      workload: 'ScheduledJob',
      starter: 'EventBridge Scheduler',
      noun: 'a job',
      description: 'a scheduled job',
      capacity,
      platformVersion: props.platformVersion,
    });
    const task = built.task;
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.logGroup = task.logGroup;
    this.taskRole = this.taskDefinition.taskRole;
    this.connections = built.connections;

    this.deadLetterQueue = deliveryDeadLetterQueue(this, 'schedule', props.deadLetterQueue);
    this.schedulerRole = this.createSchedulerRole();
    const { target, runner } = this.scheduleTarget(props, runTaskPlacement(this, capacity), built.securityGroup);
    this.runner = runner;
    this.overlapGuard = props.preventOverlap ? runner : undefined;
    this.deadLetterQueue.grantSendMessages(this.schedulerRole);
    const policy = this.schedulerRole.node.tryFindChild('DefaultPolicy');
    if (policy) acknowledgeInlinePolicy(policy);
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: `${this.node.path}: runs ${this.taskDefinition.family}`,
      scheduleExpression: expression,
      scheduleExpressionTimezone: timeZone,
      flexibleTimeWindow: props.flexibleWindow
        ? { mode: 'FLEXIBLE', maximumWindowInMinutes: props.flexibleWindow.toMinutes() }
        : { mode: 'OFF' },
      startDate: props.startDate,
      endDate: props.endDate,
      state: props.enabled === false ? 'DISABLED' : 'ENABLED',
      target,
    });
    // The capacity providers must be associated with the cluster before runs start.
    this.schedule.node.addDependency(env.cluster);
    this.failureRule = this.createFailureRule(env);
    this.failureAlarm = fixedNameAlarm(this, this, {
      id: 'RunFailedAlarm',
      description: runner && reruns(props) > 0 ? 'a run failed and so did its reruns' : 'a run exited non-zero or failed to start',
      metric: runner && reruns(props) > 0 ? this.failedExecutions(runner) : this.failedRuns(),
      threshold: 1,
      periods: 1,
      topic: env.alarmTopic,
    });
    applyEnvironmentSettings(this, env);
    warnAboutTask(this, env, task, props);
  }

  /** EventBridge counts the failure rule's matches: each failed run. */
  private failedRuns(): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'MatchedEvents',
      statistic: 'Sum',
      period: Duration.minutes(1),
      dimensionsMap: { RuleName: this.failureRule.ruleName },
    });
  }

  /** Step Functions counts the runner's failed executions: a run whose reruns all failed. */
  private failedExecutions(runner: sfn.StateMachine): cloudwatch.Metric {
    return runner.metricFailed({ statistic: 'Sum', period: Duration.minutes(1) });
  }

  /**
   * What the schedule starts: the task through RunTask, or, with `preventOverlap` or
   * `rerunsOnFailure`, the state machine that starts it unless a run is still going and runs
   * it again when it fails. Scheduler retries delivery, then sends the run to the dead-letter queue.
   */
  private scheduleTarget(props: ScheduledJobProps, placement: RunTaskPlacement, securityGroup: ec2.ISecurityGroup | undefined):
  { target: scheduler.CfnSchedule.TargetProperty; runner?: sfn.StateMachine } {
    const env = props.environment;
    const role = this.schedulerRole;
    const common = {
      roleArn: role.roleArn,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      retryPolicy: {
        maximumRetryAttempts: props.retryAttempts ?? 2,
        maximumEventAgeInSeconds: (props.maxEventAge ?? Duration.hours(1)).toSeconds(),
      },
    };
    // awsvpc tasks get their subnets and group; bridge, host and none tasks take no network configuration.
    const subnets = env.vpc.selectSubnets(env.taskSubnets).subnetIds;
    const awsvpc = securityGroup && { subnets, securityGroups: [securityGroup.securityGroupId], assignPublicIp: 'DISABLED' };
    if (props.preventOverlap || reruns(props) > 0) {
      // The id of a guard without reruns stays OverlapGuard, so existing state machines are kept.
      const runner = new JobRunner(this, reruns(props) > 0 ? 'Runner' : 'OverlapGuard', {
        cluster: env.cluster,
        taskDefinition: this.taskDefinition,
        logRetention: env.logRetention,
        logEncryptionKey: env.logEncryptionKey,
        runTaskParameters: {
          ...pascalCase(placement),
          NetworkConfiguration: awsvpc && { AwsvpcConfiguration: pascalCase(awsvpc) },
          EnableECSManagedTags: true,
          PropagateTags: 'TASK_DEFINITION',
          EnableExecuteCommand: props.enableExec ?? false,
          PlatformVersion: props.platformVersion,
        },
        preventOverlap: props.preventOverlap ?? false,
        reruns: reruns(props),
      });
      runner.stateMachine.grantStartExecution(role);
      return { target: { ...common, arn: runner.stateMachine.stateMachineArn, input: '{}' }, runner: runner.stateMachine };
    }
    this.allowRunTask(env, role);
    const target = {
      ...common,
      arn: env.cluster.clusterArn,
      ecsParameters: {
        taskDefinitionArn: this.taskDefinition.taskDefinitionArn,
        taskCount: 1,
        ...placement,
        networkConfiguration: awsvpc && { awsvpcConfiguration: awsvpc },
        enableEcsManagedTags: true,
        propagateTags: 'TASK_DEFINITION',
        enableExecuteCommand: props.enableExec,
        platformVersion: props.platformVersion,
      },
    };
    return { target };
  }

  /** The rule that matches a run that exited non-zero or failed to start. */
  private createFailureRule(env: IEnvironment): events.Rule {
    return new events.Rule(this, 'RunFailed', {
      description: `${this.node.path}: a run exited non-zero or failed to start`,
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: {
          clusterArn: [env.cluster.clusterArn],
          taskDefinitionArn: [{ prefix: `${Stack.of(this).formatArn({ service: 'ecs', resource: 'task-definition', resourceName: this.taskDefinition.family })}:` }],
          lastStatus: ['STOPPED'],
          $or: [
            { containers: { name: [this.container.containerName], exitCode: [{ 'anything-but': 0 }] } },
            { stopCode: ['TaskFailedToStart'] },
          ],
        },
      },
    });
  }

  /** Source: EventBridge Scheduler API Reference, RetryPolicy and FlexibleTimeWindow. */
  private checkWindow(props: ScheduledJobProps): void {
    const code = ErrorCode.SCHEDULE;
    checkInteger(this, code, 'retryAttempts', props.retryAttempts);
    checkRange(this, code, 'retryAttempts', props.retryAttempts, 0, 185);
    // Each rerun is a whole run; more than a few hide a job that is broken, not unlucky.
    checkInteger(this, code, 'rerunsOnFailure', props.rerunsOnFailure);
    checkRange(this, code, 'rerunsOnFailure', props.rerunsOnFailure, 0, 10);
    checkRange(this, code, 'maxEventAge', knownSeconds(props.maxEventAge), 60, 86400, ' s');
    if (props.flexibleWindow && !props.flexibleWindow.isUnresolved()) {
      checkRange(this, code, 'flexibleWindow', props.flexibleWindow.toMinutes({ integral: false }), 1, 1440, ' minutes');
    }
    const start = parseDate(this, 'startDate', props.startDate);
    const end = parseDate(this, 'endDate', props.endDate);
    if (start !== undefined && end !== undefined && start >= end) {
      throw new ShipyardError(this, code, `startDate ${props.startDate} is not before endDate ${props.endDate}`, 'give a start date before the end date');
    }
    // Fargate stops containers within 120 s; a timeout must leave the job time to run.
    checkRange(this, code, 'timeout', knownSeconds(props.timeout), 60, 7 * 86400, ' s');
  }

  /**
   * An essential sidecar that sleeps for the timeout, then exits: ECS stops a task when an
   * essential container exits, so the main container gets SIGTERM (and its non-zero exit
   * raises the failure alarm). It exits 0 when stopped first.
   */
  private timer(timeout: Duration, image?: Image): SidecarOptions {
    return {
      name: TIMER_NAME,
      // busybox is published for both architectures (Docker Official Images).
      image: image ?? Image.fromRegistry('public.ecr.aws/docker/library/busybox:1.37', { architectures: [ecs.CpuArchitecture.ARM64, ecs.CpuArchitecture.X86_64] }),
      command: ['sh', '-c', `trap 'exit 0' TERM; sleep ${timeout.toSeconds()} & wait $!`],
      essential: true,
      memoryReservationMiB: 16,
    };
  }


  /** The role Scheduler assumes (only this account's schedules may use it). */
  private createSchedulerRole(): iam.Role {
    return new iam.Role(this, 'SchedulerRole', {
      description: `${this.node.path}: EventBridge Scheduler starts the job`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
    });
  }

  /**
   * Start exactly this task definition in this cluster, tag the task (managed tags) and
   * pass the task's two roles. Source: EventBridge Scheduler User Guide, "Amazon ECS RunTask" target.
   */
  private allowRunTask(env: IEnvironment, role: iam.Role): void {
    grantRunTask(this, role, this.taskDefinition, env.cluster);
    const policy = role.node.tryFindChild('DefaultPolicy');
    const cfnCluster = env.cluster.node.defaultChild;
    if (policy && cfnCluster instanceof ecs.CfnCluster) {
      acknowledge(policy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'Tags may be put on the tasks of this cluster only, and only as RunTask creates them (task ids are not known in advance).',
        appliesTo: [`Resource::${clusterTasksArn(this, env.cluster)}`],
      }]);
    }
  }
}

function reruns(props: ScheduledJobProps): number {
  return props.rerunsOnFailure ?? 0;
}

function parseDate(scope: Construct, what: string, value: string | undefined): number | undefined {
  if (value === undefined || Token.isUnresolved(value)) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new ShipyardError(scope, ErrorCode.SCHEDULE, `${what} ${show(value)} is not an ISO 8601 date and time`, `give ${what} like 2026-12-01T00:00:00Z`);
  }
  return time;
}
