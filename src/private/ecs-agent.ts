import { Stack, aws_ecs as ecs, aws_iam as iam } from 'aws-cdk-lib';
import { acknowledge, acknowledgeInlinePolicy } from './nag';

/**
 * The ECS container agent's permissions, from the AmazonEC2ContainerServiceforEC2Role policy
 * cut to one cluster: registration and state changes on the cluster, polling and telemetry
 * on its container instances. Image pulls and logs use each task's execution role.
 */
export function grantEcsAgent(role: iam.Role, cluster: ecs.Cluster): void {
  const stack = Stack.of(role);
  const containerInstances = stack.formatArn({ service: 'ecs', resource: 'container-instance', resourceName: `${cluster.clusterName}/*` });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:RegisterContainerInstance', 'ecs:DeregisterContainerInstance', 'ecs:SubmitAttachmentStateChanges',
      'ecs:SubmitContainerStateChange', 'ecs:SubmitTaskStateChange'],
    resources: [cluster.clusterArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:Poll', 'ecs:StartTelemetrySession', 'ecs:PutSystemLogEvents', 'ecs:UpdateContainerInstancesState'],
    resources: [containerInstances],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['ecs:TagResource'],
    resources: [containerInstances],
    conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterContainerInstance' } },
  }));
  // DiscoverPollEndpoint supports no resource-level permissions.
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DiscoverPollEndpoint'], resources: ['*'] }));

  const policy = role.node.findChild('DefaultPolicy');
  acknowledgeInlinePolicy(policy);
  acknowledge(policy, [{
    id: 'AwsSolutions-IAM5',
    reason: 'ecs:DiscoverPollEndpoint supports no resource-level permissions; the other agent actions are limited to this cluster\'s container instances.',
    appliesTo: ['Resource::*', `Resource::${containerInstances}`],
  }]);
}
