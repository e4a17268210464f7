/** What each service of a Compose file becomes, from its ports, what calls it and what it runs. */
import { knownImage, KnownImage } from './known-images';
import { skip } from './resolve';
import { ImportError, FieldPath, show, YamlFile } from '../source';

/** A service of the file, read. */
export interface Service {
  readonly name: string;
  readonly construct: 'WebService' | 'NetworkService' | 'BackendService' | 'BackgroundService' | 'StandaloneTask';
  readonly port?: number;
  /** The services it depends on or names in its variables (`postgres://db:5432`): it calls them. */
  readonly calls: string[];
  /** What is known of its image. */
  readonly known?: KnownImage;
  /** Ports published on the host's loopback only, which stay private. */
  readonly hostOnly: number[];
  /** Why the construct is not the plain reading of its ports, for a TODO. */
  readonly why?: string;
}

/** Whether a host address is the host's own loopback, which Compose users bind to keep a port off the network. */
function isLoopback(hostIp: string | undefined): boolean {
  return hostIp !== undefined && /^(127\.|::1$|localhost$)/.test(hostIp);
}

/** The names of the other services a text calls: `db`, `redis:6379`, `postgres://u:p@db:5432/x`, `http://api/`. */
function servicesNamed(text: string, names: string[], self: string): string[] {
  return names.filter(n => n !== self && new RegExp(`(^|[/@=,\\s'"])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[:/,\\s'"?])`).test(text));
}

/**
 * Read each service's ports, what it calls and what it becomes. A service another one calls
 * stays reachable by its Compose name: on its exposed or container port, a port published on
 * the host's loopback, or the well-known port of its image. A service another waits for to
 * complete (`service_completed_successfully`) ran once: it is a task, not a service.
 */
export function analyse(f: YamlFile, names: string[], resolved: { skipped: Array<{ name: string }> }): Service[] {
  const at = (name: string, ...rest: Array<string | number>): FieldPath => ['services', name, ...rest];
  const completed = new Map<string, string[]>();
  const calls = new Map<string, string[]>();
  for (const name of names) {
    const dependsOn = f.kind(at(name, 'depends_on')) === 'map' ? f.keys(at(name, 'depends_on')) : f.kind(at(name, 'depends_on')) === 'list' ? f.strings(at(name, 'depends_on')) ?? [] : [];
    for (const d of dependsOn) {
      if (f.kind(at(name, 'depends_on')) === 'map' && f.kind(at(name, 'depends_on', d)) === 'map' && f.str(at(name, 'depends_on', d, 'condition')) === 'service_completed_successfully') completed.set(d, [...completed.get(d) ?? [], name]);
    }
    const links = (f.strings(at(name, 'links')) ?? []).map(l => l.split(':')[0]);
    const texts = [f.value(at(name, 'environment')), f.value(at(name, 'command')), f.value(at(name, 'entrypoint')), links]
      .flatMap(v => v === undefined || v === null ? [] : typeof v === 'object' ? Object.values(v as object).map(String) : [String(v)]);
    const named = texts.flatMap(t => servicesNamed(t, names, name));
    calls.set(name, [...new Set([...dependsOn.filter(d => names.includes(d)), ...named])]);
  }
  const calledBy = (name: string) => names.filter(n => calls.get(n)!.includes(name));
  const out: Service[] = [];
  for (const name of names) {
    try {
      const ports = portsOf(f, at(name, 'ports'));
      const exposed = Array.from({ length: f.length(at(name, 'expose')) }, (_, i) => parseInt(f.text(at(name, 'expose', i))!, 10));
      if (exposed.some(p => !Number.isInteger(p))) throw f.error(at(name, 'expose'), `expected port numbers for ${show(at(name, 'expose'))}`);
      const known = knownImage(f.has(at(name, 'image')) && f.kind(at(name, 'image')) === 'scalar' ? f.text(at(name, 'image')) : undefined);
      const open = ports.published.filter(p => !isLoopback(p.hostIp));
      const hostOnly = ports.published.filter(p => isLoopback(p.hostIp)).map(p => p.target);
      const callers = calledBy(name);
      const base = { name, calls: calls.get(name)!, known, hostOnly };
      if (completed.has(name)) {
        out.push({ ...base, construct: 'StandaloneTask', why: `Compose ran it once, to completion, before ${completed.get(name)!.join(', ')}: run the task (RunTask) before deploying the services, or from your pipeline` });
      } else if (open.length > 0) {
        out.push({ ...base, construct: isHttp(open[0]) ? 'WebService' : 'NetworkService', port: open[0].target });
      } else {
        const port = hostOnly[0] ?? ports.container[0] ?? exposed[0] ?? (callers.length > 0 ? known?.port : undefined);
        const why = hostOnly.length > 0 ? `published on the host's loopback only (${hostOnly.join(', ')}): it stays private, reached over Service Connect${callers.length > 0 ? ` by ${callers.join(', ')}` : ''}`
          : port !== undefined && port === known?.port && ports.container.length + exposed.length === 0
            ? `the file gives no port; ${callers.join(', ')} call${callers.length === 1 ? 's' : ''} it on the port ${known.what} listens on, ${port}` : undefined;
        if (port !== undefined) out.push({ ...base, construct: 'BackendService', port, why });
        else out.push({ ...base, construct: 'BackgroundService', why: callers.length > 0 ? `${callers.join(', ')} call${callers.length === 1 ? 's' : ''} it, but the file gives no port: set containerPort and make it a BackendService` : undefined });
      }
    } catch (e) {
      if (!(e instanceof ImportError)) throw e;
      skip(f, name, e.message, resolved as any);
    }
  }
  return out;
}

