import {
  Duration, TimeZone, Token, aws_applicationautoscaling as appscaling, aws_cloudwatch as cloudwatch, aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { highResolutionScaling } from './high-resolution';
import { checkPredictiveScaling, PredictiveScalingOptions, predictiveScaling } from './predictive';
import { checkInteger, checkRange, isKnown } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/** Cooldowns shared by every target-tracking policy. */
export interface ScalingTargetOptions {
  /**
   * Wait after a scale-out before another scale-out.
   * @default Duration.seconds(60) - react to load quickly
   */
  readonly scaleOutCooldown?: Duration;
  /**
   * Wait after a scale-in before another scale-in.
   * @default Duration.seconds(300) - shrink slowly
   */
  readonly scaleInCooldown?: Duration;
}

/** Step scaling: change the task count by steps as a metric crosses thresholds. */
export interface StepScalingOptions {
  /**
   * The steps, by the metric's value: `{ upper: 10, change: -1 }` removes a task below 10,
   * `{ lower: 50, change: +2 }` adds two above 50 (at least two steps; a gap between them is
   * where nothing changes).
   */
  readonly steps: appscaling.ScalingInterval[];
  /**
   * How `change` is read: tasks to add or remove, a percentage of the current count, or the
   * exact count.
   * @default appscaling.AdjustmentType.CHANGE_IN_CAPACITY
   */
  readonly adjustmentType?: appscaling.AdjustmentType;
  /**
   * Wait after a step before the next one.
   * @default Duration.seconds(60)
   */
  readonly cooldown?: Duration;
  /**
   * Periods of the metric the step alarms evaluate.
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /**
   * Periods out of `evaluationPeriods` that must cross the threshold.
   * @default - all of evaluationPeriods
   */
  readonly datapointsToAlarm?: number;
}

/** What a scaling target needs from the workload it scales. */
export interface ScalingBindContext {
  /** The service's scalable task count. */
  readonly taskCount: ecs.ScalableTaskCount;
  /**
   * The service's load balancer target group, for request-based scaling.
   * @default - the workload has no target group
   */
  readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /**
   * The second target group of a blue/green service: request scaling then sums both,
   * because ECS swaps which one carries production traffic at every deployment.
   * @default - one target group
   */
  readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /**
   * The load balancer's full name, needed with `alternateTargetGroup`.
   * @default - none
   */
  readonly loadBalancerFullName?: string;
}

/**
 * A target-tracking scaling policy: keep one metric near a target value.
 */
export class Scaling {
  /** Keep average CPU utilisation near `targetPercent` (0-100]. */
  public static cpu(targetPercent: number, options: ScalingTargetOptions = {}): Scaling {
    return new Scaling('Cpu', targetPercent, options);
  }

  /** Keep average memory utilisation near `targetPercent` (0-100]. */
  public static memory(targetPercent: number, options: ScalingTargetOptions = {}): Scaling {
    return new Scaling('Memory', targetPercent, options);
  }

  /** Keep load balancer requests per task near `requestsPerTarget` (per minute). */
  public static requestsPerTarget(requestsPerTarget: number, options: ScalingTargetOptions = {}): Scaling {
    return new Scaling('Requests', requestsPerTarget, options);
  }

  /**
   * Keep the load balancer's average response time (TargetResponseTime) near `target`, as
   * Copilot's `count.response_time` does. Response time does not always fall as tasks are
   * added (a slow database stays slow); pair it with CPU or requests.
   */
  public static responseTime(target: Duration, options: ScalingTargetOptions = {}): Scaling {
    return new Scaling('ResponseTime', target.toSeconds({ integral: false }), options);
  }

  /**
   * Keep any metric near `targetValue` (target tracking on a custom metric): one that grows
   * with load and falls as tasks are added, averaged per task where it can be (connections per
   * task, jobs in flight per task). A single metric, not a math expression.
   */
  public static customMetric(metric: cloudwatch.IMetric, targetValue: number, options: ScalingTargetOptions = {}): Scaling {
    return new Scaling(`Metric${metricKey(metric)}`, targetValue, options, metric);
  }

  /**
   * Step scaling on any metric: two CloudWatch alarms (above and below the steps) change the
   * task count by the step the metric falls in; for bursts target tracking is too slow for,
   * or metrics that do not fall as tasks are added (a queue's age, an external backlog).
   */
  public static steps(metric: cloudwatch.IMetric, options: StepScalingOptions): Scaling {
    return new Scaling(`Steps${metricKey(metric)}`, 0, {}, metric, options);
  }

  private constructor(
    /** The metric tracked: Cpu, Memory, Requests, ResponseTime, or a custom one; also the policy's construct id. */
    public readonly metric: string,
    private readonly target: number,
    private readonly options: ScalingTargetOptions,
    private readonly customMetric?: cloudwatch.IMetric,
    private readonly stepOptions?: StepScalingOptions,
  ) {}

  /**
   * Create the policy on the workload.
   * @internal
   */
  public _bind(scope: IConstruct, context: ScalingBindContext): void {
    const cooldowns = {
      scaleOutCooldown: this.options.scaleOutCooldown ?? Duration.seconds(60),
      scaleInCooldown: this.options.scaleInCooldown ?? Duration.seconds(300),
    };
    if (this.stepOptions) {
      stepScaling(scope, context.taskCount, this.metric, this.customMetric!, this.stepOptions);
    } else if (this.customMetric) {
      this.trackCustomMetric(scope, context, this.customMetric, cooldowns);
    } else if (this.metric === 'ResponseTime') {
      this.trackResponseTime(scope, context, cooldowns);
    } else if (this.metric === 'Requests') {
      this.trackRequests(scope, context, cooldowns);
    } else {
      this.trackUtilization(scope, context, cooldowns);
    }
  }

  /** Target tracking on the custom metric (checked to be a single metric), towards a positive value. */
  private trackCustomMetric(scope: IConstruct, context: ScalingBindContext, customMetric: cloudwatch.IMetric, cooldowns: Cooldowns): void {
    checkMetric(scope, customMetric);
    if (isKnown(this.target) && this.target <= 0) {
      throw new ShipyardError(scope, ErrorCode.SCALING_TARGET, `the custom metric's target value is ${show(this.target)}`,
        'track a positive value of the metric');
    }
    context.taskCount.scaleToTrackCustomMetric(this.metric, { metric: customMetric, targetValue: this.target, ...cooldowns });
  }

  /**
   * Target tracking on the target groups' average response time (the slower group of a
   * blue/green pair); needs an application load balancer target group.
   */
  private trackResponseTime(scope: IConstruct, context: ScalingBindContext, cooldowns: Cooldowns): void {
    checkRange(scope, ErrorCode.SCALING_TARGET, 'Scaling.responseTime target', this.target, 0.001, 300, ' s');
    if (!context.targetGroup || !context.loadBalancerFullName) {
      throw new ShipyardError(scope, ErrorCode.SCALING_TARGET, 'response-time scaling needs an application load balancer target group',
        'scale on Scaling.cpu(...), Scaling.memory(...) or a metric of the service (Scaling.customMetric(...)) instead');
    }
    trackAcrossTargetGroups(scope, context, 'ResponseTime', {
      metricName: 'TargetResponseTime', stat: 'Average', combine: 'MAX', label: 'average response time (s)',
    }, this.target, cooldowns);
  }

  /**
   * Target tracking on requests per target: a positive whole number, on the load balancer's
   * target group, summed over both groups of a blue/green pair on an application load balancer.
   */
  private trackRequests(scope: IConstruct, context: ScalingBindContext, cooldowns: Cooldowns): void {
    checkInteger(scope, ErrorCode.SCALING_TARGET, 'requestsPerTarget', this.target);
    if (isKnown(this.target) && this.target <= 0) {
      throw new ShipyardError(scope, ErrorCode.SCALING_TARGET, `requestsPerTarget is ${show(this.target)}`,
        'track a positive number of requests per task');
    }
    if (!context.targetGroup) {
      throw new ShipyardError(scope, ErrorCode.SCALING_TARGET, 'request-based scaling needs a load balancer target group',
        'scale on Scaling.cpu(...) or Scaling.memory(...) instead');
    }
    if (context.alternateTargetGroup && context.loadBalancerFullName) {
      trackAcrossTargetGroups(scope, context, 'Requests', {
        metricName: 'RequestCountPerTarget', stat: 'Sum', combine: 'SUM', label: 'requests per target',
      }, this.target, cooldowns);
      return;
    }
    context.taskCount.scaleOnRequestCount('RequestsScaling', {
      requestsPerTarget: this.target, targetGroup: context.targetGroup, ...cooldowns,
    });
  }

  /** Target tracking on CPU or memory utilisation, a percentage in (0, 100]. */
  private trackUtilization(scope: IConstruct, context: ScalingBindContext, cooldowns: Cooldowns): void {
    if (isKnown(this.target) && (this.target <= 0 || this.target > 100)) {
      throw new ShipyardError(scope, ErrorCode.SCALING_TARGET,
        `${this.metric.toLowerCase()} target utilisation is ${show(this.target)}%, outside (0, 100]`,
        'track a utilisation above 0 and at most 100 percent (60-75 is typical)');
    }
    if (this.metric === 'Cpu') {
      context.taskCount.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: this.target, ...cooldowns });
    } else {
      context.taskCount.scaleOnMemoryUtilization('MemoryScaling', { targetUtilizationPercent: this.target, ...cooldowns });
    }
  }
}

