import {
  RemovalPolicy, Size, aws_ecs as ecs, aws_iam as iam, aws_kms as kms, aws_logs as logs, aws_ssm as ssm,
  Stack,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { FireLensConfigFile, LogDestination } from './destinations';
import { checkLogRetention, checkPattern } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';

/** Options for the awslogs driver. */
export interface AwsLogsOptions {
  /**
   * How long a new log group keeps events.
   * @default - the environment's log retention (30 days unless the environment says otherwise)
   */
  readonly retention?: logs.RetentionDays;
  /**
   * Prefix of each log stream name.
   * @default - the container name
   */
  readonly streamPrefix?: string;
  /**
   * An existing log group to write to instead of a new one.
   * @default - a new log group, retained when the stack is deleted
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * KMS key of a new log group.
   * @default - the environment's log key, if it has one
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to a new log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Buffer of the non-blocking mode; lines beyond it are dropped instead of blocking the app.
   * @default - Docker's 1 MiB
   */
  readonly maxBufferSize?: Size;
  /**
   * Regular expression that starts a new log event (for stack traces across lines).
   * @default - every line is an event
   */
  readonly multilinePattern?: string;
}

/** Options of the FireLens (Fluent Bit) log router. */
export interface FireLensOptions {
  /**
   * Where the router sends every container's logs.
   * @default - only the outputs of `configFile` (one of the two is required)
   */
  readonly destination?: LogDestination;
  /**
   * A Fluent Bit configuration file with extra filters or outputs.
   * @default - only the configuration ECS generates
   */
  readonly configFile?: FireLensConfigFile;
  /**
   * Add the ECS metadata (cluster, task ARN, container name) to every record.
   * @default true
   */
  readonly enableMetadata?: boolean;
  /**
   * The router image.
   * @default - AWS for Fluent Bit, the region's `stable` image from ECR (the `/aws/service/aws-for-fluent-bit/stable` public SSM parameter)
   */
  readonly routerImage?: ecs.ContainerImage;
  /**
   * Memory reserved for the router in MiB.
   * @default 50 - the FireLens documentation's recommendation
   */
  readonly routerMemoryReservationMiB?: number;
}

/** Options of the Splunk log driver. */
export interface SplunkOptions {
  /** The HTTP Event Collector URL, e.g. `https://splunk.example.com:8088`. */
  readonly url: string;
  /** The HEC token, from Secrets Manager or SSM; the execution role may read exactly it. */
  readonly token: ecs.Secret;
  /**
   * Source type of the events.
   * @default - Splunk's default for the token
   */
  readonly sourceType?: string;
  /**
   * Index the events go to.
   * @default - the token's default index
   */
  readonly index?: string;
  /**
   * Verify the server's TLS certificate.
   * @default true
   */
  readonly verifyTls?: boolean;
}

/** What a workload passes to its logging for each container. */
export interface LoggingBindOptions {
  /** Name of the container being logged. */
  readonly containerName: string;
  /** The task definition the container belongs to. */
  readonly taskDefinition: ecs.TaskDefinition;
  /** The environment's default retention. */
  readonly retention: logs.RetentionDays;
  /**
   * The environment's KMS key for log groups.
   * @default - CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The task's memory, the hard limit of the containers the logging adds (the FireLens router).
   * @default - no hard limit on them
   */
  readonly taskMemoryMiB?: number;
}

/** A container's log configuration once bound. */
export interface LoggingConfig {
  /** The log driver for the container definition. */
  readonly logDriver: ecs.LogDriver;
  /**
   * The CloudWatch log group the container's logs reach.
   * @default - none (the logs leave CloudWatch)
   */
  readonly logGroup?: logs.ILogGroup;
}

/** Container name of the FireLens router. */
export const LOG_ROUTER_NAME = 'log-router';

/**
 * Where a workload's container logs go. Every container of the task (sidecars and the
 * FireLens router included) always has a log configuration.
 */
export class Logging {
  /** CloudWatch Logs through the awslogs driver in non-blocking mode (the default). */
  public static awsLogs(options: AwsLogsOptions = {}): Logging {
    return new Logging((scope, bind) => {
      const logGroup = awsLogsGroup(scope, options, bind);
      const logDriver = ecs.LogDrivers.awsLogs({
        logGroup,
        streamPrefix: options.streamPrefix ?? bind.containerName,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: options.maxBufferSize,
        multilinePattern: options.multilinePattern,
      });
      return { logDriver, logGroup };
    });
  }

  /**
   * FireLens: a Fluent Bit router sidecar receives every container's logs and sends them to
   * the destination. The router's own logs go to CloudWatch Logs.
   */
  public static fireLens(options: FireLensOptions): Logging {
    return new Logging((scope, bind) => {
      if (!options.destination && !options.configFile) {
        throw new ShipyardError(scope, ErrorCode.LOGGING, 'FireLens has neither a destination nor a config file',
          'give destination (LogDestination.cloudWatchLogs(), .firehose(), .openSearch(), .fluentBitOutput()) or configFile');
      }
      const router = bind.taskDefinition.node.tryFindChild('LogRouter') as ecs.FirelensLogRouter | undefined;
      if (!router) addRouter(scope, bind, options);
      const destination = options.destination?._bind(scope, bind);
      const outputOptions: { [key: string]: string } = { ...destination?.options };
      if (destination?.prefixOption) outputOptions[destination.prefixOption] = `${bind.containerName}/`;
      return {
        logDriver: ecs.LogDrivers.firelens({ options: destination ? outputOptions : undefined }),
        logGroup: destination?.logGroup,
      };
    });
  }

  /** Splunk's HTTP Event Collector through the splunk log driver. */
  public static splunk(options: SplunkOptions): Logging {
    return new Logging(() => ({
      logDriver: ecs.LogDrivers.splunk({
        url: options.url,
        secretToken: options.token,
        sourceType: options.sourceType,
        index: options.index,
        insecureSkipVerify: options.verifyTls === false ? 'true' : undefined,
      }),
    }));
  }

  private constructor(private readonly produce: (scope: Construct, options: LoggingBindOptions) => LoggingConfig) {}

  /**
   * The log configuration of one container of the task. Idempotent per scope: every
   * container of a workload shares its log group (and FireLens router).
   * @internal
   */
  public _bind(scope: Construct, options: LoggingBindOptions): LoggingConfig {
    return this.produce(scope, options);
  }
}

function awsLogsGroup(scope: Construct, options: AwsLogsOptions, bind: { retention: logs.RetentionDays; encryptionKey?: kms.IKey }, id = 'LogGroup'): logs.ILogGroup {
  checkLogRetention(scope, 'logging retention', options.retention);
  return options.logGroup
    ?? scope.node.tryFindChild(id) as logs.ILogGroup | undefined
    ?? new logs.LogGroup(scope, id, {
      retention: options.retention ?? bind.retention,
      encryptionKey: options.encryptionKey ?? bind.encryptionKey,
      removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
    });
}

/**
 * The router container. The default image comes from the region's ECR repository of AWS
 * for Fluent Bit (reachable through the ECR VPC endpoints); the execution role may pull
 * that repository only. Source: Amazon ECS Developer Guide, "Using the AWS for Fluent Bit image".
 */
function addRouter(scope: Construct, bind: LoggingBindOptions, options: FireLensOptions): void {
  const task = bind.taskDefinition;
  let image = options.routerImage;
  if (!image) {
    const uri = ssm.StringParameter.valueForStringParameter(task, '/aws/service/aws-for-fluent-bit/stable');
    image = ecs.ContainerImage.fromRegistry(uri);
    const stack = Stack.of(scope);
    task.addToExecutionRolePolicy(new iam.PolicyStatement({
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      resources: [`arn:${stack.partition}:ecr:${stack.region}:*:repository/aws-for-fluent-bit`],
    }));
    task.addToExecutionRolePolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
  }
  // A file in the router image is given by its full path (Amazon ECS Developer Guide, FireLens,
  // config-file-value).
  if (options.configFile?.type === ecs.FirelensConfigFileType.FILE) {
    checkPattern(scope, ErrorCode.LOGGING, 'the FireLens configFile path', options.configFile.value, /^\/\S+$/, 'the absolute path of the file in the router image');
  }
  options.configFile?.grant(task);
  const routerLogGroup = awsLogsGroup(scope, {}, bind, 'RouterLogGroup');
  task.addFirelensLogRouter('LogRouter', {
    containerName: LOG_ROUTER_NAME,
    image,
    essential: true,
    memoryReservationMiB: options.routerMemoryReservationMiB ?? 50,
    // Every container states a hard limit (AWS Control Tower CT.ECS.PR.7).
    memoryLimitMiB: bind.taskMemoryMiB,
    firelensConfig: {
      type: ecs.FirelensLogRouterType.FLUENTBIT,
      options: {
        enableECSLogMetadata: options.enableMetadata ?? true,
        configFileType: options.configFile?.type,
        configFileValue: options.configFile?.value,
      },
    },
    logging: ecs.LogDrivers.awsLogs({ logGroup: routerLogGroup, streamPrefix: LOG_ROUTER_NAME, mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
    // The AWS for Fluent Bit image writes its startup files to its own file system and fails
    // to start on a read-only root (fluent/fluent-bit#7308, aws/aws-for-fluent-bit#928); it
    // must run as root to create the log socket ECS mounts (aws/containers-roadmap#2122).
    readonlyRootFilesystem: false,
    user: '0',
    privileged: false,
  });
}
