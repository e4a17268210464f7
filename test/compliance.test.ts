import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, aws_s3 as s3, aws_sqs as sqs } from 'aws-cdk-lib';
import { nagFindings, nagV2Findings, nagV3Findings } from './nag';
import { SCENARIOS, VARIANTS } from '../integ/scenarios';

const scenarios = Object.entries(SCENARIOS);
const cases = Object.entries(VARIANTS).flatMap(([variant, options]) => scenarios.map(([name, build]) => [name, variant, build, options] as const));

describe('compliance (cdk-nag AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1)', () => {
  test.each(cases)('the %s integ app (%s) has no unacknowledged finding under cdk-nag 2.x and 3.x', (_name, _variant, build, options) => {
    const app = new App();
    build(app, options);
    expect(nagFindings(app)).toEqual([]);
  });

  test('the variants build what they say: literal ARNs in environment-specific stacks, workloads in a stack of their own', () => {
    const app = new App();
    SCENARIOS['scheduled-job'](app, VARIANTS['environment-specific, workloads apart']);
    const stacks = app.synth().stacks.map(s => s.stackName).sort();
    expect(stacks).toEqual(['ShipyardIntegScheduledJob', 'ShipyardIntegScheduledJobWorkloads']);
    const workloads = JSON.stringify(app.synth().getStackByName('ShipyardIntegScheduledJobWorkloads').template);
    expect(workloads).toContain(':ecs:eu-west-1:123456789012:task/');
    expect(workloads).toContain('AWS::Scheduler::Schedule');
  });

  test('the harness reports findings of both majors (it can fail)', () => {
    const app = new App();
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
    for (const build of Object.values(SCENARIOS)) {
      const app = new App();
      build(app);
      for (const stack of app.synth().stacks) {
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
