// The cdk-nag acknowledgements of an environment: log groups left on CloudWatch Logs' own
// encryption (the environment's, and any workload's), and aws-cdk-lib's provider that closes
// the VPC's default security group.

import { aws_logs as logs } from 'aws-cdk-lib';
import type { Environment } from './environment';
import { acknowledge, acknowledgeProvider, inCompliancePacks } from '../private/nag';

/** Acknowledge the KMS findings of a log group left on CloudWatch Logs' own encryption. */
export function acknowledgeUnencryptedLogGroup(logGroup: logs.ILogGroup): void {
  const reason = 'Encrypted at rest by CloudWatch Logs; Environment logEncryptionKey sets a KMS key.';
  acknowledge(logGroup, inCompliancePacks('CloudWatchLogGroupEncrypted', reason));
}

/** The environment's own findings: its log groups without a key, and the default security group's provider. */
export function acknowledgeEnvironmentFindings(environment: Environment): void {
  const { flowLogGroup, lifecycleLogGroup, logEncryptionKey } = environment;
  if (flowLogGroup && !logEncryptionKey) acknowledgeUnencryptedLogGroup(flowLogGroup);
  const execLogGroup = environment.node.tryFindChild('ExecLogGroup');
  if (execLogGroup instanceof logs.LogGroup && !logEncryptionKey) acknowledgeUnencryptedLogGroup(execLogGroup);
  if (lifecycleLogGroup && !logEncryptionKey) acknowledgeUnencryptedLogGroup(lifecycleLogGroup);
  // aws-cdk-lib closes the default security group with a custom resource whose Lambda
  // function it owns; its findings are acknowledged where the function is defined.
  const reason = 'aws-cdk-lib\'s provider that removes all rules from the VPC default security group; it runs once per deployment, needs no VPC access and uses the basic Lambda execution role.';
  acknowledgeProvider(environment, 'Custom::VpcRestrictDefaultSGCustomResourceProvider', [
    { id: 'NIST.800.53.R5-LambdaConcurrency', reason },
    { id: 'NIST.800.53.R5-LambdaDLQ', reason },
    { id: 'NIST.800.53.R5-LambdaInsideVPC', reason },
    { id: 'HIPAA.Security-LambdaConcurrency', reason },
    { id: 'HIPAA.Security-LambdaDLQ', reason },
    { id: 'HIPAA.Security-LambdaInsideVPC', reason },
    { id: 'PCI.DSS.321-LambdaInsideVPC', reason },
  ], [
    { id: 'AwsSolutions-IAM4', reason, appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
  ]);
}
