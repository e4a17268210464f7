import {
  CfnResource, Names, Token, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_iam as iam, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import { checkSecurityGroupRules, IngressPeer, ingressPeers, IngressSource } from './ingress-source';
import { TestTraffic } from '../deployment/deployment';
import { checkInteger, checkPattern, checkWebAclArn, isKnown } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { allowLoadBalancerLogDelivery, createAccessLogsBucket } from '../private/access-logs';
import { acknowledge } from '../private/nag';

/**
 * The AWS managed policy for a gateway's infrastructure role: it lets ECS create and change the
 * load balancers, listeners, rules and target groups of the gateway (and the ELB service-linked
 * role). Source: AWS Managed Policy Reference, AmazonECSInfrastructureRoleForGatewayHostSharedALB
 * ("Default policy for the Amazon ECS infrastructure role for Amazon ECS Service Gateway
 * Services", arn:aws:iam::aws:policy/AmazonECSInfrastructureRoleForGatewayHostSharedALB, v1 of
 * 2026-09-25). The role is trusted by `ecs.amazonaws.com`, as ECS's other infrastructure roles are
 * (Amazon ECS Developer Guide, "Amazon ECS infrastructure IAM role").
 */
export const GATEWAY_INFRASTRUCTURE_POLICY = 'AmazonECSInfrastructureRoleForGatewayHostSharedALB';

/**
 * An ECS-managed shared load balancer (ECS Gateway) instead of the environment's own: ECS
 * provisions Application Load Balancers when the first service connects, spreads the services
 * over up to `maxAlbCount` of them, and gives each service an HTTPS host name of its own.
 * Source: Amazon ECS Developer Guide, "Create and manage an Amazon ECS Gateway" and "Connect
 * Amazon ECS services to a gateway".
 */
export interface EcsGatewayOptions {
  /**
   * Whether the gateway's load balancers face the internet (services get PUBLIC connections) or
   * are internal (PRIVATE connections).
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * Who may reach the gateway's HTTPS port (443, the only one it listens on): IP ranges, prefix
   * lists, or CloudFront only. They are the rules of the inbound security group the environment
   * gives the gateway.
   * @default - anyone on IPv4 (and IPv6 with a dual-stack address type) when internet-facing; the VPC's range when internal
   */
  readonly allowedSources?: IngressSource[];
  /**
   * ARN of a regional AWS WAF (v2) web ACL ECS associates with every load balancer of the gateway.
   * @default - no web ACL
   */
  readonly webAclArn?: string;
  /**
   * Days the gateway's access logs are kept in their bucket.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
  /**
   * The most Application Load Balancers ECS provisions for the gateway; each costs the hourly
   * price of an ALB once ECS creates it.
   * @default - ECS's default, 10
   */
  readonly maxAlbCount?: number;
  /**
   * Protect the gateway from deletion.
   * @default - true in production, false in development
   */
  readonly deletionProtection?: boolean;
  /**
   * The header rule that routes test traffic to a new service revision in ECS's progressive
   * deployments (`TestTraffic.header(name, values)`; the gateway has no test listener).
   * @default - no test traffic rule
   */
  readonly testTraffic?: TestTraffic;
  /**
   * How the load balancers treat requests that may pose an HTTP desync risk.
   * @default elbv2.DesyncMitigationMode.DEFENSIVE (ECS's default)
   */
  readonly desyncMitigationMode?: elbv2.DesyncMitigationMode;
  /**
   * The IP address type of the load balancers. ECS's own default is dual-stack, which needs
   * subnets with IPv6 ranges; the environment's VPC has IPv4 ranges only.
   * @default elbv2.IpAddressType.IPV4
   */
  readonly ipAddressType?: elbv2.IpAddressType;
  /**
   * The gateway's name, unique in the account (up to 255 letters, digits and hyphens).
   * @default - a name unique to the construct path
   */
  readonly gatewayName?: string;
  /**
   * The role ECS assumes to manage the gateway's load balancers, listeners, target groups,
   * security groups and certificates.
   * @default - a new role that `ecs.amazonaws.com` assumes, with the AWS managed policy AmazonECSInfrastructureRoleForGatewayHostSharedALB
   */
  readonly infrastructureRole?: iam.IRole;
}

/** What a web service needs from the ECS gateway it joins. */
export interface IEcsGateway {
  /** The gateway's ARN. */
  readonly gatewayArn: string;
  /** Whether its load balancers face the internet (PUBLIC connections) or are internal (PRIVATE). */
  readonly internetFacing: boolean;
  /** The address ranges the gateway's load balancers reach tasks from (their subnets'): the tasks admit them. */
  readonly loadBalancerCidrs: string[];
  /**
   * The Availability Zones of the load balancers' subnets, when known at synth: a service must
   * run in these zones only.
   * @default - unknown
   */
  readonly availabilityZones?: string[];
  /**
   * What a service waits for before it connects: the gateway's association with the cluster.
   * @default - nothing: the cluster was associated elsewhere
   */
  readonly clusterAssociation?: IDependable;
}

/** Properties of an ECS gateway built by an environment. */
export interface EcsGatewayProps extends EcsGatewayOptions {
  /** The VPC of the cluster. */
  readonly vpc: ec2.IVpc;
  /** The cluster the gateway is associated with. */
  readonly cluster: ecs.ICluster;
  /** Whether the environment is production (deletion protection on). */
  readonly production: boolean;
  /**
   * Subnets for the load balancers (at least 2, one per Availability Zone the services run in).
   * @default - public subnets when internet-facing, private otherwise, one per AZ
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * The VPC's IPv4 range as a literal, so security group rules name it.
   * @default - the VPC's CidrBlock attribute
   */
  readonly vpcCidr?: string;
  /**
   * Tags the gateway carries and propagates to the resources ECS creates for it.
   * @default - none
   */
  readonly tags?: { [key: string]: string };
}

/**
 * An ECS Gateway (`AWS::ECS::Gateway` with a host-based shared ALB configuration), its
 * infrastructure role, inbound security group and access-log bucket, associated with the
 * environment's cluster. Web services of the environment join it with a gateway connector.
 */
export class EcsGateway extends Construct implements IEcsGateway {
  public readonly gatewayArn: string;
  /** The gateway's name. */
  public readonly gatewayName: string;
  public readonly internetFacing: boolean;
  public readonly loadBalancerCidrs: string[];
  public readonly availabilityZones?: string[];
  public readonly clusterAssociation?: IDependable;
  /** The `AWS::ECS::Gateway` resource (escape hatch: `addPropertyOverride`). */
  public readonly resource: CfnResource;
  /** The `AWS::ECS::GatewayClusterAssociations` resource that associates the gateway with the cluster. */
  public readonly association: CfnResource;
  /** The role ECS assumes to manage the gateway's infrastructure. */
  public readonly infrastructureRole: iam.IRole;
  /** The inbound security group of the gateway's load balancers: who may reach port 443. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The bucket that receives the load balancers' access logs (SSE-S3: ALB access logs cannot use KMS). */
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: EcsGatewayProps) {
    super(scope, id);
    this.internetFacing = props.internetFacing ?? true;
    const vpcCidr = props.vpcCidr ?? props.vpc.vpcCidrBlock;
    const subnets = gatewaySubnets(this, props, this.internetFacing);
    this.loadBalancerCidrs = subnetCidrs(subnets, vpcCidr);
    this.availabilityZones = subnets.availabilityZones.some(az => Token.isUnresolved(az)) ? undefined : subnets.availabilityZones;
    this.gatewayName = props.gatewayName ?? Names.uniqueResourceName(this, { maxLength: 255, separator: '-' });
    // Source: AWS CloudFormation Template Reference, AWS::ECS::Gateway GatewayName (up to 255 letters, digits and hyphens).
    checkPattern(this, ErrorCode.GATEWAY, 'gateway.gatewayName', this.gatewayName, /^[A-Za-z0-9-]{1,255}$/, 'up to 255 letters, digits and hyphens');
    checkWebAclArn(this, ErrorCode.GATEWAY, 'gateway.webAclArn', props.webAclArn);
    checkInteger(this, ErrorCode.GATEWAY, 'gateway.maxAlbCount', props.maxAlbCount);
    if (isKnown(props.maxAlbCount) && props.maxAlbCount < 1) {
      throw new ShipyardError(this, ErrorCode.GATEWAY, `gateway.maxAlbCount is ${props.maxAlbCount}, so ECS could provision no load balancer`,
        'give a whole number from 1, or leave it out for ECS\'s default of 10');
    }

    this.securityGroup = this.inboundSecurityGroup(props, vpcCidr);
    this.accessLogsBucket = createAccessLogsBucket(this, 'AccessLogs', 'gateway.accessLogRetentionDays', props.accessLogRetentionDays ?? 365,
      ErrorCode.GATEWAY);
    allowLoadBalancerLogDelivery(this, this.accessLogsBucket);
    this.infrastructureRole = props.infrastructureRole ?? infrastructureRole(this);
    this.resource = new CfnResource(this, 'Resource', {
      type: 'AWS::ECS::Gateway',
      properties: {
        GatewayName: this.gatewayName,
        InfrastructureRoleArn: this.infrastructureRole.roleArn,
        DeletionProtection: props.deletionProtection ?? props.production,
        Configuration: { HostSharedAlb: this.hostSharedAlb(props, subnets) },
        ...tagProperties(props.tags ?? {}),
      },
    });
    // The load balancers ECS creates write their access logs once the bucket admits them.
    if (this.accessLogsBucket.policy) this.resource.node.addDependency(this.accessLogsBucket.policy);
    this.gatewayArn = this.resource.getAtt('Arn').toString();
    // Source: Amazon ECS API Reference, AssociateGatewayWithCluster (a cluster takes up to 5 gateways);
    // AWS CloudFormation Template Reference, AWS::ECS::GatewayClusterAssociations.
    this.association = new CfnResource(this, 'ClusterAssociation', {
      type: 'AWS::ECS::GatewayClusterAssociations',
      properties: { Cluster: props.cluster.clusterArn, Gateway: this.gatewayArn },
    });
    this.clusterAssociation = this.association;
  }

  /**
   * The `HostSharedAlb` configuration. The gateway listens on HTTPS port 443 only (Amazon ECS API
   * Reference, HostSharedAlbConfiguration port and protocol), so neither is written; access
   * logging is on by the presence of a destination (AWS::ECS::Gateway GatewayElbAccessLogConfiguration).
   */
  private hostSharedAlb(props: EcsGatewayProps, subnets: ec2.SelectedSubnets): Record<string, unknown> {
    const test = props.testTraffic?._bind(this);
    if (test?.onTestListener) {
      throw new ShipyardError(this, ErrorCode.GATEWAY, 'gateway.testTraffic is TestTraffic.testListener(), but a gateway has no test listener',
        'route test traffic by a header: TestTraffic.header(name, values)');
    }
    return {
      Scheme: this.internetFacing ? 'internet-facing' : 'internal',
      NetworkConfiguration: {
        Subnets: subnets.subnetIds,
        InboundSecurityGroup: this.securityGroup.securityGroupId,
        IpAddressType: props.ipAddressType ?? elbv2.IpAddressType.IPV4,
      },
      AccessLogs: { Destination: { S3: { Bucket: this.accessLogsBucket.bucketName } } },
      ...props.maxAlbCount !== undefined ? { MaxAlbCount: props.maxAlbCount } : {},
      ...props.desyncMitigationMode !== undefined ? { HttpDesync: props.desyncMitigationMode } : {},
      ...props.webAclArn !== undefined ? { WebACLArn: props.webAclArn } : {},
      ...test?.headerName ? { TestTrafficRules: { Header: { Name: test.headerName, Values: test.headerValues } } } : {},
    };
  }

  /**
   * The security group the gateway's load balancers take inbound rules from: when one is given,
   * the gateway creates no inbound rules on the group it manages (Amazon ECS API Reference,
   * GatewayElbNetworkConfiguration inboundSecurityGroup). Port 443 only; out, the VPC only.
   */
  private inboundSecurityGroup(props: EcsGatewayProps, vpcCidr: string): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'ECS gateway load balancers: HTTPS from clients, out to targets in the VPC',
      allowAllOutbound: false,
    });
    group.addEgressRule(ec2.Peer.ipv4(vpcCidr), ec2.Port.tcpRange(1, 65535), 'To targets in the VPC');
    const sources = props.allowedSources;
    const peers: IngressPeer[] = ingressPeers(this, 'gateway', sources, this.internetFacing, vpcCidr);
    const dualStack = props.ipAddressType !== undefined && props.ipAddressType !== elbv2.IpAddressType.IPV4;
    if (sources === undefined && this.internetFacing && dualStack) {
      peers.push({ peer: ec2.Peer.anyIpv6(), weight: 1, productionPortOnly: false, everyone: true });
    }
    if (sources !== undefined) checkSecurityGroupRules(this, 'gateway', sources, peers.reduce((sum, p) => sum + p.weight, 0));
    for (const client of peers) group.addIngressRule(client.peer, ec2.Port.tcp(443), 'HTTPS from clients');
    if (this.internetFacing && peers.some(p => p.everyone)) {
      acknowledge(group, [{
        id: 'AwsSolutions-EC23',
        reason: 'An internet-facing ECS gateway accepts HTTPS (port 443, its only listener) from any address; nothing else is open.',
      }]);
    }
    return group;
  }
}

