/** count: a number, Spot, a range with its targets and cooldowns. */
import type { ScalingTargetOptions, WorkerScalingOptions } from '../../index';
import { Code, code, render } from '../code';
import { Mapper, Workload } from './mapper';
import { duration, durationMs } from './values';
import { PropsModel, WorkloadPropsModel } from '../model';
import { FieldFate, show } from '../source';

/** `count`: a number, Spot, a range with its targets and cooldowns, into desiredCount, capacity and scaling. */
export function mapCount(m: Mapper, w: Workload, props: WorkloadPropsModel): void {
  const f = m.file;
  if (!f.has(m.p('count')) || w.construct === 'ScheduledJob' || w.construct === 'StandaloneTask') return;
  if (f.kind(m.p('count')) === 'scalar') {
    props.desiredCount = f.int(m.p('count'));
    m.done(FieldFate.MAPPED, 'count');
    return;
  }
  mapSpot(m, props);
  const { min, max } = mapRange(m, props);
  const shared = cooldowns(m, 'count', 'cooldown');
  const targets = scalingTargets(m, w, shared);
  if (w.construct === 'WorkerService') {
    mapWorkerScaling(m, props, { minCapacity: min, maxCapacity: max }, shared);
    return;
  }
  if (min !== undefined || max !== undefined) {
    props.scaling = { minCapacity: min, maxCapacity: max, targets: targets.length > 0 ? targets : undefined };
  } else if (targets.length > 0) {
    m.todo(['count'], 'scaling targets without range: give scaling.minCapacity and maxCapacity');
  }
}

/** `count.spot`: that many tasks, all on Spot. */
function mapSpot(m: Mapper, props: WorkloadPropsModel): void {
  const f = m.file;
  const spot = f.int(m.p('count', 'spot'));
  // Copilot: "spot" and "range" are mutually exclusive (after an override's count is merged in).
  if (spot !== undefined && f.has(m.p('count', 'range'))) {
    throw f.error(m.p('count', 'spot'), `${show(m.p('count'))} has both spot and range (an environment's override merged with the manifest's): Copilot rejects it too; give the environment count: {range, spot_from} or a number`);
  }
  if (spot !== undefined) {
    props.desiredCount = spot;
    props.capacity = code('Capacity.fargateSpot()');
    m.done(FieldFate.MAPPED, 'count', 'spot');
  }
}

/** `count.range`: `1-10`, or `{min, max, spot_from}` (which sets the Spot capacity). */
function mapRange(m: Mapper, props: WorkloadPropsModel): { min?: number; max?: number } {
  const f = m.file;
  if (f.kind(m.p('count', 'range')) === 'scalar') {
    const range = f.text(m.p('count', 'range'))!;
    const match = /^(\d+)-(\d+)$/.exec(range);
    if (!match) throw f.error(m.p('count', 'range'), `expected a range such as 1-10 for ${show(m.p('count', 'range'))}, got ${JSON.stringify(range)}`);
    const [min, max] = [Number(match[1]), Number(match[2])];
    // Copilot: "min value must be less than or equal to max value" (RangeConfig validation).
    if (min > max) throw f.error(m.p('count', 'range'), `the range ${range} has its minimum above its maximum: Copilot rejects it too; write ${max}-${min}`);
    m.done(FieldFate.MAPPED, 'count', 'range');
    return { min, max };
  }
  if (!f.has(m.p('count', 'range'))) return {};
  const min = f.int(m.p('count', 'range', 'min'));
  const max = f.int(m.p('count', 'range', 'max'));
  if (min !== undefined && max !== undefined && min > max) throw f.error(m.p('count', 'range', 'min'), `count.range.min ${min} is above max ${max}: Copilot rejects it too`);
  const spotFrom = f.int(m.p('count', 'range', 'spot_from'));
  // Copilot: an on-demand base of spot_from - 1 tasks when spot_from >= min, otherwise every task on Spot.
  if (spotFrom !== undefined) {
    props.capacity = code(spotFrom >= 1 && (min === undefined || spotFrom >= min)
      ? `Capacity.fargateSpotMix({ onDemandBase: ${spotFrom - 1} })` : 'Capacity.fargateSpot()');
  }
  m.done(FieldFate.MAPPED, 'count', 'range');
  return { min, max };
}

