import { aws_autoscaling as autoscaling, aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import { Capacity, Image, WebService } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, expectValidationError, productionEnvironment, template, testStack } from '../fixtures';

describe('Capacity', () => {
  test('fargate, fargateSpot and the Spot mix bind to capacity provider strategies', () => {
    const scope = testStack();
    expect(Capacity.fargate().bind(scope)).toEqual([{ capacityProvider: 'FARGATE', weight: 1 }]);
    expect(Capacity.fargateSpot().bind(scope)).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
    expect(Capacity.fargateSpotMix().bind(scope)).toEqual([
      { capacityProvider: 'FARGATE', base: 1, weight: 0 },
      { capacityProvider: 'FARGATE_SPOT', weight: 1 },
    ]);
  });

  test('fails when more than one provider has a base', () => {
    expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.strategy([
      { capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 1, weight: 1 },
    ]).bind(testStack()));
  });

  test('fails when every weight is 0', () => {
    expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.fargateSpotMix({ onDemandWeight: 0, spotWeight: 0 }).bind(testStack()));
  });

  test('fails when the strategy is empty', () => {
    expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.strategy([]).bind(testStack()));
  });

  test('fails when a base is negative', () => {
    expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.fargateSpotMix({ onDemandBase: -1 }).bind(testStack()));
  });

  test('fails when a strategy mixes Fargate and Auto Scaling group providers', () => {
    expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.strategy([
      { capacityProvider: 'FARGATE', weight: 1 }, { capacityProvider: 'my-asg-provider', weight: 1 },
    ]).bind(testStack()));
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
    expect(() => strategy.bind(stack)).not.toThrow();
    expect(() => template(stack)).not.toThrow();
  });
});