/**
 * The load balancers' subnets: at least 2 (AWS CloudFormation Template Reference, AWS::ECS::Gateway
 * GatewayElbNetworkConfiguration Subnets, minimum 2), when their number is known.
 */
function gatewaySubnets(scope: Construct, props: EcsGatewayProps, internetFacing: boolean): ec2.SelectedSubnets {
  const selected = props.vpc.selectSubnets(props.subnets ?? { subnetType: internetFacing ? ec2.SubnetType.PUBLIC : undefined, onePerAz: true });
  if (selected.subnetIds.length < 2) {
    throw new ShipyardError(scope, ErrorCode.GATEWAY, `the gateway's load balancers get ${selected.subnetIds.length} subnet(s); an ECS gateway takes at least 2`,
      'span at least 2 Availability Zones (Network.newVpc({ maxAzs: 2 })), or use the self-managed load balancer (ingress)');
  }
  return selected;
}

/** The subnets' IPv4 ranges, or the VPC's when a subnet's range is unknown (an imported subnet without it). */
function subnetCidrs(subnets: ec2.SelectedSubnets, vpcCidr: string): string[] {
  try {
    return subnets.subnets.map(s => s.ipv4CidrBlock);
  } catch {
    return [vpcCidr];
  }
}

/** The infrastructure role: trusted by `ecs.amazonaws.com`, with the AWS managed policy ECS documents for it. */
function infrastructureRole(scope: Construct): iam.Role {
  const role = new iam.Role(scope, 'InfrastructureRole', {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    description: `${scope.node.path}: lets ECS manage the gateway's load balancers, listeners, target groups, security groups and certificates`,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(GATEWAY_INFRASTRUCTURE_POLICY)],
  });
  acknowledge(role, [{
    id: 'AwsSolutions-IAM4',
    reason: `${GATEWAY_INFRASTRUCTURE_POLICY} is the AWS managed policy for an ECS gateway's infrastructure role; ECS names the load `
      + 'balancers, listeners, rules and target groups it creates at run time, so no policy scoped to them can be written at synth, and AWS '
      + 'updates this one as the gateway gains features. The role is assumed by ECS only.',
    appliesTo: [`Policy::arn:<AWS::Partition>:iam::aws:policy/${GATEWAY_INFRASTRUCTURE_POLICY}`],
  }]);
  return role;
}

/** The gateway's tags, propagated to the resources ECS creates for it (PropagateTags GATEWAY). */
function tagProperties(tags: { [key: string]: string }): Record<string, unknown> {
  const entries = Object.entries(tags);
  if (entries.length === 0) return {};
  return { PropagateTags: 'GATEWAY', Tags: entries.map(([Key, Value]) => ({ Key, Value })) };
}

/** A gateway created elsewhere (the environment that owns it), for an imported environment's web services. */
export function importedGateway(gatewayArn: string, internetFacing: boolean, vpcCidr: string): IEcsGateway {
  return { gatewayArn, internetFacing, loadBalancerCidrs: [vpcCidr] };
}
