import { Duration, aws_cloudwatch as cloudwatch, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ONE_MINUTE, serviceInsightsMetric, targetGroupMetric } from '../private/metrics';

const PERIOD = ONE_MINUTE;

/** What a service dashboard shows. */
export interface ServiceDashboardProps {
  /** The service. */
  readonly service: ecs.BaseService;
  /** The cluster's name. */
  readonly clusterName: string;
  /** The service's target groups (two with blue/green). */
  readonly targetGroups: elbv2.ApplicationTargetGroup[];
  /**
   * The graph label of each target group, in their order.
   * @default - 'blue' and 'green' with two target groups, none with one
   */
  readonly targetGroupLabels?: string[];
  /** The load balancer's full name. */
  readonly loadBalancerFullName: string;
  /** The service's alarms, shown with their state. */
  readonly alarms: cloudwatch.IAlarm[];
}

/**
 * A CloudWatch dashboard for one service: requests and errors, latency, CPU and memory,
 * running against desired tasks and deployments, and the state of its alarms.
 */
export class ServiceDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const labels = props.targetGroupLabels ?? (props.targetGroups.length > 1 ? ['blue', 'green'] : []);
    const perTargetGroup = (metricName: string, statistic: string) => props.targetGroups.map((tg, i) =>
      targetGroupMetric(props.loadBalancerFullName, tg, metricName, statistic,
        labels[i] !== undefined ? `${metricName} (${labels[i]})` : metricName));
    const insights = (metricName: string) => serviceInsightsMetric(props.clusterName, props.service.serviceName, metricName);
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Requests', left: perTargetGroup('RequestCount', 'Sum'), width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Target 5xx', left: perTargetGroup('HTTPCode_Target_5XX_Count', 'Sum'), width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Response time (p50, p99)',
            left: [...perTargetGroup('TargetResponseTime', 'p50'), ...perTargetGroup('TargetResponseTime', 'p99')],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'CPU and memory (%)',
            left: [props.service.metricCpuUtilization({ period: PERIOD }), props.service.metricMemoryUtilization({ period: PERIOD })],
            leftYAxis: { min: 0, max: 100 },
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Tasks: running, desired, pending',
            left: [insights('RunningTaskCount'), insights('DesiredTaskCount'), insights('PendingTaskCount')],
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Deployments in progress', left: [insights('DeploymentCount')], width: 8 }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24 })],
      ],
    });
  }
}

/** What an environment dashboard shows. */
export interface EnvironmentDashboardProps {
  /** The cluster's name. */
  readonly clusterName: string;
  /**
   * The shared load balancer's full name.
   * @default - no load balancer: the cluster's widgets only
   */
  readonly loadBalancerFullName?: string;
}

/**
 * A CloudWatch dashboard for an environment: traffic and errors on the shared load
 * balancer, latency, and the cluster's services, tasks, CPU and memory.
 */
export class EnvironmentDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: EnvironmentDashboardProps) {
    super(scope, id);
    const alb = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'AWS/ApplicationELB',
      metricName,
      statistic,
      period: PERIOD,
      dimensionsMap: { LoadBalancer: props.loadBalancerFullName! },
    });
    const cluster = (metricName: string, statistic = 'Average') => new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName,
      statistic,
      period: PERIOD,
      dimensionsMap: { ClusterName: props.clusterName },
    });
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      defaultInterval: Duration.hours(3),
      widgets: [
        ...props.loadBalancerFullName === undefined ? [] : [[
          new cloudwatch.GraphWidget({ title: 'Load balancer requests', left: [alb('RequestCount', 'Sum')], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Errors (load balancer 5xx, target 5xx, 4xx)',
            left: [alb('HTTPCode_ELB_5XX_Count', 'Sum'), alb('HTTPCode_Target_5XX_Count', 'Sum'), alb('HTTPCode_ELB_4XX_Count', 'Sum')],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Response time (p50, p99)', left: [alb('TargetResponseTime', 'p50'), alb('TargetResponseTime', 'p99')], width: 8,
          }),
        ]],
        [
          new cloudwatch.GraphWidget({ title: 'Services and tasks', left: [cluster('ServiceCount'), cluster('TaskCount')], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'CPU: used and reserved (units)', left: [cluster('CpuUtilized', 'Sum'), cluster('CpuReserved', 'Sum')], width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Memory: used and reserved (MiB)', left: [cluster('MemoryUtilized', 'Sum'), cluster('MemoryReserved', 'Sum')], width: 8,
          }),
        ],
      ],
    });
  }
}
