/**
 * The price tables of the regions beyond us-east-1 (prices.ts lists which regions have one). Every
 * figure here is a row of the AWS Price List API's offer files (the machine-readable list AWS bills
 * from, https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<offer>/<version>/<region>/...),
 * read from a public repository that commits an extract of those files or a table transcribed
 * from them. Each price names, in `via`, the offer, its publication date and the usage type; the
 * comment beside it names the repository, path and commit it was read from, and a second source
 * where one agreed.
 */
import { CLOUDWATCH, ELB, FARGATE, price, PRIVATELINK, READ, RegionPrices, VPC } from './price-list';

/**
 * The extracts read for eu-west-2:
 * - TOGEN_ECS: github.com/mooncitizen/togen internal/cost/cmd/testdata/AmazonECS-eu-west-2.csv
 *   (commit a5b2dad6), a verbatim CSV extract of the AmazonECS offer, "Publication Date
 *   2026-08-31T09:21:55Z".
 * - TOGEN_ELB: the same repository's internal/cost/cmd/testdata/AWSELB-eu-west-2.csv (commit
 *   fdee1174), the AWSELB offer, "Publication Date 2026-08-31T09:22:55Z".
 * - TOGEN_EC2: the same repository's internal/cost/prices/aws.json (commit e7656e59, "date
 *   2026-09-05"), the AmazonEC2 offer 20260904231117's NAT gateway rows for every region.
 * - SADEEV: github.com/ImperialEdutechUK/sadeevtest docs/hosting-costs.md (commit 3c102d7a),
 *   section 8 "Verified unit prices (London unless global)", read from the eu-west-2 offer files
 *   on 2026-10-06 (AmazonECS and AWSELB published 2026-09-11, AmazonVPC 2026-09-17,
 *   AmazonCloudWatch 2026-09-22, AmazonEC2 2026-09-25).
 * - CRYPTIC: github.com/crypticseeds/aws-platform docs/cost.md (commit d2d968be), unit prices
 *   read from the eu-west-2 offer files on 2026-10-05.
 * - ZOMBIE: github.com/xbill9/zombiescan src/zombiescan/pricing/table.json (commit 07715513), "AWS
 *   Price List API (pricing:GetProducts), on-demand USD list prices", "generated
 *   2026-09-21T00:49:12Z": the hourly parts (NAT gateway, ALB and NLB, interface endpoint) of every
 *   region, a second source for those figures here.
 */
const EUW2 = {
  ecs: 'AWS Price List API, AmazonECS eu-west-2 (published 2026-08-31)',
  elb: 'AWS Price List API, AWSELB eu-west-2 (published 2026-08-31)',
  ec2: 'AWS Price List API, AmazonEC2 eu-west-2 (offer 20260904231117)',
  ec2Bytes: 'AWS Price List API, AmazonEC2 eu-west-2 (published 2026-09-25)',
  vpc: 'AWS Price List API, AmazonVPC eu-west-2 (published 2026-09-17)',
  cloudwatch: 'AWS Price List API, AmazonCloudWatch eu-west-2 (published 2026-09-22)',
};

