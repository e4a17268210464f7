/**
 * List prices (USD) the report's monthly cost estimate uses, per region, each with its unit, the
 * date it was read and where. Every figure here comes from a source named beside it; a region is
 * here only when every price below could be sourced for it.
 *
 * AWS's own pricing pages render their regional tables in the browser from the Price List API, so
 * their text (as stored where it could be read for this table) carries no regional figures, only
 * the worked examples. Each price therefore names the AWS page it belongs to (`source`) and, in
 * `via`, the published transcription it was read from, with that transcription's date.
 *
 * us-east-1's table is below; the other regions' (eu-west-2) are in prices-regions.ts, read from
 * extracts of the AWS Price List API's offer files. Regions left out (no complete set of sourced
 * figures could be read for them on 2026-12-07): us-west-2, eu-west-1, eu-central-1, us-east-2,
 * ap-southeast-1, ap-northeast-1, ap-southeast-2. Their hourly parts (NAT gateway, ALB, NLB,
 * interface endpoint) are all in one Price List extract (prices-regions.ts, ZOMBIE), but no named,
 * dated source gave the NLB's NLCU-hour for any of them, nor, for most, Fargate's ARM rates and the
 * per-GB rates. A stack in those regions prints "no price table for REGION".
 */
import { CLOUDWATCH, ELB, FARGATE, price, PRIVATELINK, READ, RegionPrices, VPC } from './price-list';
import { EU_WEST_2 } from './prices-regions';

export type { Price, RegionPrices } from './price-list';
export { READ } from './price-list';

/** A month of 730 hours (8,760 hours a year / 12), as AWS's pricing examples and calculator use. */
export const HOURS_PER_MONTH = 730;

/**
 * Fargate Spot has no list price: AWS sets it from supply and demand and states it as "up to a 70%
 * discount off the regular Fargate price" (aws.amazon.com/fargate/pricing, "Fargate Spot Pricing
 * for Amazon ECS", text read 2026-12-07). The estimate prices Spot at that largest discount, so a
 * Spot figure is the least it can cost; the report says so.
 */
export const SPOT_MAX_DISCOUNT = { share: 0.7, source: 'https://aws.amazon.com/fargate/pricing/', read: '2026-12-07' } as const;

