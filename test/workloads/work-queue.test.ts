import { Duration, aws_sqs as sqs } from 'aws-cdk-lib';
import { Image, WorkerService, WorkQueue } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, productionEnvironment, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');

describe('WorkQueue', () => {
  test('fails when an existing queue of this app has a visibility timeout below the processing time', () => {
    const stack = testStack();
    const queue = new sqs.Queue(stack, 'Jobs', { enforceSSL: true, visibilityTimeout: Duration.seconds(30) });
    expectError(ErrorCode.QUEUE, () => new WorkerService(stack, 'Worker', {
      environment: productionEnvironment(stack), image: IMAGE, processingTime: Duration.minutes(1), queue: WorkQueue.fromQueue(queue),
    }));
  });
});
