/**
 * The report for people: one block per stack, tables of at most 100 columns, long values wrapped
 * under their label.
 */
import { AlarmFacts } from './alarms';
import { Acknowledgement } from './compliance';
import { CostLine, StackCost } from './cost';
import { Term } from './deploy-model';
import { PathStep, QUOTAS, QuotaName, StackReport, WorkloadReport } from './facts';

/** The widest line the report prints. */
export const WIDTH = 100;

/**
 * `text` in lines of at most WIDTH columns: the first starts with `first` (else `indent` spaces),
 * the others with `indent` spaces. A word longer than a line is cut.
 */
export function wrap(text: string, indent: number, first = ''): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/).filter(w => w)) {
    const candidate = line.trim() === '' ? pad + word : `${line} ${word}`;
    if (candidate.length <= WIDTH) { line = candidate; continue; }
    if (line.trim() !== '') lines.push(line);
    let rest = pad + word;
    while (rest.length > WIDTH) { lines.push(rest.slice(0, WIDTH)); rest = pad + rest.slice(WIDTH); }
    line = rest;
  }
  if (line.trim() !== '') lines.push(line);
  return lines;
}

/** A table row as it is when it fits in WIDTH columns, else wrapped under `indent`. */
export function fit(line: string, indent: number): string[] {
  return line.length <= WIDTH ? [line] : wrap(line, indent);
}

/** 1234567 as 1,234,567. */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A figure's source, short: `estimate`, or where it comes from. */
export function sourceOf(source: string): string {
  return source.startsWith('estimate') ? 'estimate' : source;
}

const QUOTA_LABELS: Record<QuotaName, string> = { resources: 'resources', outputs: 'outputs', parameters: 'parameters', templateBytes: 'template bytes' };

/** The report of every stack, as lines. */
export function textOf(stacks: StackReport[]): string[] {
  return stacks.flatMap((stack, i) => [...i > 0 ? [''] : [], ...stackText(stack)]);
}

function stackText(stack: StackReport): string[] {
  const lines = wrap(`(${stack.templateFile}${stack.stackName !== stack.displayName ? `, stack name ${stack.stackName}` : ''})`, 0, `Stack ${stack.displayName}`);
  const types = Object.entries(stack.resources.byType);
  lines.push(`  What it creates: ${stack.resources.total} resources of ${types.length} types`);
  for (const [type, count] of types) lines.push(...fit(`    ${type.padEnd(64)}${String(count).padStart(6)}`, 4));
  lines.push('  Quota headroom (AWS CloudFormation quotas, per stack)');
  for (const q of Object.keys(QUOTAS) as QuotaName[]) {
    const { used, limit, left } = stack.quotas[q];
    const share = Math.round(100 * used / limit);
    lines.push(`    ${QUOTA_LABELS[q].padEnd(16)}${grouped(used).padStart(10)} of ${grouped(limit).padEnd(10)}${grouped(left).padStart(10)} left (${share}% used)`);
  }
  lines.push('  Modeled deploy times (a model over the template, not a measurement; see docs/report.md)');
  lines.push(`    first create        ${String(stack.createSeconds).padStart(5)} s   critical path:`);
  lines.push(...pathText(stack.createPath));
  if (stack.newImageSeconds !== undefined) {
    lines.push(`    new image, all      ${String(stack.newImageSeconds).padStart(5)} s   every service at once: the slowest workload's figure`);
  }
  for (const workload of stack.workloads) lines.push(...workloadText(workload));
  lines.push(...costText(stack.cost));
  lines.push(...acknowledgementText(stack.acknowledgements));
  lines.push(`  Warnings: ${stack.warnings.length}`);
  for (const w of stack.warnings) {
    lines.push(...wrap(w.id ?? '(no id)', 6, `    ${w.path}`));
    lines.push(...wrap(w.message, 6));
  }
  return lines;
}

function pathText(steps: PathStep[]): string[] {
  const lines: string[] = [];
  for (const step of steps) {
    lines.push(...fit(`      ${String(step.doneAt).padStart(5)} s  +${`${step.seconds} s`.padEnd(7)} ${step.resource}`, 23));
    lines.push(...wrap(`${step.type}: ${step.terms ? termsText(step.terms) : sourceOf(step.source)}`, 23));
  }
  return lines;
}

function termsText(terms: Term[]): string {
  return terms.map(t => `${t.what} ${t.seconds} s (${sourceOf(t.source)})`).join(' + ');
}

function workloadText(w: WorkloadReport): string[] {
  const daemon = w.kind === 'daemon';
  const lines = wrap(`(${w.resources} resources, ${daemon ? 'ECS managed daemon' : 'ECS service'} ${w.serviceLogicalId})`, 4, `  Workload ${w.id}`);
  lines.push(`    add this ${daemon ? 'daemon ' : 'service'}    ${String(w.addServiceSeconds).padStart(5)} s   critical path, the rest of the stack in place:`);
  lines.push(...pathText(w.addServicePath));
  lines.push(`    new image           ${String(w.newImageSeconds).padStart(5)} s${daemon ? '   replaces the instances: every task on them restarts' : ''}`);
  for (const t of w.newImageTerms) lines.push(...wrap(`${t.what}: ${sourceOf(t.source)}`, 23, `${' '.repeat(15)}+${`${t.seconds} s`.padEnd(7)}`));
  const pages = w.alarms.filter(a => a.pages).length;
  const rollback = w.alarms.filter(a => a.rollsBack).length;
  lines.push(`    Alarms: ${w.alarms.length} (${pages} page, ${rollback} roll a deployment back)`);
  for (const alarm of w.alarms) lines.push(...wrap(alarm.name, 6), ...wrap(alarmText(alarm), 8));
  return lines;
}

