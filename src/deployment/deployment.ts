import { IConstruct } from 'constructs';
import { checkInteger, checkRange, isKnown } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';

/** Options for a rolling deployment. */
export interface RollingDeploymentOptions {
  /**
   * Lowest share of the desired count that stays running and healthy during a deployment.
   * @default 100 - never serve with fewer tasks than asked
   */
  readonly minHealthyPercent?: number;
  /**
   * Highest share of the desired count that may run during a deployment.
   * @default 200 - a full new set of tasks starts beside the old one
   */
  readonly maxHealthyPercent?: number;
  /**
   * Roll back automatically when the deployment circuit breaker trips.
   * @default true
   */
  readonly rollbackOnFailure?: boolean;
}

/** What a deployment strategy resolves to on an ECS service. */
export interface DeploymentConfig {
  /** Minimum healthy percent. */
  readonly minHealthyPercent: number;
  /** Maximum percent. */
  readonly maxHealthyPercent: number;
  /** Whether the circuit breaker rolls back. */
  readonly rollbackOnFailure: boolean;
}

/**
 * How a workload rolls out a new task definition.
 *
 * Every strategy keeps the deployment circuit breaker on, so a deployment that cannot
 * become healthy stops instead of hanging for hours.
 */
export class Deployment {
  /** A rolling deployment with the circuit breaker and rollback (the default). */
  public static rolling(options: RollingDeploymentOptions = {}): Deployment {
    return new Deployment(options);
  }

  private constructor(private readonly options: RollingDeploymentOptions) {}

  /** Validate the strategy against `scope` and return the service settings. */
  public bind(scope: IConstruct): DeploymentConfig {
    const min = this.options.minHealthyPercent ?? 100;
    const max = this.options.maxHealthyPercent ?? 200;
    checkInteger(scope, ErrorCode.DEPLOYMENT, 'minHealthyPercent', min);
    checkRange(scope, ErrorCode.DEPLOYMENT, 'minHealthyPercent', min, 0, 100, '%');
    checkInteger(scope, ErrorCode.DEPLOYMENT, 'maxHealthyPercent', max);
    checkRange(scope, ErrorCode.DEPLOYMENT, 'maxHealthyPercent', max, 100, 200, '%');
    if (isKnown(min) && isKnown(max) && min === 100 && max === 100) {
      throw new ShipyardError(scope, ErrorCode.DEPLOYMENT,
        'minHealthyPercent and maxHealthyPercent are both 100, so ECS can neither stop an old task nor start a new one',
        'raise maxHealthyPercent above 100 or lower minHealthyPercent');
    }
    return { minHealthyPercent: min, maxHealthyPercent: max, rollbackOnFailure: this.options.rollbackOnFailure ?? true };
  }
}