/** A published port: the container's, the one clients use, its protocol and the application protocol Compose was told. */
interface PublishedPort {
  /** The host address it is bound to, if the file names one (`127.0.0.1:8080:80`). */
  readonly hostIp?: string;
  readonly target: number;
  readonly published: number;
  readonly protocol: 'tcp' | 'udp';
  readonly appProtocol?: string;
}

/**
 * TCP ports of well-known protocols that are not HTTP (SSH, SMTP, DNS, MQTT, MySQL, PostgreSQL,
 * AMQP, Redis, Cassandra, Kafka, memcached, MongoDB): a service published on one of them is
 * a NetworkService.
 */
const NOT_HTTP_PORTS = new Set([22, 25, 53, 1883, 3306, 5432, 5672, 6379, 9042, 9092, 11211, 27017]);

/**
 * Whether a published port serves HTTP: not UDP, an `app_protocol` of http, https, http2 or
 * grpc when one is given (or Docker's `x-aws-protocol: http`), and not a well-known port of
 * another protocol.
 */
function isHttp(port: PublishedPort): boolean {
  if (port.protocol === 'udp') return false;
  if (port.appProtocol !== undefined) return /^(https?|http2|h2c?|grpc)$/i.test(port.appProtocol);
  return !NOT_HTTP_PORTS.has(port.target) && !NOT_HTTP_PORTS.has(port.published);
}

/** Ports: `"8080:80"`, `"80"`, `"127.0.0.1:8080:80/udp"`, or the long form; published when a host port is given. */
export function portsOf(f: YamlFile, at: FieldPath): { published: PublishedPort[]; container: number[]; all: number; udp: boolean } {
  const published: PublishedPort[] = [];
  const container: number[] = [];
  let udp = false;
  const n = f.length(at);
  for (let i = 0; i < n; i++) {
    if (f.kind([...at, i]) === 'map') {
      const target = f.int([...at, i, 'target']);
      if (target === undefined) throw f.error([...at, i], 'a long-form port has no target');
      const protocol = f.str([...at, i, 'protocol']) === 'udp' ? 'udp' : 'tcp';
      if (protocol === 'udp') udp = true;
      const host = f.text([...at, i, 'published']);
      const appProtocol = f.str([...at, i, 'app_protocol']) ?? f.str([...at, i, 'x-aws-protocol']);
      const hostIp = f.str([...at, i, 'host_ip']);
      if (host !== undefined) published.push({ hostIp, target, published: Number(host.split('-')[0]), protocol, appProtocol });
      else container.push(target);
      continue;
    }
    const spec = f.text([...at, i])!;
    // An empty entry is an unset variable (`- "${PORT}"`): no port, with a TODO where the service is mapped.
    if (/^[\s:]*(\/(tcp|udp))?$/.test(spec)) continue;
    const match = /^(?:(?:([\d.]*|\[[0-9a-fA-F:.]+\]|localhost):)?(\d*(?:-\d+)?):)?(\d+)(?:-\d+)?(?:\/(tcp|udp|sctp))?$/.exec(spec);
    if (!match) throw f.error([...at, i], `expected a port such as "8080:80" or "80", got ${JSON.stringify(spec)}`);
    if (match[4] === 'udp') udp = true;
    // "127.0.0.1::80" publishes on a host port Docker picks.
    if (match[2] !== undefined) {
      published.push({ hostIp: match[1]?.replace(/^\[|\]$/g, '') || undefined, target: Number(match[3]), published: Number(match[2].split('-')[0]) || Number(match[3]), protocol: match[4] === 'udp' ? 'udp' : 'tcp' });
    } else {container.push(Number(match[3]));}
  }
  return { published, container, all: n, udp };
}

/** Whether the service is an ECS service with a port of its own (not a task, not a service without one). */
export function isService(s: Service): boolean {
  return s.construct !== 'StandaloneTask' && s.construct !== 'BackgroundService';
}
