// The scaling policies that take more than one aws-cdk-lib call: target tracking over both
// target groups of a blue/green service (the L1 policy with metric math), and step scaling with
// its checks; the checks and construct-id keys of custom metrics.

import {
  Duration, aws_applicationautoscaling as appscaling, aws_cloudwatch as cloudwatch, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { ScalingBindContext, StepScalingOptions } from './scaling';
import { checkInteger, checkRange, isKnown } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/** The cooldowns of a target-tracking policy, defaults applied. */
export interface Cooldowns {
  readonly scaleOutCooldown: Duration;
  readonly scaleInCooldown: Duration;
}

/** A target-group metric to track, and how to combine it over both target groups of a blue/green service. */
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
export function trackAcrossTargetGroups(scope: IConstruct, context: ScalingBindContext, id: string, tracked: TargetGroupMetric, target: number,
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
export function metricKey(metric: cloudwatch.IMetric): string {
  const config = metric.toMetricConfig();
  const stat = config.metricStat;
  if (!stat) return 'Expression';
  return `${stat.namespace}${stat.metricName}`.replace(/[^A-Za-z0-9]/g, '');
}

/** Scaling policies take a single metric: Application Auto Scaling's step alarms and aws-cdk-lib's tracking render no math. */
export function checkMetric(scope: IConstruct, metric: cloudwatch.IMetric): void {
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
export function stepScaling(scope: IConstruct, taskCount: ecs.ScalableTaskCount, id: string, metric: cloudwatch.IMetric,
  options: StepScalingOptions): void {
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
