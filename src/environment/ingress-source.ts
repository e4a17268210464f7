import { Stack, Token, aws_ec2 as ec2 } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { cidrFamily } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/**
 * The AWS-managed prefix list of CloudFront's origin-facing servers, and the number of
 * security group rules it counts as. Source: Amazon VPC User Guide, "AWS-managed prefix
 * lists" (com.amazonaws.global.cloudfront.origin-facing, weight 55).
 */
export const CLOUDFRONT_PREFIX_LIST = { name: 'com.amazonaws.global.cloudfront.origin-facing', weight: 55 };

/**
 * Inbound rules a security group may have by default. Source: Amazon VPC User Guide, "Amazon
 * VPC quotas" (inbound or outbound rules per security group: 60, adjustable).
 */
export const SECURITY_GROUP_RULES = 60;

/** What an ingress source admits, resolved in the scope of the load balancer. */
export interface IngressPeer {
  /** The peer security group rules admit. */
  readonly peer: ec2.IPeer;
  /** How many security group rules one rule to it counts as. */
  readonly weight: number;
  /** Whether it only reaches the production listener (not the HTTP redirect or test ports). */
  readonly productionPortOnly: boolean;
  /** Whether it is every address (0.0.0.0/0 or ::/0). */
  readonly everyone?: boolean;
}

/**
 * Who may reach the environment's shared load balancer: IP ranges, prefix lists, or
 * CloudFront only.
 */
export abstract class IngressSource {
  /** An IPv4 or IPv6 range, e.g. `203.0.113.0/24` (an office) or `2001:db8::/32`. */
  public static cidr(cidr: string): IngressSource {
    return new CidrSource(cidr);
  }

  /** A managed prefix list by id (`pl-...`), e.g. your organisation's office ranges; it counts as its max entries in rules. */
  public static prefixList(prefixListId: string, maxEntries: number = 1): IngressSource {
    return new PrefixListSource(prefixListId, maxEntries);
  }

  /**
   * CloudFront's origin-facing servers only: the AWS-managed prefix list
   * `com.amazonaws.global.cloudfront.origin-facing`, looked up at synth (so the stack needs an
   * account and region). It counts as 55 of a security group's 60 inbound rules, so it admits
   * the production listener's port only; CloudFront connects to the HTTPS listener directly.
   */
  public static cloudFront(): IngressSource {
    return new CloudFrontSource();
  }

  /** What the source is, for messages. */
  public abstract readonly description: string;

  /**
   * Validate and resolve the source in `scope`.
   * @internal
   */
  public abstract _peer(scope: Construct, index: number): IngressPeer;
}

class CidrSource extends IngressSource {
  public readonly description: string;
  constructor(private readonly cidr: string) {
    super();
    this.description = `CIDR ${cidr}`;
  }

  public _peer(scope: Construct): IngressPeer {
    const cidr = this.cidr;
    if (Token.isUnresolved(cidr)) return { peer: ec2.Peer.ipv4(cidr), weight: 1, productionPortOnly: false };
    const family = cidrFamily(cidr);
    if (family === 'ipv4') return { peer: ec2.Peer.ipv4(cidr), weight: 1, productionPortOnly: false, everyone: cidr === '0.0.0.0/0' };
    if (family === 'ipv6') return { peer: ec2.Peer.ipv6(cidr), weight: 1, productionPortOnly: false, everyone: cidr === '::/0' };
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `ingress.allowedSources has ${show(cidr)}, which is not an IPv4 or IPv6 CIDR`,
      'write a range such as 203.0.113.0/24 or 2001:db8::/32 (a single address is /32 or /128)');
  }
}

class PrefixListSource extends IngressSource {
  public readonly description: string;
  constructor(private readonly prefixListId: string, private readonly maxEntries: number) {
    super();
    this.description = `prefix list ${prefixListId}`;
  }

  public _peer(scope: Construct): IngressPeer {
    if (!Token.isUnresolved(this.prefixListId) && !/^pl-[0-9a-f]{8,17}$/.test(this.prefixListId)) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `ingress.allowedSources has prefix list ${show(this.prefixListId)}`,
        'give a prefix list id (pl- and 8 or 17 hexadecimal digits), as the VPC console lists it');
    }
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `prefix list ${this.prefixListId} has maxEntries ${this.maxEntries}`,
        'give the prefix list\'s maximum entries, a whole number from 1: each rule that names it counts as that many rules');
    }
    return { peer: ec2.Peer.prefixList(this.prefixListId), weight: this.maxEntries, productionPortOnly: false };
  }
}

class CloudFrontSource extends IngressSource {
  public readonly description = 'CloudFront\'s origin-facing servers';

  public _peer(scope: Construct, index: number): IngressPeer {
    const stack = Stack.of(scope);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS,
        'IngressSource.cloudFront() looks up the CloudFront prefix list, but the stack has no account and region',
        `give the stack env: { account, region }, or use IngressSource.prefixList('pl-...', ${CLOUDFRONT_PREFIX_LIST.weight}) with the id of `
        + `${CLOUDFRONT_PREFIX_LIST.name} in your region`);
    }
    const list = ec2.PrefixList.fromLookup(scope, `CloudFrontPrefixList${index}`, { prefixListName: CLOUDFRONT_PREFIX_LIST.name });
    return { peer: ec2.Peer.prefixList(list.prefixListId), weight: CLOUDFRONT_PREFIX_LIST.weight, productionPortOnly: true };
  }
}

/**
 * Who may reach a load balancer's listeners (`<what>.allowedSources`): anyone on IPv4 when it
 * faces the internet and the VPC's range when internal, unless sources are given; an empty list,
 * and CloudFront in front of an internal load balancer, fail.
 */
export function ingressPeers(scope: IConstruct, what: string, sources: IngressSource[] | undefined, internetFacing: boolean,
  vpcCidr: string): IngressPeer[] {
  if (sources === undefined) {
    return [{ peer: internetFacing ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(vpcCidr), weight: 1, productionPortOnly: false, everyone: internetFacing }];
  }
  if (sources.length === 0) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `${what}.allowedSources is empty, so no client could reach the load balancer`,
      'name who may reach it (IngressSource.cidr, .prefixList or .cloudFront), or leave allowedSources out');
  }
  const peers = sources.map((source, i) => source._peer(scope as Construct, i));
  if (!internetFacing && peers.some(p => p.productionPortOnly)) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, 'IngressSource.cloudFront() is given for an internal load balancer',
      'CloudFront reaches internal load balancers through VPC origins, not its public prefix list: set internetFacing: true, or admit the VPC origin\'s range');
  }
  return peers;
}

/** Throws when `<what>.allowedSources` need more inbound rules than a security group may have. */
export function checkSecurityGroupRules(scope: IConstruct, what: string, sources: IngressSource[], rules: number): void {
  if (rules <= SECURITY_GROUP_RULES) return;
  throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS,
    `${what}.allowedSources need ${rules} inbound rules on the load balancer's security group, over the ${SECURITY_GROUP_RULES} a group may have`
    + ` (${sources.map(s => s.description).join(', ')})`,
    'admit fewer ranges, or gather them in one customer-managed prefix list with fewer entries');
}
