import {
  Size, Stack, aws_ecs as ecs, aws_iam as iam, aws_kinesisfirehose as firehose, aws_logs as logs,
  aws_opensearchservice as opensearch, aws_s3 as s3, aws_secretsmanager as sm,
} from 'aws-cdk-lib';
import { FireLensConfigFile, Image, LogDestination, Logging, WebService, WebServiceProps } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, policyStatements, productionEnvironment, resources, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27');

function web(props: (stack: Stack) => Partial<WebServiceProps>): { stack: Stack; service: WebService } {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  const service = new WebService(stack, 'Web', { image: IMAGE, environment, ...props(stack) });
  return { stack, service };
}

function containers(stack: Stack): any[] {
  return resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions;
}

function container(stack: Stack, name: string): any {
  return containers(stack).find(c => c.Name === name);
}

function taskRoleStatements(stack: Stack): any[] {
  return policyStatements(stack, 'WebTaskDefinitionTaskRole');
}

describe('Logging.awsLogs', () => {
  test('buffer size, multiline pattern and stream prefix reach the driver', () => {
    const { stack } = web(() => ({ logging: Logging.awsLogs({ maxBufferSize: Size.mebibytes(25), multilinePattern: '^\\d{4}-', streamPrefix: 'web' }) }));
    expect(container(stack, 'app').LogConfiguration.Options).toMatchObject({
      'mode': 'non-blocking', 'max-buffer-size': '26214400b', 'awslogs-multiline-pattern': '^\\d{4}-', 'awslogs-stream-prefix': 'web',
    });
  });

  test('writes to an existing log group without creating one', () => {
    const { stack, service } = web(s => ({ logging: Logging.awsLogs({ logGroup: logs.LogGroup.fromLogGroupName(s, 'Existing', '/platform/web') }) }));
    expect(resources(stack, 'AWS::Logs::LogGroup').filter(([id]) => id.startsWith('Web'))).toHaveLength(0);
    expect(container(stack, 'app').LogConfiguration.Options['awslogs-group']).toBe('/platform/web');
    expect(service.logGroup).toBeDefined();
  });
});

