// The traffic-shifting deployments' settings: ECS-native blue/green, linear and canary (bake
// times, traffic steps, test traffic, lifecycle hooks, each checked), and CodeDeploy's.

import { Duration, aws_codedeploy as codedeploy, aws_ecs as ecs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { CanaryDeploymentOptions, CodeDeployOptions, DeploymentBindOptions, DeploymentConfig, LinearDeploymentOptions } from './deployment';
import { hookTimeoutConfiguration } from './deployment-controls';
import { rollbackAlarmNames } from './rolling-config';
import { checkRange, isKnown, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';

/** The strategy's name in messages: blue/green, linear or canary. */
export function strategyName(strategy: ecs.DeploymentStrategy): string {
  return strategy.toLowerCase().replace('_', '/');
}

/** ECS-native blue/green, linear or canary: needs traffic to shift; bake time, steps and hooks checked. */
export function trafficShiftConfig(scope: IConstruct, context: DeploymentBindOptions, strategy: ecs.DeploymentStrategy,
  o: LinearDeploymentOptions & CanaryDeploymentOptions): DeploymentConfig {
  const name = strategyName(strategy);
  if (!context.shiftsTraffic) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `a ${name} deployment needs a load balancer or Service Connect to shift traffic`,
      'use Deployment.rolling(), or give the workload a load balancer');
  }
  // Source: Amazon ECS API Reference, DeploymentConfiguration: bakeTimeInMinutes 0-1440,
  // linear stepPercent 3.0-100.0, canaryPercent 0.1-100.0, step bake times 0-1440 minutes.
  const bakeTime = o.bakeTime ?? Duration.minutes(10);
  checkMinutes(scope, 'bakeTime', bakeTime);
  let trafficShift: ecs.TrafficShiftConfig | undefined;
  if (strategy === ecs.DeploymentStrategy.LINEAR) {
    trafficShift = { stepPercent: o.stepPercent ?? 10, stepBakeTime: o.stepBakeTime ?? Duration.minutes(6) };
    checkPercent(scope, 'stepPercent', trafficShift.stepPercent!, 3);
    checkMinutes(scope, 'stepBakeTime', trafficShift.stepBakeTime);
  } else if (strategy === ecs.DeploymentStrategy.CANARY) {
    trafficShift = { stepPercent: o.canaryPercent ?? 5, stepBakeTime: o.canaryBakeTime ?? Duration.minutes(10) };
    checkPercent(scope, 'canaryPercent', trafficShift.stepPercent!, 0.1);
    checkMinutes(scope, 'canaryBakeTime', trafficShift.stepBakeTime);
  }
  const hooks = o.lifecycleHooks ?? [];
  hooks.forEach((hook, i) => {
    if (hook.stages.length === 0) {
      throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `lifecycle hook ${i} has no stages`, 'name the stages ECS should invoke the function at');
    }
  });
  return {
    strategy,
    rollbackOnFailure: true,
    rollbackOnAlarm: o.rollbackOnAlarm ?? true,
    rollbackAlarmNames: rollbackAlarmNames(o.rollbackAlarms),
    bakeTime,
    trafficShift,
    testTraffic: o.testTraffic?._bind(scope),
    lifecycleHooks: hooks,
    lifecycleHookTimeouts: hooks.map((hook, i) => hookTimeoutConfiguration(scope, i, hook.timeout, hook.timeoutAction)),
  };
}

/** Source: AWS CodeDeploy API Reference, BlueGreenDeploymentConfiguration (termination wait 0-2880 minutes). */
export function codeDeployConfig(scope: IConstruct, context: DeploymentBindOptions, o: CodeDeployOptions): DeploymentConfig {
  if (!context.shiftsTraffic) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, 'a CodeDeploy deployment needs a load balancer to shift traffic',
      'use Deployment.rolling(), or give the workload a load balancer');
  }
  const wait = o.terminationWaitTime ?? Duration.minutes(5);
  const seconds = knownSeconds(wait);
  if (seconds !== undefined && seconds % 60 !== 0) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `terminationWaitTime is ${seconds} s, not whole minutes`, 'give it in whole minutes');
  }
  checkRange(scope, ErrorCode.DEPLOYMENT, 'terminationWaitTime', seconds === undefined ? undefined : seconds / 60, 0, 2880, ' minutes');
  const stages = (o.hooks ?? []).map(h => h.stage);
  const twice = stages.find((s, i) => stages.indexOf(s) !== i);
  if (twice) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `two CodeDeploy hooks run at ${twice}`, 'give each lifecycle event one function (it can call others)');
  }
  return {
    strategy: ecs.DeploymentStrategy.BLUE_GREEN,
    rollbackOnFailure: true,
    rollbackOnAlarm: o.rollbackOnAlarm ?? true,
    rollbackAlarmNames: [],
    lifecycleHooks: [],
    codeDeploy: {
      deploymentConfig: o.deploymentConfig ?? codedeploy.EcsDeploymentConfig.ALL_AT_ONCE,
      terminationWaitTime: wait,
      hooks: o.hooks ?? [],
    },
  };
}

function checkMinutes(scope: IConstruct, what: string, value: Duration | undefined): void {
  const seconds = knownSeconds(value);
  if (seconds === undefined) return;
  if (seconds % 60 !== 0) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `${what} is ${seconds} s, not whole minutes`, `give ${what} in whole minutes`);
  }
  checkRange(scope, ErrorCode.DEPLOYMENT, what, seconds / 60, 0, 1440, ' minutes');
}

function checkPercent(scope: IConstruct, what: string, value: number, min: number): void {
  checkRange(scope, ErrorCode.DEPLOYMENT, what, value, min, 100, '%');
  if (isKnown(value) && Math.abs(value * 10 - Math.round(value * 10)) > 1e-9) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `${what} is ${value}%, not a multiple of 0.1`, `round ${what} to one decimal`);
  }
}
