/**
 * An estimated fixed monthly cost of a stack at list prices for its region (prices.ts): Fargate
 * tasks by size, architecture and capacity provider, load balancers' and NAT gateways' hourly
 * parts, interface VPC endpoints per AZ, standard CloudWatch alarms per metric, and EC2 Auto Scaling
 * groups' instances by instance type where there are EC2 prices (cost-ec2.ts). Usage-based parts
 * (LCUs, GB processed, log ingestion) are listed as rates, not figures. Beside each figure, the
 * same template under the development profile's choices (docs/report.md#monthly-cost).
 */
import { below } from './compliance';
import { ec2Lines } from './cost-ec2';
import { cents } from './price-list';
import { HOURS_PER_MONTH, PRICE_TABLES, Price, pricesOf, RegionPrices, SPOT_MAX_DISCOUNT } from './prices';
import { StackTemplate } from '../picture/assembly';

/** One priced line: `quantity` units at `unitPrice` USD each per `per`. */
export interface CostLine {
  readonly what: string;
  /** The resources it counts, by construct path below the stack. */
  readonly resources: string[];
  readonly quantity: number;
  /** What one of `quantity` is (`task`, `load balancer`, `endpoint-AZ`, `alarm metric`). */
  readonly unit: string;
  readonly unitPrice: number;
  /** `hour` or `month`. */
  readonly per: string;
  /** USD a month, to the cent. */
  readonly monthly: number;
  /** The same under the development profile's choices, to the cent. */
  readonly development: number;
}

export interface NotEstimated {
  readonly what: string;
  readonly resource: string;
  readonly reason: string;
}

export interface UsageRate {
  readonly what: string;
  readonly usd: number;
  readonly unit: string;
}

export interface StackCost {
  /** The region priced: the stack's, or for an environment-agnostic stack the one `--region` names; undefined otherwise. */
  readonly region?: string;
  /** True when the stack has no region and `region` is the one `--region` named. */
  readonly regionAssumed?: boolean;
  /** Why there is no estimate (`no price table for ...`); undefined when there is one. */
  readonly noPrices?: string;
  readonly hoursPerMonth: number;
  readonly lines: CostLine[];
  readonly total?: number;
  readonly developmentTotal?: number;
  readonly notEstimated: NotEstimated[];
  readonly usageRates: UsageRate[];
  /** The day the prices were read, and the AWS pricing pages they come from. */
  readonly pricesRead?: string;
  readonly sources: string[];
}

export { cents };

/**
 * The estimate of one stack, at its region's prices; an environment-agnostic stack at
 * `assumedRegion`'s (`--region`), where given.
 */
export function costOf(stack: StackTemplate, assumedRegion?: string): StackCost {
  const region = stack.region ?? assumedRegion;
  const regionAssumed = stack.region === undefined && assumedRegion !== undefined ? true : undefined;
  const prices = pricesOf(region);
  if (!prices) {
    const where = region ?? 'an environment-agnostic stack (no region in its environment; price it with --region)';
    return {
      region,
      regionAssumed,
      noPrices: `no price table for ${where}; tables exist for ${Object.keys(PRICE_TABLES).join(', ')}`,
      hoursPerMonth: HOURS_PER_MONTH,
      lines: [],
      notEstimated: [],
      usageRates: [],
      sources: [],
    };
  }
  const template = new Template(stack);
  const lines: CostLine[] = [];
  const notEstimated: NotEstimated[] = [];
  for (const [id, service] of template.ofType('AWS::ECS::Service')) {
    const result = serviceLines(template, prices, id, service);
    if (typeof result === 'string') notEstimated.push({ what: 'ECS service', resource: template.path(id), reason: result });
    else lines.push(...result);
  }
  const ec2 = ec2Lines(template, region);
  lines.push(...ec2.lines, ...networkLines(template, prices));
  const alarms = alarmLines(template, prices);
  lines.push(...alarms.lines);
  notEstimated.push(...alarms.notEstimated, ...ec2.notEstimated, ...otherCapacity(template), ...gatewayNotes(template), ...monitoringNotes(template));
  const used = new Set<Price>([...lines.flatMap(l => priceKeys(l, prices)), ...ec2.used, ...usageRates(template, prices).map(r => r.price)]);
  return {
    region,
    regionAssumed,
    hoursPerMonth: HOURS_PER_MONTH,
    lines,
    total: cents(lines.reduce((sum, l) => sum + l.monthly, 0)),
    developmentTotal: cents(lines.reduce((sum, l) => sum + l.development, 0)),
    notEstimated,
    usageRates: usageRates(template, prices).map(r => r.rate),
    pricesRead: [...used][0]?.read ?? Object.values(prices)[0].read,
    sources: [...new Set([...used].map(p => p.source))].sort(),
  };
}