describe('Logging.fireLens', () => {
  test('adds one Fluent Bit router, itself logged to CloudWatch, that every container logs through', () => {
    const { stack } = web(() => ({
      logging: Logging.fireLens({ destination: LogDestination.cloudWatchLogs() }),
      sidecars: [{ name: 'agent', image: IMAGE }],
    }));
    const router = container(stack, 'log-router');
    expect(router).toMatchObject({
      Essential: true,
      MemoryReservation: 50,
      User: '0',
      ReadonlyRootFilesystem: false,
      Privileged: false,
      FirelensConfiguration: { Type: 'fluentbit', Options: { 'enable-ecs-log-metadata': 'true' } },
      LogConfiguration: { LogDriver: 'awslogs', Options: expect.objectContaining({ 'awslogs-stream-prefix': 'log-router' }) },
    });
    const parameter = router.Image.Ref;
    expect(template(stack).toJSON().Parameters[parameter]).toMatchObject({
      Type: 'AWS::SSM::Parameter::Value<String>', Default: '/aws/service/aws-for-fluent-bit/stable',
    });
    for (const name of ['app', 'agent']) {
      expect(container(stack, name).LogConfiguration).toMatchObject({
        LogDriver: 'awsfirelens',
        Options: expect.objectContaining({ Name: 'cloudwatch_logs', auto_create_group: 'false', log_stream_prefix: `${name}/` }),
      });
    }
  });

  test('the task role may write to the destination log group only', () => {
    const { stack } = web(() => ({ logging: Logging.fireLens({ destination: LogDestination.cloudWatchLogs() }) }));
    expect(taskRoleStatements(stack)).toEqual([{
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^WebLogGroup/), 'Arn'] },
    }]);
  });

  test('delivers to a Firehose stream with PutRecordBatch on that stream only', () => {
    const { stack } = web(s => ({
      logging: Logging.fireLens({ destination: LogDestination.firehose(firehose.DeliveryStream.fromDeliveryStreamName(s, 'Stream', 'logs-to-s3')) }),
    }));
    expect(container(stack, 'app').LogConfiguration.Options).toMatchObject({ Name: 'kinesis_firehose', delivery_stream: 'logs-to-s3' });
    expect(taskRoleStatements(stack)).toEqual([expect.objectContaining({
      Action: 'firehose:PutRecordBatch',
      Resource: expect.objectContaining({ 'Fn::Join': expect.arrayContaining([expect.arrayContaining([':deliverystream/logs-to-s3'])]) }),
    })]);
  });

  test('delivers to OpenSearch signed with SigV4, with HTTP write access to that domain only', () => {
    const { stack } = web(s => ({
      logging: Logging.fireLens({
        destination: LogDestination.openSearch(opensearch.Domain.fromDomainEndpoint(s, 'Domain', 'https://search-logs-abc.us-east-1.es.amazonaws.com'), { index: 'web' }),
      }),
    }));
    expect(container(stack, 'app').LogConfiguration.Options).toMatchObject({ Name: 'opensearch', Index: 'web', AWS_Auth: 'On', tls: 'On' });
    expect(taskRoleStatements(stack)[0].Action).toEqual(['es:ESHttpPost', 'es:ESHttpPut']);
  });

  test('passes any Fluent Bit output with the permissions given', () => {
    const { stack } = web(() => ({
      logging: Logging.fireLens({
        destination: LogDestination.fluentBitOutput({ Name: 's3', bucket: 'logs', region: 'us-east-1' }, [
          new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::logs/*'] }),
        ]),
      }),
    }));
    expect(container(stack, 'app').LogConfiguration.Options).toEqual({ Name: 's3', bucket: 'logs', region: 'us-east-1' });
    expect(taskRoleStatements(stack)).toEqual([expect.objectContaining({ Action: 's3:PutObject' })]);
  });

  test('loads a config file built into the router image', () => {
    const { stack } = web(() => ({ logging: Logging.fireLens({ configFile: FireLensConfigFile.fromImage('/fluent-bit/etc/extra.conf'), enableMetadata: false }) }));
    expect(container(stack, 'log-router').FirelensConfiguration.Options).toEqual({
      'enable-ecs-log-metadata': 'false', 'config-file-type': 'file', 'config-file-value': '/fluent-bit/etc/extra.conf',
    });
    expect(container(stack, 'app').LogConfiguration).toEqual({ LogDriver: 'awsfirelens' });
  });

  test('fails when the config file comes from S3 on Fargate', () => {
    expectError(ErrorCode.LOGGING, () => web(s => ({
      logging: Logging.fireLens({ configFile: FireLensConfigFile.fromS3(s3.Bucket.fromBucketName(s, 'B', 'conf'), 'fluent.conf') }),
    })));
  });

  test('fails without a destination or a config file', () => {
    expectError(ErrorCode.LOGGING, () => web(() => ({ logging: Logging.fireLens({}) })));
  });

  test('refuses a second log router (aws-cdk-lib raises FirelensRouterAlreadyAdded)', () => {
    const { service } = web(() => ({ logging: Logging.fireLens({ destination: LogDestination.cloudWatchLogs() }) }));
    expect(() => service.taskDefinition.addFirelensLogRouter('Second', {
      image: ecs.ContainerImage.fromRegistry('fluent/fluent-bit'),
      firelensConfig: { type: ecs.FirelensLogRouterType.FLUENTBIT },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'second' }),
      memoryReservationMiB: 16,
    })).toThrow(/already added/);
  });
});

describe('Logging.splunk', () => {
  test('sends to the HEC URL with the token from Secrets Manager, read by the execution role only', () => {
    const { stack } = web(s => ({
      logging: Logging.splunk({
        url: 'https://splunk.example.com:8088',
        token: ecs.Secret.fromSecretsManager(sm.Secret.fromSecretCompleteArn(s, 'Token', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:hec-AbCdEf')),
        sourceType: 'json',
        index: 'apps',
      }),
    }));
    expect(container(stack, 'app').LogConfiguration).toEqual({
      LogDriver: 'splunk',
      Options: { 'splunk-url': 'https://splunk.example.com:8088', 'splunk-sourcetype': 'json', 'splunk-index': 'apps' },
      SecretOptions: [{ Name: 'splunk-token', ValueFrom: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:hec-AbCdEf' }],
    });
    const execution = resources(stack, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('WebTaskDefinitionExecutionRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(execution).toContainEqual(expect.objectContaining({ Resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:hec-AbCdEf' }));
    expect(resources(stack, 'AWS::Logs::LogGroup').filter(([id]) => id.startsWith('Web'))).toHaveLength(0);
  });

  test('can skip TLS verification (a self-signed HEC certificate)', () => {
    const { stack } = web(s => ({
      logging: Logging.splunk({ url: 'https://splunk:8088', token: ecs.Secret.fromSecretsManager(sm.Secret.fromSecretNameV2(s, 'T', 'hec')), verifyTls: false }),
    }));
    expect(container(stack, 'app').LogConfiguration.Options['splunk-insecureskipverify']).toBe('true');
  });

  test('keeps the template valid', () => {
    const { stack } = web(s => ({
      logging: Logging.splunk({ url: 'https://splunk:8088', token: ecs.Secret.fromSecretsManager(sm.Secret.fromSecretNameV2(s, 'T', 'hec')) }),
    }));
    expect(() => template(stack)).not.toThrow();
  });
});
