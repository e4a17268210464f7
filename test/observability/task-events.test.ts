import {
  Stack, Stage, aws_ec2 as ec2, aws_events as events, aws_events_targets as eventsTargets, aws_iam as iam, aws_kms as kms, aws_logs as logs,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Environment, EnvironmentProfile, EnvironmentProps, Network, WarningId } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, expectValidationError, productionEnvironment, resources, template, testApp, testStack } from '../fixtures';

function environment(props: EnvironmentProps = {}, withTopic = true): { stack: Stack; rules: Record<string, any> } {
  const stack = testStack();
  const alarmTopic = withTopic ? new sns.Topic(stack, 'Topic') : undefined;
  productionEnvironment(stack, { alarmTopic, ...props });
  const rules = Object.fromEntries(resources(stack, 'AWS::Events::Rule')
    .filter(([id]) => /^Env(HealthEvents|UnexpectedTaskStops)/.test(id))
    .map(([id, r]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Properties]));
  return { stack, rules };
}

describe('task events', () => {
  test('with an alarm topic: AWS Health scheduled changes for ECS and unexpected service task stops reach it, in words', () => {
    const { rules } = environment();
    expect(Object.keys(rules).sort()).toEqual(['EnvHealthEvents', 'EnvUnexpectedTaskStops']);
    const health = rules.EnvHealthEvents;
    expect(health.EventPattern).toEqual({
      'source': ['aws.health'], 'detail-type': ['AWS Health Event'], 'detail': { service: ['ECS'], eventTypeCategory: ['scheduledChange'] },
    });
    expect(health.Targets).toHaveLength(1);
    expect(health.Targets[0].Arn).toEqual({ Ref: expect.stringMatching(/^Topic/) });
    expect(health.Targets[0].InputTransformer.InputPathsMap).toEqual({
      'detail-eventTypeCode': '$.detail.eventTypeCode', 'detail-startTime': '$.detail.startTime', 'detail-affectedEntities': '$.detail.affectedEntities',
    });
    expect(health.Targets[0].InputTransformer.InputTemplate).toMatch(/force a new deployment/);

    const stops = rules.EnvUnexpectedTaskStops;
    expect(stops.EventPattern.detail).toEqual({
      clusterArn: [{ 'Fn::GetAtt': [expect.stringMatching(/^EnvCluster/), 'Arn'] }],
      lastStatus: ['STOPPED'],
      stopCode: ['EssentialContainerExited', 'TaskFailedToStart', 'InfrastructureHealth', 'TerminationNotice'],
      group: [{ prefix: 'service:' }],
    });
    expect(stops.Targets[0].InputTransformer.InputPathsMap).toEqual(expect.objectContaining({
      'detail-taskArn': '$.detail.taskArn', 'detail-stopCode': '$.detail.stopCode', 'detail-stoppedReason': '$.detail.stoppedReason',
    }));
  });

  test('Spot interruptions count when asked; either kind can be left out', () => {
    expect(environment({ taskEvents: { spotInterruptions: true } }).rules.EnvUnexpectedTaskStops.EventPattern.detail.stopCode).toContain('SpotInterruption');
    expect(Object.keys(environment({ taskEvents: { healthEvents: false } }).rules)).toEqual(['EnvUnexpectedTaskStops']);
    expect(Object.keys(environment({ taskEvents: { unexpectedStops: false } }).rules)).toEqual(['EnvHealthEvents']);
  });

  test('without an alarm topic there are none, and asking for them fails', () => {
    expect(environment({}, false).rules).toEqual({});
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => environment({ taskEvents: {} }, false));
  });
});

/** The environment's lifecycle-log resources: the rule, the log group and its resource policy (each the one of its kind named so). */
function lifecycle(stack: Stack): { rule: any; logGroup: [string, any]; policy: any } {
  const only = (type: string, prefix: string) => {
    const found = resources(stack, type).filter(([id]) => id.startsWith(prefix));
    expect(found).toHaveLength(1);
    return found[0];
  };
  return {
    rule: only('AWS::Events::Rule', 'EnvLifecycleEvents')[1],
    logGroup: only('AWS::Logs::LogGroup', 'EnvLifecycleLog'),
    policy: only('AWS::Logs::ResourcePolicy', 'EnvLifecycleLogPolicy')[1],
  };
}

