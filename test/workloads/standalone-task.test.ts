import { Duration, aws_ecs as ecs, aws_s3 as s3 } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Capacity, Image, JobSchedule, NetworkService, ScheduledJob } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, policyStatements, productionEnvironment, template, testStack, ec2Environment } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');


describe('tasks started without a service (ScheduledJob, EventTask)', () => {
  test('a scheduled job gets the exec channel, the session key, log group and bucket', () => {
    const stack = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Audit', 'exec-audit');
    const environment = productionEnvironment(stack, { exec: { bucket, bucketPrefix: 'jobs/' } });
    new ScheduledJob(stack, 'Job', { environment, image: IMAGE, schedule: JobSchedule.rate(Duration.hours(1)), enableExec: true });
    const statements = policyStatements(stack, 'JobTaskDefinitionTaskRole');
    const actions = statements.flatMap(s => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining([
      'ssmmessages:CreateControlChannel', 'kms:Decrypt', 'logs:PutLogEvents', 's3:GetEncryptionConfiguration', 's3:PutObject',
    ]));
    expect(JSON.stringify(statements)).toContain('exec-audit/jobs/*');
    template(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ EcsParameters: Match.objectLike({ EnableExecuteCommand: true }) }),
    });
  });

  test('a scheduled job on EC2 runs with the capacity\'s placement', () => {
    const { stack, environment, instances } = ec2Environment();
    new ScheduledJob(stack, 'Job', {
      environment,
      image: IMAGE,
      schedule: JobSchedule.cron('0 3 * * ? *'),
      capacity: Capacity.ec2(instances, { placementConstraints: [ecs.PlacementConstraint.memberOf('attribute:ecs.instance-type =~ m7g.*')] }),
    });
    template(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        EcsParameters: Match.objectLike({
          PlacementStrategy: [{ Type: 'spread', Field: 'attribute:ecs.availability-zone' }, { Type: 'binpack', Field: 'MEMORY' }],
          PlacementConstraints: [{ Type: 'memberOf', Expression: 'attribute:ecs.instance-type =~ m7g.*' }],
        }),
      }),
    });
  });

  test('fails when a scheduled job or a network service asks for bridge mode', () => {
    const { stack, environment, instances } = ec2Environment();
    expectError(ErrorCode.PLATFORM, () => new ScheduledJob(stack, 'Job', {
      environment, image: IMAGE, schedule: JobSchedule.cron('0 3 * * ? *'), networkMode: ecs.NetworkMode.BRIDGE, capacity: Capacity.ec2(instances),
    }));
    expectError(ErrorCode.PLATFORM, () => new NetworkService(stack, 'Nlb', {
      environment, image: IMAGE, networkMode: ecs.NetworkMode.BRIDGE, capacity: Capacity.ec2(instances),
    }));
  });
});
