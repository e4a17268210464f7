/**
 * What changed between two synthesized apps, in the report's terms: resources added and removed
 * by kind, deploy times before and after, alarms, acknowledgements and warnings added and
 * removed. Stacks and workloads are matched by construct path; resources by logical id.
 */
import { compare } from './compliance';
import { cents } from './cost';
import { StackReport } from './facts';
import { alarmText, fit, grouped, money, wrap } from './text';

/** A figure before and after; null on the side where it does not exist. */
export interface Change {
  readonly before: number | null;
  readonly after: number | null;
}

export interface Difference<T> {
  readonly added: T[];
  readonly removed: T[];
}

export interface StackChange {
  readonly stack: string;
  /** `added`, `removed`, `changed` or `unchanged`. */
  readonly status: string;
  readonly resources: Change & Difference<{ resource: string; type: string }> & { readonly byType: Record<string, number> };
  readonly createSeconds: Change;
  readonly newImageSeconds: Change;
  readonly workloads: Array<{ id: string; addServiceSeconds: Change; newImageSeconds: Change }>;
  readonly alarms: Difference<{ workload: string; name: string; text: string }>;
  readonly acknowledgements: Difference<{ resource: string; tool: string; rule: string; reason: string | null }>;
  readonly warnings: Difference<{ path: string; id: string | null; message: string }>;
  /** The estimated fixed monthly cost (USD) before and after; null where a side has no estimate. */
  readonly monthlyCost: Change;
  readonly developmentMonthlyCost: Change;
}

/** The change of every stack of either app, in construct path order. */
export function compareReports(before: StackReport[], after: StackReport[]): StackChange[] {
  const names = [...new Set([...before, ...after].map(s => s.displayName))].sort(compare);
  return names.map(name => stackChange(name, before.find(s => s.displayName === name), after.find(s => s.displayName === name)));
}

function stackChange(name: string, a: StackReport | undefined, b: StackReport | undefined): StackChange {
  const resources = difference(a?.resourceList ?? [], b?.resourceList ?? [], r => `${r.logicalId} ${r.type}`);
  const byType: Record<string, number> = {};
  for (const type of Object.keys({ ...a?.resources.byType, ...b?.resources.byType }).sort(compare)) {
    const delta = (b?.resources.byType[type] ?? 0) - (a?.resources.byType[type] ?? 0);
    if (delta !== 0) byType[type] = delta;
  }
  const alarmsOf = (s?: StackReport) => (s?.workloads ?? [])
    .flatMap(w => w.alarms.map(al => ({ workload: w.id, name: al.name, text: alarmText(al) })));
  const acksOf = (s?: StackReport) => (s?.acknowledgements ?? [])
    .map(k => ({ resource: k.resource, tool: k.tool, rule: ruleOf(k.rule, k.appliesTo), reason: k.reason ?? null }));
  const warningsOf = (s?: StackReport) => (s?.warnings ?? []).map(w => ({ path: w.path, id: w.id ?? null, message: w.message }));
  const workloadIds = [...new Set([...a?.workloads ?? [], ...b?.workloads ?? []].map(w => w.id))].sort(compare);
  const change = {
    stack: name,
    resources: { before: a ? a.resources.total : null, after: b ? b.resources.total : null, ...strip(resources), byType },
    createSeconds: { before: a ? a.createSeconds : null, after: b ? b.createSeconds : null },
    newImageSeconds: { before: a?.newImageSeconds ?? null, after: b?.newImageSeconds ?? null },
    workloads: workloadIds.map(id => {
      const [wa, wb] = [a?.workloads.find(w => w.id === id), b?.workloads.find(w => w.id === id)];
      return {
        id,
        addServiceSeconds: { before: wa ? wa.addServiceSeconds : null, after: wb ? wb.addServiceSeconds : null },
        newImageSeconds: { before: wa ? wa.newImageSeconds : null, after: wb ? wb.newImageSeconds : null },
      };
    }),
    alarms: difference(alarmsOf(a), alarmsOf(b), al => JSON.stringify(al)),
    acknowledgements: difference(acksOf(a), acksOf(b), k => JSON.stringify(k)),
    warnings: difference(warningsOf(a), warningsOf(b), w => JSON.stringify(w)),
    monthlyCost: { before: a?.cost.total ?? null, after: b?.cost.total ?? null },
    developmentMonthlyCost: { before: a?.cost.developmentTotal ?? null, after: b?.cost.developmentTotal ?? null },
  };
  const same = [change.resources, change.alarms, change.acknowledgements, change.warnings].every(d => d.added.length + d.removed.length === 0)
    && Object.keys(byType).length === 0
    && [change.createSeconds, change.newImageSeconds, change.monthlyCost, change.developmentMonthlyCost,
      ...change.workloads.flatMap(w => [w.addServiceSeconds, w.newImageSeconds])]
      .every(c => c.before === c.after);
  return { ...change, status: !a ? 'added' : !b ? 'removed' : same ? 'unchanged' : 'changed' };
}

