import { Token, aws_elasticloadbalancingv2 as elbv2, aws_route53 as route53 } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { checkInteger, checkRange, cidrFamily, isKnown } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { warn, WarningId } from '../guardrails/warnings';
import { aliasRecordFor } from '../private/dns-names';
import { RulePriorities } from '../private/rule-priorities';

/** Where a service receives traffic on the shared load balancer. */
export interface Routing {
  /**
   * Host headers to match (ALB wildcards `*` and `?`), e.g. `api.example.com`.
   * @default - any host
   */
  readonly hostHeaders?: string[];
  /**
   * Path patterns to match (ALB wildcards `*` and `?`), e.g. `/api/*`.
   * @default - ['/*'] when no host header is given, any path otherwise
   */
  readonly pathPatterns?: string[];
  /**
   * HTTP headers the request must carry, each with one of its values (ALB wildcards `*` and `?`).
   * @default - no header condition
   */
  readonly httpHeaders?: HttpHeaderMatch[];
  /**
   * Query parameters: the request must carry one of these key/value pairs (a pair without a
   * key matches any key with that value; ALB wildcards `*` and `?`).
   * @default - no query-string condition
   */
  readonly queryStrings?: QueryStringMatch[];
  /**
   * HTTP methods, such as `GET` or `POST`; the request must use one (case-sensitive, no wildcards).
   * @default - any method
   */
  readonly httpMethods?: string[];
  /**
   * Client address ranges (IPv4 or IPv6 CIDRs) the connection must come from: the address the
   * load balancer sees, not `X-Forwarded-For` (behind CloudFront or a proxy, theirs).
   * @default - any address
   */
  readonly sourceIps?: string[];
  /**
   * DNS names of the service: an alias A record for each, in `hostedZone`, points it at the
   * load balancer, and the rule routes them (as its host headers, unless `hostHeaders` are
   * given). The load balancer's certificate must cover them (a domain's certificate covers the
   * domain and one level below it).
   * @default - no DNS record of the service's own
   */
  readonly aliases?: string[];
  /**
   * The public hosted zone the alias records go in.
   * @default - the zone of the environment's domain (`ingress.domain`)
   */
  readonly hostedZone?: route53.IHostedZone;
  /**
   * The listener rule priority (1-50000; lower is evaluated first).
   * @default - automatic: specific rules before broad ones, stable when services come and go
   */
  readonly priority?: number;
}

/** A query-string key/value pair a request must carry. */
export interface QueryStringMatch {
  /**
   * The parameter's name.
   * @default - any parameter with the value
   */
  readonly key?: string;
  /** The value (ALB wildcards `*` and `?`). */
  readonly value: string;
}

/** An HTTP header condition. */
export interface HttpHeaderMatch {
  /** Header name. */
  readonly name: string;
  /** Values that match (ALB wildcards `*` and `?`). */
  readonly values: string[];
}

/** A route to add to the shared listener. */
export interface RouteOptions {
  /** Host and path conditions, and an optional explicit priority. */
  readonly routing: Routing;
  /** What the rule does with matching requests (forward, weighted forward...). */
  readonly action: elbv2.ListenerAction;
  /**
   * An HTTP header the request must also carry (test traffic).
   * @default - no header condition
   */
  readonly httpHeader?: HttpHeaderMatch;
  /**
   * Add the rule to the test listener instead of the production listener.
   * @default false
   */
  readonly onTestListener?: boolean;
}

/**
 * ALB limits: at most 5 condition values per rule, path patterns up to 128 characters,
 * host headers up to 128 characters. Source: Elastic Load Balancing User Guide,
 * "Listener rules for your Application Load Balancer" (Rule condition types).
 */
