import { aws_logs as logs } from 'aws-cdk-lib';
import { Capacity } from '../capacity/capacity';

/**
 * Picks an environment's cost and safety defaults together. Every default it picks can
 * still be overridden one by one.
 *
 * | Default                   | PRODUCTION                 | DEVELOPMENT                          |
 * |---------------------------|----------------------------|--------------------------------------|
 * | NAT gateways              | one per AZ                 | one                                  |
 * | Capacity                  | on-demand Fargate          | 1 on-demand task, the rest on Spot   |
 * | ALB deletion protection   | on                         | off                                  |
 * | Log retention             | 30 days                    | 7 days                               |
 * | Ingress without a cert    | error                      | plain HTTP with a warning            |
 * | Tasks per service         | 2                          | 1                                    |
 * | Deploy speed              | SAFE: alarm rollback on    | FAST: circuit breaker only           |
 */
export enum EnvironmentProfile {
  /** High availability and safety first. */
  PRODUCTION = 'production',
  /** Lowest cost that still behaves like production. */
  DEVELOPMENT = 'development',
}

/** The defaults a profile stands for. */
export interface ProfileDefaults {
  readonly natGatewayPerAz: boolean;
  readonly capacity: Capacity;
  readonly deletionProtection: boolean;
  readonly logRetention: logs.RetentionDays;
  readonly requireHttps: boolean;
  readonly desiredCount: number;
}

export function profileDefaults(profile: EnvironmentProfile): ProfileDefaults {
  const production = profile === EnvironmentProfile.PRODUCTION;
  return {
    natGatewayPerAz: production,
    capacity: production ? Capacity.fargate() : Capacity.fargateSpotMix({ onDemandBase: 1 }),
    deletionProtection: production,
    logRetention: production ? logs.RetentionDays.ONE_MONTH : logs.RetentionDays.ONE_WEEK,
    requireHttps: production,
    desiredCount: production ? 2 : 1,
  };
}
