import { Duration, Stack } from 'aws-cdk-lib';
import {
  Capacity, forStage, Image, overlay, Scaling, StageOverlay, WebService, WebServiceProps,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { productionEnvironment, resources, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');

describe('overlay', () => {
  test('plain objects merge at every depth; arrays, class instances and constructs replace; undefined leaves the value', () => {
    const spot = Capacity.fargateSpot();
    const base = {
      cpu: 256,
      targetHealthCheck: { path: '/health', interval: Duration.seconds(10) },
      scaling: { minCapacity: 2, maxCapacity: 10, targets: [Scaling.cpu(60)] },
      capacity: Capacity.fargate(),
      environmentVariables: { LOG_LEVEL: 'info', REGION: 'eu' },
    };
    const merged = overlay(base, {
      cpu: undefined,
      targetHealthCheck: { interval: Duration.seconds(5) },
      scaling: { maxCapacity: 2, targets: [Scaling.memory(70)] },
      capacity: spot,
      environmentVariables: { LOG_LEVEL: 'debug' },
    });
    expect(merged.cpu).toBe(256);
    expect(merged.targetHealthCheck).toEqual({ path: '/health', interval: Duration.seconds(5) });
    expect(merged.scaling.minCapacity).toBe(2);
    expect(merged.scaling.maxCapacity).toBe(2);
    expect(merged.scaling.targets.map(t => t.metric)).toEqual(['Memory']);
    expect(merged.capacity).toBe(spot);
    expect(merged.environmentVariables).toEqual({ LOG_LEVEL: 'debug', REGION: 'eu' });
    // Neither input changed.
    expect(base.targetHealthCheck.interval.toSeconds()).toBe(10);
    expect(base.environmentVariables.LOG_LEVEL).toBe('info');
  });

  test('overrides apply in order', () => {
    expect(overlay({ a: { b: 1, c: 1 } }, { a: { b: 2 } }, { a: { c: 3 } })).toEqual({ a: { b: 2, c: 3 } });
  });
});

describe('forStage', () => {
  function props(stack: Stack): WebServiceProps {
    return { environment: productionEnvironment(stack), image: IMAGE, scaling: { minCapacity: 2, maxCapacity: 10 } };
  }

  test('a workload declared once gets each stage\'s values, merged deeply', () => {
    const overrides = { development: { scaling: { minCapacity: 1, maxCapacity: 2 } }, production: {} };
    const dev = testStack('Dev');
    new WebService(dev, 'Web', forStage('development', props(dev), overrides));
    const prod = testStack('Prod');
    new WebService(prod, 'Web', StageOverlay.forStage('production', props(prod), overrides));
    const bounds = (stack: Stack) => resources(stack, 'AWS::ApplicationAutoScaling::ScalableTarget').map(([, t]) => [t.Properties.MinCapacity, t.Properties.MaxCapacity]);
    expect(bounds(dev)).toEqual([[1, 2]]);
    expect(bounds(prod)).toEqual([[2, 10]]);
  });

  test('fails for a stage with no overrides declared, naming the ones there are', () => {
    expect(() => forStage('prod', { cpu: 256 }, { production: {}, development: { cpu: 512 } }))
      .toThrow(new RegExp(`^\\[cdk-shipyard:${ErrorCode.STAGE}\\] forStage: stage "prod" has no overrides. Fix: use one of "production", "development"`));
  });

  test('StageOverlay.merge is the same merge for other languages', () => {
    expect(StageOverlay.merge({ a: { b: 1, c: [1, 2] } }, { a: { c: [3] } })).toEqual({ a: { b: 1, c: [3] } });
  });

  test('fails, naming the field, when a list is overridden with something else (a string, from an untyped language)', () => {
    const base = { routing: { pathPatterns: ['/api/*'] } };
    expect(() => StageOverlay.merge(base, { routing: { pathPatterns: '/v2/*' } }))
      .toThrow(new RegExp(`^\\[cdk-shipyard:${ErrorCode.STAGE}\\] props\\.routing\\.pathPatterns is a list in the base props, and the override gives the string "/v2/\\*". Fix: give a list \\(\\["/v2/\\*"\\]\\)`));
    expect(() => StageOverlay.merge(base, { routing: 'api' })).toThrow(/props\.routing is a map of props in the base, and the override gives the string "api"/);
  });

  test('a list over a list, null over a list, and a list where the base has none still replace', () => {
    expect(StageOverlay.merge({ a: [1] }, { a: [2, 3] })).toEqual({ a: [2, 3] });
    expect(StageOverlay.merge({ a: [1] }, { a: null })).toEqual({ a: null });
    expect(StageOverlay.merge({}, { a: ['x'] })).toEqual({ a: ['x'] });
  });
});
