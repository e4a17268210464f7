import { Stack, aws_ecs as ecs } from 'aws-cdk-lib';
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

const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];

/**
 * At synth, every provider a strategy names must be associated with the cluster the
 * workload runs in (read from the cluster's capacity provider associations, when the cluster
 * is defined in this app); otherwise ECS fails the deployment.
 */
function checkProvidersAvailable(scope: IConstruct, items: ecs.CapacityProviderStrategy[]): void {
  scope.node.addValidation({
    validate: () => {
      const stack = Stack.of(scope);
      const associations = stack.node.findAll().filter((c): c is ecs.CfnClusterCapacityProviderAssociations =>
        c instanceof ecs.CfnClusterCapacityProviderAssociations);
      if (associations.length !== 1) return [];
      const available = (stack.resolve(associations[0].capacityProviders) ?? []) as unknown[];
      const known = new Set(available.map(p => JSON.stringify(p)));
      return items
        .filter(i => !known.has(JSON.stringify(stack.resolve(i.capacityProvider))))
        .map(i => `[cdk-shipyard:${ErrorCode.CAPACITY_STRATEGY}] ${scope.node.path}: the strategy names capacity provider `
          + `${JSON.stringify(stack.resolve(i.capacityProvider))}, which the cluster does not have. Fix: add the provider to the `
          + 'environment\'s cluster, or pick one it has');
    },
  });
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
    // Source: Amazon ECS Developer Guide, "Amazon ECS capacity providers": a strategy holds
    // either Fargate providers or Auto Scaling group providers, never both.
    const fargate = this.items.filter(i => FARGATE_PROVIDERS.includes(i.capacityProvider));
    if (fargate.length > 0 && fargate.length < this.items.length) {
      const others = this.items.filter(i => !FARGATE_PROVIDERS.includes(i.capacityProvider)).map(i => i.capacityProvider);
      throw new ShipyardError(scope, ErrorCode.CAPACITY_STRATEGY,
        `the strategy mixes Fargate providers with ${others.map(o => show(o)).join(', ')}`,
        'use Fargate providers only, or Auto Scaling group providers only, in one strategy');
    }
    checkProvidersAvailable(scope, this.items);
    return this.items.map(i => ({ ...i }));
  }

  /** The capacity provider names the strategy uses. */
  public get providerNames(): string[] {
    return this.items.map(i => i.capacityProvider);
  }
}
