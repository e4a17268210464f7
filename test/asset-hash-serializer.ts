/**
 * Jest snapshot serializer: asset hashes (`<64 hex>.zip`, `<64 hex>.json`, bare hashes in
 * asset parameters) become `[ASSET HASH]`, so a snapshot changes when what a construct builds
 * changes, not when aws-cdk-lib re-bundles one of its own handlers.
 */
const HAS_HASH = /[0-9a-f]{64}/;
const HASHES = /[0-9a-f]{64}/g;

export function test(value: unknown): boolean {
  return typeof value === 'string' && HAS_HASH.test(value);
}

export function serialize(value: string, config: unknown, indentation: string, depth: number, refs: unknown,
  printer: (value: unknown, config: unknown, indentation: string, depth: number, refs: unknown) => string): string {
  return printer(value.replace(HASHES, '[ASSET HASH]'), config, indentation, depth, refs);
}
