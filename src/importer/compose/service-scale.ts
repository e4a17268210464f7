// A Compose service's size and count: CPU and memory as a Fargate size, the rolling
// deployment of deploy.update_config, x-aws-autoscaling and the task role's x-aws-policies and
// x-aws-role, the Service Connect name and deploy.replicas.

import type { ServiceMapping } from './service';
import { fargateSize, mebibytes } from './values';
import type { RollingDeploymentOptions } from '../../index';
import { Code, code, pascal, quote, render } from '../code';
import { PropsModel } from '../model';

/** Size and count: deploy.resources.limits, or the older cpus and mem_limit; reservations; scale. */
export function mapSize(c: ServiceMapping): void {
  const { f, at, props, todo } = c;
  const cpusAt = f.has(at('deploy', 'resources', 'limits', 'cpus')) ? at('deploy', 'resources', 'limits', 'cpus') : at('cpus');
  const memoryAt = f.has(at('deploy', 'resources', 'limits', 'memory')) ? at('deploy', 'resources', 'limits', 'memory') : at('mem_limit');
  const cpus = f.text(cpusAt);
  const memory = f.text(memoryAt);
  if (cpus !== undefined || memory !== undefined) {
    const wantCpu = cpus !== undefined ? Math.ceil(Number(cpus) * 1024) : 256;
    const wantMemory = memory !== undefined ? mebibytes(f, memoryAt, memory) : 512;
    const [cpu, mem] = fargateSize(wantCpu, wantMemory);
    props.cpu = cpu;
    props.memoryLimitMiB = mem;
    if (cpus !== undefined) f.mark(cpusAt);
    if (memory !== undefined) f.mark(memoryAt);
    if (cpu !== wantCpu) todo(cpusAt, `rounded up to the Fargate size ${cpu} CPU / ${mem} MiB`);
    if (mem !== wantMemory) todo(memoryAt, `rounded up to the Fargate size ${cpu} CPU / ${mem} MiB`);
  }
  const reservationAt = f.has(at('deploy', 'resources', 'reservations', 'memory')) ? at('deploy', 'resources', 'reservations', 'memory') : at('mem_reservation');
  const reservation = f.text(reservationAt);
  if (reservation !== undefined) {
    props.memoryReservationMiB = mebibytes(f, reservationAt, reservation);
    f.mark(reservationAt);
  }
  if (f.has(at('scale'))) {
    props.desiredCount = f.int(at('scale'));
    f.mark(at('scale'));
  }
}

/** deploy.update_config: stop-first replaces the tasks in place; x-aws-min_percent and max_percent set the bounds. */
export function mapRolling(c: ServiceMapping): void {
  const { f, at, props } = c;
  const update = (...k: string[]) => at('deploy', 'update_config', ...k);
  const rolling: PropsModel<RollingDeploymentOptions> = {};
  if (f.str(update('order')) === 'stop-first') Object.assign(rolling, { minHealthyPercent: 0, maxHealthyPercent: 100 });
  else if (f.str(update('order')) === 'start-first') Object.assign(rolling, { minHealthyPercent: 100, maxHealthyPercent: 200 });
  if (f.has(update('order'))) f.mark(update('order'));
  if (f.has(update('x-aws-min_percent'))) { rolling.minHealthyPercent = f.int(update('x-aws-min_percent')); f.mark(update('x-aws-min_percent')); }
  if (f.has(update('x-aws-max_percent'))) { rolling.maxHealthyPercent = f.int(update('x-aws-max_percent')); f.mark(update('x-aws-max_percent')); }
  // failure_action: rollback is what the circuit breaker does.
  if (f.str(update('failure_action')) === 'rollback') f.mark(update('failure_action'));
  if (Object.keys(rolling).length > 0) props.deployment = code(`Deployment.rolling(${render(rolling, '    ')})`);
}

/** x-aws-autoscaling, x-aws-policies and x-aws-role. */
export function mapAwsExtensions(c: ServiceMapping): void {
  const { f, s, at, props } = c;
  const scaling = (k: string) => at('x-aws-autoscaling', k);
  if (f.has(at('x-aws-autoscaling'))) {
    const targets: Code[] = [];
    if (f.has(scaling('cpu'))) targets.push(code(`Scaling.cpu(${f.int(scaling('cpu'))})`));
    if (f.has(scaling('memory'))) targets.push(code(`Scaling.memory(${f.int(scaling('memory'))})`));
    props.scaling = { minCapacity: f.int(scaling('min')) ?? 1, maxCapacity: f.int(scaling('max')), targets: targets.length > 0 ? targets : undefined };
    f.mark(at('x-aws-autoscaling'));
  }
  // x-aws-policies and x-aws-role: what the task role may do.
  for (let i = 0; i < f.length(at('x-aws-policies')); i++) {
    c.after.push(`  workload.taskRole.addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, ${quote(`${pascal(s.name)}Policy${i + 1}`)}, ${quote(f.str(at('x-aws-policies', i))!)}));`);
  }
  if (f.has(at('x-aws-policies'))) f.mark(at('x-aws-policies'));
  if (f.has(at('x-aws-role'))) {
    c.after.push(`  workload.taskRole.attachInlinePolicy(new iam.Policy(stack, ${quote(`${pascal(s.name)}RolePolicy`)}, { document: iam.PolicyDocument.fromJson(${JSON.stringify(f.value(at('x-aws-role')))}) }));`);
    f.mark(at('x-aws-role'));
  }
}

/** The Service Connect name callers use, and deploy.replicas. */
export function mapCount(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  if (s.construct === 'BackendService' && s.name !== pascal(s.name).toLowerCase()) props.serviceConnect = { dnsName: s.name };
  if (s.construct === 'WebService' && c.file.services.some(x => x.calls.includes(s.name))) props.serviceConnect = { dnsName: s.name };
  const replicas = f.int(at('deploy', 'replicas'));
  if (replicas !== undefined) {
    props.desiredCount = replicas;
    f.mark(at('deploy', 'replicas'));
  }
  if (props.scaling !== undefined && props.desiredCount !== undefined) {
    // A scaled service starts at minCapacity; a desired count would reset it on each deploy.
    delete props.desiredCount;
    todo(f.has(at('deploy', 'replicas')) ? at('deploy', 'replicas') : at('scale'), 'the service scales (x-aws-autoscaling): it starts at scaling.minCapacity');
  }
}
