import { aws_ecr as ecr, aws_ecs as ecs, aws_secretsmanager as sm } from 'aws-cdk-lib';
import { Image } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, policyStatements, testStack, webService as web, containerNamed as container } from '../fixtures';


describe('task model: images', () => {
  test('a private ECR image named by its URI is pulled with the execution role, granted that repository alone', () => {
    const stack = testStack();
    const uri = '222222222222.dkr.ecr.eu-west-1.amazonaws.com/team/api@sha256:' + 'a'.repeat(64);
    web({ image: Image.fromRegistry(uri), sidecars: [{ name: 'proxy', image: Image.fromRegistry('222222222222.dkr.ecr.eu-west-1.amazonaws.com/team/proxy:2.1') }] }, stack);
    expect(container(stack, 'app').Image).toBe(uri);
    const statements = policyStatements(stack, 'WebTaskDefinitionExecutionRole');
    const pulls = statements.filter(s => JSON.stringify(s.Action).includes('ecr:BatchGetImage')).map(s => JSON.stringify(s.Resource));
    expect(pulls).toEqual([
      expect.stringContaining(':ecr:eu-west-1:222222222222:repository/team/api'),
      expect.stringContaining(':ecr:eu-west-1:222222222222:repository/team/proxy'),
    ]);
    expect(statements.some(s => s.Action === 'ecr:GetAuthorizationToken' && s.Resource === '*')).toBe(true);
  });

  test('fails when a private ECR image is given registry credentials', () => {
    const stack = testStack();
    const credentials = sm.Secret.fromSecretCompleteArn(stack, 'Creds', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:registry-AbCdEf');
    expectError(ErrorCode.IMAGE, () => web({ image: Image.fromRegistry('222222222222.dkr.ecr.us-east-1.amazonaws.com/api:1', { credentials }) }, stack));
  });

  test('pulls from a private registry with credentials the execution role alone may read', () => {
    const stack = testStack();
    const credentials = sm.Secret.fromSecretCompleteArn(stack, 'Creds', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:registry-AbCdEf');
    web({ image: Image.fromRegistry('registry.example.com/team/api:1.4.2', { credentials }) }, stack);
    expect(container(stack, 'app').RepositoryCredentials).toEqual({ CredentialsParameter: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:registry-AbCdEf' });
    const statements = policyStatements(stack, 'WebTaskDefinitionExecutionRole');
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:registry-AbCdEf',
    }));
  });

  test('an ECR image pinned by digest is pulled by that digest, and the pull is limited to its repository', () => {
    const stack = testStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'team/api');
    const digest = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    web({ image: Image.fromEcrRepository(repository, digest) }, stack);
    expect(JSON.stringify(container(stack, 'app').Image)).toContain(`@${digest}`);
    const statements = policyStatements(stack, 'WebTaskDefinitionExecutionRole');
    const pull = statements.find(s => JSON.stringify(s.Action).includes('ecr:BatchGetImage'));
    expect(JSON.stringify(pull.Resource)).toContain(':repository/team/api');
  });

  test('registry images keep ECS version consistency (a tag resolves to one digest per deployment)', () => {
    const { stack } = web();
    expect(container(stack, 'app').VersionConsistency).toBeUndefined(); // ECS default: enabled
    const { stack: other } = web({ image: Image.fromContainerImage(ecs.ContainerImage.fromRegistry('busybox:1.36')) });
    expect(container(other, 'app').VersionConsistency).toBeUndefined();
  });
});
