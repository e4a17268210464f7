import { CfnResource, Token } from 'aws-cdk-lib';
import { fargateMemoryOptions, SECRET_LOOKING } from './checks';
import { ErrorCode } from './errors';
import { renderedProperties } from '../private/rendered';
import { isRoot } from '../task/baseline';

/** A rule's verdict on one resource (cdk-nag's `NagRuleCompliance` values). */
export type Verdict = 'Compliant' | 'Non-Compliant' | 'N/A';

/** One opinion of the library as a check of a rendered CloudFormation resource. */
export interface ShipyardRule {
  /** The rule id; findings read `Shipyard-<id>`. */
  readonly id: string;
  /** Why a resource fails it. */
  readonly info: string;
  /** Why the rule exists. */
  readonly explanation: string;
  /** The verdict on a resource of `type` with these rendered properties. */
  readonly check: (type: string, properties: Record<string, any>) => Verdict;
}

const COMPLIANT: Verdict = 'Compliant';
const NON_COMPLIANT: Verdict = 'Non-Compliant';
const NA: Verdict = 'N/A';
const verdict = (ok: boolean): Verdict => ok ? COMPLIANT : NON_COMPLIANT;
const known = (value: unknown) => value !== undefined && !(typeof value === 'string' && Token.isUnresolved(value));

/** The deploy-speed budget: the SAFE preset's bounds (10 s checks, 30 s draining) with headroom. */
export const DEPLOY_BUDGET = { deregistrationDelaySeconds: 60, healthCheckIntervalSeconds: 15, healthyThresholdCount: 3 };


function ecsControlled(p: Record<string, any>): boolean {
  const type = p.DeploymentController?.Type;
  return type === undefined || type === 'ECS';
}

/** The containers of a task definition, or of a managed daemon's task definition (the same container properties). */
function containers(type: string, p: Record<string, any>): Array<Record<string, any>> | undefined {
  if (type !== 'AWS::ECS::TaskDefinition' && type !== 'AWS::ECS::DaemonTaskDefinition') return undefined;
  return Array.isArray(p.ContainerDefinitions) ? p.ContainerDefinitions : [];
}

/**
 * The containers a baseline control applies to: not a FireLens router, which AWS for Fluent Bit
 * runs as root on a writable root file system to create the log socket ECS mounts
 * (aws/containers-roadmap#2122, aws/aws-for-fluent-bit#928).
 */
function applicationContainers(type: string, p: Record<string, any>): Array<Record<string, any>> | undefined {
  return containers(type, p)?.filter(c => c.FirelensConfiguration === undefined);
}

function windows(p: Record<string, any>): boolean {
  return typeof p.RuntimePlatform?.OperatingSystemFamily === 'string' && p.RuntimePlatform.OperatingSystemFamily.startsWith('WINDOWS');
}

/** Root, or no user at all (the image's, which may be root). */
function isRootUser(user: unknown): boolean {
  return typeof user !== 'string' || isRoot(user);
}

function targetGroupAttribute(p: Record<string, any>, key: string): string | undefined {
  return (p.TargetGroupAttributes ?? []).find((a: { Key?: string }) => a.Key === key)?.Value;
}

/**
 * The rules of `ShipyardChecks`. Sources: Amazon ECS Developer Guide ("Deployment circuit
 * breaker", "Amazon ECS task definition parameters"), Elastic Load Balancing User Guide
 * ("Target groups for your Application Load Balancers": health check and deregistration
 * defaults 30 s / 5 healthy / 300 s), AWS Fargate task sizes (Amazon ECS Developer Guide,
 * "Task CPU and memory").
 */
