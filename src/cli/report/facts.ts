/**
 * The report of a synthesized app, as data: per stack what it creates and its quota headroom,
 * the modeled deploy times, and per workload (an ECS service, named by the construct that owns
 * it) its own deploy times and alarms; the stack's acknowledgements and warnings. The text and
 * the JSON are two renderings of this.
 */
import { AlarmFacts, alarmsOf } from './alarms';
import { Acknowledgement, acknowledgementsOf, below, compare, Warning, warningsOf } from './compliance';
import { costOf, StackCost } from './cost';
import { criticalPath, daemonUpdateTerms, durationSource, modelDeploy, serviceCreateTerms, serviceUpdateTerms, Term } from './deploy-model';
import { StackTemplate } from '../picture/assembly';
import { AppIndex } from '../picture/references';
import { Service, servicesOf } from '../picture/services';

/**
 * CloudFormation's per-stack quotas (AWS CloudFormation User Guide, "AWS CloudFormation quotas"):
 * 500 resources, 200 outputs, 200 parameters, and a template body of 1 MB when it is passed
 * through S3, as the CDK CLI passes a template over 50 KB.
 */
export const QUOTAS = { resources: 500, outputs: 200, parameters: 200, templateBytes: 1_000_000 } as const;
export type QuotaName = keyof typeof QUOTAS;

/** One resource on a critical path: done at `doneAt` seconds, after `seconds` of its own. */
export interface PathStep {
  /** The construct path below the stack, or the logical id where the template has no paths. */
  readonly resource: string;
  readonly logicalId: string;
  readonly type: string;
  readonly seconds: number;
  readonly doneAt: number;
  /** `estimate: ...`, or where the figure comes from. */
  readonly source: string;
  /** An ECS service's terms (task start, first health check, alarm bake); its `source` sums them. */
  readonly terms?: Term[];
}

export interface WorkloadReport {
  /** The construct that owns the ECS service (`Stack/Api`), as the traffic picture names it. */
  readonly id: string;
  /** An ECS service, or an ECS managed daemon (`AWS::ECS::Daemon`, which has no service). */
  readonly kind: 'service' | 'daemon';
  /** The logical id of the ECS service, or of the managed daemon. */
  readonly serviceLogicalId: string;
  /** How many of the stack's resources are under the workload's construct. */
  readonly resources: number;
  readonly addServiceSeconds: number;
  readonly addServicePath: PathStep[];
  readonly newImageSeconds: number;
  readonly newImageTerms: Term[];
  readonly alarms: AlarmFacts[];
}

export interface StackReport {
  readonly id: string;
  readonly displayName: string;
  readonly stackName: string;
  readonly templateFile: string;
  readonly resources: { readonly total: number; readonly byType: Record<string, number> };
  /** Every resource: its logical id, construct path below the stack and type (for comparisons; not in the JSON). */
  readonly resourceList: Array<{ readonly logicalId: string; readonly resource: string; readonly type: string }>;
  readonly quotas: Record<QuotaName, { readonly used: number; readonly limit: number; readonly left: number }>;
  readonly createSeconds: number;
  readonly createPath: PathStep[];
  /** A new image for every service of the stack, in parallel; undefined where the stack has no ECS service. */
  readonly newImageSeconds?: number;
  readonly workloads: WorkloadReport[];
  readonly acknowledgements: Acknowledgement[];
  readonly warnings: Warning[];
  /** The estimated fixed monthly cost at list prices (cost.ts). */
  readonly cost: StackCost;
}

/** The report of every stack of the assembly. */
export function reportOf(stacks: StackTemplate[], assumedRegion?: string): StackReport[] {
  const app = new AppIndex(stacks);
  const services = servicesOf(app);
  return stacks.map(stack => stackReport(app, stack, services.filter(s => s.resource.stack === stack), assumedRegion));
}

