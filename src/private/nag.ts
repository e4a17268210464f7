import { CfnResource, Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TemplateEntry, writeInTemplate } from './nag-template';

/** One cdk-nag finding the library acknowledges, with the reason auditors read. */
export interface Acknowledgement {
  /** Rule id, e.g. `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why the finding is acceptable (at least 10 characters, as cdk-nag 2.x demands). */
  readonly reason: string;
  /**
   * Granular findings, e.g. `Resource::*`; omit for rules without findings. A finding on a
   * resource the policy references is written with the very value the policy states, tokens and
   * all (`Resource::${arn}`): see `renderFinding`.
   */
  readonly appliesTo?: string[];
}

/**
 * Acknowledge cdk-nag findings on exactly one CloudFormation resource, in a way both
 * cdk-nag majors honour:
 * - 2.x reads `Metadata.cdk_nag.rules_to_suppress` on the resource (the same shape
 *   `NagSuppressions.addResourceSuppressions` writes), written as the app synthesizes for the
 *   packs it attaches (or every pack's with the context `cdk-shipyard:nagAcknowledgements: all`),
 *   so the template carries the reasons of the checks that ran (ADR 17);
 * - 3.x reads `Validations.of(construct).acknowledge(...)` records, one per finding, which the
 *   cloud assembly keeps beside the template (every pack's: 3.x runs after synth).
 *
 * cdk-nag itself is not a dependency of the library: both formats are written here.
 */
export function acknowledge(resource: IConstruct, rules: Acknowledgement[]): void {
  const cfn = toCfnResource(resource);
  const entries: TemplateEntry[] = [];
  for (const rule of rules) {
    const entry: TemplateEntry = { id: rule.id, reason: rule.reason };
    const appliesTo = rule.appliesTo?.map(finding => renderFinding(cfn, finding));
    // cdk-nag reads the tree renderings; a finding with tokens may render otherwise in the template.
    if (appliesTo) entry.applies_to = [...appliesTo, ...rule.appliesTo!.filter(f => Token.isUnresolved(f)).map(f => templateRendering(cfn, f))];
    entries.push(entry);
    const v3Ids = appliesTo ? appliesTo.map(f => `${rule.id}[${f}]`) : [rule.id];
    for (const id of v3Ids) recordAcknowledgement(cfn, id, rule.reason);
  }
  writeInTemplate(cfn, entries);
}

/**
 * A finding as cdk-nag renders it on `resource` while it walks the construct tree; both majors
 * compare findings as exact strings.
 *
 * A finding with tokens (`Resource::${stack.formatArn(...)}`, the value the policy states) is
 * resolved in the resource's stack and flattened the way cdk-nag flattens policy values:
 * `<LogicalId>` for a `Ref`, `<LogicalId.Arn>` for a `Fn::GetAtt`, the literal region and account
 * of an environment-specific stack. On the tree a reference to another stack is still a `Ref`;
 * the template renders it as `Fn::ImportValue` (see `templateRendering`).
 *
 * A literal finding is written with the pseudo parameters (`<AWS::Region>`, `<AWS::AccountId>`),
 * as ARNs render in an environment-agnostic stack; in an environment-specific stack
 * (`env: { account, region }`) aws-cdk-lib writes the literal region and account instead, and so
 * does the finding.
 */
export function renderFinding(resource: IConstruct, finding: string): string {
  const stack = Stack.of(resource);
  if (Token.isUnresolved(finding)) return flattenCfnValue(stack.resolve(finding));
  let rendered = finding;
  if (!Token.isUnresolved(stack.region)) rendered = rendered.split('<AWS::Region>').join(stack.region);
  if (!Token.isUnresolved(stack.account)) rendered = rendered.split('<AWS::AccountId>').join(stack.account);
  return rendered;
}

const TEMPLATE_RENDERINGS = new WeakMap<CfnResource, Map<string, string>>();

/**
 * The finding with tokens as the synthesized template renders it, where it differs from the tree
 * (`renderFinding`): a reference to a resource of another stack is `Fn::ImportValue` of the
 * export aws-cdk-lib creates when it prepares the app, after cdk-nag 2.x has walked the tree, and
 * a template reader (an auditor, a CI scanner) flattens it to the export's name. The export is
 * known only then, so the rendering is a lazy string: on the tree it matches nothing (cdk-nag reads
 * the literal tree rendering beside it), and where both renderings agree it is left out.
 */
