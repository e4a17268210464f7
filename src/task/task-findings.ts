// The findings about a workload's task: cdk-nag acknowledgements for what the task model
// itself adds, and the waivable warnings (warnAboutTask).

import { Annotations, AspectPriority, Aspects, Stack, Token, aws_ec2 as ec2, aws_ecs as ecs, aws_iam as iam, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { isRoot } from './baseline';
import { execLogGroup } from './exec';
import type { TaskModel } from './task-builder';
import { CapacityPlatform } from '../capacity/capacity';
import { IEnvironment } from '../environment/environment';
import { acknowledgeUnencryptedLogGroup } from '../environment/environment-findings';
import { show } from '../guardrails/errors';
import { warn, WarningId } from '../guardrails/warnings';
import { acknowledge, acknowledgeInlinePolicy } from '../private/nag';
import { warnWithRule } from '../private/warning-rules';
import type { WorkloadTaskProps } from '../workloads/workload-props';

/** Acknowledge AwsSolutions-ECS2 (plain environment variables) once per task definition. */
export function acknowledgePlainVariables(taskDefinition: ecs.TaskDefinition): void {
  if (ACKNOWLEDGED_VARIABLES.has(taskDefinition)) return;
  ACKNOWLEDGED_VARIABLES.add(taskDefinition);
  acknowledge(taskDefinition, [{
    id: 'AwsSolutions-ECS2',
    reason: 'Plain environment variables carry configuration only: cdk-shipyard rejects credentials at synth time and passes secrets through ecs.Secret.',
  }]);
}

const ACKNOWLEDGED_VARIABLES = new WeakSet<ecs.TaskDefinition>();

export function acknowledgeTaskFindings(scope: Construct, taskDefinition: ecs.TaskDefinition, props: WorkloadTaskProps): void {
  for (const child of scope.node.children) {
    if (child instanceof logs.LogGroup && !(child.node.defaultChild as logs.CfnLogGroup).kmsKeyId) acknowledgeUnencryptedLogGroup(child);
  }
  const plainVariables = [props.environmentVariables, ...[...props.sidecars ?? [], ...props.initContainers ?? []].map(s => s.environmentVariables)]
    .some(v => v && Object.keys(v).length > 0);
  if (plainVariables || props.tracing) acknowledgePlainVariables(taskDefinition);
  if (props.operatingSystemFamily?.isWindows()) {
    // An EC2 Windows task states no runtime platform, so ShipyardChecks cannot tell it is Windows.
    const reason = 'Windows containers take none of the Linux controls (read-only root file system, user); warning cdk-shipyard:windows-baseline.';
    acknowledge(taskDefinition, [{ id: 'Shipyard-ReadOnlyRootFilesystem', reason }, { id: 'Shipyard-NonRootUser', reason }]);
  }
  const stack = Stack.of(scope);
  const executionPolicy = taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
  if (executionPolicy) {
    acknowledgeInlinePolicy(executionPolicy);
    const text = JSON.stringify(stack.resolve((executionPolicy.node.defaultChild as iam.CfnPolicy).policyDocument));
    if (text.includes('ecr:GetAuthorizationToken')) {
      acknowledge(executionPolicy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'ecr:GetAuthorizationToken does not support resource-level permissions; image pulls are limited to the images\' repositories.',
        appliesTo: ['Resource::*'],
      }]);
    }
    if (text.includes('repository/aws-for-fluent-bit')) {
      acknowledge(executionPolicy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'AWS publishes the AWS for Fluent Bit image from an AWS-owned account that differs by region; pulls are limited to that repository name in this region.',
        appliesTo: ['Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:*:repository/aws-for-fluent-bit'],
      }]);
    }
  }
}

