/**
 * What this change does to deployed stacks, measured: every integ snapshot's templates diffed
 * against the last release's (the newest `v*` tag, or `--since <ref>`) with
 * @aws-cdk/cloudformation-diff, the engine of `cdk diff`. It prints, per app, what would be
 * added, updated, replaced and removed, and fails when a resource that holds data or a name
 * clients use would be replaced or removed (or orphaned) unless CHANGELOG.md, in its Unreleased
 * section, and an ADR under docs/adr both name it (`<app>/<logical id>`): a user upgrading must
 * be told, and told how to keep it.
 *
 * Usage: ts-node integ/diff-release.ts [--since <git ref>] [--report <file.md>] [--append <release notes.md>]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';

const ROOT = path.join(__dirname, '..');

/**
 * Resources whose replacement or removal loses data or breaks a name clients use: queues, file
 * systems, log groups, buckets, keys, topics, load balancers, clusters, DNS records and
 * namespaces, secrets, parameters and the VPC.
 */
export const KEPT_TYPES = new Set([
  'AWS::SQS::Queue', 'AWS::EFS::FileSystem', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::KMS::Alias', 'AWS::SNS::Topic',
  'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ECS::Cluster', 'AWS::Route53::RecordSet', 'AWS::ServiceDiscovery::HttpNamespace',
  'AWS::ServiceDiscovery::PrivateDnsNamespace', 'AWS::SecretsManager::Secret', 'AWS::SSM::Parameter', 'AWS::EC2::VPC', 'AWS::Backup::BackupVault',
]);

/** The impacts that lose the physical resource a user has. */
const LOST = new Set<string>([ResourceImpact.WILL_REPLACE, ResourceImpact.WILL_DESTROY, ResourceImpact.WILL_ORPHAN]);

export interface Change {
  /** `<app>/<stack>/<logical id>` */
  readonly where: string;
  readonly type: string;
  readonly impact: string;
}

export interface StackReport {
  readonly app: string;
  readonly stack: string;
  readonly added: number;
  readonly updated: number;
  readonly replaced: number;
  readonly removed: number;
  readonly kept: Change[];
}

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** The newest release tag reachable from HEAD, or undefined before the first release. */
export function lastRelease(): string | undefined {
  try {
    return git(['describe', '--tags', '--abbrev=0', '--match', 'v[0-9]*', 'HEAD']).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The integ apps' stack templates at `ref` (or in the working tree), by `<app>/<stack>`. */
function templates(ref?: string): Map<string, any> {
  const files = ref
    ? git(['ls-tree', '-r', '--name-only', ref, 'integ']).split('\n')
    : fs.readdirSync(path.join(ROOT, 'integ')).filter(d => d.endsWith('.snapshot'))
      .flatMap(d => fs.readdirSync(path.join(ROOT, 'integ', d)).map(f => `integ/${d}/${f}`));
  const found = new Map<string, any>();
  for (const file of files.filter(f => /^integ\/integ\.[^/]+\.ts\.snapshot\/[^/]+\.template\.json$/.test(f))) {
    // The integ-runner's own assertion stacks are not the app's.
    if (/DeployAssert/.test(file)) continue;
    const [, app, stack] = /^integ\/integ\.([^/]+)\.ts\.snapshot\/([^/]+)\.template\.json$/.exec(file)!;
    const text = ref ? git(['show', `${ref}:${file}`]) : fs.readFileSync(path.join(ROOT, file), 'utf8');
    found.set(`${app}/${stack}`, JSON.parse(text));
  }
  return found;
}

/** Each app stack's changes from `ref` to the working tree. */
export function diffSince(ref: string): StackReport[] {
  return diffTemplates(templates(ref), templates());
}

/** Each stack's changes between two sets of templates by `<app>/<stack>`. */
export function diffTemplates(before: Map<string, any>, after: Map<string, any>): StackReport[] {
  const reports: StackReport[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const [app, stack] = key.split('/');
    const diff = fullDiff(before.get(key) ?? {}, after.get(key) ?? {});
    const counts = { added: 0, updated: 0, replaced: 0, removed: 0 };
    const kept: Change[] = [];
    diff.resources.forEachDifference((logicalId, change) => {
      const impact = change.changeImpact;
      if (change.isAddition) counts.added++;
      else if (change.isRemoval) counts.removed++;
      else if (impact === ResourceImpact.WILL_REPLACE || impact === ResourceImpact.MAY_REPLACE) counts.replaced++;
      else counts.updated++;
      const type = change.resourceType ?? '';
      if (KEPT_TYPES.has(type) && LOST.has(impact)) kept.push({ where: `${key}/${logicalId}`, type, impact: String(impact) });
    });
    kept.sort((a, b) => a.where.localeCompare(b.where));
    if (Object.values(counts).some(n => n > 0)) reports.push({ app, stack, ...counts, kept });
  }
  return reports;
}

/** Which lost resources are explained: named in CHANGELOG.md's Unreleased section and in an ADR (the files read once). */
export function explanations(root: string = ROOT): (change: Change) => boolean {
  const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
  const unreleased = changelog.split(/^## /m).find(s => s.startsWith('Unreleased')) ?? '';
  const adrs = fs.readdirSync(path.join(root, 'docs', 'adr')).map(f => fs.readFileSync(path.join(root, 'docs', 'adr', f), 'utf8')).join('\n');
  return change => unreleased.includes(change.where) && adrs.includes(change.where);
}

/** Whether a lost resource is explained (see `explanations`). */
export function explained(change: Change, root: string = ROOT): boolean {
  return explanations(root)(change);
}

/** The report as Markdown, for the note and the release notes. */
export function render(since: string, reports: StackReport[]): string {
  const lines = [`Integ snapshots against ${since}: ${reports.length} stacks change.`, ''];
  if (reports.length > 0) {
    lines.push('| app / stack | added | updated | replaced | removed | data or names lost |', '|---|---|---|---|---|---|');
    for (const r of reports) {
      lines.push(`| ${r.app} / ${r.stack} | ${r.added} | ${r.updated} | ${r.replaced} | ${r.removed} | ${r.kept.map(k => `${k.where.split('/').pop()} (${k.type}, ${k.impact})`).join('; ') || '-'} |`);
    }
  }
  return lines.join('\n');
}

function main(argv: string[]): number {
  const at = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const since = at('--since') ?? lastRelease();
  if (!since) {
    console.log('diff-release: no release tag (v*) yet: nothing to compare against.');
    return 0;
  }
  const reports = diffSince(since);
  const text = render(since, reports);
  console.log(text);
  if (at('--report')) fs.writeFileSync(at('--report')!, `${text}\n`);
  if (at('--append')) fs.appendFileSync(at('--append')!, `\n### Template changes (the integ apps)\n\n${text}\n`);
  const isExplained = explanations();
  const unexplained = reports.flatMap(r => r.kept).filter(k => !isExplained(k));
  for (const k of unexplained) {
    console.error(`diff-release: ${k.where} (${k.type}) would be ${k.impact === ResourceImpact.WILL_REPLACE ? 'replaced' : 'removed'}: `
      + 'name it in CHANGELOG.md under Unreleased (what changes in the user\'s stacks and how to keep the old one) and in an ADR under docs/adr');
  }
  return unexplained.length > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