/** Bounds the task count takes from a time on: business hours, a nightly batch, a sale. */
export interface ScheduledScaling {
  /** A name for the window, unique among the workload's (letters, digits, hyphens). */
  readonly name: string;
  /** When the bounds apply: `appscaling.Schedule.cron({ hour: '8', minute: '0', weekDay: 'MON-FRI' })`, a rate, or a time. */
  readonly schedule: appscaling.Schedule;
  /**
   * The fewest tasks from then on.
   * @default - unchanged
   */
  readonly minCapacity?: number;
  /**
   * The most tasks from then on.
   * @default - unchanged
   */
  readonly maxCapacity?: number;
  /**
   * The time zone the schedule is read in.
   * @default - UTC
   */
  readonly timeZone?: TimeZone;
}

/** Target-tracking auto scaling of a workload's task count. */
export interface ScalingOptions {
  /** Fewest tasks. */
  readonly minCapacity: number;
  /** Most tasks. */
  readonly maxCapacity: number;
  /**
   * The metrics to track; the service scales out when any is above target and in when all are below.
   * @default [Scaling.cpu(70)]
   */
  readonly targets?: Scaling[];
  /**
   * Windows that move the bounds on a schedule (Application Auto Scaling scheduled actions):
   * target tracking keeps working between the bounds each window sets.
   * @default - the bounds above at all times
   */
  readonly schedules?: ScheduledScaling[];
  /**
   * Predictive scaling beside the targets: Application Auto Scaling forecasts the service's
   * CPU or memory load from its history and (in FORECAST_AND_SCALE mode) starts tasks ahead of
   * the peaks it finds, within minCapacity and maxCapacity. Source: Application Auto Scaling
   * API Reference, PredictiveScalingPolicyConfiguration ("supported on Amazon ECS services").
   * @default - no predictive scaling
   */
  readonly predictive?: PredictiveScalingOptions;
  /**
   * Publish the service's CPU and memory utilisation every 20 seconds instead of every 60, and
   * let the CPU and memory targets track those: target tracking sees a load change up to three
   * times sooner (Amazon ECS Developer Guide, "Faster auto scaling with high-resolution
   * metrics"; AWS's announcement of June 2026 reports a scale-out triggered in 86 s instead of
   * 363 s). Unlike the 60-second metrics they are not free; this library has no sourced price
   * for them. Only the tracked metrics are published at 20 seconds; without a CPU or memory
   * target it fails (`SCALING_TARGET`).
   * @default false
   */
  readonly highResolutionMetrics?: boolean;
}