export const SHIPYARD_RULES: ShipyardRule[] = [
  {
    id: 'ServiceCircuitBreaker',
    info: 'The ECS service does not roll back failed deployments with the deployment circuit breaker.',
    explanation: 'Without it a deployment whose tasks never become healthy keeps retrying; with rollback ECS returns to the last working revision.',
    check: (type, p) => type !== 'AWS::ECS::Service' || !ecsControlled(p) || p.SchedulingStrategy === 'DAEMON' ? NA
      : verdict(p.DeploymentConfiguration?.DeploymentCircuitBreaker?.Enable === true
        && p.DeploymentConfiguration.DeploymentCircuitBreaker.Rollback === true),
  },
  {
    id: 'ServiceMinHealthy',
    info: 'The load-balanced ECS service lets a deployment drop below its desired count (minimum healthy percent under 100).',
    explanation: 'A rolling deployment that stops old tasks before new ones are healthy serves production traffic with fewer tasks than asked.',
    check: (type, p) => type !== 'AWS::ECS::Service' || !ecsControlled(p) || !(p.LoadBalancers?.length > 0) ? NA
      : verdict((p.DeploymentConfiguration?.MinimumHealthyPercent ?? 100) >= 100),
  },
  {
    id: 'LogRetention',
    info: 'The log group keeps its logs forever.',
    explanation: 'Logs without a retention period grow (and cost) without bound; set a finite retention.',
    check: (type, p) => type !== 'AWS::Logs::LogGroup' ? NA : verdict(p.RetentionInDays !== undefined),
  },
  {
    id: 'ReadOnlyRootFilesystem',
    info: 'A container of the task definition has a writable root file system.',
    explanation: 'A read-only root file system keeps an attacker from changing the container\'s binaries; give writable paths as volumes.',
    check: (type, p) => {
      const all = applicationContainers(type, p);
      return all === undefined || windows(p) ? NA : verdict(all.every(c => c.ReadonlyRootFilesystem === true));
    },
  },
  {
    id: 'NonRootUser',
    info: 'A container of the task definition runs as root, or as whatever user its image sets.',
    explanation: 'A non-root user limits what a compromised process can do inside the container and on its host.',
    check: (type, p) => {
      const all = applicationContainers(type, p);
      return all === undefined || windows(p) ? NA : verdict(all.every(c => !isRootUser(c.User)));
    },
  },
  {
    id: 'NoPrivilegedContainer',
    info: 'A container of the task definition is privileged.',
    explanation: 'A privileged container has the host\'s devices and capabilities; no application needs it.',
    check: (type, p) => {
      const all = containers(type, p);
      return all === undefined ? NA : verdict(all.every(c => c.Privileged !== true));
    },
  },
  {
    id: 'AwsLogsNonBlocking',
    info: 'A container logs with awslogs in blocking mode.',
    explanation: 'In blocking mode a container stops when CloudWatch Logs cannot take its output; non-blocking mode buffers instead.',
    check: (type, p) => {
      const awslogs = (containers(type, p) ?? []).filter(c => c.LogConfiguration?.LogDriver === 'awslogs');
      return awslogs.length === 0 ? NA : verdict(awslogs.every(c => c.LogConfiguration.Options?.mode === 'non-blocking'));
    },
  },
  {
    id: 'DeregistrationDelay',
    info: `The target group drains a task for more than ${DEPLOY_BUDGET.deregistrationDelaySeconds} s (300 s when unset).`,
    explanation: 'Every rolling step waits out the deregistration delay; long delays make each deployment minutes slower.',
    check: (type, p) => {
      if (type !== 'AWS::ElasticLoadBalancingV2::TargetGroup' || p.TargetType === 'lambda') return NA;
      const value = targetGroupAttribute(p, 'deregistration_delay.timeout_seconds');
      return known(value) || value === undefined ? verdict(Number(value ?? 300) <= DEPLOY_BUDGET.deregistrationDelaySeconds) : NA;
    },
  },
  {
    id: 'HealthCheckBudget',
    info: `The target group checks health less often than every ${DEPLOY_BUDGET.healthCheckIntervalSeconds} s, or needs more than `
      + `${DEPLOY_BUDGET.healthyThresholdCount} healthy checks (30 s and 5 when unset).`,
    explanation: 'A new task waits up to one interval for its first check, and a target that failed one needs healthy threshold x interval to '
      + 'return; ELB\'s defaults make those 30 s and 150 s.',
    check: (type, p) => {
      if (type !== 'AWS::ElasticLoadBalancingV2::TargetGroup' || p.TargetType === 'lambda') return NA;
      return verdict((p.HealthCheckIntervalSeconds ?? 30) <= DEPLOY_BUDGET.healthCheckIntervalSeconds
        && (p.HealthyThresholdCount ?? 5) <= DEPLOY_BUDGET.healthyThresholdCount);
    },
  },
  {
    id: 'FargateTaskSize',
    info: 'The Fargate task definition has a CPU and memory pair Fargate does not run.',
    explanation: 'Fargate runs fixed CPU and memory combinations; any other pair fails when a task starts.',
    check: (type, p) => {
      if (type !== 'AWS::ECS::TaskDefinition' || !(p.RequiresCompatibilities ?? []).includes('FARGATE')) return NA;
      if (!known(p.Cpu) || !known(p.Memory)) return NA;
      return verdict(fargateMemoryOptions(Number(p.Cpu)).includes(Number(p.Memory)));
    },
  },
  {
    id: 'NoSecretsInVariables',
    info: 'A container has a plain environment variable whose name looks like a secret.',
    explanation: 'Plain variables are readable by anyone who can describe the task definition; inject secrets from Secrets Manager or SSM.',
    check: (type, p) => {
      const all = containers(type, p);
      return all === undefined ? NA : verdict(all.every(c => !(c.Environment ?? []).some((e: { Name?: string }) => SECRET_LOOKING.test(e.Name ?? ''))));
    },
  },
];