/** The template's resources with their construct paths. */
class Template {
  constructor(private readonly stack: StackTemplate) {}

  public ofType(...types: string[]): Array<[string, any]> {
    return Object.entries<any>(this.stack.template.Resources).filter(([, r]) => r && types.includes(r.Type));
  }

  public path(logicalId: string): string {
    return below(this.stack, this.stack.paths.get(logicalId) ?? logicalId);
  }

  /** A template parameter (its declaration), when there is one of that name. */
  public parameter(name: string): any {
    return this.stack.template.Parameters?.[name];
  }

  /** The resource a `Ref` (or `Fn::GetAtt`) names, when it is in this template. */
  public resolve(value: any): [string, any] | undefined {
    const id = typeof value?.Ref === 'string' ? value.Ref : Array.isArray(value?.['Fn::GetAtt']) ? value['Fn::GetAtt'][0] : undefined;
    const resource = id !== undefined ? this.stack.template.Resources[id] : undefined;
    return resource ? [id, resource] : undefined;
  }
}

/** The prices a line is made of (for the sources list). */
function priceKeys(line: CostLine, prices: RegionPrices): Price[] {
  if (line.unit === 'task') {
    return /ARM64/.test(line.what) ? [prices.fargateArmVcpuHour, prices.fargateArmGbHour] : [prices.fargateVcpuHour, prices.fargateGbHour];
  }
  const byUnit: Record<string, Price> = {
    'Application Load Balancer': prices.albHour,
    'Network Load Balancer': prices.nlbHour,
    'NAT gateway': prices.natGatewayHour,
    'endpoint-AZ': prices.interfaceEndpointAzHour,
    'alarm metric': prices.alarmMetricMonth,
  };
  return byUnit[line.unit] ? [byUnit[line.unit]] : [];
}

/** A capacity provider strategy entry: `provider` gets `base` tasks first, then its `weight` share of the rest. */
interface Strategy { readonly provider: string; readonly base: number; readonly weight: number }

/** The development profile's capacity: a base of 1 on-demand task, the rest on Fargate Spot (src/environment/profile.ts). */
const DEVELOPMENT_STRATEGY: Strategy[] = [{ provider: 'FARGATE', base: 1, weight: 0 }, { provider: 'FARGATE_SPOT', base: 0, weight: 1 }];

/**
 * How ECS places `count` tasks over a strategy: each provider's base first, the rest in proportion
 * to the weights (as a share: 3 tasks over weights 1:1 after the base count 1.5 each).
 */
export function tasksByProvider(count: number, strategy: Strategy[]): Record<string, number> {
  const placed: Record<string, number> = {};
  let left = count;
  for (const s of strategy) {
    const base = Math.min(left, Math.max(0, s.base));
    placed[s.provider] = (placed[s.provider] ?? 0) + base;
    left -= base;
  }
  const weights = strategy.reduce((sum, s) => sum + Math.max(0, s.weight), 0);
  for (const s of strategy) if (weights > 0) placed[s.provider] += left * Math.max(0, s.weight) / weights;
  return placed;
}

