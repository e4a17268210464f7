import { Stack, aws_ecs as ecs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { AutoScalingCapacity } from './auto-scaling-capacity';
import type { ExternalInstances } from './external-instances';
import type { ManagedInstancesCapacity } from './managed-instances-capacity';
import { checkInteger, checkRange } from '../guardrails/checks';
import { ErrorCode, problemMessage, ShipyardError, show } from '../guardrails/errors';

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

/** Where a strategy's tasks run. */
export enum CapacityPlatform {
  /** AWS Fargate (on-demand or Spot): one micro-VM per task, awsvpc networking only. */
  FARGATE = 'FARGATE',
  /** EC2 instances of Auto Scaling group capacity providers. */
  EC2 = 'EC2',
  /** ECS Managed Instances: EC2 instances ECS launches, patches and retires itself; awsvpc networking. */
  MANAGED_INSTANCES = 'MANAGED_INSTANCES',
  /** ECS Anywhere: your own servers registered with the cluster (the EXTERNAL launch type; bridge or host networking). */
  EXTERNAL = 'EXTERNAL',
}

/** Where EC2 tasks are placed among the instances. */
export interface PlacementOptions {
  /**
   * Placement strategies, applied in order (at most 5).
   * @default - spread across Availability Zones, then bin-pack by memory (fewest instances)
   */
  readonly placementStrategies?: ecs.PlacementStrategy[];
  /**
   * Placement constraints (at most 10), e.g. `ecs.PlacementConstraint.distinctInstances()`
   * or `ecs.PlacementConstraint.memberOf('attribute:ecs.instance-type =~ m7g.*')`.
   * @default - none
   */
  readonly placementConstraints?: ecs.PlacementConstraint[];
}

/** A mix of an On-Demand and a Spot Auto Scaling group provider. */
export interface Ec2SpotMixOptions extends PlacementOptions {
  /**
   * Tasks that always run on the On-Demand provider before any Spot task is placed.
   * @default 1
   */
  readonly onDemandBase?: number;
  /**
   * Relative share of the On-Demand provider beyond the base.
   * @default 0 - every task beyond the base runs on Spot
   */
  readonly onDemandWeight?: number;
  /**
   * Relative share of the Spot provider beyond the base.
   * @default 1
   */
  readonly spotWeight?: number;
}

/** Options of an arbitrary strategy. */
export interface StrategyOptions extends PlacementOptions {
  /**
   * Where the strategy's providers run tasks.
   * @default - FARGATE when every provider is FARGATE or FARGATE_SPOT, else EC2
   */
  readonly platform?: CapacityPlatform;
}

const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];
// Source: Amazon ECS API Reference, CreateService: at most 5 placement strategies and 10 constraints.
const MAX_PLACEMENT_STRATEGIES = 5;
const MAX_PLACEMENT_CONSTRAINTS = 10;