/** Validate scaling bounds against `scope`. */
export function checkScalingBounds(scope: IConstruct, options: ScalingOptions): void {
  checkInteger(scope, ErrorCode.SCALING_BOUNDS, 'minCapacity', options.minCapacity);
  checkInteger(scope, ErrorCode.SCALING_BOUNDS, 'maxCapacity', options.maxCapacity);
  checkRange(scope, ErrorCode.SCALING_BOUNDS, 'minCapacity', options.minCapacity, 0, 5000);
  checkRange(scope, ErrorCode.SCALING_BOUNDS, 'maxCapacity', options.maxCapacity, 1, 5000);
  if (isKnown(options.minCapacity) && isKnown(options.maxCapacity) && options.minCapacity > options.maxCapacity) {
    throw new ShipyardError(scope, ErrorCode.SCALING_BOUNDS,
      `minCapacity ${options.minCapacity} is above maxCapacity ${options.maxCapacity}`,
      'set minCapacity at or below maxCapacity');
  }
  checkSchedules(scope, options.schedules ?? []);
  checkPredictiveScaling(scope, options.predictive, options.minCapacity, options.maxCapacity);
  const metrics = (options.targets ?? []).map(t => t.metric);
  const twice = metrics.find((m, i) => metrics.indexOf(m) !== i);
  if (twice) {
    throw new ShipyardError(scope, ErrorCode.SCALING_TARGET, `two scaling targets track ${twice}`,
      'keep one target per metric');
  }
}

