/**
 * The real-world corpus: Compose files and Copilot workspaces from public repositories (see each
 * PROVENANCE.json), imported as a user would, every app type-checked in one program and
 * synthesized in one process.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { ROOT } from './harness';
import { importCompose } from '../../src/importer/compose';
import { importCopilot, ImportResult } from '../../src/importer/copilot';
import { ImportError } from '../../src/importer/source';

export const REAL = path.join(__dirname, 'corpus', 'real');

/** One source of the corpus, imported. */
export interface Imported {
  /** `compose/<dir>/<file>` or `copilot/<dir>`. */
  readonly source: string;
  readonly result?: ImportResult;
  /** The ImportError when nothing could be imported. */
  readonly refused?: string;
  /** The app file written, when there is one. */
  readonly appFile?: string;
}

/** The Compose files of the corpus, relative to corpus/real/compose. */
export function composeFiles(): string[] {
  const provenance = JSON.parse(fs.readFileSync(path.join(REAL, 'compose', 'PROVENANCE.json'), 'utf8')) as Array<{ file: string }>;
  return provenance.map(p => p.file).sort();
}

/** The Copilot workspaces of the corpus, relative to corpus/real/copilot. */
export function copilotWorkspaces(): string[] {
  const provenance = JSON.parse(fs.readFileSync(path.join(REAL, 'copilot', 'PROVENANCE.json'), 'utf8')) as Array<{ dir: string }>;
  return provenance.map(p => p.dir).sort();
}

/**
 * The corpus carries the manifests and Compose files, not the repositories' source: each build
 * context, Dockerfile and environment file an app reads that the corpus lacks is made in the
 * scratch copy (an empty Dockerfile, an empty file), as the user's checkout would have it.
 */
export function stubLocalFiles(appFile: string): string[] {
  const app = fs.readFileSync(appFile, 'utf8');
  const base = /const (?:SOURCE|WORKSPACE) = path\.join\(__dirname, '([^']*)'\);/.exec(app);
  if (!base) return [];
  const root = path.join(path.dirname(appFile), base[1]);
  const made: string[] = [];
  const make = (file: string, content: string) => {
    if (fs.existsSync(file)) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    made.push(path.relative(root, file));
  };
  for (const m of app.matchAll(/Image\.fromAsset\(path\.join\((?:SOURCE|WORKSPACE), '([^']*)'\)(.*)/g)) {
    const dir = path.join(root, m[1]);
    if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) continue;
    make(path.join(dir, /\bfile: '([^']+)'/.exec(m[2])?.[1] ?? 'Dockerfile'), 'FROM public.ecr.aws/docker/library/busybox:1.36\n');
  }
  for (const m of app.matchAll(/EnvironmentFile\.fromAsset\(path\.join\((?:SOURCE|WORKSPACE), '([^']*)'\)\)/g)) make(path.join(root, m[1]), '');
  // A file named after the stage (`./copilot.${COPILOT_ENVIRONMENT_NAME}.env`): one for each stage.
  const stages = [.../for \(const stage of \[([^\]]*)\]\)/.exec(app)?.[1].matchAll(/'([^']*)'/g) ?? []].map(x => x[1]);
  for (const m of app.matchAll(/EnvironmentFile\.fromAsset\(path\.join\((?:SOURCE|WORKSPACE), \(((?:'[^']*'|stage)(?: \+ (?:'[^']*'|stage))*)\)\)\)/g)) {
    for (const stage of stages) make(path.join(root, m[1].split(' + ').map(p => p === 'stage' ? stage : p.slice(1, -1)).join('')), '');
  }
  return made;
}