/** Options of the pack. */
export interface ShipyardChecksProps {
  /**
   * Add each rule's explanation to its findings.
   * @default false
   */
  readonly verbose?: boolean;
}

/** What a pack says when it is wired the cdk-nag 2.x way while cdk-nag 3.x is installed. */
const WIRED_FOR_V2 = `[cdk-shipyard:${ErrorCode.NAG_WIRING}] ShipyardChecks: cdk-nag 3.x is installed, and its packs report only as validation plugins, `
  + 'never as aspects (Aspects.of(app).add(pack) would check nothing). Fix: Validations.of(app).addPlugins(ShipyardChecks.pack(app)), '
  + 'or ShipyardChecks.pack(app).validateScope(app) to get the report yourself';

/**
 * The library's opinions as a cdk-nag pack, for any ECS app (raw aws-ecs services,
 * aws-ecs-patterns, this library's workloads): the circuit breaker with rollback, minimum
 * healthy 100% on load-balanced services, finite log retention, read-only root file systems,
 * non-root users, no privileged containers, non-blocking awslogs, deregistration delay and
 * health checks within the deploy-speed budget, valid Fargate sizes, no secrets in plain
 * variables. Findings read `Shipyard-<RuleId>` and are acknowledged like any cdk-nag finding.
 *
 * It is built on the cdk-nag the app has installed (2.x or 3.x, an optional peer dependency):
 * with 2.x add it as an aspect (`Aspects.of(app).add(ShipyardChecks.pack())`); with 3.x
 * register it as a validation plugin (`Validations.of(app).addPlugins(ShipyardChecks.pack(app))`)
 * or call its `validateScope(app)`.
 */
export class ShipyardChecks {
  /** The ids of the rules, as findings name them (`Shipyard-<id>`). */
  public static readonly RULE_IDS: string[] = SHIPYARD_RULES.map(r => `Shipyard-${r.id}`);

  /**
   * The pack, for the cdk-nag major installed in the app.
   * @param scope the app, with cdk-nag 3.x (its packs take the scope they validate)
   */
  public static pack(scope?: any, props: ShipyardChecksProps = {}): any {
    // cdk-nag is the app's dependency, not the library's: loaded only when the pack is asked for.
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    return ShipyardChecks._packFor(require('cdk-nag'), scope, props);
  }

  /**
   * The pack built on a given cdk-nag module (tests use both majors side by side).
   * @internal
   */
  public static _packFor(nag: any, scope: any, props: ShipyardChecksProps = {}): any {
    const v3 = typeof nag.NagPack.prototype.validateScope === 'function';
    // cdk-nag 3.x packs are validation plugins over a scope; built without one (the 2.x way,
    // for Aspects.of(app).add), the pack would check nothing and report nothing.
    if (v3 && (scope === undefined || scope === null)) throw new Error(WIRED_FOR_V2);
    class Pack extends nag.NagPack {
      public readonly name = 'Shipyard';
      constructor() {
        super(...(v3 ? [scope, { verbose: props.verbose }] : [{ verbose: props.verbose }]));
        (this as any).packName = 'Shipyard';
      }
      /** cdk-nag 2.x: every construct, as an aspect. cdk-nag 3.x reports only as a plugin. */
      public visit(node: unknown): void {
        if (v3) throw new Error(WIRED_FOR_V2);
        if (node instanceof CfnResource) this.checkResource(node);
      }
      /** cdk-nag 3.x: every CfnResource of the validated scope. */
      public checkResource(node: CfnResource): void {
        const type = node.cfnResourceType;
        for (const rule of SHIPYARD_RULES) {
          (this as any).applyRule({
            ruleSuffixOverride: rule.id,
            info: rule.info,
            explanation: rule.explanation,
            level: nag.NagMessageLevel.ERROR,
            node,
            rule: (resource: CfnResource) => rule.check(type, renderedProperties(resource)),
          });
        }
      }
    }
    return new Pack();
  }

  private constructor() {}
}
