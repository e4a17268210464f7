import {
  Duration, Token, aws_ec2 as ec2, aws_ecs as ecs, aws_events as events,
  aws_events_targets as eventsTargets, aws_iam as iam, aws_logs as logs, aws_s3 as s3, aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { buildStandaloneTask, pascalCase, runTaskPlacement } from './standalone-task';
import { WorkloadProps } from './workload-props';
import { applyEnvironmentSettings, deliveryDeadLetterQueue } from './workload-settings';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { IEnvironment } from '../environment/environment';
import { checkInteger, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { acknowledge, acknowledgeInlinePolicy } from '../private/nag';
import { acknowledgePlainVariables, warnAboutTask } from '../task/task-findings';

/** Options of S3 object-created events. */
export interface S3ObjectCreatedOptions {
  /**
   * Only keys starting with this prefix.
   * @default - every key
   */
  readonly prefix?: string;
  /**
   * Only keys ending with this suffix.
   * @default - every key
   */
  readonly suffix?: string;
}

/** The EventBridge events that start an EventTask. */
export class EventTrigger {
  /** Events matching an EventBridge pattern. */
  public static pattern(pattern: events.EventPattern): EventTrigger {
    return new EventTrigger(() => pattern);
  }

  /** Events matching an EventBridge pattern given as JSON (as in the console or a file). */
  public static patternJson(json: string): EventTrigger {
    return new EventTrigger(scope => parsePattern(scope, json));
  }

  /**
   * Objects created in a bucket. The bucket must send its events to EventBridge
   * (`eventBridgeEnabled: true` on an `s3.Bucket`).
   */
  public static s3ObjectCreated(bucket: s3.IBucket, options: S3ObjectCreatedOptions = {}): EventTrigger {
    return new EventTrigger(() => {
      const key: Array<Record<string, string>> = [];
      if (options.prefix) key.push({ prefix: options.prefix });
      if (options.suffix) key.push({ suffix: options.suffix });
      return {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [bucket.bucketName] }, ...(key.length > 0 ? { object: { key } } : {}) },
      };
    });
  }

  private constructor(private readonly produce: (scope: Construct) => events.EventPattern) {}

  /**
   * The pattern, validated.
   * @internal
   */
  public _bind(scope: Construct): events.EventPattern {
    return this.produce(scope);
  }
}

const PATTERN_KEYS: Record<string, keyof events.EventPattern> = {
  'source': 'source',
  'detail-type': 'detailType',
  'detail': 'detail',
  'account': 'account',
  'region': 'region',
  'resources': 'resources',
  'id': 'id',
  'time': 'time',
  'version': 'version',
};

function parsePattern(scope: Construct, json: string): events.EventPattern {
  if (Token.isUnresolved(json)) {
    throw new ShipyardError(scope, ErrorCode.EVENT_PATTERN, 'the event pattern is a token', 'give the pattern as literal JSON or use EventTrigger.pattern');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new ShipyardError(scope, ErrorCode.EVENT_PATTERN, `the event pattern is not valid JSON (${(e as Error).message})`, 'fix the JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    throw new ShipyardError(scope, ErrorCode.EVENT_PATTERN, `the event pattern ${show(parsed)} is not a non-empty JSON object`,
      'give an object such as {"source": ["aws.s3"], "detail-type": ["Object Created"]}');
  }
  const pattern: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const field = PATTERN_KEYS[key];
    if (!field) {
      throw new ShipyardError(scope, ErrorCode.EVENT_PATTERN, `the event pattern has the field ${show(key)}, which events do not have`,
        `match on ${Object.keys(PATTERN_KEYS).join(', ')}`);
    }
    pattern[field] = value;
  }
  return pattern as events.EventPattern;
}

/** Properties of an EventTask. */
export interface EventTaskProps extends WorkloadProps {
  /** The events that start a task. */
  readonly trigger: EventTrigger;
  /**
   * The event bus the rule listens on.
   * @default - the account's default bus
   */
  readonly eventBus?: events.IEventBus;
  /**
   * Event fields passed to the main container as environment variables: variable name to
   * JSON path, e.g. `{ OBJECT_KEY: '$.detail.object.key' }`.
   * @default - none
   */
  readonly eventFields?: { [variable: string]: string };
  /**
   * Times EventBridge retries starting the task (0-185).
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * How long EventBridge keeps retrying an event (60 s - 24 h).
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;
  /**
   * Where EventBridge sends events it could not start a task for.
   * @default - a new encrypted, TLS-only queue kept 14 days, retained on delete
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * Where the tasks run: Fargate, Fargate Spot, EC2 or Managed Instances capacity (EventBridge's
   * ECS target takes a capacity provider strategy). ECS Anywhere capacity is not supported.
   * @default - the environment's default capacity
   */
  readonly capacity?: Capacity;
  /**
   * The Fargate platform version the runs use (Fargate capacity only).
   * @default - LATEST
   */
  readonly platformVersion?: ecs.FargatePlatformVersion;
}

/**
 * A task started for each matching EventBridge event (an S3 upload, a business event), with
 * event fields passed to the container, retries and a dead-letter queue, on the environment's
 * capacity or the one given.
 */
