import { Construct } from 'constructs';
import { preferredPriority } from '../../src/private/rule-priorities';
import { testStack } from '../fixtures';

describe('automatic rule priorities', () => {
  const owner = (id: string) => new Construct(testStack(), id);

  test('order host + path, then host, then path, and longer literals first', () => {
    const hostAndPath = preferredPriority({ owner: owner('A'), hostHeaders: ['a.example.com'], pathPatterns: ['/x/*'] });
    const hostOnly = preferredPriority({ owner: owner('B'), hostHeaders: ['a.example.com'], pathPatterns: [] });
    const longPath = preferredPriority({ owner: owner('C'), hostHeaders: [], pathPatterns: ['/api/admin/*'] });
    const shortPath = preferredPriority({ owner: owner('D'), hostHeaders: [], pathPatterns: ['/api/*'] });
    const catchAll = preferredPriority({ owner: owner('E'), hostHeaders: [], pathPatterns: ['/*'] });
    expect(hostAndPath).toBeLessThan(hostOnly);
    expect(hostOnly).toBeLessThan(longPath);
    expect(longPath).toBeLessThan(shortPath);
    expect(shortPath).toBeLessThan(catchAll);
    expect(catchAll).toBeLessThanOrEqual(50000);
  });

  test('depend only on the route and its construct path', () => {
    const a = preferredPriority({ owner: owner('Same'), hostHeaders: [], pathPatterns: ['/api/*'] });
    const b = preferredPriority({ owner: owner('Same'), hostHeaders: [], pathPatterns: ['/api/*'] });
    const c = preferredPriority({ owner: owner('Other'), hostHeaders: [], pathPatterns: ['/api/*'] });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});
