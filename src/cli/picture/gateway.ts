/**
 * The way in through an ECS gateway (`AWS::ECS::Gateway`, a host-based shared load balancer that
 * ECS provisions and owns): the internet (or the VPC, for an internal gateway) to the gateway, and
 * the gateway to each service that joins it with `GatewayConnectors`. A service joins the gateway
 * associated with its cluster (`AWS::ECS::GatewayClusterAssociations`); ECS gives each its own
 * HTTPS host name, which CloudFormation does not return, so the edge says so.
 */
import { Graph, NodeKind } from './graph';
import { drawSource } from './ingress';
import { AppIndex, Resource } from './references';
import { nodeName, Service } from './services';

const GATEWAY = 'AWS::ECS::Gateway';
const ASSOCIATION = 'AWS::ECS::GatewayClusterAssociations';
/** The node of a gateway the app does not declare (a service joins it through an imported cluster). */
const OUTSIDE = 'ECS gateway (outside this app)';

/** Draw the app's ECS gateways and the services that join them. */
export function drawGateways(app: AppIndex, services: Service[], graph: Graph): void {
  const gateways = app.ofType(GATEWAY);
  const gatewayOfCluster = new Map<string, Resource>();
  for (const association of app.ofType(ASSOCIATION)) {
    const gateway = app.refs(association.stack, association.props.Gateway).find(r => r.type === GATEWAY);
    for (const cluster of app.refs(association.stack, association.props.Cluster)) if (gateway) gatewayOfCluster.set(cluster.key, gateway);
  }
  for (const gateway of gateways) drawGateway(gateway, graph);
  for (const service of services) {
    const connectors = service.resource.props.GatewayConnectors;
    if (!Array.isArray(connectors) || connectors.length === 0) continue;
    const clusters = app.refs(service.resource.stack, service.resource.props.Cluster);
    const gateway = clusters.map(c => gatewayOfCluster.get(c.key)).find(g => g)
      // A cluster the app imports: the app's only gateway, if it has one, else one outside it.
      ?? (clusters.length === 0 && gateways.length === 1 ? gateways[0] : undefined);
    const from = gateway ? nodeName(gateway) : OUTSIDE;
    if (!gateway) graph.node(OUTSIDE, NodeKind.LOAD_BALANCER, [OUTSIDE, 'host-based shared load balancer, managed by ECS']);
    connectors.forEach((c: any, i: number) => graph.edge(from, service.id, connectorLabel(c), i));
  }
}

function drawGateway(gateway: Resource, graph: Graph): void {
  const alb = gateway.props.Configuration?.HostSharedAlb ?? {};
  const internal = alb.Scheme === 'internal';
  const source = drawSource(graph, internal);
  const count = typeof alb.MaxAlbCount === 'number' ? `, at most ${alb.MaxAlbCount} load balancer${alb.MaxAlbCount === 1 ? '' : 's'}` : '';
  graph.node(nodeName(gateway), NodeKind.LOAD_BALANCER, [nodeName(gateway), `ECS gateway, ${internal ? 'internal' : 'internet-facing'}${count}`]);
  graph.edge(source, nodeName(gateway));
}

/** A connector's edge: ECS's host name for the service, the port it names and who may reach it. */
function connectorLabel(connector: any): string {
  const access = connector?.Filters?.AccessTypes;
  const port = typeof connector?.PortName === 'string' ? connector.PortName : '?';
  return [`host name of its own, port ${port}`, ...Array.isArray(access) ? [access.map(String).join(', ').toLowerCase()] : []].join('\n');
}
