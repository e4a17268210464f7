import { Stack, Token, aws_ecs as ecs } from 'aws-cdk-lib';
import { ErrorCode, Problem } from '../guardrails/errors';

/** A problem found in a task definition, before it is tied to a construct path. */
export type TaskProblem = Problem;

type Container = Record<string, any>;

/**
 * ECS limits. Source: Amazon ECS Developer Guide, "Amazon ECS service quotas" (10 containers
 * per task definition) and ECS API Reference, ContainerDefinition (`dependsOn`, `stopTimeout`:
 * at most 120 s on Fargate).
 */
const MAX_CONTAINERS = 10;
const FARGATE_MAX_STOP_TIMEOUT = 120;
/** Docker 20.10 and later reserves 6 MiB for a container (Amazon ECS Developer Guide, task definition parameters, `memory`). */
const MIN_CONTAINER_MIB = 6;
/** ContainerDefinition `environmentFiles`: up to ten files (Amazon ECS Developer Guide, task definition parameters). */
const MAX_ENVIRONMENT_FILES = 10;
/** Fargate raises `nofile` up to 1,048,576 (Amazon ECS Developer Guide, task definition parameters, `ulimits`). */
const FARGATE_MAX_NOFILE = 1048576;

/**
 * Everything wrong with a task definition, read from its resolved CloudFormation, so
 * containers and volumes added through the `taskDefinition` escape hatch are checked too.
 */
export function taskProblems(taskDefinition: ecs.TaskDefinition, options: { memoryMiB: number; fargate: boolean; synth: boolean }): TaskProblem[] {
  const stack = Stack.of(taskDefinition);
  // Render each container afresh: resolving the task definition's own (cached) lazy
  // values before synthesis would freeze them and drop containers added afterwards.
  const containers = taskDefinition.node.children
    .filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition)
    .map(c => stack.resolve(c.renderContainerDefinition()) as Container);
  const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  const volumes = options.synth ? (stack.resolve(cfn.volumes) ?? []) as Container[] : [];
  return [
    ...countAndNames(containers),
    ...ports(containers),
    ...dependencies(containers),
    ...logConfigurations(containers, options.fargate),
    ...secretSources(containers),
    ...stopTimeouts(containers, options.fargate),
    ...startSettings(containers, options.fargate),
    ...efsVolumes(volumes),
    ...memory(containers, options.memoryMiB),
    ...mountPaths(containers),
  ];
}

/** A container path holds one mount; a second hides the first (the baseline's writable /tmp included). */
function mountPaths(containers: Container[]): TaskProblem[] {
  const problems: TaskProblem[] = [];
  for (const c of containers) {
    const byPath = new Map<string, string[]>();
    type Mount = { containerPath?: unknown; sourceVolume?: unknown };
    const mounts: Array<[unknown, string]> = [
      ...((c.mountPoints ?? []) as Mount[]).map((m): [unknown, string] => [m.containerPath, String(m.sourceVolume)]),
      ...((c.linuxParameters?.tmpfs ?? []) as Mount[]).map((t): [unknown, string] => [t.containerPath, 'a tmpfs mount']),
    ];
    for (const [containerPath, source] of mounts) {
      if (typeof containerPath !== 'string' || Token.isUnresolved(containerPath)) continue;
      const path = containerPath.replace(/\/+$/, '') || '/';
      byPath.set(path, [...byPath.get(path) ?? [], source]);
    }
    for (const [path, volumes] of byPath) {
      if (volumes.length < 2) continue;
      problems.push({
        code: ErrorCode.VOLUME,
        problem: `container ${JSON.stringify(c.name)} mounts ${volumes.length} volumes at ${path} (${volumes.join(', ')}); only one can be seen there`,
        fix: 'mount each path once: leave the path out of containerSecurity.writablePaths or linuxSettings.tmpfs (the baseline mounts /tmp) or mount the volume elsewhere',
      });
    }
  }
  return problems;
}

function countAndNames(containers: Container[]): TaskProblem[] {
  const problems: TaskProblem[] = [];
  if (containers.length > MAX_CONTAINERS) {
    problems.push({ code: ErrorCode.CONTAINERS, problem: `the task has ${containers.length} containers, more than ECS's ${MAX_CONTAINERS}`, fix: 'move some sidecars into another workload' });
  }
  const seen = new Set<string>();
  for (const c of containers) {
    if (typeof c.name !== 'string') continue;
    if (seen.has(c.name)) {
      problems.push({ code: ErrorCode.CONTAINERS, problem: `two containers are named ${JSON.stringify(c.name)}`, fix: 'give every container of the task its own name' });
    }
    seen.add(c.name);
  }
  return problems;
}

