/**
 * A workload's CloudWatch alarms as the report lists them: what each watches, when it fires,
 * whether it pages (has alarm actions) and whether it rolls a deployment back (the service's
 * deployment configuration names it).
 */
import { AppIndex, Resource } from '../picture/references';
import { nodeName, Service } from '../picture/services';

/** One alarm of a workload. */
export interface AlarmFacts {
  /** Its `AlarmName` where the template states it, else its logical id. */
  readonly name: string;
  readonly logicalId: string;
  /** `Namespace/MetricName`, or `math expression` for an alarm over metric math, or `composite`. */
  readonly metric: string;
  /** The threshold, or undefined where CloudFormation resolves it at deploy (or a composite alarm). */
  readonly threshold?: number | string;
  /** `ComparisonOperator`, as the template states it. */
  readonly comparison?: string;
  readonly evaluationPeriods?: number;
  /** True when one of its `AlarmActions` is an SNS topic (a scaling policy's alarm does not page). */
  readonly pages: boolean;
  /** The SNS topics of its `AlarmActions`: the app's by node name, others by their ARN. */
  readonly topics: string[];
  /** Its other `AlarmActions` (scaling policies, EC2 or Systems Manager actions), by node name or value. */
  readonly otherActions: string[];
  /** True when the service's `DeploymentConfiguration.Alarms` names it (by name or `Ref`), enabled and with rollback. */
  readonly rollsBack: boolean;
}

/** The alarms of `service`, in name order. */
export function alarmsOf(app: AppIndex, service: Service): AlarmFacts[] {
  const rollback = rollbackNames(app, service);
  const alarms = app.ofType('AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm').filter(a => service.alarms.has(a.key));
  return alarms.map(alarm => factsOf(app, alarm, rollback)).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function factsOf(app: AppIndex, alarm: Resource, rollback: Set<string>): AlarmFacts {
  const p = alarm.props;
  const actions: unknown[] = Array.isArray(p.AlarmActions) ? p.AlarmActions : [];
  const topics: string[] = [];
  const others: string[] = [];
  for (const action of actions) {
    const target = app.refs(alarm.stack, action)[0];
    const name = target ? nodeName(target) : typeof action === 'string' ? action : JSON.stringify(action);
    const sns = target ? target.type === 'AWS::SNS::Topic' : /:sns:/.test(name);
    (sns ? topics : others).push(name);
  }
  const named = typeof p.AlarmName === 'string';
  return {
    name: named ? p.AlarmName : alarm.logicalId,
    logicalId: alarm.logicalId,
    metric: metricOf(alarm),
    threshold: typeof p.Threshold === 'number' || typeof p.Threshold === 'string' ? p.Threshold : undefined,
    comparison: typeof p.ComparisonOperator === 'string' ? p.ComparisonOperator : undefined,
    evaluationPeriods: typeof p.EvaluationPeriods === 'number' ? p.EvaluationPeriods : undefined,
    pages: topics.length > 0,
    topics: [...new Set(topics)].sort(),
    otherActions: [...new Set(others)].sort(),
    rollsBack: rollback.has(alarm.key) || (named && rollback.has(`name:${p.AlarmName}`)),
  };
}

function metricOf(alarm: Resource): string {
  const p = alarm.props;
  if (alarm.type === 'AWS::CloudWatch::CompositeAlarm') return 'composite';
  if (Array.isArray(p.Metrics)) {
    const math = p.Metrics.some((m: any) => m?.Expression !== undefined);
    const stat = p.Metrics.find((m: any) => m?.MetricStat)?.MetricStat?.Metric;
    return math || !stat ? 'math expression' : `${stat.Namespace}/${stat.MetricName}`;
  }
  return `${typeof p.Namespace === 'string' ? p.Namespace : '?'}/${typeof p.MetricName === 'string' ? p.MetricName : '?'}`;
}

/** What the service's deployment alarms name: the alarms its `Ref`s resolve to (by key), and literal names (`name:<AlarmName>`). */
function rollbackNames(app: AppIndex, service: Service): Set<string> {
  const config = service.resource.props.DeploymentConfiguration?.Alarms;
  // Enabled, and rolling back (with `Rollback: false` an alarm fails the deployment and leaves it in place).
  const enabled = config && (config.Enable === true || config.Enable === 'true') && config.Rollback !== false && config.Rollback !== 'false';
  const names: unknown[] = enabled && Array.isArray(config.AlarmNames) ? config.AlarmNames : [];
  const out = new Set<string>();
  for (const name of names) {
    if (typeof name === 'string') out.add(`name:${name}`);
    for (const r of app.refs(service.resource.stack, name)) out.add(r.key);
  }
  return out;
}
