import { serialize, test as isHashed } from './asset-hash-serializer';

test('the snapshot serializer replaces asset hashes and leaves other strings alone', () => {
  const hash = 'a'.repeat(64);
  expect(isHashed(`${hash}.zip`)).toBe(true);
  expect(isHashed('cdk-hnb659fds-assets-111111111111-us-east-1')).toBe(false);
  expect(isHashed(42)).toBe(false);
  const printed = serialize(`s3://bucket/${hash}.zip and ${'0123456789abcdef'.repeat(4)}`, {}, '', 0, [], v => String(v));
  expect(printed).toBe('s3://bucket/[ASSET HASH].zip and [ASSET HASH]');
});
