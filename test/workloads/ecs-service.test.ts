import { Duration, Stack, aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AutoScalingCapacity, AutoScalingCapacityProps, Capacity, Image, WebService, WebServiceProps, WorkerService } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, expectValidationError, hasWarning, warningIds, productionEnvironment, resources, template, testStack, ec2Environment } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');

function web(props: Partial<WebServiceProps> = {}, capacityProps: Partial<AutoScalingCapacityProps> = {}) {
  const { stack, environment, instances } = ec2Environment(capacityProps);
  const service = new WebService(stack, 'Web', { environment, image: IMAGE, capacity: Capacity.ec2(instances), ...props });
  return { stack, environment, instances, service };
}

function ingressRules(stack: Stack) {
  return resources(stack, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
}


describe('the service builder: services on EC2 capacity', () => {
  describe('WebService', () => {
    test('bridge mode: dynamic host ports, instance targets, the instances admit the load balancer on the ephemeral range only', () => {
      const { stack } = web({ networkMode: ecs.NetworkMode.BRIDGE });
      expect(hasWarning(stack, 'cdk-shipyard:awsvpc-on-ec2')).toBe(false);
      const t = template(stack);
      t.hasResourceProperties('AWS::ECS::TaskDefinition', {
        NetworkMode: 'bridge',
        RequiresCompatibilities: ['EC2'],
        Cpu: '256',
        Memory: '512',
        RuntimePlatform: Match.absent(),
        ContainerDefinitions: [Match.objectLike({ PortMappings: [Match.objectLike({ ContainerPort: 8080, HostPort: 0 })] })],
      });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance', Port: 8080 });
      const rules = ingressRules(stack).filter(r => JSON.stringify(r.GroupId).includes('InstancesSecurityGroup'));
      expect(rules).toEqual([expect.objectContaining({
        FromPort: 32768,
        ToPort: 65535,
        IpProtocol: 'tcp',
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^EnvIngressSecurityGroup/), 'GroupId'] },
      })]);
      // No task security group and no network configuration: the tasks use the instances' network.
      expect(resources(stack, 'AWS::EC2::SecurityGroup').filter(([id]) => id.startsWith('Web'))).toEqual([]);
      t.hasResourceProperties('AWS::ECS::Service', {
        LaunchType: Match.absent(),
        NetworkConfiguration: Match.absent(),
        CapacityProviderStrategy: [{ CapacityProvider: { Ref: Match.stringLikeRegexp('^InstancesCapacityProvider') }, Weight: 1 }],
        PlacementStrategies: [{ Type: 'spread', Field: 'attribute:ecs.availability-zone' }, { Type: 'binpack', Field: 'MEMORY' }],
        SchedulingStrategy: 'REPLICA',
      });
    });

    test('host mode: the instances admit the load balancer on the container port', () => {
      const { stack } = web({ networkMode: ecs.NetworkMode.HOST, containerPort: 8081 });
      const rules = ingressRules(stack).filter(r => JSON.stringify(r.GroupId).includes('InstancesSecurityGroup'));
      expect(rules).toEqual([expect.objectContaining({ FromPort: 8081, ToPort: 8081 })]);
      template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance' });
    });

    test('awsvpc on EC2: the task has its own security group and IP targets; the instances admit nothing', () => {
      const { stack, service } = web();
      const t = template(stack);
      t.hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: 'awsvpc', RequiresCompatibilities: ['EC2'] });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'ip' });
      t.hasResourceProperties('AWS::ECS::Service', {
        NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
      });
      expect(ingressRules(stack).filter(r => JSON.stringify(r.GroupId).includes('InstancesSecurityGroup'))).toEqual([]);
      expect(service.service).toBeInstanceOf(ecs.Ec2Service);
      expect(hasWarning(stack, 'cdk-shipyard:awsvpc-on-ec2')).toBe(true);
    });

    test('the task follows the instances\' CPU architecture, and EC2-only Linux settings reach the container', () => {
      const { stack } = web({
        linuxSettings: { sharedMemorySizeMiB: 256, tmpfs: [{ containerPath: '/run', size: 64 }], ulimits: [{ name: ecs.UlimitName.NPROC, softLimit: 512, hardLimit: 512 }] },
        stopTimeout: Duration.minutes(5),
      }, { instanceTypes: [new ec2.InstanceType('m7i.large')] });
      template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [Match.objectLike({
          StopTimeout: 300,
          LinuxParameters: Match.objectLike({ SharedMemorySize: 256, Tmpfs: [Match.objectLike({ ContainerPath: '/tmp' }), { ContainerPath: '/run', Size: 64 }] }),
          Ulimits: Match.arrayWith([{ Name: 'nproc', SoftLimit: 512, HardLimit: 512 }]),
        })],
      });
    });

    test('on stack deletion the service goes before the instances', () => {
      const { stack } = web({ networkMode: ecs.NetworkMode.BRIDGE });
      const [[guardId]] = resources(stack, 'Custom::ShipyardAutoScalingGroupDeletionGuard');
      template(stack).hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith([guardId]) });
    });

    test('fails when bridge or host mode is asked on Fargate', () => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      expectError(ErrorCode.PLATFORM, () => new WebService(stack, 'Web', { environment, image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE }));
      expectError(ErrorCode.PLATFORM, () => new WebService(stack, 'Host', { environment, image: IMAGE, networkMode: ecs.NetworkMode.HOST, capacity: Capacity.fargateSpot() }));
    });

    test('fails when a Fargate-only setting is used on EC2, and EC2-only settings on Fargate', () => {
      expectError(ErrorCode.PLATFORM, () => web({ ephemeralStorageGiB: 50 }));
      const stack = testStack();
      const environment = productionEnvironment(stack);
      expectError(ErrorCode.TASK_SETTINGS, () => new WebService(stack, 'Web', { environment, image: IMAGE, linuxSettings: { sharedMemorySizeMiB: 64 } }));
      expectError(ErrorCode.TASK_SETTINGS, () => new WebService(stack, 'Stop', { environment, image: IMAGE, stopTimeout: Duration.minutes(5) }));
    });

    test('fails when the task\'s CPU architecture differs from the instances\'', () => {
      expectError(ErrorCode.PLATFORM, () => web({ cpuArchitecture: ecs.CpuArchitecture.X86_64 }));
    });

    test('fails when bridge mode runs on a raw EC2 strategy whose instances are unknown', () => {
      const { stack, environment, instances } = ec2Environment();
      expectError(ErrorCode.PLATFORM, () => new WebService(stack, 'Web', {
        environment,
        image: IMAGE,
        networkMode: ecs.NetworkMode.BRIDGE,
        capacity: Capacity.strategy([{ capacityProvider: instances.capacityProviderName, weight: 1 }]),
      }));
    });

    test('fails when the network mode is not one Linux tasks use', () => {
      expectError(ErrorCode.PLATFORM, () => web({ networkMode: ecs.NetworkMode.NAT }));
    });

    test('fails at synth when an escape hatch gives EC2 tasks a public IP', () => {
      const { stack, service } = web();
      const cfn = service.service.node.defaultChild as ecs.CfnService;
      const config = stack.resolve(cfn.networkConfiguration);
      cfn.networkConfiguration = { awsvpcConfiguration: { ...config.awsvpcConfiguration, assignPublicIp: 'ENABLED' } };
      expectValidationError(stack, ErrorCode.NETWORK, /assignPublicIp is ENABLED on EC2 capacity/);
    });

    test('ARM64 tasks on Fargate Spot are valid', () => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      expect(() => new WebService(stack, 'Web', {
        environment, image: IMAGE, cpuArchitecture: ecs.CpuArchitecture.ARM64, capacity: Capacity.fargateSpot(),
      })).not.toThrow();
      template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
    });
  });

  test('a worker in bridge mode runs on a Spot mix with the instances\' connections', () => {
    const { stack, environment, instances } = ec2Environment();
    const spot = new AutoScalingCapacity(stack, 'Spot', { environment, spot: true });
    const worker = new WorkerService(stack, 'Worker', {
      environment, image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE, capacity: Capacity.ec2SpotMix(instances, spot),
    });
    expect(worker.connections.securityGroups).toEqual([instances.securityGroup, spot.securityGroup]);
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      CapacityProviderStrategy: [
        { CapacityProvider: { Ref: Match.stringLikeRegexp('^InstancesCapacityProvider') }, Base: 1, Weight: 0 },
        { CapacityProvider: { Ref: Match.stringLikeRegexp('^SpotCapacityProvider') }, Weight: 1 },
      ],
    });
    const guards = resources(stack, 'Custom::ShipyardAutoScalingGroupDeletionGuard').map(([id]) => id);
    t.hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith(guards) });
  });
});

