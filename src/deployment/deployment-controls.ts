import { Duration, aws_ecs as ecs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkInteger, checkRange, isKnown, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/**
 * The 2026 ECS deployment controls: when a rolling deployment counts as done (early success
 * criteria), how many failed tasks trip the circuit breaker, and how long a lifecycle hook may
 * run. aws-cdk-lib 2.257 (the library's floor) does not type them; they reach the template as
 * property overrides on the `CfnService` (`applyDeploymentControls`), with the names
 * `AWS::ECS::Service` takes (`DeploymentConfiguration.EarlySuccessCriteria`,
 * `DeploymentCircuitBreaker.ThresholdConfiguration` and `ResetOnHealthyTask`, and a lifecycle
 * hook's `TimeoutConfiguration`), which aws-cdk-lib 2.272+ types on `CfnService`.
 */

/** What early success criteria resolve to. */
export interface EarlySuccessConfig {
  /** Share of the desired count that must run the new revision, healthy, for success. */
  readonly healthyPercent: number;
  /** `DEFERRED` (old tasks removed after success) or `BLOCKING` (before). */
  readonly sourceServiceRevisionCleanup: string;
}

/**
 * When ECS calls a rolling deployment done: its early success criteria (Amazon ECS Developer
 * Guide, "Complete Amazon ECS rolling deployments early with early success criteria"). Without
 * them ECS is done once every task of the new revision is healthy, the alarm bake (if any) is
 * over and the old tasks are gone, their draining included. ECS takes early success criteria
 * with the rolling strategy only (ECS API Reference, DeploymentEarlySuccessCriteria).
 */
export class EarlySuccess {
  /**
   * Done once `healthyPercent` of the desired count (rounded up) run the new revision and are
   * healthy, and the alarm bake (if any) is over; ECS then removes the old tasks in the
   * background (`SourceServiceRevisionCleanup: DEFERRED`), so their draining is no part of the
   * deployment. At 100, the default, no new task is left to start after success: the circuit
   * breaker and the rollback alarms watched every one of them, and the old tasks are only
   * capacity beyond the desired count while they drain.
   * @param healthyPercent a whole number from the deployment's minHealthyPercent to 100 (default 100)
   */
  public static deferredCleanup(healthyPercent?: number): EarlySuccess {
    return new EarlySuccess(healthyPercent ?? 100, 'DEFERRED');
  }

  /**
   * Done once `healthyPercent` of the desired count (rounded up) run the new revision and are
   * healthy, the alarm bake (if any) is over, and the old tasks are gone (`BLOCKING`). ECS
   * starts the rest of the new tasks after success, outside the deployment: the circuit
   * breaker and the rollback alarms no longer watch them.
   * @param healthyPercent a whole number from the deployment's minHealthyPercent to 100
   */
  public static blockingCleanup(healthyPercent: number): EarlySuccess {
    return new EarlySuccess(healthyPercent, 'BLOCKING');
  }

  /** ECS's own rule: done once every new task is healthy, the bake is over and the old tasks are gone. */
  public static none(): EarlySuccess {
    return new EarlySuccess(undefined, undefined);
  }

  private constructor(private readonly healthyPercent: number | undefined, private readonly cleanup: string | undefined) {}

  /**
   * Validate against `scope` and the deployment's minimum healthy percent.
   * @internal
   */
  public _bind(scope: IConstruct, minHealthyPercent: number): EarlySuccessConfig | undefined {
    if (this.healthyPercent === undefined || this.cleanup === undefined) return undefined;
    // Source: ECS API Reference, DeploymentEarlySuccessCriteria: healthyPercent is an integer
    // between 0 and 100, greater than or equal to the service's minimumHealthyPercent.
    checkInteger(scope, ErrorCode.DEPLOYMENT, 'earlySuccess healthyPercent', this.healthyPercent);
    checkRange(scope, ErrorCode.DEPLOYMENT, 'earlySuccess healthyPercent', this.healthyPercent, 0, 100, '%');
    if (isKnown(this.healthyPercent) && isKnown(minHealthyPercent) && this.healthyPercent < minHealthyPercent) {
      throw new ShipyardError(scope, ErrorCode.DEPLOYMENT,
        `earlySuccess healthyPercent is ${this.healthyPercent}%, below minHealthyPercent (${minHealthyPercent}%), which ECS refuses`,
        `raise healthyPercent to ${minHealthyPercent} or more, or lower minHealthyPercent`);
    }
    return { healthyPercent: this.healthyPercent, sourceServiceRevisionCleanup: this.cleanup };
  }
}

/** What a circuit-breaker threshold resolves to. */
export interface CircuitBreakerThresholdConfig {
  /** `COUNT`, `BOUNDED_PERCENT` or `UNBOUNDED_PERCENT`. */
  readonly type: string;
  /** The count, or the percent of the desired count. */
  readonly value: number;
}

/**
 * How many failed tasks trip a rolling deployment's circuit breaker (ECS API Reference,
 * ThresholdConfiguration). ECS's default is 50% of the desired count, kept within 3-200 failures.
 */
export class CircuitBreakerThreshold {
  /**
   * A share of the desired count, which ECS keeps within 3-200 failed tasks (`BOUNDED_PERCENT`,
   * ECS's default type; its default share is 50).
   * @param percent a whole number from 1
   */
  public static percent(percent: number): CircuitBreakerThreshold {
    return new CircuitBreakerThreshold('BOUNDED_PERCENT', percent, 'percent');
  }

  /**
   * A share of the desired count with no floor or ceiling (`UNBOUNDED_PERCENT`), for services
   * large enough that the threshold should pass 200 failed tasks.
   * @param percent a whole number from 1
   */
  public static unboundedPercent(percent: number): CircuitBreakerThreshold {
    return new CircuitBreakerThreshold('UNBOUNDED_PERCENT', percent, 'percent');
  }

  /**
   * A number of failed tasks, whatever the desired count (`COUNT`).
   * @param failures a whole number from 1
   */
  public static count(failures: number): CircuitBreakerThreshold {
    return new CircuitBreakerThreshold('COUNT', failures, 'failures');
  }

  private constructor(private readonly type: string, private readonly value: number, private readonly what: string) {}

  /**
   * Validate against `scope`.
   * @internal
   */
  public _bind(scope: IConstruct): CircuitBreakerThresholdConfig {
    // The ECS API Reference (ThresholdConfiguration) types the value as an integer and gives no
    // range. The library refuses below 1: a threshold of no failure would trip on none.
    const name = `circuitBreakerThreshold ${this.what}`;
    checkInteger(scope, ErrorCode.DEPLOYMENT, name, this.value);
    if (isKnown(this.value) && this.value < 1) {
      throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `${name} is ${show(this.value)}, below 1: the breaker would trip before any task failed`,
        `give ${this.what} of 1 or more, or leave circuitBreakerThreshold out for ECS's default (50% of the desired count, 3-200 failed tasks)`);
    }
    return { type: this.type, value: this.value };
  }
}

