import { Duration, Stack } from 'aws-cdk-lib';
import { Scaling, ScalingOptions } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, resources, webService } from '../fixtures';

/** The predefined metric type of each target-tracking policy, by the policy's construct id. */
function trackedTypes(stack: Stack): Record<string, string> {
  return Object.fromEntries(resources(stack, 'AWS::ApplicationAutoScaling::ScalingPolicy')
    .filter(([, p]) => p.Properties.PolicyType === 'TargetTrackingScaling')
    .map(([id, p]) => [id.replace(/[0-9A-F]{8}$/, ''),
      p.Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification?.PredefinedMetricType ?? 'custom']));
}

function monitoring(stack: Stack): unknown {
  return resources(stack, 'AWS::ECS::Service')[0][1].Properties.Monitoring;
}

function scaled(scaling: Partial<ScalingOptions>) {
  return webService({ scaling: { minCapacity: 2, maxCapacity: 10, ...scaling } }).stack;
}

describe('20-second metrics for CPU and memory target tracking (scaling.highResolutionMetrics)', () => {
  test('off by default: 60-second metrics, no monitoring configuration', () => {
    const stack = scaled({});
    expect(monitoring(stack)).toBeUndefined();
    expect(trackedTypes(stack)).toEqual({ WebServiceTaskCountTargetCpuScaling: 'ECSServiceAverageCPUUtilization' });
  });

  test('the default CPU target reads CPUUtilization at 20 seconds, which the service publishes', () => {
    const stack = scaled({ highResolutionMetrics: true });
    expect(monitoring(stack)).toEqual({ MetricConfigurations: [{ MetricNames: ['CPUUtilization'], ResolutionSeconds: 20 }] });
    expect(trackedTypes(stack)).toEqual({ WebServiceTaskCountTargetCpuScaling: 'ECSServiceAverageCPUUtilizationHighResolution' });
  });

  test('CPU and memory both; a request target beside them keeps its load balancer metric', () => {
    const stack = scaled({ highResolutionMetrics: true, targets: [Scaling.memory(75), Scaling.requestsPerTarget(500), Scaling.cpu(60)] });
    expect(monitoring(stack)).toEqual({ MetricConfigurations: [{ MetricNames: ['CPUUtilization', 'MemoryUtilization'], ResolutionSeconds: 20 }] });
    expect(trackedTypes(stack)).toEqual({
      WebServiceTaskCountTargetCpuScaling: 'ECSServiceAverageCPUUtilizationHighResolution',
      WebServiceTaskCountTargetMemoryScaling: 'ECSServiceAverageMemoryUtilizationHighResolution',
      WebServiceTaskCountTargetRequestsScaling: 'ALBRequestCountPerTarget',
    });
  });

  test('fails on targets that cannot use them (requests, response time)', () => {
    expect(() => scaled({ highResolutionMetrics: true, targets: [Scaling.requestsPerTarget(500)] }))
      .toThrow(/^\[cdk-shipyard:SCALING_TARGET\] Test\/Web: scaling.highResolutionMetrics is true, but no target tracks CPU or memory/);
    expectError(ErrorCode.SCALING_TARGET, () => scaled({ highResolutionMetrics: true, targets: [Scaling.responseTime(Duration.millis(300))] }));
  });
});
