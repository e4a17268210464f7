/** http and nlb: listener rules, aliases, health checks, the root path several services claim. */
import type { LoadBalancingOptions, NetworkListenerOptions, Routing, TargetHealthCheckOptions } from '../../index';
import { Code, code, pascal, quote } from '../code';
import { Mapper, Workload } from './mapper';
import { duration } from './values';
import { PropsModel, WorkloadPropsModel } from '../model';
import { FieldFate, FieldPath, show, YamlFile } from '../source';

/** The zone an alias is likely in: its parent (`api.example.com` → `example.com`), or itself at the apex. */
export function zoneNameOf(alias: string): string {
  const labels = alias.split('.');
  return labels.length > 2 ? labels.slice(1).join('.') : alias;
}

/** The names of `http.alias` in each of its forms, with the hosted zone an entry names. */
export function aliasEntries(f: YamlFile, at: FieldPath): Array<{ name: string; zone?: string }> {
  const kind = f.kind(at);
  if (kind === undefined || !f.has(at)) return [];
  const one = (p: FieldPath) => f.kind(p) === 'map' ? { name: f.str([...p, 'name'])!, zone: f.str([...p, 'hosted_zone']) } : { name: f.text(p)! };
  const entries = kind === 'list' ? Array.from({ length: f.length(at) }, (_, i) => one([...at, i])) : [one(at)];
  for (const e of entries) if (!e.name) f.fail(at, 'an alias has no name');
  return entries;
}

/** Whether a web service's main rule takes every request in a stage: the path / (or none) and no alias, the stage's override first. */
export function claimsRoot(f: YamlFile, stage: string): boolean {
  if (f.kind(['http']) !== 'map') return false;
  const field = (...rest: string[]) => f.has(['environments', stage, 'http', ...rest]) ? ['environments', stage, 'http', ...rest] : ['http', ...rest];
  const p = f.kind(field('path')) === 'scalar' ? f.text(field('path')) : undefined;
  return (p === undefined || p.replace(/^\/+|\/+$/g, '') === '') && !f.has(field('alias'));
}

export function mapHttp(m: Mapper, props: WorkloadPropsModel, w: Workload): void {
  const f = m.file;
  if (f.kind(m.p('http')) === 'scalar' && f.bool(m.p('http')) === false) {
    m.todo(['http'], 'http: false leaves a web service without a load balancer: make it a BackendService or BackgroundService');
    return;
  }
  Object.assign(props, httpRule(m, w, ['http']));
  const rules = f.length(m.p('http', 'additional_rules'));
  if (rules > 0) {
    props.additionalRoutes = Array.from({ length: rules }, (_, i) => {
      const { routing, targetContainer, targetPort, targetHealthCheck } = httpRule(m, w, ['http', 'additional_rules', i]);
      return { routing: routing ?? { pathPatterns: ['/*'] }, targetContainer, targetPort, targetHealthCheck };
    });
  }
}

/** One listener rule of `http` (or of `http.additional_rules[i]`) as WebService props. */
export function httpRule(m: Mapper, w: Workload, base: Array<string | number>): WorkloadPropsModel {
  const f = m.file;
  const props: WorkloadPropsModel = {};
  const routing = ruleRouting(m, w, base);
  if (Object.keys(routing).length > 0) props.routing = routing;
  ruleHealthCheck(m, base, props);
  if (f.has(m.p(...base, 'deregistration_delay')) && perService(m, base, ['deregistration_delay'])) props.deregistrationDelay = duration(m, [...base, 'deregistration_delay']);
  ruleTarget(m, w, base, props);
  const loadBalancing = ruleLoadBalancing(m, base);
  if (Object.keys(loadBalancing).length > 0) props.loadBalancing = loadBalancing;
  return props;
}

/**
 * Whether a field the library sets per service, not per rule, applies: always on the main rule;
 * on an additional rule it needs a person.
 */
function perService(m: Mapper, base: Array<string | number>, rest: string[]): boolean {
  const main = base.length === 1;
  if (main || !m.file.has(m.p(...base, ...rest))) return main;
  m.todo([...base, ...rest], `${rest.join('.')} is set per service here, not per rule: set it on the service, or give the rule a service of its own`);
  return false;
}

/** A rule's `path`, `alias` (with its hosted zone) and `allowed_source_ips` as its routing. */
function ruleRouting(m: Mapper, w: Workload, base: Array<string | number>): PropsModel<Routing> {
  const f = m.file;
  const routing: PropsModel<Routing> = {};
  const p = f.str(m.p(...base, 'path'));
  if (p !== undefined) {
    const clean = `/${p.replace(/^\/+|\/+$/g, '')}`;
    // Copilot's path rule matched the path and everything under it.
    if (clean !== '/') routing.pathPatterns = [clean, `${clean}/*`];
    m.done(FieldFate.MAPPED, ...base, 'path');
  }
  aliasRouting(m, w, base, routing);
  const sources = f.strings(m.p(...base, 'allowed_source_ips'));
  if (sources) {
    routing.sourceIps = sources;
    m.done(FieldFate.MAPPED, ...base, 'allowed_source_ips');
  }
  return routing;
}

