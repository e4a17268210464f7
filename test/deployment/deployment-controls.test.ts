import { Duration, Stack, aws_ecs as ecs, aws_lambda as lambda } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import {
  BackendService, BackgroundService, CircuitBreakerThreshold, Deployment, DeploySpeed, EarlySuccess, EnvironmentProfile, Image,
  LifecycleHookTimeoutAction, NetworkService, TestTraffic, WebService, WebServiceProps, WorkerService,
} from '../../src';
import { CHANGED_DEFAULTS } from '../../src/guardrails/changed-defaults';
import { ErrorCode } from '../../src/guardrails/errors';
import { WarningId } from '../../src/guardrails/warnings';
import { appUnsetting, expectError, hasWarning, productionEnvironment, resources, template, testApp, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27');
const DEFERRED_100 = { Enable: true, HealthyPercent: 100, SourceServiceRevisionCleanup: 'DEFERRED' };

function web(props: Partial<WebServiceProps> = {}, stack: Stack = testStack()): Stack {
  const environment = props.environment ?? productionEnvironment(stack);
  new WebService(stack, 'Web', { image: IMAGE, ...props, environment });
  return stack;
}

/** The service's DeploymentConfiguration, as synthesized. */
function deploymentConfiguration(stack: Stack): Record<string, any> {
  const services = resources(stack, 'AWS::ECS::Service');
  expect(services).toHaveLength(1);
  return services[0][1].Properties.DeploymentConfiguration;
}

function hook(stack: Stack): lambda.IFunction {
  return lambda.Function.fromFunctionArn(stack, 'Hook', 'arn:aws:lambda:us-east-1:111111111111:function:check-green');
}

/** Options as JavaScript or Python could pass them, past TypeScript's types. */
function untyped<T>(options: Record<string, unknown>): T {
  return options as T;
}

describe('the deploy-speed presets: done once every new task is healthy, the old ones drain after', () => {
  test.each([
    ['SAFE (production)', EnvironmentProfile.PRODUCTION, 100],
    ['FAST (development)', EnvironmentProfile.DEVELOPMENT, 50],
  ])('%s: early success at 100% with deferred cleanup, and ECS\'s own circuit-breaker threshold', (_name, profile, minHealthy) => {
    const stack = testStack();
    web({ environment: productionEnvironment(stack, { profile }) }, stack);
    const config = deploymentConfiguration(stack);
    expect(config.MinimumHealthyPercent).toBe(minHealthy);
    expect(config.EarlySuccessCriteria).toEqual(DEFERRED_100);
    // The circuit breaker keeps ECS's threshold (50% of the desired count, 3-200) and reset rule.
    expect(config.DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true });
  });

  test('at maxHealthyPercent 100 the presets leave them out: the old tasks stop before new ones start, so nothing drains after', () => {
    const stack = web({ deployment: Deployment.rolling({ minHealthyPercent: 0, maxHealthyPercent: 100 }) });
    expect(deploymentConfiguration(stack).EarlySuccessCriteria).toBeUndefined();
    // Asked for, they are written all the same.
    const asked = web({
      deployment: Deployment.rolling({ minHealthyPercent: 0, maxHealthyPercent: 100, earlySuccess: EarlySuccess.deferredCleanup() }),
    });
    expect(deploymentConfiguration(asked).EarlySuccessCriteria).toEqual(DEFERRED_100);
  });

  test('a preset chosen against the profile brings the same criteria', () => {
    const stack = web({ deploySpeed: DeploySpeed.FAST });
    expect(deploymentConfiguration(stack).EarlySuccessCriteria).toEqual(DEFERRED_100);
  });

  test('every rolling workload takes them: backend, background, worker and network services', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new BackendService(stack, 'Backend', { environment, image: IMAGE });
    new BackgroundService(stack, 'Poller', { environment, image: IMAGE });
    new WorkerService(stack, 'Worker', { environment, image: IMAGE });
    new NetworkService(stack, 'Mqtt', { environment, image: IMAGE });
    const services = resources(stack, 'AWS::ECS::Service');
    expect(services).toHaveLength(4);
    for (const [, service] of services) expect(service.Properties.DeploymentConfiguration.EarlySuccessCriteria).toEqual(DEFERRED_100);
  });

  test('the blue/green family and CodeDeploy have no early success criteria (ECS takes them with rolling only)', () => {
    template(web({ deployment: Deployment.blueGreen() })).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN', EarlySuccessCriteria: Match.absent() }),
    });
    template(web({ deployment: Deployment.canary() })).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'CANARY', EarlySuccessCriteria: Match.absent() }),
    });
  });
});

