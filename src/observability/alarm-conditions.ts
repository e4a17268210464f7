// The conditions a service's combined alarms watch (ADR 15), each as a percent of its own
// threshold, and how one alarm is made of a window's conditions; the ServiceAlarm kinds that
// switch them off.
import { Duration, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import type { ServiceAlarmsProps } from './service-alarms';
import { ONE_MINUTE, serviceInsightsMetric } from '../private/metrics';

/** The conditions cdk-shipyard's alarms watch on a service (one alarm each with `onePerCondition`). */
export enum ServiceAlarm {
  /** Target 5xx responses as a share of requests. */
  HTTP_5XX_RATE = 'HTTP_5XX_RATE',
  /** 99th percentile target response time. */
  RESPONSE_TIME_P99 = 'RESPONSE_TIME_P99',
  /** Targets failing the load balancer health check. */
  UNHEALTHY_TARGETS = 'UNHEALTHY_TARGETS',
  /** Fewer running tasks than desired (Container Insights). */
  RUNNING_TASKS_BELOW_DESIRED = 'RUNNING_TASKS_BELOW_DESIRED',
  /** Average CPU utilisation (part of the CPU-or-memory alarm). */
  CPU_HIGH = 'CPU_HIGH',
  /** Average memory utilisation (part of the CPU-or-memory alarm). */
  MEMORY_HIGH = 'MEMORY_HIGH',
  /** Tasks that stopped unexpectedly, several within 5 minutes (a crash loop). */
  UNEXPECTED_STOPS = 'UNEXPECTED_STOPS',
}

/** Sums a metric over the target groups, as a metric-math expression over the metrics it uses. */
export type Summed = (metrics: cloudwatch.Metric[], prefix: string) => { expression: string; usingMetrics: Record<string, cloudwatch.IMetric> };

/** Makes one alarm of the service's. */
export type MakeAlarm = (kind: ServiceAlarm, suffix: string, metric: cloudwatch.IMetric, threshold: number,
  periods: number, description: string, rollback?: boolean) => void;

/** One condition a combined alarm watches, as a percent of its threshold (100: at the threshold). */
export interface Condition {
  /** The kind that switches it off. */
  readonly kind: ServiceAlarm;
  /** The id of the alarm it gets alone (where its window's metrics do not fit one alarm). */
  readonly id: string;
  readonly metrics: Record<string, cloudwatch.IMetric>;
  /** Its value as a percent of its threshold. */
  readonly percent: string;
  readonly description: string;
  /** Whether it rolls deployments back (and watches `rollbackAlarmMinutes` rather than 5 minutes). */
  readonly rollback: boolean;
}

/**
 * An alarm metric-math expression references at most 10 metrics (a hard limit). Source: Amazon
 * CloudWatch User Guide, "Limits that apply to alarms based on metric math expressions".
 */
const METRICS_PER_ALARM = 10;

/**
 * One alarm over the conditions of one window: its value is the worst condition as a percent
 * of its threshold (arithmetic over metric math treats a missing value as 0, so a metric with
 * no data counts as within its threshold). Conditions whose metrics pass the 10 an alarm can
 * reference each get an alarm of their own.
 */
export function combine(make: MakeAlarm, id: string, conditions: Condition[], window: { minutes: number; periods: number }, rollback: boolean): void {
  if (conditions.length === 0) return;
  const metrics: Record<string, cloudwatch.IMetric> = {};
  const period = Duration.minutes(window.minutes);
  for (const c of conditions) {
    for (const [key, metric] of Object.entries(c.metrics)) metrics[key] = metric instanceof cloudwatch.Metric ? metric.with({ period }) : metric;
  }
  if (conditions.length > 1 && Object.keys(metrics).length > METRICS_PER_ALARM) {
    for (const c of conditions) combine(make, c.id, [c], window, rollback);
    return;
  }
  const over = window.periods === 1 ? `over ${period.toHumanString()}` : `for ${window.periods} consecutive minutes`;
  const described = conditions.length === 1 ? conditions[0].description
    : `${conditions.slice(0, -1).map(c => c.description).join('; ')}; or ${conditions[conditions.length - 1].description}`;
  make(conditions[0].kind, id, new cloudwatch.MathExpression({
    expression: conditions.length === 1 ? conditions[0].percent : `MAX([${conditions.map(c => c.percent).join(', ')}])`,
    usingMetrics: metrics,
    period,
    label: 'worst condition (% of its threshold)',
  }), 100, window.periods, `${over}: ${described}`, rollback);
}

/** What a service behind a load balancer answers: 5xx rate and unhealthy targets roll back; p99 response time pages. */
export function loadBalancerConditions(tgMetric: (name: string, statistic: string) => cloudwatch.Metric[], sum: Summed,
  { rate, minimumErrors, p99 }: { rate: number; minimumErrors: number; p99: Duration }): Condition[] {
  const errors = sum(tgMetric('HTTPCode_Target_5XX_Count', 'Sum'), 'e');
  const requests = sum(tgMetric('RequestCount', 'Sum'), 'r');
  const unhealthy = sum(tgMetric('UnHealthyHostCount', 'Maximum'), 'u');
  const latencies = tgMetric('TargetResponseTime', 'p99');
  const latencyMetrics: Record<string, cloudwatch.IMetric> = {};
  latencies.forEach((m, i) => { latencyMetrics[`l${i}`] = m; });
  const ids = Object.keys(latencyMetrics);
  // The slowest target group's p99 (percentiles do not add up).
  const latency = ids.length === 1 ? ids[0] : `MAX([${ids.map(k => `FILL(${k}, 0)`).join(', ')}])`;
  const seconds = p99.toSeconds({ integral: false });
  return [{
    kind: ServiceAlarm.HTTP_5XX_RATE,
    id: 'Http5xxRate',
    metrics: { ...errors.usingMetrics, ...requests.usingMetrics },
    // A 5xx is a request too, so with at least one error the division has requests to divide by.
    percent: `IF((${errors.expression}) >= ${minimumErrors}, 100 * (${errors.expression}) / (${requests.expression}), 0) * 100 / ${rate}`,
    description: `targets answered ${rate}% or more of requests with 5xx (and ${minimumErrors} or more a minute)`,
    rollback: true,
  }, {
    kind: ServiceAlarm.UNHEALTHY_TARGETS,
    id: 'UnhealthyTargets',
    metrics: unhealthy.usingMetrics,
    percent: `100 * (${unhealthy.expression})`,
    description: 'targets failed the load balancer health check',
    rollback: true,
  }, {
    kind: ServiceAlarm.RESPONSE_TIME_P99,
    id: 'ResponseTimeP99',
    metrics: latencyMetrics,
    percent: `100 * ${latency} / ${seconds}`,
    description: `p99 response time was ${p99.toHumanString()} or more`,
    rollback: false,
  }];
}

/** What every service's tasks are watched for: fewer running than desired, CPU or memory at their thresholds. */
export function taskConditions(props: ServiceAlarmsProps, cpu: number, memory: number): Condition[] {
  const insights = (metricName: string) => serviceInsightsMetric(props.clusterName, props.service.serviceName, metricName);
  const minute = ONE_MINUTE;
  return [{
    kind: ServiceAlarm.RUNNING_TASKS_BELOW_DESIRED,
    id: 'RunningTasksBelowDesired',
    metrics: { desired: insights('DesiredTaskCount'), running: insights('RunningTaskCount') },
    percent: '100 * (desired - running)',
    description: 'fewer tasks ran than desired',
    rollback: false,
  }, {
    kind: ServiceAlarm.CPU_HIGH,
    id: 'CpuHigh',
    metrics: { cpu: props.service.metricCpuUtilization({ period: minute }) },
    percent: `100 * cpu / ${cpu}`,
    description: `average CPU was ${cpu}% or more`,
    rollback: false,
  }, {
    kind: ServiceAlarm.MEMORY_HIGH,
    id: 'MemoryHigh',
    metrics: { memory: props.service.metricMemoryUtilization({ period: minute }) },
    percent: `100 * memory / ${memory}`,
    description: `average memory was ${memory}% or more`,
    rollback: false,
  }];
}
