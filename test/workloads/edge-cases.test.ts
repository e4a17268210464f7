/** Options and failures the per-workload suites do not reach. */
import { Duration, aws_ecs as ecs, aws_s3 as s3, aws_sqs as sqs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  BackendService, Deployment, Image, JobSchedule, NetworkService, Scaling, ScheduledJob, TestTraffic, WebService, WorkerService, WorkQueue,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, hasWarning, policyStatements, productionEnvironment, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');

describe('ECS Exec for tasks started without a service', () => {
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

  test('warns when exec meets dropped capabilities', () => {
    const stack = testStack();
    new WebService(stack, 'Web', {
      environment: productionEnvironment(stack), image: IMAGE, enableExec: true, linuxSettings: { dropCapabilities: [ecs.Capability.ALL] },
    });
    expect(hasWarning(stack, 'cdk-shipyard:exec-dropped-capabilities')).toBe(true);
  });
});

describe('edge cases', () => {
  test('fails with a sidecar name ECS does not accept', () => {
    const stack = testStack();
    expectError(ErrorCode.CONTAINERS, () => new WebService(stack, 'Web', {
      environment: productionEnvironment(stack), image: IMAGE, sidecars: [{ name: 'proxy sidecar', image: IMAGE }],
    }));
  });

  test('a client-only backend accepts no connections; backends connect to backends', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const caller = new BackendService(stack, 'Caller', { environment, image: IMAGE, serviceConnect: { clientOnly: true } });
    const orders = new BackendService(stack, 'Orders', { environment, image: IMAGE });
    expectError(ErrorCode.SERVICE_CONNECT, () => caller.allowFrom(orders));
    caller.connectTo(orders);
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CallerSecurityGroup'), 'GroupId'] },
    });
  });

  test('fails when an existing queue of this app has a visibility timeout below the processing time', () => {
    const stack = testStack();
    const queue = new sqs.Queue(stack, 'Jobs', { enforceSSL: true, visibilityTimeout: Duration.seconds(30) });
    expectError(ErrorCode.QUEUE, () => new WorkerService(stack, 'Worker', {
      environment: productionEnvironment(stack), image: IMAGE, processingTime: Duration.minutes(1), queue: WorkQueue.fromQueue(queue),
    }));
  });

  test('fails when test traffic is asked for without a test listener port on an NLB service', () => {
    const stack = testStack();
    expectError(ErrorCode.DEPLOYMENT, () => new NetworkService(stack, 'Nlb', {
      environment: productionEnvironment(stack), image: IMAGE, deployment: Deployment.blueGreen({ testTraffic: TestTraffic.testListener() }),
    }));
  });

  test('a network service scales on memory', () => {
    const stack = testStack();
    new NetworkService(stack, 'Nlb', { environment: productionEnvironment(stack), image: IMAGE, scaling: { minCapacity: 2, maxCapacity: 4, targets: [Scaling.memory(70)] } });
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' }, TargetValue: 70,
      }),
    });
  });

});