function defaultPlacement(): ecs.PlacementStrategy[] {
  return [ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE), ecs.PlacementStrategy.packedByMemory()];
}

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
      // Managed Instances providers belong to their cluster directly, not through the associations.
      const cluster = JSON.stringify(stack.resolve(associations[0].cluster));
      const clusterScoped = stack.node.findAll()
        .filter((c): c is ecs.CfnCapacityProvider => c instanceof ecs.CfnCapacityProvider && c.clusterName !== undefined)
        .filter(p => JSON.stringify(stack.resolve(p.clusterName)) === cluster)
        .map(p => stack.resolve(p.ref));
      const known = new Set([...available, ...clusterScoped].map(p => JSON.stringify(p)));
      return items
        .filter(i => !known.has(JSON.stringify(stack.resolve(i.capacityProvider))))
        .map(i => problemMessage(scope, {
          code: ErrorCode.CAPACITY_STRATEGY,
          problem: `the strategy names capacity provider ${JSON.stringify(stack.resolve(i.capacityProvider))}, which the cluster does not have`,
          fix: 'add the provider to the environment\'s cluster, or pick one it has',
        }));
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
    return new Capacity('fargate', [{ capacityProvider: 'FARGATE', weight: 1 }], CapacityPlatform.FARGATE);
  }

  /** Every task on Fargate Spot (interruptible, about 70% cheaper). */
  public static fargateSpot(): Capacity {
    return new Capacity('fargateSpot', [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], CapacityPlatform.FARGATE);
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
    ], CapacityPlatform.FARGATE);
  }

  /** Every task on the instances of one Auto Scaling group provider. */
  public static ec2(provider: AutoScalingCapacity, options: PlacementOptions = {}): Capacity {
    return new Capacity('ec2', [{ capacityProvider: provider.capacityProviderName, weight: 1 }], CapacityPlatform.EC2, options, [provider]);
  }

  /**
   * A base of tasks on an On-Demand Auto Scaling group provider, the rest shared with a Spot
   * provider by weight. Both groups must have one CPU architecture.
   */
  public static ec2SpotMix(onDemand: AutoScalingCapacity, spot: AutoScalingCapacity, options: Ec2SpotMixOptions = {}): Capacity {
    return new Capacity('ec2SpotMix', [
      { capacityProvider: onDemand.capacityProviderName, base: options.onDemandBase ?? 1, weight: options.onDemandWeight ?? 0 },
      { capacityProvider: spot.capacityProviderName, weight: options.spotWeight ?? 1 },
    ], CapacityPlatform.EC2, options, [onDemand, spot]);
  }

  /** Every task on ECS Managed Instances of one provider. */
  public static managedInstances(provider: ManagedInstancesCapacity): Capacity {
    const capacity = new Capacity('managedInstances', [{ capacityProvider: provider.capacityProviderName, weight: 1 }],
      CapacityPlatform.MANAGED_INSTANCES, {}, [], provider);
    capacity.instanceArchitectures.push(provider.cpuArchitecture);
    return capacity;
  }

  /**
   * Tasks on ECS Anywhere instances (the EXTERNAL launch type, no capacity provider). Only
   * workloads that take no load balancer or Service Connect traffic run there (`WorkerService`).
   */
  public static external(instances: ExternalInstances): Capacity {
    return new Capacity(`external (${instances.node.path})`, [], CapacityPlatform.EXTERNAL);
  }

  /**
   * Any capacity provider strategy, as given. Escape hatch for providers cdk-shipyard does not model yet.
   */
  public static strategy(strategy: ecs.CapacityProviderStrategy[], options: StrategyOptions = {}): Capacity {
    const platform = options.platform
      ?? (strategy.every(i => FARGATE_PROVIDERS.includes(i.capacityProvider)) ? CapacityPlatform.FARGATE : CapacityPlatform.EC2);
    return new Capacity('strategy', strategy, platform, options);
  }

  /** Where the strategy's tasks run. */
  public readonly platform: CapacityPlatform;
  /** The Auto Scaling group capacity the strategy names (none for Fargate or a raw strategy). */
  public readonly autoScalingCapacities: AutoScalingCapacity[];
  /**
   * The Managed Instances capacity of `Capacity.managedInstances`, which a managed daemon runs on.
   * @internal
   */
  public readonly _managedInstances?: ManagedInstancesCapacity;
  /** Architectures of the instances the strategy names (undefined where they are not pinned). */
  private readonly instanceArchitectures: Array<ecs.CpuArchitecture | undefined> = [];

  private constructor(
    /** A short name of the choice, for messages. */
    public readonly kind: string,
    private readonly items: ecs.CapacityProviderStrategy[],
    platform: CapacityPlatform,
    private readonly placement: PlacementOptions = {},
    providers: AutoScalingCapacity[] = [],
    managedInstances?: ManagedInstancesCapacity,
  ) {
    this.platform = platform;
    this.autoScalingCapacities = providers;
    this._managedInstances = managedInstances;
    this.instanceArchitectures.push(...providers.map(p => p.cpuArchitecture));
  }

  /**
   * The placement strategies of EC2 tasks (the default when none were given); none on Fargate.
   */
  public get placementStrategies(): ecs.PlacementStrategy[] {
    if (this.platform !== CapacityPlatform.EC2) return [];
    return this.placement.placementStrategies ?? defaultPlacement();
  }

  /**
   * Whether the strategy's instances run Windows: true or false when every Auto Scaling group
   * it names agrees, undefined for Fargate, Managed Instances, ECS Anywhere or a raw strategy.
   */
  public get windowsInstances(): boolean | undefined {
    const kinds = [...new Set(this.autoScalingCapacities.map(p => p.windows))];
    return kinds.length === 1 ? kinds[0] : undefined;
  }

  /** @internal Whether placement strategies were given (daemons take none). */
  public _hasExplicitPlacementStrategies(): boolean {
    return (this.placement.placementStrategies?.length ?? 0) > 0;
  }

  /** The placement constraints of EC2 tasks. */
  public get placementConstraints(): ecs.PlacementConstraint[] {
    return this.placement.placementConstraints ?? [];
  }

  /**
   * The CPU architecture of the strategy's instances, when every Auto Scaling group it
   * names has the same one.
   */
  public get cpuArchitecture(): ecs.CpuArchitecture | undefined {
    const architectures = [...new Set(this.instanceArchitectures)];
    return architectures.length === 1 ? architectures[0] : undefined;
  }

  /**
   * The capacity provider strategy this choice stands for, validated against `scope`.
   * @internal
   */
  public _bind(scope: IConstruct): ecs.CapacityProviderStrategy[] {
    // ECS Anywhere takes a launch type, not a strategy.
    if (this.platform === CapacityPlatform.EXTERNAL) return [];
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
    this.checkPlacement(scope);
    checkProvidersAvailable(scope, this.items);
    return this.items.map(i => ({ ...i }));
  }

  private checkPlacement(scope: IConstruct): void {
    const { placementStrategies, placementConstraints } = this.placement;
    if (this.platform !== CapacityPlatform.EC2 && ((placementStrategies?.length ?? 0) > 0 || (placementConstraints?.length ?? 0) > 0)) {
      throw new ShipyardError(scope, ErrorCode.PLATFORM, `placement strategies or constraints are set for ${this.platform} capacity`,
        'remove them: Fargate and Managed Instances place tasks themselves (spread across Availability Zones)');
    }
    checkRange(scope, ErrorCode.CAPACITY_STRATEGY, 'placementStrategies (count)', placementStrategies?.length, 0, MAX_PLACEMENT_STRATEGIES);
    checkRange(scope, ErrorCode.CAPACITY_STRATEGY, 'placementConstraints (count)', placementConstraints?.length, 0, MAX_PLACEMENT_CONSTRAINTS);
    if (new Set(this.autoScalingCapacities.map(p => p.windows)).size > 1) {
      throw new ShipyardError(scope, ErrorCode.CAPACITY_STRATEGY, 'the strategy mixes Windows and Linux instances',
        'a task runs on one operating system: mix groups of the same host image family only');
    }
    const architectures = new Set(this.autoScalingCapacities.map(p => p.cpuArchitecture));
    if (architectures.size > 1) {
      throw new ShipyardError(scope, ErrorCode.CAPACITY_STRATEGY,
        `the strategy mixes instance architectures (${this.autoScalingCapacities.map(p => `${p.node.path}: ${p.cpuArchitecture}`).join(', ')})`,
        'a task runs on one architecture: mix groups of the same architecture only');
    }
  }

  /** The capacity provider names the strategy uses. */
  public get providerNames(): string[] {
    return this.items.map(i => i.capacityProvider);
  }
}
