import { RemovalPolicy, aws_ecs as ecs, aws_kms as kms, aws_logs as logs, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { restrictGrantsToAwsServices } from '../private/kms';

/** How ECS Exec sessions into the environment's tasks are encrypted and recorded. */
export interface ExecOptions {
  /**
   * KMS key that encrypts the session channel between the operator and the container.
   * @default - a new key with yearly rotation
   */
  readonly kmsKey?: kms.IKey;
  /**
   * Log group that records every session's commands and output.
   * @default - a new log group with the environment's retention and log key, retained on delete
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * Bucket that also records sessions (encrypted with its own settings).
   * @default - sessions are recorded in CloudWatch Logs only
   */
  readonly bucket?: s3.IBucket;
  /**
   * Key prefix of session records in the bucket.
   * @default 'ecs-exec/'
   */
  readonly bucketPrefix?: string;
}

/** The cluster's execute-command configuration for `options`. */
export function execConfiguration(
  scope: Construct, options: ExecOptions, defaults: { retention: logs.RetentionDays; logKey?: kms.IKey },
): ecs.ExecuteCommandConfiguration {
  let kmsKey = options.kmsKey;
  if (!kmsKey) {
    const key = new kms.Key(scope, 'ExecKey', {
      description: `${scope.node.path}: encrypts ECS Exec sessions`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    restrictGrantsToAwsServices(key);
    kmsKey = key;
  }
  const logGroup = options.logGroup ?? new logs.LogGroup(scope, 'ExecLogGroup', {
    retention: defaults.retention,
    encryptionKey: defaults.logKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return {
    kmsKey,
    logging: ecs.ExecuteCommandLogging.OVERRIDE,
    logConfiguration: {
      cloudWatchLogGroup: logGroup,
      // ECS refuses to write to an unencrypted group when this is on.
      cloudWatchEncryptionEnabled: options.logGroup ? undefined : defaults.logKey !== undefined,
      s3Bucket: options.bucket,
      s3EncryptionEnabled: options.bucket ? true : undefined,
      s3KeyPrefix: options.bucket ? options.bucketPrefix ?? 'ecs-exec/' : undefined,
    },
  };
}
