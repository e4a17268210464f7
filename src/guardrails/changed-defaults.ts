import { IConstruct } from 'constructs';
import { ErrorCode, ShipyardError, show } from './errors';
import { WarningId, warn } from './warnings';

/**
 * A default that changed what deployed stacks do. Each has a context flag (set in `cdk.json`,
 * the way aws-cdk-lib's feature flags are): `true` takes the new behaviour, `false` keeps the
 * old one, and with the flag unset the new behaviour applies with a warning on every construct
 * it changes, until the app chooses. The CHANGELOG names every flag (a test checks it).
 */
export interface ChangedDefault {
  /** The context key. */
  readonly flag: string;
  /** The release that changed it. */
  readonly since: string;
  /** What the new behaviour is, in a user's words. */
  readonly change: string;
  /** How to keep the old behaviour for one construct (the flag keeps it for the whole app). */
  readonly keepOld: string;
}

/** Every default changed since 0.1.0, by name. */
export const CHANGED_DEFAULTS = {
  writablePathsInMemory: {
    flag: 'cdk-shipyard:writablePathsInMemory',
    since: '0.2.0',
    change: 'the secure baseline\'s writable paths (/tmp and containerSecurity.writablePaths) are tmpfs mounts, writable by the '
      + 'container\'s non-root user and counted in its memory; they were task storage volumes, created owned by root on Fargate',
    keepOld: 'containerSecurity.writablePathStorage: WritablePathStorage.TASK_STORAGE',
  },
  rollingEarlySuccess: {
    flag: 'cdk-shipyard:rollingEarlySuccess',
    since: '0.2.0',
    change: 'a rolling deployment that starts new tasks beside the old ones is done once every new task is healthy and the alarm '
      + 'bake is over, and the old tasks drain after it (early success criteria at 100% with deferred cleanup); it was done only '
      + 'once the old tasks were gone',
    keepOld: 'deployment: Deployment.rolling({ earlySuccess: EarlySuccess.none() })',
  },
  combinedServiceAlarms: {
    flag: 'cdk-shipyard:combinedServiceAlarms',
    since: '0.3.0',
    change: 'a service\'s alarms are one per evaluation window instead of one per condition: Failing (5xx rate or unhealthy '
      + 'targets, which rolls deployments back) and Degraded (p99 response time, missing tasks, CPU, memory or unexpected stops, '
      + 'over 5 minutes), with the same conditions and thresholds; the alarms named after one condition (Http5xxRate, '
      + 'UnhealthyTargets, ResponseTimeP99, RunningTasksBelowDesired, CpuOrMemoryHigh, UnexpectedStops) are replaced by them',
    keepOld: 'alarms: { onePerCondition: true }',
  },
  availabilityZoneRebalancing: {
    flag: 'cdk-shipyard:availabilityZoneRebalancing',
    since: '0.3.0',
    change: 'a replica service ECS can rebalance across Availability Zones says AvailabilityZoneRebalancing: ENABLED in its '
      + 'template, so ECS moves tasks out of a zone that holds more than its share; the property was left out, and ECS keeps a '
      + 'service\'s existing value on an update (DISABLED for a service created before ECS turned it on by default)',
    keepOld: 'availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.DISABLED',
  },
  highResolutionScalingMetrics: {
    flag: 'cdk-shipyard:highResolutionScalingMetrics',
    since: '0.3.0',
    change: 'a service of a production environment that scales on CPU or memory publishes them every 20 seconds and its targets '
      + 'track those (scaling.highResolutionMetrics), so it scales out up to three times sooner; CloudWatch bills the 20-second '
      + 'metrics, which the 60-second ones are not',
    keepOld: 'scaling: { ..., highResolutionMetrics: false }',
  },
} satisfies Record<string, ChangedDefault>;

/**
 * Whether `scope` gets the new behaviour of `change`: the app's flag if set, else the new
 * behaviour with a warning that says what changed and how to choose.
 */
export function takesNewDefault(scope: IConstruct, change: ChangedDefault): boolean {
  // Context from cdk.json is a boolean; from `cdk synth -c` it is a string.
  const flag: unknown = scope.node.tryGetContext(change.flag);
  if (flag === true || flag === 'true') return true;
  if (flag === false || flag === 'false') return false;
  if (flag !== undefined) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `context ${show(change.flag)} is ${show(flag)}, not true or false`,
      'set it to true (the new behaviour) or false (the old one)');
  }
  warn(scope, WarningId.CHANGED_DEFAULT,
    `since ${change.since}, ${change.change}. Set context "${change.flag}" in cdk.json to true to take it, `
    + `or to false to keep the old behaviour (for one construct: ${change.keepOld})`);
  return true;
}

/** The context that takes every new default: what a new app's cdk.json holds (the importers write it). */
export function newDefaultsContext(): Record<string, boolean> {
  return Object.fromEntries(Object.values(CHANGED_DEFAULTS).map(c => [c.flag, true]));
}
