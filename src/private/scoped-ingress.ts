import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * An ingress rule on a group that lives elsewhere (the environment's instance groups, a file
 * system's group), created in `scope`: the workload's stack holds it, so nothing in the other
 * stack refers back to the workload. `addIngressRule` would place it beside one of the groups.
 */
export function scopedIngress(scope: Construct, id: string, group: ec2.ISecurityGroup, peer: ec2.IPeer, port: ec2.Port,
  description: string): ec2.CfnSecurityGroupIngress {
  return new ec2.CfnSecurityGroupIngress(scope, id, {
    groupId: group.securityGroupId,
    ...peer.toIngressRuleConfig(),
    ...port.toRuleJson(),
    description,
  });
}
