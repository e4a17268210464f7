import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, aws_sqs as sqs } from 'aws-cdk-lib';
import { CONTROL_EXCEPTIONS, controlTowerFindings } from './control-tower';
import { SCENARIOS } from '../integ/scenarios';

describe('AWS Control Tower proactive controls (cfn-guard)', () => {
  test('every integ app passes every control but the documented exceptions', () => {
    const templates = new Map<string, string>();
    for (const [name, build] of Object.entries(SCENARIOS)) {
      const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-ct-')) });
      build(app);
      for (const stack of app.synth().stacks) templates.set(stack.templateFullPath, name);
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

  test('the gate can fail: a queue without a dead-letter queue is reported', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-ct-')) });
    new sqs.Queue(new Stack(app, 'NonCompliant'), 'Queue');
    const findings = controlTowerFindings([app.synth().getStackByName('NonCompliant').templateFullPath]);
    expect(findings.map(f => f.rule)).toContain('sqs_dlq_check');
  });

  test('every exception is listed in docs/compliance.md with its control id', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'docs', 'compliance.md'), 'utf8');
    expect(CONTROL_EXCEPTIONS.filter(e => !readme.includes(`\`${e.control}\``)).map(e => e.control)).toEqual([]);
  });
});
