#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import { importCompose } from '../importer/compose';
import { importCopilot, ImportResult } from '../importer/copilot';
import { ImportError } from '../importer/source';

const USAGE = `Usage:
  cdk-shipyard import copilot <workspace-dir> --out <dir> [--production <env>[,<env>...]]
  cdk-shipyard import compose <compose-file> --out <dir> [--production]

Writes <dir>/app.ts, a CDK app that uses cdk-shipyard, from a Copilot workspace (the directory
that holds copilot/) or a Compose file. Copilot environments whose name contains "prod" get the
production profile unless --production names them; a Compose file becomes one environment,
production with --production. Nothing is written when a file cannot be read.`;

/** Run the command line; returns the exit code. */
export function main(argv: string[], log: (line: string) => void = console.log, error: (line: string) => void = console.error): number {
  const [command, kind, source, ...rest] = argv;
  if (command !== 'import' || (kind !== 'copilot' && kind !== 'compose') || !source) {
    error(USAGE);
    return 2;
  }
  const flag = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const out = flag('--out');
  if (!out) {
    error(`--out <dir> is missing\n\n${USAGE}`);
    return 2;
  }
  let result: ImportResult;
  try {
    result = kind === 'copilot'
      ? importCopilot({
        workspace: path.resolve(source),
        outDir: path.resolve(out),
        productionEnvironments: flag('--production')?.split(',').map(s => s.trim()).filter(s => s),
      })
      : importCompose({ file: path.resolve(source), outDir: path.resolve(out), production: rest.includes('--production') });
  } catch (e) {
    if (e instanceof ImportError) {
      error(`cdk-shipyard import: ${e.message}`);
      return 1;
    }
    throw e;
  }
  fs.mkdirSync(out, { recursive: true });
  for (const [name, content] of Object.entries(result.files)) fs.writeFileSync(path.join(out, name), content);
  log(`Wrote ${Object.keys(result.files).map(f => path.join(out, f)).join(', ')}.`);
  log(`Fields: ${result.mapped} mapped, ${result.partial} partial, ${result.unmapped} unmapped (each partial or unmapped field is a TODO(${kind}) comment).`);
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
