/** The mapping under way: a manifest (or one of its environment overrides) and what is carried over. */
import { WorkloadPropsModel } from '../model';
import { FieldFate, FieldPath, show, YamlFile } from '../source';

/** One manifest's mapping: its props, what needs a person, and the topics it publishes. */
export interface Mapped {
  readonly props: WorkloadPropsModel;
  readonly todos: string[];
  /** Statements after the workload is built (`workload`, `stack`, `environment` in scope). */
  readonly after?: string[];
}

/** The fields each workload's props come from, with a mark for each one used. */
export class Mapper {
  public readonly todos: string[] = [];
  public readonly after: string[] = [];
  constructor(private readonly f: YamlFile, private readonly base: FieldPath, private readonly ids: Ids,
    /** The topics some workload of the workspace publishes, as `<service>-<topic>`. */
    public readonly published: ReadonlySet<string> = new Set()) {}

  /** Whether this maps an `environments.<name>` override rather than the manifest itself. */
  public get override(): boolean {
    return this.base.length > 0;
  }

  public p(...rest: Array<string | number>): FieldPath {
    return [...this.base, ...rest];
  }

  public done(fate: FieldFate, ...rest: Array<string | number>): void {
    this.f.mark(this.p(...rest), fate);
  }

  /** Mark a field partial and say what a person must do. */
  public todo(rest: Array<string | number>, what: string): void {
    this.f.mark(this.p(...rest), FieldFate.PARTIAL);
    this.todos.push(`TODO(copilot): ${show(this.p(...rest))} (line ${this.f.line(this.p(...rest))}): ${what}`);
  }

  public get file(): YamlFile {
    return this.f;
  }

  public id(wanted: string): string {
    return this.ids.unique(wanted);
  }
}

/** Construct ids unique in a stack. */
export class Ids {
  private readonly used = new Set<string>();
  public unique(wanted: string): string {
    let id = wanted;
    for (let i = 2; this.used.has(id); i++) id = `${wanted}${i}`;
    this.used.add(id);
    return id;
  }
}

/** A workload manifest, read. */
export interface Workload {
  readonly name: string;
  readonly type: string;
  readonly construct: string;
  readonly file: YamlFile;
  readonly relFile: string;
  readonly publishes: string[];
  /** By stage, the workload that keeps the root path of the shared load balancer, when this one also asked for it. */
  readonly rootTakenBy: { [stage: string]: string };
}