/** The waivable warnings about a workload's task. */
export function warnAboutTask(scope: Construct, env: IEnvironment, task: TaskModel, props: WorkloadTaskProps): void {
  if (task.secretLooking.length > 0) {
    warnWithRule(scope, WarningId.SECRET_LIKE_VARIABLE,
      `environment variables ${task.secretLooking.join(', ')} look like secrets; pass them through \`secrets\` (ecs.Secret) instead`,
      task.taskDefinition.node.defaultChild!, 'NoSecretsInVariables');
  }
  if (!env.internetEgress && !task.imagesFromEcr) {
    warn(scope, WarningId.IMAGE_UNREACHABLE,
      'the environment has no internet egress (VPC endpoints only) and an image of the task is not in ECR; tasks cannot pull it unless the registry is reachable privately');
  }
  if (props.operatingSystemFamily?.isWindows()) {
    warn(scope, WarningId.WINDOWS_BASELINE,
      'Windows containers take none of the secure baseline\'s Linux controls (read-only root file system, non-root user, init process); '
      + 'run the application as a non-administrator user inside the image');
  }
  if (task.capacity.platform === CapacityPlatform.EC2 && task.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC) {
    warn(scope, WarningId.AWSVPC_ON_EC2,
      'awsvpc tasks on EC2 take one network interface of their instance each (an m7g.large has 2 to spare); '
      + 'turn on the account setting awsvpcTrunking, or use networkMode BRIDGE');
  }
  if (!env.internetEgress && props.enableExec) {
    warn(scope, WarningId.EXEC_UNREACHABLE,
      'ECS Exec needs the ssmmessages endpoint; the environment has no internet egress, so add an interface endpoint for ssmmessages to the VPC');
  }
  if (!props.operatingSystemFamily?.isWindows()) warnAboutPrivilegedPorts(scope, task.containers);
}

/**
 * A container that runs as a non-root user cannot bind a port below 1024 on ECS: the runtime
 * leaves net.ipv4.ip_unprivileged_port_start at 1024 and drops no such privilege to
 * non-root processes (aws/containers-roadmap#1721, open). The task would start and then fail
 * to listen, so synth says so.
 */
function warnAboutPrivilegedPorts(scope: Construct, containers: ecs.ContainerDefinition[]): void {
  for (const container of containers) {
    const rendered = container.renderContainerDefinition();
    if (rendered.user === undefined || Token.isUnresolved(rendered.user) || isRoot(rendered.user)) continue;
    const low = container.portMappings.map(m => m.containerPort).filter(p => !Token.isUnresolved(p) && p > 0 && p < 1024);
    if (low.length === 0) continue;
    warn(scope, WarningId.PRIVILEGED_PORT,
      `container ${container.containerName} listens on port ${low.join(', ')} as user ${show(rendered.user)}, and a non-root process cannot bind a port `
      + 'below 1024 on ECS; listen on 1024 or above (the load balancer keeps its own port: set containerPort to it, e.g. 8080), '
      + 'or run the container as root (containerSecurity.user \'0\') if the image drops privileges itself');
  }
}

/** Acknowledge the task role's findings for the wildcards the task model itself adds. */
export function acknowledgeTaskRole(
  taskDefinition: ecs.TaskDefinition, props: WorkloadTaskProps, cluster: ecs.ICluster, taskLogGroup?: logs.ILogGroup,
): void {
  const taskPolicy = taskDefinition.taskRole.node.tryFindChild('DefaultPolicy');
  if (!taskPolicy) return;
  acknowledgeInlinePolicy(taskPolicy);
  const reasons = [
    props.tracing ? 'X-Ray trace and sampling actions (xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSampling*) take no resource-level permissions'
      : undefined,
    props.enableExec ? 'the ECS Exec channel actions (ssmmessages:CreateControlChannel, ssmmessages:CreateDataChannel, ssmmessages:OpenControlChannel, '
      + 'ssmmessages:OpenDataChannel) and logs:DescribeLogGroups take no resource-level permissions' : undefined,
  ].filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return;
  const appliesTo = ['Resource::*'];
  const execLogs = props.enableExec ? execLogGroup(cluster, taskLogGroup) : undefined;
  if (execLogs) {
    // An imported group's ARN ends in :* (its streams); a group of the app's renders as its Arn attribute.
    appliesTo.push(`Resource::${execLogs.logGroupArn}`);
    reasons.push('exec session logs go to one log group and its streams only (the environment\'s exec log group, or else the task\'s own)');
  }
  acknowledge(taskPolicy, [{ id: 'AwsSolutions-IAM5', reason: `${reasons.join('; ')}.`, appliesTo }]);
}

/** Acknowledge, as the app synthesizes, aws-cdk-lib's warning that a group allowing all outbound traffic skips an egress rule. */
export function acknowledgeIgnoredEgress(group: ec2.ISecurityGroup): void {
  Aspects.of(group).add({
    visit: node => {
      if (node === group) {
        Annotations.of(group).acknowledgeWarning('@aws-cdk/aws-ec2:ipv4IgnoreEgressRule',
          'the group allows all outbound traffic, to the peers its rules name included');
      }
    },
  }, { priority: AspectPriority.MUTATING });
}
