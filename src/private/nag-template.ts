// Where cdk-nag 2.x acknowledgements go in the template: on each resource, for the packs the app
// runs (ADR 17). cdk-nag 3.x reads its own records (`Validations`), which nag.ts writes for every pack.
import { AspectPriority, Aspects, CfnResource, IAspect, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorCode, ShipyardError } from '../guardrails/errors';

/**
 * Context key: `attached` (the default) writes a cdk-nag 2.x acknowledgement into the template only
 * for the packs the app attaches as aspects; `all` writes every pack's, for an auditor or a tool
 * that reads acknowledgements from templates the app did not check.
 */
export const NAG_ACKNOWLEDGEMENTS_CONTEXT = 'cdk-shipyard:nagAcknowledgements';

/** One `rules_to_suppress` entry, as cdk-nag 2.x reads it. */
export type TemplateEntry = Record<string, unknown> & { readonly id: string };

interface Writer {
  /** Whether the writer has visited the root: acknowledgements made since are written at once. */
  started: boolean;
}

const WRITERS = new WeakMap<IConstruct, Writer>();
const PENDING = new WeakMap<CfnResource, TemplateEntry[]>();

/**
 * Make sure the app writes pending acknowledgements as it synthesizes: an aspect on the stage
 * (which invokes its own aspects) that runs before the mutating aspects, which may acknowledge
 * more, and before cdk-nag's packs read the resources. Call it while the app is built, never
 * from an aspect.
 */
export function ensureTemplateWriter(scope: IConstruct): Writer {
  const root = Stage.of(scope) ?? scope.node.root;
  let writer = WRITERS.get(root);
  if (!writer) {
    writer = { started: false };
    WRITERS.set(root, writer);
    Aspects.of(root).add(new TemplateWriter(root, writer), { priority: AspectPriority.MUTATING - 100 });
  }
  return writer;
}

/** Write `entries` into `cfn`'s template metadata as the app synthesizes (at once if it already does). */
export function writeInTemplate(cfn: CfnResource, entries: TemplateEntry[]): void {
  if (ensureTemplateWriter(cfn).started) {
    write(cfn, entries);
    return;
  }
  PENDING.set(cfn, [...PENDING.get(cfn) ?? [], ...entries]);
}

class TemplateWriter implements IAspect {
  constructor(private readonly root: IConstruct, private readonly writer: Writer) {}

  public visit(node: IConstruct): void {
    if (node === this.root) this.writer.started = true;
    if (!CfnResource.isCfnResource(node)) return;
    const entries = PENDING.get(node);
    if (!entries) return;
    PENDING.delete(node);
    write(node, entries);
  }
}

/** Merge the entries of the packs the app runs into the resource's `cdk_nag` metadata. */
function write(cfn: CfnResource, entries: TemplateEntry[]): void {
  const packs = packsToWrite(cfn);
  const kept = entries.filter(e => packs === 'all' || packs.has(packOf(e.id)));
  if (kept.length === 0) return;
  const merged = [...(cfn.getMetadata('cdk_nag')?.rules_to_suppress ?? []) as Array<Record<string, unknown>>];
  for (const entry of kept) {
    if (!merged.some(e => JSON.stringify(e) === JSON.stringify(entry))) merged.push(entry);
  }
  cfn.addMetadata('cdk_nag', { rules_to_suppress: merged });
}

/** `NIST.800.53.R5` of `NIST.800.53.R5-IAMNoInlinePolicy`: cdk-nag names a rule `<pack>-<rule>`. */
function packOf(ruleId: string): string {
  return ruleId.slice(0, ruleId.indexOf('-'));
}

/** The cdk-nag 2.x packs attached as aspects to the resource or a scope above it (they name themselves in `readPackName`), or all. */
function packsToWrite(cfn: CfnResource): Set<string> | 'all' {
  const setting: unknown = cfn.node.tryGetContext(NAG_ACKNOWLEDGEMENTS_CONTEXT);
  if (setting === 'all') return 'all';
  if (setting !== undefined && setting !== 'attached') {
    throw new ShipyardError(cfn, ErrorCode.NAG_WIRING, `context ${NAG_ACKNOWLEDGEMENTS_CONTEXT} is ${JSON.stringify(setting)}`,
      'set it to "attached" (acknowledgements of the cdk-nag packs the app runs, the default) or "all" (every pack\'s)');
  }
  const packs = new Set<string>();
  for (const scope of cfn.node.scopes) {
    for (const aspect of Aspects.of(scope).all) {
      const name: unknown = (aspect as { readPackName?: unknown }).readPackName;
      if (typeof name === 'string' && name !== '') packs.add(name);
    }
  }
  return packs;
}
