import { App, Aspects, Stack, aws_ecs as ecs, aws_iam as iam, aws_sqs as sqs } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { acknowledge, flattenCfnValue, inCompliancePacks, renderFinding } from '../../src/private/nag';
import { NAG_ACKNOWLEDGEMENTS_CONTEXT } from '../../src/private/nag-template';

/** An app that writes every pack's acknowledgements into the template, as auditors' tooling may ask. */
const allPacks = () => new App({ context: { [NAG_ACKNOWLEDGEMENTS_CONTEXT]: 'all' } });

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
    const app = allPacks();
    const stack = new Stack(app, 'Specific', { env: { account: '123456789012', region: 'eu-west-1' } });
    const queue = new sqs.Queue(stack, 'Queue');
    acknowledge(queue, [{ id: 'AwsSolutions-IAM5', reason: 'A reason long enough.', appliesTo: [ARN] }]);
    app.synth();
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
      const app = allPacks();
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
        const { app, policy, clusterId } = build(true, env);
        app.synth();
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
      const { app, policy, tasks } = build(true);
      acknowledge(policy, [{ id: 'AwsSolutions-IAM5', reason: 'A reason long enough.', appliesTo: ['Resource::*', `Resource::${tasks}`] }]);
      app.synth();
      expect(policy.getMetadata('cdk_nag').rules_to_suppress).toHaveLength(1);
    });
  });

  describe('in the template, the packs the app runs', () => {
    /** A queue in each of two stacks, each acknowledged for SQS3 in AwsSolutions and for a rule of the three compliance packs. */
    function build(context: Record<string, unknown> = {}) {
      const app = new App({ context });
      const queues = ['One', 'Two'].map(name => {
        const queue = new sqs.Queue(new Stack(app, name), 'Queue', { enforceSSL: true });
        acknowledge(queue, [
          { id: 'AwsSolutions-SQS3', reason: 'A dead-letter queue of its own is not needed here.' },
          ...inCompliancePacks('SQSQueueDLQ', 'A dead-letter queue of its own is not needed here.'),
        ]);
        return queue;
      });
      return { app, queues };
    }
    const written = (app: App, stack: string) => Object.values<any>(app.synth().getStackByName(stack).template.Resources)
      .flatMap(r => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((e: { id: string }) => e.id));
    const errors = (queue: sqs.Queue) => queue.node.findChild('Resource').node.metadata
      .filter(m => m.type === 'aws:cdk:error').map(m => String(m.data).split(':')[0]);

    test('none where it attaches no cdk-nag 2.x pack; the 3.x records are written all the same', () => {
      const { app, queues } = build();
      expect(written(app, 'One')).toEqual([]);
      const records = queues[0].node.findChild('Resource').node.metadata.filter(m => m.type.includes('acknowledged')).flatMap(m => Object.keys(m.data as object));
      expect(new Set(records.map(id => id.replace(/^annotation::/i, '')))).toEqual(new Set([
        'AwsSolutions-SQS3', 'NIST.800.53.R5-SQSQueueDLQ', 'HIPAA.Security-SQSQueueDLQ', 'PCI.DSS.321-SQSQueueDLQ',
      ]));
    });

    test('those of the packs attached to the app or to the stack, which then report nothing acknowledged', () => {
      const { app, queues } = build();
      Aspects.of(app).add(new AwsSolutionsChecks());
      Aspects.of(Stack.of(queues[0])).add(new NIST80053R5Checks());
      expect(written(app, 'One')).toEqual(['AwsSolutions-SQS3', 'NIST.800.53.R5-SQSQueueDLQ']);
      expect(written(app, 'Two')).toEqual(['AwsSolutions-SQS3']);
      for (const queue of queues) expect(errors(queue).filter(id => id.includes('SQS3') || id.includes('SQSQueueDLQ'))).toEqual([]);
    });

    test(`every pack's with the context ${NAG_ACKNOWLEDGEMENTS_CONTEXT}: all; another value fails with NAG_WIRING`, () => {
      expect(written(build({ [NAG_ACKNOWLEDGEMENTS_CONTEXT]: 'all' }).app, 'Two')).toEqual([
        'AwsSolutions-SQS3', 'NIST.800.53.R5-SQSQueueDLQ', 'HIPAA.Security-SQSQueueDLQ', 'PCI.DSS.321-SQSQueueDLQ',
      ]);
      expect(written(build({ [NAG_ACKNOWLEDGEMENTS_CONTEXT]: 'attached' }).app, 'Two')).toEqual([]);
      expect(() => build({ [NAG_ACKNOWLEDGEMENTS_CONTEXT]: 'some' }).app.synth())
        .toThrow(/\[cdk-shipyard:NAG_WIRING\].*One\/Queue\/Resource.*cdk-shipyard:nagAcknowledgements is "some".*"attached".*"all"/s);
    });
  });

  test('values are flattened as cdk-nag flattens them', () => {
    expect(flattenCfnValue({ 'Fn::Join': ['', ['a:', { Ref: 'X' }, ':', { 'Fn::GetAtt': ['Y', 'Arn'] }, ':', { 'Fn::ImportValue': 'S:E' }]] }))
      .toBe('a:<X>:<Y.Arn>:S:E');
    expect(flattenCfnValue({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::b/*' })).toBe('arn:<AWS::Partition>:s3:::b/*');
    expect(flattenCfnValue({ 'Fn::Select': [0, ['a']] })).toBe('{"Fn::Select":[0,["a"]]}');
  });
});
