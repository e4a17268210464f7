/**
 * AWS Control Tower proactive controls (cfn-guard rules shipped by
 * @cdklabs/cdk-validator-cfnguard) over synthesized templates, and the controls the library
 * does not meet by default, each with its reason (listed in the README's compliance section).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/** A control the gate does not enforce, everywhere or in the named integ apps only. */
export interface ControlException {
  /** The control's id, e.g. `CT.CLOUDWATCH.PR.2`. */
  readonly control: string;
  /** The guard rule file (what `CfnGuardValidator`'s `disabledRules` takes). */
  readonly file: string;
  /** The guard rule's name, as violations report it. */
  readonly rule: string;
  /** Why the library does not meet it by default. */
  readonly reason: string;
  /** The integ apps where it applies; everywhere else it is enforced. @default - every app (the rule is disabled) */
  readonly only?: string[];
}

export const CONTROL_EXCEPTIONS: ControlException[] = [
  { control: 'CT.CLOUDWATCH.PR.1', file: 'ct-cloudwatch-pr-1', rule: 'cloudwatch_alarm_action_check', reason: 'Without an `alarmTopic` the alarms have no action: they drive deployment rollback and are read in CloudWatch. Give the environment an `alarmTopic` and every alarm notifies it.' },
  { control: 'CT.CLOUDWATCH.PR.2', file: 'ct-cloudwatch-pr-2', rule: 'cloudwatch_log_group_retention_period_check', reason: 'Log retention is a cost choice: 30 days in production, 7 in development. Set `logRetention` to one year or more where policy asks.' },
  { control: 'CT.CLOUDWATCH.PR.3', file: 'ct-cloudwatch-pr-3', rule: 'cloudwatch_log_group_encrypted_check', reason: 'Log groups are encrypted by CloudWatch Logs; pass `logEncryptionKey` to use a customer managed key.' },
  { control: 'CT.ECS.PR.2', file: 'ct-ecs-pr-2', rule: 'ecs_container_insights_enabled_check', reason: 'The rule accepts only `enabled`; clusters use `enhanced` Container Insights, which collects more (the rule predates it).' },
  { control: 'CT.LAMBDA.PR.3', file: 'ct-lambda-pr-3', rule: 'lambda_inside_vpc_check', reason: 'The deletion guards and aws-cdk-lib\'s default-security-group helper call only AWS APIs (Auto Scaling has no VPC endpoint in endpoint-only environments) and need no VPC access.' },
  { control: 'CT.ELASTICLOADBALANCING.PR.1', file: 'ct-elasticloadbalancing-pr-1', rule: 'alb_http_to_https_redirection_check', reason: 'Only where plain HTTP was chosen (development without a certificate, warning `cdk-shipyard:plain-http`); with a certificate the HTTP listener redirects to HTTPS.' },
  { control: 'CT.ELASTICLOADBALANCING.PR.5', file: 'ct-elasticloadbalancing-pr-5', rule: 'elbv2_deletion_protection_enabled_check', reason: 'Deletion protection is on in production and off in development or with `deletionProtection: false`, so the environment can be torn down.' },
  { control: 'CT.S3.PR.2', file: 'ct-s3-pr-2', rule: 's3_bucket_logging_enabled_check', reason: 'The load balancer\'s access-log bucket is itself the log destination; logging it to itself would loop.' },
  { control: 'CT.S3.PR.4', file: 'ct-s3-pr-4', rule: 's3_event_notifications_enabled_check', reason: 'The access-log bucket has no consumer to notify; notifications are the owner\'s choice.' },
  { control: 'CT.S3.PR.9', file: 'ct-s3-pr-9', rule: 's3_bucket_object_lock_enabled_check', reason: 'Object Lock keeps access logs undeletable for a fixed period, a retention policy each organisation sets; the bucket is versioned and retained instead.' },
  { control: 'CT.S3.PR.10', file: 'ct-s3-pr-10', rule: 's3_bucket_default_encryption_kms_check', reason: 'Application Load Balancer access logs support SSE-S3 only.' },
  { control: 'CT.ECS.PR.3', file: 'ct-ecs-pr-3', rule: 'ecs_task_definition_nonroot_user_check', only: ['telemetry', 'windows', 'ec2-capacity'], reason: 'The FireLens router runs as root to create the log socket ECS mounts (aws/containers-roadmap#2122); Windows containers take no Linux user; a host agent that reads other users\' processes runs as root where the app chose `containerSecurity.user` (warning `cdk-shipyard:root-user`).' },
  { control: 'CT.ECS.PR.10', file: 'ct-ecs-pr-10', rule: 'ecs_task_definition_pid_mode_check', only: ['ec2-capacity'], reason: 'Only where a `DaemonService` shares the host\'s PID namespace (`hostPidNamespace`), as a process or security agent must to see the instance\'s processes.' },
  { control: 'CT.ECS.PR.6', file: 'ct-ecs-pr-6', rule: 'ecs_containers_readonly_access_check', only: ['telemetry', 'windows'], reason: 'The AWS for Fluent Bit image writes its startup files to its root file system (aws/aws-for-fluent-bit#928); Windows containers do not support a read-only root.' },
  { control: 'CT.ECS.PR.4', file: 'ct-ecs-pr-4', rule: 'ecs_awsvpc_networking_enabled_check', only: ['ec2-capacity', 'vpc-endpoints', 'windows'], reason: 'Only where `networkMode` bridge, host or nat was chosen for EC2 tasks; the default is awsvpc.' },
  { control: 'CT.ELASTICLOADBALANCING.PR.6', file: 'ct-elasticloadbalancing-pr-6', rule: 'elbv2_logging_enabled_check', only: ['network-service', 'ec2-capacity'], reason: 'Network Load Balancers log TLS connections only; TCP and UDP connections are in the VPC flow logs. TLS listeners take `accessLogsBucket`.' },
  { control: 'CT.AUTOSCALING.PR.6', file: 'ct-autoscaling-pr-6', rule: 'autoscaling_mixed_instances_policy_multiple_instance_types_check', only: ['ec2-capacity', 'vpc-endpoints', 'windows'], reason: 'Only where one instance type was chosen (`instanceTypes`); give several and the group uses a mixed instances policy.' },
  { control: 'CT.AUTOSCALING.PR.11', file: 'ct-autoscaling-pr-11', rule: 'autoscaling_group_nitro_encryption_in_transit_override_check', only: ['ec2-capacity'], reason: 'Only where the chosen instance types (here burstable t4g) do not encrypt traffic between instances; the instance types are the user\'s choice.' },
  { control: 'CT.ELASTICFILESYSYSTEM.PR.2', file: 'ct-elasticfilesysystem-pr-2', rule: 'efs_automatic_backups_enabled_check', only: ['shared-files'], reason: '`SharedFileSystem` is backed up daily by an AWS Backup plan of its own (with retention and a vault) instead of the EFS automatic backup plan.' },
];

const RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

/**
 * The Control Tower rule files that can apply to the templates: those that name one of their
 * resource types (every rule file does name the types it checks), less the disabled ones.
 * cfn-guard's time grows with rules times templates; rules for types absent do nothing.
 */
function applicableRules(templatePaths: string[], disabled: string[]): string[] {
  const types = new Set<string>();
  for (const file of templatePaths) {
    for (const resource of Object.values<any>(JSON.parse(fs.readFileSync(file, 'utf8')).Resources ?? {})) types.add(resource.Type);
  }
  const files = fs.readdirSync(RULES, { recursive: true }).map(f => path.join(RULES, String(f))).filter(f => f.endsWith('.guard'));
  return files.filter(f => !disabled.includes(path.basename(f, '.guard')))
    .filter(f => { const text = fs.readFileSync(f, 'utf8'); return [...types].some(t => text.includes(`"${t}"`) || text.includes(`'${t}'`)); });
}

/** One violation, as `<control rule> <template file> <logical id>`. */
export interface ControlFinding {
  readonly rule: string;
  readonly template: string;
  readonly resource: string;
}

/** Runs the Control Tower rules (less the globally disabled ones) over the templates through the validation plugin. */
export function controlTowerFindings(templatePaths: string[]): ControlFinding[] {
  const disabled = CONTROL_EXCEPTIONS.filter(e => !e.only).map(e => e.file);
  const plugin = new CfnGuardValidator({
    controlTowerRulesEnabled: false,
    rules: applicableRules(templatePaths, disabled),
    maxBuffer: 256 * 1024 * 1024,
  });
  const report = plugin.validate({ templatePaths });
  return report.violations.flatMap(v => v.violatingResources.map(r => ({
    rule: v.ruleName, template: r.templatePath, resource: r.resourceLogicalId,
  })));
}