/** alias: a name, a list of names, or names with their own hosted_zone ({name, hosted_zone}, or a list of them). */
function aliasRouting(m: Mapper, w: Workload, base: Array<string | number>, routing: PropsModel<Routing>): void {
  const f = m.file;
  const at = (...rest: string[]) => m.p(...base, ...rest);
  const entries = aliasEntries(f, at('alias'));
  const aliases = entries.length > 0 ? entries.map(e => e.name) : undefined;
  const zones = [...new Set(entries.map(e => e.zone).filter((z): z is string => z !== undefined))];
  const zone = f.str(at('hosted_zone')) ?? zones[0];
  if (zones.length > 1 || (zones.length === 1 && f.has(at('hosted_zone')) && zones[0] !== f.str(at('hosted_zone')))) {
    m.todo([...base, 'alias'], `the names are in more than one hosted zone (${[...new Set([zone, ...zones])].join(', ')}): routing takes one; add the other records by hand`);
  }
  if (aliases && zone !== undefined) {
    // Copilot's hosted_zone is the zone's id; the zone name is taken as the alias's parent domain.
    routing.aliases = aliases;
    routing.hostedZone = code(`route53.HostedZone.fromHostedZoneAttributes(stack, ${quote(m.id(`${pascal(w.name)}Zone`))}, `
      + `{ hostedZoneId: ${quote(zone)}, zoneName: ${quote(zoneNameOf(aliases[0]))} })`);
    m.done(FieldFate.MAPPED, ...base, 'alias');
    m.todo([...base, f.has(at('hosted_zone')) ? 'hosted_zone' : 'alias'], `check the zone name given for ${zone}`);
  } else if (aliases) {
    // The names route here at once; their DNS records need the zone (routing.aliases with routing.hostedZone).
    routing.hostHeaders = aliases;
    m.todo([...base, 'alias'], `create the DNS records of ${aliases.join(', ')}: give routing.aliases and routing.hostedZone`);
  }
}

/** A rule's `healthcheck` (a path, or the target group's settings) and its grace period. */
function ruleHealthCheck(m: Mapper, base: Array<string | number>, props: WorkloadPropsModel): void {
  const f = m.file;
  const at = (...rest: string[]) => m.p(...base, ...rest);
  const done = (...rest: string[]) => m.done(FieldFate.MAPPED, ...base, ...rest);
  const check: PropsModel<TargetHealthCheckOptions> = {};
  if (f.kind(at('healthcheck')) === 'scalar') {
    check.path = f.str(at('healthcheck'));
    done('healthcheck');
  } else if (f.has(at('healthcheck'))) {
    const hc = (k: string) => at('healthcheck', k);
    check.path = f.str(hc('path'));
    check.port = f.int(hc('port'));
    check.healthyHttpCodes = f.text(hc('success_codes'));
    check.healthyThresholdCount = f.int(hc('healthy_threshold'));
    check.unhealthyThresholdCount = f.int(hc('unhealthy_threshold'));
    check.interval = duration(m, [...base, 'healthcheck', 'interval']);
    check.timeout = duration(m, [...base, 'healthcheck', 'timeout']);
    for (const k of ['path', 'port', 'success_codes', 'healthy_threshold', 'unhealthy_threshold']) if (f.has(hc(k))) done('healthcheck', k);
    if (f.has(hc('grace_period')) && perService(m, base, ['healthcheck', 'grace_period'])) props.healthCheckGracePeriod = duration(m, [...base, 'healthcheck', 'grace_period']);
  }
  if (Object.values(check).some(v => v !== undefined)) props.targetHealthCheck = check;
}

/** A rule's `target_container` and `target_port` (by default the target container's own port). */
function ruleTarget(m: Mapper, w: Workload, base: Array<string | number>, props: WorkloadPropsModel): void {
  const f = m.file;
  const targetContainer = f.str(m.p(...base, 'target_container'));
  if (targetContainer !== undefined) {
    // The route reaches a sidecar of the manifest on its port (the main container is `app` here).
    props.targetContainer = targetContainer === w.name ? 'app' : targetContainer;
    m.done(FieldFate.MAPPED, ...base, 'target_container');
  }
  // Copilot's target port defaults to the target container's own port.
  const sidecarPort = targetContainer === undefined || targetContainer === w.name ? undefined : f.text(['sidecars', targetContainer, 'port']);
  const targetPort = f.int(m.p(...base, 'target_port')) ?? (sidecarPort !== undefined ? Number(sidecarPort.split('/')[0]) : undefined);
  if (targetPort !== undefined) props.targetPort = targetPort;
  if (f.has(m.p(...base, 'target_port'))) m.done(FieldFate.MAPPED, ...base, 'target_port');
}

