import { Duration, Stack, Token, aws_certificatemanager as acm } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorCode, ShipyardError, show } from './errors';

/** True when the value is known at synth time (not an unresolved token). */
export function isKnown(value: number | string | undefined): value is number | string {
  return value !== undefined && !Token.isUnresolved(value);
}

/** Throws when a known number lies outside [min, max]. */
export function checkRange(
  scope: IConstruct, code: ErrorCode, what: string, value: number | undefined,
  min: number, max: number, unit = '',
): void {
  if (!isKnown(value)) return;
  if (value < min || value > max || Number.isNaN(value)) {
    throw new ShipyardError(scope, code, `${what} is ${show(value)}${unit}, outside ${min}-${max}${unit}`,
      `set ${what} between ${min} and ${max}${unit}`);
  }
}

/** Throws when a known number is not a whole number. */
export function checkInteger(scope: IConstruct, code: ErrorCode, what: string, value: number | undefined): void {
  if (!isKnown(value)) return;
  if (!Number.isInteger(value)) {
    throw new ShipyardError(scope, code, `${what} is ${show(value)}, not a whole number`, `set ${what} to a whole number`);
  }
}

/** Throws when a known string does not match `pattern`; `expected` says in words what it takes. */
export function checkPattern(scope: IConstruct, code: ErrorCode, what: string, value: string | undefined, pattern: RegExp, expected: string): void {
  if (value === undefined || Token.isUnresolved(value) || pattern.test(value)) return;
  throw new ShipyardError(scope, code, `${what} ${show(value)} is not valid: it must be ${expected}`, `give ${what} as ${expected}`);
}

/**
 * A name ECS takes for a cluster, service, task definition family or capacity provider: up to 255
 * letters, digits, underscores and hyphens (Amazon ECS API Reference: CreateCluster clusterName,
 * CreateService serviceName, RegisterTaskDefinition family, CreateCapacityProvider name).
 */
export const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Throws when a capacity provider name is one ECS refuses: up to 255 letters, digits, underscores
 * and hyphens, not starting with aws, ecs or fargate (Amazon ECS API Reference, CreateCapacityProvider).
 */
export function checkCapacityProviderName(scope: IConstruct, name: string | undefined): void {
  checkPattern(scope, ErrorCode.CAPACITY_PROVIDER, 'capacityProviderName', name, new RegExp(`^(?!(aws|ecs|fargate))${ECS_NAME.source.slice(1)}`),
    'up to 255 letters, digits, underscores and hyphens, not starting with aws, ecs or fargate');
}

/**
 * Throws when a certificate's ARN names another region than the load balancer's stack: ACM
 * certificates are regional, and a load balancer takes only those of its own region (AWS
 * Certificate Manager User Guide, "Supported Regions"). Skipped when either region is a token.
 */
export function checkCertificateRegion(scope: IConstruct, what: string, certificate: acm.ICertificate | undefined): void {
  const arn = certificate?.certificateArn;
  const region = Stack.of(scope).region;
  if (arn === undefined || Token.isUnresolved(arn) || Token.isUnresolved(region)) return;
  const certificateRegion = arn.split(':')[3];
  if (certificateRegion && certificateRegion !== region) {
    throw new ShipyardError(scope, ErrorCode.CROSS_ENVIRONMENT, `${what} ${show(arn)} is in ${certificateRegion}, and the load balancer in ${region}`,
      `request or import the certificate in ${region} (ACM certificates are regional; CloudFront alone takes us-east-1's)`);
  }
}

/** Seconds of a duration, or undefined when the duration is a token. */
export function knownSeconds(duration: Duration | undefined): number | undefined {
  if (duration === undefined || duration.isUnresolved()) return undefined;
  return duration.toSeconds({ integral: false });
}

export function checkPort(scope: IConstruct, what: string, port: number | undefined): void {
  checkInteger(scope, ErrorCode.PORT_RANGE, what, port);
  checkRange(scope, ErrorCode.PORT_RANGE, what, port, 1, 65535);
}

/**
 * Supported Fargate Linux task sizes (CPU units -> memory MiB).
 * Source: Amazon ECS API Reference, TaskDefinition `memory`/`cpu`
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskDefinition.html):
 * 256: 512/1024/2048; 512: 1-4 GB; 1024: 2-8 GB; 2048: 4-16 GB and 4096: 8-30 GB in 1 GB steps;
 * 8192: 16-60 GB in 4 GB steps; 16384: 32-120 GB in 8 GB steps (platform 1.4.0+).
 */
const FARGATE_SIZES: ReadonlyArray<{ cpu: number; min: number; max: number; step: number }> = [
  { cpu: 256, min: 512, max: 2048, step: 512 },
  { cpu: 512, min: 1024, max: 4096, step: 1024 },
  { cpu: 1024, min: 2048, max: 8192, step: 1024 },
  { cpu: 2048, min: 4096, max: 16384, step: 1024 },
  { cpu: 4096, min: 8192, max: 30720, step: 1024 },
  { cpu: 8192, min: 16384, max: 61440, step: 4096 },
  { cpu: 16384, min: 32768, max: 122880, step: 8192 },
];

/** The memory values Fargate accepts for a CPU value, empty when the CPU value is not supported. */
export function fargateMemoryOptions(cpu: number): number[] {
  const size = FARGATE_SIZES.find(s => s.cpu === cpu);
  if (!size) return [];
  const values: number[] = [];
  for (let m = size.min; m <= size.max; m += size.step) {
    // 256 CPU takes 512, 1024 and 2048 only.
    if (cpu === 256 && m === 1536) continue;
    values.push(m);
  }
  return values;
}

