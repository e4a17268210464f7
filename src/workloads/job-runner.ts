import {
  RemovalPolicy, Stack, aws_ecs as ecs, aws_iam as iam, aws_kms as kms, aws_logs as logs,
  aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { grantRunTask } from './standalone-task';
import { acknowledgeUnencryptedLogGroup } from '../environment/environment-findings';
import { acknowledge, acknowledgeInlinePolicy } from '../private/nag';

/** What the runner starts, and how. */
export interface JobRunnerProps {
  readonly cluster: ecs.ICluster;
  readonly taskDefinition: ecs.TaskDefinition;
  /** The RunTask parameters (capacity, network, tags) in the ECS API's shape. */
  readonly runTaskParameters: { [key: string]: unknown };
  readonly logRetention: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
  /** Skip the run while a task of the family is running or pending. */
  readonly preventOverlap: boolean;
  /** Run the task again this many times when a run fails (0: start it and finish). */
  readonly reruns: number;
}

/**
 * Copilot's scheduled-job state machine waits `IntervalSeconds: 10` before the first rerun and
 * multiplies the wait by 1.5 each time (copilot-cli, templates/workloads/partials/cf/state-machine-definition.json.yml).
 * The same figures keep a ported job's timing.
 */
const RERUN_INTERVAL_SECONDS = 10;
const RERUN_BACKOFF_RATE = 1.5;

/**
 * The Step Functions state machine a ScheduledJob's schedule starts when a run needs more than
 * RunTask:
 * - with `preventOverlap`, it lists the family's tasks in the cluster (ECS ListTasks) and
 *   starts a run only when there are none;
 * - with reruns, it runs the task with the `ecs:runTask.sync` integration, which waits for the
 *   task to stop and fails the state when a container exits non-zero or the task fails to start,
 *   and retries the state, Copilot's `retries`.
 */
export class JobRunner extends Construct {
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: JobRunnerProps) {
    super(scope, id);
    const run = props.reruns > 0 ? this.runAndWait(props) : this.runTask(props);
    const definition = props.preventOverlap ? this.unlessRunning(props, run) : run;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const unless = props.preventOverlap ? ' unless a run is in progress' : '';
    const rerun = props.reruns > 0 ? `, re-running a failed run up to ${props.reruns} times` : '';
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: `${scope.node.path}: start the job${unless}${rerun}`,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    if (props.reruns > 0) this.allowRunAndWait(props);
    if (props.preventOverlap) this.narrowListTasks(props.cluster);
    this.acknowledgePolicy(props);
    if (!props.logEncryptionKey) acknowledgeUnencryptedLogGroup(logGroup);
  }

  /** Start the task and finish (the AWS SDK integration). */
  private runTask(props: JobRunnerProps): sfn.IChainable {
    const roles = [props.taskDefinition.taskRole, props.taskDefinition.executionRole].filter((r): r is iam.IRole => r !== undefined);
    return new tasks.CallAwsService(this, 'RunTask', {
      service: 'ecs',
      action: 'runTask',
      parameters: { Cluster: props.cluster.clusterArn, TaskDefinition: props.taskDefinition.taskDefinitionArn, Count: 1, ...props.runTaskParameters },
      iamResources: [props.taskDefinition.taskDefinitionArn],
      additionalIamStatements: [
        new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: roles.map(r => r.roleArn) }),
        new iam.PolicyStatement({
          actions: ['ecs:TagResource'],
          resources: [this.clusterTasks(props.cluster)],
          conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
        }),
      ],
    });
  }

  /**
   * Run the task and wait for it to stop, retrying on any error: a container that exits
   * non-zero fails the state (States.TaskFailed), and so does a task that cannot start
   * (AmazonECS.* errors from RunTask's failures). Source: Step Functions Developer Guide,
   * "Run Amazon ECS or Fargate tasks with Step Functions" and "Handling errors in Step Functions workflows".
   */
  private runAndWait(props: JobRunnerProps): sfn.IChainable {
    return new sfn.CustomState(this, 'RunTaskAndWait', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Stack.of(this).partition}:states:::ecs:runTask.sync`,
        Parameters: { Cluster: props.cluster.clusterArn, TaskDefinition: props.taskDefinition.taskDefinitionArn, ...props.runTaskParameters },
        // The task's description is large and not needed by later states.
        ResultPath: null,
        Retry: [{
          ErrorEquals: ['States.ALL'],
          IntervalSeconds: RERUN_INTERVAL_SECONDS,
          BackoffRate: RERUN_BACKOFF_RATE,
          MaxAttempts: props.reruns,
        }],
      },
    });
  }

  /** Skip the run while a task of the family is running or pending in the cluster. */
  private unlessRunning(props: JobRunnerProps, run: sfn.IChainable): sfn.IChainable {
    const listTasks = new tasks.CallAwsService(this, 'ListRunningTasks', {
      service: 'ecs',
      action: 'listTasks',
      parameters: { Cluster: props.cluster.clusterArn, Family: props.taskDefinition.family, DesiredStatus: 'RUNNING' },
      // ecs:ListTasks is authorized on container instances only; the cluster condition limits it.
      iamResources: ['*'],
      additionalIamStatements: [],
      resultSelector: { 'running.$': '$.TaskArns' },
    });
    const skip = new sfn.Succeed(this, 'AlreadyRunning', { comment: 'A run of the job is still in progress' });
    return listTasks.next(new sfn.Choice(this, 'IsRunning')
      .when(sfn.Condition.isPresent('$.running[0]'), skip)
      .otherwise(run));
  }

  /**
   * What `ecs:runTask.sync` needs: RunTask on this task definition in this cluster (with tags
   * and the roles passed), StopTask and DescribeTasks on the cluster's tasks, and the managed
   * rule through which Step Functions learns that the task stopped. Source: Step Functions
   * Developer Guide, "IAM policies for Amazon ECS/AWS Fargate" (Run a Job).
   */
  private allowRunAndWait(props: JobRunnerProps): void {
    grantRunTask(this, this.stateMachine, props.taskDefinition, props.cluster);
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
      resources: [this.clusterTasks(props.cluster)],
    }));
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [Stack.of(this).formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForECSTaskRule' })],
    }));
  }

  /** Deny ListTasks outside the cluster (it takes no resource-level permission). */
  private narrowListTasks(cluster: ecs.ICluster): void {
    this.stateMachine.role.addToPrincipalPolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'ecs:cluster': cluster.clusterArn } },
    }));
  }

  /** Acknowledge the policy's wildcards, each with its reason. */
  private acknowledgePolicy(props: JobRunnerProps): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    acknowledgeInlinePolicy(policy);
    const appliesTo = ['Resource::*'];
    const cfnCluster = props.cluster.node.defaultChild;
    if (cfnCluster instanceof ecs.CfnCluster) {
      appliesTo.push(`Resource::${this.clusterTasks(props.cluster)}`);
    }
    acknowledge(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: (props.preventOverlap ? 'ecs:ListTasks, ' : '') + 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSampling*) '
        + 'and CloudWatch Logs delivery (logs:*LogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy, logs:DescribeResourcePolicies, '
        + 'logs:DescribeLogGroups) take no resource-level permissions'
        + (props.preventOverlap ? ' (ListTasks is denied outside the cluster)' : '') + '; '
        + (props.reruns > 0
          ? 'RunTask tags, StopTask and DescribeTasks apply only to tasks of the cluster (task ids are not known in advance).'
          : 'tags may be put only on tasks of the cluster as RunTask creates them.'),
      appliesTo,
    }]);
  }

  private clusterTasks(cluster: ecs.ICluster): string {
    return Stack.of(this).formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` });
  }
}
