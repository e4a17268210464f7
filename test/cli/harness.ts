/** The command line as the CLI tests drive it: its exit code and what it printed, and its bad-input contract. */
import { main } from '../../src/cli/main';

/** Run the command line; its exit code and what it printed, a line per entry. */
export function run(...argv: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, l => out.push(...l.split('\n')), l => err.push(l));
  return { code, out, err };
}

/** The command fails with `code` and a message matching `message` on stderr, printing nothing else; on bad input (1), one line, no stack trace. */
export function fails(code: number, message: RegExp, ...argv: string[]): void {
  const result = run(...argv);
  expect(result.code).toBe(code);
  expect(result.out).toEqual([]);
  expect(result.err.join('\n')).toMatch(message);
  if (code === 1) expect(result.err).toEqual([expect.not.stringContaining('\n')]);
}
