// VPC Lattice for a service: ECS registers the service's tasks, by IP, in VPC Lattice target
// groups through an infrastructure role of the service's own.
import { Token, aws_ecs as ecs, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { acknowledge, acknowledgeInlinePolicy } from '../private/nag';
import type { TaskModel } from '../task/task-builder';

/** A VPC Lattice target group the service's tasks register in. */
export interface VpcLatticeTarget {
  /**
   * The ARN of the VPC Lattice target group (`AWS::VpcLattice::TargetGroup` of type `IP`, in the
   * environment's VPC), for example `latticeTargetGroup.attrArn`.
   */
  readonly targetGroupArn: string;
  /**
   * The name of the port mapping whose port the targets are registered on.
   * @default - the main container's first named port mapping (`http` on a web service, `api` on a backend service)
   */
  readonly portName?: string;
}

/** `arn:<partition>:vpc-lattice:<region>:<account>:targetgroup/tg-<id>`, when written out. */
const TARGET_GROUP_ARN = /^arn:aws[a-z-]*:vpc-lattice:[a-z0-9-]+:\d{12}:targetgroup\/tg-[0-9a-z]+$/;

/**
 * Register the service's tasks in `targets` (AWS::ECS::Service VpcLatticeConfigurations: RoleArn,
 * TargetGroupArn, PortName). Sources: Amazon ECS Developer Guide, "Use Amazon VPC Lattice to
 * connect, observe, and secure your Amazon ECS services" (tasks become IP targets, registered
 * and deregistered by ECS, and are replaced when Lattice's health checks fail); the AWS managed
 * policy AmazonECSInfrastructureRolePolicyForVpcLattice, whose actions the role gets, scoped to
 * these target groups instead of every one in the account.
 */
export function registerInVpcLattice(scope: Construct, service: ecs.BaseService, task: TaskModel, targets: VpcLatticeTarget[]): void {
  if (targets.length === 0) return;
  if (task.taskDefinition.networkMode !== ecs.NetworkMode.AWS_VPC) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `vpcLattice is given, and the tasks run in ${task.taskDefinition.networkMode} network mode`,
      'run the service in awsvpc mode (the default on Fargate): VPC Lattice reaches ECS tasks as IP targets');
  }
  const named = task.containers.flatMap(c => c.portMappings.map(m => m.name)).filter((n): n is string => n !== undefined);
  const defaultPort = task.container.portMappings.find(m => m.name !== undefined)?.name;
  const configurations = targets.map((target, i) => {
    const where = `vpcLattice[${i}]`;
    if (!Token.isUnresolved(target.targetGroupArn) && !TARGET_GROUP_ARN.test(target.targetGroupArn)) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `${where}.targetGroupArn ${show(target.targetGroupArn)} is not a VPC Lattice target group ARN`,
        'give arn:aws:vpc-lattice:<region>:<account>:targetgroup/tg-<id>, or a target group\'s attrArn');
    }
    const portName = target.portName ?? defaultPort;
    if (portName === undefined || !named.includes(portName)) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS,
        portName === undefined ? `${where} gives no portName, and the main container has no named port mapping`
          : `${where}.portName ${show(portName)} names no port mapping of the task (named: ${named.join(', ') || 'none'})`,
        'give the name of a port mapping of one of the task\'s containers');
    }
    return { targetGroupArn: target.targetGroupArn, portName };
  });
  const role = latticeRole(scope, configurations.map(c => c.targetGroupArn));
  (service.node.defaultChild as ecs.CfnService).vpcLatticeConfigurations = configurations.map(c => ({ ...c, roleArn: role.roleArn }));
  // ECS needs the role's permissions when it registers the first tasks.
  service.node.addDependency(role);
}

/** The service's infrastructure role for VPC Lattice: trusted by ECS, allowed the managed policy's actions on these target groups only. */
function latticeRole(scope: Construct, targetGroupArns: string[]): iam.Role {
  const role = new iam.Role(scope, 'VpcLatticeRole', {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    description: `${scope.node.path}: lets ECS register the service's tasks in its VPC Lattice target groups`,
  });
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['vpc-lattice:RegisterTargets', 'vpc-lattice:DeregisterTargets', 'vpc-lattice:GetTargetGroup', 'vpc-lattice:ListTargets'],
    resources: targetGroupArns,
  }));
  // The EC2 describe actions support no resource-level permissions (as in the managed policy).
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeInstances'], resources: ['*'] }));
  const policy = role.node.findChild('DefaultPolicy');
  acknowledgeInlinePolicy(policy);
  acknowledge(policy, [{
    id: 'AwsSolutions-IAM5',
    reason: 'ec2:DescribeSubnets, ec2:DescribeVpcs and ec2:DescribeInstances support no resource-level permissions; '
      + 'the VPC Lattice actions are limited to the service\'s target groups.',
    appliesTo: ['Resource::*'],
  }]);
  return role;
}
