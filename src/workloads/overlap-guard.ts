import {
  RemovalPolicy, Stack, aws_ecs as ecs, aws_iam as iam, aws_kms as kms, aws_logs as logs,
  aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeUnencryptedLogGroup } from '../environment/environment';
import { acknowledge, acknowledgeInlinePolicy } from '../private/nag';

/** What the guard starts. */
export interface OverlapGuardProps {
  readonly cluster: ecs.ICluster;
  readonly taskDefinition: ecs.TaskDefinition;
  /** The RunTask parameters (capacity, network, tags) in the ECS API's shape. */
  readonly runTaskParameters: { [key: string]: unknown };
  readonly logRetention: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * A Step Functions state machine that starts the job's task only when no task of its
 * family is running or pending in the cluster (ECS ListTasks, then RunTask): Scheduler
 * starts the machine instead of the task, so overlapping runs are skipped.
 */
export class OverlapGuard extends Construct {
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: OverlapGuardProps) {
    super(scope, id);
    const listTasks = new tasks.CallAwsService(this, 'ListRunningTasks', {
      service: 'ecs',
      action: 'listTasks',
      parameters: { Cluster: props.cluster.clusterArn, Family: props.taskDefinition.family, DesiredStatus: 'RUNNING' },
      // ecs:ListTasks is authorized on container instances only; the cluster condition limits it.
      iamResources: ['*'],
      additionalIamStatements: [],
      resultSelector: { 'running.$': '$.TaskArns' },
    });
    const roles = [props.taskDefinition.taskRole, props.taskDefinition.executionRole].filter((r): r is iam.IRole => r !== undefined);
    const runTask = new tasks.CallAwsService(this, 'RunTask', {
      service: 'ecs',
      action: 'runTask',
      parameters: { Cluster: props.cluster.clusterArn, TaskDefinition: props.taskDefinition.taskDefinitionArn, Count: 1, ...props.runTaskParameters },
      iamResources: [props.taskDefinition.taskDefinitionArn],
      additionalIamStatements: [
        new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: roles.map(r => r.roleArn) }),
        new iam.PolicyStatement({
          actions: ['ecs:TagResource'],
          resources: [Stack.of(this).formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*` })],
          conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
        }),
      ],
    });
    const skip = new sfn.Succeed(this, 'AlreadyRunning', { comment: 'A run of the job is still in progress' });
    const definition = listTasks.next(new sfn.Choice(this, 'IsRunning')
      .when(sfn.Condition.isPresent('$.running[0]'), skip)
      .otherwise(runTask));
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: `${scope.node.path}: start the job unless a run is in progress`,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    this.narrowListTasks(props.cluster);
    if (!props.logEncryptionKey) acknowledgeUnencryptedLogGroup(logGroup);
  }

  /** Deny ListTasks outside the cluster (it takes no resource-level permission), and acknowledge the policy's wildcards. */
  private narrowListTasks(cluster: ecs.ICluster): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
    this.stateMachine.role.addToPrincipalPolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'ecs:cluster': cluster.clusterArn } },
    }));
    const finalPolicy = policy ?? this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (finalPolicy) {
      acknowledgeInlinePolicy(finalPolicy);
      const cfnCluster = cluster.node.defaultChild;
      const appliesTo = ['Resource::*'];
      if (cfnCluster instanceof ecs.CfnCluster) {
        appliesTo.push(`Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<${Stack.of(this).getLogicalId(cfnCluster)}>/*`);
      }
      acknowledge(finalPolicy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'ecs:ListTasks, X-Ray tracing and CloudWatch Logs delivery take no resource-level permissions (ListTasks is denied outside the cluster); '
          + 'tags may be put only on tasks of the cluster as RunTask creates them.',
        appliesTo,
      }]);
    }
  }
}