export class EventTask extends Construct implements ec2.IConnectable {
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The log group of the main container, unless its logs leave CloudWatch Logs. */
  public readonly logGroup?: logs.ILogGroup;
  /** The task role. */
  public readonly taskRole: iam.IRole;
  /** The rule that starts tasks. */
  public readonly rule: events.Rule;
  /** Where events that could not start a task go. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The tasks' security group (no ingress). */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: EventTaskProps) {
    super(scope, id);
    const env = props.environment;
    const pattern = props.trigger._bind(this);
    this.checkDelivery(props);

    const capacity = props.capacity ?? env.defaultCapacity;
    const built = buildStandaloneTask(this, env, props, {
      workload: 'EventTask',
      starter: 'EventBridge',
      noun: 'an event task',
      description: 'an event-triggered task',
      capacity,
      platformVersion: props.platformVersion,
    });
    const task = built.task;
    // awsvpc tasks have a group of their own; bridge, host and none tasks take no network configuration.
    const securityGroup = built.securityGroup;
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.logGroup = task.logGroup;
    this.taskRole = this.taskDefinition.taskRole;
    this.connections = built.connections;
    this.deadLetterQueue = deliveryDeadLetterQueue(this, 'rule target', props.deadLetterQueue);

    this.rule = this.createRule(props, pattern, capacity, securityGroup);
    this.useCapacity(capacity);
    this.rule.node.addDependency(env.cluster);
    this.acknowledgeTargetRole(env);
    applyEnvironmentSettings(this, env);
    warnAboutTask(this, env, task, props);
  }

  /**
   * The delivery settings, checked: retry attempts and maximum event age within EventBridge's
   * bounds, and each event field a JSON path into the event.
   */
  private checkDelivery(props: EventTaskProps): void {
    const code = ErrorCode.EVENT_PATTERN;
    checkInteger(this, code, 'retryAttempts', props.retryAttempts);
    checkRange(this, code, 'retryAttempts', props.retryAttempts, 0, 185);
    checkRange(this, code, 'maxEventAge', knownSeconds(props.maxEventAge), 60, 86400, ' s');
    for (const [name, path] of Object.entries(props.eventFields ?? {})) {
      if (!Token.isUnresolved(path) && !/^\$(\.[A-Za-z0-9_-]+)+$/.test(path)) {
        throw new ShipyardError(this, code, `eventFields.${name} ${show(path)} is not a JSON path into the event`, 'give a path such as $.detail.object.key');
      }
    }
  }

  /**
   * The rule that starts one task a matching event on the environment's cluster, with the event
   * fields as the main container's environment variables, retries and the dead-letter queue.
   */
  private createRule(props: EventTaskProps, pattern: events.EventPattern, capacity: Capacity,
    securityGroup: ec2.ISecurityGroup | undefined): events.Rule {
    const env = props.environment;
    const fields = Object.entries(props.eventFields ?? {});
    if (fields.length > 0) acknowledgePlainVariables(this.taskDefinition);
    return new events.Rule(this, 'Rule', {
      description: `${this.node.path}: start a task for each matching event`,
      eventBus: props.eventBus,
      eventPattern: pattern,
      targets: [new eventsTargets.EcsTask({
        cluster: env.cluster,
        taskDefinition: this.taskDefinition,
        taskCount: 1,
        // Replaced by useCapacity with the capacity provider strategy; aws-cdk-lib checks it against the task definition.
        launchType: capacity.platform === CapacityPlatform.EC2 ? ecs.LaunchType.EC2 : ecs.LaunchType.FARGATE,
        subnetSelection: env.taskSubnets,
        securityGroups: securityGroup && [securityGroup],
        assignPublicIp: false,
        propagateTags: ecs.PropagatedTagSource.TASK_DEFINITION,
        enableExecuteCommand: props.enableExec,
        platformVersion: props.platformVersion,
        containerOverrides: fields.length === 0 ? undefined : [{
          containerName: this.container.containerName,
          environment: fields.map(([name, path]) => ({ name, value: events.EventField.fromPath(path) })),
        }],
        retryAttempts: props.retryAttempts ?? 2,
        maxEventAge: props.maxEventAge ?? Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
      })],
    });
  }


  /**
   * EventBridge's ECS target takes a capacity provider strategy (and then no launch type) and
   * placement for EC2 (CloudFormation `AWS::Events::Rule` `EcsParameters`); aws-cdk-lib's EcsTask
   * target writes a launch type only, so the rendered target is amended.
   */
  private useCapacity(capacity: Capacity): void {
    const placement = pascalCase(runTaskPlacement(this, capacity));
    const cfnRule = this.rule.node.defaultChild as events.CfnRule;
    cfnRule.addDeletionOverride('Properties.Targets.0.EcsParameters.LaunchType');
    cfnRule.addPropertyOverride('Targets.0.EcsParameters.CapacityProviderStrategy', placement.CapacityProviderStrategy);
    if (placement.PlacementStrategy) cfnRule.addPropertyOverride('Targets.0.EcsParameters.PlacementStrategies', placement.PlacementStrategy);
    if (placement.PlacementConstraints) cfnRule.addPropertyOverride('Targets.0.EcsParameters.PlacementConstraints', placement.PlacementConstraints);
  }

  /**
   * aws-cdk-lib's EcsTask target role: RunTask on this task definition, PassRole for its
   * roles, and TagResource on the cluster's tasks (any account in its ARN pattern).
   */
  private acknowledgeTargetRole(env: IEnvironment): void {
    const role = this.taskDefinition.node.tryFindChild('EventsRole');
    const policy = role?.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    acknowledgeInlinePolicy(policy);
    const cfnCluster = env.cluster.node.defaultChild;
    if (cfnCluster instanceof ecs.CfnCluster) {
      acknowledge(policy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'aws-cdk-lib\'s EcsTask target tags the tasks it starts in this cluster; task ids are not known in advance.',
        // The ARN as aws-cdk-lib's EcsTask target states it.
        appliesTo: [`Resource::arn:${env.cluster.stack.partition}:ecs:${env.cluster.env.region}:*:task/${env.cluster.clusterName}/*`],
      }]);
    }
  }
}
