import {
  Duration, Token, aws_cloudwatch as cloudwatch, aws_ecs as ecs, aws_events as events,
  aws_elasticloadbalancingv2 as elbv2, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { combine, Condition, loadBalancerConditions, MakeAlarm, ServiceAlarm, Summed, taskConditions } from './alarm-conditions';
import { unexpectedStopPattern } from './task-events';
import { CHANGED_DEFAULTS, takesNewDefault } from '../guardrails/changed-defaults';
import { checkInteger, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode } from '../guardrails/errors';
import { alarmBaseName, fixedNameAlarm } from '../private/alarms';
import { ONE_MINUTE, serviceInsightsMetric, targetGroupMetric } from '../private/metrics';


export { ServiceAlarm };

/** Thresholds of a service's alarms; any alarm can be switched off. */
export interface ServiceAlarmsOptions {
  /**
   * Percent of requests answered 5xx by the targets, over `rollbackAlarmMinutes` consecutive minutes.
   * @default 5
   */
  readonly http5xxRatePercent?: number;
  /**
   * 5xx responses a minute must also have for it to count against `http5xxRatePercent`, so that
   * one or two stray errors at low traffic (1 in 20 requests is 5%) neither page nor roll a
   * deployment back.
   * @default 3
   */
  readonly http5xxMinimumErrors?: number;
  /**
   * Consecutive minutes the rollback alarms (5xx rate, unhealthy targets) need to fire. ECS
   * watches them for a bake after each deployment that follows this window, so it is also
   * how long a deployment waits before it completes (see `DeploySpeed`).
   * @default 1 (the deploy-speed presets' window)
   */
  readonly rollbackAlarmMinutes?: number;
  /**
   * p99 target response time, over 5 consecutive minutes.
   * @default Duration.seconds(2)
   */
  readonly responseTimeP99?: Duration;
  /**
   * Average CPU utilisation percent, over 5 consecutive minutes. CPU and memory share one
   * alarm that fires when either is at its threshold (one stack resource instead of two).
   * @default 90
   */
  readonly cpuPercent?: number;
  /**
   * Average memory utilisation percent, over 5 consecutive minutes.
   * @default 90
   */
  readonly memoryPercent?: number;
  /**
   * Tasks that stopped unexpectedly (an essential container exited, the task failed to start,
   * or its infrastructure failed) within 5 minutes: a crash loop. Spot interruptions do not
   * count. Each single stop is reported by the environment's task events.
   * @default 3
   */
  readonly unexpectedStops?: number;
  /**
   * Alarms not to create (with combined alarms, conditions left out of them).
   * @default - all alarms
   */
  readonly disabled?: ServiceAlarm[];
  /**
   * One alarm per condition, as before 0.3.0, instead of one alarm per evaluation window: a
   * `Failing` alarm (5xx rate or unhealthy targets, which rolls deployments back), a `Degraded`
   * alarm (p99 response time, missing tasks, CPU or memory over 5 minutes) and the
   * unexpected-stops alarm. Combined alarms watch the same conditions at the same thresholds
   * with three stack resources instead of six; each condition's share of its threshold is
   * what the alarm graphs. The context flag `cdk-shipyard:combinedServiceAlarms` sets this for
   * the whole app.
   * @default false (combined), unless the app sets `cdk-shipyard:combinedServiceAlarms` to false
   */
  readonly onePerCondition?: boolean;
}

/** What the alarms watch. */
export interface ServiceAlarmsProps extends ServiceAlarmsOptions {
  /** The service. */
  readonly service: ecs.BaseService;
  /** The cluster's name. */
  readonly clusterName: string;
  /**
   * The target groups traffic reaches (two with blue/green); the 5xx-rate, response-time
   * and unhealthy-target alarms need them.
   * @default - no load balancer: only the task-count and CPU-or-memory alarms
   */
  readonly targetGroups?: elbv2.ApplicationTargetGroup[];
  /**
   * The load balancer's full name (for metric dimensions).
   * @default - no load balancer
   */
  readonly loadBalancerFullName?: string;
  /**
   * Topic notified on alarm and on recovery.
   * @default - no actions
   */
  readonly topic?: sns.ITopic;
}

/**
 * A service's alarms, with fixed names derived from the construct path so that the
 * service can reference them for deployment rollback without a dependency cycle.
 */
export class ServiceAlarms extends Construct {
  /** The alarms created, by kind. */
  public readonly alarms: cloudwatch.AlarmBase[] = [];
  /** Names of the alarms that roll a deployment back (5xx rate, unhealthy targets). */
  public readonly rollbackAlarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const disabled = new Set(props.disabled ?? []);
    const rate = props.http5xxRatePercent ?? 5;
    const p99 = props.responseTimeP99 ?? Duration.seconds(2);
    const cpu = props.cpuPercent ?? 90;
    const memory = props.memoryPercent ?? 90;
    checkRange(this, ErrorCode.ALARM, 'alarms.http5xxRatePercent', rate, 0.1, 100, '%');
    checkRange(this, ErrorCode.ALARM, 'alarms.cpuPercent', cpu, 1, 100, '%');
    checkRange(this, ErrorCode.ALARM, 'alarms.memoryPercent', memory, 1, 100, '%');
    checkRange(this, ErrorCode.ALARM, 'alarms.responseTimeP99', knownSeconds(p99), 0.001, 300, ' s');
    const minimumErrors = props.http5xxMinimumErrors ?? 3;
    checkInteger(this, ErrorCode.ALARM, 'alarms.http5xxMinimumErrors', minimumErrors);
    checkRange(this, ErrorCode.ALARM, 'alarms.http5xxMinimumErrors', minimumErrors, 1, 1_000_000);
    const window = props.rollbackAlarmMinutes ?? 1;
    checkInteger(this, ErrorCode.ALARM, 'alarms.rollbackAlarmMinutes', window);
    checkRange(this, ErrorCode.ALARM, 'alarms.rollbackAlarmMinutes', window, 1, 10, ' minutes');
    checkInteger(this, ErrorCode.ALARM, 'alarms.unexpectedStops', props.unexpectedStops);
    checkRange(this, ErrorCode.ALARM, 'alarms.unexpectedStops', props.unexpectedStops, 1, 1000);
    const targetGroups = props.targetGroups ?? [];
    const tgMetric = (metricName: string, statistic: string) =>
      targetGroups.map(tg => targetGroupMetric(props.loadBalancerFullName!, tg, metricName, statistic));
    // With blue/green both target groups carry traffic in turn: sum them.
    const sum = (metrics: cloudwatch.Metric[], prefix: string) => {
      const usingMetrics: Record<string, cloudwatch.IMetric> = {};
      metrics.forEach((m, i) => { usingMetrics[`${prefix}${i}`] = m; });
      return { expression: Object.keys(usingMetrics).map(k => `FILL(${k}, 0)`).join(' + '), usingMetrics };
    };

    const make = (kind: ServiceAlarm, suffix: string, metric: cloudwatch.IMetric, threshold: number,
      periods: number, description: string, rollback = false) => {
      if (disabled.has(kind)) return;
      const alarm = fixedNameAlarm(this, scope, { id: suffix, description, metric, threshold, periods, topic: props.topic });
      this.alarms.push(alarm);
      // The literal name, not a reference: the service lists it without depending on the alarm.
      if (rollback) this.rollbackAlarmNames.push(`${alarmBaseName(scope)}-${suffix}`);
    };

    const balanced = targetGroups.length > 0 && props.loadBalancerFullName !== undefined;
    const combined = props.onePerCondition === undefined ? takesNewDefault(scope, CHANGED_DEFAULTS.combinedServiceAlarms) : !props.onePerCondition;
    if (combined) {
      const conditions = [
        ...balanced ? loadBalancerConditions(tgMetric, sum, { rate, minimumErrors, p99 }) : [],
        ...taskConditions(props, cpu, memory),
      ].filter(c => !disabled.has(c.kind));
      if (!disabled.has(ServiceAlarm.UNEXPECTED_STOPS)) conditions.push(this.unexpectedStopsCondition(props));
      combine(make, 'Failing', conditions.filter(c => c.rollback), { minutes: 1, periods: window }, true);
      combine(make, 'Degraded', conditions.filter(c => !c.rollback), { minutes: 5, periods: 1 }, false);
    } else {
      if (balanced) this.loadBalancerAlarms(make, tgMetric, sum, { rate, minimumErrors, p99, window });
      this.taskAlarms(make, props, disabled, cpu, memory);
      if (!disabled.has(ServiceAlarm.UNEXPECTED_STOPS)) this.unexpectedStopsAlarm(make, props);
    }
  }

  /** The rule that counts the service's unexpected task stops, as a condition of the `Degraded` alarm. */
  private unexpectedStopsCondition(props: ServiceAlarmsProps): Condition {
    const threshold = props.unexpectedStops ?? 3;
    return {
      kind: ServiceAlarm.UNEXPECTED_STOPS,
      id: 'UnexpectedStops',
      metrics: { stops: this.unexpectedStopsMetric(props) },
      percent: `100 * stops / ${threshold}`,
      description: `${threshold} or more tasks stopped unexpectedly (a crash loop: read the stopped tasks' reasons and logs)`,
      rollback: false,
    };
  }

  /** A rule matching the service's unexpected task stops (no target: EventBridge counts its matches), and that count. */
  private unexpectedStopsMetric(props: ServiceAlarmsProps): cloudwatch.Metric {
    // The rule `events.Rule` would write (the same logical id and template), without its lazy
    // pattern, targets and name to resolve in every synthesis pass: one per service (ADR 18).
    const pattern = unexpectedStopPattern(props.service.cluster, false, serviceTasks(props.service));
    const rule = new events.CfnRule(new Construct(this, 'UnexpectedStopsRule'), 'Resource', {
      description: `${this.node.path}: tasks of the service that stopped unexpectedly`,
      // As events.Rule renders a pattern: each field in order, detailType as `detail-type`.
      eventPattern: Object.fromEntries(Object.entries(pattern).map(([key, value]) => [key === 'detailType' ? 'detail-type' : key, value])),
      state: 'ENABLED',
    });
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'MatchedEvents',
      statistic: 'Sum',
      period: Duration.minutes(5),
      dimensionsMap: { RuleName: rule.ref },
    });
  }

  /** The unexpected-stops alarm of one alarm per condition. */
  private unexpectedStopsAlarm(make: MakeAlarm, props: ServiceAlarmsProps): void {
    const threshold = props.unexpectedStops ?? 3;
    make(ServiceAlarm.UNEXPECTED_STOPS, 'UnexpectedStops', this.unexpectedStopsMetric(props), threshold, 1,
      `${threshold} or more tasks stopped unexpectedly within 5 minutes (a crash loop: read the stopped tasks' reasons and logs)`);
  }

  private loadBalancerAlarms(make: MakeAlarm, tgMetric: (name: string, statistic: string) => cloudwatch.Metric[],
    sum: Summed,
    { rate, minimumErrors, p99, window }: { rate: number; minimumErrors: number; p99: Duration; window: number }): void {
    const minutes = Duration.minutes(window).toHumanString();
    const minute = ONE_MINUTE;
    const errors = sum(tgMetric('HTTPCode_Target_5XX_Count', 'Sum'), 'e');
    const requests = sum(tgMetric('RequestCount', 'Sum'), 'r');
    // A 5xx is a request too, so with at least one error the division has requests to divide by.
    make(ServiceAlarm.HTTP_5XX_RATE, 'Http5xxRate', new cloudwatch.MathExpression({
      expression: `IF((${errors.expression}) >= ${minimumErrors}, 100 * (${errors.expression}) / (${requests.expression}), 0)`,
      usingMetrics: { ...errors.usingMetrics, ...requests.usingMetrics },
      period: minute,
      label: '5xx rate (%)',
    }), rate, window, `targets answered ${rate}% or more of requests with 5xx (and ${minimumErrors} or more a minute) for ${minutes}`, true);

    // The slowest target group's p99 (percentiles do not add up).
    const latencies = tgMetric('TargetResponseTime', 'p99');
    const latencyMetrics: Record<string, cloudwatch.IMetric> = {};
    latencies.forEach((m, i) => { latencyMetrics[`l${i}`] = m; });
    make(ServiceAlarm.RESPONSE_TIME_P99, 'ResponseTimeP99', latencies.length === 1 ? latencies[0]
      : new cloudwatch.MathExpression({
        expression: `MAX([${Object.keys(latencyMetrics).map(k => `FILL(${k}, 0)`).join(', ')}])`,
        usingMetrics: latencyMetrics,
        period: minute,
        label: 'p99 response time (s)',
      }), p99.toSeconds({ integral: false }), 5, `p99 response time was ${p99.toHumanString()} or more for 5 minutes`);

    const unhealthy = sum(tgMetric('UnHealthyHostCount', 'Maximum'), 'u');
    make(ServiceAlarm.UNHEALTHY_TARGETS, 'UnhealthyTargets', new cloudwatch.MathExpression({
      ...unhealthy, period: minute, label: 'unhealthy targets',
    }), 1, window, `targets failed the load balancer health check for ${minutes}`, true);
  }

  private taskAlarms(make: MakeAlarm, props: ServiceAlarmsProps, disabled: Set<ServiceAlarm>, cpu: number, memory: number): void {
    const minute = ONE_MINUTE;

    const insights = (metricName: string) => serviceInsightsMetric(props.clusterName, props.service.serviceName, metricName);
    make(ServiceAlarm.RUNNING_TASKS_BELOW_DESIRED, 'RunningTasksBelowDesired', new cloudwatch.MathExpression({
      expression: 'desired - running',
      usingMetrics: { desired: insights('DesiredTaskCount'), running: insights('RunningTaskCount') },
      period: minute,
      label: 'tasks missing',
    }), 1, 5, 'fewer tasks ran than desired for 5 minutes');

    // CPU and memory in one alarm, each scaled to its own threshold: 100 means a threshold is reached.
    const saturation: Record<string, cloudwatch.IMetric> = {};
    const parts: string[] = [];
    const described: string[] = [];
    if (!disabled.has(ServiceAlarm.CPU_HIGH)) {
      saturation.cpu = props.service.metricCpuUtilization({ period: minute });
      parts.push(`100 * cpu / ${cpu}`);
      described.push(`CPU ${cpu}%`);
    }
    if (!disabled.has(ServiceAlarm.MEMORY_HIGH)) {
      saturation.memory = props.service.metricMemoryUtilization({ period: minute });
      parts.push(`100 * memory / ${memory}`);
      described.push(`memory ${memory}%`);
    }
    if (parts.length > 0) {
      make(disabled.has(ServiceAlarm.CPU_HIGH) ? ServiceAlarm.MEMORY_HIGH : ServiceAlarm.CPU_HIGH, 'CpuOrMemoryHigh',
        new cloudwatch.MathExpression({
          expression: parts.length === 1 ? parts[0] : `MAX([${parts.join(', ')}])`,
          usingMetrics: saturation,
          period: minute,
          label: 'percent of the CPU or memory threshold',
        }), 100, 5, `average ${described.join(' or ')} or more for 5 minutes`);
    }
  }
}

/**
 * Which stopped tasks are the service's: those of its task definition family (a name known at
 * synth), so the rule and its alarm need not wait for the service to be created and stable,
 * one deployment's bake, before CloudFormation creates them; by service name otherwise.
 */
function serviceTasks(service: ecs.BaseService): { family: string } | { serviceName: string } {
  const family = service.taskDefinition.family;
  return Token.isUnresolved(family) ? { serviceName: service.serviceName } : { family };
}
