import { App, Duration, Fn, Size, Stack, aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { deleteEvent, loadGuard } from './guard-handler';
import { AutoScalingCapacity, Capacity, CapacityPlatform, CapacityReservationPreference, Image, ManagedInstancesCapacity, WebService } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, importedEnvironment, policyStatements, productionEnvironment, resources, template, testStack } from '../fixtures';

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

  test('scale-in of idle instances: ECS\'s default, a delay of 0-3600 s, or never', () => {
    const optimization = (stack: Stack) => resources(stack, 'AWS::ECS::CapacityProvider')[0][1].Properties.ManagedInstancesProvider.InfrastructureOptimization;
    expect(optimization(managed().stack)).toBeUndefined();
    expect(optimization(managed({ scaleInAfter: Duration.minutes(10) }).stack)).toEqual({ ScaleInAfter: 600 });
    expect(optimization(managed({ scaleInAfter: Duration.seconds(0) }).stack)).toEqual({ ScaleInAfter: 0 });
    expect(optimization(managed({ scaleInAfter: Duration.hours(1) }).stack)).toEqual({ ScaleInAfter: 3600 });
    expect(optimization(managed({ optimizeInstances: false }).stack)).toEqual({ ScaleInAfter: -1 });
  });

  test('fails on a scale-in delay outside 0-3600 whole seconds, or with optimizeInstances false', () => {
    expectError(ErrorCode.CAPACITY_PROVIDER, () => managed({ scaleInAfter: Duration.seconds(3601) }));
    expectError(ErrorCode.CAPACITY_PROVIDER, () => managed({ scaleInAfter: Duration.millis(1500) }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => managed({ scaleInAfter: Duration.minutes(5), optimizeInstances: false }));
  });

  // Property names as typed by CfnCapacityProvider.InstanceLaunchTemplateProperty (capacityOptionType,
  // capacityReservations) and CapacityReservationRequestProperty (reservationGroupArn,
  // reservationPreference) in aws-cdk-lib 2.257 and aws-cdk-lib-newest 2.278.
  const GROUP = 'arn:aws:resource-groups:eu-west-1:123456789012:group/ShopReservations';
  const launchTemplate = (stack: Stack) => resources(stack, 'AWS::ECS::CapacityProvider')[0][1].Properties.ManagedInstancesProvider.InstanceLaunchTemplate;

  test('capacity reservations: capacity option type RESERVED with the preference and the Capacity Reservation group', () => {
    const { stack } = managed({ capacityReservations: { preference: CapacityReservationPreference.RESERVATIONS_ONLY, reservationGroupArn: GROUP } });
    template(stack).hasResourceProperties('AWS::ECS::CapacityProvider', {
      ManagedInstancesProvider: Match.objectLike({
        InstanceLaunchTemplate: Match.objectLike({
          CapacityOptionType: 'RESERVED',
          CapacityReservations: { ReservationPreference: 'RESERVATIONS_ONLY', ReservationGroupArn: GROUP },
          InstanceRequirements: Match.objectLike({ VCpuCount: { Min: 2, Max: 8 } }),
        }),
      }),
    });
    expect(launchTemplate(managed().stack).CapacityReservations).toBeUndefined();
    expect(launchTemplate(managed({ capacityReservations: { preference: CapacityReservationPreference.RESERVATIONS_FIRST } }).stack))
      .toMatchObject({ CapacityOptionType: 'RESERVED', CapacityReservations: { ReservationPreference: 'RESERVATIONS_FIRST' } });
    expect(launchTemplate(managed({ capacityReservations: { preference: CapacityReservationPreference.RESERVATIONS_EXCLUDED } }).stack))
      .toMatchObject({ CapacityOptionType: 'RESERVED', CapacityReservations: { ReservationPreference: 'RESERVATIONS_EXCLUDED' } });
  });

  test('capacity reservations: a group ARN in another partition, of the longest name, or a token passes', () => {
    const first = CapacityReservationPreference.RESERVATIONS_FIRST;
    const gov = 'arn:aws-us-gov:resource-groups:us-gov-west-1:123456789012:group/' + 'a'.repeat(300);
    expect(launchTemplate(managed({ capacityReservations: { preference: first, reservationGroupArn: gov } }).stack)
      .CapacityReservations).toEqual({ ReservationPreference: 'RESERVATIONS_FIRST', ReservationGroupArn: gov });
    const token = Fn.importValue('ReservationGroupArn');
    expect(launchTemplate(managed({ capacityReservations: { preference: first, reservationGroupArn: token } }).stack)
      .CapacityReservations).toEqual({ ReservationPreference: 'RESERVATIONS_FIRST', ReservationGroupArn: { 'Fn::ImportValue': 'ReservationGroupArn' } });
  });

  test('fails on capacity reservations with Spot, a group with RESERVATIONS_EXCLUDED, or a reservationGroupArn that is not a resource group', () => {
    const only = CapacityReservationPreference.RESERVATIONS_ONLY;
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => managed({ spot: true, capacityReservations: { preference: only } }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => managed({
      capacityReservations: { preference: CapacityReservationPreference.RESERVATIONS_EXCLUDED, reservationGroupArn: GROUP },
    }));
    for (const reservationGroupArn of [
      'ShopReservations',
      'arn:aws:ec2:eu-west-1:123456789012:capacity-reservation/cr-0123456789abcdef0',
      'arn:aws:resource-groups:eu-west-1:123456789012:group/',
      'arn:aws:resource-groups:eu-west-1:1234:group/ShopReservations',
      'arn:aws:resource-groups:eu-west-1:123456789012:group/' + 'a'.repeat(301),
    ]) {
      expectError(ErrorCode.CAPACITY_PROVIDER, () => managed({ capacityReservations: { preference: only, reservationGroupArn } }));
    }
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

  test('may live in another stack than its environment (the provider is cluster-scoped, not in the associations)', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const apps = new Stack(stack.node.scope as App, 'Apps');
    const instances = new ManagedInstancesCapacity(apps, 'Managed', { environment });
    new WebService(apps, 'Web', { environment, image: IMAGE, capacity: Capacity.managedInstances(instances) });
    expect(() => (stack.node.scope as App).synth()).not.toThrow();
    expect(resources(apps, 'Custom::ShipyardManagedInstancesDeletionGuard')).toHaveLength(1);
  });

  test('fails when the environment is imported', () => {
    const stack = testStack();
    const imported = importedEnvironment(stack);
    expectError(ErrorCode.CAPACITY_PROVIDER, () => new ManagedInstancesCapacity(stack, 'Managed', { environment: imported }));
  });

  describe('stack deletion', () => {
    const PROPS = { ClusterName: 'my-cluster', CapacityProviderName: 'cp-managed' };
    const DELETE = deleteEvent('cp-managed', PROPS);

    test('the provider depends on a guard that depends on the cluster, roles, profile, security group and the subnets\' way out', () => {
      const { stack, environment, instances } = managed();
      new WebService(stack, 'Web', { environment, image: IMAGE, capacity: Capacity.managedInstances(instances) });
      const t = template(stack).toJSON();
      const id = (type: string, prefix = '') => Object.entries<any>(t.Resources).find(([k, r]) => r.Type === type && k.startsWith(prefix))![0];
      const [guardId, guard] = Object.entries<any>(t.Resources).find(([, r]) => r.Type === 'Custom::ShipyardManagedInstancesDeletionGuard')!;
      const provider = t.Resources[id('AWS::ECS::CapacityProvider')];
      // The guard needs the name before the provider exists.
      expect(provider.Properties.Name).toMatch(/^cp-TestManaged/);
      expect(guard.Properties).toEqual(expect.objectContaining({ ClusterName: { Ref: id('AWS::ECS::Cluster') }, CapacityProviderName: provider.Properties.Name }));
      // CloudFormation deletes in reverse: services, provider, guard (waits), then what the instances use.
      expect(provider.DependsOn).toContain(guardId);
      expect(guard.DependsOn).toEqual(expect.arrayContaining([
        id('AWS::ECS::Cluster'),
        id('AWS::EC2::SecurityGroup', 'ManagedSecurityGroup'),
        id('AWS::IAM::Role', 'ManagedCapacityProviderCapacityProviderRole'),
        id('AWS::IAM::Role', 'ManagedCapacityProviderInstanceRole'),
        id('AWS::IAM::InstanceProfile'),
        id('AWS::EC2::Route', 'EnvVpcPrivateSubnet1DefaultRoute'),
        id('AWS::EC2::Route', 'EnvVpcPrivateSubnet2DefaultRoute'),
      ]));
      const service = Object.values<any>(t.Resources).find(r => r.Type === 'AWS::ECS::Service');
      expect(service.Properties.CapacityProviderStrategy[0].CapacityProvider).toEqual({ Ref: id('AWS::ECS::CapacityProvider') });
    });

    test('the guard may read providers and this cluster\'s container instances only', () => {
      const { stack } = managed({ capacityProviderName: 'thumbnails' });
      template(stack).hasResourceProperties('Custom::ShipyardManagedInstancesDeletionGuard', { CapacityProviderName: 'thumbnails' });
      const statements = policyStatements(stack, 'EnvCapacityDeletionGuardRole');
      const byAction = (action: string) => statements.filter(s => s.Action === action);
      expect(byAction('ecs:DescribeCapacityProviders')).toEqual([expect.objectContaining({ Resource: '*' })]);
      expect(byAction('ecs:ListContainerInstances')).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EnvCluster/), 'Arn'] } })]);
      expect(JSON.stringify(byAction('ecs:DescribeContainerInstances'))).toMatch(/container-instance\/",\{"Ref":"EnvCluster[0-9A-F]+"\},"\/\*"/);
      expect(statements.some(s => /autoscaling:Delete|ecs:Delete|ecs:Update|ecs:Deregister/.test(JSON.stringify(s.Action)))).toBe(false);
    });

    test('one guard function for Auto Scaling groups and Managed Instances of an environment', () => {
      const { stack, environment } = managed();
      new AutoScalingCapacity(stack, 'Instances', { environment });
      expect(resources(stack, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('EnvCapacityDeletionGuard'))).toHaveLength(1);
      expect(resources(stack, 'Custom::ShipyardManagedInstancesDeletionGuard')).toHaveLength(1);
      expect(resources(stack, 'Custom::ShipyardAutoScalingGroupDeletionGuard')).toHaveLength(1);
    });

    test('on Delete the guard waits until the provider is INACTIVE and none of its container instances remain', async () => {
      let polls = 0;
      const guard = loadGuard((command, input) => {
        if (command === 'DescribeCapacityProvidersCommand') {
          polls++;
          expect(input).toEqual({ capacityProviders: ['cp-managed'], cluster: 'my-cluster' });
          return { capacityProviders: [{ name: 'cp-managed', status: polls < 3 ? 'DEPROVISIONING' : 'INACTIVE' }] };
        }
        if (command === 'ListContainerInstancesCommand') return { containerInstanceArns: polls < 4 ? ['a', 'b'] : [] };
        // 'b' belongs to another provider of the cluster: it does not hold the guard.
        return { containerInstances: [{ capacityProviderName: 'cp-managed' }, { capacityProviderName: 'other' }] };
      });
      await guard.run(DELETE);
      expect(guard.callsOf('DescribeCapacityProvidersCommand')).toHaveLength(4);
      expect(guard.callsOf('DescribeContainerInstancesCommand')[0][1]).toEqual({ cluster: 'my-cluster', containerInstances: ['a', 'b'] });
      expect(guard.calls.length).toBeGreaterThan(0);
      expect(guard.calls.filter(([name]) => !/^(Describe|List)/.test(name))).toEqual([]);
      expect(guard.answers).toEqual([{ Status: 'SUCCESS', Reason: 'stream', PhysicalResourceId: 'cp-managed', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' }]);
    });

    test('a provider already gone, or a cluster already gone, ends the wait', async () => {
      const gone = loadGuard(command => (command === 'DescribeCapacityProvidersCommand'
        ? { capacityProviders: [], failures: [{ reason: 'MISSING' }] }
        : { containerInstanceArns: [] }));
      await gone.run(DELETE);
      expect(gone.callsOf('DescribeCapacityProvidersCommand')).toHaveLength(1);
      expect(gone.answers[0].Reason).toBe('stream');

      const noCluster = loadGuard(() => {
        throw Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' });
      });
      await noCluster.run(DELETE);
      expect(noCluster.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', Reason: 'stream' })]);
    });

    test('instances that never leave: the guard answers SUCCESS with the reason before the function times out', async () => {
      const guard = loadGuard(command => (command === 'DescribeCapacityProvidersCommand'
        ? { capacityProviders: [{ status: 'DEPROVISIONING' }] }
        : command === 'ListContainerInstancesCommand' ? { containerInstanceArns: ['a'] } : { containerInstances: [{ capacityProviderName: 'cp-managed' }] }),
      120000);
      await guard.run(DELETE);
      // One poll every 15 s while more than 30 s remain (kept to answer): at 0, 15, ... 75 s.
      expect(guard.callsOf('DescribeCapacityProvidersCommand')).toHaveLength(6);
      expect(guard.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', Reason: 'cp-managed still had instances when the guard ran out of time' })]);
    });

    test('Create and Update do nothing', async () => {
      const guard = loadGuard(() => ({}));
      await guard.run({ ...DELETE, RequestType: 'Create', PhysicalResourceId: undefined });
      await guard.run({ ...DELETE, RequestType: 'Update' });
      expect(guard.calls).toEqual([]);
      expect(guard.answers.map(a => a.PhysicalResourceId)).toEqual(['cp-managed', 'cp-managed']);
    });
  });
});
