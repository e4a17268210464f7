/**
 * The integ apps against every compliance gate at once: cdk-nag 2.x and 3.x (four packs each),
 * the library's own ShipyardChecks under both majors, and the AWS Control Tower proactive
 * controls. Each app is built and synthesized once per variant with all of them attached, and
 * each gate reads the same result (three sweeps of their own cost the gate three times the synth).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, Stack, aws_s3 as s3, aws_sqs as sqs } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as nag2 from 'cdk-nag';
// eslint-disable-next-line import/no-extraneous-dependencies
import * as nag3 from 'cdk-nag-v3';
import { CONTROL_EXCEPTIONS, controlTowerFindings } from './control-tower';
import { nagV2Findings, nagV3Findings, unacknowledgedInTemplate } from './nag';
import { SCENARIOS, VARIANTS } from '../integ/scenarios';
import { ShipyardChecks } from '../src';
import { newDefaultsContext } from '../src/guardrails/changed-defaults';

const AGNOSTIC = 'environment-agnostic';
const scenarios = Object.entries(SCENARIOS);
const cases = Object.entries(VARIANTS).flatMap(([variant]) => scenarios.map(([name]) => [name, variant] as const));

interface Swept {
  /** Unacknowledged cdk-nag findings of both majors. */
  readonly nag: string[];
  /** `Shipyard-*` findings of both majors. */
  readonly shipyard: string[];
  readonly assembly: CloudAssembly;
}

const swept = new Map<string, Swept>();

