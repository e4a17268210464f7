/**
 * EC2 on-demand hourly list prices (USD; Linux, shared tenancy, no pre-installed software) of the
 * instance types EC2 capacity commonly uses: the families t3, t4g, m5, m6i, m6g, m7g, c6i, c7g and
 * r6i in sizes large, xlarge and 2xlarge. The report prices an Auto Scaling group's instances at
 * these (cost-ec2.ts). A region or an instance type missing here is named, not guessed.
 *
 * us-east-1: github.com/aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go
 * (commit 031e72b6), "generated at 2026-01-19T13:23:24Z for us-east-1" by Karpenter's generator from
 * the AWS Price List API (InitialOnDemandPricesAWS["us-east-1"], the on-demand Linux price of each
 * type). Windows, Spot and Managed Instances capacity are not priced from this table.
 */
import { Price, price, READ } from './price-list';

/** The AWS page EC2 on-demand prices belong to. */
export const EC2_ON_DEMAND = 'https://aws.amazon.com/ec2/pricing/on-demand/';

const KARPENTER_US_EAST_1 = 'AWS Price List API via Karpenter InitialOnDemandPricesAWS (us-east-1, generated 2026-01-19)';

/** USD per instance-hour, by instance type. */
const US_EAST_1: Readonly<Record<string, number>> = {
  't3.large': 0.0832,
  't3.xlarge': 0.1664,
  't3.2xlarge': 0.3328,
  't4g.large': 0.0672,
  't4g.xlarge': 0.1344,
  't4g.2xlarge': 0.2688,
  'm5.large': 0.096,
  'm5.xlarge': 0.192,
  'm5.2xlarge': 0.384,
  'm6i.large': 0.096,
  'm6i.xlarge': 0.192,
  'm6i.2xlarge': 0.384,
  'm6g.large': 0.077,
  'm6g.xlarge': 0.154,
  'm6g.2xlarge': 0.308,
  'm7g.large': 0.0816,
  'm7g.xlarge': 0.1632,
  'm7g.2xlarge': 0.3264,
  'c6i.large': 0.085,
  'c6i.xlarge': 0.17,
  'c6i.2xlarge': 0.34,
  'c7g.large': 0.0725,
  'c7g.xlarge': 0.145,
  'c7g.2xlarge': 0.29,
  'r6i.large': 0.126,
  'r6i.xlarge': 0.252,
  'r6i.2xlarge': 0.504,
};

/** The regions with EC2 prices, each with where its figures were read. */
export const EC2_PRICES: Readonly<Record<string, { readonly via: string; readonly hourly: Readonly<Record<string, number>> }>> = {
  'us-east-1': { via: KARPENTER_US_EAST_1, hourly: US_EAST_1 },
};

/** The on-demand Linux price of `instanceType` in `region`, or why there is none. */
export function ec2PriceOf(region: string | undefined, instanceType: string): Price | string {
  const table = region !== undefined && Object.prototype.hasOwnProperty.call(EC2_PRICES, region) ? EC2_PRICES[region] : undefined;
  if (!table) return `no EC2 prices for ${region}; EC2 prices exist for ${Object.keys(EC2_PRICES).join(', ')}`;
  const usd = Object.prototype.hasOwnProperty.call(table.hourly, instanceType) ? table.hourly[instanceType] : undefined;
  if (usd === undefined) return `no EC2 price for ${instanceType} in ${region}'s table`;
  return price(usd, 'instance-hour', EC2_ON_DEMAND, `${table.via}, ${instanceType}`, READ);
}
