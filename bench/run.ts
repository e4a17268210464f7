/**
 * Side-by-side benchmark of cdk-shipyard and aws-ecs-patterns for the same workload:
 * N web services of 0.5 vCPU / 1 GB with 2 tasks and the circuit breaker, N = 1, 10, 25 in one
 * stack, and 100 across stacks of 25 (as docs/environment.md lays out many services); cdk-shipyard
 * on the shared load balancer, without its alarms, and on the environment's ECS gateway.
 *
 * Each measurement runs in a fresh process (so peak RSS belongs to one variant), the
 * variants take turns going first, and each cell is the median of BENCH_REPEAT runs; synth-time
 * ratios are the median of each round's own ratio (see `pairwise`). Prints a table and writes
 * .bench/results.json. Run with `npx projen bench` (compiles the library first).
 *
 * Options: BENCH_SIZES=1,10,25,100  BENCH_REPEAT=5  BENCH_FLAGS=recommended|none (see workload.ts)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DeployModel } from '../src/cli/report/deploy-model';

interface Sample {
  variant: string;
  count: number;
  loadMs: number;
  synthMs: number;
  /** Of synthMs, building the constructs (the rest is app.synth()). */
  constructMs: number;
  peakRssMiB: number;
  resources: number;
  templateBytes: number;
  /** The report's fixed monthly cost at us-east-1 list prices. */
  monthlyUsd: number;
  deploy: DeployModel;
}

const sizes = (process.env.BENCH_SIZES ?? '1,10,25,100').split(',').map(Number);
const repeat = Number(process.env.BENCH_REPEAT ?? 5);
const variants = ['shipyard', 'shipyard-no-alarms', 'shipyard-gateway', 'ecs-patterns', 'ecs-patterns-alarmed'];
/** The deploy model reads one stack: the sizes whose services share the environment's. */
const oneStack = sizes.filter(n => n <= 25);
const root = path.join(__dirname, '..');

if (!fs.existsSync(path.join(root, 'lib', 'index.js'))) {
  throw new Error('lib/ is missing: run `npx projen compile` first (the bench task does)');
}

