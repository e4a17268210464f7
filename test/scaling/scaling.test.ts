import { Duration, TimeZone, aws_applicationautoscaling as appscaling, aws_cloudwatch as cloudwatch } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { BackendService, Deployment, Image, Scaling, ScheduledScaling } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, productionEnvironment, resources, template, testStack, webService } from '../fixtures';

describe('scheduled scaling', () => {
  const businessHours: ScheduledScaling = {
    name: 'business-hours',
    schedule: appscaling.Schedule.cron({ minute: '0', hour: '8', weekDay: 'MON-FRI' }),
    minCapacity: 4,
    maxCapacity: 20,
    timeZone: TimeZone.EUROPE_BERLIN,
  };
  const night: ScheduledScaling = { name: 'night', schedule: appscaling.Schedule.cron({ minute: '0', hour: '20' }), minCapacity: 1 };

  test('each window is a scheduled action on the scalable target, beside target tracking', () => {
    const { stack } = webService({ scaling: { minCapacity: 2, maxCapacity: 10, targets: [Scaling.cpu(60)], schedules: [businessHours, night] } });
    const [[, target]] = resources(stack, 'AWS::ApplicationAutoScaling::ScalableTarget');
    expect(target.Properties.ScheduledActions).toEqual([
      {
        ScheduledActionName: 'Schedule-business-hours',
        Schedule: 'cron(0 8 ? * MON-FRI *)',
        ScalableTargetAction: { MinCapacity: 4, MaxCapacity: 20 },
        Timezone: 'Europe/Berlin',
      },
      { ScheduledActionName: 'Schedule-night', Schedule: 'cron(0 20 * * ? *)', ScalableTargetAction: { MinCapacity: 1 } },
    ]);
    expect(resources(stack, 'AWS::ApplicationAutoScaling::ScalingPolicy')).toHaveLength(1);
  });

  test.each([
    ['a window without bounds', [{ name: 'empty', schedule: night.schedule }]],
    ['a window whose minimum is above its maximum', [{ ...night, minCapacity: 5, maxCapacity: 2 }]],
    ['two windows with one name', [night, night]],
    ['a name with a space', [{ ...night, name: 'late night' }]],
    ['a fractional bound', [{ ...night, minCapacity: 1.5 }]],
    ['a five-field cron (Application Auto Scaling takes six)', [{ ...night, schedule: appscaling.Schedule.expression('cron(0 8 * * 1-5)') }]],
  ])('fails at synth with %s', (_name, schedules) => {
    expectError(ErrorCode.SCALING_BOUNDS, () => webService({ scaling: { minCapacity: 1, maxCapacity: 4, schedules } }));
  });

  test('takes a six-field cron written as an expression, a rate and a time', () => {
    const schedules: ScheduledScaling[] = [
      { name: 'weekdays', schedule: appscaling.Schedule.expression('cron(0 8 ? * MON-FRI *)'), minCapacity: 2 },
      { name: 'hourly', schedule: appscaling.Schedule.rate(Duration.hours(1)), maxCapacity: 6 },
      { name: 'sale', schedule: appscaling.Schedule.at(new Date(Date.UTC(2027, 0, 1, 9))), minCapacity: 4 },
    ];
    const { stack } = webService({ scaling: { minCapacity: 1, maxCapacity: 8, schedules } });
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScheduledActions: Match.arrayWith([Match.objectLike({ Schedule: 'cron(0 8 ? * MON-FRI *)' })]),
    });
  });
});

test('takes exact-capacity steps down to 0 tasks (the boundary Application Auto Scaling takes)', () => {
  const backlog = new cloudwatch.Metric({ namespace: 'App', metricName: 'Backlog' });
  const { stack } = webService({
    scaling: {
      minCapacity: 1,
      maxCapacity: 4,
      targets: [Scaling.steps(backlog, {
        adjustmentType: appscaling.AdjustmentType.EXACT_CAPACITY, steps: [{ lower: 10, change: 4 }, { upper: 1, change: 0 }],
      })],
    },
  });
  template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
    StepScalingPolicyConfiguration: Match.objectLike({ AdjustmentType: 'ExactCapacity', StepAdjustments: [Match.objectLike({ ScalingAdjustment: 0 })] }),
  });
});

