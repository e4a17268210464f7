import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Dependable, IConstruct, IDependable } from 'constructs';
import type { IEnvironment } from '../environment/environment';

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
