// A source file as the importers read it: YAML with a line for every field (aliases and merge
// keys resolved, values interpolated), each field marked as it is carried over; the field paths
// and errors that name them, and YAML maps laid over each other. What an import gives back
// lives in import-result.

import * as fs from 'fs';
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, Node, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';

/** A field path in a manifest: map keys and list indexes. */
export type FieldPath = ReadonlyArray<string | number>;

/** Bad input: the file, the line and what was expected. Nothing is written when one is thrown. */
export class ImportError extends Error {
  constructor(public readonly file: string, public readonly line: number | undefined, problem: string) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}`);
    this.name = 'ImportError';
  }
}

/** How a field was carried over, for the summary. */
export enum FieldFate {
  /** Mapped to a prop with the same meaning. */
  MAPPED = 'mapped',
  /** Mapped, but part of its meaning needs a person (a TODO says what). */
  PARTIAL = 'partial',
}

/**
 * A YAML file read with line numbers. Every read names the field, so a value of the wrong type
 * fails with the file, the line and what was expected; every field the mapper uses is marked,
 * so the ones it did not use become TODO comments.
 */
export class YamlFile {
  /** Read and parse a file; a file that is not YAML fails with its first error's line. */
  public static read(file: string, display: string = file): YamlFile {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ImportError(display, undefined, `cannot be read (${(e as Error).message})`);
    }
    return YamlFile.parse(text, display);
  }

  /** Parse text as YAML. */
  public static parse(text: string, display: string): YamlFile {
    const lines = new LineCounter();
    // Keys are unique, except the merge key, which real files repeat (`<<: *a` then `<<: *b`).
    const doc = parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: (a, b) => !isMergeKey(a) && (a === b || (isScalar(a) && isScalar(b) && a.value === b.value)),
    });
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      throw new ImportError(display, lines.linePos(first.pos[0]).line, `is not valid YAML: ${first.message.split('\n')[0]}`);
    }
    if (doc.contents !== null && !isMap(doc.contents)) {
      throw new ImportError(display, YamlFile.lineOf(lines, doc.contents), 'is not a YAML map of fields');
    }
    resolveAliases(doc, display, lines);
    return new YamlFile(display, doc, lines);
  }

  private static lineOf(lines: LineCounter, node: Node | null | undefined): number | undefined {
    return node?.range ? lines.linePos(node.range[0]).line : undefined;
  }

  private readonly fates = new Map<string, FieldFate>();
  /** Scalars whose text came from interpolation, with the text as written: their type is read from the result. */
  private readonly interpolated = new Map<Scalar, string>();

  private constructor(public readonly file: string, private readonly doc: Document, private readonly lines: LineCounter) {}

  /**
   * Replace every string value (not keys) by `replace(text)`, as Compose and Copilot
   * interpolate variables; `replace` returns undefined for text it leaves alone. The field keeps
   * its line, and `raw` gives the text as written.
   */
  public interpolate(replace: (text: string, path: FieldPath, line: number | undefined) => string | undefined): void {
    const seen = new Set<Node>();
    const walk = (n: unknown, path: Array<string | number>): void => {
      if (!n || seen.has(n as Node)) return;
      seen.add(n as Node);
      if (isMap(n)) {
        for (const pair of n.items) walk(pair.value, [...path, keyOf(pair as Pair)]);
      } else if (isSeq(n)) {
        n.items.forEach((item, i) => walk(item, [...path, i]));
      } else if (isScalar(n) && typeof n.value === 'string') {
        const out = replace(n.value, path, YamlFile.lineOf(this.lines, n));
        if (out !== undefined && out !== n.value) {
          this.interpolated.set(n, n.value);
          n.value = out;
        }
      }
    };
    walk(this.doc.contents, []);
  }

  /** The text of a string field as written, before interpolation. */
  public raw(path: FieldPath): string | undefined {
    const n = this.node(path);
    return n && isScalar(n) ? this.interpolated.get(n) : undefined;
  }

  /** Remove a field (a service that is not imported, say). */
  public remove(path: FieldPath): void {
    this.doc.deleteIn(path as Array<string | number>);
  }

  /** Set a map field to a node (the result of `extends`). */
  public setNode(path: FieldPath, node: Node): void {
    this.doc.setIn(path as Array<string | number>, node);
  }

  /** The node of a field, for `setNode` elsewhere. */
  public nodeAt(path: FieldPath): Node | undefined {
    return this.node(path);
  }

  /** Whether a map field has this key, even with no value (`pgdata:` in Compose's volumes). */
  public hasKey(path: FieldPath, name: string): boolean {
    return this.kind(path) === 'map' && this.keys(path).includes(name);
  }

  /** The line a field starts on. */
  public line(path: FieldPath): number | undefined {
    return YamlFile.lineOf(this.lines, this.node(path) ?? undefined);
  }

  /** Whether the field is present (and not null). */
  public has(path: FieldPath): boolean {
    const n = this.node(path);
    return n !== undefined && !(isScalar(n) && n.value === null);
  }

  /** The field's plain value (maps and lists as JS objects), or undefined. */
  public value(path: FieldPath): unknown {
    const n = this.node(path);
    return n === undefined ? undefined : (n as Node).toJSON();
  }

  /** A string field; numbers and booleans fail. */
  public str(path: FieldPath): string | undefined {
    const v = this.scalar(path);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(path, `expected a string for ${show(path)}, got ${JSON.stringify(v)}`);
    return v as string;
  }

  /** A string field, or a number written as one (ports, durations in seconds). */
  public text(path: FieldPath): string | undefined {
    const v = this.scalar(path);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') this.fail(path, `expected a string for ${show(path)}, got ${JSON.stringify(v)}`);
    return String(v);
  }

  /** A whole-number field. */
  public int(path: FieldPath): number | undefined {
    let v = this.scalar(path);
    if (v === undefined) return undefined;
    if (typeof v === 'string' && /^-?\d+$/.test(v) && this.wasInterpolated(path)) v = Number(v);
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(path, `expected a whole number for ${show(path)}, got ${JSON.stringify(v)}`);
    return v as number;
  }

  /** A boolean field. */
  public bool(path: FieldPath): boolean | undefined {
    let v = this.scalar(path);
    if (v === undefined) return undefined;
    if ((v === 'true' || v === 'false') && this.wasInterpolated(path)) v = v === 'true';
    if (typeof v !== 'boolean') this.fail(path, `expected true or false for ${show(path)}, got ${JSON.stringify(v)}`);
    return v as boolean;
  }

  /** The keys of a map field (fails on anything but a map). */
  public keys(path: FieldPath): string[] {
    const n = this.node(path);
    if (n === undefined || (isScalar(n) && n.value === null)) return [];
    if (!isMap(n)) this.fail(path, `expected a map for ${show(path)}`);
    return (n as YAMLMap).items.map(pair => keyOf(pair as Pair));
  }

  /** The length of a list field (fails on anything but a list). */
  public length(path: FieldPath): number {
    const n = this.node(path);
    if (n === undefined || (isScalar(n) && n.value === null)) return 0;
    if (!isSeq(n)) this.fail(path, `expected a list for ${show(path)}`);
    return (n as YAMLSeq).items.length;
  }

  /** Whether the field is a map, a list or a scalar. */
  public kind(path: FieldPath): 'map' | 'list' | 'scalar' | undefined {
    const n = this.node(path);
    if (n === undefined) return undefined;
    return isMap(n) ? 'map' : isSeq(n) ? 'list' : 'scalar';
  }

  /** A string or a list of strings (`command`, `alias`), as a list. */
  public strings(path: FieldPath): string[] | undefined {
    const kind = this.kind(path);
    if (kind === undefined) return undefined;
    if (kind === 'list') return Array.from({ length: this.length(path) }, (_, i) => this.text([...path, i])!);
    const one = this.text(path);
    return one === undefined ? undefined : [one];
  }

  /** Fail at the field's line. */
  public fail(path: FieldPath, problem: string): never {
    throw this.error(path, problem);
  }

  /** The error for a field, to throw. */
  public error(path: FieldPath, problem: string): ImportError {
    return new ImportError(this.file, this.line(path), problem);
  }

  /** Record how a field (and everything under it) was carried over. */
  public mark(path: FieldPath, fate: FieldFate = FieldFate.MAPPED): void {
    this.fates.set(key(path), fate);
  }

  /**
   * Every leaf field with its fate: a field is carried over when it or a field above it was
   * marked; otherwise it is unmapped (undefined).
   */
  public leaves(): Array<{ path: FieldPath; line?: number; text: string; fate?: FieldFate }> {
    const out: Array<{ path: FieldPath; line?: number; text: string; fate?: FieldFate }> = [];
    const walk = (n: unknown, path: Array<string | number>): void => {
      const marked = this.fateOf(path);
      if (isMap(n) && marked === undefined) {
        for (const pair of n.items) walk(pair.value, [...path, keyOf(pair as Pair)]);
        return;
      }
      if (isSeq(n) && marked === undefined) {
        n.items.forEach((item, i) => walk(item, [...path, i]));
        return;
      }
      const node = n as Node | null;
      out.push({ path, line: YamlFile.lineOf(this.lines, node), text: JSON.stringify(node && 'toJSON' in node ? node.toJSON() : n), fate: marked });
    };
    walk(this.doc.contents, []);
    return out.filter(l => l.path.length > 0);
  }

  private fateOf(path: FieldPath): FieldFate | undefined {
    for (let i = path.length; i >= 1; i--) {
      const fate = this.fates.get(key(path.slice(0, i)));
      if (fate) return fate;
    }
    return undefined;
  }

  private wasInterpolated(path: FieldPath): boolean {
    const n = this.node(path);
    return n !== undefined && isScalar(n) && this.interpolated.has(n);
  }

  private scalar(path: FieldPath): unknown {
    const n = this.node(path);
    if (n === undefined) return undefined;
    if (!isScalar(n)) this.fail(path, `expected a single value for ${show(path)}, got a ${isMap(n) ? 'map' : 'list'}`);
    const v = (n as Scalar).value;
    return v === null ? undefined : v;
  }

  private node(path: FieldPath): Node | undefined {
    const n = this.doc.getIn(path as Array<string | number>, true) as Node | undefined | null;
    return n ?? undefined;
  }
}

/** A field path as Copilot's docs write it: `http.healthcheck.path`, `sidecars.nginx`, `topics[0]`. */
export function show(path: FieldPath): string {
  return path.map((p, i) => typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${p}`).join('');
}

