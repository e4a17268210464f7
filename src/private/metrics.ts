import { Duration, aws_cloudwatch as cloudwatch, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';

/** Alarms and dashboards look at one-minute data. */
export const ONE_MINUTE = Duration.minutes(1);

/** An ALB metric of one target group (both dimensions, as CloudWatch publishes them). */
export function targetGroupMetric(loadBalancerFullName: string, targetGroup: elbv2.ApplicationTargetGroup, metricName: string,
  statistic: string, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApplicationELB',
    metricName,
    statistic,
    period: ONE_MINUTE,
    label,
    dimensionsMap: { LoadBalancer: loadBalancerFullName, TargetGroup: targetGroup.targetGroupFullName },
  });
}

/** A Container Insights metric of one service. */
export function serviceInsightsMetric(clusterName: string, serviceName: string, metricName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'ECS/ContainerInsights',
    metricName,
    statistic: 'Average',
    period: ONE_MINUTE,
    dimensionsMap: { ClusterName: clusterName, ServiceName: serviceName },
  });
}
