#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import { picture } from './picture/command';
import { report as reportCommand } from './report/command';
import { verifyApp } from './verify';
import { importCompose } from '../importer/compose';
import { ImportReport, ImportResult, importCopilot } from '../importer/copilot';
import { ImportError } from '../importer/source';

const USAGE = `Usage:
  cdk-shipyard import copilot <workspace-dir> --out <dir> [--production <env>[,<env>...]]
                              [--env <env>[,...]] [--service <name>[,...]] [--strict] [--no-verify]
  cdk-shipyard import compose <compose-file> --out <dir> [--production] [--profile <name>[,...]]
                              [--env-file <file>] [--service <name>[,...]] [--strict] [--no-verify]
  cdk-shipyard picture [<cloud-assembly-dir>] --out <dir>
  cdk-shipyard report [<cloud-assembly-dir>] [--json] [--compare <old-cloud-assembly-dir>] [--region <region>]

import writes <dir>/app.ts, a CDK app that uses cdk-shipyard, from a Copilot workspace (the directory
that holds copilot/) or a Compose file. Copilot environments whose name contains "prod" get the
production profile unless --production names them; a Compose file becomes one environment,
production with --production. Compose variables come from the shell and the .env file beside
the Compose file (or --env-file), as in Compose.

A manifest or service that cannot be imported is left out and listed with its file, line and
reason; the others are written. The app is then synthesized once, offline (with ts-node, from
the project or beside this tool), so that a value the library refuses is reported now with the
line of the file that sets it; --no-verify skips that. Exit codes: 0 the app was written (with
anything left out listed) and synthesizes; 1 nothing could be imported, --strict and something
was left out (then nothing is written), or the app was written and does not synthesize (each
failing check listed with its source line); 2 the command line is wrong.

picture reads a synthesized app (the directory \`cdk synth\` writes, cdk.out by default, stages
included) and writes <dir>/<stack artifact id>.dot, one picture of each stack's resources by
construct, and <dir>/traffic.dot, the app's traffic: internet or VPC, load balancers, listeners
and rules, ECS services (with their alarm counts) and what each reaches (other services,
queues, topics, file systems, databases). It also writes each as .svg where Graphviz's dot is
on PATH. It works on any CDK or CloudFormation app with ECS services. Exit codes: 0 written;
1 the directory is not a cloud assembly or a template is not CloudFormation JSON; 2 the
command line is wrong.

report reads a synthesized app (cdk.out by default, stages included) and prints, per stack:
the resources it creates by type and its headroom under CloudFormation's quotas; modeled deploy
times (first create, a new image, adding each service), each with its critical path and which
figures are estimates; each workload's alarms (what pages, what rolls a deployment back); the
acknowledged cdk-nag and cfn-guard findings with their reasons; the CDK warnings; and an
estimated fixed monthly cost at list prices for the stack's region (--region <region> prices
environment-agnostic stacks). --json prints the same as JSON for CI; --compare <old-dir> prints
what changed since the old assembly (resources, deploy times, alarms, cost, acknowledgements,
warnings). Offline; no AWS credentials.
Exit codes: 0 printed; 1 a directory is not a cloud assembly or a template is not
CloudFormation JSON; 2 the command line is wrong.`;

/** The command line, read: what to import, from where, into where, and the other options. */
interface Command {
  readonly kind: 'copilot' | 'compose';
  readonly source: string;
  readonly out: string;
  /** The options after the source, as given. */
  readonly rest: string[];
}

/** Run the command line; returns the exit code. */
export function main(argv: string[], log: (line: string) => void = console.log, error: (line: string) => void = console.error): number {
  if (argv[0] === 'picture') return picture(argv.slice(1), log, error, USAGE);
  if (argv[0] === 'report') return reportCommand(argv.slice(1), log, error, USAGE);
  const command = parse(argv, error);
  if (typeof command === 'number') return command;
  const { kind, out, rest } = command;
  let result: ImportResult;
  try {
    result = runImport(command);
  } catch (e) {
    if (e instanceof ImportError) {
      error(`cdk-shipyard import: ${e.message}`);
      return 1;
    }
    error(`cdk-shipyard import: the importer failed on this input (${(e as Error).message}). This is a bug: please report it with the file.`);
    return 70;
  }
  const report = result.report;
  warn(report, error);
  const strictFailure = rest.includes('--strict') && report.skipped.some(s => !/^not named by --/.test(s.reason));
  if (strictFailure) {
    error(`cdk-shipyard import: --strict: ${report.skipped.length} left out; nothing written`);
    return 1;
  }
  fs.mkdirSync(out, { recursive: true });
  for (const [name, content] of Object.entries(result.files)) fs.writeFileSync(path.join(out, name), content);
  log(`Wrote ${Object.keys(result.files).map(f => path.join(out, f)).join(', ')}.`);
  log(`Workloads: ${report.imported.length} imported${report.skipped.length > 0 ? `, ${report.skipped.length} left out (listed above)` : ''}.`);
  log(`Fields: ${result.mapped} mapped, ${result.partial} partial, ${result.unmapped} unmapped (each partial or unmapped field is a TODO(${kind}) comment).`);
  return rest.includes('--no-verify') ? 0 : verified(path.join(out, 'app.ts'), report, log, error);
}

