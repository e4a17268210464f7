import {
  ArnFormat, CfnResource, CustomResource, Duration, RemovalPolicy, Stack,
  aws_autoscaling as autoscaling, aws_ecs as ecs, aws_iam as iam, aws_lambda as lambda, aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import { newestNodeRuntime } from './lambda-runtime';
import { acknowledge, acknowledgeInlinePolicy, inCompliancePacks } from './nag';

/**
 * The handler of every capacity deletion guard. Create and update do nothing. On Delete:
 *
 * - an Auto Scaling group guard (`AutoScalingGroupName`) force-deletes the group, terminating
 *   its instances, including those ECS protected from scale-in, and dropping outstanding
 *   lifecycle actions (managed draining); then waits until the group is gone. CloudFormation
 *   itself never force-deletes a group, so a stack whose capacity provider used managed
 *   termination protection hangs once the provider is gone (aws/aws-cdk#18179).
 * - a Managed Instances guard (`CapacityProviderName`, `ClusterName`) only reads: it waits
 *   until the provider is INACTIVE (or gone) and none of the cluster's container instances
 *   belongs to it, so the roles, security group and network the instances use are deleted
 *   after ECS has retired them (aws/aws-cdk#36071).
 *
 * A failed call or a wait that outlasts the function is logged and reported as success with
 * the reason, so deletion goes on as it would without the guard.
 */
export const HANDLER = `
const https = require('https');
const sleep = ms => new Promise(r => setTimeout(r, ms));
const respond = (event, context, id, reason) => new Promise((resolve, reject) => {
  const body = JSON.stringify({ Status: 'SUCCESS', Reason: reason || context.logStreamName, PhysicalResourceId: id,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  const req = https.request(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
    res => { res.resume(); res.on('end', resolve); });
  req.on('error', reject);
  req.end(body);
});
const deleteGroup = async (name, context) => {
  const as = require('@aws-sdk/client-auto-scaling');
  const client = new as.AutoScalingClient({});
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(new as.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true }));
      break;
    } catch (e) {
      if (/not found|does not exist/i.test(String(e.message))) break;
      if (attempt >= 5) throw new Error('could not force-delete ' + name + ': ' + String(e.message).slice(0, 200));
      await sleep(10000);
    }
  }
  while (context.getRemainingTimeInMillis() > 30000) {
    const out = await client.send(new as.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
    if (out.AutoScalingGroups.length === 0) return;
    console.log('waiting for ' + name + ': ' + out.AutoScalingGroups[0].Status);
    await sleep(15000);
  }
  throw new Error(name + ' was still being deleted when the guard ran out of time');
};
const awaitRetirement = async (cluster, provider, context) => {
  const ecs = require('@aws-sdk/client-ecs');
  const client = new ecs.ECSClient({});
  const instances = async () => {
    let count = 0;
    let nextToken;
    do {
      const page = await client.send(new ecs.ListContainerInstancesCommand({ cluster, nextToken }));
      const arns = page.containerInstanceArns || [];
      if (arns.length > 0) {
        const out = await client.send(new ecs.DescribeContainerInstancesCommand({ cluster, containerInstances: arns }));
        count += (out.containerInstances || []).filter(i => i.capacityProviderName === provider).length;
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return count;
  };
  while (context.getRemainingTimeInMillis() > 30000) {
    let status, remaining;
    try {
      const out = await client.send(new ecs.DescribeCapacityProvidersCommand({ capacityProviders: [provider], cluster }));
      status = ((out.capacityProviders || [])[0] || { status: 'INACTIVE' }).status;
      remaining = await instances();
    } catch (e) {
      if (/ClusterNotFound|cluster not found/i.test(String(e.name) + ' ' + String(e.message))) return;
      throw e;
    }
    if (status === 'INACTIVE' && remaining === 0) return;
    console.log('waiting for ' + provider + ': ' + status + ', ' + remaining + ' container instance(s)');
    await sleep(15000);
  }
  throw new Error(provider + ' still had instances when the guard ran out of time');
};
exports.handler = async (event, context) => {
  const props = event.ResourceProperties;
  const id = event.RequestType === 'Delete' ? event.PhysicalResourceId : (props.AutoScalingGroupName || props.CapacityProviderName);
  let reason;
  if (event.RequestType === 'Delete') {
    try {
      if (props.AutoScalingGroupName) await deleteGroup(id, context);
      else await awaitRetirement(props.ClusterName, props.CapacityProviderName, context);
    } catch (e) {
      console.error(e);
      reason = String(e.message).slice(0, 300);
    }
  }
  await respond(event, context, id, reason);
};
`;

const FUNCTION_ID = 'CapacityDeletionGuard';

/**
 * The function behind every deletion guard of an environment: created once, under `owner`.
 */
function guardFunction(owner: Construct, retention: logs.RetentionDays): lambda.Function {
  const existing = owner.node.tryFindChild(FUNCTION_ID);
  if (existing) return existing as lambda.Function;
  const logGroup = new logs.LogGroup(owner, `${FUNCTION_ID}Logs`, { retention, removalPolicy: RemovalPolicy.RETAIN });
  const role = new iam.Role(owner, `${FUNCTION_ID}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `${owner.node.path}: retires the environment's EC2 capacity in order when the stack is deleted`,
  });
  logGroup.grantWrite(role);
  const fn = new lambda.Function(owner, FUNCTION_ID, {
    runtime: newestNodeRuntime(),
    handler: 'index.handler',
    code: lambda.Code.fromInline(HANDLER),
    // Waiting for instances to terminate takes minutes; a Lambda function runs 15 at most.
    timeout: Duration.minutes(15),
    role,
    logGroup,
    description: 'cdk-shipyard: retires ECS capacity (Auto Scaling groups, Managed Instances) in order when its stack is deleted',
  });
  fn.node.addDependency(role);
  const logReason = 'Logs of the deletion guard (group, provider names and states only), encrypted at rest by CloudWatch Logs.';
  acknowledge(logGroup, inCompliancePacks('CloudWatchLogGroupEncrypted', logReason));
  const reason = 'Runs only when CloudFormation deletes EC2 capacity of this environment; it calls the Auto Scaling and ECS APIs only, '
    + 'needs no VPC access (VPC-endpoint-only environments have no Auto Scaling endpoint), and CloudFormation retries and reports its outcome.';
  acknowledge(fn, [
    ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap(pack => [
      { id: `${pack}-LambdaConcurrency`, reason },
      { id: `${pack}-LambdaDLQ`, reason },
    ]),
    ...inCompliancePacks('LambdaInsideVPC', reason),
  ]);
  acknowledgeInlinePolicy(role.node.findChild('DefaultPolicy'));
  return fn;
}

