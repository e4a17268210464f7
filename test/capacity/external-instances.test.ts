import { aws_ecs as ecs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  BackendService, Capacity, CapacityPlatform, Environment, ExternalInstances, Image, JobSchedule, ScheduledJob, StandaloneTask, WebService,
  WorkerService,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, policyStatements, productionEnvironment, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');

function anywhere() {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  const instances = new ExternalInstances(stack, 'OnPrem', { environment });
  return { stack, environment, instances, capacity: Capacity.external(instances) };
}

describe('ECS Anywhere', () => {
  test('the instances\' role is for SSM hybrid activations, with the ECS agent limited to this cluster', () => {
    const { stack, instances } = anywhere();
    template(stack).hasResource('AWS::IAM::Role', {
      Properties: Match.objectLike({
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ssm.amazonaws.com' } })], Version: '2012-10-17' },
        ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
      }),
      Metadata: { cdk_nag: { rules_to_suppress: [Match.objectLike({ id: 'AwsSolutions-IAM4' })] } },
    });
    const statements = policyStatements(stack, 'OnPremRole');
    expect(statements).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['ecs:RegisterContainerInstance']),
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EnvCluster/), 'Arn'] },
    }));
    const commands = stack.resolve(instances.registrationCommands());
    expect(JSON.stringify(commands[0])).toContain('aws ssm create-activation --iam-role ');
    expect(JSON.stringify(commands[2])).toContain('ecs-anywhere-install.sh');
  });

  test('an environment option creates the same role; off by default', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack, { externalInstances: true });
    expect(environment.externalInstances).toBeInstanceOf(ExternalInstances);
    new WorkerService(stack, 'Worker', { environment, image: IMAGE, capacity: Capacity.external(environment.externalInstances!) });
    const t = template(stack);
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'ssm.amazonaws.com' } })] }) });
    t.hasResourceProperties('AWS::ECS::Service', { LaunchType: 'EXTERNAL' });
    expect(policyStatements(stack, 'EnvExternalInstancesRole')).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['ecs:RegisterContainerInstance']),
    }));

    const plain = testStack();
    expect(productionEnvironment(plain).externalInstances).toBeUndefined();
    template(plain).resourcePropertiesCountIs('AWS::IAM::Role', { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'ssm.amazonaws.com' } })] }) }, 0);
  });

  test('a worker runs as an external service in bridge mode, in the environment\'s cluster', () => {
    const { stack, environment, capacity } = anywhere();
    expect(capacity.platform).toBe(CapacityPlatform.EXTERNAL);
    const worker = new WorkerService(stack, 'Worker', { environment, image: IMAGE, capacity });
    expect(worker.service).toBeInstanceOf(ecs.ExternalService);
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['EXTERNAL'], NetworkMode: 'bridge', RuntimePlatform: Match.absent(),
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'EXTERNAL',
      Cluster: { Ref: Match.stringLikeRegexp('^EnvCluster') },
      CapacityProviderStrategy: Match.absent(),
      NetworkConfiguration: Match.absent(),
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
    });
    expect(worker.connections.securityGroups).toEqual([]);
  });

  test('fails for workloads that need a load balancer, Service Connect or Scheduler', () => {
    const { stack, environment, capacity } = anywhere();
    expectError(ErrorCode.PLATFORM, () => new WebService(stack, 'Web', { environment, image: IMAGE, capacity }));
    expectError(ErrorCode.PLATFORM, () => new BackendService(stack, 'Orders', { environment, image: IMAGE, capacity }));
    expectError(ErrorCode.PLATFORM, () => new ScheduledJob(stack, 'Job', { environment, image: IMAGE, capacity, schedule: JobSchedule.cron('0 3 * * ? *') }));
    const worker = new WorkerService(stack, 'Worker', { environment, image: IMAGE, capacity });
    const orders = new BackendService(stack, 'Linux', { environment, image: IMAGE });
    expectError(ErrorCode.SERVICE_CONNECT, () => worker.connectTo(orders));
  });

  test('a standalone task runs there: an EXTERNAL task definition in bridge mode, for the caller\'s RunTask with launchType EXTERNAL', () => {
    const { stack, environment, capacity } = anywhere();
    const task = new StandaloneTask(stack, 'Backup', { environment, image: IMAGE, capacity });
    expect(task.launchType).toBe('EXTERNAL');
    expect(task.capacityProviderStrategy).toEqual([]);
    expect(task.connections.securityGroups).toEqual([]);
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['EXTERNAL'], NetworkMode: 'bridge' });
    // Not on ECS Anywhere: a strategy and no launch type.
    const fargate = new StandaloneTask(stack, 'Report', { environment, image: IMAGE });
    expect(fargate.launchType).toBeUndefined();
    expectError(ErrorCode.PLATFORM, () => new StandaloneTask(stack, 'Vpc', { environment, image: IMAGE, capacity, networkMode: ecs.NetworkMode.AWS_VPC }));
  });

  test('fails with awsvpc tasks or as the environment\'s default', () => {
    const { stack, environment, capacity, instances } = anywhere();
    expectError(ErrorCode.PLATFORM, () => new WorkerService(stack, 'Worker', { environment, image: IMAGE, capacity, networkMode: ecs.NetworkMode.AWS_VPC }));
    expectError(ErrorCode.CAPACITY_STRATEGY, () => new Environment(stack, 'Other', { capacity: Capacity.external(instances) }));
  });
});
