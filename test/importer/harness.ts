/** What the importer tests share: writing an imported app next to the library, type-checking it and synthesizing it. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { importCompose } from '../../src/importer/compose';
import { importCopilot, ImportResult } from '../../src/importer/copilot';

export const ROOT = path.join(__dirname, '..', '..');
export const CORPUS = path.join(__dirname, 'corpus', 'copilot');

/** Import a workspace into a directory under the repository, with the library resolved from src/. */
export function importInto(workspace: string): { dir: string; appFile: string; result: ImportResult } {
  const dir = fs.mkdtempSync(path.join(ROOT, '.import-'));
  const result = importCopilot({ workspace, outDir: dir });
  const src = path.relative(dir, path.join(ROOT, 'src')).split(path.sep).join('/');
  const appFile = path.join(dir, 'app.ts');
  fs.writeFileSync(appFile, result.files['app.ts'].replace(/from 'cdk-shipyard'/g, `from '${src}'`));
  return { dir, appFile, result };
}

export function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, esModuleInterop: true, skipLibCheck: true, types: ['node'],
  });
  return ts.getPreEmitDiagnostics(program).filter(d => d.file?.fileName === file)
    .map(d => `${d.file!.getLineAndCharacterOfPosition(d.start!).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

/** Synthesize as `cdk synth` runs an app: with CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION when given. */
export function synth(appFile: string, dir: string, env: { [name: string]: string } = {}): { [stack: string]: any } {
  const out = path.join(dir, 'cdk.out');
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', appFile], {
    cwd: ROOT,
    env: { ...process.env, ...env, CDK_OUTDIR: out, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json'), AWS_EC2_METADATA_DISABLED: 'true' },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return Object.fromEntries(fs.readdirSync(out).filter(f => f.endsWith('.template.json'))
    .map(f => [f.replace('.template.json', ''), JSON.parse(fs.readFileSync(path.join(out, f), 'utf8'))]));
}

/**
 * Every field not mapped whole has a TODO in the app: an unmapped one quotes its file and path,
 * a partial one names its path or a field above it (one TODO may cover a map of fields).
 */
export function expectEveryTodoWritten(result: ImportResult, tag: 'copilot' | 'compose' = 'copilot'): void {
  const todos = result.files['app.ts'].split('\n').filter(l => l.includes(`TODO(${tag}): `)).map(l => l.split(`TODO(${tag}): `)[1]);
  expect(result.notMapped).toHaveLength(result.partial + result.unmapped);
  const missing = result.notMapped.filter(leaf => leaf.fate === 'unmapped'
    ? !todos.some(t => t.startsWith(`${leaf.file}:`) && t.includes(` ${leaf.path}: `))
    : !todos.some(t => { const p = t.split(' ')[0]; return leaf.path === p || leaf.path.startsWith(`${p}.`) || leaf.path.startsWith(`${p}[`); }));
  expect(missing).toEqual([]);
}

export function resourcesOf(template: any, type: string): Array<[string, any]> {
  return Object.entries(template.Resources).filter(([, r]: [string, any]) => r.Type === type) as Array<[string, any]>;
}

/** Write an imported app into a new directory under the repository, with the library resolved from src/. */
export function writeApp(result: ImportResult, dir: string): string {
  const src = path.relative(dir, path.join(ROOT, 'src')).split(path.sep).join('/');
  const appFile = path.join(dir, 'app.ts');
  fs.writeFileSync(appFile, result.files['app.ts'].replace(/from 'cdk-shipyard'/g, `from '${src}'`));
  return appFile;
}

/**
 * Every node path of a YAML document, list indexes left out, for checking a corpus against a
 * specification's field list.
 */
export function nodePaths(node: unknown, into: Set<string>, p: string[] = []): Set<string> {
  if (p.length > 0) into.add(p.join('.'));
  if (Array.isArray(node)) node.forEach(item => nodePaths(item, into, p));
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) nodePaths(v, into, [...p, k]);
  return into;
}

/** Whether a specification field (`*` for a chosen name) is among the paths. */
export function hasField(field: string, paths: Set<string>): boolean {
  const re = new RegExp(`^${field.split('.').map(part => part === '*' ? '[^.]+' : part.replace(/[$()+?[\\]^{|}]/g, '\\$&')).join('\\.')}$`);
  return [...paths].some(p => re.test(p));
}

/** Import a Compose file given as text (with files beside it), in a directory removed afterwards. */
export function importComposeText(compose: string, files: { [name: string]: string } = {}): ImportResult {
  const dir = fs.mkdtempSync(path.join(ROOT, '.import-ws-'));
  try {
    fs.writeFileSync(path.join(dir, 'compose.yaml'), compose);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return importCompose({ file: path.join(dir, 'compose.yaml'), outDir: path.join(dir, 'out'), environment: {} });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
