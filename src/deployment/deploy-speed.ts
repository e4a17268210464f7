import { Duration } from 'aws-cdk-lib';

/**
 * Sets the settings that decide how long one rolling step takes, together.
 *
 * Modeled load-balancer time of one rolling step (a new task becomes healthy, an old one
 * drains): healthy threshold x check interval + deregistration delay. End to end, a new image
 * also waits for the task to start (about 45 s for a small image on Fargate, an estimate) and,
 * with alarm rollback on (the default), for ECS's deployment-alarm bake, which ECS derives from
 * the rollback alarms (modeled as their 3 x 60 s evaluation window). bench/deploy-model.ts
 * models it from the template; `npx projen bench` prints it.
 *
 * | Preset | health check | healthy / unhealthy | deregistration | min / max % | modeled step | modeled new image, end to end |
 * |---|---|---|---|---|---|---|
 * | SAFE | every 10 s, 5 s timeout | 2 / 3 | 30 s | 100 / 200 | 2 x 10 + 30 = 50 s | 278 s with 2 tasks (180 s of it the bake) |
 * | FAST | every 5 s, 4 s timeout | 2 / 2 | 5 s | 50 / 200 | 2 x 5 + 5 = 15 s | 243 s with 1 task (180 s of it the bake) |
 * | (ELB defaults) | every 30 s | 5 / 2 | 300 s | - | 5 x 30 + 300 = 450 s | 498 s with 2 tasks (aws-ecs-patterns, no alarms) |
 */
export enum DeploySpeed {
  /** Production: never below the desired count, connections drain for 30 s. */
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
    }
    : {
      interval: Duration.seconds(10),
      timeout: Duration.seconds(5),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
      deregistrationDelay: Duration.seconds(30),
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    };
}

/** Modeled seconds of one rolling step's load-balancer time: healthy threshold x interval + deregistration delay. */
export function modeledStepSeconds(settings: DeploySpeedSettings): number {
  return settings.healthyThresholdCount * settings.interval.toSeconds() + settings.deregistrationDelay.toSeconds();
}
