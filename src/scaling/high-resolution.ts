import { aws_applicationautoscaling as appscaling, aws_ecs as ecs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorCode, ShipyardError } from '../guardrails/errors';

/**
 * The target-tracking policies 20-second metrics speed up, by their construct id: the metric the
 * service then publishes every 20 seconds, and the predefined metric type the policy reads it
 * through. Source: Amazon ECS Developer Guide, "Faster auto scaling with high-resolution
 * metrics" (ECSServiceAverageCPUUtilizationHighResolution and
 * ECSServiceAverageMemoryUtilizationHighResolution, on the service's CPUUtilization and
 * MemoryUtilization at 20-second resolution).
 */
const HIGH_RESOLUTION: Record<string, [metric: string, predefined: string]> = {
  CpuScaling: ['CPUUtilization', 'ECSServiceAverageCPUUtilizationHighResolution'],
  MemoryScaling: ['MemoryUtilization', 'ECSServiceAverageMemoryUtilizationHighResolution'],
};

/**
 * Publish the service's tracked CPU and memory utilisation every 20 seconds (the service's
 * `Monitoring` property, of type AWS::ECS::Service MonitoringConfiguration: one
 * MetricConfiguration with MetricNames CPUUtilization or MemoryUtilization and
 * ResolutionSeconds 20; aws-cdk-lib 2.278 types it as `CfnService.monitoring`) and point its
 * CPU and memory target tracking at them. aws-cdk-lib 2.257 types neither, so both are property
 * overrides. Only a CPU or memory target can use them: anything else fails.
 */
/** Whether a target of `taskCount` tracks CPU or memory (what 20-second metrics speed up). */
export function tracksUtilization(taskCount: ecs.ScalableTaskCount): boolean {
  return Object.keys(HIGH_RESOLUTION).some(id => utilizationPolicy(taskCount, id) !== undefined);
}

function utilizationPolicy(taskCount: ecs.ScalableTaskCount, id: string): appscaling.CfnScalingPolicy | undefined {
  // aws-cdk-lib puts the policies under the task count's scalable target.
  const policy = taskCount.node.findAll().find(c => c.node.id === id && c.node.tryFindChild('Resource') instanceof appscaling.CfnScalingPolicy);
  return policy?.node.findChild('Resource') as appscaling.CfnScalingPolicy | undefined;
}

export function highResolutionScaling(scope: IConstruct, service: ecs.BaseService, taskCount: ecs.ScalableTaskCount): void {
  const metrics: string[] = [];
  for (const [id, [metric, predefined]] of Object.entries(HIGH_RESOLUTION)) {
    const cfn = utilizationPolicy(taskCount, id);
    if (!cfn) continue;
    cfn.addPropertyOverride('TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType', predefined);
    metrics.push(metric);
  }
  if (metrics.length === 0) {
    throw new ShipyardError(scope, ErrorCode.SCALING_TARGET, 'scaling.highResolutionMetrics is true, but no target tracks CPU or memory',
      'track Scaling.cpu(...) or Scaling.memory(...) as well, or leave highResolutionMetrics out: 20-second metrics speed up only those');
  }
  (service.node.defaultChild as ecs.CfnService).addPropertyOverride('Monitoring', {
    MetricConfigurations: [{ MetricNames: metrics, ResolutionSeconds: 20 }],
  });
}