export function checkFargateTaskSize(scope: IConstruct, cpu: number, memoryMiB: number): void {
  if (!isKnown(cpu) || !isKnown(memoryMiB)) return;
  const cpus = FARGATE_SIZES.map(s => s.cpu);
  if (!cpus.includes(cpu)) {
    throw new ShipyardError(scope, ErrorCode.FARGATE_TASK_SIZE,
      `cpu ${show(cpu)} is not a Fargate task size`, `use one of ${cpus.join(', ')} CPU units`);
  }
  const options = fargateMemoryOptions(cpu);
  if (!options.includes(memoryMiB)) {
    const size = FARGATE_SIZES.find(s => s.cpu === cpu)!;
    const allowed = cpu === 256 ? '512, 1024 or 2048' : `${size.min}-${size.max} in steps of ${size.step}`;
    throw new ShipyardError(scope, ErrorCode.FARGATE_TASK_SIZE,
      `memoryLimitMiB ${show(memoryMiB)} is not valid with cpu ${cpu} on Fargate`,
      `with cpu ${cpu} use memoryLimitMiB ${allowed}, or change cpu`);
  }
}

/**
 * Environment variable names that must never hold plain values: AWS credentials and
 * the ECS agent's registry credentials belong in a secret.
 */
const FORBIDDEN_PLAIN_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'ECS_ENGINE_AUTH_DATA'];
/** Names that usually carry a secret; a waivable warning rather than an error. */
export const SECRET_LOOKING = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL)/i;

/** Whether a variable may never hold a plain value here (for the importers, which leave it out with a TODO). */
export function isForbiddenPlainVariable(name: string): boolean {
  return FORBIDDEN_PLAIN_VARIABLES.includes(name.toUpperCase());
}

/** Throws on forbidden names; returns the names that merely look secret. */
export function checkPlainEnvironment(scope: IConstruct, variables: { [key: string]: string }): string[] {
  const names = Object.keys(variables);
  checkVariableNames(scope, names);
  for (const name of names) {
    if (FORBIDDEN_PLAIN_VARIABLES.includes(name.toUpperCase())) {
      throw new ShipyardError(scope, ErrorCode.SECRET_IN_ENVIRONMENT,
        `environment variable ${show(name)} holds a credential in plain text`,
        name.toUpperCase().startsWith('AWS_')
          ? 'remove it and grant the task role (`taskRole`) the permissions instead'
          : `pass it through \`secrets: { ${name}: ecs.Secret.fromSecretsManager(...) }\``);
    }
  }
  return names.filter(n => SECRET_LOOKING.test(n));
}

/**
 * Environment variable names: a process's environment holds `NAME=value` strings, so a name
 * that is empty or holds `=`, whitespace or a NUL can never reach the application as given.
 */
export function checkVariableNames(scope: IConstruct, names: string[]): void {
  for (const name of names) {
    if (Token.isUnresolved(name)) continue;
    if (name.length === 0 || /[=\s\0]/.test(name)) {
      throw new ShipyardError(scope, ErrorCode.TASK_SETTINGS, `environment variable name ${show(name)} is not valid`,
        'use a name without =, whitespace or NUL, such as LOG_LEVEL');
    }
  }
}

/**
 * Tag keys and values: keys of 1-128 characters that do not start with `aws:` (reserved for
 * AWS use), values of at most 256. Source: Tagging AWS Resources User Guide, "Tag naming limits
 * and requirements".
 */
export function checkTags(scope: IConstruct, tags: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(tags)) {
    if (Token.isUnresolved(key)) continue;
    if (key.toLowerCase().startsWith('aws:')) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `tag key ${show(key)} starts with aws:, which AWS reserves for its own tags`,
        'choose a key without the aws: prefix');
    }
    if (key.length === 0 || key.length > 128) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `tag key ${show(key)} has ${key.length} characters`, 'use a key of 1-128 characters');
    }
    if (!Token.isUnresolved(value) && value.length > 256) {
      throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `the value of tag ${show(key)} has ${value.length} characters`, 'use a value of at most 256 characters');
    }
  }
}

/**
 * The retention periods CloudWatch Logs accepts, in days (CloudWatch Logs API Reference,
 * PutRetentionPolicy retentionInDays); aws-cdk-lib's RetentionDays.INFINITE (9999) sets none.
 */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, 9999];

/** A log retention that CloudWatch Logs accepts (a value cast into `RetentionDays` may not be one). */
export function checkLogRetention(scope: IConstruct, name: string, days: number | undefined): void {
  if (days === undefined || Token.isUnresolved(days) || LOG_RETENTION_DAYS.includes(days)) return;
  throw new ShipyardError(scope, ErrorCode.LOGGING, `${name} is ${days} days, which CloudWatch Logs does not accept`,
    'use a logs.RetentionDays value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days)');
}

/** The family of a CIDR (`203.0.113.0/24` or `2001:db8::/32`), or undefined when the value is not one. */
export function cidrFamily(value: string): 'ipv4' | 'ipv6' | undefined {
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (ipv4 && ipv4.slice(1, 5).every(o => Number(o) <= 255) && Number(ipv4[5]) <= 32) return 'ipv4';
  const ipv6 = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*\/(\d{1,3})$/.exec(value);
  return ipv6 && Number(ipv6[1]) <= 128 ? 'ipv6' : undefined;
}

/**
 * A regional AWS WAF (v2) web ACL ARN: arn:<partition>:wafv2:<region>:<account>:regional/webacl/<name>/<id>
 * (AWS WAF API Reference, AssociateWebACL); a CloudFront (global) one is refused at deploy.
 */
export function checkWebAclArn(scope: IConstruct, code: ErrorCode, what: string, arn: string | undefined): void {
  checkPattern(scope, code, what, arn, /^arn:[a-z-]+:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]{1,128}\/[\w-]{1,128}$/,
    'the ARN of a regional AWS WAF (v2) web ACL');
}
