import { aws_logs as logs } from 'aws-cdk-lib';
import { newDefaultsContext } from '../guardrails/changed-defaults';

/** A TypeScript expression written as is into the generated app. */
export class Code {
  constructor(public readonly text: string) {}
}

/** A TypeScript expression. */
export function code(text: string): Code {
  return new Code(text);
}

/** A string literal in single quotes. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, '\\\'').replace(/\n/g, '\\n')
    .replace(/[\u0000-\u001f\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

/**
 * A value as TypeScript source: objects and arrays on one line when short, one entry per line
 * otherwise, indented from `indent`. Values are `Code`, strings, numbers, booleans, arrays or
 * nested props (typed by the caller, see model.ts); undefined ones are left out.
 */
export function render(value: unknown, indent: string = ''): string {
  if (value instanceof Code) return value.text;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'undefined';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value.map(v => render(v, inner));
    const oneLine = `[${items.join(', ')}]`;
    return oneLine.length + indent.length <= 110 && !oneLine.includes('\n') ? oneLine : `[\n${items.map(i => `${inner}${i},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as { [key: string]: unknown }).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : quote(k)}: ${render(v, inner)}`);
  if (entries.length === 0) return '{}';
  const oneLine = `{ ${entries.join(', ')} }`;
  return oneLine.length + indent.length <= 110 && !oneLine.includes('\n') ? oneLine : `{\n${entries.map(e => `${inner}${e},`).join('\n')}\n${indent}}`;
}

/** A Secrets Manager secret by complete ARN or by name, as an `ISecret` expression with construct id `id`. */
export function secretCode(nameOrArn: string, id: string): string {
  return nameOrArn.startsWith('arn:')
    ? `secretsmanager.Secret.fromSecretCompleteArn(stack, ${quote(id)}, ${quote(nameOrArn)})`
    : `secretsmanager.Secret.fromSecretNameV2(stack, ${quote(id)}, ${quote(nameOrArn)})`;
}

/** `Image.fromRegistry`, with the registry's credentials (an `ISecret` expression) when it has them. */
export function registryImage(location: string, credentials?: string): Code {
  return code(`Image.fromRegistry(${quote(location)}${credentials === undefined ? '' : `, { credentials: ${credentials} }`})`);
}

/**
 * A command or entry point as the list ECS takes: a list as is, a string split on spaces.
 * `quoted` says the string had quotes, whose arguments the split may have cut apart.
 */
export function commandWords(isList: boolean, list: string[]): { words: string[]; quoted: boolean } {
  if (isList) return { words: list, quoted: false };
  return { words: list[0].split(/\s+/).filter(w => w), quoted: /["']/.test(list[0]) };
}

/** The TODO for a command string with quotes. */
export const QUOTED_COMMAND = 'the command has quotes: check the split into arguments';

/** Milliseconds of a Copilot or Compose duration (`1m30s`, `10s`, `500ms`), or undefined when the text is not one. */
export function milliseconds(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map(p => p[0]).join('') !== text) return undefined;
  const unit: { [u: string]: number } = { us: 0.001, ms: 1, s: 1000, m: 60000, h: 3600000 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]], 0);
}

/** A `Duration` expression in the largest whole unit. */
export function durationCode(ms: number): Code {
  if (ms % 3600000 === 0) return code(`Duration.hours(${ms / 3600000})`);
  if (ms % 60000 === 0) return code(`Duration.minutes(${ms / 60000})`);
  if (ms % 1000 === 0) return code(`Duration.seconds(${ms / 1000})`);
  return code(`Duration.millis(${ms})`);
}

/** A construct id from a Copilot or Compose name: `order-api` → `OrderApi`. */
export function pascal(name: string): string {
  const id = name.split(/[^A-Za-z0-9]+/).filter(p => p).map(p => p[0].toUpperCase() + p.slice(1)).join('');
  return /^[0-9]/.test(id) ? `W${id}` : id || 'Workload';
}

/** A function name from a Copilot or Compose name: `order-api` → `orderApi`. */
export function camel(name: string): string {
  const id = pascal(name);
  return id[0].toLowerCase() + id.slice(1);
}

/** The `logs.RetentionDays` member for a number of days, or undefined when CloudWatch Logs does not accept it. */
export function retentionMember(days: number): string | undefined {
  return Object.entries(logs.RetentionDays).find(([, v]) => v === days)?.[0];
}

/** What CloudWatch Logs accepts, for error messages. */
export const RETENTION_EXPECTED = 'a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653 days)';

/**
 * Rewrite every single-quoted string literal of generated code that still holds `${NAME}` (a
 * variable the source reads and the import could not resolve) into an expression that reads
 * it when the app synthesizes: `'arn:${CERT}'` → `('arn:' + (process.env.CERT ?? ''))`.
 * `names` gives expressions for variables the app knows itself (the stage). Comments stay.
 */
export function liftVariables(source: string, names: { [name: string]: string } = {}, read: (name: string) => string = n => `(process.env.${n} ?? '')`): string {
  return source.split('\n').map(line => /^\s*(\/\/|\/\*\*|\*)/.test(line) ? line : line.replace(/'((?:[^'\\\n]|\\.)*)'/g, (literal, body: string) => {
    if (!/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(body)) return literal;
    const text = body.replace(/\\(.)/g, (_, c: string) => c === 'n' ? '\n' : c);
    const parts = text.split(/(\$\{[A-Za-z_][A-Za-z0-9_]*\})/).filter(p => p !== '');
    return `(${parts.map(p => {
      const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(p);
      return m ? names[m[1]] ?? read(m[1]) : quote(p);
    }).join(' + ')})`;
  })).join('\n');
}

/** JavaScript's reserved words and the globals a generated app uses, which a function name must not be. */
const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally for function if '
  + 'implements import in instanceof interface let new null package private protected public return static super switch this throw true try '
  + 'typeof var void while with yield await async of type any number string boolean symbol object undefined process require module exports '
  + 'console path app stack environment stage').split(' '));

/**
 * Function names for source names (`order-api` → `orderApi`), unique among themselves and
 * clear of reserved words and of `taken` (the app's own names): a clash gets `Workload` added.
 */
export function functionNames(names: string[], taken: string[] = []): Map<string, string> {
  const used = new Set([...RESERVED, ...taken]);
  const out = new Map<string, string>();
  for (const name of names) {
    let id = camel(name);
    if (used.has(id) || used.has(`${id}Service`)) id = `${id}Workload`;
    for (let i = 2; used.has(id); i++) id = `${camel(name)}Workload${i}`;
    used.add(id);
    used.add(`${id}Service`);
    out.set(name, id);
  }
  return out;
}

/**
 * The line that creates the written app: with the library's new defaults chosen (the context a
 * new app's cdk.json holds), so it meets no changed-default warning.
 */
export function appLine(): string {
  return `const app = new App({ context: ${render(newDefaultsContext())} });`;
}
