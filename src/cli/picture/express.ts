/**
 * ECS Express Mode services (`AWS::ECS::ExpressGatewayService`): ECS creates the service, its tasks
 * and a load balancer of its own, and gives the service a URL of its own, none of which the
 * template states. Each is drawn as a service node reached through its own managed ingress, from
 * the internet when its subnets are public (or not given: the default VPC's public subnets), else
 * from the VPC.
 */
import { Graph, NodeKind } from './graph';
import { drawSource } from './ingress';
import { AppIndex, Resource } from './references';
import { nodeName } from './services';

const EXPRESS = 'AWS::ECS::ExpressGatewayService';

/** Draw each Express Mode service and its managed ingress. */
export function drawExpressServices(app: AppIndex, graph: Graph): void {
  for (const service of app.ofType(EXPRESS)) {
    const id = nodeName(service, true);
    const internal = isInternal(app, service);
    const ingress = `${id} ingress`;
    graph.node(id, NodeKind.SERVICE, [id, 'ECS Express Mode service']);
    graph.node(ingress, NodeKind.LOAD_BALANCER, [ingress, `load balancer managed by ECS Express Mode, ${internal ? 'internal' : 'internet-facing'}`]);
    graph.edge(drawSource(graph, internal), ingress);
    const port = service.props.PrimaryContainer?.ContainerPort;
    graph.edge(ingress, id, `URL of its own, port ${typeof port === 'number' ? port : 80}`);
  }
}

/** Internal when every subnet it names is in the app and none maps public IPs on launch (a private subnet). */
function isInternal(app: AppIndex, service: Resource): boolean {
  const subnets = service.props.NetworkConfiguration?.Subnets;
  if (!Array.isArray(subnets) || subnets.length === 0) return false;
  const resolved = subnets.map(s => app.refs(service.stack, s).find(r => r.type === 'AWS::EC2::Subnet'));
  return resolved.every(r => r !== undefined && r.props.MapPublicIpOnLaunch !== true);
}
