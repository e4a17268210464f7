import { aws_autoscaling as autoscaling, aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import { AutoScalingCapacity, Capacity, CapacityPlatform, Image, WebService } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, expectValidationError, productionEnvironment, template, testStack } from '../fixtures';

describe('Capacity', () => {
  test('fargate, fargateSpot and the Spot mix bind to capacity provider strategies', () => {
    const scope = testStack();
    expect(Capacity.fargate()._bind(scope)).toEqual([{ capacityProvider: 'FARGATE', weight: 1 }]);
    expect(Capacity.fargateSpot()._bind(scope)).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
    expect(Capacity.fargateSpotMix()._bind(scope)).toEqual([
      { capacityProvider: 'FARGATE', base: 1, weight: 0 },
      { capacityProvider: 'FARGATE_SPOT', weight: 1 },
    ]);
  });

  test('fails when more than one provider has a base', () => {
    expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.strategy([
      { capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 1, weight: 1 },
    ])._bind(testStack()));
  });

  test('fails when every weight is 0', () => {
    expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.fargateSpotMix({ onDemandWeight: 0, spotWeight: 0 })._bind(testStack()));
  });

  test('fails when the strategy is empty', () => {
    expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.strategy([])._bind(testStack()));
  });

  test('fails when a base is negative', () => {
    expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.fargateSpotMix({ onDemandBase: -1 })._bind(testStack()));
  });

  test('fails when a strategy mixes Fargate and Auto Scaling group providers', () => {
    expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.strategy([
      { capacityProvider: 'FARGATE', weight: 1 }, { capacityProvider: 'my-asg-provider', weight: 1 },
    ])._bind(testStack()));
  });

  test('fails at synth when a workload names a provider its cluster does not have', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WebService(stack, 'Web', {
      environment, image: Image.fromRegistry('x'), capacity: Capacity.strategy([{ capacityProvider: 'FARGATE_SPOTTY', weight: 1 }]),
    });
    expectValidationError(stack, ErrorCode.CAPACITY_STRATEGY, /"FARGATE_SPOTTY", which the cluster does not have/);
  });

  test('accepts a provider added to the environment\'s cluster through the escape hatch', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const autoScalingGroup = new autoscaling.AutoScalingGroup(stack, 'Asg', {
      vpc: environment.vpc,
      instanceType: new ec2.InstanceType('t4g.small'),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.ARM),
      minCapacity: 0,
      maxCapacity: 2,
    });
    const provider = new ecs.AsgCapacityProvider(stack, 'Provider', { autoScalingGroup, enableManagedTerminationProtection: false });
    (environment.cluster as ecs.Cluster).addAsgCapacityProvider(provider);
    const strategy = Capacity.strategy([{ capacityProvider: provider.capacityProviderName, weight: 1 }]);
    expect(() => strategy._bind(stack)).not.toThrow();
    expect(() => template(stack)).not.toThrow();
  });

  describe('EC2', () => {
    function providers() {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      const onDemand = new AutoScalingCapacity(stack, 'OnDemand', { environment });
      const spot = new AutoScalingCapacity(stack, 'Spot', { environment, spot: true });
      return { stack, environment, onDemand, spot };
    }

    test('ec2 names the group\'s provider and places tasks spread across zones, then bin-packed by memory', () => {
      const { stack, onDemand } = providers();
      const capacity = Capacity.ec2(onDemand);
      expect(capacity.platform).toBe(CapacityPlatform.EC2);
      expect(stack.resolve(capacity._bind(stack))).toEqual([{ capacityProvider: { Ref: expect.stringMatching(/^OnDemandCapacityProvider/) }, weight: 1 }]);
      expect(capacity.placementStrategies.flatMap(p => p.toJson())).toEqual([
        { type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'MEMORY' },
      ]);
      expect(capacity.cpuArchitecture).toBe(ecs.CpuArchitecture.ARM64);
    });

    test('ec2SpotMix keeps an on-demand base and sends the rest to Spot', () => {
      const { stack, onDemand, spot } = providers();
      const strategy = stack.resolve(Capacity.ec2SpotMix(onDemand, spot, { onDemandBase: 2 })._bind(stack));
      expect(strategy).toEqual([
        { capacityProvider: { Ref: expect.stringMatching(/^OnDemandCapacityProvider/) }, base: 2, weight: 0 },
        { capacityProvider: { Ref: expect.stringMatching(/^SpotCapacityProvider/) }, weight: 1 },
      ]);
    });

    test('custom placement strategies and constraints replace the default', () => {
      const { onDemand } = providers();
      const capacity = Capacity.ec2(onDemand, {
        placementStrategies: [ecs.PlacementStrategy.spreadAcrossInstances()],
        placementConstraints: [ecs.PlacementConstraint.distinctInstances()],
      });
      expect(capacity.placementStrategies.flatMap(p => p.toJson())).toEqual([{ type: 'spread', field: 'instanceId' }]);
      expect(capacity.placementConstraints.flatMap(p => p.toJson())).toEqual([{ type: 'distinctInstance' }]);
    });

    test('a raw strategy is Fargate when every provider is, EC2 otherwise', () => {
      expect(Capacity.strategy([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]).platform).toBe(CapacityPlatform.FARGATE);
      expect(Capacity.strategy([{ capacityProvider: 'my-asg', weight: 1 }]).platform).toBe(CapacityPlatform.EC2);
      expect(Capacity.fargate().placementStrategies).toEqual([]);
    });

    test('fails when placement is asked for Fargate capacity', () => {
      expectError(ErrorCode.PLATFORM, () => Capacity.strategy([{ capacityProvider: 'FARGATE', weight: 1 }], {
        placementStrategies: [ecs.PlacementStrategy.randomly()],
      })._bind(testStack()));
    });

    test('fails when more than 5 placement strategies are given', () => {
      const { stack, onDemand } = providers();
      expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.ec2(onDemand, {
        placementStrategies: Array.from({ length: 6 }, () => ecs.PlacementStrategy.randomly()),
      })._bind(stack));
    });

    test('fails when a mix names groups of different CPU architectures', () => {
      const { stack, environment, onDemand } = providers();
      const x86 = new AutoScalingCapacity(stack, 'X86', { environment, spot: true, instanceTypes: [new ec2.InstanceType('m7i.large')] });
      expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.ec2SpotMix(onDemand, x86)._bind(stack));
    });

    test('fails when a mix gives more than one provider a base', () => {
      const { stack, onDemand, spot } = providers();
      expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.strategy([
        { capacityProvider: onDemand.capacityProviderName, base: 1, weight: 1 },
        { capacityProvider: spot.capacityProviderName, base: 1, weight: 1 },
      ])._bind(stack));
    });
  });
});
