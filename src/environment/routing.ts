import { Token, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { checkInteger, checkRange, isKnown } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { warn, WarningId } from '../guardrails/warnings';
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
   * The listener rule priority (1-50000; lower is evaluated first).
   * @default - automatic: specific rules before broad ones, stable when services come and go
   */
  readonly priority?: number;
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
  const hostHeaders = routing.hostHeaders ?? [];
  const pathPatterns = routing.pathPatterns ?? (hostHeaders.length === 0 ? ['/*'] : []);
  const header = options.httpHeader;
  checkRouting(scope, hostHeaders, pathPatterns, routing.priority, header ? header.values.length : 0);
  const conditions: elbv2.ListenerCondition[] = [];
  if (hostHeaders.length) conditions.push(elbv2.ListenerCondition.hostHeaders(hostHeaders));
  if (pathPatterns.length) conditions.push(elbv2.ListenerCondition.pathPatterns(pathPatterns));
  if (header) conditions.push(elbv2.ListenerCondition.httpHeader(header.name, header.values));
  const priority = priorities.register(scope, {
    hostHeaders,
    pathPatterns,
    priority: routing.priority,
    headers: header ? header.values.map(v => `${header.name}=${v}`) : undefined,
  });
  return new elbv2.ApplicationListenerRule(scope, id, { listener, priority, conditions, action: options.action });
}

function checkRouting(scope: IConstruct, hostHeaders: string[], pathPatterns: string[], priority: number | undefined,
  headerValues: number): void {
  checkInteger(scope, ErrorCode.ROUTING_INVALID, 'routing.priority', priority);
  checkRange(scope, ErrorCode.ROUTING_INVALID, 'routing.priority', priority, 1, 50000);
  const values = [...hostHeaders, ...pathPatterns];
  if (values.some(v => Token.isUnresolved(v))) return;
  if (values.length + headerValues > 5) {
    throw new ShipyardError(scope, ErrorCode.ROUTING_INVALID,
      `routing has ${values.length + headerValues} host header, path and header values; a listener rule takes at most 5`,
      'route fewer hosts or paths, or use broader wildcards');
  }
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
