import { App, Stack, aws_ecs as ecs, aws_iam as iam, aws_sqs as sqs } from 'aws-cdk-lib';
import { acknowledge, flattenCfnValue, renderFinding } from '../../src/private/nag';

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

  describe('a finding written with the tokens its policy states', () => {
    const SPECIFIC = { account: '123456789012', region: 'eu-west-1' };

    /** A cluster in `home`, and a role in `user`'s stack with the policy `Resource::${tasks}` finds, acknowledged. */
    function build(apart: boolean, env?: typeof SPECIFIC) {
      const app = new App();
      const home = new Stack(app, 'Home', { env });
      const user = apart ? new Stack(app, 'User', { env }) : home;
      const cluster = new ecs.Cluster(home, 'Cluster');
      const role = new iam.Role(user, 'Role', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
      const tasks = user.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` });
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:TagResource'], resources: [tasks] }));
      const policy = role.node.findChild('DefaultPolicy').node.defaultChild as iam.CfnPolicy;
      acknowledge(policy, [{ id: 'AwsSolutions-IAM5', reason: 'A reason long enough.', appliesTo: ['Resource::*', `Resource::${tasks}`] }]);
      const clusterId = home.getLogicalId(cluster.node.defaultChild as ecs.CfnCluster);
      return { app, policy, clusterId, tasks };
    }

    const appliesTo = (template: any) => Object.values<any>(template.Resources).find(r => r.Type === 'AWS::IAM::Policy')
      .Metadata.cdk_nag.rules_to_suppress[0].applies_to;

    test('is rendered on the tree as cdk-nag renders the policy value: <LogicalId>, literal region and account where the stack has them', () => {
      for (const env of [undefined, SPECIFIC]) {
        const { policy, clusterId } = build(true, env);
        const where = env ? 'eu-west-1:123456789012' : '<AWS::Region>:<AWS::AccountId>';
        const tree = `Resource::arn:<AWS::Partition>:ecs:${where}:task/<${clusterId}>/*`;
        expect(policy.getMetadata('cdk_nag').rules_to_suppress[0].applies_to.slice(0, 2)).toEqual(['Resource::*', tree]);
        const records = policy.node.metadata.filter(m => m.type.includes('acknowledged')).flatMap(m => Object.keys(m.data as object));
        // 3.x reads the tree only: it is told the tree rendering, and nothing unresolved.
        expect([...new Set(records.filter(id => id.includes('AwsSolutions-IAM5[')))].sort())
          .toEqual(['AwsSolutions-IAM5[Resource::*]', `AwsSolutions-IAM5[${tree}]`]);
      }
    });

    test('the template holds the tree rendering and, for a reference to another stack, the Fn::ImportValue rendering', () => {
      for (const env of [undefined, SPECIFIC]) {
        const { app, clusterId } = build(true, env);
        const where = env ? 'eu-west-1:123456789012' : '<AWS::Region>:<AWS::AccountId>';
        const template = app.synth().getStackByName('User').template;
        expect(JSON.stringify(template)).toContain('"Fn::ImportValue":"Home:ExportsOutputRef');
        expect(appliesTo(template)).toEqual([
          'Resource::*',
          `Resource::arn:<AWS::Partition>:ecs:${where}:task/<${clusterId}>/*`,
          expect.stringMatching(new RegExp(`^Resource::arn:<AWS::Partition>:ecs:${where}:task/Home:ExportsOutputRef${clusterId}[0-9A-F]{8}/\\*$`)),
        ]);
      }
    });

    test('in the stack of what it references, the template holds the one rendering', () => {
      const { app, clusterId } = build(false, SPECIFIC);
      expect(appliesTo(app.synth().getStackByName('Home').template))
        .toEqual(['Resource::*', `Resource::arn:<AWS::Partition>:ecs:eu-west-1:123456789012:task/<${clusterId}>/*`]);
    });

    test('acknowledging it twice writes one entry', () => {
      const { policy, tasks } = build(true);
      const entry = policy.getMetadata('cdk_nag').rules_to_suppress[0];
      acknowledge(policy, [{ id: 'AwsSolutions-IAM5', reason: 'A reason long enough.', appliesTo: ['Resource::*', `Resource::${tasks}`] }]);
      expect(policy.getMetadata('cdk_nag').rules_to_suppress).toEqual([entry]);
    });
  });

  test('values are flattened as cdk-nag flattens them', () => {
    expect(flattenCfnValue({ 'Fn::Join': ['', ['a:', { Ref: 'X' }, ':', { 'Fn::GetAtt': ['Y', 'Arn'] }, ':', { 'Fn::ImportValue': 'S:E' }]] }))
      .toBe('a:<X>:<Y.Arn>:S:E');
    expect(flattenCfnValue({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::b/*' })).toBe('arn:<AWS::Partition>:s3:::b/*');
    expect(flattenCfnValue({ 'Fn::Select': [0, ['a']] })).toBe('{"Fn::Select":[0,["a"]]}');
  });
});
