import { Duration, RemovalPolicy, Tags, Token, aws_ecs as ecs, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DeploySpeed, deploySpeedSettings, DeploySpeedSettings } from '../deployment/deploy-speed';
import { IEnvironment } from '../environment/environment';
import { EnvironmentProfile, profileDefaults } from '../environment/profile';
import { applyRoleSettings } from '../environment/roles';
import { checkInteger, checkRange } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { acknowledge } from '../private/nag';
import { watchStackBudget } from '../private/stack-budget';
import { ScalingOptions } from '../scaling/scaling';
import { checkScalingBounds, checkWakesFromZero } from '../scaling/scaling-checks';

/** The deploy-speed preset of a workload: SAFE in production, FAST in development. */
export function speedOf(env: IEnvironment, speed?: DeploySpeed): DeploySpeedSettings {
  return deploySpeedSettings(speed ?? (env.profile === EnvironmentProfile.PRODUCTION ? DeploySpeed.SAFE : DeploySpeed.FAST));
}

/**
 * The desired count: given, else the scaling minimum, else the profile's. With scaling the
 * count is scaling's alone (see `scaleTaskCount`), so a desiredCount beside it is refused.
 */
export function resolveDesiredCount(scope: Construct, profile: EnvironmentProfile, desiredCount: number | undefined,
  scaling: { minCapacity: number; maxCapacity: number } | undefined, minimum = 0, targetTracking = true): number {
  if (scaling) {
    checkScalingBounds(scope, scaling as ScalingOptions);
    // A worker wakes from zero on its queue (ADR 6); target tracking alone does not.
    if (targetTracking) checkWakesFromZero(scope, scaling as ScalingOptions);
    if (desiredCount !== undefined) {
      throw new ShipyardError(scope, ErrorCode.DESIRED_COUNT,
        `desiredCount ${count(desiredCount)} is given with scaling (${count(scaling.minCapacity)}-${count(scaling.maxCapacity)} tasks); `
        + 'with scaling the template leaves DesiredCount out, so that a deploy never resets a scaled-out service',
        'leave desiredCount out: scaling.minCapacity brings a new service up');
    }
  }
  const desired = desiredCount ?? scaling?.minCapacity ?? profileDefaults(profile).desiredCount;
  checkInteger(scope, ErrorCode.DESIRED_COUNT, 'desiredCount', desired);
  checkRange(scope, ErrorCode.DESIRED_COUNT, 'desiredCount', desired, minimum, 5000);
  return desired;
}

/** A count for a message: the number, or what stands for it while it is a token. */
function count(value: number): string {
  return Token.isUnresolved(value) ? '(a token)' : show(value);
}

/** Tag everything under `scope` with the environment's tags, and give its roles the environment's boundary and path. */
export function applyEnvironmentSettings(scope: Construct, env: IEnvironment): void {
  for (const [key, value] of Object.entries(env.tags)) Tags.of(scope).add(key, value);
  applyRoleSettings(scope, env.roleSettings);
  watchStackBudget(scope);
}

/** The health check grace period: the container's start period, or a minute. */
export function gracePeriod(healthCheck: ecs.HealthCheck | undefined): Duration {
  return healthCheck?.startPeriod ?? Duration.seconds(60);
}

/**
 * A dead-letter queue for what Scheduler or EventBridge could not deliver: SSE-SQS, TLS only,
 * kept 14 days (the longest SQS allows), retained on delete.
 */
export function deliveryDeadLetterQueue(scope: Construct, owner: string, given?: sqs.IQueue): sqs.IQueue {
  // EventBridge rules and EventBridge Scheduler send undelivered events to standard queues only
  // (Amazon EventBridge User Guide and EventBridge Scheduler User Guide, dead-letter queues).
  if (given?.fifo) {
    throw new ShipyardError(scope, ErrorCode.QUEUE, `deadLetterQueue ${given.node.path} is a FIFO queue, and the ${owner} can only send to a standard one`,
      'give a standard (non-FIFO) queue, or leave deadLetterQueue out for one of the workload\'s own');
  }
  if (given) return given;
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
    // Marks it a dead-letter queue (AWS Control Tower CT.SQS.PR.1); allowAll is SQS's default.
    redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
  });
  acknowledge(queue, [{ id: 'AwsSolutions-SQS3', reason: `This queue is the ${owner}'s dead-letter queue.` }]);
  return queue;
}
