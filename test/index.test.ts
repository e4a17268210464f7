import * as shipyard from '../src';

describe('the public API', () => {
  test('exports classes and enums only: no helper functions, bind plumbing or constants', () => {
    // overlay and forStage are the typed TypeScript forms of StageOverlay's methods.
    const exported = Object.entries(shipyard).filter(([name]) => !['overlay', 'forStage'].includes(name));
    expect(exported.length).toBeGreaterThan(30);
    const notTypes = exported.filter(([name, value]) => !/^[A-Z]/.test(name) || (typeof value !== 'function' && typeof value !== 'object'));
    expect(notTypes.map(([name]) => name)).toEqual([]);
    const classes = exported.filter(([, value]) => typeof value === 'function') as Array<[string, any]>;
    const publicBind = classes.filter(([, cls]) => typeof cls.prototype?.bind === 'function' && Object.getOwnPropertyNames(cls.prototype).includes('bind'));
    expect(publicBind.map(([name]) => name)).toEqual([]);
  });
});