/** Metrics ECS and the load balancer publish only while tasks run: at zero tasks they have no data. */
const TASK_METRICS = ['Cpu', 'Memory', 'Requests', 'ResponseTime'];

/**
 * A service that may scale to zero tasks must have a way back: a target on a metric that has
 * data at zero (steps or a custom metric, a queue), or a schedule that raises minCapacity.
 * Tracking CPU, memory, requests or response time alone, it stays at zero: with no tasks those
 * metrics have no data, and target tracking does not scale out on missing data (Application
 * Auto Scaling User Guide, "Target tracking scaling policies": insufficient data).
 */
export function checkWakesFromZero(scope: IConstruct, options: ScalingOptions): void {
  if (options.minCapacity !== 0) return;
  const targets = options.targets ?? [Scaling.cpu(70)];
  if (!targets.every(t => TASK_METRICS.includes(t.metric))) return;
  if ((options.schedules ?? []).some(w => (w.minCapacity ?? 0) > 0)) return;
  throw new ShipyardError(scope, ErrorCode.SCALING_BOUNDS,
    `minCapacity 0 with ${targets.map(t => t.metric).join(', ')} tracking: at zero tasks these metrics have no data, so the service never scales out again`,
    'keep minCapacity at 1 or more, add a Scaling.steps or Scaling.customMetric target on a metric that has data at zero, or a schedule that raises minCapacity');
}

/**
 * Each window names itself uniquely and sets a bound, within 0-5000 and min at or below max.
 * Source: Application Auto Scaling API Reference, PutScheduledAction (ScalableTargetAction).
 */
function checkSchedules(scope: IConstruct, schedules: ScheduledScaling[]): void {
  const names = new Set<string>();
  for (const window of schedules) {
    const what = `scaling.schedules[${show(window.name)}]`;
    if (!/^[A-Za-z0-9-]{1,64}$/.test(window.name) || names.has(window.name)) {
      throw new ShipyardError(scope, ErrorCode.SCALING_BOUNDS, `${what} ${names.has(window.name) ? 'is named twice' : 'is not a valid name'}`,
        'name each window uniquely with up to 64 letters, digits and hyphens');
    }
    names.add(window.name);
    if (window.minCapacity === undefined && window.maxCapacity === undefined) {
      throw new ShipyardError(scope, ErrorCode.SCALING_BOUNDS, `${what} sets neither minCapacity nor maxCapacity`,
        'give the window the bounds it moves to');
    }
    checkInteger(scope, ErrorCode.SCALING_BOUNDS, `${what}.minCapacity`, window.minCapacity);
    checkInteger(scope, ErrorCode.SCALING_BOUNDS, `${what}.maxCapacity`, window.maxCapacity);
    checkRange(scope, ErrorCode.SCALING_BOUNDS, `${what}.minCapacity`, window.minCapacity, 0, 5000);
    checkRange(scope, ErrorCode.SCALING_BOUNDS, `${what}.maxCapacity`, window.maxCapacity, 0, 5000);
    if (isKnown(window.minCapacity) && isKnown(window.maxCapacity) && window.minCapacity! > window.maxCapacity!) {
      throw new ShipyardError(scope, ErrorCode.SCALING_BOUNDS, `${what}.minCapacity ${window.minCapacity} is above its maxCapacity ${window.maxCapacity}`,
        'set the window\'s minCapacity at or below its maxCapacity');
    }
    // Application Auto Scaling's cron has six fields: minutes hours day-of-month month day-of-week
    // year (Application Auto Scaling User Guide, "Scheduled scaling", cron expressions).
    const expression = window.schedule.expressionString;
    const cron = /^cron\((.*)\)$/.exec(expression);
    if (cron && !Token.isUnresolved(expression) && cron[1].trim().split(/\s+/).length !== 6) {
      throw new ShipyardError(scope, ErrorCode.SCALING_BOUNDS, `${what}.schedule ${show(expression)} has ${cron[1].trim().split(/\s+/).length} fields; Application Auto Scaling takes 6`,
        'write minutes hours day-of-month month day-of-week year, with ? in one of the day fields: cron(0 8 ? * MON-FRI *), or appscaling.Schedule.cron({ hour: \'8\', minute: \'0\', weekDay: \'MON-FRI\' })');
    }
  }
}

