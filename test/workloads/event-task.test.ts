import { Duration, Stack, aws_s3 as s3 } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { EventTask, EventTaskProps, EventTrigger, Image } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, productionEnvironment, resources, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/thumbnailer:1.0.0');

function eventTask(props: (stack: Stack) => Partial<EventTaskProps> = () => ({})): { stack: Stack; task: EventTask } {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  const task = new EventTask(stack, 'Thumbnails', {
    image: IMAGE,
    trigger: EventTrigger.pattern({ source: ['my.app'], detailType: ['ImageUploaded'] }),
    ...props(stack),
    environment,
  });
  return { stack, task };
}

describe('EventTask', () => {
  test('a rule starts one Fargate task per S3 upload, passing the key, with retries and a dead-letter queue', () => {
    const { stack } = eventTask(s => ({
      trigger: EventTrigger.s3ObjectCreated(s3.Bucket.fromBucketName(s, 'Uploads', 'uploads'), { prefix: 'images/', suffix: '.png' }),
      eventFields: { OBJECT_KEY: '$.detail.object.key', BUCKET: '$.detail.bucket.name' },
    }));
    template(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { bucket: { name: ['uploads'] }, object: { key: [{ prefix: 'images/' }, { suffix: '.png' }] } },
      },
      Targets: [Match.objectLike({
        EcsParameters: Match.objectLike({
          LaunchType: 'FARGATE',
          TaskCount: 1,
          NetworkConfiguration: { AwsVpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
        }),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ThumbnailsDeadLetterQueue'), 'Arn'] } },
        InputTransformer: Match.objectLike({
          InputPathsMap: { 'detail-object-key': '$.detail.object.key', 'detail-bucket-name': '$.detail.bucket.name' },
        }),
      })],
    });
  });

  test('accepts a pattern as JSON', () => {
    const { stack } = eventTask(() => ({ trigger: EventTrigger.patternJson('{"source": ["aws.s3"], "detail-type": ["Object Created"]}') }));
    template(stack).hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['aws.s3'], 'detail-type': ['Object Created'] } });
  });

  test('the dead-letter queue admits this rule only', () => {
    const { stack } = eventTask();
    const policy = resources(stack, 'AWS::SQS::QueuePolicy').map(([, p]) => p.Properties.PolicyDocument.Statement).flat();
    expect(policy).toContainEqual(expect.objectContaining({
      Action: 'sqs:SendMessage',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^ThumbnailsRule/), 'Arn'] } } },
    }));
  });

  test.each([
    ['invalid JSON', '{"source": ["aws.s3"'],
    ['a JSON array', '["aws.s3"]'],
    ['an empty object', '{}'],
    ['an unknown field', '{"sources": ["aws.s3"]}'],
  ])('fails with a pattern that is %s', (_name, json) => {
    expectError(ErrorCode.EVENT_PATTERN, () => eventTask(() => ({ trigger: EventTrigger.patternJson(json) })));
  });

  test.each([
    ['186 retries', { retryAttempts: 186 }],
    ['a max event age of 10 s', { maxEventAge: Duration.seconds(10) }],
    ['an event field that is not a JSON path', { eventFields: { KEY: 'detail.object.key' } }],
  ])('fails with %s', (_name, props) => {
    expectError(ErrorCode.EVENT_PATTERN, () => eventTask(() => props));
  });
});
