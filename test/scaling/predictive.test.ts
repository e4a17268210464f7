import { Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { BackendService, Image, PredictiveScalingMetric, PredictiveScalingMode, PredictiveScalingOptions, Scaling } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, productionEnvironment, resources, template, testStack, webService } from '../fixtures';

/** The stack's predictive scaling policies, as synthesized. */
function predictivePolicies(stack: Stack): any[] {
  return resources(stack, 'AWS::ApplicationAutoScaling::ScalingPolicy')
    .map(([, p]) => p.Properties)
    .filter(p => p.PolicyType === 'PredictiveScaling');
}

function withPredictive(predictive: PredictiveScalingOptions, bounds = { minCapacity: 2, maxCapacity: 10 }) {
  return webService({ scaling: { ...bounds, predictive } });
}

describe('predictive scaling (ScalingPolicy PolicyType PredictiveScaling)', () => {
  test('is off by default: scaling brings target tracking only', () => {
    const { stack } = webService({ scaling: { minCapacity: 2, maxCapacity: 10 } });
    expect(predictivePolicies(stack)).toEqual([]);
  });

  test('forecasts only by default, on the CPU pair, holding the maximum; beside the CPU target tracking', () => {
    const { stack } = withPredictive({ targetUtilizationPercent: 50 });
    const [policy] = predictivePolicies(stack);
    expect(policy.PredictiveScalingPolicyConfiguration).toEqual({
      MetricSpecifications: [{ TargetValue: 50, PredefinedMetricPairSpecification: { PredefinedMetricType: 'ECSServiceCPUUtilization' } }],
      Mode: 'ForecastOnly',
      MaxCapacityBreachBehavior: 'HonorMaxCapacity',
    });
    expect(policy.PolicyName).toBe('Test-Web-predictive');
    const [[targetId]] = resources(stack, 'AWS::ApplicationAutoScaling::ScalableTarget');
    expect(policy.ScalingTargetId).toEqual({ Ref: targetId });
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilizationHighResolution' } }),
    });
  });

  test('forecast and scale on memory, a buffer time, and a maximum the forecast may raise (boundaries that pass)', () => {
    const { stack } = withPredictive({
      targetUtilizationPercent: 100,
      metric: PredictiveScalingMetric.MEMORY,
      mode: PredictiveScalingMode.FORECAST_AND_SCALE,
      schedulingBuffer: Duration.hours(1),
      maxCapacityBufferPercent: 100,
    }, { minCapacity: 3, maxCapacity: 3 });
    expect(predictivePolicies(stack)[0].PredictiveScalingPolicyConfiguration).toEqual({
      MetricSpecifications: [{ TargetValue: 100, PredefinedMetricPairSpecification: { PredefinedMetricType: 'ECSServiceMemoryUtilization' } }],
      Mode: 'ForecastAndScale',
      SchedulingBufferTime: 3600,
      MaxCapacityBreachBehavior: 'IncreaseMaxCapacity',
      MaxCapacityBuffer: 100,
    });
  });

  test('works on every service with ScalingOptions: a backend service', () => {
    const stack = testStack();
    new BackendService(stack, 'Api', {
      environment: productionEnvironment(stack),
      image: Image.fromRegistry('public.ecr.aws/my-org/api:1.0.0'),
      containerPort: 8080,
      scaling: {
        minCapacity: 2,
        maxCapacity: 6,
        targets: [Scaling.memory(70)],
        predictive: { targetUtilizationPercent: 60, schedulingBuffer: Duration.seconds(0) },
      },
    });
    expect(predictivePolicies(stack)[0].PredictiveScalingPolicyConfiguration.SchedulingBufferTime).toBe(0);
  });

  test.each([
    ['targetUtilizationPercent 0', { targetUtilizationPercent: 0 }, /predictive.targetUtilizationPercent is 0%, outside \(0, 100\]/],
    ['targetUtilizationPercent above 100', { targetUtilizationPercent: 101 }, /predictive.targetUtilizationPercent is 101%/],
    ['schedulingBuffer above 3600 s', { targetUtilizationPercent: 50, schedulingBuffer: Duration.seconds(3601) }, /predictive.schedulingBuffer is 3601 s, outside 0-3600 s/],
    ['schedulingBuffer not whole seconds', { targetUtilizationPercent: 50, schedulingBuffer: Duration.millis(1500) }, /not a whole number/],
    ['maxCapacityBufferPercent above 100', { targetUtilizationPercent: 50, maxCapacityBufferPercent: 101 }, /predictive.maxCapacityBufferPercent is 101%/],
    ['maxCapacityBufferPercent not whole', { targetUtilizationPercent: 50, maxCapacityBufferPercent: 2.5 }, /not a whole number/],
    ['a mode that is not one (from JavaScript)', { targetUtilizationPercent: 50, mode: 'Scale' as PredictiveScalingMode }, /predictive.mode is "Scale"/],
    ['a metric that is not one (from JavaScript)', { targetUtilizationPercent: 50, metric: 'ALBRequestCount' as PredictiveScalingMetric }, /predictive.metric is "ALBRequestCount"/],
  ])('fails when predictive has %s (SCALING_TARGET)', (_name, predictive, message) => {
    expect(() => withPredictive(predictive as PredictiveScalingOptions))
      .toThrow(new RegExp(`^\\[cdk-shipyard:${ErrorCode.SCALING_TARGET}\\] Test/Web: [\\s\\S]*${message.source}`));
  });

  test('fails when predictive forecasts and scales between equal bounds, where it can change nothing (SCALING_BOUNDS)', () => {
    expect(() => withPredictive({ targetUtilizationPercent: 50, mode: PredictiveScalingMode.FORECAST_AND_SCALE }, { minCapacity: 4, maxCapacity: 4 }))
      .toThrow(/^\[cdk-shipyard:SCALING_BOUNDS\] Test\/Web: predictive scaling forecasts and scales, and minCapacity and maxCapacity are both 4/);
    // Forecasting only between equal bounds is allowed: the forecast is for reading.
    expect(predictivePolicies(withPredictive({ targetUtilizationPercent: 50 }, { minCapacity: 4, maxCapacity: 4 }).stack)).toHaveLength(1);
    expectError(ErrorCode.SCALING_BOUNDS, () => withPredictive({ targetUtilizationPercent: 50 }, { minCapacity: 5, maxCapacity: 4 }));
  });
});
