import { RemovalPolicy, Stack, Token, aws_ec2 as ec2, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkInteger, checkRange } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { acknowledge, acknowledgeInlinePolicy } from '../private/nag';

/** How tasks in private subnets reach AWS services and the internet. */
export enum Egress {
  /** One NAT gateway for the whole VPC (lower fixed cost, one AZ's NAT is a single point of failure). */
  NAT_GATEWAY = 'NAT_GATEWAY',
  /** One NAT gateway per AZ (tasks keep egress when an AZ fails; doubles the NAT fixed cost with 2 AZs). */
  NAT_GATEWAY_PER_AZ = 'NAT_GATEWAY_PER_AZ',
  /**
   * No NAT gateway and no internet egress: isolated subnets with VPC endpoints for ECR,
   * S3, CloudWatch Logs, Secrets Manager and SSM. Images must come from ECR.
   */
  VPC_ENDPOINTS = 'VPC_ENDPOINTS',
}

/** Options for a new VPC. */
export interface NewVpcOptions {
  /**
   * Availability zones to span.
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * How private subnets reach out.
   * @default - NAT_GATEWAY_PER_AZ in production, NAT_GATEWAY in development
   */
  readonly egress?: Egress;
  /**
   * The VPC's IPv4 range.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
}

/** Options for an existing VPC. */
export interface ExistingVpcOptions {
  /**
   * Subnets for tasks.
   * @default - the VPC's private subnets (with egress), else its isolated subnets
   */
  readonly taskSubnets?: ec2.SubnetSelection;
  /**
   * Subnets for the shared load balancer.
   * @default - public subnets for an internet-facing load balancer, the task subnets for an internal one
   */
  readonly loadBalancerSubnets?: ec2.SubnetSelection;
  /**
   * Whether tasks in the task subnets can reach the internet (through NAT).
   * @default true
   */
  readonly internetEgress?: boolean;
}

/** What the environment gets from its network choice. */
export interface NetworkConfig {
  readonly vpc: ec2.IVpc;
  readonly taskSubnets: ec2.SubnetSelection;
  readonly loadBalancerSubnets?: ec2.SubnetSelection;
  readonly internetEgress: boolean;
  /** The VPC's IPv4 range as a literal, when known at synth time (a new VPC). */
  readonly cidr?: string;
  /** The flow log group, when the VPC was created here. */
  readonly flowLogGroup?: logs.ILogGroup;
  /** The security group of the VPC's interface endpoints, when created here (Egress.VPC_ENDPOINTS). */
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;
}

/** What the environment passes to its network choice. */
export interface NetworkBindOptions {
  readonly natGatewayPerAz: boolean;
  readonly logRetention: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
}

/** The environment's network: a new VPC or an existing one. */
export class Network {
  /** A new VPC with public and private subnets, flow logs and a closed default security group. */
  public static newVpc(options: NewVpcOptions = {}): Network {
    return new Network((scope, bind) => createVpc(scope, options, bind));
  }

  /** An existing VPC (for example `ec2.Vpc.fromLookup`). */
  public static fromVpc(vpc: ec2.IVpc, options: ExistingVpcOptions = {}): Network {
    return new Network((scope) => {
      try {
        // The load balancer's egress and the tasks' clients are scoped to the VPC's range.
        void vpc.vpcCidrBlock;
      } catch {
        throw new ShipyardError(scope, ErrorCode.NETWORK, `the imported VPC ${vpc.node.path} has no CIDR block`,
          'pass vpcCidrBlock to ec2.Vpc.fromVpcAttributes (or import the VPC with ec2.Vpc.fromLookup, which reads it)');
      }
      const internetEgress = options.internetEgress ?? true;
      return {
        vpc,
        taskSubnets: options.taskSubnets ?? {
          subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
        },
        loadBalancerSubnets: options.loadBalancerSubnets,
        internetEgress,
      };
    });
  }

  private constructor(private readonly produce: (scope: Construct, options: NetworkBindOptions) => NetworkConfig) {}

  /**
   * Create or adopt the network in `scope`.
   * @internal
   */
  public _bind(scope: Construct, options: NetworkBindOptions): NetworkConfig {
    return this.produce(scope, options);
  }
}

/** The subnets of a new VPC, per AZ: a public /24 and a private /20. */
const PUBLIC_SUBNET_MASK = 24;
const PRIVATE_SUBNET_MASK = 20;

/**
 * A new VPC's range: an IPv4 CIDR whose prefix lies between /16 and /28 (Amazon VPC User
 * Guide, "VPC CIDR blocks": "The allowed block size is between a /16 netmask and /28
 * netmask"), large enough for a public /24 and a private /20 in each AZ.
 */
function checkVpcCidr(scope: Construct, cidr: string, azs: number): void {
  if (Token.isUnresolved(cidr)) return;
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match || match.slice(1, 5).some(octet => Number(octet) > 255)) {
    throw new ShipyardError(scope, ErrorCode.NETWORK, `network cidr ${show(cidr)} is not an IPv4 CIDR block`, 'give one such as 10.0.0.0/16');
  }
  const prefix = Number(match[5]);
  if (prefix < 16 || prefix > 28) {
    throw new ShipyardError(scope, ErrorCode.NETWORK, `network cidr ${show(cidr)} has a /${prefix} prefix; a VPC takes /16 to /28`,
      'give a range between /16 (65,536 addresses) and /28');
  }
  const needed = azs * (2 ** (32 - PUBLIC_SUBNET_MASK) + 2 ** (32 - PRIVATE_SUBNET_MASK));
  if (2 ** (32 - prefix) < needed) {
    const smallest = 32 - Math.ceil(Math.log2(needed));
    throw new ShipyardError(scope, ErrorCode.NETWORK,
      `network cidr ${show(cidr)} holds ${2 ** (32 - prefix)} addresses, and ${azs} AZ(s) of a public /24 and a private /20 subnet need ${needed}`,
      `give a /${smallest} or larger range, or fewer AZs (maxAzs)`);
  }
}

