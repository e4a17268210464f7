import { Stack, aws_ecs as ecs, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IEnvironment } from '../environment/environment';
import { applyRoleSettings } from '../environment/roles';
import { grantEcsAgent } from '../private/ecs-agent';
import { acknowledge } from '../private/nag';
import { ownedCluster } from '../private/owned-cluster';

/** Properties of ExternalInstances. */
export interface ExternalInstancesProps {
  /** The environment whose cluster the instances join. Must be an `Environment` of this app. */
  readonly environment: IEnvironment;
}

/**
 * ECS Anywhere: servers or VMs outside AWS (on premises, other clouds) registered with the
 * environment's cluster through AWS Systems Manager.
 *
 * This creates the role the instances assume: the SSM agent's `AmazonSSMManagedInstanceCore`
 * and the ECS agent's actions on this cluster only. Registering a machine is an operator's
 * step (an SSM activation holds a one-time secret, which a template should not):
 * `registrationCommands` lists it.
 */
export class ExternalInstances extends Construct {
  /** The role the registered instances assume (give it to `aws ssm create-activation --iam-role`). */
  public readonly role: iam.Role;
  /** The cluster the instances join. */
  public readonly cluster: ecs.ICluster;

  constructor(scope: Construct, id: string, props: ExternalInstancesProps) {
    super(scope, id);
    const cluster = ownedCluster(this, props.environment, 'external instances');
    applyRoleSettings(this, props.environment.roleSettings);
    this.cluster = cluster;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com'),
      description: `${this.node.path}: ECS Anywhere instances of one cluster (SSM and ECS agents)`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    grantEcsAgent(this.role, cluster);
    acknowledge(this.role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'The SSM agent of a hybrid-activated instance needs the AWS managed AmazonSSMManagedInstanceCore to register and be managed.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore'],
    }]);
  }

  /**
   * The operator's commands that register one machine: create an SSM activation for the role,
   * then run the ECS Anywhere installer with its id and code. Source: Amazon ECS Developer
   * Guide, "Registering an external instance to a cluster".
   */
  public registrationCommands(): string[] {
    const region = Stack.of(this).region;
    return [
      `aws ssm create-activation --iam-role ${this.role.roleName} --registration-limit 1 --region ${region}`,
      'curl --proto "https" -o ecs-anywhere-install.sh "https://amazon-ecs-agent.s3.amazonaws.com/ecs-anywhere-install-latest.sh"',
      `sudo bash ecs-anywhere-install.sh --region ${region} --cluster ${this.cluster.clusterName} --activation-id <id> --activation-code <code>`,
    ];
  }
}
