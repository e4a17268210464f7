import {
  ArnFormat, CustomResource, Duration, RemovalPolicy, Stack, aws_autoscaling as autoscaling, aws_iam as iam, aws_lambda as lambda, aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { acknowledge, acknowledgeInlinePolicy, inCompliancePacks } from './nag';

/**
 * On stack deletion, force-delete the Auto Scaling group: terminate its instances, including
 * those ECS protected from scale-in, and drop outstanding lifecycle actions (managed
 * draining); then wait until the group is gone. CloudFormation itself never force-deletes a
 * group, so a stack whose capacity provider used managed termination protection hangs once
 * the provider is gone (aws/aws-cdk#18179, aws/containers-roadmap#2862). Create and update do
 * nothing; a failed call is logged and reported as success so deletion goes on.
 */
export const HANDLER = `
const { AutoScalingClient, DeleteAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } = require('@aws-sdk/client-auto-scaling');
const https = require('https');
const client = new AutoScalingClient({});
const sleep = ms => new Promise(r => setTimeout(r, ms));
const respond = (event, context, name, reason) => new Promise((resolve, reject) => {
  const body = JSON.stringify({ Status: 'SUCCESS', Reason: reason || context.logStreamName, PhysicalResourceId: name,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  const req = https.request(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
    res => { res.resume(); res.on('end', resolve); });
  req.on('error', reject);
  req.end(body);
});
exports.handler = async (event, context) => {
  const name = event.RequestType === 'Delete' ? event.PhysicalResourceId : event.ResourceProperties.AutoScalingGroupName;
  let reason;
  if (event.RequestType === 'Delete') {
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await client.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true }));
          break;
        } catch (e) {
          if (/not found|does not exist/i.test(String(e.message))) break;
          if (attempt >= 5) throw e;
          await sleep(10000);
        }
      }
      while (context.getRemainingTimeInMillis() > 30000) {
        const out = await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
        if (out.AutoScalingGroups.length === 0) break;
        console.log('waiting for ' + name + ': ' + out.AutoScalingGroups[0].Status);
        await sleep(15000);
      }
    } catch (e) {
      console.error(e);
      reason = 'could not force-delete ' + name + ': ' + String(e.message).slice(0, 200);
    }
  }
  await respond(event, context, name, reason);
};
`;

const FUNCTION_ID = 'AutoScalingGroupDeletionGuard';

/**
 * The function behind every deletion guard of an environment: created once, under `owner`.
 */
function guardFunction(owner: Construct, retention: logs.RetentionDays): lambda.Function {
  const existing = owner.node.tryFindChild(FUNCTION_ID);
  if (existing) return existing as lambda.Function;
  const logGroup = new logs.LogGroup(owner, `${FUNCTION_ID}Logs`, { retention, removalPolicy: RemovalPolicy.RETAIN });
  const role = new iam.Role(owner, `${FUNCTION_ID}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `${owner.node.path}: force-deletes the environment's Auto Scaling groups when the stack is deleted`,
  });
  logGroup.grantWrite(role);
  // DescribeAutoScalingGroups supports no resource-level permissions.
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['autoscaling:DescribeAutoScalingGroups'], resources: ['*'] }));
  const fn = new lambda.Function(owner, FUNCTION_ID, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(HANDLER),
    // Waiting for the instances to terminate takes minutes; CloudFormation waits up to an hour.
    timeout: Duration.minutes(15),
    role,
    logGroup,
    description: 'cdk-shipyard: force-deletes an ECS Auto Scaling group when its stack is deleted',
  });
  fn.node.addDependency(role);
  acknowledgeUnencrypted(logGroup);
  const reason = 'Runs only when CloudFormation deletes an Auto Scaling group of this environment; it calls the Auto Scaling API only, '
    + 'needs no VPC access (VPC-endpoint-only environments have no Auto Scaling endpoint), and CloudFormation retries and reports its outcome.';
  acknowledge(fn, [
    ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap(pack => [
      { id: `${pack}-LambdaConcurrency`, reason },
      { id: `${pack}-LambdaDLQ`, reason },
    ]),
    ...inCompliancePacks('LambdaInsideVPC', reason),
  ]);
  acknowledge(role.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: 'autoscaling:DescribeAutoScalingGroups supports no resource-level permissions.',
    appliesTo: ['Resource::*'],
  }]);
  acknowledgeInlinePolicy(role.node.findChild('DefaultPolicy'));
  return fn;
}

function acknowledgeUnencrypted(logGroup: logs.LogGroup): void {
  const reason = 'Logs of the deletion guard (group names and states only), encrypted at rest by CloudWatch Logs.';
  acknowledge(logGroup, inCompliancePacks('CloudWatchLogGroupEncrypted', reason));
}

/** Options of a deletion guard. */
export interface DeletionGuardOptions {
  /** Where the shared function lives (the environment). */
  readonly owner: Construct;
  /** Retention of the function's logs. */
  readonly retention: logs.RetentionDays;
  /** What must still exist while the guard deletes the group (the cluster and its provider associations). */
  readonly deleteBefore: IConstruct[];
}

/**
 * A custom resource that force-deletes `group` before CloudFormation deletes the capacity
 * provider association and the group itself. Services that run on the group depend on the
 * guard, so on deletion the order is: services (tasks drained and stopped) → guard (instances
 * terminated) → provider association → capacity provider → group (already gone) → cluster.
 */
export function addDeletionGuard(scope: Construct, group: autoscaling.AutoScalingGroup, options: DeletionGuardOptions): CustomResource {
  const fn = guardFunction(options.owner, options.retention);
  const stack = Stack.of(group);
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['autoscaling:DeleteAutoScalingGroup'],
    resources: [stack.formatArn({
      service: 'autoscaling',
      resource: 'autoScalingGroup',
      resourceName: `*:autoScalingGroupName/${group.autoScalingGroupName}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    })],
  }));
  const guard = new CustomResource(scope, 'DeletionGuard', {
    serviceToken: fn.functionArn,
    resourceType: 'Custom::ShipyardAutoScalingGroupDeletionGuard',
    properties: { AutoScalingGroupName: group.autoScalingGroupName },
  });
  for (const dependency of options.deleteBefore) guard.node.addDependency(dependency);
  // The group's ARN contains a generated id; the statement names the group itself.
  acknowledge(fn.role!.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: 'An Auto Scaling group ARN contains a generated id; the statement names the environment\'s group.',
    appliesTo: [`Resource::arn:<AWS::Partition>:autoscaling:<AWS::Region>:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/<${stack.getLogicalId(group.node.defaultChild as autoscaling.CfnAutoScalingGroup)}>`],
  }]);
  return guard;
}
