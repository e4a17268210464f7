/**
 * `cdk-shipyard picture [<cloud-assembly-dir>] --out <dir>`: one picture per stack of a
 * synthesized app and one traffic view of the whole app, in Graphviz's dot language, and as SVG
 * where Graphviz is installed. The same assembly gives byte-identical files.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PictureError, readAssembly, StackTemplate } from './assembly';
import { dotOf } from './stack-picture';
import { trafficDot } from './traffic';

/** How to get the `dot` program, said when it is missing. */
export const INSTALL_GRAPHVIZ = 'install Graphviz for the .svg files (apt-get install graphviz, brew install graphviz, or https://graphviz.org/download/)';

/** The command line after `picture`, read: the assembly and the output directory, or the exit code (2) after saying what is wrong. */
function parse(argv: string[], error: (line: string) => void, usage: string): { source: string; out: string } | number {
  const positional: string[] = [];
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') {
      out = argv[++i];
      if (out === undefined || out.startsWith('--')) { error(`--out needs a value\n\n${usage}`); return 2; }
    } else if (arg.startsWith('-')) {
      error(`unknown option ${arg}\n\n${usage}`);
      return 2;
    } else {
      positional.push(arg);
    }
  }
  if (positional.length > 1) { error(`unexpected argument ${positional[1]}: picture reads one cloud assembly\n\n${usage}`); return 2; }
  if (!out) { error(`--out <dir> is missing\n\n${usage}`); return 2; }
  return { source: positional[0] ?? 'cdk.out', out };
}

/** The pictures of an assembly's stacks and of its traffic, by file name (without extension). */
export function picturesOf(stacks: StackTemplate[]): Map<string, string> {
  const pictures = new Map<string, string>();
  for (const stack of stacks) {
    const name = pictures.has(stack.id) ? `${path.dirname(stack.file).replace(/[\\/]/g, '-')}-${stack.id}` : stack.id;
    // The stack picture groups by the construct under the stack: its paths start at the stack.
    const stackName = stack.displayName.split('/').pop()!;
    const paths = new Map([...stack.paths].map(([id, p]) => [id, p.startsWith(`${stack.displayName}/`) ? `${stackName}/${p.slice(stack.displayName.length + 1)}` : p]));
    pictures.set(name, dotOf(stack.displayName, stack.template, paths));
  }
  pictures.set(pictures.has('traffic') ? 'app-traffic' : 'traffic', trafficDot(stacks));
  return pictures;
}

/** Run `picture` with the arguments after it; the exit code. */
export function picture(argv: string[], log: (line: string) => void, error: (line: string) => void, usage: string): number {
  const command = parse(argv, error, usage);
  if (typeof command === 'number') return command;
  let pictures: Map<string, string>;
  try {
    pictures = picturesOf(readAssembly(command.source));
  } catch (e) {
    if (e instanceof PictureError) {
      error(`cdk-shipyard picture: ${e.message}`);
      return 1;
    }
    error(`cdk-shipyard picture: drawing failed on this assembly (${(e as Error).message}). This is a bug: please report it with the templates.`);
    return 70;
  }
  return write(pictures, command.out, log, error);
}

/** Write each picture's .dot, and its .svg where `dot` runs; the exit code. */
function write(pictures: Map<string, string>, out: string, log: (line: string) => void, error: (line: string) => void): number {
  // process.env given explicitly: the PATH of this process as it is now (a test may have changed it).
  const graphviz = spawnSync('dot', ['-V'], { env: process.env }).status === 0;
  try {
    fs.mkdirSync(out, { recursive: true });
    for (const [name, source] of pictures) {
      fs.writeFileSync(path.join(out, `${name}.dot`), source);
      if (!graphviz) continue;
      const svg = spawnSync('dot', ['-Tsvg'], { input: source, env: process.env, maxBuffer: 256 * 1024 * 1024 });
      if (svg.status !== 0) {
        error(`cdk-shipyard picture: Graphviz's dot failed on ${path.join(out, `${name}.dot`)} (${String(svg.stderr).trim().split('\n')[0]}): the .dot is written; run \`dot -Tsvg\` on it to see why`);
        return 1;
      }
      fs.writeFileSync(path.join(out, `${name}.svg`), svg.stdout);
    }
  } catch (e) {
    error(`cdk-shipyard picture: cannot write to ${out} (${(e as Error).message.split('\n')[0]}): name a directory you can write with --out`);
    return 1;
  }
  log(`Wrote ${pictures.size} pictures to ${out}: ${[...pictures.keys()].map(n => `${n}.dot`).join(', ')}${graphviz ? ', each with its .svg' : ''}.`);
  if (!graphviz) log(`Wrote .dot only: Graphviz's dot is not on PATH; ${INSTALL_GRAPHVIZ}.`);
  return 0;
}
