import { Token, aws_elasticloadbalancingv2 as elbv2, aws_route53 as route53, aws_route53_targets as targets } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/** A name the app has given a record: who made it, and where it points. */
interface Claim {
  readonly record: route53.ARecord;
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
}

/** The records of each app, by hosted zone and name. */
const CLAIMS = new WeakMap<IConstruct, Map<string, Claim>>();

/**
 * An alias A record for `name` in `zone`, pointing at `loadBalancer`, one per name in the whole
 * app: a name services share on purpose (one host, several paths on one load balancer; a
 * service alias that is the environment's own domain) gets one record, the first one made; a
 * name claimed for another load balancer fails, since Route 53 holds one A record per name and
 * CloudFormation would refuse the second at deploy. A name or zone that is a token is not
 * compared (it is known at deploy only).
 */
export function aliasRecordFor(scope: Construct, id: string, zone: route53.IHostedZone, name: string,
  loadBalancer: elbv2.IApplicationLoadBalancer): route53.ARecord {
  const zoneKey = zone.hostedZoneId;
  const make = () => new route53.ARecord(scope, id, {
    zone, recordName: name, target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(loadBalancer)),
  });
  if (Token.isUnresolved(name) || Token.isUnresolved(zoneKey)) return make();
  const claims = CLAIMS.get(scope.node.root) ?? new Map<string, Claim>();
  CLAIMS.set(scope.node.root, claims);
  const key = `${zoneKey}|${name.replace(/\.$/, '').toLowerCase()}`;
  const claim = claims.get(key);
  if (claim && (claim.loadBalancer === loadBalancer || claim.loadBalancer.loadBalancerArn === loadBalancer.loadBalancerArn)) return claim.record;
  if (claim) {
    throw new ShipyardError(scope, ErrorCode.ROUTING_COLLISION,
      `the DNS name ${show(name)} is already the record ${claim.record.node.path}, for another load balancer`,
      'give this service another alias: Route 53 holds one A record per name, and CloudFormation refuses a second');
  }
  const record = make();
  claims.set(key, { record, loadBalancer });
  return record;
}
