import {
  Duration, RemovalPolicy, aws_backup as backup, aws_efs as efs, aws_iam as iam, aws_kms as kms,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IEnvironment } from '../environment/environment';
import { checkRange } from '../guardrails/checks';
import { ErrorCode } from '../guardrails/errors';
import { acknowledge } from '../private/nag';

/** Properties of a SharedFileSystem. */
export interface SharedFileSystemProps {
  /** The environment whose workloads mount the file system. */
  readonly environment: IEnvironment;
  /**
   * KMS key that encrypts the file system at rest.
   * @default - the AWS managed key for EFS
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long each daily backup is kept (1-36500 days).
   * @default Duration.days(35)
   */
  readonly backupRetention?: Duration;
  /**
   * Move files not read for this long to the Infrequent Access class (cheaper storage).
   * @default efs.LifecyclePolicy.AFTER_30_DAYS
   */
  readonly lifecyclePolicy?: efs.LifecyclePolicy;
  /**
   * Throughput mode.
   * @default efs.ThroughputMode.ELASTIC - pay for what is used, no burst credits to run out of
   */
  readonly throughputMode?: efs.ThroughputMode;
}

/**
 * An EFS file system for the environment's workloads: encrypted, retained when the stack
 * is deleted, backed up daily by AWS Backup, reachable only over TLS and only from the
 * workloads that mount it (each through its own access point, see `Volume.efs`).
 */
export class SharedFileSystem extends Construct {
  /** The file system. */
  public readonly fileSystem: efs.FileSystem;
  /** The backup plan that includes the file system. */
  public readonly backupPlan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: SharedFileSystemProps) {
    super(scope, id);
    const retention = props.backupRetention ?? Duration.days(35);
    if (!retention.isUnresolved()) {
      checkRange(this, ErrorCode.VOLUME, 'backupRetention', retention.toSeconds({ integral: false }) / 86400, 1, 36500, ' days');
    }
    this.fileSystem = new efs.FileSystem(this, 'FileSystem', {
      vpc: props.environment.vpc,
      vpcSubnets: props.environment.taskSubnets,
      encrypted: true,
      kmsKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecyclePolicy: props.lifecyclePolicy ?? efs.LifecyclePolicy.AFTER_30_DAYS,
      throughputMode: props.throughputMode ?? efs.ThroughputMode.ELASTIC,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      // AWS Backup below replaces EFS's own automatic backups (one plan, one retention).
      enableAutomaticBackups: false,
      allowAnonymousAccess: false,
    });
    this.fileSystem.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyWithoutTls',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['*'],
      conditions: { Bool: { 'aws:SecureTransport': 'false' } },
    }));

    const vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backupPlan = new backup.BackupPlan(this, 'BackupPlan', {
      backupVault: vault,
      backupPlanRules: [new backup.BackupPlanRule({
        ruleName: 'Daily',
        // 05:00 UTC every day, AWS Backup's own daily default.
        scheduleExpression: backup.BackupPlanRule.daily().props.scheduleExpression,
        deleteAfter: retention,
      })],
    });
    const selection = this.backupPlan.addSelection('FileSystem', {
      resources: [backup.BackupResource.fromEfsFileSystem(this.fileSystem)],
    });
    const role = selection.node.tryFindChild('Role');
    if (role) {
      acknowledge(role, [{
        id: 'AwsSolutions-IAM4',
        reason: 'AWS Backup assumes its service role with the AWS managed AWSBackupServiceRolePolicyForBackup policy, which AWS maintains for every resource type it backs up.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup'],
      }]);
    }
  }
}