describe('the Fargate platform version', () => {
  test('is the one given on Fargate, and refused on other capacity or a Linux version for Windows', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WebService(stack, 'Web', { environment, image: IMAGE, platformVersion: ecs.FargatePlatformVersion.VERSION1_4 });
    template(stack).hasResourceProperties('AWS::ECS::Service', { PlatformVersion: '1.4.0' });
    const onEc2 = ec2Environment();
    expectError(ErrorCode.PLATFORM, () => new WorkerService(onEc2.stack, 'Worker', {
      environment: onEc2.environment, image: IMAGE, capacity: Capacity.ec2(onEc2.instances), platformVersion: ecs.FargatePlatformVersion.VERSION1_4,
    }));
    expectError(ErrorCode.PLATFORM, () => new WorkerService(stack, 'Windows', {
      environment,
      image: IMAGE,
      operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
      cpuArchitecture: ecs.CpuArchitecture.X86_64,
      cpu: 1024,
      memoryLimitMiB: 2048,
      platformVersion: ecs.FargatePlatformVersion.VERSION1_4,
    }));
  });

  test('fails for ARM64 tasks on a version before 1.4.0, where they never start; 1.4.0 and x86_64 on 1.3.0 pass', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    expectError(ErrorCode.PLATFORM, () => new WebService(stack, 'Arm', { environment, image: IMAGE, platformVersion: ecs.FargatePlatformVersion.VERSION1_3 }));
    expect(() => new WebService(stack, 'Arm13', { environment, image: IMAGE, platformVersion: ecs.FargatePlatformVersion.VERSION1_3 })).toThrow(/does not run ARM64 tasks.*VERSION1_4/);
    new WebService(stack, 'Arm14', { environment, image: IMAGE, platformVersion: ecs.FargatePlatformVersion.VERSION1_4 });
    new WorkerService(stack, 'Intel', { environment, image: IMAGE, platformVersion: ecs.FargatePlatformVersion.VERSION1_3, cpuArchitecture: ecs.CpuArchitecture.X86_64 });
    template(stack).resourceCountIs('AWS::ECS::Service', 2);
  });
});

describe('admitting a workload to a database of another stack', () => {
  test('the rule lands in the workload\'s stack, and aws-cdk-lib\'s egress warning (true, with nothing to act on) is acknowledged', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const data = new Stack(stack.node.root as any, 'Data');
    const database = new ec2.SecurityGroup(data, 'Database', { vpc: environment.vpc });
    const workloads = new Stack(stack.node.root as any, 'Workloads');
    const service = new WebService(workloads, 'Web', { environment, image: Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27') });
    service.connections.allowTo(database, ec2.Port.tcp(5432), 'PostgreSQL');
    template(workloads).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 5432, ToPort: 5432, Description: 'PostgreSQL' });
    expect(resources(data, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
    for (const s of [stack, data, workloads]) expect(warningIds(s).filter(w => w.includes('ipv4IgnoreEgressRule'))).toEqual([]);
  });
});