/** The warnings `id` of the stack, as [construct path, message] (the app is synthesized once). */
function warningsOf(stack: Stack, id: WarningId): Array<[string, string]> {
  return Stage.of(stack)!.synth().getStackArtifact(stack.artifactId).findMetadataByType('aws:cdk:warning')
    .filter(w => String(w.data).includes(id)).map(w => [w.path.replace(/^\//, ''), String(w.data)]);
}

describe('task events: the lifecycle log', () => {
  test('one rule keeps the cluster\'s task state changes, service actions and deployment state changes in a retained log group', () => {
    const stack = testStack();
    productionEnvironment(stack, { taskEvents: { lifecycleLog: true }, logRetention: logs.RetentionDays.ONE_YEAR });
    const { rule, logGroup: [logGroupId, logGroup] } = lifecycle(stack);
    const cluster = { 'Fn::GetAtt': [expect.stringMatching(/^EnvCluster/), 'Arn'] };
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.ecs'],
      'detail-type': ['ECS Task State Change', 'ECS Service Action', 'ECS Deployment State Change'],
      // Deployment state changes carry no clusterArn: they name the service, under the cluster's name.
      '$or': [
        { detail: { clusterArn: [cluster] } },
        {
          resources: [{
            wildcard: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' },
                ':service/', { Ref: expect.stringMatching(/^EnvCluster/) }, '/*']],
            },
          }],
        },
      ],
    });
    expect(rule.Properties.Targets).toEqual([{
      Id: 'Target0',
      Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:', { Ref: logGroupId }]] },
    }]);
    expect(logGroup.Properties.RetentionInDays).toBe(365);
    expect(logGroup.Properties.KmsKeyId).toBeUndefined();
    expect(logGroup.DeletionPolicy).toBe('Retain');
    expect(logGroup.UpdateReplacePolicy).toBe('Retain');
  });

  test('EventBridge may write to that log group alone, by its resource policy, which exists before the rule', () => {
    const stack = testStack();
    productionEnvironment(stack, { taskEvents: { lifecycleLog: true } });
    const { rule, logGroup: [logGroupId], policy } = lifecycle(stack);
    const [head, arn, tail] = policy.Properties.PolicyDocument['Fn::Join'][1];
    expect(arn).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    expect(JSON.parse(`${head}ARN${tail}`)).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: 'ARN',
      }],
    });
    expect(rule.DependsOn).toEqual([expect.stringMatching(/^EnvLifecycleLogPolicy/)]);
  });

  test('the lifecycle log is encrypted with the environment\'s key, and its encryption finding is then not acknowledged', () => {
    const stack = testStack();
    const logEncryptionKey = new kms.Key(stack, 'LogKey');
    productionEnvironment(stack, { taskEvents: { lifecycleLog: true }, logEncryptionKey });
    const [, logGroup] = lifecycle(stack).logGroup;
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^LogKey/), 'Arn'] });
    expect(logGroup.Metadata?.cdk_nag).toBeUndefined();
    const plain = testStack();
    productionEnvironment(plain, { taskEvents: { lifecycleLog: true } });
    expect(lifecycle(plain).logGroup[1].Metadata.cdk_nag.rules_to_suppress.map((r: any) => r.id))
      .toEqual(['NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'HIPAA.Security-CloudWatchLogGroupEncrypted', 'PCI.DSS.321-CloudWatchLogGroupEncrypted']);
  });

  test.each([EnvironmentProfile.PRODUCTION, EnvironmentProfile.DEVELOPMENT])('is off by default (%s): no log group, rule or resource policy', (profile) => {
    const stack = testStack();
    const platform = productionEnvironment(stack, { profile, alarmTopic: new sns.Topic(stack, 'Topic') });
    expect(platform.lifecycleLogGroup).toBeUndefined();
    expect(resources(stack, 'AWS::Logs::ResourcePolicy')).toEqual([]);
    expect(resources(stack, 'AWS::Events::Rule').map(([id]) => id).filter(id => id.startsWith('EnvLifecycle'))).toEqual([]);
  });

  test('lifecycleLog needs no alarm topic, and joins the topic\'s rules when there is one', () => {
    const alone = testStack();
    const quiet = productionEnvironment(alone, { taskEvents: { lifecycleLog: true } });
    expect(quiet.taskEventRules.map(r => r.node.id)).toEqual(['LifecycleEvents']);
    expect(quiet.lifecycleLogGroup).toBeDefined();
    const withTopic = testStack();
    const loud = productionEnvironment(withTopic, { alarmTopic: new sns.Topic(withTopic, 'Topic'), taskEvents: { lifecycleLog: true } });
    expect(loud.taskEventRules.map(r => r.node.id)).toEqual(['HealthEvents', 'UnexpectedTaskStops', 'LifecycleEvents']);
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => productionEnvironment(testStack(), { taskEvents: { lifecycleLog: true, healthEvents: true } }));
  });

  test('lifecycleLog adds no Lambda function: a stack with only the environment has none, nor aws-cdk-lib\'s log policy custom resource', () => {
    const app = testApp();
    const vpc = new ec2.Vpc(new Stack(app, 'Network'), 'Vpc', { maxAzs: 2 });
    const stack = new Stack(app, 'Platform');
    new Environment(stack, 'Env', {
      profile: EnvironmentProfile.DEVELOPMENT,
      sharedLoadBalancer: false,
      network: Network.fromVpc(vpc),
      taskEvents: { lifecycleLog: true },
    });
    const synthesized = template(stack);
    synthesized.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    synthesized.resourceCountIs('AWS::Lambda::Function', 0);
    synthesized.resourceCountIs('Custom::CloudwatchLogResourcePolicy', 0);
    synthesized.resourceCountIs('AWS::IAM::Role', 0);
  });
});

