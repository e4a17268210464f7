import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Stable codes of the errors cdk-shipyard raises at synth time.
 *
 * Each error message starts with `[cdk-shipyard:<code>]`, names the construct
 * path and the bad value, and says how to fix it. Codes never change meaning.
 */
export enum ErrorCode {
  /** Task CPU and memory are not a combination Fargate supports. */
  FARGATE_TASK_SIZE = 'FARGATE_TASK_SIZE',
  /** A port is outside 1-65535. */
  PORT_RANGE = 'PORT_RANGE',
  /** A container asks for more memory than its task has. */
  CONTAINER_MEMORY = 'CONTAINER_MEMORY',
  /** A container health check value is outside what ECS accepts. */
  CONTAINER_HEALTH_CHECK = 'CONTAINER_HEALTH_CHECK',
  /** A load balancer target health check value is outside what ELB accepts. */
  TARGET_HEALTH_CHECK = 'TARGET_HEALTH_CHECK',
  /** Stickiness, slow start, algorithm or protocol version the target group cannot take. */
  TARGET_GROUP = 'TARGET_GROUP',
  /** The deregistration delay is outside 0-3600 seconds. */
  DEREGISTRATION_DELAY = 'DEREGISTRATION_DELAY',
  /** Scaling bounds are inconsistent (min above max, negative values). */
  SCALING_BOUNDS = 'SCALING_BOUNDS',
  /** The desired count lies outside the scaling bounds. */
  DESIRED_COUNT = 'DESIRED_COUNT',
  /** A target-tracking target is outside (0, 100] or not positive. */
  SCALING_TARGET = 'SCALING_TARGET',
  /** Routing on the shared load balancer collides with another service's rule. */
  ROUTING_COLLISION = 'ROUTING_COLLISION',
  /** Routing values are malformed (priority, path pattern, host header, too many conditions). */
  ROUTING_INVALID = 'ROUTING_INVALID',
  /** HTTPS was asked for without a certificate or a domain. */
  HTTPS_WITHOUT_CERTIFICATE = 'HTTPS_WITHOUT_CERTIFICATE',
  /** A secret is passed as a plain environment variable. */
  SECRET_IN_ENVIRONMENT = 'SECRET_IN_ENVIRONMENT',
  /** Network settings are inconsistent. */
  NETWORK = 'NETWORK',
  /** A capacity provider strategy is invalid. */
  CAPACITY_STRATEGY = 'CAPACITY_STRATEGY',
  /** An EC2 capacity provider's settings are invalid (instance types, sizes, managed scaling, agent configuration). */
  CAPACITY_PROVIDER = 'CAPACITY_PROVIDER',
  /** A setting does not fit where the task runs (network mode, placement, CPU architecture on Fargate or EC2). */
  PLATFORM = 'PLATFORM',
  /** A deployment strategy's settings are invalid or do not fit the workload. */
  DEPLOYMENT = 'DEPLOYMENT',
  /** An alarm threshold is out of range, or alarm rollback has no alarm to watch. */
  ALARM = 'ALARM',
  /** Too many containers, duplicate container names or ports in one task. */
  CONTAINERS = 'CONTAINERS',
  /** A container dependency names a missing container, forms a cycle or cannot be met. */
  CONTAINER_DEPENDENCY = 'CONTAINER_DEPENDENCY',
  /** A log configuration is missing, duplicated or unsupported where it runs. */
  LOGGING = 'LOGGING',
  /** A volume or file-system setting is invalid (names, paths, POSIX ids, encryption, IAM). */
  VOLUME = 'VOLUME',
  /** A secret does not come from Secrets Manager or SSM Parameter Store. */
  SECRET = 'SECRET',
  /** A task or container setting is outside what the launch type accepts (timeouts, storage, Linux parameters). */
  TASK_SETTINGS = 'TASK_SETTINGS',
  /** A queue setting is invalid (FIFO mismatch, visibility timeout, receive count, retention). */
  QUEUE = 'QUEUE',
  /** Service Connect is misconfigured (no namespace, client-only with a port, TLS without an authority). */
  SERVICE_CONNECT = 'SERVICE_CONNECT',
  /** A schedule is invalid (expression, time zone, window, dates, retry policy). */
  SCHEDULE = 'SCHEDULE',
  /** An event pattern is not valid JSON or not an object. */
  EVENT_PATTERN = 'EVENT_PATTERN',
  /** A network load balancer listener is invalid (TLS without certificate, UDP with TLS). */
  LISTENER = 'LISTENER',
  /** Two options that exclude each other were both given. */
  CONFLICTING_OPTIONS = 'CONFLICTING_OPTIONS',
  /** An image reference cannot be pulled as given (malformed, or credentials on a private ECR image). */
  IMAGE = 'IMAGE',
  /** A workload's stack is in another account or region than its environment, or a certificate or key it is given is in another region. */
  CROSS_ENVIRONMENT = 'CROSS_ENVIRONMENT',
  /** Per-stage props were asked for a stage that has no overrides declared (a misspelt stage). */
  STAGE = 'STAGE',
  /** A role setting is invalid: a role path, or a role given to a task that ECS tasks cannot assume. */
  ROLES = 'ROLES',
  /** ShipyardChecks is wired the cdk-nag 2.x way (an aspect) while cdk-nag 3.x, which reports only as a validation plugin, is installed. */
  NAG_WIRING = 'NAG_WIRING',
  /** The shared load balancer would pass a quota ELB does not raise (100 target groups per load balancer). */
  LOAD_BALANCER_QUOTA = 'LOAD_BALANCER_QUOTA',
  /** A stack passes a CloudFormation template quota (500 resources, 200 parameters, 200 outputs). */
  STACK_QUOTA = 'STACK_QUOTA',
  /** The app puts more CloudWatch Logs resource policies into one account and Region than CloudWatch Logs takes (10, not adjustable). */
  LOG_RESOURCE_POLICY_QUOTA = 'LOG_RESOURCE_POLICY_QUOTA',
  /**
   * An ECS gateway setting is invalid, or a service on the environment's ECS gateway asks for
   * something the gateway does not do (path, header or query routing, priorities, aliases,
   * target-group settings, the blue/green family, a network mode other than awsvpc).
   */
  GATEWAY = 'GATEWAY',
}

