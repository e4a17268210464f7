/**
 * What a stack acknowledges and what the app was warned about: cdk-nag acknowledgements
 * (`Metadata.cdk_nag.rules_to_suppress`, the shape `NagSuppressions` and this library write, and
 * the `Validations` records cdk-nag 3.x reads, kept beside the template),
 * cfn-guard exceptions (`Metadata.guard.SuppressedRules`, which Control Tower's proactive controls
 * and cfn-guard read; that format carries no reason), and the CDK warnings in the assembly's
 * metadata (`aws:cdk:warning`), with the id an acknowledgeable warning carries.
 */
import { StackTemplate } from '../picture/assembly';

/** One acknowledged finding on one resource. */
export interface Acknowledgement {
  /** `cdk-nag` or `cfn-guard`. */
  readonly tool: string;
  /** The resource's construct path below the stack (or its logical id). */
  readonly resource: string;
  /** The rule id (`AwsSolutions-IAM5`) or guard rule name. */
  readonly rule: string;
  /** Why, as written; undefined for cfn-guard, whose format has no reason. */
  readonly reason?: string;
  /** The granular findings it covers (cdk-nag's `applies_to`). */
  readonly appliesTo: string[];
}

/** One CDK warning. */
export interface Warning {
  /** The construct path it is on (`Stack/Env/Ingress`). */
  readonly path: string;
  /** Its id where the message carries one (`cdk-shipyard:plain-http`, from `[ack: <id>]`). */
  readonly id?: string;
  /** The message, without the id suffix. */
  readonly message: string;
}

/** The stack's acknowledgements, by resource path, then tool, then rule. */
export function acknowledgementsOf(stack: StackTemplate): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const [logicalId, resource] of Object.entries<any>(stack.template.Resources)) {
    const where = below(stack, stack.paths.get(logicalId) ?? logicalId);
    const nag = resource?.Metadata?.cdk_nag?.rules_to_suppress;
    for (const rule of Array.isArray(nag) ? nag : []) {
      if (typeof rule?.id !== 'string') continue;
      const appliesTo = Array.isArray(rule.applies_to) ? rule.applies_to.map(flat) : [];
      out.push({ tool: 'cdk-nag', resource: where, rule: rule.id, reason: typeof rule.reason === 'string' ? rule.reason : undefined, appliesTo });
    }
    const guard = resource?.Metadata?.guard?.SuppressedRules;
    for (const rule of Array.isArray(guard) ? guard : []) {
      if (typeof rule === 'string') out.push({ tool: 'cfn-guard', resource: where, rule, appliesTo: [] });
    }
  }
  out.push(...recordedOnly(stack, new Set(out.map(a => `${a.resource} ${a.rule}`))));
  return out.sort((a, b) => compare(a.resource, b.resource) || compare(a.tool, b.tool) || compare(a.rule, b.rule));
}

/**
 * The acknowledgements recorded beside the template (`Validations.of(resource).acknowledge`, what
 * cdk-nag 3.x reads, in the assembly's `aws:cdk:acknowledged-rules` metadata) that the template does
 * not hold: an app that runs no cdk-nag 2.x pack has the library write none into its templates (ADR 17).
 * A granular finding is recorded as `Rule[finding]`.
 */
function recordedOnly(stack: StackTemplate, inTemplate: Set<string>): Acknowledgement[] {
  const found = new Map<string, { resource: string; rule: string; reason: unknown; appliesTo: Set<string> }>();
  const resources = new Set(Object.keys(stack.template.Resources ?? {}).map(id => stack.paths.get(id)));
  for (const [cdkPath, entries] of Object.entries(stack.metadata)) {
    const full = cdkPath.replace(/^\//, '');
    // Records of the template's resources only (the metadata also names constructs that render none).
    if (!resources.has(full)) continue;
    const resource = below(stack, full);
    for (const entry of entries) {
      if (entry?.type !== 'aws:cdk:acknowledged-rules' || typeof entry.data !== 'object' || entry.data === null) continue;
      for (const [id, reason] of Object.entries<unknown>(entry.data)) {
        const m = /^(?:annotation::)?([^[]+)(?:\[(.*)\])?$/is.exec(id);
        const key = `${resource} ${m?.[1]}`;
        if (!m || inTemplate.has(key)) continue;
        const ack = found.get(key) ?? { resource, rule: m[1], reason, appliesTo: new Set<string>() };
        if (m[2] !== undefined) ack.appliesTo.add(m[2]);
        found.set(key, ack);
      }
    }
  }
  return [...found.values()].map(a => ({
    tool: 'cdk-nag', resource: a.resource, rule: a.rule, reason: typeof a.reason === 'string' ? a.reason : undefined, appliesTo: [...a.appliesTo].sort(compare),
  }));
}

/** The stack's warnings, in path order, each once. */
export function warningsOf(stack: StackTemplate): Warning[] {
  const seen = new Set<string>();
  const out: Warning[] = [];
  for (const [cdkPath, entries] of Object.entries(stack.metadata)) {
    for (const entry of entries) {
      if (entry?.type !== 'aws:cdk:warning') continue;
      const text = typeof entry.data === 'string' ? entry.data : JSON.stringify(entry.data);
      const m = /^([\s\S]*?)\s*\[ack: ([^\]]+)\]\s*$/.exec(text);
      const warning: Warning = { path: cdkPath.replace(/^\//, ''), id: m?.[2], message: m ? m[1] : text };
      const key = JSON.stringify(warning);
      if (!seen.has(key)) out.push(warning);
      seen.add(key);
    }
  }
  return out.sort((a, b) => compare(a.path, b.path) || compare(a.message, b.message));
}

/** A construct path below the stack's own. */
export function below(stack: StackTemplate, cdkPath: string): string {
  return cdkPath.startsWith(`${stack.displayName}/`) ? cdkPath.slice(stack.displayName.length + 1) : cdkPath;
}

/** A finding that is an intrinsic (`{ "Fn::GetAtt": ... }`) in words. */
function flat(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