function strip(d: Difference<{ logicalId: string; resource: string; type: string }>): Difference<{ resource: string; type: string }> {
  const plain = (r: { resource: string; type: string }) => ({ resource: r.resource, type: r.type });
  return { added: d.added.map(plain), removed: d.removed.map(plain) };
}

function ruleOf(rule: string, appliesTo: string[]): string {
  return appliesTo.length > 0 ? `${rule}[${appliesTo.join(', ')}]` : rule;
}

/** What is in `after` and not `before` (added), and the other way round (removed), by key. */
function difference<T>(before: T[], after: T[], key: (t: T) => string): Difference<T> {
  const [a, b] = [new Set(before.map(key)), new Set(after.map(key))];
  return { added: after.filter(t => !a.has(key(t))), removed: before.filter(t => !b.has(key(t))) };
}

/** `412 s -> 380 s (-32 s)`, `none -> 412 s`. */
function seconds(c: Change): string {
  const side = (n: number | null) => n === null ? 'none' : `${grouped(n)} s`;
  const delta = c.before !== null && c.after !== null && c.before !== c.after ? ` (${c.after > c.before ? '+' : ''}${c.after - c.before} s)` : '';
  return `${side(c.before)} -> ${side(c.after)}${delta}`;
}

/** `$50.00 -> $62.50 (+$12.50)`, `not estimated -> $10.00`. */
function dollars(c: Change): string {
  const side = (n: number | null) => n === null ? 'not estimated' : money(n);
  const delta = c.before !== null && c.after !== null && c.before !== c.after
    ? ` (${c.after > c.before ? '+' : ''}${money(cents(c.after - c.before))})` : '';
  return `${side(c.before)} -> ${side(c.after)}${delta}`;
}

/** The comparison for people. */
export function compareText(oldDir: string, newDir: string, changes: StackChange[]): string[] {
  const lines = [...wrap(`${oldDir} (before) with ${newDir} (after)`, 2, 'Compared')];
  for (const c of changes) {
    lines.push('', `Stack ${c.stack}: ${c.status}`);
    if (c.status === 'unchanged') continue;
    const r = c.resources;
    lines.push(`  Resources: ${r.before ?? 'none'} -> ${r.after ?? 'none'}`);
    for (const [type, delta] of Object.entries(r.byType)) lines.push(...fit(`    ${delta > 0 ? 'added  ' : 'removed'} ${String(Math.abs(delta)).padStart(4)} ${type}`, 6));
    lines.push('  Modeled deploy times');
    lines.push(`    first create           ${seconds(c.createSeconds)}`);
    lines.push(`    new image, all         ${seconds(c.newImageSeconds)}`);
    for (const w of c.workloads) {
      if (w.addServiceSeconds.before === w.addServiceSeconds.after && w.newImageSeconds.before === w.newImageSeconds.after) continue;
      lines.push(...wrap(w.id, 6, '    workload'));
      lines.push(`      add this service     ${seconds(w.addServiceSeconds)}`, `      new image            ${seconds(w.newImageSeconds)}`);
    }
    lines.push('  Monthly cost estimate (fixed part, list prices)');
    lines.push(`    this template          ${dollars(c.monthlyCost)}`);
    lines.push(`    development profile    ${dollars(c.developmentMonthlyCost)}`);
    lines.push(`  Alarms: ${c.alarms.added.length} added, ${c.alarms.removed.length} removed`);
    for (const [sign, list] of [['+', c.alarms.added], ['-', c.alarms.removed]] as const) {
      for (const al of list) lines.push(...wrap(`${al.workload}: ${al.name}`, 6, `    ${sign}`), ...wrap(al.text, 6));
    }
    lines.push(`  Acknowledgements: ${c.acknowledgements.added.length} added, ${c.acknowledgements.removed.length} removed`);
    for (const [sign, list] of [['+', c.acknowledgements.added], ['-', c.acknowledgements.removed]] as const) {
      for (const k of list) lines.push(...wrap(`${k.resource} ${k.tool}: ${k.rule}`, 6, `    ${sign}`));
    }
    lines.push(`  Warnings: ${c.warnings.added.length} added, ${c.warnings.removed.length} removed`);
    for (const [sign, list] of [['+', c.warnings.added], ['-', c.warnings.removed]] as const) {
      for (const w of list) lines.push(...wrap(`${w.path} ${w.id ?? '(no id)'}: ${w.message}`, 6, `    ${sign}`));
    }
  }
  return lines;
}
