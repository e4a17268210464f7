/** The resolve stage: YAML anchors and merge keys with their lines, Compose's extends and profiles. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveCompose } from '../../src/importer/compose/resolve';
import { YamlFile } from '../../src/importer/source';

describe('YAML anchors, aliases and merge keys', () => {
  test('a map\'s own fields win over merged ones, and the first merged map over the second', () => {
    const f = YamlFile.parse([
      'x-a: &a { image: a, user: a, init: true }',
      'x-b: &b { image: b, user: b, tty: true }',
      'services:',
      '  s:',
      '    <<: [*a, *b]',
      '    user: own',
    ].join('\n'), 'compose.yaml');
    expect(f.value(['services', 's'])).toEqual({ user: 'own', image: 'a', init: true, tty: true });
    // A merged field keeps the line it was written on (the anchor's).
    expect(f.line(['services', 's', 'image'])).toBe(1);
  });

  test('merge keys repeated in one map, tagged !!merge, and aliases of scalars and lists', () => {
    const f = YamlFile.parse([
      'x-a: &a { image: a }',
      'x-b: &b { restart: always }',
      'x-ports: &ports ["80"]',
      'x-env: &v hello',
      'services:',
      '  s:',
      '    <<: *a',
      '    <<: *b',
      '    ports: *ports',
      '  t:',
      '    !!merge <<: *a',
      '    command: *v',
    ].join('\n'), 'compose.yaml');
    expect(f.value(['services', 's'])).toEqual({ ports: ['80'], image: 'a', restart: 'always' });
    expect(f.value(['services', 't'])).toEqual({ command: 'hello', image: 'a' });
  });

  test('an alias to an anchor that does not exist fails with its line', () => {
    expect(() => YamlFile.parse('a: 1\nb: *nothing\n', 'compose.yaml')).toThrow(/compose\.yaml:2/);
  });
});

describe('Compose resolution', () => {
  const write = (files: { [name: string]: string }) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resolve-'));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
  };

  test('variables from the shell win over .env, and each is listed with where it came from', () => {
    const dir = write({ 'compose.yaml': 'services:\n  s:\n    image: app:${TAG}\n    ports: ["${PORT:-8080}:80"]\n', '.env': 'TAG=1.2\nPORT=9000\n' });
    const f = YamlFile.read(path.join(dir, 'compose.yaml'), 'compose.yaml');
    const resolved = resolveCompose(f, dir, { environment: { PORT: '7000' } });
    expect(f.value(['services', 's'])).toEqual({ image: 'app:1.2', ports: ['7000:80'] });
    expect(resolved.variables.map(v => [v.name, v.source])).toEqual([['TAG', '.env'], ['PORT', 'the shell']]);
    expect(f.raw(['services', 's', 'image'])).toBe('app:${TAG}');
  });

  test('an unset required variable is a warning, and the import goes on with empty text', () => {
    const dir = write({ 'compose.yaml': 'services:\n  s:\n    image: app\n    environment:\n      KEY: ${KEY:?set the key}\n' });
    const f = YamlFile.read(path.join(dir, 'compose.yaml'), 'compose.yaml');
    const resolved = resolveCompose(f, dir);
    expect(resolved.warnings).toEqual([expect.stringMatching(/compose\.yaml:5 services\.s\.environment\.KEY: required variable KEY is not set: set the key/)]);
  });

  test('extends: the base\'s fields, maps merged, ports appended, command replaced; in the file and from another', () => {
    const dir = write({
      'compose.yaml': [
        'services:',
        '  base:',
        '    image: app',
        '    command: [serve]',
        '    environment: { A: "1", B: "1" }',
        '    ports: ["80"]',
        '  web:',
        '    extends: base',
        '    command: [web]',
        '    environment: { B: "2" }',
        '    ports: ["81"]',
        '  db:',
        '    extends: { file: common.yaml, service: postgres }',
      ].join('\n'),
      'common.yaml': 'services:\n  postgres:\n    image: postgres:16\n    environment: { POSTGRES_DB: app }\n',
    });
    const f = YamlFile.read(path.join(dir, 'compose.yaml'), 'compose.yaml');
    resolveCompose(f, dir);
    expect(f.value(['services', 'web'])).toEqual({ image: 'app', command: ['web'], environment: { A: '1', B: '2' }, ports: ['80', '81'] });
    expect(f.value(['services', 'db'])).toEqual({ image: 'postgres:16', environment: { POSTGRES_DB: 'app' } });
  });

  test('a service behind a profile is left out unless the profile is on', () => {
    const dir = write({ 'compose.yaml': 'services:\n  s:\n    image: a\n  debug:\n    image: b\n    profiles: [debug]\n' });
    const off = YamlFile.read(path.join(dir, 'compose.yaml'), 'compose.yaml');
    expect(resolveCompose(off, dir).skipped).toEqual([expect.objectContaining({ name: 'debug', line: 5, reason: expect.stringMatching(/--profile debug/) })]);
    const on = YamlFile.read(path.join(dir, 'compose.yaml'), 'compose.yaml');
    expect(resolveCompose(on, dir, { profiles: ['debug'] }).skipped).toEqual([]);
    const byVariable = YamlFile.read(path.join(dir, 'compose.yaml'), 'compose.yaml');
    expect(resolveCompose(byVariable, dir, { environment: { COMPOSE_PROFILES: 'debug' } }).skipped).toEqual([]);
  });
});
