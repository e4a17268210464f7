import { Duration, aws_sqs as sqs } from 'aws-cdk-lib';
import { Image, WorkerService, WorkQueue } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, productionEnvironment, resources, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');

describe('WorkQueue', () => {
  test('fails when an existing queue of this app has a visibility timeout below the processing time', () => {
    const stack = testStack();
    const queue = new sqs.Queue(stack, 'Jobs', { enforceSSL: true, visibilityTimeout: Duration.seconds(30) });
    expectError(ErrorCode.QUEUE, () => new WorkerService(stack, 'Worker', {
      environment: productionEnvironment(stack), image: IMAGE, processingTime: Duration.minutes(1), queue: WorkQueue.fromQueue(queue),
    }));
  });

  test('a delivery delay holds each new message back (Copilot\'s queue.delay), up to 15 minutes', () => {
    const stack = testStack();
    new WorkerService(stack, 'Worker', {
      environment: productionEnvironment(stack), image: IMAGE, queue: WorkQueue.newQueue({ deliveryDelay: Duration.minutes(2) }),
    });
    const [, queue] = resources(stack, 'AWS::SQS::Queue').find(([id]) => id.startsWith('WorkerQueue'))!;
    expect(queue.Properties.DelaySeconds).toBe(120);
    const [, dlq] = resources(stack, 'AWS::SQS::Queue').find(([id]) => id.startsWith('WorkerDeadLetterQueue'))!;
    expect(dlq.Properties.DelaySeconds).toBeUndefined();
    const other = testStack();
    expectError(ErrorCode.QUEUE, () => new WorkerService(other, 'Worker', {
      environment: productionEnvironment(other), image: IMAGE, queue: WorkQueue.newQueue({ deliveryDelay: Duration.minutes(16) }),
    }));
  });
});
