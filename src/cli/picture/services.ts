/**
 * The app's ECS services as the traffic view draws them: named by construct path, with their
 * security groups, target groups, task definition, Service Connect settings and alarms.
 */
import { AppIndex, Resource } from './references';

/** An ECS service of the app. */
export interface Service {
  readonly resource: Resource;
  /** Its node: the construct that owns it (`Stack/Api` for `Stack/Api/Service/Service`). */
  readonly id: string;
  readonly securityGroups: Set<string>;
  readonly targetGroups: Set<string>;
  readonly taskDefinition?: Resource;
  /** Service Connect, when enabled: the namespace (what it refers to, or its literal) and the names it serves. */
  readonly serviceConnect?: { readonly namespace?: string; readonly aliases: Set<string> };
  /** The keys of its alarms. */
  readonly alarms: Set<string>;
}

/**
 * A node's name for a resource: its construct path without the L1's `Resource` (and, for an ECS
 * service, without the `Service` ids aws-ecs and the patterns put under the construct that owns it).
 */
export function nodeName(resource: Resource, service = false): string {
  const stackPath = resource.stack.displayName;
  const relative = resource.path.startsWith(`${stackPath}/`) ? resource.path.slice(stackPath.length + 1).split('/') : [resource.path];
  if (relative.length > 1 && relative[relative.length - 1] === 'Resource') relative.pop();
  for (let i = 0; service && i < 2 && relative.length > 1 && relative[relative.length - 1] === 'Service'; i++) relative.pop();
  return [stackPath, ...relative].join('/');
}

/** Every ECS service of the app, in node name order, with its alarms. */
export function servicesOf(app: AppIndex): Service[] {
  const services = app.ofType('AWS::ECS::Service').map(resource => {
    const p = resource.props;
    const taskDefinition = app.refs(resource.stack, p.TaskDefinition).find(r => r.type === 'AWS::ECS::TaskDefinition');
    const sc = p.ServiceConnectConfiguration;
    const enabled = sc && (sc.Enabled === true || sc.Enabled === 'true');
    return {
      resource,
      id: nodeName(resource, true),
      securityGroups: keys(app.refs(resource.stack, p.NetworkConfiguration?.AwsvpcConfiguration?.SecurityGroups), 'AWS::EC2::SecurityGroup'),
      targetGroups: keys(app.refs(resource.stack, (p.LoadBalancers ?? []).map((l: any) => l?.TargetGroupArn)), 'AWS::ElasticLoadBalancingV2::TargetGroup'),
      taskDefinition,
      serviceConnect: enabled ? {
        namespace: namespaceOf(app, resource, sc.Namespace),
        aliases: new Set<string>((Array.isArray(sc.Services) ? sc.Services : []).flatMap(aliasesOf)),
      } : undefined,
      alarms: new Set<string>(),
    };
  }).sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  assignAlarms(app, services);
  return services;
}

function keys(resources: Resource[], type: string): Set<string> {
  return new Set(resources.filter(r => r.type === type).map(r => r.key));
}

/** A namespace's identity: the resources it refers to, else its literal value; undefined when not given. */
function namespaceOf(app: AppIndex, resource: Resource, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const refs = app.refs(resource.stack, value);
  return refs.length > 0 ? refs.map(r => r.key).join(',') : JSON.stringify(value);
}

/** The names callers use for one Service Connect service: its client aliases' DNS names, else its discovery or port name. */
function aliasesOf(service: any): string[] {
  const dns = (Array.isArray(service?.ClientAliases) ? service.ClientAliases : []).map((a: any) => a?.DnsName).filter((n: unknown) => typeof n === 'string');
  if (dns.length > 0) return dns.map((n: string) => n.toLowerCase());
  const name = typeof service?.DiscoveryName === 'string' ? service.DiscoveryName : service?.PortName;
  return typeof name === 'string' ? [name.toLowerCase()] : [];
}

/**
 * Each alarm to the service it watches: the service whose construct holds it (the most specific
 * one), else the services it refers to (the service itself or its target groups, as metric
 * dimensions), else the services whose deployment configuration names it.
 */
function assignAlarms(app: AppIndex, services: Service[]): void {
  for (const alarm of app.ofType('AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm')) {
    const name = nodeName(alarm);
    const owner = services.filter(s => name.startsWith(`${s.id}/`)).sort((a, b) => b.id.length - a.id.length)[0];
    if (owner) {
      owner.alarms.add(alarm.key);
      continue;
    }
    const refs = new Set(app.refs(alarm.stack, alarm.props).map(r => r.key));
    let watched = services.filter(s => refs.has(s.resource.key) || [...s.targetGroups].some(tg => refs.has(tg)));
    if (watched.length === 0 && typeof alarm.props.AlarmName === 'string') {
      watched = services.filter(s => (s.resource.props.DeploymentConfiguration?.Alarms?.AlarmNames ?? []).includes(alarm.props.AlarmName));
    }
    watched.forEach(s => s.alarms.add(alarm.key));
  }
}
