/** The command line: what it writes, what it says about what it left out, and its exit codes. */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { ROOT } from '../importer/harness';

function workspace(manifests: { [dir: string]: string }): string {
  const dir = fs.mkdtempSync(path.join(ROOT, '.import-cli-'));
  fs.mkdirSync(path.join(dir, 'copilot', 'environments', 'test'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'copilot', 'environments', 'test', 'manifest.yml'), 'name: test\ntype: Environment\n');
  for (const [name, text] of Object.entries(manifests)) {
    fs.mkdirSync(path.join(dir, 'copilot', name));
    fs.writeFileSync(path.join(dir, 'copilot', name, 'manifest.yml'), text);
  }
  return dir;
}

const GOOD = 'name: api\ntype: Backend Service\nimage:\n  location: public.ecr.aws/nginx/nginx:1.27\n  port: 8080\n';
const NO_IMAGE = 'name: broken\ntype: Backend Service\nimage:\n  port: 80\n';

describe('cdk-shipyard import', () => {
  test('writes the app with what it could import, lists what it left out with file, line and reason, and exits 0', () => {
    const ws = workspace({ api: GOOD, broken: NO_IMAGE });
    try {
      const out: string[] = [];
      const err: string[] = [];
      // A relative --out, as people type it.
      expect(main(['import', 'copilot', ws, '--out', path.relative(process.cwd(), path.join(ws, 'out'))], l => out.push(l), l => err.push(l))).toBe(0);
      expect(fs.existsSync(path.join(ws, 'out', 'app.ts'))).toBe(true);
      expect(err).toEqual([expect.stringMatching(/^left out broken: copilot\/broken\/manifest\.yml:4: has neither image\.build nor image\.location: Copilot rejects it too/)]);
      expect(out.join('\n')).toContain('Workloads: 1 imported, 1 left out (listed above).');
      expect(out[out.length - 1]).toBe('The app synthesizes.');
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  test('synthesizes the app it wrote, and exits 1 naming the source line when the library refuses a value there', () => {
    const ws = workspace({ api: GOOD.replace('nginx/nginx', 'Nginx/nginx') });
    try {
      const out: string[] = [];
      const err: string[] = [];
      expect(main(['import', 'copilot', ws, '--out', path.join(ws, 'out')], l => out.push(l), l => err.push(l))).toBe(1);
      expect(fs.existsSync(path.join(ws, 'out', 'app.ts'))).toBe(true);
      expect(err[0]).toMatch(/^does not synthesize: copilot\/api\/manifest\.yml:1: api: \[cdk-shipyard:IMAGE\] .*image reference "public\.ecr\.aws\/Nginx\/nginx:1\.27" is not valid/);
      expect(err[err.length - 1]).toMatch(/app\.ts is written, and does not synthesize: change the source lines above/);
      // --no-verify writes it and says nothing of it.
      expect(main(['import', 'copilot', ws, '--out', path.join(ws, 'out2'), '--no-verify'], () => undefined, () => undefined)).toBe(0);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  test('a failure that is not a check of the library is reported by its error line, not by the stack trace\'s tail', () => {
    // The image's build directory is missing: aws-cdk-lib refuses the asset, with a stack trace.
    const ws = workspace({ api: 'name: api\ntype: Backend Service\nimage:\n  build: ./missing\n  port: 8080\n' });
    try {
      const err: string[] = [];
      expect(main(['import', 'copilot', ws, '--out', path.join(ws, 'out')], () => undefined, l => err.push(l))).toBe(1);
      expect(err[0]).toMatch(/^does not synthesize: .*Cannot find (image directory|file) at .*missing/);
      expect(err.join('\n')).not.toMatch(/^\s+at /m);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  test('--strict exits 1 and writes nothing when anything was left out', () => {
    const ws = workspace({ api: GOOD, broken: NO_IMAGE });
    try {
      const err: string[] = [];
      expect(main(['import', 'copilot', ws, '--out', path.join(ws, 'out'), '--strict'], () => undefined, l => err.push(l))).toBe(1);
      expect(fs.existsSync(path.join(ws, 'out'))).toBe(false);
      expect(err[err.length - 1]).toMatch(/--strict: 1 left out; nothing written/);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  test('--service narrows the import, and what it leaves out that way does not fail --strict', () => {
    const ws = workspace({ api: GOOD, other: GOOD.replace('name: api', 'name: other') });
    try {
      expect(main(['import', 'copilot', ws, '--out', path.join(ws, 'out'), '--service', 'api', '--strict'], () => undefined, () => undefined)).toBe(0);
      const app = fs.readFileSync(path.join(ws, 'out', 'app.ts'), 'utf8');
      expect(app).toContain("new BackendService(stack, 'Api'");
      expect(app).not.toContain("'Other'");
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  test('exits 1 with every reason when nothing can be imported', () => {
    const ws = workspace({ broken: NO_IMAGE });
    try {
      const err: string[] = [];
      expect(main(['import', 'copilot', ws, '--out', path.join(ws, 'out')], () => undefined, l => err.push(l))).toBe(1);
      expect(err[0]).toMatch(/no workload could be imported:\n {2}copilot\/broken\/manifest\.yml:4: has neither image\.build nor image\.location/);
      expect(fs.existsSync(path.join(ws, 'out'))).toBe(false);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  test.each([
    [['import', 'compose', 'x.yml', '--out'], /--out needs a value/],
    [['import', 'compose', 'x.yml', '--out', 'o', '--verbose'], /unknown option --verbose/],
    [['import', 'copilot', '--out', 'o'], /Usage:/],
    [['export', 'copilot', 'x'], /Usage:/],
  ])('exits 2 on a command line it cannot read: %j', (argv, message) => {
    const err: string[] = [];
    expect(main(argv, () => undefined, l => err.push(l))).toBe(2);
    expect(err.join('\n')).toMatch(message);
  });
});
