/**
 * The way in: the internet (or the VPC, for an internal load balancer) to each load balancer, to
 * its listeners, to the services their rules and default actions forward to, each edge labelled
 * with the rule's literal conditions (host, path, method, header, query, source).
 */
import { Graph, NodeKind } from './graph';
import { AppIndex, Resource } from './references';
import { nodeName, Service } from './services';

const LB = 'AWS::ElasticLoadBalancingV2::LoadBalancer';
const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
const TARGET_GROUP = 'AWS::ElasticLoadBalancingV2::TargetGroup';
/** A listener's default action comes after its rules. */
const DEFAULT_ORDER = 1e6;

const FIELDS: Record<string, [string, string]> = {
  'host-header': ['host', 'HostHeaderConfig'],
  'path-pattern': ['path', 'PathPatternConfig'],
  'http-request-method': ['method', 'HttpRequestMethodConfig'],
  'source-ip': ['source', 'SourceIpConfig'],
  'http-header': ['header', 'HttpHeaderConfig'],
  'query-string': ['query', 'QueryStringConfig'],
};

/** Draw the load balancers, their listeners and rules, and the services they forward to. */
export function drawIngress(app: AppIndex, services: Service[], graph: Graph): void {
  const servicesOfTargetGroup = new Map<string, Service[]>();
  for (const s of services) for (const tg of s.targetGroups) servicesOfTargetGroup.set(tg, [...servicesOfTargetGroup.get(tg) ?? [], s]);
  const forward = (from: Resource, listenerId: string, actions: unknown, label: string, order: number) => {
    for (const tg of app.refs(from.stack, actions).filter(r => r.type === TARGET_GROUP)) {
      for (const s of servicesOfTargetGroup.get(tg.key) ?? []) graph.edge(listenerId, s.id, label, order);
    }
  };
  const listeners = app.ofType(LISTENER).filter(l => app.refs(l.stack, l.props.LoadBalancerArn).some(r => r.type === LB));
  for (const lb of app.ofType(LB)) {
    const internal = lb.props.Scheme === 'internal';
    const source = drawSource(graph, internal);
    const kind = { network: 'network', gateway: 'gateway' }[String(lb.props.Type)] ?? 'application';
    graph.node(nodeName(lb), NodeKind.LOAD_BALANCER, [nodeName(lb), `${kind} load balancer, ${internal ? 'internal' : 'internet-facing'}`]);
    graph.edge(source, nodeName(lb));
  }
  for (const listener of listeners) {
    const lb = app.refs(listener.stack, listener.props.LoadBalancerArn).find(r => r.type === LB)!;
    const id = nodeName(listener);
    graph.node(id, NodeKind.LISTENER, [`${listener.props.Protocol ?? 'listener'} :${listener.props.Port ?? '?'}`, ...defaultLine(listener.props.DefaultActions)]);
    graph.edge(nodeName(lb), id);
    forward(listener, id, listener.props.DefaultActions, 'default', DEFAULT_ORDER);
    for (const port of redirectPorts(listener.props.DefaultActions)) {
      const to = listeners.find(l => l !== listener && String(l.props.Port) === port && app.refs(l.stack, l.props.LoadBalancerArn).includes(lb));
      if (to) graph.edge(id, nodeName(to), 'redirect');
    }
  }
  for (const rule of app.ofType('AWS::ElasticLoadBalancingV2::ListenerRule')) {
    const listener = app.refs(rule.stack, rule.props.ListenerArn).find(r => listeners.includes(r));
    if (!listener) continue;
    const priority = typeof rule.props.Priority === 'number' ? rule.props.Priority : Number(rule.props.Priority) || 0;
    forward(rule, nodeName(listener), rule.props.Actions, conditionsOf(rule.props.Conditions), priority);
  }
}

/** Where an internet-facing or internal entry point's traffic comes from, drawn once: its node's name. */
export function drawSource(graph: Graph, internal: boolean): string {
  const source = internal ? 'VPC' : 'internet';
  graph.node(source, NodeKind.SOURCE, [internal ? 'VPC (internal clients)' : 'internet']);
  return source;
}

/** What a listener does with what no rule takes, when it answers itself (`default: 404`, `default: redirect`). */
function defaultLine(actions: unknown): string[] {
  const list = Array.isArray(actions) ? actions : [];
  const fixed = list.find(a => a?.Type === 'fixed-response');
  if (fixed) return [`default: ${fixed.FixedResponseConfig?.StatusCode ?? 'fixed response'}`];
  const redirect = list.find(a => a?.Type === 'redirect');
  if (!redirect) return [];
  const to = [redirect.RedirectConfig?.Protocol, redirect.RedirectConfig?.Port].filter(x => typeof x === 'string' || typeof x === 'number');
  return [`default: redirect${to.length > 0 ? ` to ${to.join(':')}` : ''}`];
}

function redirectPorts(actions: unknown): string[] {
  return (Array.isArray(actions) ? actions : []).filter(a => a?.Type === 'redirect' && a.RedirectConfig?.Port !== undefined)
    .map(a => String(a.RedirectConfig.Port));
}

/** A rule's conditions, literal values shown (a value resolved only at deploy shows as `?`). */
function conditionsOf(conditions: unknown): string {
  const parts = (Array.isArray(conditions) ? conditions : []).map(c => {
    const [name, configKey] = FIELDS[c?.Field] ?? [String(c?.Field ?? 'condition'), ''];
    const config = c?.[configKey] ?? {};
    const raw: unknown[] = Array.isArray(config.Values) ? config.Values : Array.isArray(c?.Values) ? c.Values : [];
    const values = raw.map(v => typeof v === 'string' ? v : v && typeof v === 'object' && 'Key' in v
      ? (typeof (v as any).Value === 'string' ? `${typeof (v as any).Key === 'string' ? `${(v as any).Key}=` : ''}${(v as any).Value}` : '?') : '?');
    const header = c?.Field === 'http-header' && typeof config.HttpHeaderName === 'string' ? `${config.HttpHeaderName} ` : '';
    return `${name} ${header}${values.join(',') || '?'}`;
  });
  return parts.length > 0 ? parts.join('; ') : 'rule';
}