/** A rule's `stickiness` and protocol `version`. */
function ruleLoadBalancing(m: Mapper, base: Array<string | number>): PropsModel<LoadBalancingOptions> {
  const f = m.file;
  const at = (...rest: string[]) => m.p(...base, ...rest);
  const loadBalancing: PropsModel<LoadBalancingOptions> = {};
  const stickiness = f.bool(at('stickiness'));
  if (stickiness !== undefined && perService(m, base, ['stickiness'])) {
    // Copilot's stickiness: the load balancer's cookie, one day.
    if (stickiness) loadBalancing.stickiness = {};
    m.done(FieldFate.MAPPED, ...base, 'stickiness');
  }
  const version = f.str(at('version'));
  if (version !== undefined && perService(m, base, ['version'])) {
    const versions: { [k: string]: string } = { grpc: 'GRPC', http1: 'HTTP1', http2: 'HTTP2' };
    if (!versions[version.toLowerCase()]) f.fail(at('version'), `expected grpc, http1 or http2 for ${show(at('version'))}, got ${JSON.stringify(version)}`);
    loadBalancing.protocolVersion = code(`elbv2.ApplicationProtocolVersion.${versions[version.toLowerCase()]}`);
    m.done(FieldFate.MAPPED, ...base, 'version');
  }
  return loadBalancing;
}

/** Copilot's `nlb.port` (`80`, `443/tls`, `53/udp`) as a port and a listener protocol. */
export function nlbPort(m: Mapper, rest: Array<string | number>): { port: number; protocol?: Code } {
  const text = m.file.text(m.p(...rest));
  const match = text === undefined ? null : /^(\d+)(?:\/(tcp|udp|tls|tcp_udp))?$/i.exec(text);
  if (!match) throw m.file.error(m.p(...rest), `expected a port such as 80/tcp, 443/tls or 53/udp for ${show(m.p(...rest))}, got ${JSON.stringify(text)}`);
  m.done(FieldFate.MAPPED, ...rest);
  const protocol = match[2]?.toUpperCase();
  return { port: Number(match[1]), protocol: protocol && protocol !== 'TCP' ? code(`elbv2.Protocol.${protocol}`) : undefined };
}

/** A Load Balanced Web Service with `nlb` only: its own network load balancer, open to the internet as Copilot's was. */
export function mapNlb(m: Mapper, props: WorkloadPropsModel, w: Workload): void {
  const f = m.file;
  if (!m.override) props.internetFacing = true;
  if (f.has(m.p('nlb', 'port'))) {
    const { port, protocol } = nlbPort(m, ['nlb', 'port']);
    props.listenerPort = port;
    props.protocol = protocol;
    if (protocol?.text.endsWith('TLS')) m.todo(['nlb', 'port'], 'a TLS listener needs certificate: give the environment\'s certificate (acm.Certificate.fromCertificateArn)');
  }
  const container = (name: string | undefined) => name === undefined ? undefined : name === w.name ? 'app' : name;
  props.targetContainer = container(f.str(m.p('nlb', 'target_container')));
  if (props.targetContainer !== undefined) m.done(FieldFate.MAPPED, 'nlb', 'target_container');
  props.targetPort = f.int(m.p('nlb', 'target_port'));
  if (props.targetPort !== undefined) m.done(FieldFate.MAPPED, 'nlb', 'target_port');
  props.healthCheckPort = f.int(m.p('nlb', 'healthcheck', 'port'));
  if (props.healthCheckPort !== undefined) m.done(FieldFate.MAPPED, 'nlb', 'healthcheck', 'port');
  const listeners = f.length(m.p('nlb', 'additional_listeners'));
  if (listeners > 0) {
    props.additionalListeners = Array.from({ length: listeners }, (_, i) => {
      const at = (...rest: Array<string | number>) => m.p('nlb', 'additional_listeners', i, ...rest);
      const { port, protocol } = nlbPort(m, ['nlb', 'additional_listeners', i, 'port']);
      const listener: PropsModel<NetworkListenerOptions> = { port, protocol, targetContainer: container(f.str(at('target_container'))), targetPort: f.int(at('target_port')) };
      listener.healthCheckPort = f.int(at('healthcheck', 'port'));
      for (const k of ['target_container', 'target_port']) if (f.has(at(k))) m.done(FieldFate.MAPPED, 'nlb', 'additional_listeners', i, k);
      if (listener.healthCheckPort !== undefined) m.done(FieldFate.MAPPED, 'nlb', 'additional_listeners', i, 'healthcheck', 'port');
      return listener;
    });
  }
}