function templateRendering(cfn: CfnResource, finding: string): string {
  const tree = renderFinding(cfn, finding);
  const renderings = TEMPLATE_RENDERINGS.get(cfn) ?? new Map<string, string>();
  TEMPLATE_RENDERINGS.set(cfn, renderings);
  const existing = renderings.get(tree);
  if (existing) return existing;
  const lazy = Lazy.string({
    produce: () => {
      const rendered = flattenCfnValue(Stack.of(cfn).resolve(finding));
      return rendered === tree ? undefined : rendered;
    },
  });
  renderings.set(tree, lazy);
  return lazy;
}

/**
 * A CloudFormation value flattened into a finding as cdk-nag (2.x and 3.x) flattens policy values
 * (its `flattenCfnReference`): `Ref` as `<Id>`, `Fn::GetAtt` as `<Id.Attribute>`, `Fn::Join`
 * joined, `Fn::Sub` and plain strings with `${...}` as `<...>`, `Fn::ImportValue` as the export name.
 */
export function flattenCfnValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const v = value as Record<string, any>;
  if (v['Fn::Join']) {
    const [delimiter, items] = v['Fn::Join'] as [string, unknown[]];
    return items.map(flattenCfnValue).join(delimiter);
  }
  if (v['Fn::Sub']) return flattenCfnValue(v['Fn::Sub']);
  if (v['Fn::GetAtt']) {
    const [id, attribute] = v['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenCfnValue(id)}.${flattenCfnValue(attribute)}>`;
  }
  if (v['Fn::ImportValue']) return flattenCfnValue(v['Fn::ImportValue']);
  if (v.Ref) return `<${flattenCfnValue(v.Ref)}>`;
  return JSON.stringify(value);
}

/**
 * `Validations.acknowledge` reserves `::` as a prefix delimiter, and finding ids such as
 * `Resource::*` contain it; ids with a single `::` pass through unchanged, others are
 * recorded directly under the documented metadata key.
 */
function recordAcknowledgement(cfn: CfnResource, id: string, reason: string): void {
  if (id.split('::').length <= 2) {
    Validations.of(cfn).acknowledge({ id, reason });
    return;
  }
  const key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  const previous = cfn.node.metadata.filter(m => m.type === key).pop()?.data ?? {};
  cfn.node.addMetadata(key, { ...previous, [id]: reason });
}

function toCfnResource(scope: IConstruct): CfnResource {
  if (CfnResource.isCfnResource(scope)) return scope;
  const child = scope.node.defaultChild;
  if (child && CfnResource.isCfnResource(child)) return child;
  throw new Error(`cdk-shipyard internal error: ${scope.node.path} has no CloudFormation resource to acknowledge findings on`);
}

/**
 * Acknowledge findings on the singleton custom-resource provider that aws-cdk-lib adds
 * to a stack (e.g. the VPC default-security-group restrictor), if it exists.
 */
export function acknowledgeProvider(scope: IConstruct, providerId: string, handler: Acknowledgement[], role: Acknowledgement[]): void {
  const provider = Stack.of(scope).node.tryFindChild(providerId);
  if (!provider) return;
  const handlerResource = provider.node.tryFindChild('Handler');
  const roleResource = provider.node.tryFindChild('Role');
  if (handlerResource) acknowledge(handlerResource, handler);
  if (roleResource) acknowledge(roleResource, role);
}

/** One acknowledgement of `rule` in each of the NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs. */
export function inCompliancePacks(rule: string, reason: string): Acknowledgement[] {
  return ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map(pack => ({ id: `${pack}-${rule}`, reason }));
}

/**
 * aws-cdk-lib writes grants into one inline policy per role; acknowledge the packs that
 * ask for managed policies instead.
 */
export function acknowledgeInlinePolicy(policy: IConstruct): void {
  const reason = 'aws-cdk-lib grants: this one role\'s policy, scoped to the resources it uses; a managed one would not restrict more.';
  acknowledge(policy, inCompliancePacks('IAMNoInlinePolicy', reason));
}
