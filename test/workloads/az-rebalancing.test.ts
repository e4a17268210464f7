import { Stack, aws_ecs as ecs } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { BackgroundService, Capacity, DaemonService, Deployment, Environment, EnvironmentProfile, Image, WorkerService } from '../../src';
import { CHANGED_DEFAULTS } from '../../src/guardrails/changed-defaults';
import { ErrorCode } from '../../src/guardrails/errors';
import { WarningId } from '../../src/guardrails/warnings';
import {
  appUnsetting, ec2Environment, expectError, expectValidationError, hasWarning, resources, template, testApp, testStack, webService,
} from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');
const { ENABLED, DISABLED } = ecs.AvailabilityZoneRebalancing;

/** The one ECS service's AvailabilityZoneRebalancing, as synthesized (undefined when absent). */
function rebalancing(stack: Stack): unknown {
  const services = resources(stack, 'AWS::ECS::Service');
  expect(services).toHaveLength(1);
  return services[0][1].Properties.AvailabilityZoneRebalancing;
}

describe('Availability Zone rebalancing (AWS::ECS::Service AvailabilityZoneRebalancing)', () => {
  test('a replica service ECS can rebalance says ENABLED in its template: web on Fargate, a worker, a background service', () => {
    expect(rebalancing(webService().stack)).toBe('ENABLED');
    const stack = testStack();
    const environment = new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
    new WorkerService(stack, 'Worker', { environment, image: IMAGE });
    template(stack).hasResourceProperties('AWS::ECS::Service', { AvailabilityZoneRebalancing: 'ENABLED' });
    const background = testStack();
    new BackgroundService(background, 'Poller', { environment: new Environment(background, 'Env', { profile: EnvironmentProfile.DEVELOPMENT }), image: IMAGE });
    expect(rebalancing(background)).toBe('ENABLED');
  });

  test('on EC2 capacity, the default placement (spread across zones first, then binpack) is rebalanced too', () => {
    const { stack, environment, instances } = ec2Environment();
    webService({ environment, capacity: Capacity.ec2(instances) }, stack);
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      AvailabilityZoneRebalancing: 'ENABLED',
      PlacementStrategies: Match.arrayWith([{ Type: 'spread', Field: 'attribute:ecs.availability-zone' }]),
    });
  });

  test('availabilityZoneRebalancing DISABLED turns it off for one service, with no changed-default warning', () => {
    const { stack } = webService({ availabilityZoneRebalancing: DISABLED }, new Stack(appUnsetting(CHANGED_DEFAULTS.availabilityZoneRebalancing.flag), 'Test'));
    expect(rebalancing(stack)).toBe('DISABLED');
    expect(hasWarning(stack, WarningId.CHANGED_DEFAULT)).toBe(false);
  });

  test('a service that cannot start a task before stopping one (maxHealthyPercent 100) gets DISABLED, so an update never keeps an ENABLED ECS set', () => {
    const { stack } = webService({ deployment: Deployment.rolling({ minHealthyPercent: 50, maxHealthyPercent: 100 }) });
    expect(rebalancing(stack)).toBe('DISABLED');
  });

  test('maxHealthyPercent 101 is the lowest that rebalances (a boundary that passes)', () => {
    const { stack } = webService({ deployment: Deployment.rolling({ maxHealthyPercent: 101 }), availabilityZoneRebalancing: ENABLED });
    expect(rebalancing(stack)).toBe('ENABLED');
  });

  test('another first placement strategy (binpack) or a zone constraint gets DISABLED', () => {
    const binpack = ec2Environment();
    const packed = Capacity.ec2(binpack.instances, { placementStrategies: [ecs.PlacementStrategy.packedByMemory()] });
    webService({ environment: binpack.environment, capacity: packed }, binpack.stack);
    expect(rebalancing(binpack.stack)).toBe('DISABLED');
    const pinned = ec2Environment();
    webService({
      environment: pinned.environment,
      capacity: Capacity.ec2(pinned.instances, { placementConstraints: [ecs.PlacementConstraint.memberOf('attribute:ecs.availability-zone in [us-east-1a]')] }),
    }, pinned.stack);
    expect(rebalancing(pinned.stack)).toBe('DISABLED');
  });

  test('fails when availabilityZoneRebalancing is ENABLED with maxHealthyPercent 100 (DEPLOYMENT), naming the value and the fix', () => {
    const atHundred = Deployment.rolling({ minHealthyPercent: 50, maxHealthyPercent: 100 });
    expect(() => webService({ availabilityZoneRebalancing: ENABLED, deployment: atHundred }))
      .toThrow(/^\[cdk-shipyard:DEPLOYMENT\] Test\/Web: availabilityZoneRebalancing is ENABLED, and maxHealthyPercent is 100%[\s\S]*raise the deployment's maxHealthyPercent above 100/);
  });

  test('fails when availabilityZoneRebalancing is ENABLED after a binpack first placement strategy or with a zone constraint (PLATFORM)', () => {
    const binpack = ec2Environment();
    expect(() => webService({
      environment: binpack.environment,
      availabilityZoneRebalancing: ENABLED,
      capacity: Capacity.ec2(binpack.instances, { placementStrategies: [ecs.PlacementStrategy.packedByCpu()] }),
    }, binpack.stack)).toThrow(/^\[cdk-shipyard:PLATFORM\] [\s\S]*first placement strategy is binpack on CPU, not a spread across Availability Zones/);
    const pinned = ec2Environment();
    expectError(ErrorCode.PLATFORM, () => webService({
      environment: pinned.environment,
      availabilityZoneRebalancing: ENABLED,
      capacity: Capacity.ec2(pinned.instances, { placementConstraints: [ecs.PlacementConstraint.memberOf('attribute:ecs.availability-zone == us-east-1a')] }),
    }, pinned.stack));
  });

  test('fails when availabilityZoneRebalancing is ENABLED on a daemon (from JavaScript; not a daemon prop) or on ECS Anywhere (PLATFORM)', () => {
    const { stack, environment, instances } = ec2Environment();
    const daemonProps = { environment, image: IMAGE, capacity: Capacity.ec2(instances), availabilityZoneRebalancing: ENABLED };
    expect(() => new DaemonService(stack, 'Agent', daemonProps))
      .toThrow(/^\[cdk-shipyard:PLATFORM\] Test\/Agent: availabilityZoneRebalancing is ENABLED, and the service is a daemon/);
    const external = testStack();
    const env = new Environment(external, 'Env', { profile: EnvironmentProfile.DEVELOPMENT, externalInstances: true });
    expectError(ErrorCode.PLATFORM, () => new WorkerService(external, 'Worker', {
      environment: env, image: IMAGE, capacity: Capacity.external(env.externalInstances!), availabilityZoneRebalancing: ENABLED,
    }));
  });

  test('fails when availabilityZoneRebalancing is not ENABLED or DISABLED (from JavaScript)', () => {
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => webService({ availabilityZoneRebalancing: 'ON' as ecs.AvailabilityZoneRebalancing }));
  });

  test('daemons and ECS Anywhere services get no property: ECS never rebalances them', () => {
    const { stack, environment, instances } = ec2Environment();
    new DaemonService(stack, 'Agent', { environment, image: IMAGE, capacity: Capacity.ec2(instances) });
    expect(rebalancing(stack)).toBeUndefined();
    const external = testStack();
    const env = new Environment(external, 'Env', { profile: EnvironmentProfile.DEVELOPMENT, externalInstances: true });
    new WorkerService(external, 'Worker', { environment: env, image: IMAGE, capacity: Capacity.external(env.externalInstances!) });
    expect(rebalancing(external)).toBeUndefined();
  });

  test('fails at synth when an escape hatch writes ENABLED beside a MaximumPercent of 100', () => {
    const { stack, service } = webService({ deployment: Deployment.rolling({ minHealthyPercent: 50, maxHealthyPercent: 100 }) });
    (service.service.node.defaultChild as ecs.CfnService).addPropertyOverride('AvailabilityZoneRebalancing', 'ENABLED');
    expectValidationError(stack, ErrorCode.DEPLOYMENT, /AvailabilityZoneRebalancing is ENABLED with a MaximumPercent of 100/);
  });
});

