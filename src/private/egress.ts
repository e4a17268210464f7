import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct, Dependable, IConstruct, IDependable } from 'constructs';
import type { IEnvironment } from '../environment/environment';
import { warn, WarningId } from '../guardrails/warnings';

/**
 * What tasks and container instances in the environment's task subnets need to reach ECS,
 * ECR and CloudWatch: the subnets' route table associations and default routes (through the
 * NAT gateways) and the VPC's endpoints, including endpoints added after this call (it is
 * read at synthesis). Empty for a VPC defined outside this app.
 *
 * Whatever runs an ECS agent or a task depends on it, so CloudFormation creates it after the
 * way out exists and, on stack deletion, removes it while that way still exists: a default
 * route has no dependent of its own, so without this it is deleted first, while services
 * still drain and instances still deregister (aws/aws-cdk#36071).
 */
export function taskEgress(env: IEnvironment): IDependable {
  const egress = {};
  Dependable.implement(egress, {
    get dependencyRoots(): IConstruct[] {
      const routes = Dependable.of(env.vpc.selectSubnets(env.taskSubnets).internetConnectivityEstablished).dependencyRoots;
      const endpoints = env.vpc.node.children.filter(c => c instanceof ec2.InterfaceVpcEndpoint || c instanceof ec2.GatewayVpcEndpoint);
      return [...routes, ...endpoints];
    },
  });
  return egress;
}

/**
 * The interface endpoints an ECS container agent needs where there is no NAT.
 * Source: Amazon ECS Developer Guide, "Amazon ECS interface VPC endpoints (AWS PrivateLink)".
 */
const AGENT_ENDPOINTS: Array<[string, ec2.InterfaceVpcEndpointAwsService]> = [
  ['EcsEndpoint', ec2.InterfaceVpcEndpointAwsService.ECS],
  ['EcsAgentEndpoint', ec2.InterfaceVpcEndpointAwsService.ECS_AGENT],
  ['EcsTelemetryEndpoint', ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY],
];

/**
 * Container instances (Auto Scaling groups, Managed Instances) in an environment without
 * internet egress reach ECS through the `ecs`, `ecs-agent` and `ecs-telemetry` endpoints;
 * Fargate needs none of them, so the environment adds them only with the first EC2 capacity,
 * next to its other endpoints. A VPC defined outside the environment gets a warning instead.
 */
export function ensureAgentEndpoints(scope: Construct, env: IEnvironment): void {
  if (env.internetEgress) return;
  const vpc = env.vpc;
  const securityGroup = env.endpointSecurityGroup;
  if (!(vpc instanceof ec2.Vpc) || !securityGroup) {
    warn(scope, WarningId.AGENT_ENDPOINTS,
      'The environment has no internet egress and its VPC was not created by it: container instances reach ECS only if the VPC '
      + 'has interface endpoints for ecs, ecs-agent and ecs-telemetry (with private DNS) in the task subnets.');
    return;
  }
  for (const [id, service] of AGENT_ENDPOINTS) {
    if (vpc.node.tryFindChild(id)) continue;
    vpc.addInterfaceEndpoint(id, { service, subnets: env.taskSubnets, privateDnsEnabled: true, securityGroups: [securityGroup], open: false });
  }
}