function key(path: FieldPath): string {
  return JSON.stringify(path);
}

/** A merge key: `<<` written plain, or tagged `!!merge <<`. */
function isMergeKey(node: unknown): boolean {
  return isScalar(node) && (node.tag === 'tag:yaml.org,2002:merge' || (node.value === '<<' && node.type === 'PLAIN'));
}

/**
 * Resolve YAML aliases and merge keys in place, as YAML 1.1 and Compose read them: an alias is
 * the node it names (with that node's lines), and `<<: *a` or `<<: [*a, *b]` adds the fields of
 * the named maps that the map does not set itself (the first map named wins). Nodes reached
 * through an alias are shared, so a mark on one path does not mark the other.
 */
function resolveAliases(doc: Document, display: string, lines: LineCounter): void {
  const resolving = new Set<Node>();
  const done = new Set<Node>();
  const resolve = (n: unknown): unknown => {
    if (isAlias(n)) {
      const target = n.resolve(doc);
      if (!target) throw new ImportError(display, n.range ? lines.linePos(n.range[0]).line : undefined, `the alias *${n.source} names no anchor`);
      return resolve(target);
    }
    if (!(isMap(n) || isSeq(n)) || done.has(n)) return n;
    if (resolving.has(n)) throw new ImportError(display, n.range ? lines.linePos(n.range[0]).line : undefined, 'an alias refers to a node that holds it');
    resolving.add(n);
    if (isSeq(n)) {
      n.items = n.items.map(resolve);
    } else {
      const own: Pair[] = [];
      const merged: Pair[] = [];
      for (const pair of (n as YAMLMap).items) {
        if (isMergeKey(pair.key)) {
          const value = isAlias(pair.value) || isMap(pair.value) ? [pair.value] : isSeq(pair.value) ? pair.value.items : [];
          for (const source of value) {
            const m = resolve(source);
            if (isMap(m)) merged.push(...(m.items as Pair[]));
          }
          continue;
        }
        pair.value = resolve(pair.value) as Node;
        own.push(pair as Pair);
      }
      const seen = new Set(own.map(keyOf));
      const fromMerge = merged.filter(p => !seen.has(keyOf(p)) && (seen.add(keyOf(p)), true));
      (n as YAMLMap).items = [...own, ...fromMerge];
    }
    resolving.delete(n);
    done.add(n);
    return n;
  };
  doc.contents = resolve(doc.contents) as Node;
}