/** Synthesize the written app and say what failed, at its source; the exit code. */
function verified(appFile: string, report: ImportReport, log: (line: string) => void, error: (line: string) => void): number {
  const { skipped, problems } = verifyApp(appFile, report);
  if (skipped) {
    log(`Not synthesized here: ${skipped}.`);
    return 0;
  }
  if (problems.length === 0) {
    log('The app synthesizes.');
    return 0;
  }
  for (const p of problems) error(`does not synthesize: ${p}`);
  error(`cdk-shipyard import: ${appFile} is written, and does not synthesize: change the source lines above (or the app), then run the import or \`cdk synth\` again`);
  return 1;
}

/** The command line as a Command, or the exit code (2) after saying what is wrong with it. */
function parse(argv: string[], error: (line: string) => void): Command | number {
  const [command, kind, source, ...rest] = argv;
  if (command !== 'import' || (kind !== 'copilot' && kind !== 'compose') || !source || source.startsWith('--')) {
    error(USAGE);
    return 2;
  }
  const valued = ['--out', '--production', '--env', '--service', '--profile', '--env-file'];
  const flags = ['--strict', '--no-verify', ...(kind === 'compose' ? ['--production'] : [])];
  for (let i = 0; i < rest.length; i++) {
    if (flags.includes(rest[i])) continue;
    if (valued.includes(rest[i]) && rest[i + 1] !== undefined && !rest[i + 1].startsWith('--')) { i++; continue; }
    error(`${valued.includes(rest[i]) ? `${rest[i]} needs a value` : `unknown option ${rest[i]}`}\n\n${USAGE}`);
    return 2;
  }
  const out = option(rest, '--out');
  if (!out) {
    error(`--out <dir> is missing\n\n${USAGE}`);
    return 2;
  }
  return { kind, source, out, rest };
}

/** The value after an option, if it is given. */
function option(rest: string[], name: string): string | undefined {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
}

/** A comma-separated option as a list. */
function listOption(rest: string[], name: string): string[] | undefined {
  return option(rest, name)?.split(',').map(s => s.trim()).filter(s => s);
}

/** The import the command names, with the shell's variables. */
function runImport({ kind, source, out, rest }: Command): ImportResult {
  const envFile = option(rest, '--env-file');
  return kind === 'copilot'
    ? importCopilot({
      workspace: path.resolve(source),
      outDir: path.resolve(out),
      productionEnvironments: listOption(rest, '--production'),
      environment: process.env,
      environments: listOption(rest, '--env'),
      workloads: listOption(rest, '--service'),
    })
    : importCompose({
      file: path.resolve(source),
      outDir: path.resolve(out),
      production: rest.includes('--production'),
      environment: process.env,
      profiles: listOption(rest, '--profile'),
      envFile: envFile && path.resolve(envFile),
      services: listOption(rest, '--service'),
    });
}

/** What was left out, the warnings, and the variables the app reads when it synthesizes, on stderr. */
function warn(report: ImportReport, error: (line: string) => void): void {
  for (const s of report.skipped) error(`left out ${s.name}: ${s.reason.startsWith(s.file) ? s.reason : `${s.file}${s.line ? `:${s.line}` : ''}: ${s.reason}`}`);
  for (const w of report.warnings) error(`warning: ${w}`);
  const unset = [...new Set(report.variables.filter(v => v.source === undefined && v.fallback === undefined).map(v => v.name))];
  if (unset.length > 0) error(`warning: variables not set at import (the app reads them from process.env when it synthesizes): ${unset.join(', ')}`);
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
