import {
  RemovalPolicy, Stack, aws_ecs as ecs, aws_iam as iam, aws_kinesisfirehose as firehose, aws_kms as kms,
  aws_logs as logs, aws_opensearchservice as opensearch, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkLogRetention, checkPattern } from '../guardrails/checks';
import { ErrorCode } from '../guardrails/errors';

/** Options of FireLens delivery to CloudWatch Logs. */
export interface FireLensCloudWatchOptions {
  /**
   * The log group.
   * @default - a new log group with the environment's retention and key, retained on delete
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * How long a new log group keeps events.
   * @default - the environment's log retention
   */
  readonly retention?: logs.RetentionDays;
}

/** Options of FireLens delivery to an OpenSearch Service domain. */
export interface FireLensOpenSearchOptions {
  /** The index documents are written to. */
  readonly index: string;
}

/** What a workload passes to a log destination. */
export interface LogDestinationBindOptions {
  /** The task definition; the task role receives the destination's permissions. */
  readonly taskDefinition: ecs.TaskDefinition;
  /** The environment's default retention. */
  readonly retention: logs.RetentionDays;
  /**
   * The environment's KMS key for log groups.
   * @default - CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
}

/** A log destination once bound. */
export interface LogDestinationConfig {
  /** Fluent Bit output options (`Name` is the plugin), without the stream prefix. */
  readonly options: { [key: string]: string };
  /**
   * Option naming the per-container stream or tag prefix, if the output has one.
   * @default - none
   */
  readonly prefixOption?: string;
  /**
   * The log group written to.
   * @default - none (not CloudWatch Logs)
   */
  readonly logGroup?: logs.ILogGroup;
}

/**
 * Where the FireLens (Fluent Bit) router sends the task's logs. The task role receives
 * exactly the permissions the destination needs.
 */
export class LogDestination {
  /** CloudWatch Logs through Fluent Bit's `cloudwatch_logs` output. */
  public static cloudWatchLogs(options: FireLensCloudWatchOptions = {}): LogDestination {
    return new LogDestination((scope, bind) => {
      checkLogRetention(scope, 'LogDestination.cloudWatchLogs retention', options.retention);
      const logGroup = options.logGroup
        ?? scope.node.tryFindChild('LogGroup') as logs.ILogGroup | undefined
        ?? new logs.LogGroup(scope, 'LogGroup', {
          retention: options.retention ?? bind.retention,
          encryptionKey: bind.encryptionKey,
          removalPolicy: RemovalPolicy.RETAIN,
        });
      bind.taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logGroup.logGroupArn], // the group ARN ends in :* and covers its streams,
      }));
      return {
        options: {
          Name: 'cloudwatch_logs',
          region: Stack.of(scope).region,
          log_group_name: logGroup.logGroupName,
          auto_create_group: 'false',
        },
        prefixOption: 'log_stream_prefix',
        logGroup,
      };
    });
  }

  /**
   * A Kinesis Data Firehose (Amazon Data Firehose) stream, for instance one delivering to S3,
   * through Fluent Bit's `kinesis_firehose` output.
   */
  public static firehose(deliveryStream: firehose.IDeliveryStream): LogDestination {
    return new LogDestination((scope, bind) => {
      bind.taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
        actions: ['firehose:PutRecordBatch'],
        resources: [deliveryStream.deliveryStreamArn],
      }));
      return {
        options: {
          Name: 'kinesis_firehose',
          region: Stack.of(scope).region,
          delivery_stream: deliveryStream.deliveryStreamName,
        },
      };
    });
  }

  /** An Amazon OpenSearch Service domain through Fluent Bit's `opensearch` output, signed with SigV4. */
  public static openSearch(domain: opensearch.IDomain, options: FireLensOpenSearchOptions): LogDestination {
    return new LogDestination((scope, bind) => {
      bind.taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
        actions: ['es:ESHttpPost', 'es:ESHttpPut'],
        resources: [domain.domainArn, `${domain.domainArn}/*`],
      }));
      // OpenSearch index names: lowercase, up to 255 bytes, none of \\ / * ? " < > | , # : or a space,
      // not starting with _ - or + (Amazon OpenSearch Service Developer Guide, index naming restrictions).
      checkPattern(scope, ErrorCode.LOGGING, 'openSearch index', options.index, /^(?![_+-])(?!\.{1,2}$)[^A-Z\\/*?"<>|,#:\s]{1,255}$/,
        'a lowercase name without spaces or any of \\ / * ? " < > | , # :, not starting with _ - or +');
      return {
        options: {
          Name: 'opensearch',
          Host: domain.domainEndpoint,
          Port: '443',
          Index: options.index,
          AWS_Auth: 'On',
          AWS_Region: Stack.of(scope).region,
          tls: 'On',
          Suppress_Type_Name: 'On',
        },
      };
    });
  }

  /**
   * Any Fluent Bit output, given as its options (`Name` is the plugin), with the
   * permissions it needs granted to the task role.
   */
  public static fluentBitOutput(options: { [key: string]: string }, permissions: iam.PolicyStatement[] = []): LogDestination {
    return new LogDestination((_scope, bind) => {
      permissions.forEach(p => bind.taskDefinition.addToTaskRolePolicy(p));
      return { options };
    });
  }

  private constructor(private readonly produce: (scope: Construct, options: LogDestinationBindOptions) => LogDestinationConfig) {}

  /**
   * Grant the task role what the destination needs and return the output options.
   * @internal
   */
  public _bind(scope: Construct, options: LogDestinationBindOptions): LogDestinationConfig {
    return this.produce(scope, options);
  }
}

/** A Fluent Bit configuration file the router loads besides the generated one. */
export class FireLensConfigFile {
  /** A file built into the router image (the only kind Fargate supports). */
  public static fromImage(path: string): FireLensConfigFile {
    return new FireLensConfigFile(ecs.FirelensConfigFileType.FILE, path);
  }

  /** An object in S3 (EC2 capacity only); the execution role may read it. */
  public static fromS3(bucket: s3.IBucket, key: string): FireLensConfigFile {
    return new FireLensConfigFile(ecs.FirelensConfigFileType.S3, bucket.arnForObjects(key), bucket, key);
  }

  private constructor(
    /** Where the file lives. */
    public readonly type: ecs.FirelensConfigFileType,
    /** The file path or S3 object ARN. */
    public readonly value: string,
    private readonly bucket?: s3.IBucket,
    private readonly key?: string,
  ) {}

  /** Grant the task's execution role read access to an S3 file. */
  public grant(taskDefinition: ecs.TaskDefinition): void {
    if (this.bucket && this.key) {
      this.bucket.grantRead(taskDefinition.obtainExecutionRole(), this.key);
    }
  }
}
