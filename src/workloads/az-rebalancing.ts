import { Token, aws_ecs as ecs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { CHANGED_DEFAULTS, takesNewDefault } from '../guardrails/changed-defaults';
import { ErrorCode, Problem, ShipyardError } from '../guardrails/errors';

/*
 * Availability Zone rebalancing (`AWS::ECS::Service` `AvailabilityZoneRebalancing`: ENABLED or
 * DISABLED). Sources:
 * - AWS CloudFormation Template Reference, AWS::ECS::Service, AvailabilityZoneRebalancing (and
 *   the ECS API Reference, CreateService / UpdateService): on create, no value means ENABLED; on
 *   update, no value keeps the service's existing value, and a service that never had one is
 *   DISABLED. Changing it starts no new deployment.
 * - Amazon ECS Developer Guide, "Balancing an Amazon ECS service across Availability Zones"
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html), as
 *   aws-cdk-lib's aws-ecs README repeats it: it works for REPLICA services whose first placement
 *   strategy, if any, spreads across Availability Zones; not with the DAEMON strategy, the
 *   EXTERNAL launch type (ECS Anywhere), a maximumPercent of 100, a Classic Load Balancer, or an
 *   `attribute:ecs.availability-zone` placement constraint (the same list aws-cdk-lib validates,
 *   aws/aws-cdk#32263). AWS's notice to ECS customers (quoted in
 *   DistributedScience/Distributed-CellProfiler#198) made it the default of new compatible
 *   services from 30 June 2025, incompatible ones (a binpack first strategy) defaulting to
 *   DISABLED; services created before keep DISABLED until an update sets a value. The documents
 *   name no restriction by deployment controller, so blue/green and CodeDeploy services count
 *   as compatible.
 * aws-cdk-lib 2.257 types the property (`availabilityZoneRebalancing` on FargateService and
 * Ec2Service) and refuses ENABLED on a daemon, with maxHealthyPercent 100, after a first placement
 * strategy other than the zone spread, with a zone constraint and with a Classic Load Balancer.
 */

const ZONE = ecs.BuiltInAttributes.AVAILABILITY_ZONE;

/** What the service builder knows when it decides. */
export interface RebalancingContext {
  /** What the workload asked for, if anything. */
  readonly asked?: ecs.AvailabilityZoneRebalancing;
  readonly capacity: Capacity;
  readonly daemon: boolean;
  readonly maxHealthyPercent?: number;
}

/** Why ECS cannot rebalance the service, with the code and fix of an error that asks it to. */
interface Obstacle {
  readonly code: ErrorCode;
  readonly reason: string;
  readonly fix: string;
  /** Whether the service can carry the property at all (a REPLICA service on ECS capacity); DISABLED is written only then. */
  readonly replica: boolean;
}

/**
 * The service's AvailabilityZoneRebalancing. Asked: ENABLED where ECS can rebalance (else a
 * ShipyardError naming why), DISABLED on any replica service. Not asked: ENABLED where ECS can
 * rebalance (a changed default: the app's `cdk-shipyard:availabilityZoneRebalancing` flag, or
 * the new behaviour with a warning), DISABLED on a replica service ECS cannot rebalance, whatever
 * the flag: an update with no value keeps the value ECS chose when it created the service, which
 * may be ENABLED, and the new settings would not allow it. Daemons and ECS Anywhere services get
 * no property: ECS never rebalances them.
 */
export function availabilityZoneRebalancing(scope: IConstruct, context: RebalancingContext): ecs.AvailabilityZoneRebalancing | undefined {
  const obstacle = rebalancingObstacle(context);
  const { ENABLED, DISABLED } = ecs.AvailabilityZoneRebalancing;
  if (context.asked === ENABLED && obstacle) {
    throw new ShipyardError(scope, obstacle.code, `availabilityZoneRebalancing is ENABLED, and ${obstacle.reason}`, obstacle.fix);
  }
  if (context.asked !== undefined && context.asked !== ENABLED && context.asked !== DISABLED) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `availabilityZoneRebalancing is ${String(context.asked)}`,
      'give ecs.AvailabilityZoneRebalancing.ENABLED or DISABLED, or leave it out');
  }
  if (obstacle) return obstacle.replica ? DISABLED : undefined;
  if (context.asked !== undefined) return context.asked;
  return takesNewDefault(scope, CHANGED_DEFAULTS.availabilityZoneRebalancing) ? ENABLED : undefined;
}

/** The first reason ECS cannot rebalance the service, if any. */
function rebalancingObstacle(context: RebalancingContext): Obstacle | undefined {
  const off = 'leave availabilityZoneRebalancing out (the library writes DISABLED where ECS cannot rebalance)';
  if (context.daemon) {
    return { code: ErrorCode.PLATFORM, reason: 'the service is a daemon (DAEMON scheduling), which ECS does not rebalance', fix: off, replica: false };
  }
  if (context.capacity.platform === CapacityPlatform.EXTERNAL) {
    return { code: ErrorCode.PLATFORM, reason: 'the tasks run on ECS Anywhere (the EXTERNAL launch type), which ECS does not rebalance', fix: off, replica: false };
  }
  const max = context.maxHealthyPercent;
  if (max !== undefined && !Token.isUnresolved(max) && max <= 100) {
    return {
      code: ErrorCode.DEPLOYMENT,
      reason: `maxHealthyPercent is ${max}%, so ECS cannot start a task in one zone before it stops one in another`,
      fix: `raise the deployment's maxHealthyPercent above 100 (Deployment.rolling({ maxHealthyPercent: 200 })), or ${off}`,
      replica: true,
    };
  }
  const first = context.capacity.placementStrategies.flatMap(s => s.toJson())[0];
  if (first && (first.type !== 'spread' || first.field !== ZONE)) {
    return {
      code: ErrorCode.PLATFORM,
      reason: `the capacity's first placement strategy is ${first.type}${first.field ? ` on ${first.field}` : ''}, not a spread across Availability Zones`,
      fix: `put ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE) first in placementStrategies, or ${off}`,
      replica: true,
    };
  }
  const zoneConstraint = context.capacity.placementConstraints.flatMap(c => c.toJson()).find(c => c.expression?.includes(ZONE));
  if (zoneConstraint) {
    return {
      code: ErrorCode.PLATFORM,
      reason: `the capacity has the placement constraint ${zoneConstraint.expression}, which pins tasks by Availability Zone`,
      fix: `remove the ${ZONE} constraint, or ${off}`,
      replica: true,
    };
  }
  return undefined;
}

/**
 * ENABLED in the rendered template (an escape hatch included) on a service ECS cannot
 * rebalance: with a maximumPercent of 100 or the DAEMON strategy.
 */
export function renderedRebalancingProblems(rendered: Record<string, any>): Problem[] {
  if (rendered.AvailabilityZoneRebalancing !== 'ENABLED') return [];
  if (rendered.SchedulingStrategy === 'DAEMON') {
    return [{ code: ErrorCode.PLATFORM, problem: 'AvailabilityZoneRebalancing is ENABLED on a DAEMON service', fix: 'remove the override: ECS does not rebalance daemons' }];
  }
  if (rendered.DeploymentConfiguration?.MaximumPercent === 100) {
    return [{
      code: ErrorCode.DEPLOYMENT,
      problem: 'AvailabilityZoneRebalancing is ENABLED with a MaximumPercent of 100',
      fix: 'raise maxHealthyPercent above 100, or set availabilityZoneRebalancing to DISABLED',
    }];
  }
  return [];
}
