/**
 * The typed model the importers build before they print: each workload's props typed against
 * the library's own *Props interfaces, so that a prop name or a value of a type the library
 * does not have fails to compile in the importer's build, not in the user's app. A value is the
 * value itself (strings, numbers, booleans, lists and nested props, checked field by field) or
 * `Code`, a TypeScript expression printed as is (constructs, `Duration`s, factory calls).
 */
import type { Code } from './code';
import type {
  BackendServiceProps, BackgroundServiceProps, NetworkServiceProps, ScheduledJobProps, StandaloneTaskProps, WebServiceProps, WorkerServiceProps,
} from '../index';

/** A value as the emitter takes it: `Code`, or the value's own shape with `Code` allowed at every depth. */
export type Emitted<T> = Code | (
  T extends string | number | boolean ? T
    : T extends ReadonlyArray<infer E> ? Array<Emitted<E>>
      : T extends object ? { -readonly [K in keyof T]?: Emitted<T[K]> }
        : never);

/** Props of one workload construct, as the emitter takes them. */
export type PropsModel<P> = { -readonly [K in keyof P]?: Emitted<P[K]> };

/** The props every workload construct an importer writes may take: each name with its own type. */
export type WorkloadPropsModel = PropsModel<WebServiceProps> & PropsModel<BackendServiceProps> & PropsModel<BackgroundServiceProps>
& PropsModel<NetworkServiceProps> & PropsModel<StandaloneTaskProps> & PropsModel<WorkerServiceProps> & PropsModel<ScheduledJobProps>;
