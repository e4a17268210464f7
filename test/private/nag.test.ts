import { App, Stack, aws_sqs as sqs } from 'aws-cdk-lib';
import { acknowledge, renderFinding } from '../../src/private/nag';

const ARN = 'Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<Cluster>/*';

describe('acknowledgements', () => {
  test('a finding keeps the pseudo parameters in an environment-agnostic stack', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expect(renderFinding(stack, ARN)).toBe(ARN);
  });

  test('a finding names the literal region and account in an environment-specific stack, as its ARNs do', () => {
    const stack = new Stack(new App(), 'Specific', { env: { account: '123456789012', region: 'eu-west-1' } });
    expect(renderFinding(stack, ARN)).toBe('Resource::arn:<AWS::Partition>:ecs:eu-west-1:123456789012:task/<Cluster>/*');
  });

  test('the rendered finding is what both majors read: template metadata (2.x) and Validations records (3.x)', () => {
    const stack = new Stack(new App(), 'Specific', { env: { account: '123456789012', region: 'eu-west-1' } });
    const queue = new sqs.Queue(stack, 'Queue');
    acknowledge(queue, [{ id: 'AwsSolutions-IAM5', reason: 'A reason long enough.', appliesTo: [ARN] }]);
    const cfn = queue.node.defaultChild as sqs.CfnQueue;
    const rendered = 'Resource::arn:<AWS::Partition>:ecs:eu-west-1:123456789012:task/<Cluster>/*';
    expect(cfn.getMetadata('cdk_nag').rules_to_suppress).toEqual([{ id: 'AwsSolutions-IAM5', reason: 'A reason long enough.', applies_to: [rendered] }]);
    const records = cfn.node.metadata.filter(m => m.type.includes('acknowledged')).map(m => Object.keys(m.data as object)).flat();
    expect(records.some(id => id.endsWith(`AwsSolutions-IAM5[${rendered}]`))).toBe(true);
  });
});
