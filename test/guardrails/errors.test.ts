import { Lazy } from 'aws-cdk-lib';
import { Image, WebService } from '../../src';
import { ErrorCode, ShipyardError, show } from '../../src/guardrails/errors';
import { productionEnvironment, testStack } from '../fixtures';

describe('ShipyardError', () => {
  test('names the code, the construct path, the problem and the fix', () => {
    const stack = testStack('Errors');
    const error = new ShipyardError(stack, ErrorCode.PORT_RANGE, 'containerPort is 0', 'use 1-65535');
    expect(error.message).toBe('[cdk-shipyard:PORT_RANGE] Errors: containerPort is 0. Fix: use 1-65535');
    expect(error.code).toBe(ErrorCode.PORT_RANGE);
    expect(error.constructPath).toBe('Errors');
  });
});

describe('messages never show a token', () => {
  test('a string or numeric token in a message reads as a deploy-time value', () => {
    const name = Lazy.string({ produce: () => 'app' });
    const port = Lazy.number({ produce: () => 80 });
    const error = new ShipyardError(testStack(), ErrorCode.CONTAINERS, `container ${show(name)} on port ${port} and ${name}`, 'fix it');
    expect(error.message).not.toMatch(/Token|e\+289/);
    expect(error.message).toBe('[cdk-shipyard:CONTAINERS] Test: container (a value known only at deploy time) on port (a value known only at deploy time) '
      + 'and (a value known only at deploy time). Fix: fix it');
  });

  test('a sidecar whose name is a token is not judged by its placeholder', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const name = Lazy.string({ produce: () => 'proxy' });
    expect(() => new WebService(stack, 'Web', {
      environment, image: Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27'), sidecars: [{ name, image: Image.fromRegistry('public.ecr.aws/envoy:v1') }],
    })).not.toThrow();
  });
});
