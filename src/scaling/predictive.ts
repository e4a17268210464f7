import { Duration, aws_applicationautoscaling as appscaling, aws_ecs as ecs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkInteger, checkRange, isKnown, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/*
 * Predictive scaling of an ECS service: an `AWS::ApplicationAutoScaling::ScalingPolicy` of
 * PolicyType `PredictiveScaling` with a `PredictiveScalingPolicyConfiguration`. Sources:
 * - Application Auto Scaling API Reference, PredictiveScalingPolicyConfiguration ("Predictive
 *   scaling is supported on Amazon ECS services"): one metric specification; Mode ForecastOnly
 *   (the default) or ForecastAndScale; SchedulingBufferTime 0-3600 s (default 300);
 *   MaxCapacityBreachBehavior HonorMaxCapacity (the default) or IncreaseMaxCapacity;
 *   MaxCapacityBuffer 0-100, required with IncreaseMaxCapacity and refused otherwise.
 * - AWS CloudFormation Template Reference, AWS::ApplicationAutoScaling::ScalingPolicy
 *   PredictiveScalingPolicyConfiguration and PredictiveScalingPredefinedMetricPair (ECS's metric
 *   pairs: ECSServiceCPUUtilization, ECSServiceMemoryUtilization, ALBRequestCount).
 * - Application Auto Scaling User Guide, "Create a predictive scaling policy for Application
 *   Auto Scaling" (an ECS policy on the pair ECSServiceMemoryUtilization, TargetValue 40), and
 *   the Amazon ECS Developer Guide, "Create a predictive scaling policy for Amazon ECS service
 *   auto scaling": a new service needs 24 hours of metrics before the first forecast.
 * aws-cdk-lib 2.257 types the L1 (`CfnScalingPolicy.predictiveScalingPolicyConfiguration`) but
 * not the L2 `ScalableTaskCount`, so the policy is the L1.
 */

/** The metric a predictive scaling policy forecasts and scales on: ECS's predefined pairs. */
export enum PredictiveScalingMetric {
  /** The service's CPU utilisation (the pair ECSServiceCPUUtilization: total CPU as load, average as the scaling metric). */
  CPU = 'ECSServiceCPUUtilization',
  /** The service's memory utilisation (the pair ECSServiceMemoryUtilization). */
  MEMORY = 'ECSServiceMemoryUtilization',
}

/** What a predictive scaling policy does with its forecast. */
export enum PredictiveScalingMode {
  /** Forecast only, to review in the console before letting it act (Application Auto Scaling's default). */
  FORECAST_ONLY = 'ForecastOnly',
  /** Forecast, and set the service's minimum task count ahead of the forecast load. */
  FORECAST_AND_SCALE = 'ForecastAndScale',
}

/**
 * Predictive scaling: Application Auto Scaling forecasts the service's load from its history
 * (at least 24 hours of metrics for the first forecast) and, in `FORECAST_AND_SCALE` mode,
 * raises the task count ahead of the daily and weekly peaks it finds. It adds to target
 * tracking, which still follows the load as it comes.
 */
export interface PredictiveScalingOptions {
  /** The utilisation the forecast capacity is sized for, a percentage in (0, 100]. */
  readonly targetUtilizationPercent: number;
  /**
   * The metric pair the forecast is made from.
   * @default PredictiveScalingMetric.CPU
   */
  readonly metric?: PredictiveScalingMetric;
  /**
   * Whether the policy only forecasts or also scales.
   * @default PredictiveScalingMode.FORECAST_ONLY - review the forecast before letting it scale
   */
  readonly mode?: PredictiveScalingMode;
  /**
   * How long before the forecast time the capacity is raised, so tasks are up when the load
   * comes: whole seconds, 0 to 3600.
   * @default - Application Auto Scaling's default, 300 seconds
   */
  readonly schedulingBuffer?: Duration;
  /**
   * Let a forecast above maxCapacity raise it (IncreaseMaxCapacity), to at most the forecast
   * plus this percentage of it (0-100). The raised maximum stays until you change it.
   * @default - the maximum holds (HonorMaxCapacity)
   */
  readonly maxCapacityBufferPercent?: number;
}

/**
 * Check the options against the scaling bounds: a utilisation in (0, 100], a mode and metric of
 * the enums, a buffer time and capacity buffer in range, and room to scale (a forecast that
 * scales between equal bounds changes nothing).
 */
export function checkPredictiveScaling(scope: IConstruct, options: PredictiveScalingOptions | undefined,
  minCapacity: number, maxCapacity: number): void {
  if (!options) return;
  const code = ErrorCode.SCALING_TARGET;
  const target = options.targetUtilizationPercent;
  if (isKnown(target) && (target <= 0 || target > 100)) {
    throw new ShipyardError(scope, code, `predictive.targetUtilizationPercent is ${show(target)}%, outside (0, 100]`,
      'size the forecast capacity for a utilisation above 0 and at most 100 percent (40-70 is typical)');
  }
  if (options.metric !== undefined && !Object.values(PredictiveScalingMetric).includes(options.metric)) {
    throw new ShipyardError(scope, code, `predictive.metric is ${show(options.metric)}`, 'give PredictiveScalingMetric.CPU or MEMORY');
  }
  const mode = options.mode ?? PredictiveScalingMode.FORECAST_ONLY;
  if (!Object.values(PredictiveScalingMode).includes(mode)) {
    throw new ShipyardError(scope, code, `predictive.mode is ${show(mode)}`, 'give PredictiveScalingMode.FORECAST_ONLY or FORECAST_AND_SCALE');
  }
  const buffer = knownSeconds(options.schedulingBuffer);
  checkInteger(scope, code, 'predictive.schedulingBuffer (seconds)', buffer);
  checkRange(scope, code, 'predictive.schedulingBuffer', buffer, 0, 3600, ' s');
  checkInteger(scope, code, 'predictive.maxCapacityBufferPercent', options.maxCapacityBufferPercent);
  checkRange(scope, code, 'predictive.maxCapacityBufferPercent', options.maxCapacityBufferPercent, 0, 100, '%');
  if (mode === PredictiveScalingMode.FORECAST_AND_SCALE && options.maxCapacityBufferPercent === undefined
    && isKnown(minCapacity) && isKnown(maxCapacity) && minCapacity === maxCapacity) {
    throw new ShipyardError(scope, ErrorCode.SCALING_BOUNDS,
      `predictive scaling forecasts and scales, and minCapacity and maxCapacity are both ${minCapacity}, so it can never change the task count`,
      'give a range (maxCapacity above minCapacity), let the forecast raise the maximum with maxCapacityBufferPercent, or use FORECAST_ONLY');
  }
}

/** The predictive scaling policy on the service's scalable task count, named after the workload. */
export function predictiveScaling(scope: IConstruct, taskCount: ecs.ScalableTaskCount,
  options: PredictiveScalingOptions): appscaling.CfnScalingPolicy {
  const scalableTarget = taskCount.node.findChild('Target') as appscaling.ScalableTarget;
  const increase = options.maxCapacityBufferPercent !== undefined;
  return new appscaling.CfnScalingPolicy(taskCount, 'PredictiveScaling', {
    policyName: `${scope.node.path.replace(/\//g, '-')}-predictive`.slice(-256),
    policyType: 'PredictiveScaling',
    scalingTargetId: scalableTarget.scalableTargetId,
    predictiveScalingPolicyConfiguration: {
      metricSpecifications: [{
        targetValue: options.targetUtilizationPercent,
        predefinedMetricPairSpecification: { predefinedMetricType: options.metric ?? PredictiveScalingMetric.CPU },
      }],
      mode: options.mode ?? PredictiveScalingMode.FORECAST_ONLY,
      schedulingBufferTime: options.schedulingBuffer?.toSeconds(),
      maxCapacityBreachBehavior: increase ? 'IncreaseMaxCapacity' : 'HonorMaxCapacity',
      maxCapacityBuffer: options.maxCapacityBufferPercent,
    },
  });
}
