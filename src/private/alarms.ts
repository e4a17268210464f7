import { Names, Stack, Token, Tokenization, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as actions, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledge, inCompliancePacks } from './nag';

/** One alarm as cdk-shipyard makes them. */
export interface FixedNameAlarmProps {
  /** The alarm's construct id and name suffix. */
  readonly id: string;
  /** What the alarm means, after the owner's path. */
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  /** Fires at or above this value. */
  readonly threshold: number;
  /** Consecutive breaching minutes. */
  readonly periods: number;
  /** Notified on alarm and on recovery. */
  readonly topic?: sns.ITopic;
}

/** The name prefix of the alarms of `owner`: unique, derived from its path. */
export function alarmBaseName(owner: Construct): string {
  return Names.uniqueResourceName(owner, { maxLength: 200, separator: '-' });
}

/**
 * An alarm with a fixed name derived from `owner`'s path (so a service can list it for
 * rollback without depending on it), created in `scope`, notifying `topic` on alarm and recovery.
 */
export function fixedNameAlarm(scope: Construct, owner: Construct, props: FixedNameAlarmProps): cloudwatch.AlarmBase {
  const base = {
    alarmDescription: `${owner.node.path}: ${props.description}`,
    alarmName: `${alarmBaseName(owner)}-${props.id}`,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    // N of N: CloudWatch reads DatapointsToAlarm only for an M-of-N alarm, so it is left out.
    evaluationPeriods: props.periods,
    threshold: props.threshold,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
  const rendered = renderMetric(props.metric, Stack.of(scope));
  // What RenderedAlarm does not render (another account or region, a labelled single metric,
  // nested expressions) gets aws-cdk-lib's Alarm, whose props these are too.
  const alarm = rendered
    ? new RenderedAlarm(scope, props.id, { ...base, ...rendered })
    : new cloudwatch.Alarm(scope, props.id, { ...base, metric: props.metric });
  if (props.topic) {
    alarm.addAlarmAction(new actions.SnsAction(props.topic));
    alarm.addOkAction(new actions.SnsAction(props.topic));
  } else {
    const reason = 'No environment alarmTopic: the alarm is read by ECS rollback or in CloudWatch.';
    acknowledge(alarm, inCompliancePacks('CloudWatchAlarmAction', reason));
  }
  return alarm;
}

/**
 * An alarm whose `CfnAlarm` gets its metrics rendered once, when it is made, as aws-cdk-lib's
 * `Alarm` renders them (the same template, key for key), and its actions as plain lists. A
 * service's alarms hold most of its references; the `Alarm` construct adds three lazy action
 * lists and a lazy name to resolve in every synthesis pass, which made a production service's
 * synthesis about 10% slower at N = 100 (docs/benchmark.md).
 */
class RenderedAlarm extends cloudwatch.AlarmBase {
  public readonly alarmArn: string;
  public readonly alarmName: string;
  private readonly resource: cloudwatch.CfnAlarm;

  constructor(scope: Construct, id: string, props: cloudwatch.CfnAlarmProps & { alarmName: string }) {
    super(scope, id, { physicalName: props.alarmName });
    this.resource = new RenderedCfnAlarm(this, 'Resource', props);
    this.alarmName = props.alarmName;
    this.alarmArn = this.resource.attrArn;
  }

  public addAlarmAction(...added: cloudwatch.IAlarmAction[]): void {
    this.resource.alarmActions = [...this.resource.alarmActions ?? [], ...this.arns(added)];
  }

  public addOkAction(...added: cloudwatch.IAlarmAction[]): void {
    this.resource.okActions = [...this.resource.okActions ?? [], ...this.arns(added)];
  }

  public addInsufficientDataAction(...added: cloudwatch.IAlarmAction[]): void {
    this.resource.insufficientDataActions = [...this.resource.insufficientDataActions ?? [], ...this.arns(added)];
  }

  private arns(added: cloudwatch.IAlarmAction[]): string[] {
    return added.map(action => action.bind(this, this).alarmActionArn);
  }
}

/**
 * A `CfnAlarm` whose properties, made here from typed values, are written without the generated
 * per-property validators and converters that run again in every synthesis pass: keys in
 * CloudFormation's case, in the order the generated class lists them. Compliance tools still
 * find a `CfnAlarm`, and tags and overrides still apply.
 */
class RenderedCfnAlarm extends cloudwatch.CfnAlarm {
  protected renderProperties(props: { [key: string]: any }): { [key: string]: any } {
    return cloudFormationCase(props) as { [key: string]: any };
  }
}

/**
 * `value` with each key as CloudFormation spells it (`okActions` is `OKActions`), in the generated
 * class's order (sorted); tokens as they are.
 */
function cloudFormationCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloudFormationCase);
  if (value === null || typeof value !== 'object' || Token.isUnresolved(value)) return value;
  const entries: Array<[string, unknown]> = [];
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) entries.push([key === 'okActions' ? 'OKActions' : key.charAt(0).toUpperCase() + key.slice(1), cloudFormationCase(v)]);
  }
  return Object.fromEntries(entries.sort(([a], [b]) => a < b ? -1 : 1));
}