/** An ECS service's lines (on-demand and Spot), or why it is not estimated. */
function serviceLines(template: Template, prices: RegionPrices, id: string, service: any): CostLine[] | string {
  const p = service.Properties ?? {};
  const taskDefinition = template.resolve(p.TaskDefinition)?.[1]?.Properties;
  if (!taskDefinition) return 'its task definition is not in this template';
  const [cpu, memory] = [Number(taskDefinition.Cpu), Number(taskDefinition.Memory)];
  if (!(cpu > 0 && memory > 0)) return 'the task definition states no task-level Cpu and Memory';
  const os = taskDefinition.RuntimePlatform?.OperatingSystemFamily;
  if (typeof os === 'string' && os !== 'LINUX') return `${os} tasks: this table has Linux Fargate prices only`;
  if (p.DesiredCount !== undefined && typeof p.DesiredCount !== 'number') return 'its DesiredCount is resolved at deploy';
  const strategy = strategyOf(template, p);
  if (typeof strategy === 'string') return strategy;
  const arm = taskDefinition.RuntimePlatform?.CpuArchitecture === 'ARM64';
  const [vcpu, gb] = [cpu / 1024, memory / 1024];
  const perTask = arm
    ? vcpu * prices.fargateArmVcpuHour.usd + gb * prices.fargateArmGbHour.usd
    : vcpu * prices.fargateVcpuHour.usd + gb * prices.fargateGbHour.usd;
  // A service that scales runs at least its scalable target's MinCapacity (0 for a worker that
  // wakes from zero); the template then leaves DesiredCount out. The development profile does not
  // change that floor.
  const floor = scalingFloor(template, id);
  const desired: number = floor !== undefined && p.DesiredCount === undefined ? floor : Math.max(p.DesiredCount ?? 1, floor ?? 0);
  const devDesired = floor ?? Math.min(desired, 1);
  const [now, dev] = [tasksByProvider(desired, strategy), tasksByProvider(devDesired, DEVELOPMENT_STRATEGY)];
  const size = `${trim(vcpu)} vCPU, ${trim(gb)} GB, ${arm ? 'ARM64' : 'x86'}`;
  const name = template.path(id).replace(/(\/Service){1,2}$/, '');
  const spotPrice = perTask * (1 - SPOT_MAX_DISCOUNT.share);
  const line = (what: string, quantity: number, unitPrice: number, devQuantity: number): CostLine => ({
    what,
    resources: [template.path(id)],
    quantity,
    unit: 'task',
    unitPrice,
    per: 'hour',
    monthly: cents(quantity * unitPrice * HOURS_PER_MONTH),
    development: cents(devQuantity * unitPrice * HOURS_PER_MONTH),
  });
  const lines = [line(`${name}: Fargate on-demand (${size})`, now.FARGATE ?? 0, perTask, dev.FARGATE ?? 0)];
  if ((now.FARGATE_SPOT ?? 0) > 0 || (dev.FARGATE_SPOT ?? 0) > 0) {
    lines.push(line(`${name}: Fargate Spot, 70% off (${size})`, now.FARGATE_SPOT ?? 0, spotPrice, dev.FARGATE_SPOT ?? 0));
  }
  return lines.filter(l => l.quantity > 0 || l.development > 0);
}

/**
 * The MinCapacity of the Application Auto Scaling target of the ECS service `id` (its ResourceId
 * names the service), when the template has one with a number there.
 */
function scalingFloor(template: Template, id: string): number | undefined {
  const names = JSON.stringify({ 'Fn::GetAtt': [id, 'Name'] });
  const target = template.ofType('AWS::ApplicationAutoScaling::ScalableTarget')
    .find(([, t]) => t.Properties?.ServiceNamespace === 'ecs' && JSON.stringify(t.Properties?.ResourceId ?? '').includes(names));
  const min = target?.[1].Properties?.MinCapacity;
  return typeof min === 'number' ? min : undefined;
}

/** 0.25, 0.5, 2 (no trailing zeros). */
function trim(n: number): string {
  return String(Number(n.toFixed(4)));
}

/** The service's capacity provider strategy when every provider is Fargate, else why it is not estimated. */
function strategyOf(template: Template, p: any): Strategy[] | string {
  const entries = Array.isArray(p.CapacityProviderStrategy) ? p.CapacityProviderStrategy : undefined;
  if (p.LaunchType === 'FARGATE') return [{ provider: 'FARGATE', base: 0, weight: 1 }];
  if (typeof p.LaunchType === 'string') return `${p.LaunchType} launch type: priced by its instances (on the Auto Scaling group, where EC2 prices cover it), not per task`;
  const strategy = entries ?? clusterDefault(template, p.Cluster);
  if (!strategy) return 'no launch type or capacity provider strategy here or on its cluster: ECS uses the EC2 launch type, not priced';
  const read: Strategy[] = strategy.map((s: any) => ({
    provider: typeof s?.CapacityProvider === 'string' ? s.CapacityProvider : '(resolved at deploy)',
    base: Number(s?.Base ?? 0),
    weight: Number(s?.Weight ?? 0),
  }));
  const other = read.find(s => s.provider !== 'FARGATE' && s.provider !== 'FARGATE_SPOT');
  if (other) return `capacity provider ${other.provider}: EC2 or Managed Instances capacity is priced by its instances (on the Auto Scaling group, where EC2 prices cover it), not per task`;
  return read;
}