export function createRoute(priorities: RulePriorities, listener: elbv2.IApplicationListener, scope: Construct, id: string,
  options: RouteOptions): elbv2.ApplicationListenerRule {
  const routing = options.routing;
  const hostHeaders = routing.hostHeaders ?? routing.aliases ?? [];
  const pathPatterns = routing.pathPatterns ?? (hostHeaders.length === 0 ? ['/*'] : []);
  const headers = [...routing.httpHeaders ?? [], ...options.httpHeader ? [options.httpHeader] : []];
  const queryStrings = routing.queryStrings ?? [];
  const methods = routing.httpMethods ?? [];
  const sourceIps = routing.sourceIps ?? [];
  checkRouting(scope, hostHeaders, pathPatterns, routing.priority);
  checkOtherConditions(scope, [...hostHeaders, ...pathPatterns].length, headers, queryStrings, methods, sourceIps);
  const conditions: elbv2.ListenerCondition[] = [];
  if (hostHeaders.length) conditions.push(elbv2.ListenerCondition.hostHeaders(hostHeaders));
  if (pathPatterns.length) conditions.push(elbv2.ListenerCondition.pathPatterns(pathPatterns));
  for (const header of headers) conditions.push(elbv2.ListenerCondition.httpHeader(header.name, header.values));
  if (queryStrings.length) conditions.push(elbv2.ListenerCondition.queryStrings(queryStrings.map(q => ({ key: q.key, value: q.value }))));
  if (methods.length) conditions.push(elbv2.ListenerCondition.httpRequestMethods(methods));
  if (sourceIps.length) conditions.push(elbv2.ListenerCondition.sourceIps(sourceIps));
  const priority = priorities.register(scope, {
    hostHeaders,
    pathPatterns,
    priority: routing.priority,
    conditions: [
      // Header names and values match case-insensitively; methods, query strings and addresses as written.
      ...headers.map(h => `header:${h.name.toLowerCase()}=${[...h.values].map(v => v.toLowerCase()).sort().join('|')}`),
      ...queryStrings.length ? [`query:${queryStrings.map(q => `${q.key ?? '*'}=${q.value}`).sort().join('|')}`] : [],
      ...methods.length ? [`method:${[...methods].sort().join('|')}`] : [],
      ...sourceIps.length ? [`source:${[...sourceIps].sort().join('|')}`] : [],
    ],
  });
  return new elbv2.ApplicationListenerRule(scope, id, { listener, priority, conditions, action: options.action });
}

