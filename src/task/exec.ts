// ECS Exec: the paths its agent writes and the task-role permissions it needs.

import { aws_ecs as ecs, aws_iam as iam, aws_logs as logs } from 'aws-cdk-lib';

/** Writable paths the ECS Exec agent needs when the root file system is read-only. Source: aws/containers-roadmap#1359. */
export const EXEC_WRITABLE_PATHS = ['/var/lib/amazon', '/var/log/amazon'];

/** Where exec session logs go: the cluster's exec log group, or with logging DEFAULT the task's awslogs group; none with NONE. */
export function execLogGroup(cluster: ecs.ICluster, taskLogGroup: logs.ILogGroup | undefined): logs.ILogGroup | undefined {
  const exec = cluster.executeCommandConfiguration;
  return (exec?.logConfiguration?.cloudWatchLogGroup as logs.ILogGroup | undefined)
    ?? (exec?.logging === ecs.ExecuteCommandLogging.NONE ? undefined : taskLogGroup);
}

/**
 * The task-role permissions ECS Exec needs, the least each takes: the SSM channel, and the
 * cluster's exec key, log group and bucket; with no exec log group (logging DEFAULT), session
 * logs go where the container's awslogs driver sends its logs, so to the task's own log group.
 * Source: Amazon ECS Developer Guide, "Monitor Amazon ECS containers with ECS Exec", IAM
 * permissions and "Logging and auditing using ECS Exec".
 */
export function grantExecToTasks(taskDefinition: ecs.TaskDefinition, cluster: ecs.ICluster, taskLogGroup?: logs.ILogGroup): void {
  taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
    actions: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
    resources: ['*'],
  }));
  const exec = cluster.executeCommandConfiguration;
  if (exec?.kmsKey) taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [exec.kmsKey.keyArn] }));
  const logGroup = execLogGroup(cluster, taskLogGroup);
  if (logGroup) {
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: ['*'] }));
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
  }
  const bucket = exec?.logConfiguration?.s3Bucket;
  if (bucket) {
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetEncryptionConfiguration'], resources: [bucket.bucketArn] }));
    taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${exec?.logConfiguration?.s3KeyPrefix ?? ''}*`)] }));
  }
}
