/**
 * The picture of one stack: the template's resources grouped by the construct that owns them
 * (`aws:cdk:path`), one box per workload or environment part, arrows where one refers to another
 * (Ref, Fn::GetAtt). A workload's alarms are one node, the VPC's subnets, routes and gateways one
 * node, so the pictures stay legible. Used by `cdk-shipyard picture` and by the project's own
 * pictures of its integ scenarios (`npx projen pictures`, docs/pictures).
 */
import { quote } from './dot';

/** Resource types that add nothing to the picture (plumbing of what is drawn). */
const HIDDEN = /^AWS::(IAM::(Policy|InstanceProfile)|CDK::Metadata|EC2::(SecurityGroupIngress|SecurityGroupEgress|SubnetRouteTableAssociation|Route|RouteTable|VPCGatewayAttachment|EIP))$|^AWS::SSM::Parameter$|^AWS::Lambda::Permission$/;

interface Node { id: string; component: string; part: string; types: Map<string, number> }

function nodeKey(cdkPath: string): { component: string; part: string } {
  const [, component = 'Stack', part = component, third] = cdkPath.split('/');
  // The VPC's many parts are one node; a workload's alarms are one node.
  if (part === 'Vpc') return { component, part: 'Vpc' };
  if (part === 'Alarms') return { component, part: 'Alarms' };
  if (part === 'Ingress' && third) return { component, part: `Ingress/${third}` };
  return { component, part };
}

function references(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) {value.forEach(v => references(v, out));} else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string') out.add(o.Ref);
    if (Array.isArray(o['Fn::GetAtt'])) out.add(String((o['Fn::GetAtt'] as unknown[])[0]));
    Object.values(o).forEach(v => references(v, out));
  }
  return out;
}

function label(node: Node): string {
  const kinds = [...node.types.entries()].sort(([a], [b]) => a.localeCompare(b))
    .map(([type, count]) => `${type.replace(/^(AWS|Custom)::/, '')}${count > 1 ? ` x${count}` : ''}`);
  return `${node.part}\\n${kinds.join('\\n')}`;
}

/** Construct paths by logical id, from a stack's metadata file (integ snapshots carry no aws:cdk:path). */
export function pathsOf(metadata: Record<string, Array<{ type: string; data: unknown }>>): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [cdkPath, entries] of Object.entries(metadata)) {
    for (const entry of entries ?? []) if (entry?.type === 'aws:cdk:logicalId') paths.set(String(entry.data), cdkPath.replace(/^\//, ''));
  }
  return paths;
}

/** Each drawn resource's node, by logical id. */
function nodesOf(template: any, paths: Map<string, string>): { nodes: Map<string, Node>; nodeOf: Map<string, string> } {
  const nodes = new Map<string, Node>();
  const nodeOf = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (!resource || typeof resource.Type !== 'string' || HIDDEN.test(resource.Type)) continue;
    const cdkPath: string = paths.get(logicalId) ?? resource.Metadata?.['aws:cdk:path'] ?? logicalId;
    if (/Custom::.*CustomResourceProvider|BootstrapVersion|Exports/.test(cdkPath)) continue;
    const { component, part } = nodeKey(cdkPath);
    const id = `${component}/${part}`;
    if (!nodes.has(id)) nodes.set(id, { id, component, part, types: new Map() });
    const types = nodes.get(id)!.types;
    types.set(resource.Type, (types.get(resource.Type) ?? 0) + 1);
    nodeOf.set(logicalId, id);
  }
  return { nodes, nodeOf };
}

/**
 * The picture of one stack template, in Graphviz's dot language. `paths` gives construct paths
 * by logical id (first segment the stack); a resource it does not name is placed by its
 * `aws:cdk:path` metadata, else by its logical id.
 */
export function dotOf(title: string, template: any, paths: Map<string, string> = new Map()): string {
  const { nodes, nodeOf } = nodesOf(template, paths);
  const edges = new Set<string>();
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    const from = nodeOf.get(logicalId);
    if (!from) continue;
    for (const ref of references(resource.Properties ?? {}, new Set())) {
      const to = nodeOf.get(ref);
      if (to && to !== from && !to.endsWith('/Vpc')) edges.add(`${quote(from)} -> ${quote(to)};`);
    }
  }
  const components = [...new Set([...nodes.values()].map(n => n.component))].sort();
  const lines = [
    `digraph ${quote(title)} {`,
    '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, labelloc=t, label=' + quote(title) + '];',
    '  node [shape=box, style="rounded,filled", fillcolor="#f5f7fa", fontname="Helvetica", fontsize=9];',
    '  edge [color="#7a8699", arrowsize=0.6];',
  ];
  components.forEach((component, i) => {
    lines.push(`  subgraph cluster_${i} {`, `    label=${quote(component)}; style="rounded"; color="#c3ccd8";`);
    for (const node of [...nodes.values()].filter(n => n.component === component).sort((a, b) => a.id.localeCompare(b.id))) {
      lines.push(`    ${quote(node.id)} [label=${quote(label(node))}];`);
    }
    lines.push('  }');
  });
  lines.push(...[...edges].sort().map(e => `  ${e}`), '}');
  return lines.join('\n') + '\n';
}