/** A map entry's key as text. */
export function keyOf(pair: Pair): string {
  return String(isScalar(pair.key) ? pair.key.value : pair.key);
}

/**
 * `top` laid over `base`, as YAML maps (Compose's `extends`, Copilot's environment overrides):
 * maps merge key by key; a list whose key `appended` names is the base's items then the top's;
 * anything else is the top's. The nodes keep their lines; neither map is changed.
 */
export function overlayMaps(base: YAMLMap, top: YAMLMap, appended: (key: string) => boolean = () => false): YAMLMap {
  const out = new YAMLMap();
  const own = new Map((top.items as Pair[]).map(p => [keyOf(p), p]));
  for (const p of base.items as Pair[]) {
    const over = own.get(keyOf(p));
    own.delete(keyOf(p));
    if (!over) {
      out.items.push(p);
    } else if (isMap(p.value) && isMap(over.value)) {
      out.items.push(new Pair(over.key, overlayMaps(p.value, over.value, appended)));
    } else if (isSeq(p.value) && isSeq(over.value) && appended(keyOf(p))) {
      const seq = new YAMLSeq();
      seq.items = [...p.value.items, ...over.value.items];
      seq.range = over.value.range;
      out.items.push(new Pair(over.key, seq));
    } else {
      out.items.push(over);
    }
  }
  out.items.push(...own.values());
  out.range = top.range;
  return out;
}
