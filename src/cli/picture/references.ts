/**
 * Every resource of an app's stacks, and what refers to what: Ref, Fn::GetAtt and Fn::Sub within a
 * stack, Fn::ImportValue and Fn::GetStackOutput across stacks (through the other stack's Outputs).
 */
import { StackTemplate } from './assembly';
import { byCodePoint } from './dot';

/** A resource of one of the app's stacks. */
export interface Resource {
  /** Unique in the app: the template file and the logical id. */
  readonly key: string;
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly type: string;
  readonly props: any;
  /** The construct path, from the stage and stack down (or the stack and the logical id). */
  readonly path: string;
}

/** The app's resources by key, by type, and the resources a value refers to. */
export class AppIndex {
  private readonly resources = new Map<string, Resource>();
  private readonly exported = new Map<string, string>();
  private readonly stackOutputs = new Map<string, string>();

  constructor(readonly stacks: StackTemplate[]) {
    for (const stack of stacks) {
      for (const [logicalId, resource] of Object.entries<any>(stack.template.Resources)) {
        if (!resource || typeof resource.Type !== 'string') continue;
        const key = `${stack.file}#${logicalId}`;
        this.resources.set(key, { key, stack, logicalId, type: resource.Type, props: resource.Properties ?? {}, path: stack.paths.get(logicalId)! });
      }
    }
    for (const stack of stacks) {
      for (const [outputName, output] of Object.entries<any>(stack.template.Outputs ?? {})) {
        const name = output?.Export?.Name;
        const [target] = this.refs(stack, output?.Value);
        if (!target) continue;
        if (typeof name === 'string') this.exported.set(name, target.key);
        // What a weak cross-stack reference reads (Fn::GetStackOutput, aws-cdk-lib's
        // `@aws-cdk/core:defaultCrossStackReferences: weak`, which `cdk init` sets).
        this.stackOutputs.set(`${stack.stackName}#${outputName}`, target.key);
      }
    }
  }

  /** The resource with this logical id in this stack. */
  get(stack: StackTemplate, logicalId: string): Resource | undefined {
    return this.resources.get(`${stack.file}#${logicalId}`);
  }

  /** The resources of these types, in key order. */
  ofType(...types: string[]): Resource[] {
    return [...this.resources.values()].filter(r => types.includes(r.type)).sort((a, b) => byCodePoint(a.key, b.key));
  }

  /** The resources a value (of a resource of `stack`) refers to, each once, in key order. */
  refs(stack: StackTemplate, value: unknown): Resource[] {
    const keys = new Set<string>();
    this.collect(stack, value, keys);
    return [...keys].sort(byCodePoint).map(k => this.resources.get(k)!);
  }

  private collect(stack: StackTemplate, value: unknown, out: Set<string>): void {
    if (Array.isArray(value)) {
      value.forEach(v => this.collect(stack, v, out));
      return;
    }
    if (!value || typeof value !== 'object') return;
    const o = value as Record<string, unknown>;
    const add = (logicalId: unknown) => {
      const resource = typeof logicalId === 'string' ? this.get(stack, logicalId.split('.')[0]) : undefined;
      if (resource) out.add(resource.key);
    };
    add(o.Ref);
    add(Array.isArray(o['Fn::GetAtt']) ? o['Fn::GetAtt'][0] : o['Fn::GetAtt']);
    const sub = Array.isArray(o['Fn::Sub']) ? o['Fn::Sub'][0] : o['Fn::Sub'];
    if (typeof sub === 'string') for (const [, name] of sub.matchAll(/\$\{([^!}][^}]*)\}/g)) add(name);
    const imported = typeof o['Fn::ImportValue'] === 'string' ? this.exported.get(o['Fn::ImportValue']) : undefined;
    if (imported) out.add(imported);
    const output = o['Fn::GetStackOutput'] as Record<string, unknown> | undefined;
    const read = output && typeof output.StackName === 'string' ? this.stackOutputs.get(`${output.StackName}#${String(output.OutputName)}`) : undefined;
    if (read) out.add(read);
    Object.values(o).forEach(v => this.collect(stack, v, out));
  }
}
