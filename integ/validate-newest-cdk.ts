/**
 * Synthesizes every integ app against the newest aws-cdk-lib (installed as
 * `aws-cdk-lib-newest`), whose synth validates templates against CloudFormation rules,
 * with `@aws-cdk/core:validateAgainstDefaultRules` on so any finding fails; then runs the
 * compliance packs (cdk-nag 2.x and 3.x, all four packs) over the same scenario, as an
 * environment-agnostic stack and as an environment-specific one with the workloads apart,
 * since aws-cdk-lib's helpers change the shape of what cdk-nag reads between versions.
 *
 * Every `require('aws-cdk-lib...')` (the library, the integ apps, integ-tests-alpha) is
 * redirected to the newest copy; each app runs in its own child process.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { newDefaultsContext } from '../src/guardrails/changed-defaults';

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
  const { App, Stage } = require('aws-cdk-lib');
  if (typeof Stage.prototype.synth !== 'function') throw new Error('newest aws-cdk-lib did not load');
  process.stdout.write('ok');
  // Loaded after the redirect, so cdk-nag and the scenarios use the newest aws-cdk-lib too.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { nagFindings } = require('../test/nag');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SCENARIOS, VARIANTS } = require('./scenarios');
  // The harness can fail here too: a bare bucket is reported by both majors.
  const probe = new App({ context: newDefaultsContext(), outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-nag-')) });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Stack, aws_s3: s3 } = require('aws-cdk-lib');
  new s3.Bucket(new Stack(probe, 'Probe'), 'Bucket');
  const probeFindings: string[] = nagFindings(probe);
  if (!['v2 AwsSolutions-S1', 'v3 AwsSolutions-S1'].every(f => probeFindings.some(p => p.startsWith(f)))) {
    throw new Error(`cdk-nag reported no finding on a bare bucket under aws-cdk-lib ${version}: the harness is broken`);
  }
  const name = path.basename(file).replace(/^integ\.|\.ts$/g, '');
  const build = SCENARIOS[name];
  if (!build) throw new Error(`${file} has no scenario in integ/scenarios.ts`);
  for (const variant of ['environment-agnostic', 'environment-specific, workloads apart']) {
    const app = new App({ context: newDefaultsContext(), outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-nag-')) });
    build(app, VARIANTS[variant]);
    const findings: string[] = nagFindings(app);
    if (findings.length > 0) {
      throw new Error(`${name} (${variant}) has unacknowledged cdk-nag findings under aws-cdk-lib ${version}:\n  ${findings.join('\n  ')}`);
    }
  }
  process.stdout.write(', cdk-nag 2.x and 3.x: no finding\n');
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
  console.log(`${files.length} integ apps validated against CloudFormation rules and cdk-nag's four packs with no finding`);
}

main();
