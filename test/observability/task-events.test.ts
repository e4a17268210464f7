import { Stack, aws_sns as sns } from 'aws-cdk-lib';
import { EnvironmentProps } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, productionEnvironment, resources, testStack } from '../fixtures';

function environment(props: EnvironmentProps = {}, withTopic = true): { stack: Stack; rules: Record<string, any> } {
  const stack = testStack();
  const alarmTopic = withTopic ? new sns.Topic(stack, 'Topic') : undefined;
  productionEnvironment(stack, { alarmTopic, ...props });
  const rules = Object.fromEntries(resources(stack, 'AWS::Events::Rule')
    .filter(([id]) => /^Env(HealthEvents|UnexpectedTaskStops)/.test(id))
    .map(([id, r]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Properties]));
  return { stack, rules };
}

describe('task events', () => {
  test('with an alarm topic: AWS Health scheduled changes for ECS and unexpected service task stops reach it, in words', () => {
    const { rules } = environment();
    expect(Object.keys(rules).sort()).toEqual(['EnvHealthEvents', 'EnvUnexpectedTaskStops']);
    const health = rules.EnvHealthEvents;
    expect(health.EventPattern).toEqual({
      'source': ['aws.health'], 'detail-type': ['AWS Health Event'], 'detail': { service: ['ECS'], eventTypeCategory: ['scheduledChange'] },
    });
    expect(health.Targets).toHaveLength(1);
    expect(health.Targets[0].Arn).toEqual({ Ref: expect.stringMatching(/^Topic/) });
    expect(health.Targets[0].InputTransformer.InputPathsMap).toEqual({
      'detail-eventTypeCode': '$.detail.eventTypeCode', 'detail-startTime': '$.detail.startTime', 'detail-affectedEntities': '$.detail.affectedEntities',
    });
    expect(health.Targets[0].InputTransformer.InputTemplate).toMatch(/force a new deployment/);

    const stops = rules.EnvUnexpectedTaskStops;
    expect(stops.EventPattern.detail).toEqual({
      clusterArn: [{ 'Fn::GetAtt': [expect.stringMatching(/^EnvCluster/), 'Arn'] }],
      lastStatus: ['STOPPED'],
      stopCode: ['EssentialContainerExited', 'TaskFailedToStart', 'InfrastructureHealth', 'TerminationNotice'],
      group: [{ prefix: 'service:' }],
    });
    expect(stops.Targets[0].InputTransformer.InputPathsMap).toEqual(expect.objectContaining({
      'detail-taskArn': '$.detail.taskArn', 'detail-stopCode': '$.detail.stopCode', 'detail-stoppedReason': '$.detail.stoppedReason',
    }));
  });

  test('Spot interruptions count when asked; either kind can be left out', () => {
    expect(environment({ taskEvents: { spotInterruptions: true } }).rules.EnvUnexpectedTaskStops.EventPattern.detail.stopCode).toContain('SpotInterruption');
    expect(Object.keys(environment({ taskEvents: { healthEvents: false } }).rules)).toEqual(['EnvUnexpectedTaskStops']);
    expect(Object.keys(environment({ taskEvents: { unexpectedStops: false } }).rules)).toEqual(['EnvHealthEvents']);
  });

  test('without an alarm topic there are none, and asking for them fails', () => {
    expect(environment({}, false).rules).toEqual({});
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => environment({ taskEvents: {} }, false));
  });
});