/**
 * Scale the service between `minCapacity` and `maxCapacity`, and leave DesiredCount out of its
 * template. CloudFormation sends a service's DesiredCount with every update of it, so a
 * template that holds one resets a scaled-out service to that number on the next deploy (the
 * reason for aws-cdk-lib's `@aws-cdk/aws-ecs:removeDefaultDesiredCount` flag, which only
 * covers an unset count). Without one, CloudFormation creates the service with one task
 * ("For new services, if a desired count is not specified, a default value of 1 is used":
 * AWS::ECS::Service DesiredCount) and registering the scalable target moves it within the
 * bounds at once; updates leave the count to Application Auto Scaling.
 */
export function scaleTaskCount(service: ecs.BaseService, minCapacity: number, maxCapacity: number): ecs.ScalableTaskCount {
  const taskCount = service.autoScaleTaskCount({ minCapacity, maxCapacity });
  (service.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
  return taskCount;
}


/**
 * Scale `service` with `scaling` (target tracking, `Scaling.cpu(70)` unless targets are
 * given, scheduled windows, predictive scaling); nothing without scaling.
 */
export function scaleService(scope: IConstruct, service: ecs.BaseService, scaling: ScalingOptions | undefined,
  context: Omit<ScalingBindContext, 'taskCount'> = {}): ecs.ScalableTaskCount | undefined {
  if (!scaling) return undefined;
  const taskCount = scaleTaskCount(service, scaling.minCapacity, scaling.maxCapacity);
  for (const target of scaling.targets ?? [Scaling.cpu(70)]) target._bind(scope, { ...context, taskCount });
  for (const window of scaling.schedules ?? []) {
    taskCount.scaleOnSchedule(`Schedule-${window.name}`, {
      schedule: window.schedule, minCapacity: window.minCapacity, maxCapacity: window.maxCapacity, timeZone: window.timeZone,
    });
  }
  if (scaling.predictive) predictiveScaling(scope, taskCount, scaling.predictive);
  if (scaling.highResolutionMetrics) highResolutionScaling(scope, service, taskCount);
  return taskCount;
}

/** A target-group metric to track, and how to combine it over both target groups of a blue/green service. */
/** The cooldowns of a target-tracking policy, defaults applied. */
interface Cooldowns {
  readonly scaleOutCooldown: Duration;
  readonly scaleInCooldown: Duration;
}

interface TargetGroupMetric {
  readonly metricName: string;
  readonly stat: string;
  /** SUM adds the groups (requests); MAX takes the one carrying traffic (response time). */
  readonly combine: 'SUM' | 'MAX';
  readonly label: string;
}

/**
 * Target tracking on a target-group metric, over both target groups of a blue/green service
 * (ECS swaps which one carries production traffic at every deployment). aws-cdk-lib's
 * target-tracking policy renders no metric math, so this is the L1 policy (Application Auto
 * Scaling target tracking supports metric math in a customized metric specification).
 */
function trackAcrossTargetGroups(scope: IConstruct, context: ScalingBindContext, id: string, tracked: TargetGroupMetric, target: number,
  cooldowns: Cooldowns): void {
  const scalableTarget = context.taskCount.node.findChild('Target') as appscaling.ScalableTarget;
  const metric = (metricId: string, tg: elbv2.ApplicationTargetGroup) => ({
    id: metricId,
    returnData: false,
    metricStat: {
      stat: tracked.stat,
      metric: {
        namespace: 'AWS/ApplicationELB',
        metricName: tracked.metricName,
        dimensions: [
          { name: 'TargetGroup', value: tg.targetGroupFullName },
          { name: 'LoadBalancer', value: context.loadBalancerFullName! },
        ],
      },
    },
  });
  const groups = [metric('blue', context.targetGroup!), ...context.alternateTargetGroup ? [metric('green', context.alternateTargetGroup)] : []];
  const filled = groups.map(g => `FILL(${g.id}, 0)`);
  const expression = filled.length === 1 ? filled[0] : tracked.combine === 'SUM' ? filled.join(' + ') : `MAX([${filled.join(', ')}])`;
  new appscaling.CfnScalingPolicy(context.taskCount, `${id}Scaling`, {
    policyName: `${scope.node.path.replace(/\//g, '-')}-${id.toLowerCase()}`.slice(-256),
    policyType: 'TargetTrackingScaling',
    scalingTargetId: scalableTarget.scalableTargetId,
    targetTrackingScalingPolicyConfiguration: {
      targetValue: target,
      scaleOutCooldown: cooldowns.scaleOutCooldown.toSeconds(),
      scaleInCooldown: cooldowns.scaleInCooldown.toSeconds(),
      customizedMetricSpecification: {
        metrics: [...groups, { id: id.charAt(0).toLowerCase() + id.slice(1), expression, label: tracked.label, returnData: true }],
      },
    },
  });
}

/** A construct-id-safe key of a metric: its namespace and name (math expressions have neither). */
function metricKey(metric: cloudwatch.IMetric): string {
  const config = metric.toMetricConfig();
  const stat = config.metricStat;
  if (!stat) return 'Expression';
  return `${stat.namespace}${stat.metricName}`.replace(/[^A-Za-z0-9]/g, '');
}

/** Scaling policies take a single metric: Application Auto Scaling's step alarms and aws-cdk-lib's tracking render no math. */
function checkMetric(scope: IConstruct, metric: cloudwatch.IMetric): void {
  if (!metric.toMetricConfig().metricStat) {
    throw new ShipyardError(scope, ErrorCode.SCALING_TARGET, 'a scaling metric is a math expression',
      'scale on a single metric (cloudwatch.Metric); publish the combined value as a metric of its own if needed');
  }
}

/**
 * Step scaling through aws-cdk-lib's scaleOnMetric (an alarm above the steps and one below).
 * Limits: at least two steps (aws-cdk-lib), a change in the count that is a whole number,
 * percentages above -100, evaluation periods of 1 or more and datapoints within them
 * (CloudWatch PutMetricAlarm).
 */
function stepScaling(scope: IConstruct, taskCount: ecs.ScalableTaskCount, id: string, metric: cloudwatch.IMetric, options: StepScalingOptions): void {
  checkMetric(scope, metric);
  const code = ErrorCode.SCALING_TARGET;
  if (options.steps.length < 2) {
    throw new ShipyardError(scope, code, `step scaling has ${options.steps.length} step${options.steps.length === 1 ? '' : 's'}`,
      'give at least two steps: one that removes tasks below a value, one that adds tasks above another');
  }
  const adjustment = options.adjustmentType ?? appscaling.AdjustmentType.CHANGE_IN_CAPACITY;
  for (const step of options.steps) {
    if (step.lower === undefined && step.upper === undefined) {
      throw new ShipyardError(scope, code, `a scaling step (change ${show(step.change)}) has neither lower nor upper`, 'bound each step on at least one side');
    }
    if (isKnown(step.lower) && isKnown(step.upper) && step.lower! >= step.upper!) {
      throw new ShipyardError(scope, code, `a scaling step's lower bound ${step.lower} is not below its upper bound ${step.upper}`, 'give each step lower < upper');
    }
    checkInteger(scope, code, 'scaling step change', step.change);
    // An exact capacity is a task count (Application Auto Scaling API Reference, StepAdjustment).
    if (adjustment === appscaling.AdjustmentType.EXACT_CAPACITY && isKnown(step.change) && step.change < 0) {
      throw new ShipyardError(scope, code, `a scaling step sets the exact capacity ${step.change}`, 'give the task count the step sets: 0 or more');
    }
  }
  checkInteger(scope, code, 'evaluationPeriods', options.evaluationPeriods);
  checkRange(scope, code, 'evaluationPeriods', options.evaluationPeriods, 1, 100);
  checkInteger(scope, code, 'datapointsToAlarm', options.datapointsToAlarm);
  checkRange(scope, code, 'datapointsToAlarm', options.datapointsToAlarm, 1, options.evaluationPeriods ?? 1);
  try {
    taskCount.scaleOnMetric(id, {
      metric,
      scalingSteps: options.steps,
      adjustmentType: adjustment,
      cooldown: options.cooldown ?? Duration.seconds(60),
      evaluationPeriods: options.evaluationPeriods,
      datapointsToAlarm: options.datapointsToAlarm,
    });
  } catch (e) {
    // aws-cdk-lib checks the steps together (overlaps, no step on one side of the gap): its
    // message, in the library's format, on the workload.
    if (e instanceof ShipyardError) throw e;
    throw new ShipyardError(scope, code, `the scaling steps ${show(options.steps.map(s => `${s.lower ?? '-inf'}..${s.upper ?? '+inf'}: ${s.change}`).join(', '))} `
      + `do not fit together (${(e as Error).message.split('\n')[0]})`, 'give steps that do not overlap, one removing tasks below a value and one adding tasks above it');
  }
}
