/** The release diff: what it counts, what it calls lost, and what explains a loss. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { diffTemplates, explained, render } from '../../integ/diff-release';

const queue = (props: object = {}, extra: object = {}) => ({ Type: 'AWS::SQS::Queue', Properties: props, ...extra });
const stacks = (resources: object) => new Map([['worker/ShipyardIntegWorker', { Resources: resources }]]);

describe('the release diff', () => {
  test('counts added, updated, replaced and removed resources, and names the lost ones that hold data', () => {
    const before = stacks({
      Jobs: queue({ QueueName: 'jobs' }),
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: {}, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Threshold: 1 } },
      Rule: { Type: 'AWS::Events::Rule', Properties: {} },
    });
    const after = stacks({
      Jobs: queue({ QueueName: 'jobs-v2' }),
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Threshold: 2 } },
      Rule: { Type: 'AWS::Events::Rule', Properties: {} },
      Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
    });
    const [report] = diffTemplates(before, after);
    expect(report).toEqual(expect.objectContaining({ app: 'worker', added: 1, updated: 1, replaced: 1, removed: 1 }));
    expect(report.kept).toEqual([
      { where: 'worker/ShipyardIntegWorker/Jobs', type: 'AWS::SQS::Queue', impact: 'WILL_REPLACE' },
      { where: 'worker/ShipyardIntegWorker/Logs', type: 'AWS::Logs::LogGroup', impact: 'WILL_ORPHAN' },
    ]);
    expect(render('v0.1.0', [report])).toContain('| worker / ShipyardIntegWorker | 1 | 1 | 1 | 1 | Jobs (AWS::SQS::Queue, WILL_REPLACE); Logs (AWS::Logs::LogGroup, WILL_ORPHAN) |');
  });

  test('reports nothing for identical templates, and an alarm replaced is not a loss', () => {
    const same = stacks({ Jobs: queue() });
    expect(diffTemplates(same, stacks({ Jobs: queue() }))).toEqual([]);
    const renamed = diffTemplates(stacks({ A: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'a' } } }),
      stacks({ A: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'b' } } }));
    expect(renamed[0].kept).toEqual([]);
  });

  test('a loss is explained only when CHANGELOG.md\'s Unreleased section and an ADR both name it', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-release-'));
    fs.mkdirSync(path.join(root, 'docs', 'adr'), { recursive: true });
    const change = { where: 'worker/ShipyardIntegWorker/Jobs', type: 'AWS::SQS::Queue', impact: 'WILL_REPLACE' };
    const write = (changelog: string, adr: string) => {
      fs.writeFileSync(path.join(root, 'CHANGELOG.md'), changelog);
      fs.writeFileSync(path.join(root, 'docs', 'adr', '0001-x.md'), adr);
    };
    write('# Changelog\n\n## Unreleased\n- worker/ShipyardIntegWorker/Jobs is replaced: drain it first\n', 'worker/ShipyardIntegWorker/Jobs');
    expect(explained(change, root)).toBe(true);
    write('# Changelog\n\n## Unreleased\n\n## 0.1.0\n- worker/ShipyardIntegWorker/Jobs\n', 'worker/ShipyardIntegWorker/Jobs');
    expect(explained(change, root)).toBe(false);
    write('# Changelog\n\n## Unreleased\n- worker/ShipyardIntegWorker/Jobs\n', 'nothing');
    expect(explained(change, root)).toBe(false);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
