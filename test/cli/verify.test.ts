/**
 * The importer's check runs the app it wrote as the user's project will: with tsx (what `cdk init`
 * writes today) or ts-node, in a project whose own tsconfig.json it cannot count on. The check is
 * the compiled one (lib/, built before the tests), as users get it from npm: it runs the app
 * against the library's JavaScript, as an installed cdk-shipyard does.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TypeScriptRunner, verifyApp } from '../../lib/cli/verify';
import { importComposeText, ROOT } from '../importer/harness';

/**
 * Run `check` in a project outside the repository (no tsconfig.json above it, unless `tsconfig`
 * is given), its node_modules the repository's, with `app` written as its app.ts.
 */
function inBareProject(app: string, check: (appFile: string) => void, tsconfig?: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-verify-'));
  try {
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    if (tsconfig) fs.copyFileSync(tsconfig, path.join(dir, 'tsconfig.json'));
    const appFile = path.join(dir, 'app.ts');
    fs.writeFileSync(appFile, app);
    check(appFile);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('verifyApp', () => {
  const imported = importComposeText('services:\n  web:\n    image: nginx:1.27\n    ports: ["80:8080"]\n    cap_add: [SYS_PTRACE]\n');

  test.each([TypeScriptRunner.TSX, TypeScriptRunner.TS_NODE])('with %s, in a project with no tsconfig.json, the app it wrote synthesizes', runner => {
    // TypeScript 6 (the repository's) reports CommonJS's implied node10 resolution as deprecated
    // (TS5107) unless told to ignore it: the check must not fail a good app on that.
    inBareProject(imported.files['app.ts'], appFile => expect(verifyApp(appFile, imported.report, [runner])).toEqual({ problems: [] }));
  });

  // The tsconfig.json `cdk init app --language typescript` writes (module and moduleResolution
  // NodeNext), read from the aws-cdk CLI this repository installs.
  const initTsconfig = path.join(path.dirname(require.resolve('aws-cdk/package.json')), 'lib', 'init-templates', 'app', 'typescript', 'tsconfig.json');

  test.each([TypeScriptRunner.TSX, TypeScriptRunner.TS_NODE])('with %s, in a project with the tsconfig.json cdk init writes, the app synthesizes', runner => {
    expect(JSON.parse(fs.readFileSync(initTsconfig, 'utf8')).compilerOptions.module).toBe('NodeNext');
    inBareProject(imported.files['app.ts'], appFile => expect(verifyApp(appFile, imported.report, [runner])).toEqual({ problems: [] }), initTsconfig);
  });

  test('a value the library refuses is reported, by either runner', () => {
    const bad = importComposeText('services:\n  web:\n    image: nginx:1.27\n    ports: ["80:8080"]\n');
    inBareProject(bad.files['app.ts'].replace("Image.fromRegistry('nginx:1.27')", "Image.fromRegistry('Nginx:1.27')"), appFile => {
      for (const runner of [TypeScriptRunner.TSX, TypeScriptRunner.TS_NODE]) {
        expect(verifyApp(appFile, bad.report, [runner]).problems.join('\n')).toMatch(/cdk-shipyard:IMAGE/);
      }
    });
  });
});