describe('scaling to zero', () => {
  test('fails at synth when only CPU, memory, request or response-time targets could bring it back (they have no data at zero tasks)', () => {
    expectError(ErrorCode.SCALING_BOUNDS, () => webService({ scaling: { minCapacity: 0, maxCapacity: 4 } }));
    expect(() => webService({ scaling: { minCapacity: 0, maxCapacity: 4, targets: [Scaling.cpu(60), Scaling.requestsPerTarget(100)] } }))
      .toThrow(/minCapacity 0 with Cpu, Requests tracking: at zero tasks these metrics have no data/);
  });

  test('passes with a target on a metric that has data at zero, or a window that raises minCapacity', () => {
    const backlog = new cloudwatch.Metric({ namespace: 'App', metricName: 'Backlog' });
    const wake = Scaling.steps(backlog, { steps: [{ lower: 10, change: 1 }, { upper: 1, change: -1 }] });
    webService({ scaling: { minCapacity: 0, maxCapacity: 4, targets: [Scaling.cpu(60), wake] } });
    webService({
      scaling: { minCapacity: 0, maxCapacity: 4, schedules: [{ name: 'day', schedule: appscaling.Schedule.cron({ minute: '0', hour: '8' }), minCapacity: 1 }] },
    });
  });
});

describe('response-time, custom-metric and step scaling', () => {
  const connections = new cloudwatch.Metric({
    namespace: 'MyApp', metricName: 'OpenConnectionsPerTask', statistic: 'Average', period: Duration.minutes(1),
  });
  const backlog = new cloudwatch.Metric({ namespace: 'MyApp', metricName: 'OldestJobAgeSeconds', statistic: 'Maximum', period: Duration.minutes(1) });

  function policies(stack: any): any[] {
    return resources(stack, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, p]) => p.Properties);
  }

  test('response time: target tracking on the target group\'s average TargetResponseTime, in seconds', () => {
    const { stack } = webService({ scaling: { minCapacity: 2, maxCapacity: 8, targets: [Scaling.responseTime(Duration.millis(250))] } });
    const [policy] = policies(stack);
    const config = policy.TargetTrackingScalingPolicyConfiguration;
    expect(config.TargetValue).toBe(0.25);
    const [blue, tracked] = config.CustomizedMetricSpecification.Metrics;
    expect(blue).toMatchObject({ Id: 'blue', ReturnData: false, MetricStat: { Stat: 'Average', Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'TargetResponseTime' } } });
    expect(tracked).toEqual({ Id: 'responseTime', Expression: 'FILL(blue, 0)', Label: 'average response time (s)', ReturnData: true });
  });

  test('response time with blue/green: the slower of the two target groups (the one carrying traffic)', () => {
    const { stack } = webService({
      deployment: Deployment.blueGreen(),
      scaling: { minCapacity: 2, maxCapacity: 8, targets: [Scaling.responseTime(Duration.seconds(1)), Scaling.requestsPerTarget(600)] },
    });
    const expressions = policies(stack).map(p => p.TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics
      .find((m: any) => m.ReturnData).Expression);
    expect(expressions).toEqual(['MAX([FILL(blue, 0), FILL(green, 0)])', 'FILL(blue, 0) + FILL(green, 0)']);
  });

  test('a custom metric: target tracking on it', () => {
    const { stack } = webService({ scaling: { minCapacity: 1, maxCapacity: 10, targets: [Scaling.customMetric(connections, 200)] } });
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 200,
        CustomizedMetricSpecification: Match.objectLike({ MetricName: 'OpenConnectionsPerTask', Namespace: 'MyApp', Statistic: 'Average' }),
        ScaleOutCooldown: 60,
        ScaleInCooldown: 300,
      }),
    });
  });

  test('steps on any metric: a step policy and the alarms above and below, on a service without a load balancer', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new BackendService(stack, 'Jobs', {
      environment,
      image: Image.fromRegistry('nginx'),
      scaling: {
        minCapacity: 1,
        maxCapacity: 20,
        targets: [Scaling.steps(backlog, {
          steps: [{ upper: 30, change: -1 }, { lower: 120, change: 2 }, { lower: 600, change: 5 }],
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        })],
      },
    });
    const steps = policies(stack).filter(p => p.PolicyType === 'StepScaling');
    expect(steps).toHaveLength(2);
    const upper = steps.find(p => p.StepScalingPolicyConfiguration.StepAdjustments.some((a: any) => a.ScalingAdjustment === 5));
    expect(upper.StepScalingPolicyConfiguration).toMatchObject({ AdjustmentType: 'ChangeInCapacity', Cooldown: 60 });
    template(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'OldestJobAgeSeconds', Threshold: 120, EvaluationPeriods: 3, DatapointsToAlarm: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'OldestJobAgeSeconds', Threshold: 30, ComparisonOperator: 'LessThanOrEqualToThreshold' });
  });

  const math = new cloudwatch.MathExpression({ expression: 'm1 * 2', usingMetrics: { m1: backlog } });
  test.each([
    ['response time without a load balancer target group', () => {
      const stack = testStack();
      return new BackendService(stack, 'B', {
        environment: productionEnvironment(stack),
        image: Image.fromRegistry('nginx'),
        scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.responseTime(Duration.seconds(1))] },
      });
    }],
    ['a response-time target of 0', () => webService({ scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.responseTime(Duration.seconds(0))] } })],
    ['a custom metric target of 0', () => webService({ scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.customMetric(connections, 0)] } })],
    ['a math expression', () => webService({ scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.customMetric(math, 10)] } })],
    ['one step', () => webService({ scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.steps(backlog, { steps: [{ lower: 10, change: 1 }] })] } })],
    ['a step without bounds', () => webService({
      scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.steps(backlog, { steps: [{ change: 1 }, { upper: 5, change: -1 }] })] },
    })],
    ['more datapoints than periods', () => webService({
      scaling: {
        minCapacity: 1,
        maxCapacity: 2,
        targets: [Scaling.steps(backlog, {
          steps: [{ lower: 10, change: 1 }, { upper: 5, change: -1 }], evaluationPeriods: 2, datapointsToAlarm: 3,
        })],
      },
    })],
    ['a step whose lower bound is above its upper', () => webService({
      scaling: {
        minCapacity: 1, maxCapacity: 2, targets: [Scaling.steps(backlog, { steps: [{ lower: 10, upper: 5, change: 1 }, { upper: 1, change: -1 }] })],
      },
    })],
    ['overlapping steps (aws-cdk-lib\'s own check, in the library\'s format)', () => webService({
      scaling: {
        minCapacity: 1,
        maxCapacity: 2,
        targets: [Scaling.steps(backlog, { steps: [{ lower: 10, change: 1 }, { lower: 5, upper: 20, change: 2 }, { upper: 1, change: -1 }] })],
      },
    })],
    ['an exact capacity below zero', () => webService({
      scaling: {
        minCapacity: 1,
        maxCapacity: 2,
        targets: [Scaling.steps(backlog, {
          adjustmentType: appscaling.AdjustmentType.EXACT_CAPACITY, steps: [{ lower: 10, change: 2 }, { upper: 1, change: -1 }],
        })],
      },
    })],
    ['the same custom metric twice', () => webService({
      scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.customMetric(connections, 10), Scaling.customMetric(connections, 20)] },
    })],
  ])('fails at synth with %s', (_name, build) => {
    expectError(ErrorCode.SCALING_TARGET, build as () => unknown);
  });
});