/** The default capacity provider strategy of the cluster a service names, when the template sets one. */
function clusterDefault(template: Template, cluster: any): any[] | undefined {
  const own = template.resolve(cluster);
  if (!own) return undefined;
  const associations = template.ofType('AWS::ECS::ClusterCapacityProviderAssociations')
    .find(([, a]) => template.resolve(a.Properties?.Cluster)?.[0] === own[0]);
  const strategy = associations?.[1].Properties?.DefaultCapacityProviderStrategy ?? own[1].Properties?.DefaultCapacityProviderStrategy;
  return Array.isArray(strategy) && strategy.length > 0 ? strategy : undefined;
}

/** Load balancers, NAT gateways and interface endpoints: their hourly parts. */
function networkLines(template: Template, prices: RegionPrices): CostLine[] {
  const lines: CostLine[] = [];
  const hourly = (what: string, unit: string, ids: string[], quantity: number, price: Price, devQuantity = quantity) => {
    if (quantity > 0) {
      lines.push({
        what,
        resources: ids.map(id => template.path(id)),
        quantity,
        unit,
        unitPrice: price.usd,
        per: 'hour',
        monthly: cents(quantity * price.usd * HOURS_PER_MONTH),
        development: cents(devQuantity * price.usd * HOURS_PER_MONTH),
      });
    }
  };
  const balancers = template.ofType('AWS::ElasticLoadBalancingV2::LoadBalancer');
  const albs = balancers.filter(([, r]) => (r.Properties?.Type ?? 'application') === 'application').map(([id]) => id);
  const nlbs = balancers.filter(([, r]) => r.Properties?.Type === 'network').map(([id]) => id);
  hourly('Application Load Balancers (hourly part)', 'Application Load Balancer', albs, albs.length, prices.albHour);
  hourly('Network Load Balancers (hourly part)', 'Network Load Balancer', nlbs, nlbs.length, prices.nlbHour);
  // An ECS gateway's load balancers are ECS's, billed as ALBs; the first comes with the first service (gatewayNotes).
  const gateways = template.ofType('AWS::ECS::Gateway').map(([id]) => id);
  hourly('ECS gateway load balancers (the first of each; hourly part)', 'Application Load Balancer', gateways, gateways.length, prices.albHour);
  const nats = template.ofType('AWS::EC2::NatGateway');
  const vpcs = new Set(nats.map(([, n]) => JSON.stringify(template.resolve(n.Properties?.SubnetId)?.[1]?.Properties?.VpcId ?? null)));
  hourly('NAT gateways (hourly part)', 'NAT gateway', nats.map(([id]) => id), nats.length, prices.natGatewayHour, vpcs.size);
  const endpoints = template.ofType('AWS::EC2::VPCEndpoint')
    .filter(([, e]) => e.Properties?.VpcEndpointType === 'Interface' && Array.isArray(e.Properties?.SubnetIds));
  const azs = endpoints.reduce((sum, [, e]) => sum + e.Properties.SubnetIds.length, 0);
  hourly('Interface VPC endpoints (per endpoint per AZ)', 'endpoint-AZ', endpoints.map(([id]) => id), azs, prices.interfaceEndpointAzHour);
  return lines;
}

/**
 * An ECS gateway provisions Application Load Balancers as web services connect, up to
 * `MaxAlbCount` (10 by default: Amazon ECS API Reference, HostSharedAlbConfiguration); how many
 * services share one is ECS's choice and not documented, so the estimate counts one a gateway.
 */
/** Services that publish CPU or memory every 20 seconds (the service's Monitoring): CloudWatch bills them; the table has no price. */
function monitoringNotes(template: Template): NotEstimated[] {
  return template.ofType('AWS::ECS::Service').filter(([, s]) => (s.Properties?.Monitoring?.MetricConfigurations ?? [])
    .some((c: any) => c?.ResolutionSeconds === 20)).map(([id]) => ({
    what: '20-second metrics',
    resource: template.path(id),
    reason: 'CloudWatch bills the CPU and memory metrics ECS publishes every 20 seconds; this table has no sourced price for them',
  }));
}

function gatewayNotes(template: Template): NotEstimated[] {
  return template.ofType('AWS::ECS::Gateway').map(([id, g]) => {
    const max = g.Properties?.Configuration?.HostSharedAlb?.MaxAlbCount;
    return {
      what: 'ECS gateway',
      resource: template.path(id),
      reason: `ECS adds Application Load Balancers as services connect, up to ${typeof max === 'number' ? max : 10} (MaxAlbCount); `
        + 'the estimate counts the first, and each further one adds its hourly part',
    };
  });
}

