import { App, Duration, Stack, Tags, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as actions, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { alarmBaseName, fixedNameAlarm, FixedNameAlarmProps } from '../../src/private/alarms';

/**
 * The alarms cdk-shipyard renders itself must be the alarms aws-cdk-lib's `Alarm` writes for the
 * same metric: each case builds both, in stacks of the same name, and compares the templates.
 */
const SPECIFIC = { account: '123456789012', region: 'eu-west-1' };

function templates(props: Omit<FixedNameAlarmProps, 'id' | 'topic'> & { topic?: boolean }, env?: typeof SPECIFIC, then?: (a: cloudwatch.AlarmBase) => void) {
  const build = (rendered: boolean) => {
    const stack = new Stack(new App(), 'Alarms', { env });
    const owner = new Construct(stack, 'Owner');
    const topic = props.topic ? new sns.Topic(stack, 'Topic') : undefined;
    const id = 'Failing';
    let alarm: cloudwatch.AlarmBase;
    if (rendered) {
      alarm = fixedNameAlarm(owner, owner, { ...props, id, topic });
    } else {
      const l2 = new cloudwatch.Alarm(owner, id, {
        alarmName: `${alarmBaseName(owner)}-${id}`,
        alarmDescription: `Alarms/Owner: ${props.description}`,
        metric: props.metric,
        threshold: props.threshold,
        evaluationPeriods: props.periods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (topic) {
        l2.addAlarmAction(new actions.SnsAction(topic));
        l2.addOkAction(new actions.SnsAction(topic));
      }
      alarm = l2;
    }
    then?.(alarm);
    return { alarm, resources: stackTemplate(stack) };
  };
  return { rendered: build(true), l2: build(false) };
}

function stackTemplate(stack: Stack): Record<string, any> {
  const resources = (stack.node.root as App).synth().getStackByName(stack.stackName).template.Resources as Record<string, any>;
  return Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').map(([k, r]) => [k, r.Properties]));
}

const metric = (props: Partial<cloudwatch.MetricProps> = {}) => new cloudwatch.Metric({
  namespace: 'AWS/ApplicationELB',
  metricName: 'HTTPCode_Target_5XX_Count',
  statistic: 'Sum',
  period: Duration.minutes(1),
  dimensionsMap: { TargetGroup: 'targetgroup/tg/1', LoadBalancer: 'app/lb/2' },
  ...props,
});

describe('alarms rendered as aws-cdk-lib renders them', () => {
  test.each([
    ['a simple statistic', metric()],
    ['a percentile, as ExtendedStatistic', metric({ statistic: 'p99', metricName: 'TargetResponseTime' })],
    ['a unit filter', metric({ unit: cloudwatch.Unit.COUNT })],
    ['no dimensions', metric({ dimensionsMap: {} })],
    ['a metric-math expression over labelled metrics, percentiles and units', new cloudwatch.MathExpression({
      expression: 'MAX([100 * e0 / 5, 100 * l0 / 2])',
      usingMetrics: { e0: metric({ label: 'errors' }), l0: metric({ statistic: 'p99', metricName: 'TargetResponseTime', unit: cloudwatch.Unit.SECONDS }) },
      period: Duration.minutes(5),
      label: 'worst condition',
    })],
    ['an expression without a label', new cloudwatch.MathExpression({ expression: 'e0 + e1', usingMetrics: { e0: metric(), e1: metric({ metricName: 'RequestCount' }) } })],
  ])('%s', (_what, m) => {
    const { rendered, l2 } = templates({ description: 'it failed', metric: m, threshold: 1, periods: 3 });
    expect(rendered.alarm).not.toBeInstanceOf(cloudwatch.Alarm);
    expect(JSON.stringify(rendered.resources)).toEqual(JSON.stringify(l2.resources));
  });

  test('with a topic, it notifies on alarm and on recovery, as the Alarm with two SnsActions', () => {
    const { rendered, l2 } = templates({ description: 'it failed', metric: metric(), threshold: 1, periods: 1, topic: true });
    expect(Object.values(rendered.resources)[0].AlarmActions).toHaveLength(1);
    expect(JSON.stringify(rendered.resources)).toEqual(JSON.stringify(l2.resources));
  });

  test('actions added afterwards are written as the Alarm writes them', () => {
    const add = (a: cloudwatch.AlarmBase) => {
      const topic = new sns.Topic(Stack.of(a), 'Pager');
      a.addAlarmAction(new actions.SnsAction(topic));
      a.addOkAction(new actions.SnsAction(topic));
      a.addInsufficientDataAction(new actions.SnsAction(topic));
    };
    const { rendered, l2 } = templates({ description: 'it failed', metric: metric(), threshold: 1, periods: 1 }, undefined, add);
    const props = Object.values(rendered.resources)[0];
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['AlarmActions', 'OKActions', 'InsufficientDataActions']));
    expect(Object.values(rendered.resources)).toEqual(Object.values(l2.resources));
  });

  test('tags reach it, and compliance tools find a CfnAlarm, as with the Alarm', () => {
    const tag = (a: cloudwatch.AlarmBase) => Tags.of(Stack.of(a)).add('team', 'payments');
    const { rendered, l2 } = templates({ description: 'it failed', metric: metric(), threshold: 1, periods: 1 }, undefined, tag);
    expect(Object.values(rendered.resources)[0].Tags).toEqual([{ Key: 'team', Value: 'payments' }]);
    expect(JSON.stringify(rendered.resources)).toEqual(JSON.stringify(l2.resources));
    expect(rendered.alarm.node.defaultChild).toBeInstanceOf(cloudwatch.CfnAlarm);
  });

  test('its name and ARN are the alarm\'s', () => {
    const { rendered } = templates({ description: 'it failed', metric: metric(), threshold: 1, periods: 1 });
    const stack = Stack.of(rendered.alarm);
    expect(rendered.alarm.alarmName).toBe(Object.values(rendered.resources)[0].AlarmName);
    expect(stack.resolve(rendered.alarm.alarmArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OwnerFailing/), 'Arn'] });
  });

  test.each([
    ['a labelled single metric', metric({ label: '5xx' })],
    ['a metric of another account', metric({ account: '210987654321' })],
    ['an expression over an expression', new cloudwatch.MathExpression({
      expression: 'x * 2', usingMetrics: { x: new cloudwatch.MathExpression({ expression: 'e0 + 1', usingMetrics: { e0: metric() } }) },
    })],
  ])('%s gets aws-cdk-lib\'s Alarm', (_what, m) => {
    const { rendered, l2 } = templates({ description: 'it failed', metric: m, threshold: 1, periods: 1 }, SPECIFIC);
    expect(rendered.alarm).toBeInstanceOf(cloudwatch.Alarm);
    expect(rendered.resources).toEqual(l2.resources);
  });

  test('a metric of another region fails as with the Alarm', () => {
    const other = metric({ region: 'us-west-2' });
    expect(() => templates({ description: 'it failed', metric: other, threshold: 1, periods: 1 }, SPECIFIC)).toThrow(/Cannot create an Alarm in region 'eu-west-1'/);
  });

  test('a metric of the stack\'s own account and region is rendered', () => {
    const own = metric({ account: SPECIFIC.account, region: SPECIFIC.region });
    const { rendered, l2 } = templates({ description: 'it failed', metric: own, threshold: 1, periods: 1 }, SPECIFIC);
    expect(rendered.alarm).not.toBeInstanceOf(cloudwatch.Alarm);
    expect(JSON.stringify(rendered.resources)).toEqual(JSON.stringify(l2.resources));
  });
});
