// The checks of a workload's scaling options: the bounds, the scheduled windows, one target
// per metric, and a way back from zero tasks.

import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkPredictiveScaling } from './predictive';
import { Scaling, ScalingOptions, ScheduledScaling } from './scaling';
import { checkInteger, checkRange, isKnown } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

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
