/** The traffic view's graph: nodes of a few kinds, edges with labels, printed in a stable order. */
import { byCodePoint, header, lines } from './dot';

/** What a node is, in the order the view lists them. */
export enum NodeKind {
  SOURCE = 'source',
  LOAD_BALANCER = 'load-balancer',
  LISTENER = 'listener',
  SERVICE = 'service',
  TARGET = 'target',
}

const LOOK: Record<NodeKind, string> = {
  [NodeKind.SOURCE]: 'shape=ellipse, fillcolor="#ffffff"',
  [NodeKind.LOAD_BALANCER]: 'fillcolor="#fdf3e1"',
  [NodeKind.LISTENER]: 'fillcolor="#fdf3e1"',
  [NodeKind.SERVICE]: 'fillcolor="#e6f4ea"',
  [NodeKind.TARGET]: 'fillcolor="#f1eafb"',
};

interface GraphNode { readonly id: string; readonly kind: NodeKind; readonly label: string[]; readonly shape?: string }

interface Edge { readonly from: string; readonly to: string; readonly labels: Map<string, number> }

/** Nodes and edges, each added once (an edge added again gains the new label). */
export class Graph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, Edge>();

  /** Add a node, unless one of that id is there. */
  node(id: string, kind: NodeKind, label: string[], shape?: string): void {
    if (!this.nodes.has(id)) this.nodes.set(id, { id, kind, label, shape });
  }

  /** Add an edge, or a label to it; labels print in `order`, then text order. */
  edge(from: string, to: string, label?: string, order = 0): void {
    if (from === to) return;
    const key = JSON.stringify([from, to]);
    if (!this.edges.has(key)) this.edges.set(key, { from, to, labels: new Map() });
    const labels = this.edges.get(key)!.labels;
    if (label !== undefined && !(labels.has(label) && labels.get(label)! <= order)) labels.set(label, order);
  }

  /** The node ids of a kind, sorted. */
  ids(kind: NodeKind): string[] {
    return [...this.nodes.values()].filter(n => n.kind === kind).map(n => n.id).sort(byCodePoint);
  }

  /** The edges as `from -> to: label lines`, sorted (for tests and reading). */
  describeEdges(): string[] {
    return this.sortedEdges().map(e => `${e.from} -> ${e.to}${e.labels.size > 0 ? `: ${labelsOf(e).join(' | ')}` : ''}`);
  }

  /** The graph in dot: nodes by kind then id, edges by their ends. */
  render(title: string): string {
    const out = header(title);
    for (const kind of Object.values(NodeKind)) {
      for (const id of this.ids(kind)) {
        const node = this.nodes.get(id)!;
        out.push(`  ${lines(id)} [label=${lines(...node.label)}, ${LOOK[kind]}${node.shape ? `, shape=${node.shape}` : ''}];`);
      }
    }
    for (const e of this.sortedEdges()) {
      out.push(`  ${lines(e.from)} -> ${lines(e.to)}${e.labels.size > 0 ? ` [label=${lines(...labelsOf(e))}]` : ''};`);
    }
    out.push('}');
    return out.join('\n') + '\n';
  }

  private sortedEdges(): Edge[] {
    return [...this.edges.values()].sort((a, b) => byCodePoint(a.from, b.from) || byCodePoint(a.to, b.to))
      .filter(e => this.nodes.has(e.from) && this.nodes.has(e.to));
  }
}

function labelsOf(edge: Edge): string[] {
  return [...edge.labels.entries()].sort(([a, x], [b, y]) => x - y || byCodePoint(a, b)).map(([label]) => label);
}
