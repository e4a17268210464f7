/**
 * The report for CI: stable keys, in a fixed order, every optional value present as null
 * (docs/report.md lists them). `version` changes only when a key changes meaning or goes away.
 */
import { AlarmFacts } from './alarms';
import { StackChange } from './compare';
import { StackCost } from './cost';
import { PathStep, StackReport, WorkloadReport } from './facts';

/** The JSON format's version. */
export const JSON_VERSION = 1;

/** The report of an assembly as JSON. */
export function reportJson(assembly: string, stacks: StackReport[]): string {
  return JSON.stringify({ version: JSON_VERSION, assembly, stacks: stacks.map(stackJson) }, null, 2);
}

/** A comparison of two assemblies as JSON. */
export function compareJson(before: string, after: string, changes: StackChange[]): string {
  return JSON.stringify({ version: JSON_VERSION, before, after, stacks: changes }, null, 2);
}

function stackJson(s: StackReport) {
  return {
    id: s.id,
    displayName: s.displayName,
    stackName: s.stackName,
    templateFile: s.templateFile,
    resources: s.resources,
    quotas: s.quotas,
    deploy: { createSeconds: s.createSeconds, createPath: s.createPath.map(stepJson), newImageSeconds: s.newImageSeconds ?? null },
    workloads: s.workloads.map(workloadJson),
    acknowledgements: s.acknowledgements
      .map(a => ({ tool: a.tool, resource: a.resource, rule: a.rule, reason: a.reason ?? null, appliesTo: a.appliesTo })),
    warnings: s.warnings.map(w => ({ path: w.path, id: w.id ?? null, message: w.message })),
    cost: costJson(s.cost),
  };
}

function costJson(c: StackCost) {
  return {
    region: c.region ?? null,
    regionAssumed: c.regionAssumed ?? false,
    noPrices: c.noPrices ?? null,
    hoursPerMonth: c.hoursPerMonth,
    total: c.total ?? null,
    developmentTotal: c.developmentTotal ?? null,
    lines: c.lines.map(l => ({
      what: l.what,
      resources: l.resources,
      quantity: l.quantity,
      unit: l.unit,
      unitPrice: l.unitPrice,
      per: l.per,
      monthly: l.monthly,
      development: l.development,
    })),
    notEstimated: c.notEstimated.map(n => ({ what: n.what, resource: n.resource, reason: n.reason })),
    usageRates: c.usageRates.map(r => ({ what: r.what, usd: r.usd, unit: r.unit })),
    pricesRead: c.pricesRead ?? null,
    sources: c.sources,
  };
}

function stepJson(p: PathStep) {
  return {
    resource: p.resource, logicalId: p.logicalId, type: p.type, seconds: p.seconds, doneAt: p.doneAt, source: p.source, terms: p.terms ?? null,
  };
}

function workloadJson(w: WorkloadReport) {
  return {
    id: w.id,
    kind: w.kind,
    serviceLogicalId: w.serviceLogicalId,
    resources: w.resources,
    deploy: {
      addServiceSeconds: w.addServiceSeconds,
      addServicePath: w.addServicePath.map(stepJson),
      newImageSeconds: w.newImageSeconds,
      newImageTerms: w.newImageTerms.map(t => ({ what: t.what, seconds: t.seconds, source: t.source })),
    },
    alarms: w.alarms.map(alarmJson),
  };
}

function alarmJson(a: AlarmFacts) {
  return {
    name: a.name,
    logicalId: a.logicalId,
    metric: a.metric,
    threshold: a.threshold ?? null,
    comparison: a.comparison ?? null,
    evaluationPeriods: a.evaluationPeriods ?? null,
    pages: a.pages,
    topics: a.topics,
    otherActions: a.otherActions,
    rollsBack: a.rollsBack,
  };
}
