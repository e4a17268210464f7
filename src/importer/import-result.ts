// What an import gives back: the tally of leaf fields by fate (with a TODO line for each field
// not carried over), the workloads it left out, and the result and report the CLI prints.

import type { VariableUse } from './interpolate';
import { FieldFate, show, YamlFile } from './source';

/** How many leaf fields an import carried over, and a TODO line for each it did not. */
export interface FieldTally {
  readonly mapped: number;
  readonly partial: number;
  readonly unmapped: number;
  /** `// TODO(<tool>): <file>:<line> <path>: <value> ...; <hint>.`, one per unmapped field. */
  readonly todos: string[];
  /** Every leaf field that was not mapped whole, as `<file> <path>`, with its fate. */
  readonly notMapped: Array<{ readonly file: string; readonly path: string; readonly fate: 'partial' | 'unmapped' }>;
}

/**
 * Counts the leaf fields of `files` by fate. Each unmapped one gets a TODO line with the hint of
 * the first pattern in `hints` that matches its path.
 */
export function tallyFields(tool: string, files: YamlFile[], hints: ReadonlyArray<[RegExp, string]>): FieldTally {
  const tally = { mapped: 0, partial: 0, unmapped: 0, todos: [] as string[], notMapped: [] as FieldTally['notMapped'][number][] };
  for (const f of files) {
    for (const leaf of f.leaves()) {
      const where = show(leaf.path);
      if (leaf.fate === FieldFate.MAPPED) {
        tally.mapped++;
        continue;
      }
      tally.notMapped.push({ file: f.file, path: where, fate: leaf.fate === FieldFate.PARTIAL ? 'partial' : 'unmapped' });
      if (leaf.fate === FieldFate.PARTIAL) {
        tally.partial++;
      } else {
        tally.unmapped++;
        const hint = hints.find(([pattern]) => pattern.test(where))?.[1] ?? 'port it by hand';
        tally.todos.push(`// TODO(${tool}): ${f.file}:${leaf.line ?? '?'} ${where}: ${leaf.text} has no equivalent the importer knows; ${hint}.`);
      }
    }
  }
  return tally;
}

/** A workload (or file) the import left out, and why. */
export interface Skipped {
  /** The source file, relative to where the import was given. */
  readonly file: string;
  readonly line?: number;
  /** The service, manifest or environment name. */
  readonly name: string;
  readonly reason: string;
}

/** What an import writes, and how many fields it carried over. */
export interface ImportResult {
  /** File name (relative to the output directory) to content. */
  readonly files: { [name: string]: string };
  readonly mapped: number;
  readonly partial: number;
  readonly unmapped: number;
  /** Every leaf field that was not mapped whole, as `<file> <path>`, with its fate. */
  readonly notMapped: FieldTally['notMapped'];
  /** The workloads written, those left out with the reason, the variables read and what to know. */
  readonly report: ImportReport;
}

/** What an import did, workload by workload, for the CLI's summary and its exit code. */
export interface ImportReport {
  /** The workloads written into the app, by name. */
  readonly imported: string[];
  /** Where the source writes each imported workload, as `file:line`, to point at when its app does not synthesize. */
  readonly sources: { [workload: string]: string };
  /** The workloads (or files) left out, with the file, line and reason. */
  readonly skipped: Skipped[];
  /** Every variable the source interpolates, where, with its default and where its value came from. */
  readonly variables: VariableUse[];
  /** What the import changed or assumed that a person should know. */
  readonly warnings: string[];
}