/** Build the scenario's app once with every gate attached, synthesize it, and keep what each gate found. */
function sweep(name: string, variant: string): Swept {
  const key = `${name} (${variant})`;
  const cached = swept.get(key);
  if (cached) return cached;
  const app = new App({ context: newDefaultsContext(), outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-compliance-')) });
  SCENARIOS[name](app, VARIANTS[variant]);
  // cdk-nag 3.x's packs read the tree before synth, where their acknowledgements are written; the
  // 2.x aspects run in it. ShipyardChecks 3.x reads it after, as aws-cdk-lib runs a validation
  // plugin after the aspects, one of which acknowledges the rules paired with acknowledged warnings.
  const nagV3 = nagV3Findings(app);
  Aspects.of(app).add(ShipyardChecks._packFor(nag2, undefined));
  const nagV2 = nagV2Findings(app);
  const assembly = app.synth();
  const shipyardV3 = ShipyardChecks._packFor(nag3, app).validateScope(app).violations.map((v: any) => `v3 ${v.ruleName}`);
  const shipyardV2 = assembly.stacks.flatMap(s => [...s.findMetadataByType('aws:cdk:error'), ...s.findMetadataByType('aws:cdk:warning')])
    .map(e => String(e.data).match(/^(Shipyard-[A-Za-z]+)/)?.[1]).filter((r): r is string => r !== undefined).map(r => `v2 ${r}`);
  const result = { nag: [...nagV2, ...nagV3], shipyard: [...new Set([...shipyardV2, ...shipyardV3])].sort(), assembly };
  swept.set(key, result);
  return result;
}

describe('compliance (cdk-nag AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1)', () => {
  test.each(cases)('the %s integ app (%s) has no unacknowledged finding under cdk-nag 2.x and 3.x', (name, variant) => {
    expect(sweep(name, variant).nag).toEqual([]);
  });

  // cdk-nag matches acknowledgements on the construct tree, where a reference to another stack is
  // still `<LogicalId>`; the template renders it as the export's name (Fn::ImportValue), and that is
  // what auditors and template-scanning CI tools read.
  test.each(cases)('every granular IAM finding in the %s integ app\'s templates (%s) is acknowledged as the template renders it', (name, variant) => {
    const unacknowledged = sweep(name, variant).assembly.stacks.flatMap(s => unacknowledgedInTemplate(s.template).map(f => `${s.stackName} ${f}`));
    expect(unacknowledged).toEqual([]);
  });

  test('every action a library policy allows on * is named, exactly or by a pattern, in the IAM5 acknowledgement that excuses it', () => {
    const unnamed: string[] = [];
    for (const [name] of scenarios) {
      for (const stack of sweep(name, AGNOSTIC).assembly.stacks) {
        for (const [id, resource] of Object.entries<any>(stack.template.Resources)) {
          if (resource.Type !== 'AWS::IAM::Policy') continue;
          const reasons = (resource.Metadata?.cdk_nag?.rules_to_suppress ?? [])
            .filter((r: any) => r.id === 'AwsSolutions-IAM5' && (r.applies_to ?? []).includes('Resource::*')).map((r: any) => r.reason).join(' ');
          for (const statement of resource.Properties.PolicyDocument.Statement) {
            if (statement.Effect !== 'Allow' || ![statement.Resource].flat().includes('*')) continue;
            // The integ apps' own policies say so in their reasons.
            if (/^Integration test: /.test(reasons)) continue;
            // Actions the reason names, exactly or as a pattern (elasticloadbalancing:Describe*); IAM matches them case-insensitively.
            const named = [...reasons.matchAll(/\b[a-z0-9-]+:[A-Za-z*]+/g)].map(m => new RegExp(`^${m[0].replace(/\*/g, '.*')}$`, 'i'));
            for (const action of [statement.Action].flat() as string[]) {
              if (!named.some(n => n.test(action))) unnamed.push(`${name} ${id} ${action}`);
            }
          }
        }
      }
    }
    expect([...new Set(unnamed)]).toEqual([]);
  });

  test('the variants build what they say: literal ARNs in environment-specific stacks, workloads in a stack of their own', () => {
    const assembly = sweep('scheduled-job', 'environment-specific, workloads apart').assembly;
    expect(assembly.stacks.map(s => s.stackName).sort()).toEqual(['ShipyardIntegScheduledJob', 'ShipyardIntegScheduledJobWorkloads']);
    const workloads = JSON.stringify(assembly.getStackByName('ShipyardIntegScheduledJobWorkloads').template);
    expect(workloads).toContain(':ecs:eu-west-1:123456789012:task/');
    expect(workloads).toContain('AWS::Scheduler::Schedule');
  });

  test('the harness reports findings of both majors (it can fail)', () => {
    const app = new App({ context: newDefaultsContext() });
    const stack = new Stack(app, 'NonCompliant');
    new s3.Bucket(stack, 'PlainBucket');
    new sqs.Queue(stack, 'PlainQueue');
    const v3 = nagV3Findings(app);
    const v2 = nagV2Findings(app);
    expect(v3).toEqual(expect.arrayContaining([expect.stringMatching(/^v3 AwsSolutions-S1 NonCompliant\/PlainBucket/)]));
    expect(v2).toEqual(expect.arrayContaining([expect.stringMatching(/^v2 AwsSolutions-S1 \/NonCompliant\/PlainBucket/)]));
    expect(v2.some(f => f.includes('NIST.800.53.R5-'))).toBe(true);
  });

  test('every acknowledgement the library makes is listed in docs/compliance.md with the rule id', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'docs', 'compliance.md'), 'utf8');
    const ids = new Set<string>();
    for (const [name] of scenarios) {
      for (const stack of sweep(name, AGNOSTIC).assembly.stacks) {
        for (const resource of Object.values<any>(stack.template.Resources)) {
          for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
            // The integ apps' own resources (not the library's) say so in their reason.
            if (rule.reason.startsWith('Integration test: ')) continue;
            ids.add(rule.id.replace(/^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-/, ''));
          }
        }
      }
    }
    expect(ids.size).toBeGreaterThan(5);
    const missing = [...ids].filter(id => !readme.includes(`\`${id}\``));
    expect(missing).toEqual([]);
  });
});

describe('ShipyardChecks on the integ apps', () => {
  test.each(scenarios.map(([name]) => name))('the integ app %s passes it with both majors', name => {
    expect(sweep(name, AGNOSTIC).shipyard).toEqual([]);
  });
});

describe('AWS Control Tower proactive controls (cfn-guard)', () => {
  test('every integ app passes every control but the documented exceptions', () => {
    const templates = new Map<string, string>();
    for (const [name] of scenarios) {
      for (const stack of sweep(name, AGNOSTIC).assembly.stacks) templates.set(stack.templateFullPath, name);
    }
    const findings = controlTowerFindings([...templates.keys()]);
    const unexpected = findings.filter(f => !CONTROL_EXCEPTIONS.some(e => e.rule === f.rule && e.only?.includes(templates.get(f.template)!)))
      .map(f => `${f.rule} ${templates.get(f.template)} ${f.resource}`);
    expect(unexpected).toEqual([]);
    // Each scoped exception is still needed where it is granted (none outlives its reason).
    for (const e of CONTROL_EXCEPTIONS.filter(x => x.only)) {
      for (const app of e.only!) {
        const found = findings.some(f => f.rule === e.rule && templates.get(f.template) === app);
        expect([e.rule, app, found]).toEqual([e.rule, app, true]);
      }
    }
  }, 600_000);
});
