// An ingress for a load balancer and listener created elsewhere (SharedIngress.fromListener),
// and the check that a route on the test listener has one, which both ingresses share.

import { aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import type { IIngress } from './ingress';
import { createRoute, RouteOptions } from './routing';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { LoadBalancerQuotas } from '../private/load-balancer-quotas';
import { RulePriorities } from '../private/rule-priorities';

/** The ingress of a load balancer and listener created elsewhere, with priorities unique among its own routes. */
export class ImportedIngress extends Construct implements IIngress {
  private readonly priorities: RulePriorities;
  private readonly testPriorities: RulePriorities;
  /** Counts only this app's rules and target groups: the load balancer may carry others. */
  private readonly quotas: LoadBalancerQuotas;
  constructor(scope: Construct, id: string,
    public readonly loadBalancer: elbv2.IApplicationLoadBalancer,
    public readonly listener: elbv2.IApplicationListener,
    public readonly protocol: elbv2.ApplicationProtocol,
    public readonly testListener?: elbv2.IApplicationListener) {
    super(scope, id);
    this.priorities = new RulePriorities(this);
    this.testPriorities = new RulePriorities(this);
    this.quotas = new LoadBalancerQuotas(this, 0);
  }

  public addRoute(scope: Construct, id: string, options: RouteOptions): elbv2.ApplicationListenerRule {
    this.quotas.addRule(options.action);
    return options.onTestListener
      ? createRoute(this.testPriorities, requireTestListener(this, this.testListener), scope, id, options)
      : createRoute(this.priorities, this.listener, scope, id, options);
  }
}

export function requireTestListener(ingress: IConstruct, listener: elbv2.IApplicationListener | undefined): elbv2.IApplicationListener {
  if (!listener) {
    throw new ShipyardError(ingress, ErrorCode.CONFLICTING_OPTIONS, 'a route asks for the test listener, but there is none',
      'set ingress.testListener on the Environment');
  }
  return listener;
}