describe('the changed default and its flag (cdk-shipyard:rollingEarlySuccess)', () => {
  const flag = CHANGED_DEFAULTS.rollingEarlySuccess.flag;

  test('with the flag unset, the presets bring the criteria with a warning that says how to choose', () => {
    const stack = web({}, new Stack(appUnsetting(flag), 'Test'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(flag));
    expect(warnings.map(w => w.id)).toEqual(['/Test/Web']);
    expect(deploymentConfiguration(stack).EarlySuccessCriteria).toEqual(DEFERRED_100);
  });

  test('the flag set to false keeps 0.1.0\'s rule (done once the old tasks are gone) for the whole app, with no warning', () => {
    const stack = web({}, new Stack(testApp({ [flag]: false }), 'Test'));
    expect(deploymentConfiguration(stack).EarlySuccessCriteria).toBeUndefined();
    expect(hasWarning(stack, WarningId.CHANGED_DEFAULT)).toBe(false);
  });

  test('criteria given on the deployment need no flag, and a fixed maxHealthyPercent of 100 meets no changed default', () => {
    const unset = () => new Stack(appUnsetting(flag), 'Test');
    const given = web({ deployment: Deployment.rolling({ earlySuccess: EarlySuccess.deferredCleanup(100) }) }, unset());
    expect(hasWarning(given, WarningId.CHANGED_DEFAULT)).toBe(false);
    const atHundred = web({ deployment: Deployment.rolling({ minHealthyPercent: 50, maxHealthyPercent: 100 }) }, unset());
    expect(hasWarning(atHundred, WarningId.CHANGED_DEFAULT)).toBe(false);
  });
});

describe('earlySuccess', () => {
  test('EarlySuccess.none() keeps ECS\'s own rule: no early success criteria in the template', () => {
    const stack = web({ deployment: Deployment.rolling({ earlySuccess: EarlySuccess.none() }) });
    expect(deploymentConfiguration(stack).EarlySuccessCriteria).toBeUndefined();
  });

  test('blockingCleanup(healthyPercent) is done at that share, after the old tasks are gone', () => {
    const stack = web({ deployment: Deployment.rolling({ minHealthyPercent: 50, earlySuccess: EarlySuccess.blockingCleanup(80) }) });
    expect(deploymentConfiguration(stack).EarlySuccessCriteria).toEqual({ Enable: true, HealthyPercent: 80, SourceServiceRevisionCleanup: 'BLOCKING' });
  });

  test('deferredCleanup(healthyPercent) takes a share down to minHealthyPercent (a boundary that passes)', () => {
    const stack = web({ deployment: Deployment.rolling({ minHealthyPercent: 0, earlySuccess: EarlySuccess.deferredCleanup(0) }) });
    expect(deploymentConfiguration(stack).EarlySuccessCriteria).toEqual({ Enable: true, HealthyPercent: 0, SourceServiceRevisionCleanup: 'DEFERRED' });
    const safe = web({ deployment: Deployment.rolling({ earlySuccess: EarlySuccess.blockingCleanup(100) }) });
    expect(deploymentConfiguration(safe).EarlySuccessCriteria.HealthyPercent).toBe(100);
  });

  test.each([
    ['above 100', () => EarlySuccess.deferredCleanup(101), /healthyPercent is 101%, outside 0-100%/],
    ['below 0', () => EarlySuccess.blockingCleanup(-1), /healthyPercent is -1%, outside 0-100%/],
    ['not whole', () => EarlySuccess.deferredCleanup(50.5), /healthyPercent is 50.5, not a whole number/],
    ['below minHealthyPercent (SAFE keeps 100)', () => EarlySuccess.blockingCleanup(99), /healthyPercent is 99%, below minHealthyPercent \(100%\)/],
  ])('fails when earlySuccess healthyPercent is %s (deferredCleanup() or blockingCleanup())', (_name, earlySuccess, message) => {
    expect(() => web({ deployment: Deployment.rolling({ earlySuccess: earlySuccess() }) }))
      .toThrow(new RegExp(`^\\[cdk-shipyard:${ErrorCode.DEPLOYMENT}\\] [\\s\\S]*${message.source}`));
  });

  test.each([
    ['blue/green', () => Deployment.blueGreen(untyped({ earlySuccess: EarlySuccess.deferredCleanup() })), /earlySuccess is given with a blue\/green deployment/],
    ['canary', () => Deployment.canary(untyped({ earlySuccess: EarlySuccess.none() })), /earlySuccess is given with a canary deployment/],
    ['CodeDeploy', () => Deployment.codeDeploy(untyped({ earlySuccess: EarlySuccess.deferredCleanup() })), /earlySuccess is given with a CodeDeploy deployment/],
  ])('fails when earlySuccess comes with a %s deployment (from JavaScript), which ECS does not take', (_name, deployment, message) => {
    expect(() => web({ deployment: deployment() })).toThrow(new RegExp(`^\\[cdk-shipyard:${ErrorCode.DEPLOYMENT}\\] [\\s\\S]*${message.source}`));
  });
});

describe('circuitBreakerThreshold and resetCircuitBreakerOnHealthyTask', () => {
  test.each([
    ['percent', () => CircuitBreakerThreshold.percent(25), { Type: 'BOUNDED_PERCENT', Value: 25 }],
    ['unboundedPercent', () => CircuitBreakerThreshold.unboundedPercent(10), { Type: 'UNBOUNDED_PERCENT', Value: 10 }],
    ['count', () => CircuitBreakerThreshold.count(1), { Type: 'COUNT', Value: 1 }],
  ])('CircuitBreakerThreshold.%s sets the breaker\'s ThresholdConfiguration', (_name, threshold, expected) => {
    const stack = web({ deployment: Deployment.rolling({ circuitBreakerThreshold: threshold() }) });
    expect(deploymentConfiguration(stack).DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: true, ThresholdConfiguration: expected });
  });

  test('resetCircuitBreakerOnHealthyTask writes ResetOnHealthyTask either way, beside the threshold', () => {
    const cumulative = web({
      deployment: Deployment.rolling({ resetCircuitBreakerOnHealthyTask: false, circuitBreakerThreshold: CircuitBreakerThreshold.count(5) }),
    });
    expect(deploymentConfiguration(cumulative).DeploymentCircuitBreaker).toEqual({
      Enable: true, Rollback: true, ThresholdConfiguration: { Type: 'COUNT', Value: 5 }, ResetOnHealthyTask: false,
    });
    const consecutive = web({ deployment: Deployment.rolling({ resetCircuitBreakerOnHealthyTask: true, rollbackOnFailure: false }) });
    expect(deploymentConfiguration(consecutive).DeploymentCircuitBreaker).toEqual({ Enable: true, Rollback: false, ResetOnHealthyTask: true });
  });

  test.each([
    ['count(0)', () => CircuitBreakerThreshold.count(0), /circuitBreakerThreshold failures is 0, below 1/],
    ['percent(0)', () => CircuitBreakerThreshold.percent(0), /circuitBreakerThreshold percent is 0, below 1/],
    ['unboundedPercent(-5)', () => CircuitBreakerThreshold.unboundedPercent(-5), /circuitBreakerThreshold percent is -5, below 1/],
    ['percent(12.5)', () => CircuitBreakerThreshold.percent(12.5), /circuitBreakerThreshold percent is 12.5, not a whole number/],
    ['count(2.5)', () => CircuitBreakerThreshold.count(2.5), /circuitBreakerThreshold failures is 2.5, not a whole number/],
  ])('fails when circuitBreakerThreshold is %s', (_name, threshold, message) => {
    expect(() => web({ deployment: Deployment.rolling({ circuitBreakerThreshold: threshold() }) }))
      .toThrow(new RegExp(`^\\[cdk-shipyard:${ErrorCode.DEPLOYMENT}\\] [\\s\\S]*${message.source}`));
  });

  test('fails when circuitBreakerThreshold or resetCircuitBreakerOnHealthyTask come with a blue/green family deployment (from JavaScript)', () => {
    const linear = Deployment.linear(untyped({ circuitBreakerThreshold: CircuitBreakerThreshold.count(3) }));
    expectError(ErrorCode.DEPLOYMENT, () => web({ deployment: linear }));
    expect(() => web({ deployment: Deployment.blueGreen(untyped({ resetCircuitBreakerOnHealthyTask: false, earlySuccess: EarlySuccess.none() })) }))
      .toThrow(/earlySuccess and resetCircuitBreakerOnHealthyTask are given with a blue\/green deployment/);
  });
});

