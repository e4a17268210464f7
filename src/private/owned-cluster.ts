import { aws_ecs as ecs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { IEnvironment } from '../environment/environment';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/**
 * The environment's cluster, when this app created it: capacity providers and instance roles
 * attach to a cluster only where it is defined. `what` names what is being added, for the fix.
 */
export function ownedCluster(scope: IConstruct, env: IEnvironment, what: string): ecs.Cluster {
  const cluster = env.cluster;
  if (!(cluster instanceof ecs.Cluster)) {
    throw new ShipyardError(scope, ErrorCode.CAPACITY_PROVIDER, `the environment's cluster ${show(cluster.node.path)} is imported`,
      `add ${what} in the app that creates the Environment; an imported cluster cannot gain capacity here`);
  }
  return cluster;
}
