import { CfnResource, Stack, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One cdk-nag finding the library acknowledges, with the reason auditors read. */
export interface Acknowledgement {
  /** Rule id, e.g. `AwsSolutions-IAM5`. */
  readonly id: string;
  /** Why the finding is acceptable (at least 10 characters, as cdk-nag 2.x demands). */
  readonly reason: string;
  /** Granular findings, e.g. `Resource::*`; omit for rules without findings. */
  readonly appliesTo?: string[];
}

/**
 * Acknowledge cdk-nag findings on exactly one CloudFormation resource, in a way both
 * cdk-nag majors honour:
 * - 2.x reads `Metadata.cdk_nag.rules_to_suppress` on the resource (the same shape
 *   `NagSuppressions.addResourceSuppressions` writes), which also puts every reason
 *   in the synthesized template where auditors read it;
 * - 3.x reads `Validations.of(construct).acknowledge(...)` records, one per finding.
 *
 * cdk-nag itself is not a dependency of the library: both formats are written here.
 */
export function acknowledge(resource: IConstruct, rules: Acknowledgement[]): void {
  const cfn = toCfnResource(resource);
  const existing = (cfn.getMetadata('cdk_nag')?.rules_to_suppress ?? []) as Array<Record<string, unknown>>;
  const merged = [...existing];
  for (const rule of rules) {
    const entry: Record<string, unknown> = { id: rule.id, reason: rule.reason };
    const appliesTo = rule.appliesTo?.map(finding => renderFinding(cfn, finding));
    if (appliesTo) entry.applies_to = appliesTo;
    if (!merged.some(e => JSON.stringify(e) === JSON.stringify(entry))) merged.push(entry);
    const v3Ids = appliesTo ? appliesTo.map(f => `${rule.id}[${f}]`) : [rule.id];
    for (const id of v3Ids) recordAcknowledgement(cfn, id, rule.reason);
  }
  cfn.addMetadata('cdk_nag', { rules_to_suppress: merged });
}

/**
 * A finding as cdk-nag renders it on `resource`. Findings are written with the pseudo
 * parameters (`<AWS::Region>`, `<AWS::AccountId>`), as ARNs render in an
 * environment-agnostic stack; in an environment-specific stack (`env: { account, region }`)
 * aws-cdk-lib writes the literal region and account instead, and so must the finding, since
 * both cdk-nag majors compare findings as exact strings.
 */
export function renderFinding(resource: IConstruct, finding: string): string {
  const stack = Stack.of(resource);
  let rendered = finding;
  if (!Token.isUnresolved(stack.region)) rendered = rendered.split('<AWS::Region>').join(stack.region);
  if (!Token.isUnresolved(stack.account)) rendered = rendered.split('<AWS::AccountId>').join(stack.account);
  return rendered;
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
  const reason = 'aws-cdk-lib grants write a policy attached to this one role and scoped to the resources it uses; a managed policy would allow reuse, not restrict more.';
  acknowledge(policy, inCompliancePacks('IAMNoInlinePolicy', reason));
}