/** US East (N. Virginia). */
const US_EAST_1: RegionPrices = {
  // factualminds.com/blog/amazon-fargate-ecs-task-pricing-2026 (2026-06-17): "As of June 2026, Fargate
  // prices Linux x86 at $0.04048/vCPU-hour and $0.004445/GB-hour in us-east-1"; the same figures in
  // github.com/theuves/fgcalc src/utils/data.js (transcribed from the AWS page) and vantage.sh's
  // Fargate pricing post (us-east-1: "Linux/x86 $0.04048 $0.004445, Linux/ARM $0.03238 $0.00356").
  fargateVcpuHour: price(0.04048, 'vCPU-hour', FARGATE, 'factualminds.com Fargate pricing 2026, dated 2026-06-17', READ),
  fargateGbHour: price(0.004445, 'GB-hour', FARGATE, 'factualminds.com Fargate pricing 2026, dated 2026-06-17', READ),
  // fortem.dev/fargate-spot: "ARM on-demand $0.03238 [vCPU/hr] $0.003560 [GB/hr] ... On-demand rates:
  // us-east-1, Linux, verified June 2026 from aws.amazon.com/fargate/pricing"; the same in a public
  // Terraform output read from the AWS Price List API on 2026-08-28 (USE1-Fargate-ARM-vCPU-Hours
  // $0.03238, USE1-Fargate-ARM-GB-Hours $0.00356).
  fargateArmVcpuHour: price(0.03238, 'vCPU-hour', FARGATE, 'AWS Price List API (USE1-Fargate-ARM-vCPU-Hours), as quoted 2026-08-28', READ),
  fargateArmGbHour: price(0.00356, 'GB-hour', FARGATE, 'AWS Price List API (USE1-Fargate-ARM-GB-Hours), as quoted 2026-08-28', READ),
  // github.com/api-evangelist/amazon-elastic-load-balancing plans/amazon-elastic-load-balancing-plans-pricing.yml,
  // "page read: 2026-09-20", every price found verbatim in the AWS page's US-East-1 examples:
  // "$0.0225 hourly charge" (ALB), "$0.008 per LCU", "$0.006 per NLCU".
  albHour: price(0.0225, 'load balancer-hour', ELB, 'api-evangelist transcription of the AWS page, read 2026-09-20', READ),
  albLcuHour: price(0.008, 'LCU-hour', ELB, 'api-evangelist transcription of the AWS page, read 2026-09-20', READ),
  // NLB hourly: clustercost.com/blog/network-load-balancer-pricing-2025, "AWS Network Load Balancer
  // Pricing (US-East-1 2025 Guide)": "NLB: $0.0225 per hour"; awsnegotiations.com's ELB guide
  // (published May 2026) lists "Network LB (NLB) $0.0225 / hour ... $0.006 per NLCU-hour".
  nlbHour: price(0.0225, 'load balancer-hour', ELB, 'clustercost.com NLB pricing, US-East-1 2025 guide', READ),
  nlbNlcuHour: price(0.006, 'NLCU-hour', ELB, 'api-evangelist transcription of the AWS page, read 2026-09-20', READ),
  // rajesh.medampudi.com/blog/aws-nat-gateway-hidden-tax: "In us-east-1 (N. Virginia) and us-east-2
  // (Ohio) this is $0.045 per NAT Gateway-hour ... $0.045 per GB processed"; the AWS VPC page's own
  // example (US East (Ohio)) reads "$0.045 per hour" and "$0.045 per GB" (api-evangelist amazon-vpc
  // transcription, page read 2026-09-20); sst.dev's Vpc docs give the same for us-east-1.
  natGatewayHour: price(0.045, 'NAT gateway-hour', VPC, 'rajesh.medampudi.com NAT gateway pricing (us-east-1 and us-east-2)', READ),
  natGatewayGb: price(0.045, 'GB processed', VPC, 'rajesh.medampudi.com NAT gateway pricing (us-east-1 and us-east-2)', READ),
  // c3x.dev/resources/aws/aws_vpc_endpoint (its example is in us-east-1): interface endpoints are
  // "Billed $0.01/hour per AZ per endpoint plus $0.01/GB processed"; awsnegotiations.com's
  // PrivateLink cost analysis (updated May 2026): "Interface Endpoint hourly $0.01 / hour per AZ";
  // the AWS page's tier table (stored copy of aws.amazon.com/privatelink/pricing): "First 1 PB
  // $0.01" per GB.
  interfaceEndpointAzHour: price(0.01, 'endpoint-AZ-hour', PRIVATELINK, 'c3x.dev aws_vpc_endpoint cost estimation (us-east-1)', READ),
  interfaceEndpointGb: price(0.01, 'GB processed (first PB)', PRIVATELINK, 'AWS PrivateLink pricing page tier table, read 2026-12-07', READ),
  // github.com/api-evangelist/cloudwatch plans/cloudwatch-plans-pricing.yml (us-east-1 list prices,
  // 2026-05-05): "Standard-resolution alarm metric ... $0.10" a month; the AWS page bills alarms
  // per alarm metric (its free tier is "10 Alarm metrics (only applicable to Standard resolution
  // alarms that list metrics directly ...)"); c3x.dev's aws_cloudwatch_metric_alarm page: "$0.10/
  // alarm-month for standard resolution". Logs: factualminds.com CloudWatch pricing ("Logs
  // ingestion at $0.50/GB"); infracost's estimate in github.com/vreutova/infracost-idem-support
  // pull request 2 ("Data ingested ... $0.50 per GB", infracost's default region us-east-1).
  alarmMetricMonth: price(0.10, 'alarm metric-month', CLOUDWATCH, 'api-evangelist CloudWatch transcription, 2026-05-05', READ),
  logIngestionGb: price(0.50, 'GB ingested', CLOUDWATCH, 'factualminds.com CloudWatch pricing (logs ingestion $0.50/GB)', READ),
};

/** The regions with a price table. */
export const PRICE_TABLES: Readonly<Record<string, RegionPrices>> = { 'us-east-1': US_EAST_1, 'eu-west-2': EU_WEST_2 };

/** The price table of `region`, or undefined where there is none. */
export function pricesOf(region: string | undefined): RegionPrices | undefined {
  return region !== undefined && Object.prototype.hasOwnProperty.call(PRICE_TABLES, region) ? PRICE_TABLES[region] : undefined;
}