/** Statistics CloudFormation takes as `Statistic`; any other (p99, tm90...) is an `ExtendedStatistic`. */
const SIMPLE_STATISTICS = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);

/**
 * What aws-cdk-lib's `Alarm` renders for a metric in `stack`, or undefined where it renders
 * more than this does or refuses: a metric of another account or region, a labelled single
 * metric, an expression over expressions or a search.
 */
function renderMetric(metric: cloudwatch.IMetric, stack: Stack): Partial<cloudwatch.CfnAlarmProps> | undefined {
  if (metric instanceof cloudwatch.MathExpression) {
    const used = Object.entries(metric.usingMetrics);
    if (used.some(([, m]) => !plainMetric(m, stack))) return undefined;
    return {
      metrics: [
        { expression: metric.expression, id: 'expr_1', label: metric.label, returnData: true },
        ...used.map(([id, m]) => ({ id, label: (m as cloudwatch.Metric).label, metricStat: metricStat(m as cloudwatch.Metric), returnData: false })),
      ],
    };
  }
  if (!plainMetric(metric, stack) || metric.label !== undefined) return undefined;
  const simple = SIMPLE_STATISTICS.has(metric.statistic);
  return {
    ...metricIdentity(metric),
    period: metric.period.toSeconds(),
    statistic: simple ? metric.statistic : undefined,
    extendedStatistic: simple ? undefined : metric.statistic,
    unit: metric.unit,
  };
}

/** A metric of the alarm's own account and region (`Alarm` adds the account of another, and refuses another region). */
function plainMetric(metric: cloudwatch.IMetric, stack: Stack): metric is cloudwatch.Metric {
  if (!(metric instanceof cloudwatch.Metric)) return false;
  const own = (value: string | undefined, stackValue: string) => value === undefined || (!Token.isUnresolved(stackValue) && value === stackValue);
  return own(metric.account, stack.account) && own(metric.region, stack.region);
}

function metricStat(metric: cloudwatch.Metric): cloudwatch.CfnAlarm.MetricStatProperty {
  return { metric: metricIdentity(metric), period: metric.period.toSeconds(), stat: metric.statistic, unit: metric.unit };
}

/**
 * A value that is one reference (a target group's name, a cluster's) as the reference itself
 * rather than its string token, which each synthesis pass would parse again; the template is
 * the same. Anything else as it is.
 */
function asReference(value: string): string {
  const fragments = Tokenization.reverseString(value);
  return fragments.length === 1 && fragments.firstToken ? fragments.firstToken as unknown as string : value;
}

/** Dimensions (sorted by name, as aws-cdk-lib lists them), name and namespace. */
function metricIdentity(metric: cloudwatch.Metric): cloudwatch.CfnAlarm.MetricProperty {
  const dimensions = metric.dimensions ?? {};
  const names = Object.keys(dimensions).sort();
  return {
    dimensions: names.length > 0 ? names.map(name => ({ name, value: asReference(dimensions[name]) })) : undefined,
    metricName: metric.metricName,
    namespace: metric.namespace,
  };
}
