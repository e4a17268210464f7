/**
 * The README and the docs/ pages stay true: every relative link and anchor resolves, and every
 * TypeScript snippet in docs/ type-checks against the library (the README's snippets are
 * compiled by jsii-rosetta in post-compile, with the same fixture).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const PAGES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`),
  ...fs.readdirSync(path.join(ROOT, 'docs', 'adr')).filter(f => f.endsWith('.md')).map(f => `docs/adr/${f}`)];

/** GitHub's anchor for a heading. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.*)$/gm)].map(m => anchor(m[1])));
}

describe('documentation', () => {
  test('the README stays short: reference material lives in docs/', () => {
    expect(fs.statSync(path.join(ROOT, 'README.md')).size).toBeLessThan(25 * 1024);
  });

  test('every relative link and anchor in the README and docs/ resolves', () => {
    const broken: string[] = [];
    let links = 0;
    for (const page of PAGES) {
      const text = fs.readFileSync(path.join(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:)/.test(target)) continue;
        links++;
        const [file, hash] = target.split('#');
        const resolved = file ? path.normalize(path.join(path.dirname(page), file)) : page;
        if (!fs.existsSync(path.join(ROOT, resolved))) { broken.push(`${page}: ${target} (no ${resolved})`); continue; }
        if (hash && resolved.endsWith('.md') && !anchorsOf(resolved).has(hash)) broken.push(`${page}: ${target} (no heading #${hash})`);
      }
    }
    expect(links).toBeGreaterThan(40);
    expect(broken).toEqual([]);
  });

  test('every TypeScript snippet in docs/ type-checks against the library', () => {
    const fixture = fs.readFileSync(path.join(ROOT, 'rosetta', 'default.ts-fixture'), 'utf8');
    const dir = fs.mkdtempSync(path.join(ROOT, '.docs-snippets-'));
    try {
      const files: string[] = [];
      for (const page of PAGES.filter(p => p.startsWith('docs/'))) {
        const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
        // Fences indented inside list items count too: their indent is taken off each line.
        [...text.matchAll(/^( *)```ts( nofixture)?\n([\s\S]*?)^\1```/gm)].forEach((m, i) => {
          const indent = m[1];
          const snippet = m[3].split('\n').map(l => l.startsWith(indent) ? l.slice(indent.length) : l).join('\n');
          // As jsii-rosetta does: `declare` lines go to the top level, the rest into the fixture's body.
          const lines = snippet.split('\n');
          const declared = lines.filter(l => l.startsWith('declare ')).join('\n');
          const body = lines.filter(l => !l.startsWith('declare ')).join('\n');
          const source = m[2] ? snippet : fixture.replace('class Fixture', `${declared}\nclass Fixture`).replace('/// here', body);
          const file = path.join(dir, `${path.basename(page, '.md')}-${i}.ts`);
          fs.writeFileSync(file, source.replace(/from 'cdk-shipyard'/g, `from '${path.relative(dir, path.join(ROOT, 'src')).split(path.sep).join('/')}'`));
          files.push(file);
        });
      }
      expect(files.length).toBeGreaterThan(15);
      const program = ts.createProgram(files, {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2020,
        module: ts.ModuleKind.CommonJS,
        esModuleInterop: true,
        skipLibCheck: true,
        noUnusedLocals: false,
        experimentalDecorators: true,
      });
      const errors = ts.getPreEmitDiagnostics(program)
        .filter(d => d.file && files.includes(path.normalize(d.file.fileName)))
        .map(d => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
      expect(errors).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
