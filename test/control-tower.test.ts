import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, aws_sqs as sqs } from 'aws-cdk-lib';
import { CONTROL_EXCEPTIONS, controlTowerFindings } from './control-tower';
import { newDefaultsContext } from '../src/guardrails/changed-defaults';

/** The Control Tower harness; the integ apps meet the controls in compliance.test.ts, in the one sweep every gate shares. */
describe('AWS Control Tower proactive controls (cfn-guard)', () => {
  test('the gate can fail: a queue without a dead-letter queue is reported', () => {
    const app = new App({ context: newDefaultsContext(), outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-ct-')) });
    new sqs.Queue(new Stack(app, 'NonCompliant'), 'Queue');
    const findings = controlTowerFindings([app.synth().getStackByName('NonCompliant').templateFullPath]);
    expect(findings.map(f => f.rule)).toContain('sqs_dlq_check');
  });

  test('every exception is listed in docs/compliance.md with its control id', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'docs', 'compliance.md'), 'utf8');
    expect(CONTROL_EXCEPTIONS.filter(e => !readme.includes(`\`${e.control}\``)).map(e => e.control)).toEqual([]);
  });
});
