// A network service's unhealthy-target alarm: unhealthy targets summed over every target
// group, with a fixed name so that the service rolls deployments back on it.

import { Duration, aws_cloudwatch as cloudwatch, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IEnvironment } from '../environment/environment';
import { fixedNameAlarm } from '../private/alarms';
import { ONE_MINUTE } from '../private/metrics';

/**
 * The alarm on unhealthy targets over every target group (both with the blue/green family, and
 * each listener's), after `rollbackAlarmMinutes` of failed health checks.
 */
export function alarmOnUnhealthyTargets(scope: Construct, loadBalancer: elbv2.NetworkLoadBalancer, groups: elbv2.NetworkTargetGroup[],
  rollbackAlarmMinutes: number, env: IEnvironment): cloudwatch.AlarmBase {
  return fixedNameAlarm(scope, scope, {
    id: 'UnhealthyTargets',
    description: `targets failed the load balancer health check for ${Duration.minutes(rollbackAlarmMinutes).toHumanString()}`,
    metric: unhealthyTargets(loadBalancer, groups),
    threshold: 1,
    periods: rollbackAlarmMinutes,
    topic: env.alarmTopic,
  });
}

/** Unhealthy targets, summed over the target groups (ECS swaps blue and green). */
function unhealthyTargets(loadBalancer: elbv2.NetworkLoadBalancer, groups: elbv2.NetworkTargetGroup[]): cloudwatch.IMetric {
  const metrics: Record<string, cloudwatch.IMetric> = {};
  groups.forEach((tg, i) => {
    metrics[`u${i}`] = new cloudwatch.Metric({
      namespace: 'AWS/NetworkELB',
      metricName: 'UnHealthyHostCount',
      statistic: 'Maximum',
      period: ONE_MINUTE,
      dimensionsMap: { LoadBalancer: loadBalancer.loadBalancerFullName, TargetGroup: tg.targetGroupFullName },
    });
  });
  if (groups.length === 1) return metrics.u0;
  return new cloudwatch.MathExpression({
    expression: Object.keys(metrics).map(k => `FILL(${k}, 0)`).join(' + '), usingMetrics: metrics, period: ONE_MINUTE, label: 'unhealthy targets',
  });
}
