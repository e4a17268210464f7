import { aws_ecs as ecs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkInteger, checkRange } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/** Options for a mix of on-demand Fargate and Fargate Spot. */
export interface FargateSpotMixOptions {
  /**
   * Tasks that always run on on-demand Fargate before any Spot task is placed.
   * @default 1
   */
  readonly onDemandBase?: number;
  /**
   * Relative share of on-demand Fargate beyond the base.
   * @default 0 - every task beyond the base runs on Spot
   */
  readonly onDemandWeight?: number;
  /**
   * Relative share of Fargate Spot beyond the base.
   * @default 1
   */
  readonly spotWeight?: number;
}

/**
 * Where a workload's tasks run: a capacity provider strategy.
 *
 * The environment picks a default from its profile (on-demand Fargate in production,
 * one on-demand task and the rest on Fargate Spot in development); each workload may
 * choose its own.
 */
export class Capacity {
  /** Every task on on-demand Fargate. */
  public static fargate(): Capacity {
    return new Capacity('fargate', [{ capacityProvider: 'FARGATE', weight: 1 }]);
  }

  /** Every task on Fargate Spot (interruptible, about 70% cheaper). */
  public static fargateSpot(): Capacity {
    return new Capacity('fargateSpot', [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
  }

  /**
   * A base of on-demand Fargate tasks, the rest shared between on-demand and Spot by weight.
   * ARM64 tasks run on Fargate Spot too.
   */
  public static fargateSpotMix(options: FargateSpotMixOptions = {}): Capacity {
    const base = options.onDemandBase ?? 1;
    const onDemandWeight = options.onDemandWeight ?? 0;
    const spotWeight = options.spotWeight ?? 1;
    return new Capacity('fargateSpotMix', [
      { capacityProvider: 'FARGATE', base, weight: onDemandWeight },
      { capacityProvider: 'FARGATE_SPOT', weight: spotWeight },
    ]);
  }

  /**
   * Any capacity provider strategy, as given. Escape hatch for providers cdk-shipyard does not model yet.
   */
  public static strategy(strategy: ecs.CapacityProviderStrategy[]): Capacity {
    return new Capacity('strategy', strategy);
  }

  private constructor(
    /** A short name of the choice, for messages. */
    public readonly kind: string,
    private readonly items: ecs.CapacityProviderStrategy[],
  ) {}

  /** The capacity provider strategy this choice stands for, validated against `scope`. */
  public bind(scope: IConstruct): ecs.CapacityProviderStrategy[] {
    if (this.items.length === 0) {
      throw new ShipyardError(scope, ErrorCode.CAPACITY_STRATEGY, 'the capacity provider strategy is empty',
        'name at least one capacity provider');
    }
    for (const item of this.items) {
      checkInteger(scope, ErrorCode.CAPACITY_STRATEGY, `${item.capacityProvider} base`, item.base);
      checkRange(scope, ErrorCode.CAPACITY_STRATEGY, `${item.capacityProvider} base`, item.base, 0, 100000);
      checkInteger(scope, ErrorCode.CAPACITY_STRATEGY, `${item.capacityProvider} weight`, item.weight);
      checkRange(scope, ErrorCode.CAPACITY_STRATEGY, `${item.capacityProvider} weight`, item.weight, 0, 1000);
    }
    const withBase = this.items.filter(i => (i.base ?? 0) > 0);
    if (withBase.length > 1) {
      throw new ShipyardError(scope, ErrorCode.CAPACITY_STRATEGY,
        `more than one capacity provider has a base (${withBase.map(i => i.capacityProvider).join(', ')})`,
        'give a base to one provider only');
    }
    if (this.items.every(i => (i.weight ?? 0) === 0)) {
      throw new ShipyardError(scope, ErrorCode.CAPACITY_STRATEGY,
        `every capacity provider weight is 0 (${show(this.items.map(i => i.capacityProvider))})`,
        'give at least one provider a weight above 0');
    }
    return this.items.map(i => ({ ...i }));
  }

  /** The capacity provider names the strategy uses. */
  public get providerNames(): string[] {
    return this.items.map(i => i.capacityProvider);
  }
}
