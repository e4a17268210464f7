/**
 * The resolve stage of the Compose importer: the file as `docker compose config` resolves it
 * (anchors and merge keys come resolved from `YamlFile`), here interpolation with `.env`,
 * `extends` (in the file or another one) and `profiles`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isMap, Node, Pair, YAMLMap } from 'yaml';
import { Skipped } from '../import-result';
import { interpolate, parseDotEnv, parseInterpolation, VariableUse, variablesOf } from '../interpolate';
import { FieldFate, FieldPath, ImportError, keyOf, overlayMaps, show, YamlFile } from '../source';

export type { Skipped } from '../import-result';


/** What the resolve stage found besides the resolved file. */
export interface Resolved {
  readonly variables: VariableUse[];
  readonly skipped: Skipped[];
  readonly warnings: string[];
}

/** How to resolve a Compose file. */
export interface ResolveOptions {
  /** The shell's variables, which win over `.env` (Compose's precedence). */
  readonly environment?: { [name: string]: string | undefined };
  /** Profiles to enable, besides those in COMPOSE_PROFILES. */
  readonly profiles?: string[];
  /** A `.env` file other than the one beside the Compose file. */
  readonly envFile?: string;
}

/** Resolve `f` (a Compose file in `dir`) in place. */
export function resolveCompose(f: YamlFile, dir: string, options: ResolveOptions = {}): Resolved {
  const resolved: Resolved = { variables: [], skipped: [], warnings: [] };
  const dotEnvPath = options.envFile ?? path.join(dir, '.env');
  const dotEnv = fs.existsSync(dotEnvPath) && fs.statSync(dotEnvPath).isFile() ? parseDotEnv(fs.readFileSync(dotEnvPath, 'utf8')) : {};
  const shell = options.environment ?? {};
  const dotEnvName = path.basename(dotEnvPath);
  interpolateFile(f, name => shell[name] !== undefined ? { value: shell[name], source: 'the shell' }
    : dotEnv[name] !== undefined ? { value: dotEnv[name], source: dotEnvName } : undefined, resolved);
  // Extension fields (x-...) at the top are for anchors and tools; Compose ignores them.
  for (const top of f.keys([])) if (top.startsWith('x-') && !top.startsWith('x-aws-')) f.mark([top]);
  for (const name of f.keys(['services'])) {
    if (f.has(['services', name, 'extends'])) {
      try {
        extend(f, dir, name, [], resolved);
      } catch (e) {
        if (!(e instanceof ImportError)) throw e;
        skip(f, name, e.message, resolved);
      }
    }
    for (const key of f.keys(['services', name])) if (key.startsWith('x-') && !key.startsWith('x-aws-')) f.mark(['services', name, key]);
  }
  const active = new Set([...(options.profiles ?? []), ...(shell.COMPOSE_PROFILES ?? '').split(',').map(p => p.trim()).filter(p => p)]);
  for (const name of f.keys(['services'])) {
    const profiles = f.strings(['services', name, 'profiles']) ?? [];
    if (profiles.length > 0 && !profiles.some(p => active.has(p) || p === '*')) {
      const named = profiles.filter(p => p);
      skip(f, name, named.length === 0 ? 'its only profile is empty, which Compose never enables'
        : `runs only with the profile${named.length > 1 ? 's' : ''} ${named.join(', ')} (docker compose --profile): import with --profile ${named[0]} to include it`, resolved);
    } else if (profiles.length > 0) {
      f.mark(['services', name, 'profiles']);
    }
  }
  return resolved;
}

/** Leave a service out: it is marked (its fields get no TODO) and listed as skipped. */
export function skip(f: YamlFile, name: string, reason: string, into: { skipped: Skipped[] }): void {
  into.skipped.push({ file: f.file, line: f.line(['services', name]), name, reason });
  f.mark(['services', name], FieldFate.PARTIAL);
}

function interpolateFile(f: YamlFile, lookup: (name: string) => { value: string | undefined; source: string } | undefined, into: Resolved): void {
  f.interpolate((text, at, line) => {
    if (!text.includes('$')) return undefined;
    const where = `${f.file}:${line ?? '?'} ${show(at)}`;
    let parts;
    try {
      parts = parseInterpolation(text);
    } catch (e) {
      throw new ImportError(f.file, line, `${show(at)}: ${(e as Error).message}`);
    }
    for (const v of variablesOf(parts)) {
      into.variables.push({ name: v.name, where, fallback: v.fallback, required: v.required, source: lookup(v.name)?.source });
    }
    try {
      return interpolate(parts, name => lookup(name)?.value);
    } catch (e) {
      // Compose refuses to run without a required variable; the import goes on with empty text and says so.
      into.warnings.push(`${where}: ${(e as Error).message}; the import used empty text`);
      return interpolate(parts.map(p => typeof p === 'string' || (p.op !== ':?' && p.op !== '?') ? p : { name: p.name }), name => lookup(name)?.value);
    }
  });
}

/** Fields whose lists `extends` appends to the base's, rather than replacing (compose-spec, "Merge and override"). */
const APPENDED = new Set(['ports', 'expose', 'external_links', 'dns', 'dns_search', 'tmpfs', 'volumes', 'devices', 'cap_add', 'cap_drop', 'env_file', 'secrets', 'configs']);

/** Apply `services.<name>.extends`: the base service's fields, with this service's on top. */
function extend(f: YamlFile, dir: string, name: string, chain: string[], into: Resolved): void {
  const at: FieldPath = ['services', name, 'extends'];
  const baseName = f.kind(at) === 'scalar' ? f.str(at)! : f.str([...at, 'service']);
  const otherFile = f.kind(at) === 'map' ? f.str([...at, 'file']) : undefined;
  if (!baseName) throw f.error(at, 'extends names no service');
  if (chain.includes(`${otherFile ?? ''}#${baseName}`)) throw f.error(at, `extends ${baseName} goes round in a circle`);
  let base: Node | undefined;
  if (otherFile === undefined) {
    if (!f.hasKey(['services'], baseName)) throw f.error(at, `extends ${JSON.stringify(baseName)}, which is not a service of the file`);
    if (f.has(['services', baseName, 'extends'])) extend(f, dir, baseName, [...chain, `#${name}`], into);
    base = f.nodeAt(['services', baseName]);
  } else {
    const other = YamlFile.read(path.join(dir, otherFile), path.posix.join(path.posix.dirname(f.file), otherFile));
    resolveCompose(other, path.dirname(path.join(dir, otherFile)));
    if (!other.hasKey(['services'], baseName)) throw f.error(at, `extends ${JSON.stringify(baseName)}, which is not a service of ${otherFile}`);
    if (other.has(['services', baseName, 'extends'])) extend(other, path.dirname(path.join(dir, otherFile)), baseName, [...chain, `${otherFile}#${baseName}`], into);
    base = other.nodeAt(['services', baseName]);
  }
  const own = f.nodeAt(['services', name]);
  if (!isMap(base) || !isMap(own)) throw f.error(at, `extends ${baseName}, which is not a map of fields`);
  // links and volumes_from are never shared (compose-spec, "extends").
  const shared = new YAMLMap();
  shared.items = (base.items as Pair[]).filter(p => keyOf(p) !== 'links' && keyOf(p) !== 'volumes_from');
  f.setNode(['services', name], overlayMaps(shared, own, key => APPENDED.has(key)));
  f.remove(['services', name, 'extends']);
}