/** What ECS does when a deployment lifecycle hook runs past its timeout. */
export enum LifecycleHookTimeoutAction {
  /** Roll the deployment back to the previous revision (ECS's default). */
  ROLLBACK = 'ROLLBACK',
  /** Go on to the next lifecycle stage. */
  CONTINUE = 'CONTINUE',
}

/**
 * The timeout of a lifecycle hook, checked. Source: ECS API Reference,
 * DeploymentLifecycleHookTimeoutConfiguration: timeoutInMinutes 1-20160 (default 1440), action
 * ROLLBACK or CONTINUE (default ROLLBACK).
 */
export function hookTimeoutConfiguration(scope: IConstruct, index: number, timeout: Duration | undefined,
  action: LifecycleHookTimeoutAction | undefined): Record<string, unknown> | undefined {
  if (timeout === undefined && action === undefined) return undefined;
  const what = `lifecycle hook ${index} timeout`;
  const seconds = knownSeconds(timeout);
  if (seconds !== undefined && seconds % 60 !== 0) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `${what} is ${seconds} s, not whole minutes`, 'give the timeout in whole minutes (1-20160)');
  }
  checkRange(scope, ErrorCode.DEPLOYMENT, what, seconds === undefined ? undefined : seconds / 60, 1, 20160, ' minutes');
  if (action !== undefined && !Object.values(LifecycleHookTimeoutAction).includes(action)) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `lifecycle hook ${index} timeoutAction is ${show(action)}, which ECS does not take`,
      'use LifecycleHookTimeoutAction.ROLLBACK or CONTINUE');
  }
  return { TimeoutInMinutes: timeout?.toMinutes(), Action: action };
}

/** The circuit-breaker settings of a rolling deployment, when any is given. */
export interface CircuitBreakerSettings {
  readonly threshold?: CircuitBreakerThresholdConfig;
  readonly resetOnHealthyTask?: boolean;
}

/**
 * Write the controls aws-cdk-lib 2.257 cannot type onto the service's `CfnService`: early
 * success criteria and the circuit breaker's threshold and reset rule (rolling deployments).
 */
export function applyDeploymentControls(service: ecs.BaseService, early: EarlySuccessConfig | undefined,
  breaker: CircuitBreakerSettings | undefined): void {
  const cfn = service.node.defaultChild as ecs.CfnService;
  if (early) {
    cfn.addPropertyOverride('DeploymentConfiguration.EarlySuccessCriteria', {
      Enable: true,
      HealthyPercent: early.healthyPercent,
      SourceServiceRevisionCleanup: early.sourceServiceRevisionCleanup,
    });
  }
  if (breaker?.threshold) {
    cfn.addPropertyOverride('DeploymentConfiguration.DeploymentCircuitBreaker.ThresholdConfiguration',
      { Type: breaker.threshold.type, Value: breaker.threshold.value });
  }
  if (breaker?.resetOnHealthyTask !== undefined) {
    cfn.addPropertyOverride('DeploymentConfiguration.DeploymentCircuitBreaker.ResetOnHealthyTask', breaker.resetOnHealthyTask);
  }
}