/** In awsvpc mode all containers share one network namespace, so a port can be bound once. */
function ports(containers: Container[]): TaskProblem[] {
  const owners = new Map<string, string>();
  const problems: TaskProblem[] = [];
  for (const c of containers) {
    for (const mapping of (c.portMappings ?? []) as Container[]) {
      if (typeof mapping.containerPort !== 'number') continue;
      const key = `${mapping.containerPort}/${mapping.protocol ?? 'tcp'}`;
      const owner = owners.get(key);
      if (owner !== undefined) {
        problems.push({
          code: ErrorCode.CONTAINERS,
          problem: `containers ${JSON.stringify(owner)} and ${JSON.stringify(c.name)} both use port ${key}; in awsvpc mode they share one network namespace`,
          fix: 'give each container its own port',
        });
      }
      owners.set(key, c.name);
    }
  }
  return problems;
}

function dependencies(containers: Container[]): TaskProblem[] {
  const byName = new Map(containers.map(c => [c.name as string, c]));
  const problems: TaskProblem[] = [];
  for (const c of containers) {
    for (const d of (c.dependsOn ?? []) as Container[]) {
      const target = byName.get(d.containerName);
      if (!target) {
        problems.push({
          code: ErrorCode.CONTAINER_DEPENDENCY,
          problem: `container ${JSON.stringify(c.name)} depends on ${JSON.stringify(d.containerName)}, which is not a container of the task`,
          fix: `depend on one of ${[...byName.keys()].join(', ')}`,
        });
      } else if (d.condition === 'HEALTHY' && !target.healthCheck) {
        problems.push({
          code: ErrorCode.CONTAINER_DEPENDENCY,
          problem: `container ${JSON.stringify(c.name)} waits for ${JSON.stringify(d.containerName)} to be HEALTHY, but that container has no health check`,
          fix: `give ${d.containerName} a healthCheck, or wait for START`,
        });
      } else if ((d.condition === 'COMPLETE' || d.condition === 'SUCCESS') && target.essential !== false) {
        problems.push({
          code: ErrorCode.CONTAINER_DEPENDENCY,
          problem: `container ${JSON.stringify(c.name)} waits for ${JSON.stringify(d.containerName)} to ${d.condition === 'SUCCESS' ? 'succeed' : 'complete'}, but that container is essential (the task would stop when it exits)`,
          fix: `make ${d.containerName} non-essential (essential: false, or an init container)`,
        });
      }
    }
  }
  const cycle = findCycle(containers);
  if (cycle) {
    problems.push({
      code: ErrorCode.CONTAINER_DEPENDENCY,
      problem: `containers depend on each other in a cycle: ${cycle.join(' -> ')}`,
      fix: 'remove one of those dependencies',
    });
  }
  return problems;
}

