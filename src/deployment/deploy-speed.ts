import { Duration } from 'aws-cdk-lib';

/**
 * Sets the settings that decide how long a deployment takes, together: the health check,
 * draining, rolling percentages, when a rolling deployment counts as done, and whether and how
 * long ECS watches the rollback alarms.
 *
 * End to end, a new image waits for the task definition revision, then for each wave of tasks:
 * the task start (about 45 s for a small image on Fargate, an estimate) and the first passing
 * health check (a new target needs one, whatever the healthy threshold: Amazon ECS Developer
 * Guide, "Optimize load balancer health check parameters for Amazon ECS"). With alarm rollback
 * on, ECS then watches the rollback alarms (5xx rate, unhealthy targets) for a bake it derives
 * from their evaluation window, the longest of them (Amazon ECS Developer Guide, "How CloudWatch
 * alarms detect Amazon ECS deployment failures"; aws/copilot-cli#4294): the preset sets that
 * window. Load-balancer metrics come in 60 s periods, so a window is whole minutes. The old
 * tasks' deregistration delay comes after: both presets give rolling deployments early success
 * criteria at 100% with deferred cleanup (`EarlySuccess.deferredCleanup()`), so ECS calls the
 * deployment done once every new task is healthy and the bake is over, and then removes the old
 * tasks in the background (Amazon ECS Developer Guide, "Complete Amazon ECS rolling deployments
 * early with early success criteria"). src/cli/report/deploy-model.ts models it from the template;
 * `npx projen bench` prints it.
 *
 * | Preset | health check | healthy / unhealthy | deregistration (after the deployment) | min / max % | alarm rollback (bake) | modeled new image, end to end |
 * |---|---|---|---|---|---|---|
 * | SAFE | every 5 s, 4 s timeout | 2 / 3 | 30 s | 100 / 200 | on: 1 bad minute (60 s) | 113 s with 2 tasks (60 s of it the bake) |
 * | FAST | every 5 s, 4 s timeout | 2 / 2 | 5 s | 50 / 200 | off (circuit breaker only) | 53 s with 1 task |
 * | (ELB defaults) | every 30 s | 5 / 2 | 300 s (during) | - | - | 378 s with 2 tasks (aws-ecs-patterns, no alarms) |
 *
 * Deferred cleanup never serves less than asked, because the criteria ask for 100%: ECS calls
 * the deployment done only once the whole desired count runs the new revision, healthy, so the
 * old tasks it then removes are capacity beyond the desired count, and no new task is left to
 * start outside the deployment (where the circuit breaker and the rollback alarms no longer
 * watch). ECS removes a task behind a load balancer by draining it for the deregistration delay
 * (Amazon ECS Developer Guide, "Optimize load balancer connection draining parameters for
 * Amazon ECS"); the early-success guide does not say deferred cleanup skips that, and the
 * library relies on it. At `maxHealthyPercent: 100` the old tasks stop before new ones start,
 * so the presets leave the criteria out there.
 *
 * SAFE's one-minute window is safe against noise because the 5xx-rate alarm also needs
 * `http5xxMinimumErrors` (3) errors in the minute: one or two stray 5xx at low traffic do not
 * fail a deployment. FAST leaves alarm rollback off: a development deploy is not worth a bake,
 * and the circuit breaker still rolls back tasks that crash or fail their health checks
 * (`rollbackOnAlarm: true` turns it on, with a 1-minute window).
 */
export enum DeploySpeed {
  /** Production: never below the desired count, alarm rollback with a 60 s bake, done when every new task is healthy; old tasks drain 30 s after. */
  SAFE = 'SAFE',
  /** Development: half the tasks may be replaced at once, done when every new task is healthy; old tasks drain 5 s after. */
  FAST = 'FAST',
}

/** The values a preset stands for. */
export interface DeploySpeedSettings {
  readonly interval: Duration;
  readonly timeout: Duration;
  readonly healthyThresholdCount: number;
  readonly unhealthyThresholdCount: number;
  readonly deregistrationDelay: Duration;
  readonly minHealthyPercent: number;
  readonly maxHealthyPercent: number;
  /** Whether a rolling deployment rolls back on the service's alarms unless told. */
  readonly rollbackOnAlarm: boolean;
  /** Consecutive 60 s datapoints the rollback alarms need: ECS's bake follows them. */
  readonly rollbackAlarmMinutes: number;
  /**
   * Whether a rolling deployment is done once every task of the new revision is healthy (and
   * the bake is over), the old tasks draining after it: early success at 100% with deferred
   * cleanup (`EarlySuccess.deferredCleanup()`).
   */
  readonly deferredCleanup: boolean;
}

export function deploySpeedSettings(speed: DeploySpeed): DeploySpeedSettings {
  return speed === DeploySpeed.FAST
    ? {
      interval: Duration.seconds(5),
      timeout: Duration.seconds(4),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      deregistrationDelay: Duration.seconds(5),
      minHealthyPercent: 50,
      maxHealthyPercent: 200,
      rollbackOnAlarm: false,
      rollbackAlarmMinutes: 1,
      deferredCleanup: true,
    }
    : {
      interval: Duration.seconds(5),
      timeout: Duration.seconds(4),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
      deregistrationDelay: Duration.seconds(30),
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      rollbackOnAlarm: true,
      rollbackAlarmMinutes: 1,
      deferredCleanup: true,
    };
}