const OPERATORS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  LessThanLowerThreshold: 'below the band',
  GreaterThanUpperThreshold: 'above the band',
};

/** `AWS/ECS/CPUUtilization >= 90 for 5 periods; pages Env/Topic; rolls back`. */
export function alarmText(a: AlarmFacts): string {
  const condition = a.comparison ? ` ${OPERATORS[a.comparison] ?? a.comparison}${a.threshold !== undefined ? ` ${a.threshold}` : ''}` : '';
  const periods = a.evaluationPeriods !== undefined ? ` for ${a.evaluationPeriods} period${a.evaluationPeriods === 1 ? '' : 's'}` : '';
  const pages = a.pages ? `pages ${a.topics.join(', ')}` : 'does not page';
  const acts = a.otherActions.length > 0 ? `; acts on ${a.otherActions.join(', ')}` : '';
  return `${a.metric}${condition}${periods}; ${pages}${acts}; ${a.rollsBack ? 'rolls a deployment back' : 'no rollback'}`;
}

/** Acknowledgements grouped by resource and reason: the rules (with their findings) under each reason. */
function acknowledgementText(acks: Acknowledgement[]): string[] {
  const nag = acks.filter(a => a.tool === 'cdk-nag').length;
  const lines = [`  Acknowledged findings: ${acks.length} (cdk-nag ${nag}, cfn-guard ${acks.length - nag})`];
  const groups = new Map<string, Acknowledgement[]>();
  for (const a of acks) {
    const key = JSON.stringify([a.resource, a.tool, a.reason ?? '']);
    groups.set(key, [...groups.get(key) ?? [], a]);
  }
  let resource: string | undefined;
  for (const group of groups.values()) {
    if (group[0].resource !== resource) lines.push(...wrap(group[0].resource, 4));
    resource = group[0].resource;
    const rules = group.map(a => a.appliesTo.length > 0 ? a.appliesTo.map(f => `${a.rule}[${f}]`).join(' ') : a.rule);
    lines.push(...wrap(`${group[0].tool}: ${rules.join(' ')}`, 6));
    lines.push(...wrap(group[0].reason ?? '(cfn-guard exceptions carry no reason)', 8));
  }
  return lines;
}

/** $1,234.56; `digits` after the point (more for unit prices, trailing zeros cut to 2). */
export function money(n: number, digits = 2): string {
  const [whole, part] = Math.abs(n).toFixed(digits).split('.');
  const cut = digits > 2 ? (part ?? '').replace(/0+$/, '').padEnd(2, '0') : part;
  return `${n < 0 ? '-' : ''}$${grouped(Number(whole))}.${cut}`;
}

/** The what, quantity, unit price, monthly and development columns of a cost line (or of the total). */
function costRow(what: string, quantity: string, unitPrice: string, monthly: string, development: string): string[] {
  const numbers = `${quantity.padStart(8)}${unitPrice.padStart(14)}${monthly.padStart(12)}${development.padStart(12)}`;
  if (what.length <= 49) return [`    ${what.padEnd(50)}${numbers}`];
  return [...wrap(what, 4), `    ${''.padEnd(50)}${numbers}`];
}

function lineRow(l: CostLine): string[] {
  const quantity = `${Number(l.quantity.toFixed(2))}`;
  return costRow(l.what, quantity, `${money(l.unitPrice, 6)}/${l.per === 'hour' ? 'h' : 'mo'}`, money(l.monthly), money(l.development));
}

/** The monthly cost estimate: the table, the total, what is not estimated, the usage rates, the sources. */
function costText(c: StackCost): string[] {
  if (c.noPrices) return wrap(c.noPrices, 4, '  Monthly cost: not estimated:');
  const lines = wrap(`(${c.region}${c.regionAssumed ? ' as --region says: the stack has no region' : ''}, list prices read ${c.pricesRead}, ${c.hoursPerMonth} hours a month; see docs/report.md#monthly-cost)`, 4,
    '  Monthly cost estimate');
  lines.push(...costRow('what', 'quantity', 'unit price', 'monthly', 'development'));
  for (const l of c.lines) lines.push(...lineRow(l));
  lines.push(...costRow('Total, fixed part', '', '', money(c.total ?? 0), money(c.developmentTotal ?? 0)));
  lines.push(...wrap('development: the same template with the development profile\'s choices: 1 task per service, its first task on '
    + 'Fargate on-demand and the rest on Spot, one NAT gateway per VPC. Spot is priced at AWS\'s largest stated discount (70%): '
    + 'the least it can cost.', 6, '   '));
  if (c.notEstimated.length > 0) lines.push(`    Not estimated: ${c.notEstimated.length}`);
  for (const n of c.notEstimated) lines.push(...wrap(`${n.what} ${n.resource}: ${n.reason}`, 8, '     '));
  lines.push('    Usage-based rates (not in the total)');
  for (const r of c.usageRates) lines.push(...fit(`      ${r.what.padEnd(40)}${money(r.usd, 6).padStart(12)} per ${r.unit}`, 8));
  lines.push(...wrap(c.sources.join(' '), 6, '    Prices from'));
  return lines;
}
