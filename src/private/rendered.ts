import { CfnResource, Stack } from 'aws-cdk-lib';

/**
 * A resource's properties as the template will hold them: property overrides and deletions
 * applied (`addPropertyOverride`, `addOverride`), tokens resolved. Guardrails that protect the
 * template read these, so an escape hatch cannot slip past a check the L1 property would fail.
 * Call it at synthesis (from `node.addValidation`), once nothing is added any more.
 */
export function renderedProperties(resource: CfnResource): Record<string, any> {
  // `_toCloudFormation` is how aws-cdk-lib renders a resource into its stack's template.
  const rendered = Stack.of(resource).resolve((resource as unknown as { _toCloudFormation(): object })._toCloudFormation()) as
    { Resources: Record<string, { Properties?: Record<string, any> }> };
  return Object.values(rendered.Resources)[0]?.Properties ?? {};
}
