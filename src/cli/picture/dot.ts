/** Graphviz dot helpers shared by the stack pictures and the traffic view. */

/** A dot string: the text in double quotes, its own double quotes escaped (`\n` stays a dot line break). */
export const quote = (s: string) => `"${s.replace(/"/g, '\\"')}"`;

/** A dot label of several lines, each line's backslashes and quotes escaped. */
export function lines(...text: string[]): string {
  return `"${text.map(t => t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\n')}"`;
}

/** The graph's header: title and the house look (as the stack pictures). */
export function header(title: string): string[] {
  return [
    `digraph ${quote(title)} {`,
    '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, labelloc=t, label=' + quote(title) + '];',
    '  node [shape=box, style="rounded,filled", fillcolor="#f5f7fa", fontname="Helvetica", fontsize=9];',
    '  edge [color="#7a8699", arrowsize=0.6, fontname="Helvetica", fontsize=8];',
  ];
}

/** Sort strings by code point, the same on every machine and locale. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
