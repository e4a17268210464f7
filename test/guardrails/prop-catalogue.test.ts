/**
 * The guardrails catalogue is complete by construction: every public prop (every field of every
 * struct in the jsii assembly) and every plain parameter of a public method has a line in
 * docs/guardrails.md, "Every prop and its check", naming the checks that guard it or saying why
 * none is needed. A check a line claims must be exercised by a test that names the input and
 * expects the code.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { ErrorCode } from '../../src/guardrails/errors';
import { WarningId } from '../../src/guardrails/warnings';

const ROOT = path.join(__dirname, '..', '..');
const SECTION = '## Every prop and its check';
const PARAMETERS = 'Method parameters';

interface Row { readonly checks: string[]; readonly notes: string }

/** The catalogue's rows by `Struct.prop` (and `Class.method(param)`). */
function catalogue(): Map<string, Row> {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'guardrails.md'), 'utf8');
  const start = doc.indexOf(SECTION);
  expect(start).toBeGreaterThan(-1);
  const rows = new Map<string, Row>();
  let heading: string | undefined;
  for (const line of doc.slice(start).split('\n').slice(1)) {
    if (line.startsWith('## ')) break;
    const h = /^### `?([^`]+)`?\s*$/.exec(line);
    if (h) { heading = h[1]; continue; }
    const cells = /^\| `([^`]+)` \|(.*)\|(.*)\|\s*$/.exec(line);
    if (!cells || !heading) continue;
    const key = heading === PARAMETERS ? cells[1] : `${heading}.${cells[1]}`;
    if (rows.has(key)) throw new Error(`docs/guardrails.md lists ${key} twice`);
    const checks = [...cells[2].matchAll(/`([A-Z0-9_]+)`/g)].map(m => m[1]);
    rows.set(key, { checks, notes: cells[3].trim() });
  }
  return rows;
}

interface JsiiType {
  readonly kind: string;
  readonly name: string;
  readonly datatype?: boolean;
  readonly properties?: Array<{ name: string }>;
  readonly methods?: Array<{ name: string; parameters?: JsiiParameter[] }>;
  readonly initializer?: { parameters?: JsiiParameter[] };
}
interface JsiiParameter { readonly name: string; readonly type: { primitive?: string; fqn?: string; collection?: unknown } }

function assemblyTypes(): JsiiType[] {
  const file = path.join(ROOT, '.jsii');
  if (!fs.existsSync(file)) throw new Error('no .jsii assembly: run `npx jsii` (the build does) before this test');
  return Object.values(JSON.parse(fs.readFileSync(file, 'utf8')).types) as JsiiType[];
}

/** Every public input: struct fields, and method parameters that are plain values (strings, numbers, lists, maps, durations). */
function publicInputs(): string[] {
  const inputs: string[] = [];
  for (const t of assemblyTypes()) {
    if (t.kind === 'interface' && t.datatype) for (const p of t.properties ?? []) inputs.push(`${t.name}.${p.name}`);
    if (t.kind !== 'class') continue;
    const methods = [...t.methods ?? [], ...t.initializer ? [{ name: 'constructor', parameters: t.initializer.parameters }] : []];
    for (const m of methods) {
      for (const p of m.parameters ?? []) {
        const fqn = p.type.fqn ?? '';
        const plain = !fqn || fqn === 'aws-cdk-lib.Duration';
        if (plain && p.name !== 'id' && p.name !== 'scope') inputs.push(`${t.name}.${m.name}(${p.name})`);
      }
    }
  }
  return inputs.sort();
}

/** The text of every `test(...)` and `test.each(...)(...)` block under test/, its table included. */
function testBlocks(): string[] {
  const blocks: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.test.ts')) collect(file);
    }
  };
  const collect = (file: string): void => {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) {
        const callee = ts.isCallExpression(n.expression) ? n.expression.expression : n.expression;
        if (/^(test|it)(\.(each|only|skip))?$/.test(callee.getText())) { blocks.push(n.getText()); return; }
      }
      ts.forEachChild(n, visit);
    };
    visit(source);
  };
  walk(path.join(ROOT, 'test'));
  return blocks;
}

/** How a test shows it expects `code`: the enum member, the code in an error message, or the warning's id. */
function spellings(code: string): string[] {
  const warning = (WarningId as Record<string, string>)[code];
  return warning ? [`WarningId.${code}`, warning] : [`ErrorCode.${code}`, `${code}]`, `'${code}'`, `:${code}`];
}

/** How a test names the input: the prop's name, or a call of the method. */
function mention(key: string): RegExp {
  const method = /^(\w+)\.(\w+)\((\w+)\)$/.exec(key);
  if (method) return method[2] === 'constructor' ? new RegExp(`new ${method[1]}\\(`) : new RegExp(`\\b${method[2]}\\(`);
  return new RegExp(`\\b${key.split('.')[1]}\\b`);
}

describe('the guardrails catalogue, prop by prop', () => {
  const rows = catalogue();
  const inputs = publicInputs();
  const known = new Set<string>([...Object.keys(ErrorCode), ...Object.keys(WarningId)]);

  test('has a line for every public prop and method parameter, and none for one that does not exist', () => {
    const missing = inputs.filter(i => !rows.has(i));
    const stale = [...rows.keys()].filter(k => !inputs.includes(k));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  test('names only error codes and warning ids that exist, and gives a reason wherever it names none', () => {
    const unknown = [...rows].flatMap(([key, row]) => row.checks.filter(c => !known.has(c)).map(c => `${key}: ${c}`));
    const unexplained = [...rows].filter(([, row]) => row.checks.length === 0 && row.notes.length < 8).map(([key]) => key);
    const gaps = [...rows].filter(([, row]) => /MISSING/.test(row.notes)).map(([key]) => key);
    expect({ unknown, unexplained, gaps }).toEqual({ unknown: [], unexplained: [], gaps: [] });
  });

  test('claims a check only where a test exercises it: a test that names the input and expects the code', () => {
    const blocks = testBlocks();
    const untested = [...rows].flatMap(([key, row]) => row.checks.filter(code => !blocks.some(b => mention(key).test(b)
      && spellings(code).some(s => b.includes(s)))).map(code => `${key}: ${code}`));
    expect(untested).toEqual([]);
  });
});
