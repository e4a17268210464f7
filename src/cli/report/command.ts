/**
 * `cdk-shipyard report [<cloud-assembly-dir>] [--json] [--compare <old-cloud-assembly-dir>] [--region <region>]`:
 * what each stack of a synthesized app creates, its quota headroom, its modeled deploy times,
 * each workload's alarms, the acknowledged findings and the warnings; or what changed since
 * another synthesis of the app. Offline: it reads the files `cdk synth` writes.
 */
import { compareReports, compareText } from './compare';
import { reportOf, StackReport } from './facts';
import { compareJson, reportJson } from './json';
import { textOf } from './text';
import { PictureError, readAssembly } from '../picture/assembly';

interface ReportCommand {
  readonly source: string;
  readonly json: boolean;
  readonly compare?: string;
  /** The region whose prices an environment-agnostic stack's cost is estimated at. */
  readonly region?: string;
}

/** The command line after `report`, read, or the exit code (2) after saying what is wrong. */
function parse(argv: string[], error: (line: string) => void, usage: string): ReportCommand | number {
  const positional: string[] = [];
  let json = false;
  let compare: string | undefined;
  let region: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') {
      json = true;
    } else if (arg === '--region') {
      region = argv[++i];
      if (region === undefined || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
        error(`--region needs a region name, such as us-east-1 (the prices an environment-agnostic stack is estimated at)\n\n${usage}`);
        return 2;
      }
    } else if (arg === '--compare') {
      compare = argv[++i];
      if (compare === undefined || compare.startsWith('--')) { error(`--compare needs a value: the cloud assembly to compare with (--compare <old-cdk.out>)\n\n${usage}`); return 2; }
    } else if (arg.startsWith('-')) {
      error(`unknown option ${arg}\n\n${usage}`);
      return 2;
    } else {
      positional.push(arg);
    }
  }
  if (positional.length > 1) { error(`unexpected argument ${positional[1]}: report reads one cloud assembly (name the other with --compare)\n\n${usage}`); return 2; }
  return { source: positional[0] ?? 'cdk.out', json, compare, region };
}

const HINT = 'cdk-shipyard report <dir> [--json] [--compare <old-dir>] [--region <region>]';

/** Run `report` with the arguments after it; the exit code. */
export function report(argv: string[], log: (line: string) => void, error: (line: string) => void, usage: string): number {
  const command = parse(argv, error, usage);
  if (typeof command === 'number') return command;
  let after: StackReport[];
  let before: StackReport[] | undefined;
  try {
    after = reportOf(readAssembly(command.source, HINT), command.region);
    before = command.compare !== undefined ? reportOf(readAssembly(command.compare, HINT), command.region) : undefined;
  } catch (e) {
    if (e instanceof PictureError) {
      error(`cdk-shipyard report: ${e.message}`);
      return 1;
    }
    error(`cdk-shipyard report: reading this assembly failed (${(e as Error).message}). This is a bug: please report it with the templates.`);
    return 70;
  }
  if (before && command.compare !== undefined) {
    const changes = compareReports(before, after);
    if (command.json) log(compareJson(command.compare, command.source, changes));
    else compareText(command.compare, command.source, changes).forEach(l => log(l));
    return 0;
  }
  if (command.json) log(reportJson(command.source, after));
  else textOf(after).forEach(l => log(l));
  return 0;
}