describe('lifecycle hook timeout and timeoutAction', () => {
  function blueGreen(hookProps: Record<string, unknown>, stack: Stack = testStack()): Stack {
    const handler = hook(stack);
    return web({
      deployment: Deployment.blueGreen({
        lifecycleHooks: [
          { handler, stages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP] },
          { handler, stages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT], ...hookProps },
        ],
      }),
    }, stack);
  }

  test('a hook\'s timeout and timeoutAction become its TimeoutConfiguration; a hook without keeps ECS\'s (24 hours, roll back)', () => {
    const config = deploymentConfiguration(blueGreen({ timeout: Duration.minutes(30), timeoutAction: LifecycleHookTimeoutAction.CONTINUE }));
    expect(config.LifecycleHooks[0].TimeoutConfiguration).toBeUndefined();
    expect(config.LifecycleHooks[1]).toEqual(expect.objectContaining({
      LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
      TimeoutConfiguration: { TimeoutInMinutes: 30, Action: 'CONTINUE' },
    }));
  });

  test('timeout alone, at both ends of ECS\'s range (1 and 20160 minutes), and timeoutAction alone', () => {
    const timeoutOf = (hookProps: Record<string, unknown>) => deploymentConfiguration(blueGreen(hookProps)).LifecycleHooks[1].TimeoutConfiguration;
    expect(timeoutOf({ timeout: Duration.minutes(1) })).toEqual({ TimeoutInMinutes: 1 });
    expect(timeoutOf({ timeout: Duration.days(14) })).toEqual({ TimeoutInMinutes: 20160 });
    expect(timeoutOf({ timeoutAction: LifecycleHookTimeoutAction.ROLLBACK })).toEqual({ Action: 'ROLLBACK' });
  });

  test('a network service\'s hooks take them too', () => {
    const stack = testStack();
    new NetworkService(stack, 'Mqtt', {
      environment: productionEnvironment(stack),
      image: IMAGE,
      testListenerPort: 9090,
      deployment: Deployment.blueGreen({
        testTraffic: TestTraffic.testListener(),
        lifecycleHooks: [{ handler: hook(stack), stages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP], timeout: Duration.hours(2) }],
      }),
    });
    expect(deploymentConfiguration(stack).LifecycleHooks[0].TimeoutConfiguration).toEqual({ TimeoutInMinutes: 120 });
  });

  test.each([
    ['timeout of 0 minutes', { timeout: Duration.minutes(0) }, /lifecycle hook 1 timeout is 0 minutes, outside 1-20160 minutes/],
    ['timeout of 20161 minutes', { timeout: Duration.minutes(20161) }, /lifecycle hook 1 timeout is 20161 minutes, outside 1-20160 minutes/],
    ['timeout of 90 seconds', { timeout: Duration.seconds(90) }, /lifecycle hook 1 timeout is 90 s, not whole minutes/],
    ['timeoutAction PAUSE (from JavaScript)', { timeoutAction: 'PAUSE' }, /lifecycle hook 1 timeoutAction is "PAUSE", which ECS does not take/],
  ])('fails when a lifecycle hook has a %s', (_name, hookProps, message) => {
    expect(() => blueGreen(hookProps)).toThrow(new RegExp(`^\\[cdk-shipyard:${ErrorCode.DEPLOYMENT}\\] [\\s\\S]*${message.source}`));
  });
});
