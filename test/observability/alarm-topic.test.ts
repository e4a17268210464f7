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

  test('Auto Scaling notifications may use the key through the service-linked role of this account only', () => {
    const stack = testStack();
    new AlarmTopic(stack, 'Alarms');
    template(stack).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' },
                  ':role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*']],
              },
            },
            StringEquals: { 'kms:CallerAccount': { Ref: 'AWS::AccountId' } },
          },
        }]),
      },
    });
  });
});