function stackReport(app: AppIndex, stack: StackTemplate, services: Service[], assumedRegion: string | undefined): StackReport {
  const template = stack.template;
  const resourceList = Object.entries<any>(template.Resources).filter(([, r]) => r && typeof r.Type === 'string')
    .map(([logicalId, r]) => ({ logicalId, resource: below(stack, stack.paths.get(logicalId) ?? logicalId), type: r.Type as string }));
  const resources = resourceList;
  const byType: Record<string, number> = {};
  for (const type of resources.map(r => r.type).sort(compare)) byType[type] = (byType[type] ?? 0) + 1;
  const used: Record<QuotaName, number> = {
    resources: resources.length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    parameters: Object.keys(template.Parameters ?? {}).length,
    templateBytes: stack.bytes,
  };
  const quotas = Object.fromEntries((Object.keys(QUOTAS) as QuotaName[]).map(q => [q, { used: used[q], limit: QUOTAS[q], left: QUOTAS[q] - used[q] }])) as StackReport['quotas'];
  const model = modelDeploy(template, () => false);
  const workloads = [...services.map(s => workloadReport(app, stack, s)), ...daemonReports(stack)];
  return {
    id: stack.id,
    displayName: stack.displayName,
    stackName: stack.stackName,
    templateFile: stack.file,
    resources: { total: resources.length, byType },
    resourceList,
    quotas,
    createSeconds: model.createSeconds,
    createPath: steps(stack, model.createPath),
    newImageSeconds: workloads.length > 0 ? model.newImageSeconds : undefined,
    workloads,
    acknowledgements: acknowledgementsOf(stack),
    warnings: warningsOf(stack),
    cost: costOf(stack, assumedRegion),
  };
}

function workloadReport(app: AppIndex, stack: StackTemplate, service: Service): WorkloadReport {
  const id = service.resource.logicalId;
  const terms = serviceUpdateTerms(stack.template, stack.template.Resources[id]);
  return workloadFacts(stack, { id: service.id, kind: 'service', logicalId: id, terms, alarms: alarmsOf(app, service) });
}

/** The stack's ECS managed daemons, each named by the construct that owns it. */
function daemonReports(stack: StackTemplate): WorkloadReport[] {
  return Object.entries<any>(stack.template.Resources).filter(([, r]) => r?.Type === 'AWS::ECS::Daemon').map(([logicalId, daemon]) => {
    const path = stack.paths.get(logicalId);
    // The daemon is `<workload>/Daemon`; without construct paths, the logical id names it.
    const owner = path ? path.slice(0, path.lastIndexOf('/')) : logicalId;
    return workloadFacts(stack, { id: owner, kind: 'daemon', logicalId, terms: daemonUpdateTerms(daemon), alarms: [] });
  }).sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * A workload's report: its own resources (those under its construct, and its ECS service or
 * daemon), the longest path to add them to the deployed stack, and its new-image terms.
 */
function workloadFacts(stack: StackTemplate, w: { id: string; kind: WorkloadReport['kind']; logicalId: string; terms: Term[]; alarms: AlarmFacts[] }): WorkloadReport {
  const own = new Set([...stack.paths].filter(([, p]) => p.startsWith(`${w.id}/`) || p === w.id).map(([id]) => id));
  own.add(w.logicalId);
  const add = criticalPath(stack.template, own);
  return {
    id: w.id,
    kind: w.kind,
    serviceLogicalId: w.logicalId,
    resources: own.size,
    addServiceSeconds: add.seconds,
    addServicePath: steps(stack, add.path),
    newImageSeconds: w.terms.reduce((sum, t) => sum + t.seconds, 0),
    newImageTerms: w.terms,
    alarms: w.alarms,
  };
}

/** The model's path (`LogicalId <done at>` each) as steps with their construct paths and sources. */
function steps(stack: StackTemplate, modelPath: string[]): PathStep[] {
  let previous = 0;
  return modelPath.map(entry => {
    const cut = entry.lastIndexOf(' ');
    const logicalId = entry.slice(0, cut);
    const doneAt = Number(entry.slice(cut + 1));
    const type: string = stack.template.Resources[logicalId].Type;
    const step = {
      resource: below(stack, stack.paths.get(logicalId) ?? logicalId),
      logicalId,
      type,
      seconds: doneAt - previous,
      doneAt,
      source: durationSource(stack.template, logicalId),
      ...type === 'AWS::ECS::Service' ? { terms: serviceCreateTerms(stack.template, stack.template.Resources[logicalId]) } : {},
    };
    previous = doneAt;
    return step;
  });
}