describe('the changed default and its flag (cdk-shipyard:availabilityZoneRebalancing)', () => {
  const flag = CHANGED_DEFAULTS.availabilityZoneRebalancing.flag;

  test('with the flag unset, ENABLED comes with a warning on the service that says how to choose', () => {
    const { stack } = webService({}, new Stack(appUnsetting(flag), 'Test'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(flag));
    expect(warnings.map(w => w.id)).toEqual(['/Test/Web']);
    expect(rebalancing(stack)).toBe('ENABLED');
  });

  test('the flag set to false keeps 0.2.0\'s template (no property) for the whole app, with no warning', () => {
    const { stack } = webService({}, new Stack(testApp({ [flag]: false }), 'Test'));
    expect(rebalancing(stack)).toBeUndefined();
    expect(hasWarning(stack, WarningId.CHANGED_DEFAULT)).toBe(false);
  });

  test('a service ECS cannot rebalance meets no changed default: DISABLED, no warning, whatever the flag', () => {
    const { stack } = webService({ deployment: Deployment.rolling({ minHealthyPercent: 50, maxHealthyPercent: 100 }) }, new Stack(appUnsetting(flag), 'Test'));
    expect(rebalancing(stack)).toBe('DISABLED');
    expect(hasWarning(stack, WarningId.CHANGED_DEFAULT)).toBe(false);
  });
});