describe('task events: the lifecycle log and the 10 CloudWatch Logs resource policies of an account and Region', () => {
  const ACCOUNT = { account: '111111111111', region: 'eu-west-1' };

  /** An environment with lifecycleLog in `stack`, beside `others` more resource policies in the same account and Region. */
  function crowded(others: number, env: { account?: string; region?: string } = ACCOUNT): Stack {
    const app = testApp();
    const stack = new Stack(app, 'Test', { env });
    productionEnvironment(stack, { taskEvents: { lifecycleLog: true } });
    const policies = (scope: Stack, count: number) => {
      for (let i = 0; i < count; i++) {
        new logs.ResourcePolicy(scope, `Policy${i}`, {
          policyStatements: [new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('route53.amazonaws.com')], actions: ['logs:PutLogEvents'], resources: [`arn:aws:logs:*:*:log-group:/q${i}:*`],
          })],
        });
      }
    };
    policies(new Stack(app, 'Elsewhere', { env }), others);
    // Policies in another Region take from another quota.
    policies(new Stack(app, 'OtherRegion', { env: { ...ACCOUNT, region: 'us-east-1' } }), 5);
    return stack;
  }

  test('warns with WarningId.LOG_RESOURCE_POLICY_QUOTA when lifecycleLog makes the app\'s policies in one account and Region pass 8 (80% of 10)', () => {
    expect(warningsOf(crowded(7), WarningId.LOG_RESOURCE_POLICY_QUOTA)).toEqual([]);
    expect(warningsOf(crowded(8), WarningId.LOG_RESOURCE_POLICY_QUOTA)).toEqual([['Test/Env', expect.stringMatching(
      /the app puts 9 CloudWatch Logs resource policies into account 111111111111, Region eu-west-1; CloudWatch Logs takes 10 per account and Region/)]]);
  });

  test('counts aws-cdk-lib\'s CloudWatchLogGroup target, whose custom resource puts a resource policy too', () => {
    const stack = crowded(7);
    const target = new logs.LogGroup(stack, 'Target');
    new events.Rule(stack, 'Rule', { eventPattern: { source: ['my.app'] }, targets: [new eventsTargets.CloudWatchLogGroup(target)] });
    expect(warningsOf(stack, WarningId.LOG_RESOURCE_POLICY_QUOTA)).toEqual([['Test/Env', expect.stringMatching(/puts 9 CloudWatch Logs resource policies/)]]);
  });

  test('fails with ErrorCode.LOG_RESOURCE_POLICY_QUOTA when lifecycleLog takes the app past 10 in a known account and Region; an environment-agnostic app only warns', () => {
    expect(warningsOf(crowded(9), WarningId.LOG_RESOURCE_POLICY_QUOTA)).toHaveLength(1);
    expectValidationError(crowded(10), ErrorCode.LOG_RESOURCE_POLICY_QUOTA,
      /the app puts 11 CloudWatch Logs resource policies into account 111111111111, Region eu-west-1; CloudWatch Logs takes at most 10 there/);
    expect(warningsOf(crowded(10, {}), WarningId.LOG_RESOURCE_POLICY_QUOTA)).toEqual([['Test/Env', expect.stringMatching(
      /puts 11 CloudWatch Logs resource policies into account \(a value known only at deploy time\), Region \(a value known only at deploy time\)/)]]);
  });
});
