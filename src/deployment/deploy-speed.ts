import { Duration } from 'aws-cdk-lib';

/**
 * Sets the settings that decide how long a deployment takes, together: the health check,
 * draining, rolling percentages, and whether and how long ECS watches the rollback alarms.
 *
 * End to end, a new image waits for the task definition revision, then for each wave of tasks:
 * the task start (about 45 s for a small image on Fargate, an estimate), the first passing
 * health check (a new target needs one, whatever the healthy threshold: Amazon ECS Developer
 * Guide, "Optimize load balancer health check parameters for Amazon ECS"), and the old task's
 * deregistration delay. With alarm rollback on, ECS then watches the rollback alarms (5xx rate,
 * unhealthy targets) for a bake it derives from their evaluation window, the longest of them
 * (Amazon ECS Developer Guide, "How CloudWatch alarms detect Amazon ECS deployment failures";
 * aws/copilot-cli#4294): the preset sets that window. Load-balancer metrics come in 60 s
 * periods, so a window is whole minutes. bench/deploy-model.ts models it from the template;
 * `npx projen bench` prints it.
 *
 * | Preset | health check | healthy / unhealthy | deregistration | min / max % | alarm rollback (bake) | modeled new image, end to end |
 * |---|---|---|---|---|---|---|
 * | SAFE | every 5 s, 4 s timeout | 2 / 3 | 30 s | 100 / 200 | on: 1 bad minute (60 s) | 143 s with 2 tasks (60 s of it the bake) |
 * | FAST | every 5 s, 4 s timeout | 2 / 2 | 5 s | 50 / 200 | off (circuit breaker only) | 58 s with 1 task |
 * | (ELB defaults) | every 30 s | 5 / 2 | 300 s | - | - | 378 s with 2 tasks (aws-ecs-patterns, no alarms) |
 *
 * SAFE's one-minute window is safe against noise because the 5xx-rate alarm also needs
 * `http5xxMinimumErrors` (3) errors in the minute: one or two stray 5xx at low traffic do not
 * fail a deployment. FAST leaves alarm rollback off: a development deploy is not worth a bake,
 * and the circuit breaker still rolls back tasks that crash or fail their health checks
 * (`rollbackOnAlarm: true` turns it on, with a 1-minute window).
 */
export enum DeploySpeed {
  /** Production: never below the desired count, connections drain for 30 s, alarm rollback with a 60 s bake. */
  SAFE = 'SAFE',
  /** Development: half the tasks may be replaced at once, connections drain for 5 s. */
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
    };
}