/** Import every source into `out` (one directory each), with no shell variables, as a fresh machine would. */
export function importAll(out: string): Imported[] {
  const all: Imported[] = [];
  // Imported from a scratch copy, where the stubs go.
  const copy = path.join(out, 'corpus');
  fs.cpSync(REAL, copy, { recursive: true });
  const write = (source: string, run: (outDir: string) => ImportResult) => {
    const dir = path.join(out, 'apps', source.replace(/[^A-Za-z0-9_.-]+/g, '_'));
    fs.mkdirSync(dir, { recursive: true });
    try {
      const result = run(dir);
      const lib = path.relative(dir, path.join(ROOT, 'src')).split(path.sep).join('/');
      const appFile = path.join(dir, 'app.ts');
      fs.writeFileSync(appFile, result.files['app.ts'].replace(/from 'cdk-shipyard'/g, `from '${lib}'`));
      stubLocalFiles(appFile);
      all.push({ source, result, appFile });
    } catch (e) {
      if (!(e instanceof ImportError)) throw new Error(`${source}: the importer crashed: ${(e as Error).stack}`);
      all.push({ source, refused: e.message });
    }
  };
  // What a project's own instructions say to run with (an env file to copy, a profile), by file.
  const optionsFile = path.join(REAL, 'compose', 'OPTIONS.json');
  const options: { [file: string]: { envFile?: string; profiles?: string[] } } = fs.existsSync(optionsFile) ? JSON.parse(fs.readFileSync(optionsFile, 'utf8')) : {};
  for (const file of composeFiles()) {
    const o = options[file] ?? {};
    write(`compose/${file}`, outDir => importCompose({
      file: path.join(copy, 'compose', file),
      outDir,
      environment: {},
      profiles: o.profiles,
      envFile: o.envFile ? path.join(copy, 'compose', path.dirname(file), o.envFile) : undefined,
    }));
  }
  for (const ws of copilotWorkspaces()) write(`copilot/${ws}`, outDir => importCopilot({ workspace: path.join(copy, 'copilot', ws), outDir, environment: {} }));
  return all;
}

/** Type errors of every app, in one program (the library is checked once). */
export function typeErrorsOf(files: string[]): { [file: string]: string[] } {
  const program = ts.createProgram(files, {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, esModuleInterop: true, skipLibCheck: true, types: ['node'],
  });
  const out: { [file: string]: string[] } = {};
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (!d.file || !files.includes(d.file.fileName)) continue;
    (out[d.file.fileName] ??= []).push(`${d.file.getLineAndCharacterOfPosition(d.start!).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
  return out;
}

/**
 * Synthesize every app in one Node.js process (aws-cdk-lib and the library load once), each
 * into cdk.out beside it; returns the error of each app that failed, and each app's stack
 * names with their resource counts.
 */
export function synthAll(files: string[], variables: { [name: string]: string } = {}): {
  failures: { [file: string]: string };
  stacks: { [file: string]: { [stack: string]: number } };
} {
  const runner = path.join(__dirname, 'synth-all.js');
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', runner, ...files], {
    cwd: ROOT,
    env: { ...process.env, ...variables, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json'), AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_STACK_TRACE: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`synth runner failed: ${run.stderr}`);
  return JSON.parse(run.stdout.slice(run.stdout.indexOf('{"failures"')));
}

/**
 * One Copilot workspace of many services, made of the corpus's own web and backend service
 * manifests (a name taken twice gets a number), with a test and a prod environment: the size
 * of the workspaces that did not fit one stack.
 */
export function largeWorkspace(dir: string): number {
  const manifests: string[] = [];
  for (const ws of copilotWorkspaces()) {
    const root = path.join(REAL, 'copilot', ws, 'copilot');
    for (const name of fs.readdirSync(root).sort()) {
      const file = path.join(root, name, 'manifest.yml');
      if (name === 'environments' || !fs.existsSync(file)) continue;
      const text = fs.readFileSync(file, 'utf8');
      if (/^type:\s*['"]?(Load Balanced Web Service|Backend Service)/m.test(text)) manifests.push(text);
    }
  }
  fs.mkdirSync(path.join(dir, 'copilot', 'environments', 'test'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'copilot', 'environments', 'prod'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'copilot', '.workspace'), 'application: large\n');
  fs.writeFileSync(path.join(dir, 'copilot', 'environments', 'test', 'manifest.yml'), 'name: test\ntype: Environment\n');
  fs.writeFileSync(path.join(dir, 'copilot', 'environments', 'prod', 'manifest.yml'), 'name: prod\ntype: Environment\n');
  const used = new Set<string>();
  manifests.forEach((text, i) => {
    // A name taken by an earlier manifest gets a number; a route to the main container follows it.
    const own = /^name:\s*['"]?([^'"\s#]+)/m.exec(text)?.[1] ?? 'svc';
    const name = used.has(own) ? `${own}-${i + 1}` : own;
    used.add(name);
    const renamed = text.replace(/^name:.*$/m, `name: ${name}`)
      .replace(new RegExp(`^(\\s*target_container:\\s*)['"]?${own}['"]?\\s*$`, 'gm'), `$1${name}`);
    fs.mkdirSync(path.join(dir, 'copilot', name));
    fs.writeFileSync(path.join(dir, 'copilot', name, 'manifest.yml'), renamed);
  });
  return manifests.length;
}
