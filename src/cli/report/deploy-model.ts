/**
 * A model of deployment time read from a synthesized template (the benchmark and `cdk-shipyard
 * report` both use it, so they agree): how long CloudFormation and ECS
 * take, end to end, to create the stack, to add one service to it, and to roll a new image out to
 * every service. It is a model, not a measurement (there is no AWS account here): each figure
 * below is marked with its source, or as an estimate.
 *
 * - Create: the longest path through the resources, over their Ref, Fn::GetAtt, Fn::Sub and
 *   DependsOn edges (CloudFormation creates what does not depend on each other in parallel),
 *   each resource taking its type's duration. An ECS service counts until it is stable, since
 *   CloudFormation waits for that ("AWS::ECS::Service": the stack waits for the service to
 *   reach a steady state): its tasks start, pass the target group's health check, and ECS
 *   watches its rollback alarms for the bake. A newly registered target needs one passing check,
 *   whatever the healthy threshold (Amazon ECS Developer Guide, "Optimize load balancer health
 *   check parameters for Amazon ECS": the threshold applies only to a target recovering from
 *   unhealthy), so the check costs up to one interval.
 * - Add a service: the same longest path over one service's own resources, the rest existing.
 * - New image: every service updates in parallel; each replaces its tasks in waves (as many
 *   tasks per wave as max% - min% of the desired count allow), each wave a task start, the
 *   first health check and the old task's deregistration delay, then the bake. Under early
 *   success criteria with deferred cleanup the deployment is done before the last old tasks
 *   drain: that draining is off the critical path (`serviceUpdateSeconds`).
 */

/** Seconds a resource type takes to create, with where the figure comes from. */
export const DURATIONS: Record<string, [number, string]> = {
  'AWS::EC2::NatGateway': [90, 'estimate: a NAT gateway is typically available within 1-2 minutes'],
  'AWS::ElasticLoadBalancingV2::LoadBalancer': [150, 'estimate: an ALB or NLB typically leaves "provisioning" within 2-3 minutes'],
  // ECS provisions a gateway's first ALB when the first service connects; the model charges it to the gateway, which they wait for.
  'AWS::ECS::Gateway': [150, 'estimate: the first Application Load Balancer ECS provisions for the gateway, as an ALB'],
  'AWS::ServiceDiscovery::HttpNamespace': [40, 'estimate: Cloud Map creates the namespace through an asynchronous operation'],
  'AWS::ECS::ClusterCapacityProviderAssociations': [20, 'estimate'],
  'AWS::IAM::Role': [10, 'estimate: IAM is eventually consistent; CloudFormation waits for propagation'],
  'AWS::IAM::Policy': [10, 'estimate: as for roles'],
  'AWS::IAM::InstanceProfile': [120, 'estimate: CloudFormation waits about 2 minutes for instance profiles to propagate'],
  'AWS::Lambda::Function': [15, 'estimate'],
  'AWS::KMS::Key': [10, 'estimate'],
  'AWS::Logs::LogGroup': [3, 'estimate'],
  'AWS::CloudWatch::Alarm': [3, 'estimate'],
  'AWS::Events::Rule': [5, 'estimate'],
  'AWS::EC2::VPCGatewayAttachment': [15, 'estimate'],
  'AWS::ElasticLoadBalancingV2::TargetGroup': [5, 'estimate'],
  'AWS::ECS::TaskDefinition': [3, 'estimate'],
  'AWS::ECS::DaemonTaskDefinition': [3, 'estimate'],
  // On a new stack the capacity provider has no instance yet; on running instances ECS replaces them (daemonUpdateTerms).
  'AWS::ECS::Daemon': [5, 'estimate: created before its capacity provider runs an instance'],
};
/** Any other type: a control-plane create. */
export const DEFAULT_SECONDS: [number, string] = [5, 'estimate: a control-plane create'];
/** A Fargate task from launch to running: provisioning, a small image's pull, container start. */
export const TASK_START_SECONDS: [number, string] = [45, 'estimate: Fargate provisioning plus pulling a small (50 MB) image'];
/** An instance of a Managed Instances capacity provider from launch to registered with the cluster. */
export const INSTANCE_START_SECONDS: [number, string] = [90, 'estimate: an EC2 instance launching, booting and registering with the cluster'];
/** ELB target-group defaults when the template sets none (Elastic Load Balancing User Guide, "Health checks for your target groups"; "Deregistration delay"). */
const ELB_DEFAULTS = { interval: 30, deregistration: 300 };

export type Template = { Resources: Record<string, { Type: string; Properties?: any; DependsOn?: string | string[] }> };