/** How many metrics a standard alarm evaluates, or why it is not estimated. */
export function alarmMetrics(alarm: any): number | string {
  const p = alarm.Properties ?? {};
  if (p.ThresholdMetricId !== undefined) return 'an anomaly detection alarm: no sourced price in this table';
  const metrics = Array.isArray(p.Metrics) ? p.Metrics : undefined;
  if (!metrics) return typeof p.Period === 'number' && p.Period < 60 ? 'a high-resolution alarm: no sourced price in this table' : 1;
  if (metrics.some((m: any) => typeof m?.Expression === 'string' && /\b(SEARCH|SELECT)\b/.test(m.Expression))) {
    return 'a SEARCH or Metrics Insights alarm: priced by what it matches at run time';
  }
  const stats = metrics.filter((m: any) => m?.MetricStat);
  if (stats.some((m: any) => typeof m.MetricStat.Period === 'number' && m.MetricStat.Period < 60)) {
    return 'a high-resolution alarm: no sourced price in this table';
  }
  return stats.length;
}

function alarmLines(template: Template, prices: RegionPrices): { lines: CostLine[]; notEstimated: NotEstimated[] } {
  const notEstimated: NotEstimated[] = template.ofType('AWS::CloudWatch::CompositeAlarm')
    .map(([id]) => ({ what: 'composite alarm', resource: template.path(id), reason: 'no sourced price for composite alarms in this table' }));
  const counted: string[] = [];
  let metrics = 0;
  for (const [id, alarm] of template.ofType('AWS::CloudWatch::Alarm')) {
    const n = alarmMetrics(alarm);
    if (typeof n === 'string') {notEstimated.push({ what: 'alarm', resource: template.path(id), reason: n });} else { metrics += n; counted.push(id); }
  }
  const monthly = cents(metrics * prices.alarmMetricMonth.usd);
  const lines = metrics > 0 ? [{
    what: `CloudWatch alarms, standard (${counted.length} ${counted.length === 1 ? 'alarm' : 'alarms'})`,
    resources: counted.map(id => template.path(id)),
    quantity: metrics,
    unit: 'alarm metric',
    unitPrice: prices.alarmMetricMonth.usd,
    per: 'month',
    monthly,
    development: monthly,
  }] : [];
  return { lines, notEstimated };
}

/** Managed Instances capacity and Express Mode services: named, not priced (EC2 groups: cost-ec2.ts). */
function otherCapacity(template: Template): NotEstimated[] {
  const managed = template.ofType('AWS::ECS::CapacityProvider').filter(([, c]) => c.Properties?.ManagedInstancesProvider).map(([id]) => ({
    what: 'ECS Managed Instances capacity provider',
    resource: template.path(id),
    reason: 'instances are priced per instance type plus a management fee; this table has neither',
  }));
  const express = template.ofType('AWS::ECS::ExpressGatewayService').map(([id]) => ({
    what: 'ECS Express Mode service',
    resource: template.path(id),
    reason: 'its tasks and managed load balancer are created by ECS, not stated in the template',
  }));
  return [...managed, ...express];
}

/** The usage-based rates of what the stack has: not in the total. */
function usageRates(template: Template, prices: RegionPrices): Array<{ rate: UsageRate; price: Price }> {
  const has = (type: string, test: (r: any) => boolean = () => true) => template.ofType(type).some(([, r]) => test(r));
  const rates: Array<[boolean, string, Price]> = [
    [has('AWS::ElasticLoadBalancingV2::LoadBalancer', r => (r.Properties?.Type ?? 'application') === 'application'), 'Application Load Balancer LCU', prices.albLcuHour],
    [has('AWS::ElasticLoadBalancingV2::LoadBalancer', r => r.Properties?.Type === 'network'), 'Network Load Balancer NLCU', prices.nlbNlcuHour],
    [has('AWS::EC2::NatGateway'), 'NAT gateway data processing', prices.natGatewayGb],
    [has('AWS::EC2::VPCEndpoint', r => r.Properties?.VpcEndpointType === 'Interface'), 'Interface endpoint data processing', prices.interfaceEndpointGb],
    [has('AWS::Logs::LogGroup') || has('AWS::ECS::Service'), 'CloudWatch Logs ingestion', prices.logIngestionGb],
  ];
  return rates.filter(([present]) => present).map(([, what, price]) => ({ rate: { what, usd: price.usd, unit: price.unit }, price }));
}
