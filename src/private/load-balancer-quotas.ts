import { aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorCode, problemMessage } from '../guardrails/errors';
import { QUOTA_WARNING_SHARE, warn, WarningId } from '../guardrails/warnings';

/**
 * Application Load Balancer quotas the shared ingress can pass as services join it. Source:
 * Elastic Load Balancing User Guide, "Quotas for your Application Load Balancers": target groups
 * per load balancer 100 (not adjustable), rules per load balancer (default rules excluded) 100
 * (adjustable), certificates per load balancer (default certificate excluded) 25 (adjustable).
 */
export const ALB_QUOTAS = { targetGroups: 100, rules: 100, certificates: 25 };

/**
 * Counts what the services sharing one load balancer attach to it (listener rules on every
 * listener, the distinct target groups their actions forward to) and checks the counts against
 * ALB quotas at synth: a warning past 80% of a quota, an error past one ELB does not raise.
 */
export class LoadBalancerQuotas {
  private rules = 0;
  private readonly targetGroups = new Set<string>();

  constructor(private readonly owner: IConstruct, private readonly certificates: number) {
    owner.node.addValidation({ validate: () => this.validate() });
  }

  /** Record one listener rule and the target groups its action forwards to. */
  public addRule(action: elbv2.ListenerAction): void {
    this.rules++;
    for (const rendered of action.renderActions()) {
      const forward = rendered.forwardConfig as elbv2.CfnListener.ForwardConfigProperty | undefined;
      const groups = (forward?.targetGroups ?? []) as elbv2.CfnListener.TargetGroupTupleProperty[];
      for (const arn of [rendered.targetGroupArn, ...groups.map(g => g.targetGroupArn)]) {
        if (arn !== undefined) this.targetGroups.add(arn);
      }
    }
  }

  private validate(): string[] {
    const path = this.owner.node.path;
    const counts: Array<[keyof typeof ALB_QUOTAS, number, string]> = [
      ['targetGroups', this.targetGroups.size, 'target groups'],
      ['rules', this.rules, 'listener rules'],
      ['certificates', this.certificates, 'certificates besides the default one'],
    ];
    for (const [quota, count, what] of counts) {
      const limit = ALB_QUOTAS[quota];
      if (count > limit * QUOTA_WARNING_SHARE && !(quota === 'targetGroups' && count > limit)) {
        warn(this.owner, WarningId.LOAD_BALANCER_QUOTA, `the shared load balancer ${path} has ${count} ${what}; `
          + `the ALB quota is ${limit}${quota === 'targetGroups' ? ' (not adjustable)' : ' by default (adjustable in Service Quotas)'}. `
          + 'Choose the environment\'s ECS gateway (gateway: {...} instead of ingress), which spreads services over as many load balancers '
          + 'as they need (maxAlbCount), put further services on another environment\'s load balancer, or raise the quota before you deploy');
      }
    }
    if (this.targetGroups.size <= ALB_QUOTAS.targetGroups) return [];
    return [problemMessage(this.owner, {
      code: ErrorCode.LOAD_BALANCER_QUOTA,
      problem: `the shared load balancer has ${this.targetGroups.size} target groups; an ALB takes at most ${ALB_QUOTAS.targetGroups}, `
        + 'and ELB does not raise that quota (a blue/green service uses two)',
      fix: 'choose the environment\'s ECS gateway (gateway: {...} instead of ingress), which spreads services over as many load balancers '
        + 'as they need (maxAlbCount); or give some services an environment of their own (another load balancer), or rolling deployments '
        + 'instead of blue/green',
    })];
  }
}