function findCycle(containers: Container[]): string[] | undefined {
  const edges = new Map(containers.map(c => [c.name as string, ((c.dependsOn ?? []) as Container[]).map(d => d.containerName as string)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done' || !edges.has(name)) return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const next of edges.get(name)!) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of edges.keys()) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}

function logConfigurations(containers: Container[], fargate: boolean): TaskProblem[] {
  const problems: TaskProblem[] = [];
  // A second router is refused by aws-cdk-lib itself (FirelensRouterAlreadyAdded).
  const routers = containers.filter(c => c.firelensConfiguration);
  for (const r of routers) {
    if (fargate && r.firelensConfiguration.options?.['config-file-type'] === 's3') {
      problems.push({
        code: ErrorCode.LOGGING,
        problem: `log router ${JSON.stringify(r.name)} loads its config file from S3, which Fargate does not support`,
        fix: 'build the file into the router image and use FireLensConfigFile.fromImage(path)',
      });
    }
  }
  for (const c of containers) {
    if (!c.logConfiguration) {
      problems.push({
        code: ErrorCode.LOGGING,
        problem: `container ${JSON.stringify(c.name)} has no log configuration`,
        fix: 'give it a log driver (the workload\'s logging applies to the containers it creates)',
      });
    }
  }
  return problems;
}

/** `valueFrom` is an ARN of Secrets Manager or SSM, or the name of an SSM parameter in the task's region. */
function secretSources(containers: Container[]): TaskProblem[] {
  const problems: TaskProblem[] = [];
  for (const c of containers) {
    const secrets = [...(c.secrets ?? []), ...(c.logConfiguration?.secretOptions ?? [])] as Container[];
    for (const s of secrets) {
      const problem = secretArnProblem(s.valueFrom);
      if (problem) problems.push({ ...problem, problem: `container ${JSON.stringify(c.name)} secret ${JSON.stringify(s.name)}: ${problem.problem}` });
    }
  }
  return problems;
}

/** The problem with a secret's source ARN, if it is a known ARN of another service. */
export function secretArnProblem(valueFrom: unknown): TaskProblem | undefined {
  if (typeof valueFrom !== 'string' || Token.isUnresolved(valueFrom) || !valueFrom.startsWith('arn:')) return undefined;
  const service = valueFrom.split(':')[2];
  if (service === 'ssm') return ssmParameterProblem(valueFrom);
  if (service === 'secretsmanager') return undefined;
  return {
    code: ErrorCode.SECRET,
    problem: `${valueFrom} is a ${service || 'malformed'} ARN, not a Secrets Manager secret or SSM parameter`,
    fix: 'pass ecs.Secret.fromSecretsManager(...) or ecs.Secret.fromSsmParameter(...)',
  };
}

/**
 * An SSM parameter ARN: `arn:<partition>:ssm:<region>:<account>:parameter/<name>`, a name of
 * letters, digits and `_ . - /` (AWS Systems Manager User Guide, "Parameter name
 * requirements"). JSON keys (`:key::`) select fields of Secrets Manager secrets only.
 */
function ssmParameterProblem(arn: string): TaskProblem | undefined {
  const name = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter(\/.*)$/.exec(arn)?.[1];
  if (name !== undefined && /^[a-zA-Z0-9_.\-/]+$/.test(name)) return undefined;
  if (name !== undefined && name.includes(':')) {
    return {
      code: ErrorCode.SECRET,
      problem: `${arn} selects a JSON key of an SSM parameter; JSON keys select fields of Secrets Manager secrets only`,
      fix: 'reference the parameter itself (ecs.Secret.fromSsmParameter), or keep the JSON in a Secrets Manager secret and use ecs.Secret.fromSecretsManager(secret, field)',
    };
  }
  return {
    code: ErrorCode.SECRET,
    problem: `${arn} is not an SSM parameter ARN with a valid name`,
    fix: 'use arn:<partition>:ssm:<region>:<account>:parameter/<name>, a name of letters, digits and _ . - /',
  };
}

function stopTimeouts(containers: Container[], fargate: boolean): TaskProblem[] {
  if (!fargate) return [];
  return containers
    .filter(c => typeof c.stopTimeout === 'number' && c.stopTimeout > FARGATE_MAX_STOP_TIMEOUT)
    .map(c => ({
      code: ErrorCode.TASK_SETTINGS,
      problem: `container ${JSON.stringify(c.name)} has a stop timeout of ${c.stopTimeout} s, above Fargate's ${FARGATE_MAX_STOP_TIMEOUT} s`,
      fix: `set stopTimeout to at most ${FARGATE_MAX_STOP_TIMEOUT} seconds`,
    }));
}

/**
 * Limits ECS and Docker hold each container to when the task starts (Amazon ECS Developer Guide,
 * task definition parameters): `memory` and `memoryReservation` of at least 6 MiB (Docker 20.10
 * reserves that much); at most 10 environment files, each named `.env`; on Fargate a `nofile`
 * limit of at most 1,048,576; an awslogs stream prefix that makes a valid log stream name (no `:`
 * or `*`, CloudWatch Logs API Reference, CreateLogStream).
 */
function startSettings(containers: Container[], fargate: boolean): TaskProblem[] {
  const problems: TaskProblem[] = [];
  const problem = (code: ErrorCode, c: Container, text: string, fix: string) =>
    problems.push({ code, problem: `container ${JSON.stringify(c.name)} ${text}`, fix });
  for (const c of containers) {
    for (const [field, prop] of [['memory', 'memoryLimitMiB'], ['memoryReservation', 'memoryReservationMiB']]) {
      const mib = c[field];
      if (typeof mib === 'number' && mib < MIN_CONTAINER_MIB) {
        problem(ErrorCode.CONTAINER_MEMORY, c, `has ${prop} ${mib}, below the ${MIN_CONTAINER_MIB} MiB Docker reserves for a container`, `give it at least ${MIN_CONTAINER_MIB} MiB`);
      }
    }
    const files = (c.environmentFiles ?? []) as Array<{ value?: unknown }>;
    if (files.length > MAX_ENVIRONMENT_FILES) {
      problem(ErrorCode.TASK_SETTINGS, c, `has ${files.length} environmentFiles; ECS takes at most ${MAX_ENVIRONMENT_FILES}`, 'merge them into fewer files');
    }
    for (const f of files) {
      // An S3 object ARN; with a partition token it resolves to a join whose last part holds the key.
      const parts = (f.value as any)?.['Fn::Join']?.[1];
      const tail = typeof f.value === 'string' ? f.value : Array.isArray(parts) ? parts[parts.length - 1] : undefined;
      if (typeof tail === 'string' && !Token.isUnresolved(tail) && !tail.endsWith('.env')) {
        problem(ErrorCode.TASK_SETTINGS, c, `has an environment file that ECS does not read (${tail.replace(/^.*\//, '')}): its name must end in .env`,
          'rename the file (or S3 object) to end in .env');
      }
    }
    const nofile = ((c.ulimits ?? []) as Array<{ name?: string; hardLimit?: unknown }>).find(u => u.name === 'nofile');
    if (fargate && typeof nofile?.hardLimit === 'number' && nofile.hardLimit > FARGATE_MAX_NOFILE) {
      problem(ErrorCode.TASK_SETTINGS, c, `has a nofile limit of ${nofile.hardLimit}, above Fargate's ${FARGATE_MAX_NOFILE}`, `set the nofile limits to at most ${FARGATE_MAX_NOFILE}`);
    }
    const prefix = c.logConfiguration?.options?.['awslogs-stream-prefix'];
    // The stream is prefix/container-name/task-id (a 32-character id), at most 512 characters.
    const longest = 512 - 2 - 32 - String(c.name).length;
    if (typeof prefix === 'string' && !Token.isUnresolved(prefix) && (prefix.length === 0 || prefix.length > longest || /[:*]/.test(prefix))) {
      problem(ErrorCode.LOGGING, c, `has the log stream prefix ${JSON.stringify(prefix)}, which makes no valid log stream name`,
        `give a streamPrefix of 1-${longest} characters without : or * (the stream is prefix/container/task id, at most 512 characters)`);
    }
  }
  return problems;
}

function efsVolumes(volumes: Container[]): TaskProblem[] {
  const problems: TaskProblem[] = [];
  for (const v of volumes) {
    const config = v.efsVolumeConfiguration;
    if (!config) continue;
    if (config.transitEncryption !== 'ENABLED') {
      problems.push({ code: ErrorCode.VOLUME, problem: `EFS volume ${JSON.stringify(v.name)} does not encrypt data in transit`, fix: 'set transitEncryption: \'ENABLED\' (Volume.efs does)' });
    }
    if (config.authorizationConfig?.iam !== 'ENABLED') {
      problems.push({ code: ErrorCode.VOLUME, problem: `EFS volume ${JSON.stringify(v.name)} does not use IAM authorization`, fix: 'set authorizationConfig.iam: \'ENABLED\' with an access point (Volume.efs does)' });
    }
  }
  return problems;
}

/**
 * What a container takes of the task's memory: its reservation, else its hard limit (ECS counts
 * `memory` where no `memoryReservation` is set); nothing while the amount is a token.
 */
export function reservedMiB(c: { memory?: unknown; memoryReservation?: unknown }): number {
  const amount = c.memoryReservation ?? c.memory;
  return typeof amount === 'number' && !Token.isUnresolved(amount) ? amount : 0;
}

function memory(containers: Container[], taskMemoryMiB: number): TaskProblem[] {
  if (Token.isUnresolved(taskMemoryMiB)) return [];
  const problems: TaskProblem[] = [];
  let reserved = 0;
  for (const c of containers) {
    const limit = typeof c.memory === 'number' ? c.memory : undefined;
    if (limit !== undefined && limit > taskMemoryMiB) {
      problems.push({
        code: ErrorCode.CONTAINER_MEMORY,
        problem: `container ${JSON.stringify(c.name)} has a memory limit of ${limit} MiB, above the task's ${taskMemoryMiB} MiB`,
        fix: 'lower the container\'s memoryLimitMiB or raise the task\'s memoryLimitMiB',
      });
    }
    reserved += reservedMiB(c);
  }
  if (reserved > taskMemoryMiB) {
    problems.push({
      code: ErrorCode.CONTAINER_MEMORY,
      problem: `the containers reserve ${reserved} MiB together, above the task's ${taskMemoryMiB} MiB`,
      fix: 'lower the containers\' memory or raise the task\'s memoryLimitMiB',
    });
  }
  return problems;
}

