/**
 * The acknowledgements the library writes hold in the synthesized template, which is what auditors
 * and template-scanning CI tools read, and not only on the construct tree that cdk-nag walks: a
 * reference to another stack is `<LogicalId>` on the tree and `Fn::ImportValue` (or, with weak
 * references, `Fn::GetStackOutput`) in the template.
 * The integ apps in the compliance gate's variants are checked in test/compliance.test.ts (on the
 * apps it synthesizes anyway); this file checks the renderer itself and the variant the gate does
 * not build (environment-agnostic stacks with the workloads apart).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { templateFindings, unacknowledgedInTemplate } from './nag';
import { SCENARIOS } from '../integ/scenarios';
import { newDefaultsContext } from '../src/guardrails/changed-defaults';
import { NAG_ACKNOWLEDGEMENTS_CONTEXT } from '../src/private/nag-template';

/** An app whose templates an auditor reads without running cdk-nag: every pack's acknowledgements in them. */
const AUDITED = { ...newDefaultsContext(), [NAG_ACKNOWLEDGEMENTS_CONTEXT]: 'all' };

describe('findings rendered from the template alone', () => {
  const policy = (resource: unknown, cdkNag?: unknown) => ({
    Type: 'AWS::IAM::Policy',
    Metadata: cdkNag ? { cdk_nag: cdkNag } : undefined,
    Properties: {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 'ecs:TagResource', Resource: resource },
          { Effect: 'Deny', Action: 'ecs:*', Resource: '*' },
        ],
      },
    },
  });
  const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

  test('as cdk-nag renders template values: Ref, Fn::GetAtt, Fn::Join and Fn::ImportValue', () => {
    const template = {
      Resources: {
        Ref: policy(join('arn:', { Ref: 'AWS::Partition' }, ':ecs:eu-west-1:123456789012:task/', { Ref: 'Cluster' }, '/*')),
        GetAtt: policy(join({ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*')),
        Import: policy(join('arn:aws:ecs:eu-west-1:123456789012:task/', { 'Fn::ImportValue': 'Env:ExportsOutputRefCluster1234' }, '/*')),
        Exact: policy({ 'Fn::GetAtt': ['Bucket', 'Arn'] }),
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            ManagedPolicyArns: [join('arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole')],
            Policies: [{ PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['logs:*'], Resource: '*' }] } }],
          },
        },
      },
    };
    expect(templateFindings(template).map(f => `${f.logicalId} ${f.rule}[${f.finding}]`)).toEqual([
      'Ref AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:eu-west-1:123456789012:task/<Cluster>/*]',
      'GetAtt AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]',
      'Import AwsSolutions-IAM5[Resource::arn:aws:ecs:eu-west-1:123456789012:task/Env:ExportsOutputRefCluster1234/*]',
      'Role AwsSolutions-IAM5[Action::logs:*]',
      'Role AwsSolutions-IAM5[Resource::*]',
      'Role AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    ]);
  });

  test('an acknowledgement holds if an applies_to string or regex of the resource matches; the tree rendering does not', () => {
    const imported = join('arn:aws:ecs:eu-west-1:123456789012:task/', { 'Fn::ImportValue': 'Env:ExportsOutputRefCluster1234' }, '/*');
    const acknowledged = (appliesTo: unknown[]) => ({ rules_to_suppress: [{ id: 'AwsSolutions-IAM5', reason: 'A reason long enough.', applies_to: appliesTo }] });
    const template = {
      Resources: {
        TreeOnly: policy(imported, acknowledged(['Resource::arn:aws:ecs:eu-west-1:123456789012:task/<Cluster>/*'])),
        String: policy(imported, acknowledged(['Resource::arn:aws:ecs:eu-west-1:123456789012:task/Env:ExportsOutputRefCluster1234/*'])),
        Regex: policy(imported, acknowledged([{ regex: '/^Resource::arn:aws:ecs:eu-west-1:123456789012:task\\/[^/]+\\/\\*$/' }])),
        OtherRule: policy(imported, { rules_to_suppress: [{ id: 'AwsSolutions-IAM4', reason: 'A reason long enough.', applies_to: ['Resource::*'] }] }),
      },
    };
    expect(unacknowledgedInTemplate(template)).toEqual([
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:eu-west-1:123456789012:task/Env:ExportsOutputRefCluster1234/*] TreeOnly',
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:eu-west-1:123456789012:task/Env:ExportsOutputRefCluster1234/*] OtherRule',
    ]);
  });
});

describe('the integ apps in environment-agnostic stacks with the workloads apart', () => {
  // Exports (Fn::ImportValue), and the weak references `cdk init`'s flags now choose (Fn::GetStackOutput).
  const REFERENCES: Record<string, Record<string, string>> = { exports: {}, weak: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } };
  test.each(Object.keys(SCENARIOS).flatMap(name => Object.keys(REFERENCES).map(references => [name, references] as const)))(
    'every granular IAM finding in the %s app\'s templates (%s references) is acknowledged as the template renders it', (name, references) => {
      const context = { ...AUDITED, ...REFERENCES[references] };
      const app = new App({ context, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-nag-template-')) });
      SCENARIOS[name](app, { workloadsApart: true });
      const stacks = app.synth().stacks;
      expect(stacks.length).toBe(2);
      const unacknowledged = stacks.flatMap(s => unacknowledgedInTemplate(s.template).map(f => `${s.stackName} ${f}`));
      expect(unacknowledged).toEqual([]);
    });

  test('with weak references, the workloads read the environment\'s stack through Fn::GetStackOutput in acknowledged policies', () => {
    const context = { ...AUDITED, '@aws-cdk/core:defaultCrossStackReferences': 'weak' };
    const app = new App({ context, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-nag-template-')) });
    SCENARIOS['scheduled-job'](app, { workloadsApart: true });
    const workloads = app.synth().getStackByName('ShipyardIntegScheduledJobWorkloads').template;
    expect(templateFindings(workloads).filter(f => f.finding.includes('Fn::GetStackOutput')).length).toBeGreaterThan(0);
  });

  test('the variant references the environment\'s stack through Fn::ImportValue in acknowledged policies', () => {
    const app = new App({ context: AUDITED, outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-nag-template-')) });
    SCENARIOS['scheduled-job'](app, { workloadsApart: true });
    const workloads = app.synth().getStackByName('ShipyardIntegScheduledJobWorkloads').template;
    const imported = templateFindings(workloads).filter(f => f.finding.includes(':ExportsOutput'));
    expect(imported.length).toBeGreaterThan(0);
    expect(imported.every(f => f.finding.startsWith('Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/ShipyardIntegScheduledJob:'))).toBe(true);
  });
});
