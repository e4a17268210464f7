import { App, Duration, Stack, aws_ec2 as ec2, aws_ecs as ecs, aws_sns as sns } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { deleteEvent, loadGuard } from './guard-handler';
import {
  AutoScalingCapacity, AutoScalingCapacityProps, Capacity, Egress, HostImage, Image, ManagedInstancesCapacity, Network, WebService,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, hasWarning, importedEnvironment, policyStatements, productionEnvironment, resources, template, testStack } from '../fixtures';

function capacity(props: Partial<AutoScalingCapacityProps> = {}, stack: Stack = testStack()) {
  const environment = props.environment ?? productionEnvironment(stack);
  const instances = new AutoScalingCapacity(stack, 'Instances', { ...props, environment });
  return { stack, environment, instances };
}

function userData(stack: Stack): string {
  const [[, lt]] = resources(stack, 'AWS::EC2::LaunchTemplate');
  const parts = lt.Properties.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1] as unknown[];
  return parts.map(p => (typeof p === 'string' ? p : '<ref>')).join('');
}

const DELETE_EVENT = deleteEvent('my-group', { AutoScalingGroupName: 'my-group' });

describe('AutoScalingCapacity', () => {
  test('defaults: Graviton m7g.large on Amazon Linux 2023, IMDSv2 with hop limit 1, encrypted gp3, no public IP', () => {
    const { stack } = capacity();
    const t = template(stack);
    t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceType: 'm7g.large',
        ImageId: { Ref: Match.stringLikeRegexp('amazonlinux2023arm64recommended') },
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 30, VolumeType: 'gp3', DeleteOnTermination: true } }],
        NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: false })],
        Monitoring: { Enabled: true },
        EbsOptimized: true,
      }),
    });
    t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '0',
      MaxSize: '10',
      NewInstancesProtectedFromScaleIn: true,
      VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }, { Ref: Match.stringLikeRegexp('PrivateSubnet2') }],
      MixedInstancesPolicy: Match.absent(),
    });
  });

  test('the capacity provider scales the group, protects busy instances and drains them, and joins the cluster', () => {
    const { stack } = capacity();
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: {
        AutoScalingGroupArn: { Ref: Match.stringLikeRegexp('^InstancesAutoScalingGroup') },
        ManagedScaling: { Status: 'ENABLED', TargetCapacity: 100, InstanceWarmupPeriod: 300 },
        ManagedTerminationProtection: 'ENABLED',
        ManagedDraining: 'ENABLED',
      },
    });
    t.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^InstancesCapacityProvider') }]),
    });
  });

  test('the agent blocks IMDS for awsvpc tasks, refuses privileged containers and registers the capacity attribute', () => {
    const { stack, instances } = capacity();
    const data = userData(stack);
    expect(data).toContain('echo ECS_CLUSTER=<ref> >> /etc/ecs/ecs.config');
    expect(data).toContain("echo 'ECS_AWSVPC_BLOCK_IMDS=true' >> /etc/ecs/ecs.config");
    expect(data).toContain("echo 'ECS_DISABLE_PRIVILEGED=true' >> /etc/ecs/ecs.config");
    expect(data).toContain(`echo 'ECS_INSTANCE_ATTRIBUTES={"cdk-shipyard.capacity":"${instances.instanceAttributeValue}"}'`);
    expect(data).not.toContain('ECS_ENABLE_SPOT_INSTANCE_DRAINING');
  });

  test('agentConfiguration adds and overrides agent variables', () => {
    const { stack } = capacity({ agentConfiguration: { ECS_DISABLE_PRIVILEGED: 'false', ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached' } });
    const data = userData(stack);
    expect(data).toContain("echo 'ECS_DISABLE_PRIVILEGED=false'");
    expect(data).not.toContain("echo 'ECS_DISABLE_PRIVILEGED=true'");
    expect(data).toContain("echo 'ECS_IMAGE_PULL_BEHAVIOR=prefer-cached'");
  });

  test('the instance role has no managed policy and may only register with this cluster', () => {
    const { stack } = capacity();
    const t = template(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    const statements = policyStatements(stack, 'InstancesInstanceRole');
    expect(statements).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['ecs:RegisterContainerInstance', 'ecs:SubmitTaskStateChange']),
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EnvCluster/), 'Arn'] },
    }));
    const wildcard = statements.filter(s => s.Resource === '*');
    expect(wildcard).toEqual([expect.objectContaining({ Action: 'ecs:DiscoverPollEndpoint' })]);
    expect(JSON.stringify(statements)).not.toMatch(/ecr:|logs:|ssm:/);
  });

  test('sends launch and terminate notifications to the environment topic', () => {
    const stack = testStack();
    const alarmTopic = new sns.Topic(stack, 'Topic');
    const { stack: s } = capacity({ environment: productionEnvironment(stack, { alarmTopic }) }, stack);
    template(s).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      NotificationConfigurations: [{
        TopicARN: { Ref: Match.stringLikeRegexp('^Topic') },
        NotificationTypes: ['autoscaling:EC2_INSTANCE_LAUNCH', 'autoscaling:EC2_INSTANCE_LAUNCH_ERROR',
          'autoscaling:EC2_INSTANCE_TERMINATE', 'autoscaling:EC2_INSTANCE_TERMINATE_ERROR'],
      }],
    });
  });

  test('without a topic, the missing notifications are acknowledged with a reason', () => {
    const { stack } = capacity();
    template(stack).hasResource('AWS::AutoScaling::AutoScalingGroup', {
      Properties: Match.objectLike({ NotificationConfigurations: Match.absent() }),
      Metadata: { cdk_nag: { rules_to_suppress: [Match.objectLike({ id: 'AwsSolutions-AS3', reason: Match.stringLikeRegexp('alarm topic') })] } },
    });
  });

  test('spot: price-capacity-optimized Spot only across several types, capacity rebalancing and Spot draining', () => {
    const { stack, instances } = capacity({ spot: true });
    template(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      CapacityRebalance: true,
      LaunchTemplate: Match.absent(),
      MixedInstancesPolicy: {
        InstancesDistribution: Match.objectLike({ OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: 'price-capacity-optimized' }),
        LaunchTemplate: Match.objectLike({ Overrides: [{ InstanceType: 'm7g.large' }, { InstanceType: 'm6g.large' }, { InstanceType: 'm7g.xlarge' }] }),
      },
    });
    expect(userData(stack)).toContain("echo 'ECS_ENABLE_SPOT_INSTANCE_DRAINING=true'");
    expect(instances.spot).toBe(true);
  });

  test('several on-demand types share one launch template, the first preferred', () => {
    const { stack } = capacity({ instanceTypes: [new ec2.InstanceType('c7g.large'), new ec2.InstanceType('c6g.large')] });
    template(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MixedInstancesPolicy: Match.objectLike({
        InstancesDistribution: Match.objectLike({ OnDemandPercentageAboveBaseCapacity: 100, OnDemandAllocationStrategy: 'prioritized' }),
      }),
    });
  });

  test('bottlerocket: TOML settings, the aws-ecs-2 image, encrypted OS and data volumes', () => {
    const { stack, instances } = capacity({ hostImage: HostImage.BOTTLEROCKET, spot: true, agentConfiguration: { 'image-pull-behavior': 'prefer-cached' } });
    const t = template(stack);
    t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        ImageId: { Ref: Match.stringLikeRegexp('bottlerocketawsecs2arm64') },
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true }) },
          { DeviceName: '/dev/xvdb', Ebs: Match.objectLike({ Encrypted: true, VolumeSize: 30 }) },
        ],
      }),
    });
    expect(userData(stack)).toBe([
      '', '[settings.ecs]', 'cluster = "<ref>"', 'awsvpc-block-imds = true', 'allow-privileged-containers = false',
      'enable-spot-instance-draining = true', 'image-pull-behavior = "prefer-cached"',
      '[settings.ecs.instance-attributes]', `"cdk-shipyard.capacity" = "${instances.instanceAttributeValue}"`,
    ].join('\n'));
    expect(JSON.stringify(policyStatements(stack, 'InstancesInstanceRole'))).not.toContain('ssm:');
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: Match.objectLike({}), ManagedPolicyArns: Match.absent() });
  });

  test('x86_64 and GPU instance types pick the matching image and architecture', () => {
    const { stack, instances } = capacity({ instanceTypes: [new ec2.InstanceType('g5.xlarge')], gpu: true });
    template(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ ImageId: { Ref: Match.stringLikeRegexp('amazonlinux2023gpurecommended') } }),
    });
    expect(instances.cpuArchitecture).toBe(ecs.CpuArchitecture.X86_64);
  });

  test('managed scaling settings: target capacity and warm-up', () => {
    const { stack } = capacity({ targetCapacityPercent: 80, instanceWarmup: Duration.seconds(120), minCapacity: 1, maxCapacity: 4 });
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedScaling: { Status: 'ENABLED', TargetCapacity: 80, InstanceWarmupPeriod: 120 } }),
    });
    t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '1', MaxSize: '4' });
  });

  describe('stack deletion', () => {
    test('a guard force-deletes the group after the services and before the provider association, capacity provider and group', () => {
      const { stack, environment, instances } = capacity();
      new WebService(stack, 'Web', { environment, image: Image.fromRegistry('x'), capacity: Capacity.ec2(instances) });
      const t = template(stack).toJSON();
      const [guardId, guard] = Object.entries<any>(t.Resources).find(([, r]) => r.Type === 'Custom::ShipyardAutoScalingGroupDeletionGuard')!;
      expect(guard.Properties.AutoScalingGroupName).toEqual({ Ref: expect.stringMatching(/^InstancesAutoScalingGroup/) });
      const associationId = Object.entries<any>(t.Resources).find(([, r]) => r.Type === 'AWS::ECS::ClusterCapacityProviderAssociations')![0];
      const providerId = Object.entries<any>(t.Resources).find(([, r]) => r.Type === 'AWS::ECS::CapacityProvider')![0];
      // CloudFormation deletes in reverse: the guard goes before what it depends on.
      expect(guard.DependsOn).toEqual(expect.arrayContaining([associationId, providerId]));
      const service = Object.values<any>(t.Resources).find(r => r.Type === 'AWS::ECS::Service');
      expect(service.DependsOn).toContain(guardId);
    });

    test('the group waits for the subnets\' way out, so instances can reach ECS until the group is gone', () => {
      const { stack } = capacity();
      const [[, group]] = resources(stack, 'AWS::AutoScaling::AutoScalingGroup');
      const routes = resources(stack, 'AWS::EC2::Route').map(([id]) => id).filter(id => id.includes('PrivateSubnet'));
      expect(routes).toHaveLength(2);
      expect(group.DependsOn).toEqual(expect.arrayContaining(routes));
    });

    test('without NAT, the environment gains the ECS agent endpoints once, and the group waits for them', () => {
      const stack = testStack();
      const environment = productionEnvironment(stack, { network: Network.newVpc({ egress: Egress.VPC_ENDPOINTS }) });
      new AutoScalingCapacity(stack, 'A', { environment });
      new ManagedInstancesCapacity(stack, 'B', { environment });
      const endpoints = resources(stack, 'AWS::EC2::VPCEndpoint');
      const names = endpoints.map(([, e]) => JSON.stringify(e.Properties.ServiceName)).filter(n => /\.ecs/.test(n));
      expect(names).toEqual([expect.stringMatching(/\.ecs"\]/), expect.stringMatching(/\.ecs-agent"/), expect.stringMatching(/\.ecs-telemetry"/)]);
      const [[, group]] = resources(stack, 'AWS::AutoScaling::AutoScalingGroup');
      expect(group.DependsOn).toEqual(expect.arrayContaining(endpoints.map(([id]) => id)));
      // With NAT, none are added.
      const natStack = testStack();
      new AutoScalingCapacity(natStack, 'A', { environment: productionEnvironment(natStack) });
      expect(resources(natStack, 'AWS::EC2::VPCEndpoint')).toHaveLength(0);
    });

    test('without NAT in a VPC the environment did not create, a warning names the endpoints to add', () => {
      const stack = testStack();
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-1',
        vpcCidrBlock: '10.1.0.0/16',
        availabilityZones: ['a', 'b'],
        publicSubnetIds: ['p-1', 'p-2'],
        isolatedSubnetIds: ['s-1', 's-2'],
        isolatedSubnetRouteTableIds: ['r-1', 'r-2'],
      });
      const environment = productionEnvironment(stack, { network: Network.fromVpc(vpc, { internetEgress: false }) });
      new AutoScalingCapacity(stack, 'A', { environment });
      expect(hasWarning(stack, 'cdk-shipyard:agent-endpoints')).toBe(true);
      expect(resources(stack, 'AWS::EC2::VPCEndpoint')).toHaveLength(0);
    });

    test('one guard function per environment, allowed to delete its groups only', () => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      new AutoScalingCapacity(stack, 'A', { environment });
      new AutoScalingCapacity(stack, 'B', { environment, spot: true });
      const t = template(stack);
      expect(resources(stack, 'Custom::ShipyardAutoScalingGroupDeletionGuard')).toHaveLength(2);
      const functions = resources(stack, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('EnvCapacityDeletionGuard'));
      expect(functions).toHaveLength(1);
      t.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Timeout: 900, Handler: 'index.handler' });
      const deletes = policyStatements(stack, 'EnvCapacityDeletionGuardRole').filter(s => s.Action === 'autoscaling:DeleteAutoScalingGroup');
      expect(deletes).toHaveLength(2);
      for (const statement of deletes) {
        expect(JSON.stringify(statement.Resource)).toMatch(/autoScalingGroup:\*:autoScalingGroupName\//);
      }
    });

    test('the guard force-deletes the group on Delete, waits until it is gone, and always answers SUCCESS', async () => {
      let describes = 0;
      const guard = loadGuard(command => {
        if (command !== 'DescribeAutoScalingGroupsCommand') return {};
        describes++;
        return { AutoScalingGroups: describes < 2 ? [{ Status: 'Delete in progress' }] : [] };
      });
      await guard.run(DELETE_EVENT);
      expect(guard.calls[0]).toEqual(['DeleteAutoScalingGroupCommand', { AutoScalingGroupName: 'my-group', ForceDelete: true }]);
      expect(guard.calls.filter(([n]) => n === 'DescribeAutoScalingGroupsCommand')).toHaveLength(2);
      expect(guard.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'my-group' })]);

      guard.calls.length = 0;
      guard.answers.length = 0;
      await guard.run({ ...DELETE_EVENT, RequestType: 'Create', PhysicalResourceId: undefined });
      expect(guard.calls).toEqual([]);
      expect(guard.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'my-group' })]);
    });

    test('the guard answers SUCCESS with the reason when the group cannot be deleted, so stack deletion goes on', async () => {
      const guard = loadGuard(command => {
        if (command === 'DeleteAutoScalingGroupCommand') {
          throw new Error('AccessDenied: not authorized to perform autoscaling:DeleteAutoScalingGroup');
        }
        return { AutoScalingGroups: [] };
      });
      await guard.run(DELETE_EVENT);
      expect(guard.calls.filter(([n]) => n === 'DeleteAutoScalingGroupCommand')).toHaveLength(6);
      expect(guard.answers).toEqual([
        expect.objectContaining({ Status: 'SUCCESS', Reason: expect.stringContaining('could not force-delete my-group: AccessDenied') }),
      ]);
    });
  });

  describe('validation', () => {
    test('fails when instance types mix CPU architectures', () => {
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ instanceTypes: [new ec2.InstanceType('m7g.large'), new ec2.InstanceType('m7i.large')] }));
    });

    test('fails when instanceTypes is empty', () => {
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ instanceTypes: [] }));
    });

    test('fails when minCapacity is above maxCapacity', () => {
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ minCapacity: 5, maxCapacity: 2 }));
    });

    test('fails when managed termination protection is on without managed scaling', () => {
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ managedScaling: false, managedTerminationProtection: true }));
    });

    test('fails when neither managed draining nor termination protection would drain instances', () => {
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ managedTerminationProtection: false, managedDraining: false }));
    });

    test('fails when targetCapacityPercent is outside 1-100 or set without managed scaling', () => {
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ targetCapacityPercent: 0 }));
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ targetCapacityPercent: 101 }));
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({
        managedScaling: false, managedTerminationProtection: false, targetCapacityPercent: 50,
      }));
    });

    test('fails when the volume is smaller than the image', () => {
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ volumeSizeGiB: 20 }));
    });

    test('fails when a GPU image is asked for Graviton instances on Amazon Linux', () => {
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ gpu: true }));
    });

    test('fails when an agent setting has a wrong name or an unsafe value', () => {
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ agentConfiguration: { image_pull: 'x' } }));
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ agentConfiguration: { ECS_CLUSTER: 'other' } }));
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ agentConfiguration: { ECS_LOGLEVEL: "debug' && reboot" } }));
      expectError(ErrorCode.CAPACITY_PROVIDER, () => capacity({ hostImage: HostImage.BOTTLEROCKET, agentConfiguration: { ECS_LOGLEVEL: 'debug' } }));
    });

    test('fails in another stack than the environment\'s (the provider associations would make a cycle); workloads may', () => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      const apps = new Stack(stack.node.scope as App, 'Apps');
      expectError(ErrorCode.CAPACITY_PROVIDER, () => new AutoScalingCapacity(apps, 'Instances', { environment }));
      const instances = new AutoScalingCapacity(stack, 'Instances', { environment });
      new WebService(apps, 'Web', { environment, image: Image.fromRegistry('x'), capacity: Capacity.ec2(instances) });
      expect(() => (stack.node.scope as App).synth()).not.toThrow();
    });

    test('fails when the environment is imported', () => {
      const stack = testStack();
      const imported = importedEnvironment(stack);
      expectError(ErrorCode.CAPACITY_PROVIDER, () => new AutoScalingCapacity(stack, 'Instances', { environment: imported }));
    });
  });
});
