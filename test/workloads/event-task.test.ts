import { Duration, Stack, aws_ec2 as ec2, aws_ecs as ecs, aws_s3 as s3 } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AutoScalingCapacity, Capacity, Environment, EnvironmentProfile, EventTask, EventTaskProps, EventTrigger, Image } from '../../src';
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
          // The environment's default capacity (production: on-demand Fargate), not a launch type.
          LaunchType: Match.absent(),
          CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
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

  test('runs on the capacity given: Fargate Spot, or EC2 instances with their placement', () => {
    const { stack } = eventTask(() => ({ capacity: Capacity.fargateSpot() }));
    template(stack).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ EcsParameters: Match.objectLike({ LaunchType: Match.absent(), CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] }) })],
    });

    const ec2Stack = testStack();
    const environment = productionEnvironment(ec2Stack);
    const instances = new AutoScalingCapacity(ec2Stack, 'Instances', { environment, instanceTypes: [new ec2.InstanceType('t4g.small')] });
    new EventTask(ec2Stack, 'OnInstances', {
      environment, image: IMAGE, trigger: EventTrigger.pattern({ source: ['my.app'] }), capacity: Capacity.ec2(instances),
    });
    const [, rule] = resources(ec2Stack, 'AWS::Events::Rule').find(([id]) => id.startsWith('OnInstances'))!;
    const parameters = rule.Properties.Targets[0].EcsParameters;
    expect(parameters.LaunchType).toBeUndefined();
    expect(parameters.CapacityProviderStrategy).toEqual([{ CapacityProvider: expect.anything(), Weight: 1 }]);
    expect(parameters.PlacementStrategies).toEqual(expect.arrayContaining([expect.objectContaining({ Type: expect.any(String) })]));
    const [, task] = resources(ec2Stack, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith('OnInstances'))!;
    expect(task.Properties.RequiresCompatibilities).toEqual(['EC2']);
  });

  test('a development environment runs event tasks on its Fargate Spot mix, like its services', () => {
    const stack = testStack();
    const environment = new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
    new EventTask(stack, 'Task', { environment, image: IMAGE, trigger: EventTrigger.pattern({ source: ['my.app'] }) });
    template(stack).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        EcsParameters: Match.objectLike({
          CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Base: 1, Weight: 0 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
        }),
      })],
    });
  });

  test('fails when the capacity is ECS Anywhere, or the network mode is bridge on Fargate', () => {
    expectError(ErrorCode.PLATFORM, () => eventTask(() => ({ networkMode: ecs.NetworkMode.BRIDGE })));
    const stack = testStack();
    const environment = new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT, externalInstances: true });
    expectError(ErrorCode.PLATFORM, () => new EventTask(stack, 'Task', {
      environment, image: IMAGE, trigger: EventTrigger.pattern({ source: ['my.app'] }), capacity: Capacity.external(environment.externalInstances!),
    }));
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
