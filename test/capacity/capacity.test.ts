import { Capacity } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, testStack } from '../fixtures';

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
});
