// How a load balancer reaches a workload's tasks: the target type, and the security groups and
// ports it must be admitted to, by network mode.
import { aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import type { TaskModel } from '../task/task-builder';

/** How a load balancer reaches the tasks. */
export interface LoadBalancerPath {
  readonly targetType: 'ip' | 'instance';
  readonly groups: ec2.ISecurityGroup[];
  readonly port: ec2.Port;
}

/**
 * How a load balancer reaches the tasks: its target type, and the security groups and port
 * range it must be admitted to (the workload's group on the container port in awsvpc mode;
 * the instances' groups on the ephemeral range in bridge mode, or on the container port in
 * host mode).
 */
export function loadBalancerPath(task: TaskModel, securityGroup: ec2.ISecurityGroup | undefined, containerPort: number): LoadBalancerPath {
  const mode = task.taskDefinition.networkMode;
  if (mode === ecs.NetworkMode.AWS_VPC) return { targetType: 'ip', groups: securityGroup ? [securityGroup] : [], port: ec2.Port.tcp(containerPort) };
  const groups = task.capacity.autoScalingCapacities.map(p => p.securityGroup);
  // Docker picks dynamic host ports from the kernel's ephemeral range (32768-60999 on
  // Amazon Linux 2023) or 49153-65535; Windows (nat) from 49152-65535. Source: ECS API
  // Reference, PortMapping hostPort.
  const port = mode === ecs.NetworkMode.BRIDGE ? ec2.Port.tcpRange(32768, 65535)
    : mode === ecs.NetworkMode.NAT ? ec2.Port.tcpRange(49152, 65535)
      : ec2.Port.tcp(containerPort);
  return { targetType: 'instance', groups, port };
}
