import { AspectPriority, Aspects, IAspect } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { acknowledge } from './nag';
import { ensureTemplateWriter } from './nag-template';
import { warn, WarningId } from '../guardrails/warnings';

/** A library warning and the ShipyardChecks rule that reports the same thing on a resource. */
interface Pair {
  readonly scope: IConstruct;
  readonly warning: WarningId;
  readonly resource: IConstruct;
  readonly rule: string;
}

const PAIRS = new WeakMap<IConstruct, Pair[]>();

/**
 * Add warning `id` to `scope` (as `warn` does), paired with the ShipyardChecks rule `rule`
 * (`Shipyard-<rule>`) that reports the same choice on `resource`: where the app acknowledges
 * the warning (`Annotations.of(scope).acknowledgeWarning(id, ...)`), the rule is acknowledged on
 * the resource too, so one acknowledgement covers both. The check runs as a mutating aspect,
 * before cdk-nag 2.x's aspects and 3.x's validation read the resource.
 */
export function warnWithRule(scope: IConstruct, id: WarningId, message: string, resource: IConstruct, rule: string): void {
  warn(scope, id, message);
  // The rule may be acknowledged as the app synthesizes, when the template writer can no longer be added.
  ensureTemplateWriter(scope);
  const root = scope.node.root;
  let pairs = PAIRS.get(root);
  if (!pairs) {
    pairs = [];
    PAIRS.set(root, pairs);
    Aspects.of(root).add(new AcknowledgedRules(root), { priority: AspectPriority.MUTATING });
  }
  pairs.push({ scope, warning: id, resource, rule });
}

/** Acknowledges the rule of each pair whose warning the app acknowledged (its warning is gone from the scope). */
class AcknowledgedRules implements IAspect {
  private done = false;
  constructor(private readonly root: IConstruct) {}

  public visit(node: IConstruct): void {
    if (this.done || node !== this.root) return;
    this.done = true;
    for (const pair of PAIRS.get(this.root) ?? []) {
      const tag = `[ack: ${pair.warning}]`;
      const stillWarned = pair.scope.node.metadata.some(m => m.type === 'aws:cdk:warning' && String(m.data).includes(tag));
      if (stillWarned) continue;
      acknowledge(pair.resource, [{
        id: `Shipyard-${pair.rule}`,
        reason: `The app acknowledged the library's warning ${pair.warning} on ${pair.scope.node.path}, which reports the same choice.`,
      }]);
    }
  }
}