/** Options of a deletion guard. */
export interface DeletionGuardOptions {
  /** Where the shared function lives (the environment). */
  readonly owner: Construct;
  /** Retention of the function's logs. */
  readonly retention: logs.RetentionDays;
  /** What must still exist while the guard runs (the guard depends on it). */
  readonly deleteBefore: IDependable[];
}

/**
 * A custom resource that force-deletes `group` before CloudFormation deletes the capacity
 * provider association and the group itself. Services that run on the group depend on the
 * guard, so on deletion the order is: services (tasks drained and stopped) → guard (instances
 * terminated) → provider association → capacity provider → group (already gone) → cluster.
 */
export function addAutoScalingGroupGuard(scope: Construct, group: autoscaling.AutoScalingGroup, options: DeletionGuardOptions): CustomResource {
  const fn = guardFunction(options.owner, options.retention);
  // The group's ARN contains a generated id; the statement names the group itself.
  const groupArn = Stack.of(group).formatArn({
    service: 'autoscaling',
    resource: 'autoScalingGroup',
    resourceName: `*:autoScalingGroupName/${group.autoScalingGroupName}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['autoscaling:DeleteAutoScalingGroup'], resources: [groupArn] }));
  // DescribeAutoScalingGroups supports no resource-level permissions.
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['autoscaling:DescribeAutoScalingGroups'], resources: ['*'] }));
  const guard = new CustomResource(scope, 'DeletionGuard', {
    serviceToken: fn.functionArn,
    resourceType: 'Custom::ShipyardAutoScalingGroupDeletionGuard',
    properties: { AutoScalingGroupName: group.autoScalingGroupName },
  });
  for (const dependency of options.deleteBefore) guard.node.addDependency(dependency);
  acknowledgeWildcards(fn, ['Resource::*', `Resource::${groupArn}`]);
  return guard;
}

/** What a Managed Instances guard watches. */
export interface ManagedInstancesGuardOptions extends DeletionGuardOptions {
  readonly cluster: ecs.ICluster;
  /** The provider's name, known before the provider exists (the provider depends on the guard). */
  readonly capacityProviderName: string;
  /** The provider's L1, made to depend on the guard. */
  readonly capacityProvider: CfnResource;
}

/**
 * A custom resource that waits, on deletion, until ECS has retired a Managed Instances
 * provider's instances. The provider depends on the guard and the guard on what the instances
 * use (the cluster, roles, instance profile, security group, the subnets' way out), so on
 * deletion the order is: services → capacity provider (ECS deprovisions) → guard (waits until
 * the provider is INACTIVE and its container instances are gone) → roles, network, cluster.
 */
export function addManagedInstancesGuard(scope: Construct, options: ManagedInstancesGuardOptions): CustomResource {
  const fn = guardFunction(options.owner, options.retention);
  const stack = Stack.of(fn);
  const clusterName = options.cluster.clusterName;
  // DescribeCapacityProviders supports no resource-level permissions.
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeCapacityProviders'], resources: ['*'] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:ListContainerInstances'], resources: [options.cluster.clusterArn] }));
  const containerInstances = stack.formatArn({ service: 'ecs', resource: 'container-instance', resourceName: `${clusterName}/*` });
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeContainerInstances'], resources: [containerInstances] }));
  const guard = new CustomResource(scope, 'DeletionGuard', {
    serviceToken: fn.functionArn,
    resourceType: 'Custom::ShipyardManagedInstancesDeletionGuard',
    properties: { ClusterName: clusterName, CapacityProviderName: options.capacityProviderName },
  });
  for (const dependency of options.deleteBefore) guard.node.addDependency(dependency);
  options.capacityProvider.node.addDependency(guard);
  acknowledgeWildcards(fn, ['Resource::*', `Resource::${containerInstances}`]);
  return guard;
}

function acknowledgeWildcards(fn: lambda.Function, appliesTo: string[]): void {
  acknowledge(fn.role!.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: 'autoscaling:DescribeAutoScalingGroups and ecs:DescribeCapacityProviders support no resource-level permissions; an Auto Scaling group ARN '
      + 'contains a generated id, so the statement names the group; container instances are limited to this cluster.',
    appliesTo,
  }]);
}
