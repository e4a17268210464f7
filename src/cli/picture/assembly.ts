/**
 * A synthesized cloud assembly (what `cdk synth` writes, `cdk.out` by default), read as the CDK
 * CLI reads it: `manifest.json`'s artifacts of type `aws:cloudformation:stack` and the
 * `templateFile` each names, and nested assemblies (stages, `cdk:cloud-assembly`) the same way.
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathsOf } from './stack-picture';

/** Bad input, said in one line: the path or value and the fix. */
export class PictureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PictureError';
  }
}

/** One stack of the assembly, with its template and the construct path of each resource. */
export interface StackTemplate {
  /** The stack's artifact id: the name of its picture. */
  readonly id: string;
  /** The stack's construct path (`Stack`, or `Stage/Stack` in a stage). */
  readonly displayName: string;
  /** The CloudFormation stack's name (what `Fn::GetStackOutput` names), the artifact id unless the manifest says otherwise. */
  readonly stackName: string;
  /** The template file, relative to the assembly's root directory. */
  readonly file: string;
  /** The CloudFormation template. */
  readonly template: any;
  /** Each resource's construct path by logical id, from its stage and stack down (`Stage/Stack/Api/Service/Service`). */
  readonly paths: Map<string, string>;
  /** The stack's metadata entries by construct path: the manifest's own and its `additionalMetadataFile`'s. */
  readonly metadata: Record<string, any[]>;
  /** The template file's size in bytes, as CloudFormation receives it. */
  readonly bytes: number;
  /** The stack's region from the manifest's `environment` (`aws://ACCOUNT/REGION`); undefined for an environment-agnostic stack. */
  readonly region?: string;
}

const RESYNTH = 'synthesize the app again (`npx cdk synth`)';

/** Every stack of the assembly in `dir` and of its nested assemblies, in artifact id order. */
export function readAssembly(dir: string, command = 'cdk-shipyard picture <dir> --out <dir>'): StackTemplate[] {
  if (!fs.existsSync(dir)) {
    throw new PictureError(`${dir}: no such directory. Synthesize the app first (\`npx cdk synth\` writes cdk.out), or name the directory it wrote: ${command}`);
  }
  if (!fs.statSync(dir).isDirectory()) {
    throw new PictureError(`${dir} is a file, not a cloud assembly: name the directory \`cdk synth\` wrote (cdk.out by default)`);
  }
  const stacks = readNested(dir, '');
  if (stacks.length === 0) throw new PictureError(`${path.join(dir, 'manifest.json')} lists no stack: add a stack to the app and ${RESYNTH}`);
  return stacks;
}

/** The stacks of the assembly at `root/relative`, nested assemblies included. */
function readNested(root: string, relative: string): StackTemplate[] {
  const dir = path.join(root, relative);
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new PictureError(`${dir} has no manifest.json, so it is not a cloud assembly: name the directory \`cdk synth\` wrote (cdk.out by default, or its --output)`);
  }
  const manifest = readJson(manifestFile, `${manifestFile} is not JSON`, RESYNTH);
  const artifacts = isObject(manifest) && isObject(manifest.artifacts) ? manifest.artifacts : {};
  const stacks: StackTemplate[] = [];
  for (const id of Object.keys(artifacts).sort()) {
    const artifact = artifacts[id];
    if (artifact?.type === 'aws:cloudformation:stack') stacks.push(readStack(dir, relative, id, artifact, manifestFile));
    if (artifact?.type === 'cdk:cloud-assembly' && typeof artifact.properties?.directoryName === 'string') {
      stacks.push(...readNested(root, path.join(relative, artifact.properties.directoryName)));
    }
  }
  return stacks;
}

/** One stack artifact: its template, checked to be CloudFormation JSON, and its construct paths. */
function readStack(dir: string, relative: string, id: string, artifact: any, manifestFile: string): StackTemplate {
  const templateFile = artifact.properties?.templateFile;
  if (typeof templateFile !== 'string') throw new PictureError(`${manifestFile}: stack ${id} names no templateFile: ${RESYNTH}`);
  const file = path.join(dir, templateFile);
  if (!fs.existsSync(file)) throw new PictureError(`${file} does not exist (${manifestFile} names it for stack ${id}): ${RESYNTH}`);
  const template = readJson(file, `${file} is not CloudFormation JSON`, RESYNTH);
  if (!isObject(template) || !isObject(template.Resources)) {
    throw new PictureError(`${file} is not CloudFormation JSON: it has no Resources object; ${RESYNTH}`);
  }
  const typeless = Object.keys(template.Resources)
    .find(logicalId => !isObject(template.Resources[logicalId]) || typeof template.Resources[logicalId].Type !== 'string');
  if (typeless !== undefined) throw new PictureError(`${file} is not CloudFormation JSON: resource ${typeless} has no Type; ${RESYNTH}`);
  const displayName = typeof artifact.displayName === 'string' ? artifact.displayName : id;
  const stackName = typeof artifact.properties?.stackName === 'string' ? artifact.properties.stackName : id;
  const metadata = metadataOf(dir, artifact);
  const paths = constructPaths(displayName, metadata, template);
  const region = regionOf(artifact.environment);
  return { id, displayName, stackName, file: path.join(relative, templateFile), template, paths, metadata, bytes: fs.statSync(file).size, region };
}

/** The stack's metadata: the manifest's own entries, then its `additionalMetadataFile`'s, by construct path. */
function metadataOf(dir: string, artifact: any): Record<string, any[]> {
  const metadata: Record<string, any[]> = {};
  const add = (from: Record<string, any>) => {
    for (const [p, entries] of Object.entries(from)) if (Array.isArray(entries)) metadata[p] = [...metadata[p] ?? [], ...entries];
  };
  add(asObject(artifact.metadata));
  const metadataFile = typeof artifact.additionalMetadataFile === 'string' ? path.join(dir, artifact.additionalMetadataFile) : undefined;
  if (metadataFile && fs.existsSync(metadataFile)) add(asObject(readJson(metadataFile, `${metadataFile} is not JSON`, RESYNTH)));
  return metadata;
}

/**
 * Each resource's construct path: its `aws:cdk:path` metadata, else the stack's metadata (the
 * manifest's own or its `additionalMetadataFile`), else the stack's path and the logical id.
 */
function constructPaths(displayName: string, metadata: Record<string, any[]>, template: any): Map<string, string> {
  const fromMetadata = pathsOf(metadata);
  const paths = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries<any>(template.Resources)) {
    const own = resource?.Metadata?.['aws:cdk:path'];
    paths.set(logicalId, typeof own === 'string' ? own : fromMetadata.get(logicalId) ?? `${displayName}/${logicalId}`);
  }
  return paths;
}

/** `us-east-1` from `aws://123456789012/us-east-1`; undefined for `unknown-region` or no environment. */
function regionOf(environment: unknown): string | undefined {
  const match = typeof environment === 'string' ? /^aws:\/\/[^/]*\/([^/]+)$/.exec(environment) : null;
  return match && match[1] !== 'unknown-region' ? match[1] : undefined;
}

function readJson(file: string, problem: string, fix: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new PictureError(`${problem} (${(e as Error).message.split('\n')[0]}): ${fix}`);
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Record<string, any> {
  return isObject(value) ? value : {};
}