/**
 * The error cdk-shipyard throws for structural misuse.
 *
 * Not exported through jsii (it extends the built-in `Error`); catch it by its
 * `[cdk-shipyard:<code>]` message prefix in other languages.
 */
export class ShipyardError extends Error {
  public readonly code: ErrorCode;
  public readonly constructPath: string;

  constructor(scope: IConstruct, code: ErrorCode, problem: string, fix: string) {
    super(problemMessage(scope, { code, problem, fix }));
    this.name = 'ShipyardError';
    this.code = code;
    this.constructPath = scope.node.path;
  }
}

/** A problem found by a check, before it becomes an error or a validation message. */
export interface Problem {
  readonly code: ErrorCode;
  readonly problem: string;
  readonly fix: string;
}

/**
 * The one message format, for errors and synth-time validations alike:
 * `[cdk-shipyard:CODE] path: problem. Fix: how`, with tokens put in words.
 */
export function problemMessage(scope: IConstruct, p: Problem): string {
  return withoutTokens(`[cdk-shipyard:${p.code}] ${scope.node.path}: ${p.problem}. Fix: ${p.fix}`);
}

/** Format a value for an error message (a value known only at deploy time says so). */
export function show(value: unknown): string {
  if ((typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value)) return DEPLOY_TIME;
  return withoutTokens(JSON.stringify(value) ?? String(value));
}

const DEPLOY_TIME = '(a value known only at deploy time)';

/**
 * A message with every unresolved token (`${Token[...]}` in a string, or the number aws-cdk-lib
 * encodes a numeric token as) replaced by words: a message never shows a token where a name
 * or value belongs.
 */
export function withoutTokens(message: string): string {
  return message
    .replace(/\$\{Token\[[^\]]*\]\}/g, DEPLOY_TIME)
    .replace(/-1\.888154589\d*e\+289/g, DEPLOY_TIME);
}
