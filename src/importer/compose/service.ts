/**
 * One Compose service as a workload function: each section of the service's fields is a small
 * function that adds props, TODOs and statements to a `ServiceMapping`, in the order the props
 * depend on each other (a store's one task before an explicit count, the task's service-only
 * props removed last). The sections live in rooms beside this file: service-image,
 * service-variables, service-container, service-scale and service-volumes.
 */
import { Service } from './analyse';
import { mapIdentity, mapRestart, mapLinux, mapHealthCheck } from './service-container';
import { mapImage, mapPlatform, mapPorts, mapImageNeeds, mapCommand } from './service-image';
import { mapSize, mapRolling, mapAwsExtensions, mapCount } from './service-scale';
import { mapEnvironment, mapEnvFiles, mapSecrets } from './service-variables';
import { mapVolumes } from './service-volumes';
import { code, pascal, quote, render } from '../code';
import { WorkloadPropsModel } from '../model';
import { FieldFate, FieldPath, show, YamlFile } from '../source';

/** What every service of the file shares. */
export interface FileMapping {
  readonly f: YamlFile;
  /** The file's name, for comments. */
  readonly display: string;
  readonly sourceDir: string;
  readonly services: Service[];
  /** The named volumes' file systems, as code, by volume name (a section may add one). */
  readonly fileSystems: { [volume: string]: string };
  /** External secrets' ARNs by secret name. */
  readonly secretArns: { [secret: string]: string };
  /** x-aws-logs_retention, in days. */
  readonly retention?: number;
}

/** One service's mapping under way: its props, its TODOs and the statements after its construct. */
export class ServiceMapping {
  public readonly props: WorkloadPropsModel = { environment: code('environment') };
  public readonly todos: string[] = [];
  public readonly after: string[] = [];
  /** The Compose file. */
  public readonly f: YamlFile;

  constructor(public readonly file: FileMapping, public readonly s: Service) {
    this.f = file.f;
  }

  /** A field of the service. */
  public readonly at = (...rest: Array<string | number>): FieldPath => ['services', this.s.name, ...rest];

  /** Mark a field partial and say what a person must do. */
  public readonly todo = (p: FieldPath, what: string): void => {
    this.f.mark(p, FieldFate.PARTIAL);
    this.todos.push(`TODO(compose): ${show(p)} (line ${this.f.line(p)}): ${what}`);
  };
}

/** The workload function of one service. */
export function serviceFunction(file: FileMapping, s: Service, name: string): string {
  const c = new ServiceMapping(file, s);
  for (const section of SECTIONS) section(c);
  // A task runs once: it has no count, deployment or scaling.
  if (s.construct === 'StandaloneTask') for (const k of ['desiredCount', 'deployment', 'scaling'] as const) delete c.props[k];
  const construct = `new ${s.construct}(stack, ${quote(pascal(s.name))}, ${render(c.props, '  ')})`;
  return [
    `/** Service ${s.name} (${file.display}). */`,
    `function ${name}(stack: Stack, environment: Environment, fileSystems: FileSystems): ${s.construct} {`,
    ...c.todos.map(t => `  // ${t}`),
    ...(c.after.length > 0 ? [`  const workload = ${construct};`, ...c.after, '  return workload;'] : [`  return ${construct};`]),
    '}',
    '',
  ].join('\n');
}

/** The sections in the order their props depend on each other. */
const SECTIONS: Array<(c: ServiceMapping) => void> = [
  mapImage, mapPlatform, mapPorts, mapImageNeeds, mapCommand, mapEnvironment, mapEnvFiles, mapSecrets, mapIdentity, mapRestart, mapLinux,
  mapHealthCheck, mapSize, mapRolling, mapAwsExtensions, mapCount, mapVolumes,
];
