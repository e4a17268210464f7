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
 * Synthesize the app the importer wrote, once, as `cdk synth` would (into a scratch directory,
 * with no AWS call), so that a value the library refuses is reported now, at its source's
 * file and line, and not by the user's first synth. TypeScript runs through ts-node, found in
 * the user's project (a CDK TypeScript app has it) or beside this CLI; `cdk-shipyard` is this
 * CLI's own library, so the check is the one the app will meet.
 */
export function verifyApp(file: string, report: ImportReport): Verification {
  const appFile = path.resolve(file);
  const tsNode = resolveFrom(['ts-node/register/transpile-only'], [path.dirname(appFile), __dirname]);
  if (!tsNode) return { skipped: 'ts-node is not installed in the project: run `npx cdk synth` to check the app', problems: [] };
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-shipyard-verify-'));
  try {
    const hook = path.join(scratch, 'library.js');
    // The app imports 'cdk-shipyard': resolve it to the library this CLI belongs to.
    fs.writeFileSync(hook, [
      'const Module = require(\'module\');',
      'const resolve = Module._resolveFilename;',
      `Module._resolveFilename = function (request, ...rest) { return resolve.call(this, request === 'cdk-shipyard' ? ${JSON.stringify(path.join(__dirname, '..', 'index'))} : request, ...rest); };`,
    ].join('\n'));
    const run = spawnSync(process.execPath, ['-r', tsNode, '-r', hook, appFile], {
      cwd: path.dirname(appFile),
      env: {
        ...process.env,
        CDK_OUTDIR: path.join(scratch, 'cdk.out'),
        AWS_EC2_METADATA_DISABLED: 'true',
        TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: 'commonjs', esModuleInterop: true }),
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
