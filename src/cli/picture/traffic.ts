/**
 * The traffic view of an app: internet or VPC → load balancers → listeners (or ECS gateways, or an
 * Express Mode service's own ingress) → ECS services →
 * what each service reaches, each service's alarms counted on its node. It reads CloudFormation
 * resource types and references only (with construct paths where the templates carry them), so it
 * draws apps built with aws-ecs or aws-ecs-patterns as well as with this library.
 */
import { StackTemplate } from './assembly';
import { drawExpressServices } from './express';
import { drawGateways } from './gateway';
import { Graph, NodeKind } from './graph';
import { drawIngress } from './ingress';
import { drawReach } from './reach';
import { AppIndex } from './references';
import { servicesOf } from './services';

/** The traffic graph of the app's stacks. */
export function trafficOf(stacks: StackTemplate[]): Graph {
  const app = new AppIndex(stacks);
  const services = servicesOf(app);
  const graph = new Graph();
  for (const s of services) {
    const n = s.alarms.size;
    graph.node(s.id, NodeKind.SERVICE, [s.id, 'ECS service', ...n > 0 ? [`${n} alarm${n === 1 ? '' : 's'}`] : []]);
  }
  drawIngress(app, services, graph);
  drawGateways(app, services, graph);
  drawReach(app, services, graph);
  drawExpressServices(app, graph);
  return graph;
}

/** The traffic view in dot. */
export function trafficDot(stacks: StackTemplate[]): string {
  return trafficOf(stacks).render('traffic');
}
