/**
 * One architecture picture per integ scenario, drawn from its committed snapshot: the
 * template's resources grouped by the construct that owns them (`aws:cdk:path`), one box per
 * workload or environment part, arrows where one refers to another (Ref, Fn::GetAtt). A
 * workload's alarms are one node, the VPC's subnets, routes and gateways one node, so the
 * pictures stay legible.
 *
 *   npx projen pictures        # writes docs/pictures/<scenario>.dot, and .svg where Graphviz is installed
 *
 * The .dot files are checked against the snapshots in the test gate (test/pictures.test.ts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const INTEG = path.join(__dirname);
export const PICTURES = path.join(__dirname, '..', 'docs', 'pictures');

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

const quote = (s: string) => `"${s.replace(/"/g, '\\"')}"`;

/** Construct paths by logical id, from a stack's metadata file (integ snapshots carry no aws:cdk:path). */
export function pathsOf(metadata: Record<string, Array<{ type: string; data: unknown }>>): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [cdkPath, entries] of Object.entries(metadata)) {
    for (const entry of entries) if (entry.type === 'aws:cdk:logicalId') paths.set(String(entry.data), cdkPath.replace(/^\//, ''));
  }
  return paths;
}

/** The picture of one stack template, in Graphviz's dot language. */
export function dotOf(title: string, template: any, paths: Map<string, string> = new Map()): string {
  const nodes = new Map<string, Node>();
  const nodeOf = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
    if (HIDDEN.test(resource.Type)) continue;
    const cdkPath: string = resource.Metadata?.['aws:cdk:path'] ?? paths.get(logicalId) ?? logicalId;
    if (/Custom::.*CustomResourceProvider|BootstrapVersion|Exports/.test(cdkPath)) continue;
    const { component, part } = nodeKey(cdkPath);
    const id = `${component}/${part}`;
    if (!nodes.has(id)) nodes.set(id, { id, component, part, types: new Map() });
    const types = nodes.get(id)!.types;
    types.set(resource.Type, (types.get(resource.Type) ?? 0) + 1);
    nodeOf.set(logicalId, id);
  }
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

/** Every scenario's pictures: docs/pictures/<scenario>.dot (one per stack of the scenario). */
export function scenarioPictures(): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of fs.readdirSync(INTEG).filter(d => d.endsWith('.ts.snapshot')).sort()) {
    const scenario = dir.replace(/^integ\./, '').replace(/\.ts\.snapshot$/, '');
    const stacks = fs.readdirSync(path.join(INTEG, dir)).filter(f => f.startsWith('ShipyardInteg') && f.endsWith('.template.json')).sort();
    stacks.forEach(file => {
      const stack = file.replace(/\.template\.json$/, '');
      const name = stacks.length === 1 ? scenario : `${scenario}-${stack.replace(/^ShipyardInteg/, '').toLowerCase()}`;
      const read = (f: string) => JSON.parse(fs.readFileSync(path.join(INTEG, dir, f), 'utf8'));
      const metadata = fs.existsSync(path.join(INTEG, dir, `${stack}.metadata.json`)) ? read(`${stack}.metadata.json`) : {};
      out.set(name, dotOf(`${scenario}: ${stack}`, read(file), pathsOf(metadata)));
    });
  }
  return out;
}

if (require.main === module) {
  fs.mkdirSync(PICTURES, { recursive: true });
  const dot = spawnSync('dot', ['-V']).status === 0;
  for (const [name, source] of scenarioPictures()) {
    fs.writeFileSync(path.join(PICTURES, `${name}.dot`), source);
    if (dot) {
      const svg = spawnSync('dot', ['-Tsvg'], { input: source });
      if (svg.status !== 0) throw new Error(`dot failed for ${name}: ${svg.stderr}`);
      fs.writeFileSync(path.join(PICTURES, `${name}.svg`), svg.stdout);
    }
  }
  process.stdout.write(dot ? 'wrote .dot and .svg\n' : 'wrote .dot only: install Graphviz (apt-get install graphviz) for the .svg files\n');
}
