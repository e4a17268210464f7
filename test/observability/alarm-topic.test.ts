import { Match } from 'aws-cdk-lib/assertions';
import { AlarmTopic } from '../../src';
import { template, testStack } from '../fixtures';

describe('AlarmTopic', () => {
  test('is encrypted with a rotating key that CloudWatch alarms and EventBridge may use, and TLS-only', () => {
    const stack = testStack();
    const alarms = new AlarmTopic(stack, 'Alarms');
    const t = template(stack);
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        })]),
      },
    });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlarmsKey'), 'Arn'] } });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    expect(alarms.topic.masterKey).toBe(alarms.key);
  });
});
