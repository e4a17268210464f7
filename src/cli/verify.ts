import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pascal } from '../importer/code';
import { ImportReport } from '../importer/import-result';

/** What synthesizing the written app found. */
export interface Verification {
  /** Why the app was not run here (nothing to run it with), or undefined when it ran. */
  readonly skipped?: string;
  /** Each check that failed, pointed at the workload and where its source writes it. */
  readonly problems: string[];
}

/** Longest a synth may take before the importer gives up on it (a 75-service workspace takes about 30 s). */
const TIMEOUT_MS = 10 * 60 * 1000;

/**
/**
 * What runs TypeScript, in the order tried: tsx (what `cdk init app --language typescript` has
 * written since aws-cdk 2.1100-odd, beside TypeScript 7), then ts-node (older CDK apps).
 */
export enum TypeScriptRunner {
  TSX = 'tsx',
  TS_NODE = 'ts-node',
}

const RUNNER_MODULES: Record<TypeScriptRunner, string> = {
  [TypeScriptRunner.TSX]: 'tsx/cjs',
  [TypeScriptRunner.TS_NODE]: 'ts-node/register/transpile-only',
};

/**
 * Synthesize the app the importer wrote, once, as `cdk synth` would (into a scratch directory,
 * with no AWS call), so that a value the library refuses is reported now, at its source's
 * file and line, and not by the user's first synth. TypeScript runs through tsx or ts-node,
 * found in the user's project (a CDK TypeScript app has one) or beside this CLI; `cdk-shipyard`
 * is this CLI's own library, so the check is the one the app will meet.
 */
export function verifyApp(
  file: string, report: ImportReport, runners: TypeScriptRunner[] = [TypeScriptRunner.TSX, TypeScriptRunner.TS_NODE],
): Verification {
  const appFile = path.resolve(file);
  const dirs = [path.dirname(appFile), __dirname];
  const runner = runners.map(r => ({ r, module: resolveFrom([RUNNER_MODULES[r]], dirs) })).find(x => x.module !== undefined);
  if (!runner) return { skipped: `neither ${runners.join(' nor ')} is installed in the project: run \`npx cdk synth\` to check the app`, problems: [] };
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-shipyard-verify-'));
  try {
    const hook = path.join(scratch, 'library.js');
    // The app imports 'cdk-shipyard': resolve it to the library this CLI belongs to.
    fs.writeFileSync(hook, [
      'const Module = require(\'module\');',
      'const resolve = Module._resolveFilename;',
      `Module._resolveFilename = function (request, ...rest) { return resolve.call(this, request === 'cdk-shipyard' ? ${JSON.stringify(path.join(__dirname, '..', 'index'))} : request, ...rest); };`,
    ].join('\n'));
    const run = spawnSync(process.execPath, ['-r', runner.module!, '-r', hook, appFile], {
      cwd: path.dirname(appFile),
      env: {
        ...process.env,
        CDK_OUTDIR: path.join(scratch, 'cdk.out'),
        AWS_EC2_METADATA_DISABLED: 'true',
        ...runner.r === TypeScriptRunner.TS_NODE ? { TS_NODE_COMPILER_OPTIONS: JSON.stringify(tsNodeOptions(runner.module!, dirs)) } : {},
      },
      encoding: 'utf8',
      timeout: TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status === 0) return { problems: [] };
    return { problems: problemsOf(`${run.stderr ?? ''}\n${run.error?.message ?? ''}`, report) };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * ts-node's compiler options for the app, over the project's tsconfig.json: CommonJS with its
 * module resolution (`node`, which the NodeNext of `cdk init`'s tsconfig.json would refuse beside
 * CommonJS: error TS5110), which TypeScript 6 reports as deprecated (error TS5107) unless told to
 * ignore it, an option TypeScript 5 refuses with that value.
 */
function tsNodeOptions(tsNode: string, dirs: string[]): Record<string, unknown> {
  const options: Record<string, unknown> = { module: 'commonjs', moduleResolution: 'node', esModuleInterop: true };
  const typescript = resolveFrom(['typescript/package.json'], [...dirs, path.dirname(tsNode)]);
  const major = typescript ? Number(JSON.parse(fs.readFileSync(typescript, 'utf8')).version.split('.')[0]) : 0;
  if (major >= 6) options.ignoreDeprecations = `${major}.0`;
  return options;
}

/** The first of the modules that resolves from one of the directories. */
function resolveFrom(modules: string[], dirs: string[]): string | undefined {
  for (const m of modules) {
    try {
      return require.resolve(m, { paths: dirs });
    } catch {
      // not here: try the next
    }
  }
  return undefined;
}

/**
 * A failure that is not one of the library's checks, as Node and aws-cdk-lib print it: from its
 * first error line (`Error: ...`, `TypeError: ...`, aws-cdk-lib's `[«Code» message`) with what
 * follows, without stack frames and source excerpts; the last lines when no line looks like one.
 */
function failureOf(output: string): string {
  const lines = output.split('\n').filter(l => l.trim() !== '' && !/^\s+(at\s|\.\.\.)|no user code in \d+ frames|^\s*\^+\s*$/.test(l));
  const first = lines.findIndex(l => /«\w+»|^\s*\[?\w*Error\b|^\s*\[?[A-Z]\w*Error:/.test(l));
  return (first < 0 ? lines.slice(-8) : lines.slice(first, first + 8)).join('\n').trim();
}

/**
 * The library's errors in the output, each led by the workload it names (a construct path
 * segment is the workload's construct id, or ends its stack name) and where the source writes
 * it; the output's last lines when it holds none (a failure that is not a check).
 */
function problemsOf(output: string, report: ImportReport): string[] {
  const found = [...new Set(output.split('\n').map(l => l.trim()).filter(l => l.includes('[cdk-shipyard:'))
    .map(l => l.slice(l.indexOf('[cdk-shipyard:'))))];
  if (found.length === 0) return [failureOf(output)];
  return found.map(problem => {
    const constructPath = problem.replace(/^\[cdk-shipyard:[A-Z_0-9]+\] /, '').split(':')[0];
    const segments = constructPath.split('/');
    const workload = report.imported.find(name => segments.some(s => s === pascal(name) || s.endsWith(`-${pascal(name)}`)));
    return workload ? `${report.sources[workload]}: ${workload}: ${problem}` : problem;
  });
}
