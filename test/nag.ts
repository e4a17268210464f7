/**
 * Runs the four compliance packs over an app with cdk-nag 2.x (Aspects + Annotations)
 * and 3.x (`validateScope`, the route that works on aws-cdk-lib 2.257) and returns
 * every unacknowledged finding, as `<major> <rule> <path>` lines.
 */
import { App, Aspects, IAspect, Stage } from 'aws-cdk-lib';
import * as nag2 from 'cdk-nag';
// eslint-disable-next-line import/no-extraneous-dependencies
import * as nag3 from 'cdk-nag-v3';
import { IConstruct } from 'constructs';

export const PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** Findings of cdk-nag 2.x. Call on a fresh app, before anything else synthesizes it. */
export function nagV2Findings(app: App): string[] {
  const packs: IAspect[] = [
    new nag2.AwsSolutionsChecks(), new nag2.NIST80053R5Checks(), new nag2.HIPAASecurityChecks(), new nag2.PCIDSS321Checks(),
  ];
  for (const pack of packs) Aspects.of(app).add(pack);
  const assembly = app.synth({ force: true });
  const findings: string[] = [];
  for (const stack of assembly.stacks) {
    for (const type of ['aws:cdk:error', 'aws:cdk:warning']) {
      for (const entry of stack.findMetadataByType(type)) {
        const text = String(entry.data);
        const rule = [...PACKS, 'CdkNagValidationFailure'].map(p => text.match(new RegExp(`^(${p.replace(/\./g, '\\.')}(-[A-Za-z0-9]+)?(\\[[^\\]]*\\])?)`))).find(m => m);
        if (rule) findings.push(`v2 ${rule[1]} ${entry.path}`);
      }
    }
  }
  return findings.sort();
}

/** Findings of cdk-nag 3.x over every stage of the app. */
export function nagV3Findings(scope: IConstruct): string[] {
  const packs = [
    new nag3.AwsSolutionsChecks(), new nag3.NIST80053R5Checks(), new nag3.HIPAASecurityChecks(), new nag3.PCIDSS321Checks(),
  ];
  const findings: string[] = [];
  for (const pack of packs) {
    const report = pack.validateScope(scope);
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        findings.push(`v3 ${violation.ruleName} ${resource.constructPath}`);
      }
    }
  }
  return findings.sort();
}

/** Both majors' findings; the app is synthesized by the 2.x run. */
export function nagFindings(app: App): string[] {
  const v3 = nagV3Findings(app);
  const v2 = nagV2Findings(app);
  return [...v2, ...v3];
}

export function isStage(x: IConstruct): x is Stage {
  return Stage.isStage(x);
}

/**
 * cdk-nag 2.x renders a template value (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::ImportValue`)
 * into a finding with this function; the package index does not export it.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { flattenCfnReference } = require('cdk-nag/lib/utils/flatten-cfn-reference') as { flattenCfnReference: (value: unknown) => string };

/** A granular cdk-nag finding as a reader of the synthesized template alone computes it. */
export interface TemplateFinding {
  readonly logicalId: string;
  /** `AwsSolutions-IAM4` or `AwsSolutions-IAM5`. */
  readonly rule: string;
  /** e.g. `Resource::arn:<AWS::Partition>:ecs:eu-west-1:123456789012:task/Stack:ExportsOutputRefCluster.../*` */
  readonly finding: string;
}

const IAM_IDENTITIES = ['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group'];
const asArray = (value: unknown): unknown[] => value === undefined ? [] : Array.isArray(value) ? value : [value];

/** IAM5's findings in one policy document: wildcard actions and resources of its `Allow` statements. */
function wildcardFindings(document: any): string[] {
  const findings = new Set<string>();
  for (const statement of asArray(document?.Statement) as any[]) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of asArray(statement.Action) as string[]) if (action.includes('*')) findings.add(`Action::${action}`);
    for (const resource of asArray(statement.Resource).map(flattenCfnReference)) if (resource.includes('*')) findings.add(`Resource::${resource}`);
  }
  return [...findings];
}

/**
 * The granular findings of the AwsSolutions IAM rules in a synthesized template, rendered from the
 * template JSON alone as cdk-nag 2.x renders template values: IAM5 (wildcard actions and resources of
 * `Allow` statements in policies, managed policies and identities' inline policies) and IAM4 (AWS
 * managed policies attached to identities).
 */
export function templateFindings(template: any): TemplateFinding[] {
  const found: TemplateFinding[] = [];
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    const properties = resource.Properties ?? {};
    const documents = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(resource.Type) ? [properties.PolicyDocument]
      : IAM_IDENTITIES.includes(resource.Type) ? asArray(properties.Policies).map((p: any) => p.PolicyDocument) : [];
    for (const finding of new Set(documents.flatMap(wildcardFindings))) found.push({ logicalId, rule: 'AwsSolutions-IAM5', finding });
    if (!IAM_IDENTITIES.includes(resource.Type)) continue;
    for (const policy of asArray(properties.ManagedPolicyArns).map(flattenCfnReference)) {
      if (policy.includes(':iam::aws:')) found.push({ logicalId, rule: 'AwsSolutions-IAM4', finding: `Policy::${policy}` });
    }
  }
  return found;
}

/** Whether an `applies_to` entry (a string, or `{ regex: '/.../flags' }`) matches `finding`, as cdk-nag 2.x compares them. */
function appliesTo(entry: unknown, finding: string): boolean {
  if (typeof entry === 'string') return entry === finding;
  const m = String((entry as { regex?: string })?.regex).match(/\/(.*)\/(.*)?/);
  return m !== null && new RegExp(m[1], m[2] ?? '').test(finding);
}

/**
 * The template's granular IAM findings that no `applies_to` of the resource's (or the template's)
 * `Metadata.cdk_nag.rules_to_suppress` matches, as `<rule>[<finding>] <logicalId>` lines: what a
 * reader of the template alone (an auditor, a CI scanner) finds unacknowledged.
 */
export function unacknowledgedInTemplate(template: any): string[] {
  const stackRules: any[] = template.Metadata?.cdk_nag?.rules_to_suppress ?? [];
  return templateFindings(template).filter(({ logicalId, rule, finding }) => {
    const rules: any[] = [...template.Resources[logicalId].Metadata?.cdk_nag?.rules_to_suppress ?? [], ...stackRules];
    return !rules.some(r => r.id === rule && asArray(r.applies_to).some(e => appliesTo(e, finding)));
  }).map(({ logicalId, rule, finding }) => `${rule}[${finding}] ${logicalId}`);
}
