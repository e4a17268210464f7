import { createHash } from 'crypto';
import { Lazy } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorCode, problemMessage, ShipyardError, show } from '../guardrails/errors';

/** One service's routing on a shared listener. */
export interface RouteRequest {
  /** Host header patterns (ALB wildcards `*` and `?`). */
  readonly hostHeaders: string[];
  /** Path patterns (ALB wildcards `*` and `?`). */
  readonly pathPatterns: string[];
  /**
   * Its other conditions (HTTP header, query string, method, source IP), one string each,
   * such as `header:x-tenant=acme|beta`: a request must meet every one, and one of the values
   * within each.
   */
  readonly conditions?: string[];
  /** An explicit priority, or undefined for an automatic one. */
  readonly priority?: number;
}

interface Route extends RouteRequest {
  readonly owner: IConstruct;
}

/** ALB rule priorities run 1-50000. */
const MAX_PRIORITY = 50000;
/** Four bands by conditions: with other conditions (header, query, method, source), host and path, host only, path only. */
const BAND_SIZE = 12450;
/** Ten groups per band by literal length; longer (more specific) patterns come first. */
const GROUP_SIZE = 1245;

/**
 * Allocates listener rule priorities for the services that share one listener.
 *
 * An automatic priority depends only on the route itself, never on the other services:
 * - specific rules come first: rules with a header, query-string, method or source-IP
 *   condition (test traffic among them), then
 *   host + path, then host only, then path only, and within
 *   each, patterns with more literal characters before broader ones;
 * - inside that slot a hash of the construct path picks the number, so adding or
 *   removing a service never renumbers another service's rule (CloudFormation would
 *   otherwise fail with "priority in use" while it swaps them).
 * Two rules of one stack that land on the same number are separated deterministically.
 * Rules that collide (same conditions) fail at construction; a rule that can never be
 * reached because an earlier rule matches everything it matches fails at validation.
 */
export class RulePriorities {
  private readonly routes: Route[] = [];
  private assigned?: Map<Route, number>;

  constructor(private readonly scope: IConstruct) {
    scope.node.addValidation({ validate: () => this.findShadowedRoutes() });
  }

  /** Register a route; returns its priority (a token resolved once every route is known). */
  public register(owner: IConstruct, request: RouteRequest): number {
    const route: Route = {
      owner,
      hostHeaders: normalise(request.hostHeaders, true),
      pathPatterns: normalise(request.pathPatterns, false),
      conditions: Array.from(new Set(request.conditions ?? [])).sort(),
      priority: request.priority,
    };
    for (const other of this.routes) {
      if (sameConditions(route, other)) {
        throw new ShipyardError(owner, ErrorCode.ROUTING_COLLISION,
          other.owner === owner ? `routing ${describe(route)} is the same as another route of this service's`
            : `routing ${describe(route)} is the same as ${other.owner.node.path}'s`,
          'give the route another host header, path pattern or condition');
      }
      if (route.priority !== undefined && route.priority === other.priority) {
        throw new ShipyardError(owner, ErrorCode.ROUTING_COLLISION,
          `rule priority ${route.priority} is already taken by ${other.owner.node.path}`,
          'choose another routing.priority, or leave it out for an automatic one');
      }
    }
    this.routes.push(route);
    this.assigned = undefined;
    return Lazy.number({ produce: () => this.priorityOf(route) });
  }

  private priorityOf(route: Route): number {
    if (!this.assigned) this.assigned = this.assign();
    return this.assigned.get(route)!;
  }

  private assign(): Map<Route, number> {
    const result = new Map<Route, number>();
    const taken = new Set<number>();
    for (const route of this.routes) {
      if (route.priority !== undefined) {
        result.set(route, route.priority);
        taken.add(route.priority);
      }
    }
    const automatic = this.routes
      .filter(r => r.priority === undefined)
      .map(r => ({ route: r, slot: preferredPriority(r) }))
      .sort((a, b) => a.slot - b.slot || a.route.owner.node.path.localeCompare(b.route.owner.node.path));
    for (const { route, slot } of automatic) {
      let priority = slot;
      while (taken.has(priority)) priority = priority >= MAX_PRIORITY ? 1 : priority + 1;
      taken.add(priority);
      result.set(route, priority);
    }
    return result;
  }

  private findShadowedRoutes(): string[] {
    const priorities = this.assign();
    const errors: string[] = [];
    for (const a of this.routes) {
      for (const b of this.routes) {
        if (a === b || priorities.get(a)! >= priorities.get(b)!) continue;
        if (covers(a, b)) {
          errors.push(problemMessage(b.owner, {
            code: ErrorCode.ROUTING_COLLISION,
            problem: `its rule ${describe(b)} (priority ${priorities.get(b)}) is never reached, because ${a.owner.node.path}'s rule ${describe(a)} `
              + `(priority ${priorities.get(a)}) matches every request it matches`,
            fix: 'give the broader service a higher routing.priority number, or narrow its routing',
          }));
        }
      }
    }
    return errors;
  }

  /** The construct the registry reports validation errors on. */
  public get owner(): IConstruct {
    return this.scope;
  }
}

/** The priority an automatic route asks for before collisions are separated. */
export function preferredPriority(route: RouteRequest & { owner: IConstruct }): number {
  const band = (route.conditions ?? []).length > 0 ? 0
    : route.hostHeaders.length > 0 ? (route.pathPatterns.length > 0 ? 1 : 2) : 3;
  const literal = Math.min(...[...route.hostHeaders, ...route.pathPatterns].map(literalLength));
  const group = Math.min(9, Math.floor(literal / 2));
  const hash = createHash('sha256').update(route.owner.node.path).digest().readUInt32BE(0);
  return 1 + band * BAND_SIZE + (9 - group) * GROUP_SIZE + (hash % GROUP_SIZE);
}

function literalLength(pattern: string): number {
  return pattern.replace(/[*?]/g, '').length;
}

function normalise(values: string[], caseInsensitive: boolean): string[] {
  const cleaned = values.map(v => (caseInsensitive ? v.toLowerCase() : v));
  return Array.from(new Set(cleaned)).sort();
}

function sameConditions(a: RouteRequest, b: RouteRequest): boolean {
  return JSON.stringify([a.hostHeaders, a.pathPatterns, a.conditions ?? []])
    === JSON.stringify([b.hostHeaders, b.pathPatterns, b.conditions ?? []]);
}

/** True when every request `b` matches is also matched by `a`. */
function covers(a: RouteRequest, b: RouteRequest): boolean {
  // Another condition narrows a rule: `a` covers `b` only if `b` has each of `a`'s conditions
  // as well (the same one; a broader one of `a` is not looked into, so this never reports a
  // rule that can be reached).
  const conditionsCovered = (a.conditions ?? []).every(c => (b.conditions ?? []).includes(c));
  return conditionsCovered && coversCondition(a.hostHeaders, b.hostHeaders) && coversCondition(a.pathPatterns, b.pathPatterns);
}

function coversCondition(broad: string[], narrow: string[]): boolean {
  if (broad.length === 0) return true; // no condition matches everything
  const targets = narrow.length === 0 ? ['*'] : narrow;
  return targets.every(t => broad.some(p => globToRegExp(p).test(t)));
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function describe(route: RouteRequest): string {
  const parts = [];
  if (route.hostHeaders.length) parts.push(`host ${show(route.hostHeaders)}`);
  if (route.pathPatterns.length) parts.push(`path ${show(route.pathPatterns)}`);
  if ((route.conditions ?? []).length) parts.push(show(route.conditions));
  return parts.join(' + ');
}
