import { Stack, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Egress, Environment, Network } from '../../src';
import { CERTIFICATE_ARN, hasWarning, policyStatements, productionEnvironment, template, testStack, webService as web, containerNamed as container } from '../fixtures';


function taskRoleStatements(stack: Stack): any[] {
  return policyStatements(stack, 'WebTaskDefinitionTaskRole');
}


describe('ECS Exec', () => {
  test('is off by default', () => {
    const { stack } = web();
    template(stack).hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: Match.absent() });
  });

  test('enabling it keeps the root file system read-only and gives the agent writable paths', () => {
    const { stack } = web({ enableExec: true });
    template(stack).hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true });
    const app = container(stack, 'app');
    expect(app.ReadonlyRootFilesystem).toBe(true);
    // The agent's paths stay task-storage volumes (they hold its state across restarts); /tmp is in memory.
    expect(app.MountPoints.map((m: any) => m.ContainerPath)).toEqual(['/var/lib/amazon', '/var/log/amazon']);
    expect(app.LinuxParameters.Tmpfs.map((t: any) => t.ContainerPath)).toEqual(['/tmp']);
    expect(taskRoleStatements(stack)).toContainEqual(expect.objectContaining({
      Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
    }));
  });

  test('without the environment\'s exec settings, session logs may go to the task\'s own log group only, never to every group', () => {
    const { stack } = web({ enableExec: true });
    const logStatements = taskRoleStatements(stack).filter(st => [st.Action].flat().some((a: string) => a.startsWith('logs:')));
    expect(logStatements).toEqual([
      { Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^WebLogGroup/), 'Arn'] },
      },
    ]);
  });

  test('the environment encrypts sessions with a rotating key and records them in a retained log group', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack, { exec: {} });
    web({ environment, enableExec: true }, stack);
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: {
        ExecuteCommandConfiguration: {
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EnvExecKey'), 'Arn'] },
          Logging: 'OVERRIDE',
          LogConfiguration: { CloudWatchLogGroupName: { Ref: Match.stringLikeRegexp('^EnvExecLogGroup') }, CloudWatchEncryptionEnabled: false },
        },
      },
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('ECS Exec') });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { RetentionInDays: 30 } });
    const statements = JSON.stringify(taskRoleStatements(stack));
    expect(statements).toContain('kms:Decrypt');
    expect(statements).toContain('logs:PutLogEvents');
  });

  test('sessions can also go to S3, and use the environment log key for CloudWatch', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
    const bucket = s3.Bucket.fromBucketName(stack, 'Audit', 'exec-audit');
    new Environment(stack, 'Env', {
      ingress: { certificate: { certificateArn: CERTIFICATE_ARN } as any },
      logEncryptionKey: key,
      exec: { bucket, bucketPrefix: 'sessions/' },
    });
    template(stack).hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: {
        ExecuteCommandConfiguration: Match.objectLike({
          LogConfiguration: Match.objectLike({ CloudWatchEncryptionEnabled: true, S3BucketName: 'exec-audit', S3EncryptionEnabled: true, S3KeyPrefix: 'sessions/' }),
        }),
      },
    });
  });

  test('warns when the environment has no internet egress (ssmmessages unreachable)', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack, { network: Network.newVpc({ egress: Egress.VPC_ENDPOINTS }) });
    web({ environment, enableExec: true }, stack);
    expect(hasWarning(stack, 'cdk-shipyard:exec-unreachable')).toBe(true);
  });
});
