import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Image, WarningId, WebService } from '../../src';
import { warn } from '../../src/guardrails/warnings';
import { productionEnvironment, testStack, warningIds } from '../fixtures';

describe('WarningId', () => {
  test('warn() adds the warning under its id, with tokens put in words', () => {
    const stack = testStack();
    const scope = new Construct(stack, 'Scope');
    warn(scope, WarningId.PLAIN_HTTP, `port ${Token.asString({ Ref: 'Port' })} is plain`);
    expect(warningIds(stack)).toEqual([`port (a value known only at deploy time) is plain [ack: ${WarningId.PLAIN_HTTP}]`]);
  });

  test('a warning is acknowledged by its id', () => {
    const stack = testStack();
    new WebService(stack, 'Web', {
      environment: productionEnvironment(stack), image: Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0'), containerSecurity: { user: '0' },
    });
    expect(warningIds(stack).some(w => w.includes(WarningId.ROOT_USER))).toBe(true);
    const again = testStack('Again');
    const acknowledged = new WebService(again, 'Web', {
      environment: productionEnvironment(again), image: Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0'), containerSecurity: { user: '0' },
    });
    Annotations.of(acknowledged).acknowledgeWarning(WarningId.ROOT_USER, 'the image drops privileges itself');
    expect(warningIds(again).some(w => w.includes(WarningId.ROOT_USER))).toBe(false);
  });

  test('every warning the library adds has an id in the catalogue, and every id is used', () => {
    const src = path.join(__dirname, '..', '..', 'src');
    const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
      .flatMap(e => e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]);
    const code = files(src).filter(f => f.endsWith('.ts') && !f.endsWith('warnings.ts')).map(f => fs.readFileSync(f, 'utf8')).join('\n');
    expect(code).not.toMatch(/addWarningV2\(/);
    const used = new Set([...code.matchAll(/WarningId\.([A-Z0-9_]+)/g)].map(m => m[1]));
    expect([...used].sort()).toEqual(Object.keys(WarningId).sort());
  });
});
