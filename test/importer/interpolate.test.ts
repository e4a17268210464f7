/** Compose's interpolation rules, one form a row, and the `.env` reader. */
import { interpolate, parseDotEnv, parseInterpolation, processEnvCode, variablesOf } from '../../src/importer/interpolate';

const vars: { [name: string]: string } = { SET: 'value', EMPTY: '' };
const lookup = (name: string) => vars[name];

describe('interpolation, as compose-spec defines it', () => {
  test.each([
    ['${SET}', 'value'],
    ['$SET/x', 'value/x'],
    ['${UNSET}', ''],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${SET:+other}', 'other'],
    ['${EMPTY:+other}', ''],
    ['${EMPTY+other}', 'other'],
    ['${UNSET+other}', ''],
    ['$$SET and $${SET}', '$SET and ${SET}'],
    ['${UNSET:-${SET}}:5432', 'value:5432'],
    ['${UNSET:-127.0.0.1:8080}:80', '127.0.0.1:8080:80'],
    ['price: 5$', 'price: 5$'],
  ])('%s is %j', (text, expected) => {
    expect(interpolate(parseInterpolation(text), lookup)).toBe(expected);
  });

  test.each([
    ['${UNSET:?give it}', /required variable UNSET is not set: give it/],
    ['${EMPTY:?}', /required variable EMPTY is not set/],
    ['${UNSET?}', /required variable UNSET/],
  ])('%s fails with the file\'s message', (text, message) => {
    expect(() => interpolate(parseInterpolation(text), lookup)).toThrow(message);
  });

  test('${EMPTY?x} takes an empty value: only unset fails', () => {
    expect(interpolate(parseInterpolation('${EMPTY?x}'), lookup)).toBe('');
  });

  test.each([['${OPEN'], ['${1BAD}'], ['${A B}']])('%s is not a variable Compose reads', text => {
    expect(() => parseInterpolation(text)).toThrow();
  });

  test('lists each variable with its default, and the ones a default names', () => {
    expect(variablesOf(parseInterpolation('${A:-x}${B:?e}${C:-${D}}'))).toEqual([
      { name: 'A', fallback: 'x', required: false },
      { name: 'B', fallback: undefined, required: true },
      { name: 'C', fallback: '${D}', required: false },
      { name: 'D', fallback: undefined, required: false },
    ]);
  });

  test('reads the variable when the app synthesizes, with the same operators', () => {
    expect(processEnvCode(parseInterpolation('postgres://${DB_HOST:-db}:${PORT-5432}/x'))).toBe(
      "'postgres://' + (process.env.DB_HOST || 'db') + ':' + (process.env.PORT ?? '5432') + '/x'");
    expect(processEnvCode(parseInterpolation('${TOKEN}'))).toBe("(process.env.TOKEN ?? '')");
    expect(processEnvCode(parseInterpolation('${A:+on}'))).toBe("(process.env.A ? 'on' : '')");
    // eslint-disable-next-line no-eval
    const run = (code: string, env: { [k: string]: string }) => new Function('process', `return ${code};`)({ env });
    expect(run(processEnvCode(parseInterpolation('${DB_HOST:-db}:5432')), {})).toBe('db:5432');
    expect(run(processEnvCode(parseInterpolation('${DB_HOST:-db}:5432')), { DB_HOST: 'rds' })).toBe('rds:5432');
  });
});

describe('.env files, as Compose reads them', () => {
  test('comments, export, quotes and inline comments', () => {
    expect(parseDotEnv([
      '# a comment',
      'A=1',
      'export B=two words',
      "C='single $NOT # kept'",
      'D="double\\nline"',
      'E=value # comment',
      'F=',
      'not a line',
    ].join('\n'))).toEqual({ A: '1', B: 'two words', C: 'single $NOT # kept', D: 'double\nline', E: 'value', F: '' });
  });
});