function checkRouting(scope: IConstruct, hostHeaders: string[], pathPatterns: string[], priority: number | undefined): void {
  checkInteger(scope, ErrorCode.ROUTING_INVALID, 'routing.priority', priority);
  checkRange(scope, ErrorCode.ROUTING_INVALID, 'routing.priority', priority, 1, 50000);
  const values = [...hostHeaders, ...pathPatterns];
  if (values.some(v => Token.isUnresolved(v))) return;
  for (const p of pathPatterns) {
    if (!isKnown(p)) continue;
    if (p.length === 0 || p.length > 128 || !/^[A-Za-z0-9_\-.$/~"'@:+&()!,;=*?]+$/.test(p)) {
      throw new ShipyardError(scope, ErrorCode.ROUTING_INVALID, `path pattern ${show(p)} is not valid`,
        'use 1-128 characters of A-Z a-z 0-9 _ - . $ / ~ " \' @ : + & ( ) ! , ; = and the wildcards * ?');
    }
  }
  // The load balancer matches the request path, which always starts with /: a pattern that
  // starts with anything but / or a wildcard never matches.
  const unreachable = pathPatterns.filter(p => isKnown(p) && !/^[/*?]/.test(p));
  if (unreachable.length > 0) {
    warn(scope, WarningId.UNREACHABLE_ROUTE,
      `path pattern ${unreachable.map(p => show(p)).join(', ')} can never match: request paths start with /; write ${show(`/${unreachable[0]}`)}`);
  }
  for (const h of hostHeaders) {
    if (h.length === 0 || h.length > 128 || !/^[A-Za-z0-9\-.*?]+$/.test(h)) {
      throw new ShipyardError(scope, ErrorCode.ROUTING_INVALID, `host header ${show(h)} is not valid`,
        'use 1-128 characters of A-Z a-z 0-9 - . and the wildcards * ?');
    }
  }
}

/**
 * ALB limits: at most 5 condition values per rule in all (each host, path, header value, query
 * pair, method and address counts one); header names of token characters up to 40; header
 * and query values up to 128 characters; methods of A-Z, - and _ up to 40 characters, without
 * wildcards; source IPs as CIDRs. Source: Elastic Load Balancing User Guide, "Listener rules
 * for your Application Load Balancer" (Condition types).
 */
function checkOtherConditions(scope: IConstruct, hostAndPathValues: number, headers: HttpHeaderMatch[], queryStrings: QueryStringMatch[],
  methods: string[], sourceIps: string[]): void {
  const fail = (problem: string, fix: string) => {
    throw new ShipyardError(scope, ErrorCode.ROUTING_INVALID, problem, fix);
  };
  const values = hostAndPathValues + headers.reduce((n, h) => n + h.values.length, 0) + queryStrings.length + methods.length + sourceIps.length;
  if (values > 5) {
    fail(`routing has ${values} condition values (hosts, paths, header values, query pairs, methods, addresses); a listener rule takes at most 5`,
      'route on fewer values, or use broader wildcards');
  }
  for (const h of headers) {
    if (isKnown(h.name) && !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,40}$/.test(h.name)) {
      fail(`HTTP header name ${show(h.name)} is not valid`, 'give a header name of up to 40 letters, digits and !#$%&\'*+-.^_`|~');
    }
    // An http-header condition cannot name the host header (same source, "HTTP header conditions").
    if (isKnown(h.name) && h.name.toLowerCase() === 'host') {
      fail(`HTTP header condition on ${show(h.name)}: the load balancer takes the host only in a host-header condition`, `give routing.hostHeaders: ${JSON.stringify(h.values)}`);
    }
    if (h.values.length === 0) fail(`HTTP header ${show(h.name)} has no values`, 'give the values (one or more) the header must have');
    for (const v of h.values) if (isKnown(v) && (v.length === 0 || v.length > 128)) fail(`HTTP header value ${show(v)} is not 1-128 characters`, 'shorten it, or use wildcards');
  }
  for (const q of queryStrings) {
    for (const v of [q.key, q.value]) {
      if (v !== undefined && isKnown(v) && (v.length === 0 || v.length > 128)) fail(`query string ${show(v)} is not 1-128 characters`, 'shorten it, or use wildcards');
    }
  }
  for (const m of methods) {
    if (isKnown(m) && !/^[A-Z_-]{1,40}$/.test(m)) {
      fail(`HTTP method ${show(m)} is not valid`, 'write methods in capitals, such as GET, POST or PUT (A-Z, - and _; no wildcards)');
    }
  }
  for (const ip of sourceIps) {
    if (isKnown(ip) && cidrFamily(ip) === undefined) {
      fail(`source IP ${show(ip)} is not a CIDR`, 'write an address range such as 203.0.113.0/24 (a single address is /32) or 2001:db8::/32');
    }
  }
}

/**
 * An alias A record for each of the routing's aliases, pointing at `loadBalancer`, in the
 * routing's zone or else `defaultZone`. A name must be a DNS name inside the zone (when the
 * zone's name is known at synth).
 */
export function createAliasRecords(scope: Construct, routings: Routing[], loadBalancer: elbv2.IApplicationLoadBalancer,
  defaultZone: route53.IHostedZone | undefined): route53.ARecord[] {
  const records: route53.ARecord[] = [];
  const seen = new Set<string>();
  routings.forEach((routing, r) => {
    const aliases = routing.aliases ?? [];
    if (aliases.length === 0) return;
    const zone = routing.hostedZone ?? defaultZone;
    if (!zone) {
      throw new ShipyardError(scope, ErrorCode.ROUTING_INVALID, `routing.aliases ${show(aliases)} have no hosted zone to go in`,
        'give routing.hostedZone, or the environment a domain (ingress.domain) whose zone they belong to');
    }
    aliases.forEach((alias, i) => {
      const key = isKnown(alias) ? alias.replace(/\.$/, '').toLowerCase() : undefined;
      if (key !== undefined && seen.has(key)) {
        throw new ShipyardError(scope, ErrorCode.ROUTING_INVALID, `routing alias ${show(alias)} is given twice (one record per name)`,
          'name each alias once, on one of the service\'s routes; the rules of the other routes can still match it as a host header');
      }
      if (key !== undefined) seen.add(key);
      records.push(aliasRecord(scope, r === 0 ? `Alias${i}` : `Route${r + 1}Alias${i}`, zone, alias, loadBalancer));
    });
  });
  return records;
}

/** One alias A record, checked as a DNS name in the zone. */
function aliasRecord(scope: Construct, id: string, zone: route53.IHostedZone, alias: string,
  loadBalancer: elbv2.IApplicationLoadBalancer): route53.ARecord {
  checkNameInZone(scope, 'routing alias', alias, zone, 'routing.hostedZone');
  return aliasRecordFor(scope, id, zone, alias, loadBalancer);
}

/**
 * Throws when a known name is not a DNS name (labels of letters, digits and hyphens up to 63
 * characters, 253 in all), or lies outside the hosted zone that is to hold its records (a zone
 * holds records of its own domain and the domains under it; Route 53 Developer Guide).
 */
export function checkNameInZone(scope: IConstruct, what: string, value: string, zone: route53.IHostedZone, zoneProp: string): void {
  if (!isKnown(value)) return;
  const zoneName = Token.isUnresolved(zone.zoneName) ? undefined : zone.zoneName.replace(/\.$/, '').toLowerCase();
  const name = value.replace(/\.$/, '').toLowerCase();
  if (name.length > 253 || name.split('.').some(l => !/^(\*|[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$/.test(l))) {
    throw new ShipyardError(scope, ErrorCode.ROUTING_INVALID, `${what} ${show(value)} is not a DNS name`,
      'give a name such as api.example.com: labels of letters, digits and hyphens, up to 63 characters each');
  }
  if (zoneName !== undefined && name !== zoneName && !name.endsWith(`.${zoneName}`)) {
    throw new ShipyardError(scope, ErrorCode.ROUTING_INVALID, `${what} ${show(value)} is not in the hosted zone ${zoneName}`,
      `give a name under ${zoneName}, or the hosted zone it belongs to (${zoneProp})`);
  }
}
