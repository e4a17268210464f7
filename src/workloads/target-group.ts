import { Duration, Token, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DeploySpeedSettings } from '../deployment/deploy-speed';
import { checkPort, checkRange, isKnown, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/** The load balancer's health check of a service's tasks. */
export interface TargetHealthCheckOptions {
  /**
   * HTTP path the load balancer requests.
   * @default '/' ('/AWS.ALB/healthcheck' with the gRPC protocol version)
   */
  readonly path?: string;
  /**
   * The port the load balancer checks, when the task answers health checks on a port of its
   * own (awsvpc tasks only; the task's security group admits the load balancer on it).
   * @default - the port traffic reaches (the container port)
   */
  readonly port?: number;
  /**
   * Time between checks.
   * @default - the deploy-speed preset's: 5 s (SAFE and FAST); ELB's default of 30 s makes each deployment step slower
   */
  readonly interval?: Duration;
  /**
   * Time to wait for a response.
   * @default - the deploy-speed preset's: 4 s (SAFE and FAST), the longest the ALB allows under a 5 s interval
   */
  readonly timeout?: Duration;
  /**
   * Consecutive successes before a task receives traffic.
   * @default 2
   */
  readonly healthyThresholdCount?: number;
  /**
   * Consecutive failures before a task is taken out.
   * @default - the deploy-speed preset's: 3 (SAFE) or 2 (FAST)
   */
  readonly unhealthyThresholdCount?: number;
  /**
   * HTTP codes that count as healthy.
   * @default '200-399'
   */
  readonly healthyHttpCodes?: string;
  /**
   * gRPC status codes that count as healthy, with the gRPC protocol version.
   * @default '12' (ELB's default: the server answers the '/AWS.ALB/healthcheck' call it does not implement)
   */
  readonly healthyGrpcCodes?: string;
}

/** Sticky sessions: a client keeps reaching the task that served it first. */
export interface StickinessOptions {
  /**
   * How long the load balancer keeps a client on one task.
   * @default Duration.days(1)
   */
  readonly duration?: Duration;
  /**
   * The application's own cookie to follow (an `app_cookie` stickiness); the load balancer's
   * cookie (`lb_cookie`) without it.
   * @default - the load balancer's cookie
   */
  readonly cookieName?: string;
}

/** How the load balancer spreads requests over a service's tasks. */
export interface LoadBalancingOptions {
  /**
   * Keep each client on one task.
   * @default - no stickiness
   */
  readonly stickiness?: StickinessOptions;
  /**
   * Ramp a new task's share of requests up over this time (30-900 s), for tasks that warm a
   * cache or a JIT compiler first.
   * @default - a new task gets its full share at once
   */
  readonly slowStart?: Duration;
  /**
   * The routing algorithm.
   * @default - round robin
   */
  readonly algorithm?: elbv2.TargetGroupLoadBalancingAlgorithmType;
  /**
   * The protocol version the load balancer speaks to the tasks: HTTP/1.1, HTTP/2 or gRPC.
   * HTTP/2 and gRPC need an HTTPS listener; gRPC checks health by gRPC status codes.
   * @default elbv2.ApplicationProtocolVersion.HTTP1
   */
  readonly protocolVersion?: elbv2.ApplicationProtocolVersion;
}

/** The target group properties that load-balancing options stand for. */
export type LoadBalancingProps = Pick<elbv2.ApplicationTargetGroupProps,
'stickinessCookieDuration' | 'stickinessCookieName' | 'slowStart' | 'loadBalancingAlgorithmType' | 'protocolVersion'>;

/**
 * Limits: stickiness 1 s to 7 days, app cookie names not starting with AWSALB, AWSALBAPP or
 * AWSALBTG, slow start 30-900 s and not with weighted random. Source: Elastic Load Balancing
 * User Guide, "Target groups for your Application Load Balancers" (sticky sessions, slow start
 * mode, routing algorithms); gRPC and HTTP/2 to targets need an HTTPS listener ("Protocol
 * version").
 */
export function loadBalancingProps(scope: Construct, options: LoadBalancingOptions = {},
  listenerProtocol: elbv2.ApplicationProtocol): LoadBalancingProps {
  const code = ErrorCode.TARGET_GROUP;
  const stickiness = options.stickiness;
  const duration = stickiness ? stickiness.duration ?? Duration.days(1) : undefined;
  checkRange(scope, code, 'loadBalancing.stickiness.duration', knownSeconds(duration), 1, 604800, ' s');
  const cookie = stickiness?.cookieName;
  if (cookie !== undefined && isKnown(cookie) && (cookie === '' || /^AWSALB/.test(cookie) || /[\s;,=]/.test(cookie))) {
    throw new ShipyardError(scope, code, `loadBalancing.stickiness.cookieName ${show(cookie)} cannot be followed`,
      'give the application\'s own cookie name: not empty, no spaces, ; , or =, not starting with AWSALB (the load balancer\'s own)');
  }
  const slowStart = knownSeconds(options.slowStart);
  if (slowStart !== undefined && slowStart !== 0 && (slowStart < 30 || slowStart > 900)) {
    throw new ShipyardError(scope, code, `loadBalancing.slowStart is ${slowStart} s`, 'give 30 to 900 seconds, or leave it out');
  }
  if (slowStart && options.algorithm === elbv2.TargetGroupLoadBalancingAlgorithmType.WEIGHTED_RANDOM) {
    throw new ShipyardError(scope, code, 'loadBalancing.slowStart is set with the weighted random algorithm, which the load balancer refuses',
      'drop slowStart, or choose round robin or least outstanding requests');
  }
  const version = options.protocolVersion;
  if ((version === elbv2.ApplicationProtocolVersion.GRPC || version === elbv2.ApplicationProtocolVersion.HTTP2)
    && listenerProtocol !== elbv2.ApplicationProtocol.HTTPS) {
    throw new ShipyardError(scope, code, `loadBalancing.protocolVersion is ${version}, but the load balancer listens on plain HTTP`,
      'serve HTTPS (ingress.certificate or ingress.domain): clients speak HTTP/2 and gRPC to an ALB over TLS only');
  }
  return {
    stickinessCookieDuration: duration,
    stickinessCookieName: cookie,
    slowStart: options.slowStart,
    loadBalancingAlgorithmType: options.algorithm,
    protocolVersion: version,
  };
}

/**
 * The target group's health check. ELB limits: interval 5-300 s, timeout 2-120 s, thresholds
 * 2-10, timeout shorter than interval, gRPC codes 0-99. Source: Elastic Load Balancing API
 * Reference, CreateTargetGroup and Matcher.
 */
export function targetHealthCheck(scope: Construct, speed: DeploySpeedSettings, options: TargetHealthCheckOptions = {},
  grpc = false, ipTargets = true): elbv2.HealthCheck {
  const interval = options.interval ?? speed.interval;
  const timeout = options.timeout ?? speed.timeout;
  const healthy = options.healthyThresholdCount ?? speed.healthyThresholdCount;
  const unhealthy = options.unhealthyThresholdCount ?? speed.unhealthyThresholdCount;
  const code = ErrorCode.TARGET_HEALTH_CHECK;
  checkRange(scope, code, 'targetHealthCheck.interval', knownSeconds(interval), 5, 300, ' s');
  checkRange(scope, code, 'targetHealthCheck.timeout', knownSeconds(timeout), 2, 120, ' s');
  checkRange(scope, code, 'targetHealthCheck.healthyThresholdCount', healthy, 2, 10);
  checkRange(scope, code, 'targetHealthCheck.unhealthyThresholdCount', unhealthy, 2, 10);
  const i = knownSeconds(interval);
  const t = knownSeconds(timeout);
  if (i !== undefined && t !== undefined && t >= i) {
    throw new ShipyardError(scope, code, `targetHealthCheck.timeout (${t} s) is not shorter than its interval (${i} s)`,
      'make the timeout shorter than the interval');
  }
  const path = options.path ?? (grpc ? '/AWS.ALB/healthcheck' : '/');
  if (isKnown(path) && (!path.startsWith('/') || path.length > 1024)) {
    throw new ShipyardError(scope, code, `targetHealthCheck.path ${JSON.stringify(path)} is not valid`,
      'give a path that starts with / and has at most 1024 characters');
  }
  if (options.port !== undefined) {
    checkPort(scope, 'targetHealthCheck.port', options.port);
    if (!ipTargets) {
      throw new ShipyardError(scope, code, `targetHealthCheck.port is ${options.port}, but the tasks are not in awsvpc mode`,
        'leave the port out: in bridge and host mode the load balancer checks the port traffic reaches');
    }
  }
  if (grpc && options.healthyHttpCodes !== undefined) {
    throw new ShipyardError(scope, code, 'targetHealthCheck.healthyHttpCodes is given for a gRPC target group',
      'give healthyGrpcCodes (gRPC status codes 0-99) instead');
  }
  if (!grpc && options.healthyGrpcCodes !== undefined) {
    throw new ShipyardError(scope, code, 'targetHealthCheck.healthyGrpcCodes is given, but the protocol version is not gRPC',
      'set loadBalancing.protocolVersion to GRPC, or give healthyHttpCodes');
  }
  const codes = grpc ? options.healthyGrpcCodes ?? '12' : options.healthyHttpCodes ?? '200-399';
  checkSuccessCodes(scope, codes, grpc);
  return {
    path,
    port: options.port?.toString(),
    interval,
    timeout,
    healthyThresholdCount: healthy,
    unhealthyThresholdCount: unhealthy,
    ...(grpc ? { healthyGrpcCodes: codes } : { healthyHttpCodes: codes }),
  };
}

/**
 * A health check's success codes, listed (`200,202`) or as ranges (`200-299`): HTTP codes from
 * 200 to 499, gRPC codes from 0 to 99. Source: Elastic Load Balancing API Reference, Matcher.
 */
function checkSuccessCodes(scope: Construct, codes: string, grpc: boolean): void {
  if (Token.isUnresolved(codes)) return;
  const [low, high, digits] = grpc ? [0, 99, '\\d{1,2}'] : [200, 499, '\\d{3}'];
  const pattern = new RegExp(`^(${digits})(?:-(${digits}))?$`);
  const parts = codes.split(',').map(part => pattern.exec(part.trim()));
  const valid = parts.every(m => m !== null && Number(m[1]) >= low && Number(m[2] ?? m[1]) <= high && Number(m[1]) <= Number(m[2] ?? m[1]));
  if (!valid) {
    const name = grpc ? 'healthyGrpcCodes' : 'healthyHttpCodes';
    throw new ShipyardError(scope, ErrorCode.TARGET_HEALTH_CHECK, `targetHealthCheck.${name} ${show(codes)} is not valid`,
      grpc ? 'give gRPC status codes from 0 to 99, listed or as ranges, such as "0" or "0-2"'
        : 'give codes from 200 to 499, listed or as ranges, such as "200", "200,204" or "200-399"');
  }
}

/** The container and port a load balancer registers the tasks by. */
export interface RegisteredTarget {
  readonly containerName: string;
  readonly port: number;
}

/**
 * What a route or listener reaches: the app (the first container) on `appPort`, or the
 * container `name` on `targetPort` (its first port mapping by default), which must be a port
 * the container maps, with `protocol` when given: ECS registers a target by a container's port
 * mapping. A main route or listener (empty `prefix`) reaches the app on `appPort` only; an
 * additional one (`prefix` names it) may give another port of the app, mapped for it.
 */
export function registeredTarget(scope: Construct, containers: ecs.ContainerDefinition[], name: string | undefined, targetPort: number | undefined,
  appPort: number, prefix: string, protocol?: ecs.Protocol): RegisteredTarget {
  if (name === undefined) {
    if (prefix === '' && targetPort !== undefined && targetPort !== appPort) {
      throw new ShipyardError(scope, ErrorCode.CONTAINERS, `targetPort ${targetPort} is given for the app container, which listens on ${appPort}`,
        'set containerPort instead, or name the sidecar that listens on targetPort (targetContainer)');
    }
    return { containerName: containers[0].containerName, port: targetPort ?? appPort };
  }
  const container = containers.find(c => c.containerName === name);
  if (!container) {
    throw new ShipyardError(scope, ErrorCode.CONTAINERS, `${prefix}targetContainer ${JSON.stringify(name)} is not a container of the task`,
      `name one of ${containers.map(c => JSON.stringify(c.containerName)).join(', ')}`);
  }
  const mapped = container.portMappings
    .filter(m => protocol === undefined || (m.protocol ?? ecs.Protocol.TCP) === protocol).map(m => m.containerPort);
  const port = targetPort ?? mapped[0];
  if (port === undefined || !mapped.includes(port)) {
    const kind = protocol === undefined ? '' : `${protocol} `;
    const mapping = protocol === undefined ? '' : `, protocol: ecs.Protocol.${protocol.toUpperCase()}`;
    throw new ShipyardError(scope, ErrorCode.CONTAINERS,
      `${prefix}targetContainer ${JSON.stringify(name)} maps no ${kind}port ${port === undefined ? '' : port}`.trimEnd(),
      `give the container portMappings: [{ containerPort: ${targetPort ?? 8443}${mapping} }], or a targetPort it maps (${mapped.join(', ') || 'none'})`);
  }
  checkPort(scope, `${prefix}targetPort`, port);
  return { containerName: name, port };
}
