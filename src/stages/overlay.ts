import { Token } from 'aws-cdk-lib';
import { ErrorCode } from '../guardrails/errors';

/**
 * Every property optional, all the way down through plain objects; arrays, constructs and
 * class instances (Duration, Image, Capacity, ...) stay whole, since an overlay replaces them.
 */
export type DeepPartial<T> = T extends ReadonlyArray<any> ? T
  : T extends (...args: any[]) => any ? T
    : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * `base` with each override laid over it, in order: plain objects merge key by key, at every
 * depth; any other value (a number, a string, an array, a construct, a `Duration`, an `Image`,
 * a token) replaces the one below it; `undefined` leaves it. Neither input is changed.
 *
 * The typed form for TypeScript; other languages use `StageOverlay.merge`.
 */
export function overlay<T>(base: T, ...overrides: Array<DeepPartial<NoInfer<T>> | undefined>): T {
  return overrides.reduce<any>((merged, override) => mergeValue(merged, override), base);
}

/**
 * The props of one stage: `base` with `overrides[stage]` laid over it (see `overlay`). A stage
 * that `overrides` does not name fails, so a misspelt stage never falls back to the base
 * silently; a stage that needs nothing of its own is named with `{}`.
 */
export function forStage<T>(stage: string, base: T, overrides: { [stage: string]: DeepPartial<NoInfer<T>> }): T {
  if (!Object.prototype.hasOwnProperty.call(overrides, stage)) {
    const known = Object.keys(overrides);
    throw new Error(`[cdk-shipyard:${ErrorCode.STAGE}] forStage: stage ${JSON.stringify(stage)} has no overrides. Fix: use one of `
      + `${known.length > 0 ? known.map(k => JSON.stringify(k)).join(', ') : '(none declared)'}, or declare it (with {} when it needs nothing of its own)`);
  }
  return overlay(base, overrides[stage]);
}

/**
 * Per-stage settings for any props object: declare a workload's props once and what differs
 * per stage (development, staging, production) beside them; the stage's values are merged
 * over the base deeply, so an override of `targetHealthCheck.path` keeps the rest of the
 * health check.
 *
 * In TypeScript, prefer the typed `overlay(base, ...overrides)` and
 * `forStage(stage, base, overrides)` functions this class wraps.
 */
export class StageOverlay {
  /** `baseProps` with `overrideProps` laid over it deeply (plain objects merge; anything else replaces). */
  public static merge(baseProps: any, overrideProps: any): any {
    return mergeValue(baseProps, overrideProps);
  }

  /** `baseProps` with `stageOverrides[stage]` laid over it; fails for a stage `stageOverrides` does not name. */
  public static forStage(stage: string, baseProps: any, stageOverrides: { [stage: string]: any }): any {
    return forStage(stage, baseProps, stageOverrides);
  }

  private constructor() {}
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Token.isUnresolved(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function mergeValue(base: unknown, override: unknown, at: string = 'props'): unknown {
  if (override === undefined) return base;
  // A list replaced by something else (a string where a list goes, from JavaScript, Python or
  // YAML-fed config) would fail later, inside the construct, as a TypeError: say so here.
  if (Array.isArray(base) && override !== null && !Array.isArray(override) && !Token.isUnresolved(override)) {
    throw new Error(`[cdk-shipyard:${ErrorCode.STAGE}] ${at} is a list in the base props, and the override gives ${describeValue(override)}. `
      + `Fix: give a list (${JSON.stringify([override]).slice(0, 80)}), which replaces the base's whole`);
  }
  if (isPlainObject(base) && override !== null && !isPlainObject(override) && typeof override !== 'object' && !Token.isUnresolved(override)) {
    throw new Error(`[cdk-shipyard:${ErrorCode.STAGE}] ${at} is a map of props in the base, and the override gives ${describeValue(override)}. `
      + 'Fix: give the fields to change, as a map');
  }
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeValue(base[key], value, `${at}.${key}`);
  return merged;
}

function describeValue(value: unknown): string {
  return `${typeof value === 'string' ? 'the string' : typeof value === 'object' ? 'an object' : `the ${typeof value}`} ${JSON.stringify(value)?.slice(0, 60)}`;
}
