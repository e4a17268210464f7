// A Compose service's variables: environment (read again at synth where it read a variable,
// AWS credentials left out), env_file as S3 assets, and secrets from Secrets Manager.

import * as fs from 'fs';
import * as path from 'path';
import type { ServiceMapping } from './service';
import { isForbiddenPlainVariable } from '../../guardrails/checks';
import { Code, code, pascal, quote, secretCode } from '../code';
import { processEnvCode, parseInterpolation } from '../interpolate';

/** Variables: a value read from a variable is read again when the app synthesizes; AWS credentials are left out. */
export function mapEnvironment(c: ServiceMapping): void {
  const { f, at, props, todo } = c;
  if (f.has(at('environment'))) {
    const vars: { [k: string]: string | Code } = {};
    if (f.kind(at('environment')) === 'list') {
      for (let i = 0; i < f.length(at('environment')); i++) {
        const entry = f.text(at('environment', i))!;
        const eq = entry.indexOf('=');
        const raw = f.raw(at('environment', i));
        if (eq < 0) todo(at('environment', i), `${entry} takes its value from the shell that runs Compose: give it a value`);
        else vars[entry.slice(0, eq)] = raw !== undefined && raw.indexOf('=') >= 0 ? code(processEnvCode(parseInterpolation(raw.slice(raw.indexOf('=') + 1)))) : entry.slice(eq + 1);
      }
    } else {
      for (const k of f.keys(at('environment'))) {
        const v = f.value(at('environment', k));
        const raw = f.raw(at('environment', k));
        // A value from a variable is read when the app synthesizes, with the file's default.
        vars[k] = raw !== undefined ? code(processEnvCode(parseInterpolation(raw))) : v === null || v === undefined ? '' : String(v);
      }
    }
    f.mark(at('environment'));
    for (const name of Object.keys(vars).filter(isForbiddenPlainVariable)) {
      delete vars[name];
      todo(at('environment'), `${name} is an AWS credential, which a task never holds in plain text: grant the task role (workload.taskRole) what it is for, or pass it as a secret`);
    }
    props.environmentVariables = vars;
  }
}

/** env_file: uploaded as S3 assets; a file that is not there is left out with a TODO. */
export function mapEnvFiles(c: ServiceMapping): void {
  const { f, at, props, todo } = c;
  if (f.has(at('env_file'))) {
    // Uploaded with the app as an S3 asset; ECS reads VAR=VALUE lines (no quotes or interpolation).
    const files = f.kind(at('env_file')) === 'list'
      ? Array.from({ length: f.length(at('env_file')) }, (_, i) => f.kind(at('env_file', i)) === 'map' ? f.str(at('env_file', i, 'path'))! : f.str(at('env_file', i))!)
      : [f.str(at('env_file'))!];
    f.mark(at('env_file'));
    // A file that is not there (a .env the project's README says to create) is left out: the app would not synthesize.
    const present = files.filter(file => fs.existsSync(path.join(c.file.sourceDir, file)));
    if (present.length < files.length) {
      todo(at('env_file'), `${files.filter(x => !present.includes(x)).join(', ')} did not exist at import: create ${files.length - present.length > 1 ? 'them' : 'it'} and add ecs.EnvironmentFile.fromAsset(...) to environmentFiles`);
    }
    // ECS reads only files named *.env; an asset keeps its source's extension (a `.env` dotfile has
    // none), so any other name goes through envFile(), which uploads a copy named *.env.
    if (present.length > 0) {
      props.environmentFiles = present.map(file => code(path.extname(file) === '.env'
        ? `ecs.EnvironmentFile.fromAsset(path.join(SOURCE, ${quote(file)}))` : `envFile(path.join(SOURCE, ${quote(file)}))`));
    }
  }
}

/** secrets: an external Secrets Manager secret is a variable; a file is a TODO. */
export function mapSecrets(c: ServiceMapping): void {
  const { f, s, at, props, todo } = c;
  if (f.has(at('secrets'))) {
    const secrets: { [name: string]: Code } = {};
    for (let i = 0; i < f.length(at('secrets')); i++) {
      const source = f.kind(at('secrets', i)) === 'map' ? f.str(at('secrets', i, 'source'))! : f.str(at('secrets', i))!;
      const arn = c.file.secretArns[source];
      if (arn === undefined) {
        todo(at('secrets', i), `${source} is a file: store it in Secrets Manager (external: true, name: its ARN) and import again`);
        continue;
      }
      const variable = source.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
      secrets[variable] = code(`ecs.Secret.fromSecretsManager(${secretCode(arn, `${pascal(s.name)}${pascal(source)}Secret`)})`);
      todo(at('secrets', i), `the app read /run/secrets/${source}; ECS gives the value in the variable ${variable}`);
    }
    if (Object.keys(secrets).length > 0) props.secrets = secrets;
  }
}
