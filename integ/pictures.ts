/**
 * One architecture picture per integ scenario, drawn from its committed snapshot by the drawing
 * `cdk-shipyard picture` uses for each stack (src/cli/picture/stack-picture.ts): the template's
 * resources grouped by the construct that owns them (`aws:cdk:path`), one box per workload or
 * environment part, arrows where one refers to another (Ref, Fn::GetAtt). A workload's alarms
 * are one node, the VPC's subnets, routes and gateways one node, so the pictures stay legible.
 *
 *   npx projen pictures        # writes docs/pictures/<scenario>.dot, and .svg where Graphviz is installed
 *
 * The .dot files are checked against the snapshots in the test gate (test/pictures.test.ts).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { dotOf, pathsOf } from '../src/cli/picture/stack-picture';

export { dotOf, pathsOf };

const INTEG = path.join(__dirname);
export const PICTURES = path.join(__dirname, '..', 'docs', 'pictures');

/** Every scenario's pictures: docs/pictures/<scenario>.dot (one per stack of the scenario). */
export function scenarioPictures(): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of fs.readdirSync(INTEG).filter(d => d.endsWith('.ts.snapshot')).sort()) {
    const scenario = dir.replace(/^integ\./, '').replace(/\.ts\.snapshot$/, '');
    const stacks = fs.readdirSync(path.join(INTEG, dir)).filter(f => f.startsWith('ShipyardInteg') && f.endsWith('.template.json')).sort();
    stacks.forEach(file => {
      const stack = file.replace(/\.template\.json$/, '');
      const name = stacks.length === 1 ? scenario : `${scenario}-${stack.replace(/^ShipyardInteg/, '').toLowerCase()}`;
      const read = (f: string) => JSON.parse(fs.readFileSync(path.join(INTEG, dir, f), 'utf8'));
      const metadata = fs.existsSync(path.join(INTEG, dir, `${stack}.metadata.json`)) ? read(`${stack}.metadata.json`) : {};
      out.set(name, dotOf(`${scenario}: ${stack}`, read(file), pathsOf(metadata)));
    });
  }
  return out;
}

if (require.main === module) {
  fs.mkdirSync(PICTURES, { recursive: true });
  const dot = spawnSync('dot', ['-V']).status === 0;
  for (const [name, source] of scenarioPictures()) {
    fs.writeFileSync(path.join(PICTURES, `${name}.dot`), source);
    if (dot) {
      const svg = spawnSync('dot', ['-Tsvg'], { input: source });
      if (svg.status !== 0) throw new Error(`dot failed for ${name}: ${svg.stderr}`);
      fs.writeFileSync(path.join(PICTURES, `${name}.svg`), svg.stdout);
    }
  }
  process.stdout.write(dot ? 'wrote .dot and .svg\n' : 'wrote .dot only: install Graphviz (apt-get install graphviz) for the .svg files\n');
}