/** The cooldowns under `base` (`count.cooldown` for every target, a target's own for that one). */
function cooldowns(m: Mapper, ...base: string[]): PropsModel<ScalingTargetOptions> {
  const c: PropsModel<ScalingTargetOptions> = {};
  if (m.file.has(m.p(...base, 'in'))) c.scaleInCooldown = duration(m, [...base, 'in']);
  if (m.file.has(m.p(...base, 'out'))) c.scaleOutCooldown = duration(m, [...base, 'out']);
  return c;
}

/** The target-tracking metrics of `count` (a number, or `{value, cooldown}`), with their cooldowns. */
function scalingTargets(m: Mapper, w: Workload, shared: PropsModel<ScalingTargetOptions>): Code[] {
  const f = m.file;
  const targets: Code[] = [];
  const withOptions = (args: string, options: PropsModel<ScalingTargetOptions>) => Object.keys(options).length > 0 ? `${args}, ${render(options, '      ')}` : args;
  const target = (field: string, factory: (args: string) => string) => {
    if (!f.has(m.p('count', field))) return;
    const isMap = f.kind(m.p('count', field)) === 'map';
    const value = isMap ? f.text(m.p('count', field, 'value')) : f.text(m.p('count', field));
    if (isMap) m.done(FieldFate.MAPPED, 'count', field, 'value');
    else m.done(FieldFate.MAPPED, 'count', field);
    const own = isMap ? cooldowns(m, 'count', field, 'cooldown') : {};
    targets.push(code(factory(withOptions(value!, { ...shared, ...own }))));
  };
  target('cpu_percentage', v => `Scaling.cpu(${v})`);
  target('memory_percentage', v => `Scaling.memory(${v})`);
  if (w.construct === 'WebService') {
    target('requests', v => `Scaling.requestsPerTarget(${v})`);
    if (f.has(m.p('count', 'response_time'))) {
      const isMap = f.kind(m.p('count', 'response_time')) === 'map';
      const value = duration(m, isMap ? ['count', 'response_time', 'value'] : ['count', 'response_time'])!.text;
      targets.push(code(`Scaling.responseTime(${withOptions(value, { ...shared, ...(isMap ? cooldowns(m, 'count', 'response_time', 'cooldown') : {}) })})`));
    }
  }
  return targets;
}

/** A worker's scaling: on its backlog (`count.queue_delay`), not on CPU or memory. */
function mapWorkerScaling(
  m: Mapper, props: WorkloadPropsModel, scaling: PropsModel<WorkerScalingOptions>, shared: PropsModel<ScalingTargetOptions>,
): void {
  const f = m.file;
  if (f.has(m.p('count', 'queue_delay'))) {
    const latency = durationMs(m, ['count', 'queue_delay', 'acceptable_latency']);
    const processing = durationMs(m, ['count', 'queue_delay', 'msg_processing_time']);
    if (latency !== undefined && processing !== undefined) scaling.messagesPerTask = Math.max(1, Math.floor(latency / processing));
    Object.assign(scaling, shared, cooldowns(m, 'count', 'queue_delay', 'cooldown'));
    m.done(FieldFate.MAPPED, 'count', 'queue_delay');
  } else {
    Object.assign(scaling, shared);
  }
  for (const field of ['cpu_percentage', 'memory_percentage']) {
    if (f.has(m.p('count', field))) m.todo(['count', field], 'a worker scales on its backlog (messagesPerTask); add Scaling.cpu or Scaling.memory by hand if it must scale on this too');
  }
  if (scaling.minCapacity !== undefined || scaling.maxCapacity !== undefined) props.scaling = scaling;
}