function createVpc(scope: Construct, options: NewVpcOptions, bind: NetworkBindOptions): NetworkConfig {
  const maxAzs = options.maxAzs ?? 2;
  checkInteger(scope, ErrorCode.NETWORK, 'network maxAzs', maxAzs);
  checkRange(scope, ErrorCode.NETWORK, 'network maxAzs', maxAzs, 1, 6);
  const egress = options.egress ?? (bind.natGatewayPerAz ? Egress.NAT_GATEWAY_PER_AZ : Egress.NAT_GATEWAY);
  if (egress === Egress.NAT_GATEWAY_PER_AZ && maxAzs < 2) {
    throw new ShipyardError(scope, ErrorCode.NETWORK, 'NAT_GATEWAY_PER_AZ with a single AZ gives no availability',
      'span at least 2 AZs (maxAzs) or use Egress.NAT_GATEWAY');
  }
  if (options.cidr !== undefined) checkVpcCidr(scope, options.cidr, Math.min(maxAzs, Stack.of(scope).availabilityZones.length));
  const endpointsOnly = egress === Egress.VPC_ENDPOINTS;
  const privateType = endpointsOnly ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS;
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr(options.cidr ?? '10.0.0.0/16'),
    maxAzs,
    natGateways: endpointsOnly ? 0 : egress === Egress.NAT_GATEWAY_PER_AZ ? maxAzs : 1,
    restrictDefaultSecurityGroup: true,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: PUBLIC_SUBNET_MASK, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: privateType, cidrMask: PRIVATE_SUBNET_MASK },
    ],
  });
  const flowLogGroup = new logs.LogGroup(scope, 'FlowLogs', {
    retention: bind.logRetention,
    encryptionKey: bind.logEncryptionKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
    trafficType: ec2.FlowLogTrafficType.ALL,
  });
  const endpointSecurityGroup = endpointsOnly ? addServiceEndpoints(scope, vpc, options.cidr ?? '10.0.0.0/16') : undefined;
  acknowledgeNetworkFindings(vpc);
  return {
    vpc, taskSubnets: { subnetType: privateType }, internetEgress: !endpointsOnly, cidr: options.cidr ?? '10.0.0.0/16', flowLogGroup, endpointSecurityGroup,
  };
}

const COMPLIANCE_PACKS = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

function acknowledgeNetworkFindings(vpc: ec2.Vpc): void {
  const routeReason = 'Public subnets hold only the internet-facing load balancer and NAT gateways and need a route to the internet gateway; tasks run in private subnets without public IPs.';
  for (const subnet of vpc.publicSubnets) {
    const route = subnet.node.tryFindChild('DefaultRoute');
    if (route) acknowledge(route, COMPLIANCE_PACKS.map(p => ({ id: `${p}-VPCNoUnrestrictedRouteToIGW`, reason: routeReason })));
  }
  const flowLogPolicy = vpc.node.tryFindChild('FlowLog')?.node.tryFindChild('IAMRole')?.node.tryFindChild('DefaultPolicy');
  if (flowLogPolicy) acknowledgeInlinePolicy(flowLogPolicy);
}

/** The endpoints Fargate tasks need without NAT: image pulls, logs, secrets and parameters. */
function addServiceEndpoints(scope: Construct, vpc: ec2.Vpc, cidr: string): ec2.SecurityGroup {
  const subnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  const securityGroup = new ec2.SecurityGroup(scope, 'EndpointSecurityGroup', {
    vpc,
    description: 'VPC interface endpoints: HTTPS from inside the VPC only',
    allowAllOutbound: false,
  });
  securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from the VPC');
  // ECR stores image layers in S3: the gateway endpoint is free.
  vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
  const interfaces: Array<[string, ec2.InterfaceVpcEndpointAwsService]> = [
    ['EcrApiEndpoint', ec2.InterfaceVpcEndpointAwsService.ECR],
    ['EcrDockerEndpoint', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
    ['LogsEndpoint', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    ['SecretsManagerEndpoint', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
    ['SsmEndpoint', ec2.InterfaceVpcEndpointAwsService.SSM],
  ];
  for (const [id, service] of interfaces) {
    vpc.addInterfaceEndpoint(id, { service, subnets, privateDnsEnabled: true, securityGroups: [securityGroup], open: false });
  }
  return securityGroup;
}