/** Europe (London). */
export const EU_WEST_2: RegionPrices = {
  // TOGEN_ECS rows EUW2-Fargate-vCPU-Hours:perCPU (SKU G265XVYY5YDS48U6) "0.0465600000" and
  // EUW2-Fargate-GB-Hours (SKU JPX9CCYJS97M953T) "0.0051100000"; the same in SADEEV ("x86 $0.04656
  // per vCPU-hour, $0.00511 per GB-hour") and github.com/theuves/fgcalc src/utils/data.js
  // (eu-west-2 "cpu": 0.04656, "ram": 0.00511).
  fargateVcpuHour: price(0.04656, 'vCPU-hour', FARGATE, `${EUW2.ecs}, EUW2-Fargate-vCPU-Hours:perCPU`, READ),
  fargateGbHour: price(0.00511, 'GB-hour', FARGATE, `${EUW2.ecs}, EUW2-Fargate-GB-Hours`, READ),
  // TOGEN_ECS rows EUW2-Fargate-ARM-vCPU-Hours:perCPU (SKU YEJBN6TMUWD8EV8P) "0.0372500000" and
  // EUW2-Fargate-ARM-GB-Hours (SKU ZHQV69PSVX9PGWTQ) "0.0040900000"; SADEEV: "Arm $0.03725 / $0.00409".
  fargateArmVcpuHour: price(0.03725, 'vCPU-hour', FARGATE, `${EUW2.ecs}, EUW2-Fargate-ARM-vCPU-Hours:perCPU`, READ),
  fargateArmGbHour: price(0.00409, 'GB-hour', FARGATE, `${EUW2.ecs}, EUW2-Fargate-ARM-GB-Hours`, READ),
  // TOGEN_ELB: "$0.02646 per Application LoadBalancer-hour (or partial hour)" (EUW2-LoadBalancerUsage,
  // LoadBalancing:Application) and "$0.0084 per used Application load balancer capacity unit-hour"
  // (EUW2-LCUUsage, LoadBalancing:Application); SADEEV and CRYPTIC: "$0.02646 per hour; $0.0084 per LCU-hour";
  // ZOMBIE: load_balancer_hour eu-west-2 "alb": 0.02646.
  albHour: price(0.02646, 'load balancer-hour', ELB, `${EUW2.elb}, EUW2-LoadBalancerUsage (Application)`, READ),
  albLcuHour: price(0.0084, 'LCU-hour', ELB, `${EUW2.elb}, EUW2-LCUUsage (Application)`, READ),
  // TOGEN_ELB: "$0.02646 per Network LoadBalancer-hour (or partial hour)" (EUW2-LoadBalancerUsage,
  // LoadBalancing:Network) and "$0.0060 per used Network load balancer capacity unit-hour"
  // (EUW2-LCUUsage, LoadBalancing:Network); ZOMBIE: load_balancer_hour eu-west-2 "nlb": 0.02646.
  nlbHour: price(0.02646, 'load balancer-hour', ELB, `${EUW2.elb}, EUW2-LoadBalancerUsage (Network)`, READ),
  nlbNlcuHour: price(0.006, 'NLCU-hour', ELB, `${EUW2.elb}, EUW2-LCUUsage (Network)`, READ),
  // TOGEN_EC2: EUW2-NatGateway-Hours (SKU D8BXG95NJW6MV3B3) "price": 0.05; SADEEV and CRYPTIC (AmazonEC2
  // published 2026-09-25): "$0.05 per hour; $0.05 per GB processed" (EUW2-NatGateway-Bytes); ZOMBIE:
  // nat_gateway_hour eu-west-2 0.05.
  natGatewayHour: price(0.05, 'NAT gateway-hour', VPC, `${EUW2.ec2}, EUW2-NatGateway-Hours`, READ),
  natGatewayGb: price(0.05, 'GB processed', VPC, `${EUW2.ec2Bytes}, EUW2-NatGateway-Bytes`, READ),
  // SADEEV: "VPC interface endpoint | $0.011 per endpoint-hour; $0.01 per GB (first 1 PB) |
  // EUW2-VpcEndpoint-Hours, EUW2-VpcEndpoint-Bytes"; billed per endpoint per AZ (the PrivateLink page);
  // ZOMBIE: vpc_endpoint_hour eu-west-2 0.011.
  interfaceEndpointAzHour: price(0.011, 'endpoint-AZ-hour', PRIVATELINK, `${EUW2.vpc}, EUW2-VpcEndpoint-Hours`, READ),
  interfaceEndpointGb: price(0.01, 'GB processed (first PB)', PRIVATELINK, `${EUW2.vpc}, EUW2-VpcEndpoint-Bytes`, READ),
  // SADEEV: "alarms $0.10 per alarm-month (standard)" (EUW2-CW:AlarmMonitorUsage) and "Logs $0.5985
  // per GB ingested (Standard)" (EUW2-DataProcessing-Bytes).
  alarmMetricMonth: price(0.10, 'alarm metric-month', CLOUDWATCH, `${EUW2.cloudwatch}, EUW2-CW:AlarmMonitorUsage`, READ),
  logIngestionGb: price(0.5985, 'GB ingested', CLOUDWATCH, `${EUW2.cloudwatch}, EUW2-DataProcessing-Bytes`, READ),
};