function run(variant: string, count: number): Sample {
  const args = [require.resolve('ts-node/dist/bin'), '--transpile-only', path.join(__dirname, 'workload.ts'), variant, String(count)];
  const child = spawnSync(process.execPath, args, {
    cwd: root, encoding: 'utf8', env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  // CDK's synth report (warnings) goes to stderr; show it only when a run fails.
  if (child.status !== 0) throw new Error(`${variant} N=${count} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results: Record<string, Record<number, Sample>> = Object.fromEntries(variants.map(v => [v, {}]));
/**
 * Synth-time ratios taken within each round (the variants run back to back) and their median,
 * with the lowest and highest: a machine that slows down or speeds up between rounds moves every
 * variant of a round alike, so these hold where a ratio of medians across rounds would drift.
 */
const ratios: Record<string, Record<number, { median: number; low: number; high: number }>> = {};
function pairwise(samples: Record<string, Sample[]>, variant: string, base: string) {
  const rs = samples[variant].map((s, r) => s.synthMs / samples[base][r].synthMs);
  return { median: median(rs), low: Math.min(...rs), high: Math.max(...rs) };
}
for (const count of sizes) {
  const samples: Record<string, Sample[]> = Object.fromEntries(variants.map(v => [v, []]));
  for (let r = 0; r < repeat; r++) {
    // Rotate the order so no variant always runs first (on a colder disk cache).
    const order = variants.map((_, i) => variants[(i + r) % variants.length]);
    for (const variant of order) samples[variant].push(run(variant, count));
  }
  for (const variant of variants) {
    const s = samples[variant];
    results[variant][count] = {
      variant,
      count,
      loadMs: median(s.map(x => x.loadMs)),
      synthMs: median(s.map(x => x.synthMs)),
      constructMs: median(s.map(x => x.constructMs)),
      peakRssMiB: median(s.map(x => x.peakRssMiB)),
      resources: s[0].resources,
      templateBytes: s[0].templateBytes,
      monthlyUsd: s[0].monthlyUsd,
      deploy: s[0].deploy,
    };
    (ratios[variant] ??= {})[count] = pairwise(samples, variant, 'ecs-patterns');
  }
  (ratios['shipyard vs ecs-patterns-alarmed'] ??= {})[count] = pairwise(samples, 'shipyard', 'ecs-patterns-alarmed');
}

const rows: string[] = [];
const header = '| N | variant | synth (ms) | ratio (range) | of which construct (ms) | peak RSS (MiB) | ratio | resources | ratio | template (KiB) | ratio | fixed USD/month | ratio |';
rows.push(header, '|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const count of sizes) {
  const base = results['ecs-patterns'][count];
  for (const variant of variants) {
    const s = results[variant][count];
    const ratio = (a: number, b: number) => (a / b).toFixed(2) + 'x';
    const r = ratios[variant][count];
    rows.push(`| ${count} | ${variant} | ${s.synthMs.toFixed(0)} | ${r.median.toFixed(2)}x (${r.low.toFixed(2)}-${r.high.toFixed(2)}) | `
      + `${s.constructMs.toFixed(0)} | ${s.peakRssMiB.toFixed(0)} | `
      + `${ratio(s.peakRssMiB, base.peakRssMiB)} | ${s.resources} | ${ratio(s.resources, base.resources)} | `
      + `${(s.templateBytes / 1024).toFixed(0)} | ${ratio(s.templateBytes, base.templateBytes)} | `
      + `${s.monthlyUsd.toFixed(0)} | ${ratio(s.monthlyUsd, base.monthlyUsd)} |`);
  }
}
console.log(`cdk-shipyard vs aws-ecs-patterns, feature flags: ${process.env.BENCH_FLAGS ?? 'recommended'}, `
  + `median of ${repeat} runs each, one process per run (${process.version})`);
console.log(rows.join('\n'));
console.log('\nLike for like: cdk-shipyard against aws-ecs-patterns with the same alarms, rule and alarm rollback written by hand (synth time, pairwise)');
for (const count of sizes) {
  const r = ratios['shipyard vs ecs-patterns-alarmed'][count];
  console.log(`- N = ${count}: ${r.median.toFixed(2)}x (${r.low.toFixed(2)}-${r.high.toFixed(2)})`);
}

// The deploy-time model (src/cli/report/deploy-model.ts): deterministic, read from the templates. The
// development profile (DeploySpeed.FAST, one task per service) is modeled from one run.
const development = Object.fromEntries(oneStack.map(count => [count, run('shipyard-dev', count).deploy]));
const deployRows = [
  '| N | variant | first create (s) | ratio | add a service (s) | ratio | new image, all services (s) | ratio | of which alarm bake (s) |',
  '|---|---|---|---|---|---|---|---|---|',
];
for (const count of oneStack) {
  const base = results['ecs-patterns'][count].deploy;
  for (const variant of variants) {
    const d = results[variant][count].deploy;
    const ratio = (a: number, b: number) => (a / b).toFixed(2) + 'x';
    deployRows.push(`| ${count} | ${variant} | ${d.createSeconds} | ${ratio(d.createSeconds, base.createSeconds)} | ${d.addServiceSeconds} | `
      + `${ratio(d.addServiceSeconds, base.addServiceSeconds)} | ${d.newImageSeconds} | ${ratio(d.newImageSeconds, base.newImageSeconds)} | ${d.bakeSeconds} |`);
  }
  const dev = development[count];
  deployRows.push(`| ${count} | shipyard, development profile | ${dev.createSeconds} | - | ${dev.addServiceSeconds} | - | ${dev.newImageSeconds} | - | ${dev.bakeSeconds} |`);
}
console.log('\nModeled deploy time (src/cli/report/deploy-model.ts: a model over the templates, not a measurement)');
console.log(deployRows.join('\n'));
for (const [what, key] of [['the first create', 'createPath'], ['adding a service', 'addServicePath']] as const) {
  console.log(`\nWhat bounds ${what} (N = ${sizes[0]}): the longest path, each resource with the second it is done`);
  for (const variant of variants) console.log(`- ${variant}: ${results[variant][sizes[0]].deploy[key].join(' -> ')}`);
}
fs.mkdirSync(path.join(root, '.bench'), { recursive: true });
fs.writeFileSync(path.join(root, '.bench', `results-${process.env.BENCH_FLAGS ?? 'recommended'}.json`), JSON.stringify(results, null, 2));
