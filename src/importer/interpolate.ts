/**
 * Variable interpolation as Compose does it (compose-spec, "Interpolation"): `$$` is a dollar
 * sign; `$VAR` and `${VAR}` take the variable's value; `${VAR:-default}` (unset or empty) and
 * `${VAR-default}` (unset) a default; `${VAR:?error}` and `${VAR?error}` require the variable;
 * `${VAR:+other}` and `${VAR+other}` replace a set value. Defaults may hold interpolations.
 * Copilot's manifests take `${VAR}` only, from the shell that runs Copilot.
 */

/** A variable an import read, for the summary. */
export interface VariableUse {
  readonly name: string;
  /** Where it was read: `file:line path`. */
  readonly where: string;
  /** The default written in the file, if any. */
  readonly fallback?: string;
  /** Whether the file requires it (`:?` or `?`). */
  readonly required: boolean;
  /** Where the value came from at import: a file such as `.env`, the shell, or nothing (unset). */
  readonly source?: string;
}

/** One part of an interpolated text: literal text, or a variable with its operator and argument. */
export type Part = string | { readonly name: string; readonly op?: ':-' | '-' | ':?' | '?' | ':+' | '+'; readonly arg?: Part[] };

/** The parts of a text, or throws on an unclosed or malformed `${`. */
export function parseInterpolation(text: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      literal += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      literal += '$';
      i += 2;
      continue;
    }
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (bare) {
      if (literal) parts.push(literal);
      literal = '';
      parts.push({ name: bare[0] });
      i += 1 + bare[0].length;
      continue;
    }
    if (next !== '{') {
      literal += c;
      i++;
      continue;
    }
    // ${...}: find the closing brace, counting nested ones.
    let depth = 1;
    let j = i + 2;
    for (; j < text.length && depth > 0; j++) {
      if (text[j] === '{') depth++;
      else if (text[j] === '}') depth--;
    }
    if (depth > 0) throw new Error(`"${text}" has an unclosed \${`);
    const inner = text.slice(i + 2, j - 1);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?|:\+|\+)([\s\S]*))?$/.exec(inner);
    if (!m) throw new Error(`"\${${inner}}" is not a variable Compose can interpolate`);
    if (literal) parts.push(literal);
    literal = '';
    parts.push({ name: m[1], op: m[2] as any, arg: m[2] !== undefined ? parseInterpolation(m[3]) : undefined });
    i = j;
  }
  if (literal) parts.push(literal);
  return parts;
}

/**
 * The text with its variables replaced by `lookup`'s values. An unset required variable throws
 * with the file's own message.
 */
export function interpolate(parts: Part[], lookup: (name: string) => string | undefined): string {
  return parts.map(p => {
    if (typeof p === 'string') return p;
    const value = lookup(p.name);
    const arg = () => interpolate(p.arg ?? [], lookup);
    switch (p.op) {
      case ':-': return value === undefined || value === '' ? arg() : value;
      case '-': return value === undefined ? arg() : value;
      case ':?':
      case '?':
        if (value === undefined || (p.op === ':?' && value === '')) throw new Error(`required variable ${p.name} is not set: ${arg() || 'give it a value'}`);
        return value;
      case ':+': return value === undefined || value === '' ? '' : arg();
      case '+': return value === undefined ? '' : arg();
      default: return value ?? '';
    }
  }).join('');
}

/** The variables a text names, with the default each has. */
export function variablesOf(parts: Part[]): Array<{ name: string; fallback?: string; required: boolean }> {
  return parts.flatMap(p => typeof p === 'string' ? [] : [
    { name: p.name, fallback: p.op === ':-' || p.op === '-' ? literalOf(p.arg ?? []) : undefined, required: p.op === ':?' || p.op === '?' },
    ...variablesOf(p.arg ?? []),
  ]);
}

function literalOf(parts: Part[]): string {
  return parts.map(p => typeof p === 'string' ? p : `\${${p.name}}`).join('');
}

/**
 * The TypeScript expression that reads the text's variables from `process.env` when the app
 * runs, with the file's defaults: `${process.env.DB_HOST || 'db'}:5432`. Required variables
 * and those without a default read as empty text when unset, as Compose reads them.
 */
export function processEnvCode(parts: Part[]): string {
  const q = (t: string) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, '\\\'').replace(/\n/g, '\\n')}'`;
  const one = (p: Part): string => {
    if (typeof p === 'string') return q(p);
    const env = `process.env.${p.name}`;
    const arg = () => (p.arg ?? []).length === 0 ? '\'\'' : (p.arg ?? []).map(one).join(' + ');
    switch (p.op) {
      case ':-': return `(${env} || ${arg()})`;
      case '-': return `(${env} ?? ${arg()})`;
      case ':+': return `(${env} ? ${arg()} : '')`;
      case '+': return `(${env} !== undefined ? ${arg()} : '')`;
      default: return `(${env} ?? '')`;
    }
  };
  return parts.length === 0 ? '\'\'' : parts.map(one).join(' + ');
}

/**
 * A `.env` file as Compose reads it: `KEY=VALUE` lines, `export` allowed, `#` comments, single
 * quotes literal, double quotes with `\n` escapes, and an unquoted value's ` #` comment cut.
 */
export function parseDotEnv(text: string): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    if (/^'.*'\s*$/.test(value)) value = value.trim().slice(1, -1);
    else if (/^".*"\s*$/.test(value)) value = value.trim().slice(1, -1).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    else value = value.replace(/\s+#.*$/, '').trim();
    out[m[1]] = value;
  }
  return out;
}

/** The variables the source reads, one line each, for the app's header. */
export function variablesComment(variables: ReadonlyArray<{ name: string; fallback?: string; required: boolean; source?: string }>,
  header: string[] = [
    '// Variables the source reads. Those in container variables are read from process.env when the app synthesizes;',
    '// the others were resolved at import with the values shown:',
  ]): string[] {
  const byName = new Map<string, { fallback?: string; required: boolean; source?: string }>();
  for (const v of variables) if (!byName.has(v.name) || v.fallback !== undefined) byName.set(v.name, v);
  if (byName.size === 0) return [];
  return [
    ...header,
    ...[...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, v]) =>
      `//   ${name}${v.fallback !== undefined ? ` (default ${JSON.stringify(v.fallback)})` : ''}${v.required ? ' (required)' : ''}: ${v.source ? `from ${v.source}` : 'not set at import'}`),
  ];
}
