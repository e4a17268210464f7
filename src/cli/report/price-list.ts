/**
 * The shape of a region's price table (prices.ts) and what every table shares: the AWS pricing
 * pages a price belongs to, and the day the figures were read for this table.
 */

export interface Price {
  /** USD per unit. */
  readonly usd: number;
  /** What one unit is (`vCPU-hour`, `GB-hour`, `LCU-hour`, `GB`). */
  readonly unit: string;
  /** The AWS pricing page the price belongs to. */
  readonly source: string;
  /** The published transcription it was read from, and its date. */
  readonly via: string;
  /** The day the figure was read for this table (`via` carries the transcription's own date). */
  readonly read: string;
}

/** The prices of one region. */
export interface RegionPrices {
  readonly fargateVcpuHour: Price;
  readonly fargateGbHour: Price;
  readonly fargateArmVcpuHour: Price;
  readonly fargateArmGbHour: Price;
  readonly albHour: Price;
  readonly albLcuHour: Price;
  readonly nlbHour: Price;
  readonly nlbNlcuHour: Price;
  readonly natGatewayHour: Price;
  readonly natGatewayGb: Price;
  readonly interfaceEndpointAzHour: Price;
  readonly interfaceEndpointGb: Price;
  /** A standard-resolution alarm, per metric it evaluates, per month. */
  readonly alarmMetricMonth: Price;
  readonly logIngestionGb: Price;
}

export const FARGATE = 'https://aws.amazon.com/fargate/pricing/';
export const ELB = 'https://aws.amazon.com/elasticloadbalancing/pricing/';
export const VPC = 'https://aws.amazon.com/vpc/pricing/';
export const PRIVATELINK = 'https://aws.amazon.com/privatelink/pricing/';
export const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';

/** The day these prices were read for this table. */
export const READ = '2026-12-07';

export const price = (usd: number, unit: string, source: string, via: string, read: string): Price => ({ usd, unit, source, via, read });

/** To the cent, half up on the decimal figure (16.425 is 16.43, though 16.425 * 100 is 1642.4999... in binary). */
export const cents = (n: number) => Math.round(Number((n * 100).toPrecision(12))) / 100;
