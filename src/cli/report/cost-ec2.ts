/**
 * EC2 capacity in the monthly cost estimate (cost.ts): an Auto Scaling group's instances at the
 * on-demand Linux price of its launch template's (or launch configuration's) instance type
 * (ec2-prices.ts), counted at the group's DesiredCapacity where the template states one, else at
 * its MinSize, the least it runs (an ECS capacity provider's managed scaling adds instances as
 * tasks need them). A group the table cannot price (Windows hosts, a mixed instances policy, an
 * instance type or region without a price) is named with the reason.
 */
import type { CostLine, NotEstimated } from './cost';
import { ec2PriceOf } from './ec2-prices';
import { cents, Price } from './price-list';
import { HOURS_PER_MONTH } from './prices';

/** What the estimate reads of a template (cost.ts's Template). */
export interface TemplateView {
  ofType(...types: string[]): Array<[string, any]>;
  path(logicalId: string): string;
  resolve(value: any): [string, any] | undefined;
  parameter(name: string): any;
}

export interface Ec2Estimate {
  readonly lines: CostLine[];
  readonly notEstimated: NotEstimated[];
  /** The prices the lines use (for the sources list). */
  readonly used: Price[];
}

/** The lines of the template's Auto Scaling groups, at `region`'s EC2 prices. */
export function ec2Lines(template: TemplateView, region: string | undefined): Ec2Estimate {
  const estimate: Ec2Estimate = { lines: [], notEstimated: [], used: [] };
  for (const [id, group] of template.ofType('AWS::AutoScaling::AutoScalingGroup')) {
    const result = groupLine(template, region, id, group);
    if (typeof result === 'string') {
      estimate.notEstimated.push({ what: 'EC2 Auto Scaling group', resource: template.path(id), reason: result });
    } else {
      estimate.lines.push(result.line);
      estimate.used.push(result.price);
    }
  }
  return estimate;
}

function groupLine(template: TemplateView, region: string | undefined, id: string, group: any): { line: CostLine; price: Price } | string {
  const p = group.Properties ?? {};
  if (p.MixedInstancesPolicy) return mixedReason(p.MixedInstancesPolicy);
  const launch = launchOf(template, p);
  if (typeof launch === 'string') return launch;
  if (isWindows(template, launch.imageId)) return 'Windows hosts: this table has Linux EC2 prices only';
  const price = ec2PriceOf(region, launch.instanceType);
  if (typeof price === 'string') return price;
  const desired = count(p.DesiredCapacity);
  const min = count(p.MinSize);
  const quantity = desired ?? min;
  if (quantity === undefined) return 'its MinSize is resolved at deploy';
  const basis = desired !== undefined ? 'DesiredCapacity' : 'MinSize, the least it runs';
  const monthly = cents(quantity * price.usd * HOURS_PER_MONTH);
  const line: CostLine = {
    what: `${template.path(id)}: EC2 on-demand ${launch.instanceType}, Linux (${basis})`,
    resources: [template.path(id)],
    quantity,
    unit: 'instance',
    unitPrice: price.usd,
    per: 'hour',
    monthly,
    development: monthly,
  };
  return { line, price };
}

/** A mixed instances policy: Spot or several types, which the group chooses among at run time. */
function mixedReason(policy: any): string {
  const distribution = policy.InstancesDistribution ?? {};
  if (distribution.OnDemandPercentageAboveBaseCapacity === 0 && !distribution.OnDemandBaseCapacity) {
    return 'Spot instances: Spot has no list price';
  }
  const types = (Array.isArray(policy.LaunchTemplate?.Overrides) ? policy.LaunchTemplate.Overrides : [])
    .map((o: any) => o?.InstanceType).filter((t: any) => typeof t === 'string');
  return `a mixed instances policy (${types.length > 0 ? types.join(', ') : 'its types'}): the group chooses among them at run time`;
}

/** The instance type and image of the group's launch template or launch configuration, or why there is none. */
function launchOf(template: TemplateView, p: any): { instanceType: string; imageId: any } | string {
  if (p.LaunchTemplate) {
    const lt = template.resolve(p.LaunchTemplate.LaunchTemplateId ?? p.LaunchTemplate.LaunchTemplateName);
    const data = lt?.[1].Type === 'AWS::EC2::LaunchTemplate' ? lt[1].Properties?.LaunchTemplateData : undefined;
    if (!data) return 'its launch template is not in this template';
    return typeof data.InstanceType === 'string' ? { instanceType: data.InstanceType, imageId: data.ImageId }
      : 'its launch template states no instance type';
  }
  const config = typeof p.LaunchConfigurationName === 'object' ? template.resolve(p.LaunchConfigurationName) : undefined;
  if (config?.[1].Type === 'AWS::AutoScaling::LaunchConfiguration') {
    const c = config[1].Properties ?? {};
    return typeof c.InstanceType === 'string' ? { instanceType: c.InstanceType, imageId: c.ImageId } : 'its launch configuration states no instance type';
  }
  return 'no launch template or launch configuration in this template: its instance type is unknown';
}

/** Whether the image is a Windows AMI, as far as the template says (an SSM parameter's name, or the image itself). */
function isWindows(template: TemplateView, imageId: any): boolean {
  const ref = typeof imageId?.Ref === 'string' ? template.parameter(imageId.Ref) : undefined;
  return /windows/i.test(JSON.stringify([imageId ?? null, ref?.Default ?? null]));
}

/** A count CloudFormation states as a number or a numeric string; undefined for a token or nothing. */
function count(value: any): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}
