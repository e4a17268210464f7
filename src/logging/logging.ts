import { RemovalPolicy, aws_ecs as ecs, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Options for the awslogs driver. */
export interface AwsLogsOptions {
  /**
   * How long the log group keeps events.
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
}

/** What the environment passes to a logging choice. */
export interface LoggingBindOptions {
  /** Name of the container being logged. */
  readonly containerName: string;
  /** The environment's default retention. */
  readonly retention: logs.RetentionDays;
  /**
   * The environment's KMS key for log groups.
   * @default - CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
}

/** A container's log configuration once bound. */
export interface LoggingConfig {
  /** The log driver for the container definition. */
  readonly logDriver: ecs.LogDriver;
  /** The log group written to. */
  readonly logGroup: logs.ILogGroup;
}

/**
 * Where a workload's container logs go. Every container always has a log configuration.
 */
export class Logging {
  /** CloudWatch Logs through the awslogs driver (the default). */
  public static awsLogs(options: AwsLogsOptions = {}): Logging {
    return new Logging(options);
  }

  private constructor(private readonly options: AwsLogsOptions) {}

  /** Create the log group (unless one was given) in `scope` and return the driver. */
  public bind(scope: Construct, options: LoggingBindOptions): LoggingConfig {
    const logGroup = this.options.logGroup ?? new logs.LogGroup(scope, 'LogGroup', {
      retention: this.options.retention ?? options.retention,
      encryptionKey: options.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const logDriver = ecs.LogDrivers.awsLogs({
      logGroup,
      streamPrefix: this.options.streamPrefix ?? options.containerName,
      mode: ecs.AwsLogDriverMode.NON_BLOCKING,
    });
    return { logDriver, logGroup };
  }
}
