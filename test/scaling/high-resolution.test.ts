import { Duration, Stack } from 'aws-cdk-lib';
import { EnvironmentProfile, Scaling, ScalingOptions, WarningId } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { appUnsetting, expectError, hasWarning, productionEnvironment, resources, testApp, testStack, warningIds, webService } from '../fixtures';

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
  test('on by default in production for a service that tracks CPU or memory; off when asked, in development, or for other targets', () => {
    const on = scaled({});
    expect(monitoring(on)).toEqual({ MetricConfigurations: [{ MetricNames: ['CPUUtilization'], ResolutionSeconds: 20 }] });
    expect(trackedTypes(on)).toEqual({ WebServiceTaskCountTargetCpuScaling: 'ECSServiceAverageCPUUtilizationHighResolution' });
    const off = scaled({ highResolutionMetrics: false });
    expect(monitoring(off)).toBeUndefined();
    expect(trackedTypes(off)).toEqual({ WebServiceTaskCountTargetCpuScaling: 'ECSServiceAverageCPUUtilization' });
    const requests = scaled({ targets: [Scaling.requestsPerTarget(500)] });
    expect(monitoring(requests)).toBeUndefined();
    const dev = testStack();
    const development = productionEnvironment(dev, { profile: EnvironmentProfile.DEVELOPMENT });
    webService({ environment: development, scaling: { minCapacity: 1, maxCapacity: 4 } }, dev);
    expect(monitoring(dev)).toBeUndefined();
  });

  test('the new default is a changed default: its flag unset, it applies with the warning; false keeps 0.2.0\'s template', () => {
    const flag = 'cdk-shipyard:highResolutionScalingMetrics';
    const unset = new Stack(appUnsetting(flag), 'Test');
    webService({ scaling: { minCapacity: 2, maxCapacity: 10 } }, unset);
    expect(monitoring(unset)).toBeDefined();
    expect(warningIds(unset).filter(w => w.includes(flag))).toHaveLength(1);
    expect(hasWarning(unset, WarningId.CHANGED_DEFAULT)).toBe(true);
    const old = new Stack(testApp({ [flag]: false }), 'Test');
    webService({ scaling: { minCapacity: 2, maxCapacity: 10 } }, old);
    expect(monitoring(old)).toBeUndefined();
    // An explicit choice, or a service it does not change, is not warned.
    const chosen = new Stack(appUnsetting(flag), 'Test');
    webService({ scaling: { minCapacity: 2, maxCapacity: 10, highResolutionMetrics: false } }, chosen);
    expect(hasWarning(chosen, WarningId.CHANGED_DEFAULT)).toBe(false);
    const requests = new Stack(appUnsetting(flag), 'Test');
    webService({ scaling: { minCapacity: 2, maxCapacity: 10, targets: [Scaling.requestsPerTarget(500)] } }, requests);
    expect(warningIds(requests).filter(w => w.includes(flag))).toEqual([]);
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => webService({ scaling: { minCapacity: 2, maxCapacity: 10 } }, new Stack(testApp({ [flag]: 'yes' }), 'Test')));
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
