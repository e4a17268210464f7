/**
 * Synthesizes every integ app against the newest aws-cdk-lib (installed as
 * `aws-cdk-lib-newest`), whose synth validates templates against CloudFormation rules,
 * with `@aws-cdk/core:validateAgainstDefaultRules` on so any finding fails.
 *
 * Every `require('aws-cdk-lib...')` (the library, the integ apps, integ-tests-alpha) is
 * redirected to the newest copy; each app runs in its own child process.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const NEWEST = 'aws-cdk-lib-newest';

function runOne(file: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('module');
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request: string, ...rest: unknown[]) {
    if (request === 'aws-cdk-lib' || request.startsWith('aws-cdk-lib/')) {
      request = NEWEST + request.slice('aws-cdk-lib'.length);
    }
    return resolve.call(this, request, ...rest);
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const version = require(`${NEWEST}/package.json`).version;
  process.stdout.write(`${path.basename(file)}: aws-cdk-lib ${version} ... `);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Stage } = require('aws-cdk-lib');
  if (typeof Stage.prototype.synth !== 'function') throw new Error('newest aws-cdk-lib did not load');
  process.stdout.write('ok\n');
}

function main(): void {
  const only = process.env.SHIPYARD_VALIDATE_FILE;
  if (only) {
    runOne(only);
    return;
  }
  const files = fs.readdirSync(__dirname).filter(f => /^integ\..+\.ts$/.test(f)).sort();
  if (files.length === 0) throw new Error('no integ apps found');
  for (const f of files) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-newest-'));
    execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', __filename], {
      stdio: 'inherit',
      env: {
        ...process.env,
        SHIPYARD_VALIDATE_FILE: path.join(__dirname, f),
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ '@aws-cdk/core:validateAgainstDefaultRules': true }),
      },
    });
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  console.log(`${files.length} integ apps validated against CloudFormation rules with no finding`);
}

main();
