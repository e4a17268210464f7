// The scaling choices of a workload: Scaling (the target-tracking and step policies, bound by the
// workload), the scaling options and their scheduled windows, and the service scaled with them;
// the checks live in scaling-checks, the policies beyond one aws-cdk-lib call in scaling-policies.

import {
  Duration, TimeZone, aws_applicationautoscaling as appscaling, aws_cloudwatch as cloudwatch, aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { highResolutionScaling, tracksUtilization } from './high-resolution';
import { PredictiveScalingOptions, predictiveScaling } from './predictive';
import { checkMetric, Cooldowns, metricKey, stepScaling, trackAcrossTargetGroups } from './scaling-policies';
import { CHANGED_DEFAULTS, takesNewDefault } from '../guardrails/changed-defaults';
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
   * @default - true for a service of a production environment that tracks CPU or memory (context
   * flag `cdk-shipyard:highResolutionScalingMetrics`, since 0.3.0); false otherwise
   */
  readonly highResolutionMetrics?: boolean;
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
  context: Omit<ScalingBindContext, 'taskCount'> = {}, production = false): ecs.ScalableTaskCount | undefined {
  if (!scaling) return undefined;
  const taskCount = scaleTaskCount(service, scaling.minCapacity, scaling.maxCapacity);
  for (const target of scaling.targets ?? [Scaling.cpu(70)]) target._bind(scope, { ...context, taskCount });
  for (const window of scaling.schedules ?? []) {
    taskCount.scaleOnSchedule(`Schedule-${window.name}`, {
      schedule: window.schedule, minCapacity: window.minCapacity, maxCapacity: window.maxCapacity, timeZone: window.timeZone,
    });
  }
  if (scaling.predictive) predictiveScaling(scope, taskCount, scaling.predictive);
  // In production, where a scale-out up to three times sooner is worth the metrics' price: for
  // the services that track CPU or memory, under the app's flag.
  const highResolution = scaling.highResolutionMetrics
    ?? (production && tracksUtilization(taskCount) && takesNewDefault(scope, CHANGED_DEFAULTS.highResolutionScalingMetrics));
  if (highResolution) highResolutionScaling(scope, service, taskCount);
  return taskCount;
}
