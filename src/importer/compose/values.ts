/** Compose's values read as ECS takes them: durations, sizes, maps, volumes. */
import { code, milliseconds, retentionMember, RETENTION_EXPECTED } from '../code';
import { FieldPath, show, YamlFile } from '../source';

/**
 * Fargate task sizes: each CPU value and the memory it allows (MiB). Source: Amazon ECS
 * Developer Guide, "Amazon ECS task definition parameters for Fargate", Task size.
 */
export const FARGATE_SIZES: Array<[number, number[]]> = [
  [256, [512, 1024, 2048]],
  [512, [1024, 2048, 3072, 4096]],
  [1024, [2048, 3072, 4096, 5120, 6144, 7168, 8192]],
  [2048, Array.from({ length: 13 }, (_, i) => 4096 + i * 1024)],
  [4096, Array.from({ length: 23 }, (_, i) => 8192 + i * 1024)],
];

export function parseVolume(spec: string): { source?: string; target?: string; type?: string; readOnly?: boolean } {
  const parts = spec.split(':');
  if (parts.length === 1) return { target: parts[0] };
  return { source: parts[0], target: parts[1], readOnly: parts[2]?.split(',').includes('ro') ? true : undefined };
}

/** Log retention in days as the RetentionDays member CloudWatch accepts. */
export function retentionCode(f: YamlFile, at: FieldPath, days: number): string {
  const member = retentionMember(days);
  if (!member) throw f.error(at, `expected ${RETENTION_EXPECTED}, got ${days}`);
  return `logs.RetentionDays.${member}`;
}

export function mapOf(f: YamlFile, at: FieldPath): { [k: string]: string } {
  if (f.kind(at) === 'list') {
    return Object.fromEntries(Array.from({ length: f.length(at) }, (_, i) => {
      const entry = f.text([...at, i])!;
      const eq = entry.indexOf('=');
      return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
    }));
  }
  return Object.fromEntries(f.keys(at).map(k => [k, String(f.value([...at, k]) ?? '')]));
}

/** Compose durations: `1m30s`, `10s`, `500ms`, in milliseconds. */
export function durationMs(f: YamlFile, at: FieldPath): number | undefined {
  const text = f.text(at);
  if (text === undefined) return undefined;
  const ms = milliseconds(text);
  if (ms === undefined) throw f.error(at, `expected a duration such as 30s or 1m30s for ${show(at)}, got ${JSON.stringify(text)}`);
  return ms;
}

/** A Compose duration as a `Duration` in whole seconds (at least one). */
export function durationOf(f: YamlFile, at: FieldPath) {
  const ms = durationMs(f, at);
  return ms === undefined ? undefined : code(`Duration.seconds(${Math.max(1, Math.round(ms / 1000))})`);
}

/** Compose memory (`512m`, `1g`, `1.5G`, bytes) in MiB. */
export function mebibytes(f: YamlFile, at: FieldPath, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)i?b?$/i.exec(text.trim());
  if (!match) throw f.error(at, `expected a memory size such as 512M or 1G, got ${JSON.stringify(text)}`);
  const unit = match[2].toLowerCase();
  const bytes = Number(match[1]) * ({ '': 1, 'b': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3 } as { [u: string]: number })[unit];
  return Math.ceil(bytes / 1024 ** 2);
}

/** The smallest Fargate size with at least this CPU and memory. */
export function fargateSize(cpu: number, memory: number): [number, number] {
  for (const [c, memories] of FARGATE_SIZES) {
    if (c < cpu) continue;
    const m = memories.find(x => x >= memory);
    if (m !== undefined) return [c, m];
  }
  return [4096, 30720];
}

