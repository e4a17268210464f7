import { CustomResource, Duration, Names, Size, aws_ec2 as ec2, aws_ecs as ecs, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IEnvironment } from '../environment/environment';
import { applyRoleSettings } from '../environment/roles';
import { checkCapacityProviderName, checkInteger, checkPattern, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { addManagedInstancesGuard } from '../private/capacity-deletion-guard';
import { ensureAgentEndpoints, taskEgress } from '../private/egress';
import { acknowledge, acknowledgeInlinePolicy } from '../private/nag';
import { ownedCluster } from '../private/owned-cluster';

/** Properties of a ManagedInstancesCapacity. */
export interface ManagedInstancesCapacityProps {
  /** The environment whose cluster gains the capacity provider. Must be an `Environment` of this app. */
  readonly environment: IEnvironment;
  /**
   * What instances ECS may launch (attribute-based selection).
   * @default - 2-8 vCPUs, at least 4 GiB, Graviton (cpuManufacturers AWS)
   */
  readonly instanceRequirements?: ec2.InstanceRequirementsConfig;
  /**
   * Launch Spot instances instead of On-Demand.
   * @default false
   */
  readonly spot?: boolean;
  /**
   * Storage for the tasks of each instance.
   * @default Size.gibibytes(80)
   */
  readonly taskVolumeStorage?: Size;
  /**
   * Name of the capacity provider.
   * @default - generated
   */
  readonly capacityProviderName?: string;
  /**
   * How long an instance may stay idle or underused before ECS optimizes it away (stops it, or
   * moves its tasks and stops it): longer keeps warm instances for the next tasks (faster
   * starts), shorter costs less. 0 to 3600 whole seconds. Source: AWS CloudFormation Template
   * Reference, AWS::ECS::CapacityProvider InfrastructureOptimization ScaleInAfter.
   * @default - ECS's default optimization
   */
  readonly scaleInAfter?: Duration;
  /**
   * Let ECS optimize idle and underused instances away. False keeps every instance ECS
   * launched until you scale in yourself (ScaleInAfter -1), for workloads that must not have
   * their tasks moved; it cannot be combined with `scaleInAfter`.
   * @default true
   */
  readonly optimizeInstances?: boolean;
  /**
   * Launch the instances into EC2 Capacity Reservations (On-Demand Capacity Reservations and
   * the other reservation types a Capacity Reservation group holds): ECS sets the capacity
   * option type to `RESERVED` and matches reservations against the instance requirements.
   * Reserved instances are On-Demand instances, so this cannot be combined with `spot`.
   * Source: Amazon ECS API Reference, InstanceLaunchTemplate capacityOptionType (`RESERVED`) and
   * CapacityReservationRequest ("to be used when using the RESERVED capacity option type");
   * AWS CloudFormation, AWS::ECS::CapacityProvider InstanceLaunchTemplate CapacityReservations.
   * @default - no reservations: On-Demand instances (or Spot with `spot`)
   */
  readonly capacityReservations?: ManagedInstancesCapacityReservations;
}

/**
 * When ECS Managed Instances launch into EC2 Capacity Reservations. Source: Amazon ECS API
 * Reference, CapacityReservationRequest reservationPreference.
 */
export enum CapacityReservationPreference {
  /**
   * Only into capacity reservations that match the instance requirements; when none has room,
   * instances fail to launch (tasks stay pending). `RESERVATIONS_ONLY`.
   */
  RESERVATIONS_ONLY = 'RESERVATIONS_ONLY',
  /**
   * Into matching capacity reservations while they have room, then On-Demand instances.
   * `RESERVATIONS_FIRST`.
   */
  RESERVATIONS_FIRST = 'RESERVATIONS_FIRST',
  /**
   * Never into capacity reservations, On-Demand instances only: keeps open reservations for
   * other workloads. `RESERVATIONS_EXCLUDED`.
   */
  RESERVATIONS_EXCLUDED = 'RESERVATIONS_EXCLUDED',
}

/** The EC2 Capacity Reservations a `ManagedInstancesCapacity` launches into. */
export interface ManagedInstancesCapacityReservations {
  /** When instances go into capacity reservations. */
  readonly preference: CapacityReservationPreference;
  /**
   * The ARN of a Capacity Reservation group, an AWS Resource Groups group of Capacity
   * Reservations (`arn:aws:resource-groups:<region>:<account>:group/<name>`), in the capacity
   * provider's region: ECS launches into the group's reservations that match. Reservations that
   * accept only targeted instances are used only through a group. Not with
   * `RESERVATIONS_EXCLUDED`. Source: Amazon ECS API Reference, CapacityReservationRequest
   * reservationGroupArn; Amazon EC2 User Guide, Capacity Reservation groups.
   * @default - no group: reservations are matched by the instance requirements alone
   */
  readonly reservationGroupArn?: string;
}

/**
 * ECS Managed Instances capacity: ECS launches, patches, scales and retires the EC2 instances
 * (selected by attributes) in the environment's private subnets; you choose the shape.
 *
 * Tasks keep Fargate's task sizes (their task definition is compatible with both, so a
 * workload moves between Fargate and Managed Instances by changing its capacity) and run in
 * awsvpc mode. ECS uses an infrastructure role (AWS managed
 * `AmazonECSInfrastructureRolePolicyForManagedInstances`) and an instance profile whose role
 * name starts with `ecsInstanceRole`, as that policy's `iam:PassRole` requires.
 */
export class ManagedInstancesCapacity extends Construct {
  /** The capacity provider. */
  public readonly capacityProvider: ecs.ManagedInstancesCapacityProvider;
  /** The capacity provider's name, for strategies. */
  public readonly capacityProviderName: string;
  /** The instances' security group (no inbound rule). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The role ECS uses to manage the instances. */
  public readonly infrastructureRole: iam.IRole;
  /** The CPU architecture of the instances, when the requirements pin one. */
  public readonly cpuArchitecture?: ecs.CpuArchitecture;
  /** Whether the instances are Spot instances. */
  public readonly spot: boolean;
  /**
   * The custom resource that, on stack deletion, waits until ECS has retired the instances
   * before CloudFormation removes the roles, security group and network they use.
   */
  public readonly deletionGuard: CustomResource;

  constructor(scope: Construct, id: string, props: ManagedInstancesCapacityProps) {
    super(scope, id);
    const env = props.environment;
    applyRoleSettings(this, props.environment.roleSettings);
    const cluster = ownedCluster(this, env, 'Managed Instances capacity');
    ensureAgentEndpoints(this, env);
    const requirements = props.instanceRequirements ?? {
      vCpuCountMin: 2,
      vCpuCountMax: 8,
      memoryMin: Size.gibibytes(4),
      cpuManufacturers: [ec2.CpuManufacturer.AWS],
    };
    this.checkRequirements(requirements);
    this.cpuArchitecture = architectureOf(requirements);
    this.spot = props.spot ?? false;
    // Source: ECS API Reference, InstanceLaunchTemplate storageConfiguration (1-16384 GiB).
    checkRange(this, ErrorCode.CAPACITY_PROVIDER, 'taskVolumeStorage (GiB)', props.taskVolumeStorage?.toGibibytes(), 1, 16384);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: env.vpc,
      description: `${this.node.path}: ECS Managed Instances; no inbound traffic`,
      allowAllOutbound: true,
    });
    // The deletion guard needs the name before the provider exists (the provider depends on
    // it); aws-cdk-lib's own generated names take the same form.
    checkCapacityProviderName(this, props.capacityProviderName);
    const capacityProviderName = props.capacityProviderName
      ?? `cp-${Names.uniqueResourceName(this, { maxLength: 252, allowedSpecialCharacters: '-_' })}`;
    this.capacityProvider = new ecs.ManagedInstancesCapacityProvider(this, 'CapacityProvider', {
      capacityProviderName,
      subnets: env.vpc.selectSubnets(env.taskSubnets).subnets,
      securityGroups: [this.securityGroup],
      instanceRequirements: requirements,
      capacityOptionType: this.spot ? ecs.CapacityOptionType.SPOT : ecs.CapacityOptionType.ON_DEMAND,
      taskVolumeStorage: props.taskVolumeStorage,
      monitoring: ecs.InstanceMonitoring.DETAILED,
      propagateTags: ecs.PropagateManagedInstancesTags.CAPACITY_PROVIDER,
    });
    cluster.addManagedInstancesCapacityProvider(this.capacityProvider);
    this.capacityProviderName = this.capacityProvider.capacityProviderName;
    this.infrastructureRole = this.capacityProvider.infrastructureRole;
    const cfnProvider = this.capacityProvider.node.findChild('CapacityProvider') as ecs.CfnCapacityProvider;
    this.overrideProvider(cfnProvider, props);
    this.deletionGuard = addManagedInstancesGuard(this, {
      owner: env,
      retention: env.logRetention,
      cluster,
      capacityProviderName,
      capacityProvider: cfnProvider,
      // Everything the instances use while ECS retires them; the provider itself references
      // these, but they would otherwise go as soon as it is deleted.
      deleteBefore: [
        cluster,
        this.securityGroup,
        taskEgress(env),
        ...['CapacityProviderRole', 'InstanceRole', 'InstanceProfile'].flatMap(child => this.capacityProvider.node.tryFindChild(child) ?? []),
      ],
    });
    this.acknowledgeFindings();
  }

  /**
   * What aws-cdk-lib's provider does not write: InfrastructureOptimization, and capacity
   * reservations (its CapacityOptionType has no RESERVED). The property names match
   * CfnCapacityProvider.InstanceLaunchTemplateProperty (capacityOptionType, capacityReservations)
   * and CapacityReservationRequestProperty (reservationGroupArn, reservationPreference), typed in
   * both aws-cdk-lib 2.257 and 2.278.
   */
  private overrideProvider(cfnProvider: ecs.CfnCapacityProvider, props: ManagedInstancesCapacityProps): void {
    const scaleInAfter = this.scaleInAfterSeconds(props);
    if (scaleInAfter !== undefined) {
      cfnProvider.addPropertyOverride('ManagedInstancesProvider.InfrastructureOptimization.ScaleInAfter', scaleInAfter);
    }
    const reservations = props.capacityReservations;
    if (reservations === undefined) return;
    this.checkReservations(reservations);
    cfnProvider.addPropertyOverride('ManagedInstancesProvider.InstanceLaunchTemplate.CapacityOptionType', 'RESERVED');
    cfnProvider.addPropertyOverride('ManagedInstancesProvider.InstanceLaunchTemplate.CapacityReservations', {
      ReservationPreference: reservations.preference,
      ...reservations.reservationGroupArn === undefined ? {} : { ReservationGroupArn: reservations.reservationGroupArn },
    });
  }

  private checkReservations(reservations: ManagedInstancesCapacityReservations): void {
    if (this.spot) {
      throw new ShipyardError(this, ErrorCode.CONFLICTING_OPTIONS, 'spot is true and capacityReservations is given',
        'capacity reservations hold On-Demand capacity (capacity option type RESERVED, not SPOT): leave out spot or capacityReservations');
    }
    const group = reservations.reservationGroupArn;
    if (group !== undefined && reservations.preference === CapacityReservationPreference.RESERVATIONS_EXCLUDED) {
      throw new ShipyardError(this, ErrorCode.CONFLICTING_OPTIONS, 'capacityReservations.preference is RESERVATIONS_EXCLUDED and a reservationGroupArn is given',
        'leave out reservationGroupArn to avoid reservations, or choose RESERVATIONS_ONLY or RESERVATIONS_FIRST to launch into the group');
    }
    // Source: AWS Resource Groups API Reference, GroupArn pattern.
    checkPattern(this, ErrorCode.CAPACITY_PROVIDER, 'capacityReservations.reservationGroupArn', group, RESOURCE_GROUP_ARN,
      'the ARN of a Capacity Reservation group (arn:aws:resource-groups:<region>:<account>:group/<name>)');
  }

  /** InfrastructureOptimization ScaleInAfter: -1 (never), 0-3600 seconds, or ECS's default (undefined). */
  private scaleInAfterSeconds(props: ManagedInstancesCapacityProps): number | undefined {
    if (props.optimizeInstances === false) {
      if (props.scaleInAfter !== undefined) {
        throw new ShipyardError(this, ErrorCode.CONFLICTING_OPTIONS, 'optimizeInstances is false and scaleInAfter is given',
          'leave scaleInAfter out to keep instances, or optimizeInstances out to optimize them after scaleInAfter');
      }
      return -1;
    }
    if (props.scaleInAfter === undefined) return undefined;
    const seconds = knownSeconds(props.scaleInAfter);
    checkInteger(this, ErrorCode.CAPACITY_PROVIDER, 'scaleInAfter (s)', seconds);
    checkRange(this, ErrorCode.CAPACITY_PROVIDER, 'scaleInAfter', seconds, 0, 3600, ' s');
    return seconds;
  }

  private checkRequirements(requirements: ec2.InstanceRequirementsConfig): void {
    const code = ErrorCode.CAPACITY_PROVIDER;
    checkInteger(this, code, 'instanceRequirements.vCpuCountMin', requirements.vCpuCountMin);
    checkRange(this, code, 'instanceRequirements.vCpuCountMin', requirements.vCpuCountMin, 1, 1024);
    if (requirements.vCpuCountMax !== undefined && requirements.vCpuCountMax < requirements.vCpuCountMin) {
      throw new ShipyardError(this, code, `instanceRequirements.vCpuCountMax ${requirements.vCpuCountMax} is below vCpuCountMin ${requirements.vCpuCountMin}`,
        'raise vCpuCountMax or lower vCpuCountMin');
    }
    const memoryMax = requirements.memoryMax?.toMebibytes();
    if (memoryMax !== undefined && memoryMax < requirements.memoryMin.toMebibytes()) {
      throw new ShipyardError(this, code, 'instanceRequirements.memoryMax is below memoryMin', 'raise memoryMax or lower memoryMin');
    }
  }

  private acknowledgeFindings(): void {
    const role = this.capacityProvider.node.tryFindChild('CapacityProviderRole');
    if (role) {
      acknowledge(role, [{
        id: 'AwsSolutions-IAM4',
        reason: 'ECS Managed Instances requires the AWS managed AmazonECSInfrastructureRolePolicyForManagedInstances on its infrastructure role.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances'],
      }]);
    }
    const instanceRole = this.capacityProvider.node.tryFindChild('InstanceRole');
    if (instanceRole) {
      const reason = 'aws-cdk-lib\'s instance role for ECS Managed Instances: ecs:DiscoverPollEndpoint has no resource-level permissions; '
        + 'polling and telemetry are limited to container instances, registration and state changes to this cluster.';
      acknowledge(instanceRole, [{
        id: 'AwsSolutions-IAM5',
        reason,
        appliesTo: ['Resource::*', 'Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:container-instance/*'],
      }]);
      acknowledgeInlinePolicy(instanceRole);
    }
  }
}

/** An AWS Resource Groups group ARN (AWS Resource Groups API Reference, GroupArn). */
const RESOURCE_GROUP_ARN = /^arn:aws(-[a-z]+)*:resource-groups:[a-z]{2}(-[a-z]+)+-\d:\d{12}:group\/([a-zA-Z0-9_.-]{1,300}|[a-zA-Z0-9_.-]{1,150}\/[a-z0-9]{26})$/;

function architectureOf(requirements: ec2.InstanceRequirementsConfig): ecs.CpuArchitecture | undefined {
  const makers = requirements.cpuManufacturers ?? [];
  if (makers.length === 0) return undefined;
  if (makers.every(m => m === ec2.CpuManufacturer.AWS)) return ecs.CpuArchitecture.ARM64;
  if (makers.every(m => m === ec2.CpuManufacturer.INTEL || m === ec2.CpuManufacturer.AMD)) return ecs.CpuArchitecture.X86_64;
  return undefined;
}
