import { Size, aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Capacity, CapacityPlatform, Image, ManagedInstancesCapacity, WebService } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, importedEnvironment, productionEnvironment, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');

function managed(props: Partial<ConstructorParameters<typeof ManagedInstancesCapacity>[2]> = {}) {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  const instances = new ManagedInstancesCapacity(stack, 'Managed', { environment, ...props });
  return { stack, environment, instances };
}

describe('ManagedInstancesCapacity', () => {
  test('defaults: Graviton instances of 2-8 vCPUs and 4 GiB or more, On-Demand, in the private subnets, bound to the cluster', () => {
    const { stack, instances } = managed();
    template(stack).hasResourceProperties('AWS::ECS::CapacityProvider', {
      ClusterName: { Ref: Match.stringLikeRegexp('^EnvCluster') },
      ManagedInstancesProvider: {
        InfrastructureRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ManagedCapacityProviderCapacityProviderRole'), 'Arn'] },
        InstanceLaunchTemplate: Match.objectLike({
          CapacityOptionType: 'ON_DEMAND',
          InstanceRequirements: { CpuManufacturers: ['amazon-web-services'], MemoryMiB: { Min: 4096 }, VCpuCount: { Min: 2, Max: 8 } },
          Monitoring: 'DETAILED',
          NetworkConfiguration: {
            SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ManagedSecurityGroup'), 'GroupId'] }],
            Subnets: [{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }, { Ref: Match.stringLikeRegexp('PrivateSubnet2') }],
          },
        }),
        PropagateTags: 'CAPACITY_PROVIDER',
      },
    });
    expect(instances.cpuArchitecture).toBe(ecs.CpuArchitecture.ARM64);
  });

  test('the infrastructure role\'s managed policy is acknowledged with a reason', () => {
    const { stack } = managed();
    template(stack).hasResource('AWS::IAM::Role', {
      Properties: Match.objectLike({
        ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances']] }],
      }),
      Metadata: { cdk_nag: { rules_to_suppress: [Match.objectLike({ id: 'AwsSolutions-IAM4' })] } },
    });
  });

  test('a web service on Managed Instances: a Fargate-compatible awsvpc task, a strategy naming the provider', () => {
    const { stack, environment, instances } = managed({
      spot: true,
      instanceRequirements: {
        vCpuCountMin: 4, memoryMin: Size.gibibytes(16), cpuManufacturers: [ec2.CpuManufacturer.INTEL],
      },
    });
    const capacity = Capacity.managedInstances(instances);
    expect(capacity.platform).toBe(CapacityPlatform.MANAGED_INSTANCES);
    new WebService(stack, 'Web', { environment, image: IMAGE, capacity });
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::CapacityProvider', {
      ManagedInstancesProvider: Match.objectLike({ InstanceLaunchTemplate: Match.objectLike({ CapacityOptionType: 'SPOT' }) }),
    });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE', 'MANAGED_INSTANCES'],
      NetworkMode: 'awsvpc',
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [{ CapacityProvider: { Ref: Match.stringLikeRegexp('^ManagedCapacityProvider') }, Weight: 1 }],
      LaunchType: Match.absent(),
      PlacementStrategies: Match.absent(),
    });
  });

  test('fails when a workload on Managed Instances asks for bridge mode, ephemeral storage or another architecture', () => {
    const { stack, environment, instances } = managed();
    const capacity = Capacity.managedInstances(instances);
    expectError(ErrorCode.PLATFORM, () => new WebService(stack, 'Bridge', { environment, image: IMAGE, capacity, networkMode: ecs.NetworkMode.BRIDGE }));
    expectError(ErrorCode.PLATFORM, () => new WebService(stack, 'Storage', { environment, image: IMAGE, capacity, ephemeralStorageGiB: 50 }));
    expectError(ErrorCode.PLATFORM, () => new WebService(stack, 'X86', {
      environment, image: IMAGE, capacity, cpuArchitecture: ecs.CpuArchitecture.X86_64,
    }));
  });

  test('fails when the instance requirements are inconsistent', () => {
    expectError(ErrorCode.CAPACITY_PROVIDER, () => managed({
      instanceRequirements: { vCpuCountMin: 8, vCpuCountMax: 4, memoryMin: Size.gibibytes(4) },
    }));
    expectError(ErrorCode.CAPACITY_PROVIDER, () => managed({
      instanceRequirements: { vCpuCountMin: 2, memoryMin: Size.gibibytes(8), memoryMax: Size.gibibytes(4) },
    }));
    expectError(ErrorCode.CAPACITY_PROVIDER, () => managed({ taskVolumeStorage: Size.tebibytes(20) }));
  });

  test('fails when the environment is imported', () => {
    const stack = testStack();
    const imported = importedEnvironment(stack);
    expectError(ErrorCode.CAPACITY_PROVIDER, () => new ManagedInstancesCapacity(stack, 'Managed', { environment: imported }));
  });
});
