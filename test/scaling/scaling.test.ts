import { TimeZone, aws_applicationautoscaling as appscaling } from 'aws-cdk-lib';
import { Scaling, ScheduledScaling } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, resources, webService } from '../fixtures';

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
  ])('fails at synth with %s', (_name, schedules) => {
    expectError(ErrorCode.SCALING_BOUNDS, () => webService({ scaling: { minCapacity: 1, maxCapacity: 4, schedules } }));
  });
});