export interface DeployModel {
  /** First create of the stack (s). */
  readonly createSeconds: number;
  /** Adding one more service to the deployed stack (s). */
  readonly addServiceSeconds: number;
  /** A new image for every service (s). */
  readonly newImageSeconds: number;
  /** The deployment-alarm bake of one service, included in the figures above (s). */
  readonly bakeSeconds: number;
  /** What bounds the first create: the resources on its longest path, each with the second it is done. */
  readonly createPath: string[];
  /** What bounds adding a service: the resources on its longest path, each with the second it is done. */
  readonly addServicePath: string[];
}

function dependencies(value: unknown, ids: Set<string>, out: Set<string>): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g)) if (ids.has(m[1])) out.add(m[1]);
  } else if (Array.isArray(value)) {
    value.forEach(v => dependencies(v, ids, out));
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string' && ids.has(o.Ref)) out.add(o.Ref);
    const att = o['Fn::GetAtt'];
    if (Array.isArray(att) && ids.has(String(att[0]))) out.add(String(att[0]));
    Object.values(o).forEach(v => dependencies(v, ids, out));
  }
  return out;
}

/** The target group a service registers with, and its health-check interval and draining delay. */
function targetSettings(template: Template, service: any): { interval: number; deregistration: number } {
  // On an ECS gateway the connector states the health check; ECS owns the target group and its draining.
  const connector = service.Properties?.GatewayConnectors?.[0];
  if (connector) {
    return { interval: connector.HealthCheck?.HealthCheckIntervalSeconds ?? ELB_DEFAULTS.interval, deregistration: ELB_DEFAULTS.deregistration };
  }
  const ref = service.Properties?.LoadBalancers?.[0]?.TargetGroupArn?.Ref;
  const group = ref ? template.Resources[ref]?.Properties ?? {} : undefined;
  if (!group) return { interval: 0, deregistration: 0 };
  const delay = (group.TargetGroupAttributes ?? []).find((a: any) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
  return {
    interval: group.HealthCheckIntervalSeconds ?? ELB_DEFAULTS.interval,
    deregistration: delay !== undefined ? Number(delay) : ELB_DEFAULTS.deregistration,
  };
}

/**
 * ECS watches the rollback alarms for a bake time it derives from their configuration (Amazon
 * ECS Developer Guide, "How CloudWatch alarms detect Amazon ECS deployment failures"; the
 * formula is not published). Modeled as the longest evaluation window of the rollback alarms:
 * period x evaluation periods.
 */
export function bakeSeconds(template: Template, service: any): number {
  const alarms = service.Properties?.DeploymentConfiguration?.Alarms;
  if (!alarms?.Enable) return 0;
  const names = new Set((alarms.AlarmNames ?? []).map((n: unknown) => JSON.stringify(n)));
  let longest = 0;
  for (const [id, resource] of Object.entries(template.Resources)) {
    // A name the service lists literally, or a reference to the alarm (its Ref is its name).
    const named = names.has(JSON.stringify(resource.Properties?.AlarmName)) || names.has(JSON.stringify({ Ref: id }));
    if (resource.Type !== 'AWS::CloudWatch::Alarm' || !named) continue;
    const p = resource.Properties;
    const period = p.Period ?? Math.max(0, ...(p.Metrics ?? []).map((m: any) => m.MetricStat?.Period ?? m.Period ?? 0));
    longest = Math.max(longest, period * (p.EvaluationPeriods ?? 1));
  }
  return longest;
}

/** One term of a modeled figure: what it is, its seconds, and where the figure comes from (`estimate: ...` or the source). */
export interface Term {
  readonly what: string;
  readonly seconds: number;
  readonly source: string;
}

/** The health-check and draining terms' source: the target group in the template, or ELB's defaults. */
function targetSource(template: Template, service: any, key: string): string {
  if (service.Properties?.GatewayConnectors?.[0]) {
    return key === 'interval' && service.Properties.GatewayConnectors[0].HealthCheck?.HealthCheckIntervalSeconds !== undefined
      ? 'template: the service\'s gateway connector'
      : 'Elastic Load Balancing User Guide: the default (ECS manages the gateway\'s target groups)';
  }
  const ref = service.Properties?.LoadBalancers?.[0]?.TargetGroupArn?.Ref;
  const group = ref ? template.Resources[ref]?.Properties ?? {} : {};
  const set = key === 'interval' ? group.HealthCheckIntervalSeconds !== undefined
    : (group.TargetGroupAttributes ?? []).some((a: any) => a.Key === 'deregistration_delay.timeout_seconds');
  return set ? `template: target group ${ref}` : 'Elastic Load Balancing User Guide: the default';
}

const BAKE_SOURCE = 'template: the rollback alarms\' period x evaluation periods (ECS Developer Guide, deployment alarms)';

/** What a new service waits for until it is stable: its tasks start, pass their first health check, and the bake ends. */
export function serviceCreateTerms(template: Template, service: any): Term[] {
  const t = targetSettings(template, service);
  return [
    { what: 'task start', seconds: TASK_START_SECONDS[0], source: TASK_START_SECONDS[1] },
    ...t.interval > 0 ? [{ what: 'first health check', seconds: t.interval, source: targetSource(template, service, 'interval') }] : [],
    ...bakeSeconds(template, service) > 0 ? [{ what: 'alarm bake', seconds: bakeSeconds(template, service), source: BAKE_SOURCE }] : [],
  ];
}

function serviceCreateSeconds(template: Template, service: any): number {
  return serviceCreateTerms(template, service).reduce((sum, term) => sum + term.seconds, 0);
}

/**
 * Seconds to replace the tasks of a service with a new revision (rolling). Without early success
 * criteria ECS is done once every new task is healthy, the bake is over and the old tasks are
 * gone, their draining included. With them (Amazon ECS Developer Guide, "Complete Amazon ECS
 * rolling deployments early with early success criteria") it is done once `HealthyPercent` of
 * the desired count (rounded up) run the new revision healthy and the bake is over; with
 * `SourceServiceRevisionCleanup: DEFERRED` the old tasks are removed after that, so the last
 * wave's draining leaves the critical path (an earlier wave's stays: its old tasks make room
 * for the next; so does every wave's at a maximum of 100%, where old tasks stop first). The
 * model charges at least one wave: the guide does not say a deployment is done with no new
 * task healthy.
 */
export function serviceUpdateTerms(template: Template, service: any): Term[] {
  const p = service.Properties ?? {};
  const desired = p.DesiredCount ?? 1;
  const config = p.DeploymentConfiguration ?? {};
  const min = config.MinimumHealthyPercent ?? 100;
  const max = config.MaximumPercent ?? 200;
  const early = config.EarlySuccessCriteria?.Enable === true ? config.EarlySuccessCriteria : undefined;
  const needed = Math.max(1, Math.ceil(desired * (early?.HealthyPercent ?? 100) / 100));
  const perWave = Math.max(1, Math.floor(desired * (max - min) / 100));
  const waves = Math.ceil(needed / perWave);
  // At a maximum of 100% the old tasks stop before the new ones start: nothing is left to defer.
  const drains = early?.SourceServiceRevisionCleanup === 'DEFERRED' && max > 100 ? waves - 1 : waves;
  const t = targetSettings(template, service);
  const terms: Term[] = [{ what: 'new task definition', seconds: DURATIONS['AWS::ECS::TaskDefinition'][0], source: DURATIONS['AWS::ECS::TaskDefinition'][1] }];
  const times = (n: number, what: string) => n === 1 ? what : `${n} waves x ${what}`;
  terms.push({ what: times(waves, 'task start'), seconds: waves * TASK_START_SECONDS[0], source: TASK_START_SECONDS[1] });
  if (t.interval > 0) terms.push({ what: times(waves, 'first health check'), seconds: waves * t.interval, source: targetSource(template, service, 'interval') });
  if (drains > 0 && t.deregistration > 0) {
    terms.push({ what: times(drains, 'draining'), seconds: drains * t.deregistration, source: targetSource(template, service, 'deregistration') });
  }
  const bake = bakeSeconds(template, service);
  if (bake > 0) terms.push({ what: 'alarm bake', seconds: bake, source: BAKE_SOURCE });
  return terms;
}

/** Seconds to roll a new image out to one service, its new task definition included. */
export function serviceUpdateSeconds(template: Template, service: any): number {
  return serviceUpdateTerms(template, service).reduce((sum, term) => sum + term.seconds, 0);
}

function duration(template: Template, id: string): number {
  const resource = template.Resources[id];
  if (resource.Type === 'AWS::ECS::Service') return serviceCreateSeconds(template, resource);
  return (DURATIONS[resource.Type] ?? DEFAULT_SECONDS)[0];
}

/** Where a resource's create duration comes from: its type's figure, or (an ECS service) the sum of its terms. */
export function durationSource(template: Template, id: string): string {
  const resource = template.Resources[id];
  if (resource.Type !== 'AWS::ECS::Service') return (DURATIONS[resource.Type] ?? DEFAULT_SECONDS)[1];
  return serviceCreateTerms(template, resource).map(t => `${t.what} ${t.seconds} s (${t.source})`).join(' + ');
}

/**
 * The longest path through `ids` (resources outside them exist already and take no time): its
 * length in seconds, and its resources in order, each with the second it is done.
 */
export function criticalPath(template: Template, ids: Set<string>): { seconds: number; path: string[] } {
  const all = new Set(Object.keys(template.Resources));
  const finish = new Map<string, { end: number; after?: string }>();
  const visit = (id: string): number => {
    if (!ids.has(id)) return 0;
    const known = finish.get(id);
    if (known !== undefined) return known.end;
    finish.set(id, { end: 0 }); // a cycle would be a template CloudFormation rejects; do not loop
    const resource = template.Resources[id];
    const deps = dependencies(resource.Properties ?? {}, all, new Set());
    for (const d of [resource.DependsOn ?? []].flat()) deps.add(d);
    let start = 0;
    let after: string | undefined;
    for (const d of deps) {
      const end = visit(d);
      if (end > start) [start, after] = [end, d];
    }
    const end = start + duration(template, id);
    finish.set(id, { end, after });
    return end;
  };
  let last: string | undefined;
  for (const id of ids) if (visit(id) > (last === undefined ? -1 : visit(last))) last = id;
  const path: string[] = [];
  for (let id = last; id !== undefined; id = finish.get(id)!.after) path.unshift(`${id} ${finish.get(id)!.end}`);
  return { seconds: last === undefined ? 0 : visit(last), path };
}

/**
 * The model of a template. Adding a service is modeled over the resources `own` selects: by
 * default those whose logical ids start with `Service0` (the bench's first service).
 */
export function modelDeploy(template: Template, own: (logicalId: string) => boolean = id => id.startsWith('Service0')): DeployModel {
  const ids = Object.keys(template.Resources);
  const services = ids.filter(id => template.Resources[id].Type === 'AWS::ECS::Service');
  const firstService = new Set(ids.filter(own));
  const update = Math.max(0, ...services.map(id => serviceUpdateSeconds(template, template.Resources[id]) - DURATIONS['AWS::ECS::TaskDefinition'][0]));
  const add = criticalPath(template, firstService);
  const create = criticalPath(template, new Set(ids));
  return {
    createSeconds: create.seconds,
    createPath: create.path,
    addServiceSeconds: add.seconds,
    addServicePath: add.path,
    // The task definitions update first (a new revision), then the services.
    newImageSeconds: (DURATIONS['AWS::ECS::TaskDefinition'][0]) + update,
    bakeSeconds: services.length > 0 ? bakeSeconds(template, template.Resources[services[0]]) : 0,
  };
}

/**
 * A new revision of an ECS managed daemon: ECS drains `DrainPercent` of the instances at a time
 * (25 when unset) and replaces each with an instance that runs the new revision, waiting
 * `BakeTimeInMinutes` (0 when unset) before the next batch (ECS Developer Guide, "Daemon
 * deployments" and "Creating and managing daemons"). The template does not say how many
 * instances run, so the batches are the most the percentage allows (at least 1% per batch); the
 * app tasks that move off each batch's instances drain beside it and are not modeled.
 */
export function daemonUpdateTerms(daemon: any): Term[] {
  const config = daemon.Properties?.DeploymentConfiguration ?? {};
  const drainGiven = typeof config.DrainPercent === 'number';
  const drain: number = drainGiven ? config.DrainPercent : 25;
  const batches = Math.ceil(100 / Math.max(drain, 1));
  const bakeMinutes = typeof config.BakeTimeInMinutes === 'number' ? config.BakeTimeInMinutes : 0;
  const share = `${drain}% of the instances each${drainGiven ? '' : ', ECS\'s default'}`;
  const terms: Term[] = [
    { what: 'new daemon task definition', seconds: DURATIONS['AWS::ECS::DaemonTaskDefinition'][0], source: DURATIONS['AWS::ECS::DaemonTaskDefinition'][1] },
    { what: `up to ${batches} batches (${share}) x instance start`, seconds: batches * INSTANCE_START_SECONDS[0], source: INSTANCE_START_SECONDS[1] },
    { what: `${batches} batches x daemon task start`, seconds: batches * TASK_START_SECONDS[0], source: TASK_START_SECONDS[1] },
  ];
  if (bakeMinutes > 0 && batches > 1) {
    terms.push({ what: `${batches - 1} bakes between batches`, seconds: (batches - 1) * bakeMinutes * 60, source: 'template: BakeTimeInMinutes' });
  }
  return terms;
}
