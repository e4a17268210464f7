/** Reading a workspace as Copilot reads it: the manifest's type, its image, `${VAR}`, the application's name. */
import * as fs from 'fs';
import * as path from 'path';
import { isMap } from 'yaml';
import { pascal } from '../code';
import { Workload } from './mapper';
import { VariableUse } from '../interpolate';
import { ImportError, overlayMaps, show, YamlFile } from '../source';

/** Workload types Copilot has that no construct here runs, and what to do instead. */
export const UNSUPPORTED_TYPES: { [type: string]: string } = {
  'Request-Driven Web Service': 'it runs on AWS App Runner, which the library does not deploy: import it as a WebService by hand (its image, port and variables carry over), or keep it on App Runner',
  'Static Site': 'it is an S3 bucket behind CloudFront, not a container: deploy it with aws-s3-deployment and a CloudFront distribution',
};

/** A workload the mapper understands, and the construct it becomes. */
export const WORKLOAD_TYPES: { [type: string]: string } = {
  'Load Balanced Web Service': 'WebService',
  'Backend Service': 'BackendService',
  'Worker Service': 'WorkerService',
  'Scheduled Job': 'ScheduledJob',
};

/**
 * A workload manifest, read and checked as Copilot checks it: a type, and an image to build or
 * pull (Copilot: "must specify one of image.build or image.location").
 */
export function readWorkload(manifest: string, relFile: string, dir: string, ctx: InterpolationContext): Workload {
  const file = YamlFile.read(manifest, relFile);
  const type = file.str(['type']);
  if (type === undefined) throw file.error(['type'], 'has no type: expected one of ' + Object.keys(WORKLOAD_TYPES).join(', '));
  if (UNSUPPORTED_TYPES[type]) throw file.error(['type'], `${type}: ${UNSUPPORTED_TYPES[type]}`);
  if (!WORKLOAD_TYPES[type]) {
    throw file.error(['type'], `type ${JSON.stringify(type)} is not a Copilot workload type: expected one of ${Object.keys(WORKLOAD_TYPES).join(', ')}`);
  }
  const name = file.str(['name']) ?? dir;
  interpolateManifest(file, { ...ctx, workload: name });
  const hasImage = file.kind(['image']) === 'map' && (file.has(['image', 'build']) || file.has(['image', 'location']));
  const overridden = file.keys(['environments']).some(e => file.kind(['environments', e, 'image']) === 'map'
    && (file.has(['environments', e, 'image', 'build']) || file.has(['environments', e, 'image', 'location'])));
  if (!hasImage && !overridden) throw file.error(['image'], 'has neither image.build nor image.location: Copilot rejects it too ("must specify one of image.build or image.location")');
  file.mark(['type']);
  file.mark(['name']);
  mergeCountOverrides(file);
  const publishes = Array.from({ length: file.length(['publish', 'topics']) }, (_, i) => file.str(['publish', 'topics', i, 'name'])!);
  return { name, type, construct: construct(file, type), file, relFile, publishes, rootTakenBy: {} };
}

/**
 * Copilot merges an environment's override into the manifest map by map (lists replaced), then
 * reads the result: `environments.prod.count: {range: 2-10}` keeps the base's targets and
 * cooldowns. Props overlay the same way, except `count`, whose fields together make the
 * scaling and capacity props: an override's count map gets the base's count fields it does not
 * set, so that its mapping is whole.
 */
function mergeCountOverrides(file: YamlFile): void {
  const base = file.nodeAt(['count']);
  if (!isMap(base)) return;
  for (const env of file.keys(['environments'])) {
    const over = file.nodeAt(['environments', env, 'count']);
    if (isMap(over)) file.setNode(['environments', env, 'count'], overlayMaps(base, over));
  }
}

/** What `${VAR}` in a manifest resolves against. */
export interface InterpolationContext {
  /** The application's name, for COPILOT_APPLICATION_NAME. */
  readonly app?: string;
  /** The environment of an environment manifest, for COPILOT_ENVIRONMENT_NAME. */
  readonly env?: string;
  readonly workload?: string;
  readonly shell: { [name: string]: string | undefined };
  readonly variables: VariableUse[];
}

/**
 * Copilot substitutes `${VAR}` in a manifest from the shell that deploys it, and gives
 * COPILOT_APPLICATION_NAME and COPILOT_ENVIRONMENT_NAME itself. Here the shell's value is used
 * when it has one; otherwise the text stays and the app reads the variable from `process.env`
 * when it synthesizes (`${COPILOT_ENVIRONMENT_NAME}` outside an environment's override becomes
 * the stage).
 */
export function interpolateManifest(f: YamlFile, ctx: InterpolationContext): void {
  f.interpolate((text, at, line) => {
    if (!/\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(text)) return undefined;
    const env = ctx.env ?? (at[0] === 'environments' && typeof at[1] === 'string' ? at[1] : undefined);
    return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
      const given = name === 'COPILOT_APPLICATION_NAME' ? ctx.app : name === 'COPILOT_ENVIRONMENT_NAME' ? env
        : name === 'COPILOT_SERVICE_NAME' ? ctx.workload : ctx.shell[name];
      // Where the value comes from: Copilot's own names from the workspace and the stage, the rest from the shell.
      const source = name === 'COPILOT_APPLICATION_NAME' ? 'copilot/.workspace'
        : name === 'COPILOT_ENVIRONMENT_NAME' ? (given !== undefined ? 'the environment' : 'the stage, when the app synthesizes')
          : name === 'COPILOT_SERVICE_NAME' ? 'the manifest'
            : name === 'COPILOT_LB_DNS' && given === undefined ? 'the environment\'s load balancer, when the app synthesizes'
              : given !== undefined ? 'the shell' : undefined;
      ctx.variables.push({ name, where: `${f.file}:${line ?? '?'} ${show(at)}`, required: true, source });
      return given ?? whole;
    });
  });
}

/** A Backend Service without `image.port` has nothing to publish: a BackgroundService. */
export function construct(file: YamlFile, type: string): string {
  // schedule: none is a job Copilot runs only when told to (copilot job run): a task nothing starts.
  if (type === 'Scheduled Job' && file.kind(['on', 'schedule']) === 'scalar' && file.str(['on', 'schedule']) === 'none') return 'StandaloneTask';
  if (type === 'Backend Service' && !file.has(['image', 'port'])) return 'BackgroundService';
  // A Backend Service with http sat behind the environment's internal load balancer: a WebService on an internal ingress.
  if (type === 'Backend Service' && file.kind(['http']) === 'map') return 'WebService';
  // A web service behind a network load balancer only is a NetworkService.
  if (type === 'Load Balanced Web Service' && file.has(['nlb']) && (!file.has(['http']) || file.value(['http']) === false)) return 'NetworkService';
  return WORKLOAD_TYPES[type];
}

/** The application's name from copilot/.workspace, as a stack-name prefix. */
export function appName(workspace: string): string {
  const name = rawAppName(workspace);
  return name === undefined ? 'Copilot' : pascal(name);
}

/** The application's name, or undefined when copilot/.workspace is missing or cannot be read. */
export function attemptName(workspace: string): string | undefined {
  try {
    return rawAppName(workspace);
  } catch (e) {
    if (e instanceof ImportError) return undefined;
    throw e;
  }
}

/** The application's name as Copilot wrote it in copilot/.workspace. */
export function rawAppName(workspace: string): string | undefined {
  const file = path.join(workspace, 'copilot', '.workspace');
  if (!fs.existsSync(file)) return undefined;
  const application = YamlFile.read(file).value(['application']);
  return typeof application === 'string' ? application : undefined;
}
