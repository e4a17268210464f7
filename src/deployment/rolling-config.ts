// The rolling deployment's settings (circuit breaker, alarm rollback, early success), the
// refusal of its options on the other strategies, and the names of the rollback alarms every
// strategy lists.

import { Stack, Token, aws_cloudwatch as cloudwatch, aws_ecs as ecs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { DeploymentBindOptions, DeploymentConfig, RollingDeploymentOptions } from './deployment';
import { EarlySuccess } from './deployment-controls';
import { CHANGED_DEFAULTS, takesNewDefault } from '../guardrails/changed-defaults';
import { checkInteger, checkRange, isKnown } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { alarmBaseName } from '../private/alarms';

/** A rolling deployment: healthy percents checked, circuit breaker, alarm rollback and early success. */
export function rollingConfig(scope: IConstruct, context: DeploymentBindOptions, o: RollingDeploymentOptions): DeploymentConfig {
  const min = o.minHealthyPercent ?? context.defaultMinHealthyPercent ?? 100;
  const max = o.maxHealthyPercent ?? context.defaultMaxHealthyPercent ?? 200;
  checkInteger(scope, ErrorCode.DEPLOYMENT, 'minHealthyPercent', min);
  checkRange(scope, ErrorCode.DEPLOYMENT, 'minHealthyPercent', min, 0, 100, '%');
  checkInteger(scope, ErrorCode.DEPLOYMENT, 'maxHealthyPercent', max);
  checkRange(scope, ErrorCode.DEPLOYMENT, 'maxHealthyPercent', max, 100, 200, '%');
  if (isKnown(min) && isKnown(max) && min === 100 && max === 100) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT,
      'minHealthyPercent and maxHealthyPercent are both 100, so ECS can neither stop an old task nor start a new one',
      'raise maxHealthyPercent above 100 or lower minHealthyPercent');
  }
  const threshold = o.circuitBreakerThreshold?._bind(scope);
  const reset = o.resetCircuitBreakerOnHealthyTask;
  return {
    strategy: ecs.DeploymentStrategy.ROLLING,
    minHealthyPercent: min,
    maxHealthyPercent: max,
    rollbackOnFailure: o.rollbackOnFailure ?? true,
    rollbackOnAlarm: o.rollbackOnAlarm ?? (((context.defaultRollbackOnAlarm ?? true) && (context.hasRollbackAlarms ?? true))
      || (o.rollbackAlarms ?? []).length > 0),
    rollbackAlarmNames: rollbackAlarmNames(o.rollbackAlarms),
    lifecycleHooks: [],
    earlySuccess: (o.earlySuccess ?? presetEarlySuccess(scope, max, context.defaultEarlySuccess))?._bind(scope, min),
    circuitBreaker: threshold || reset !== undefined ? { threshold, resetOnHealthyTask: reset } : undefined,
  };
}

/**
 * The preset's early success criteria, where new tasks start beside the old ones (max above
 * 100%; at 100% the old tasks stop first, and there is no draining left to defer), unless the
 * app keeps 0.1.0's rule with the changed-default flag.
 */
function presetEarlySuccess(scope: IConstruct, max: number, preset: EarlySuccess | undefined): EarlySuccess | undefined {
  if (!preset || !isKnown(max) || max <= 100) return undefined;
  return takesNewDefault(scope, CHANGED_DEFAULTS.rollingEarlySuccess) ? preset : undefined;
}

/**
 * Early success criteria are a rolling deployment's (ECS API Reference,
 * DeploymentEarlySuccessCriteria: "only with rolling deployment strategy"), and so is the
 * circuit breaker (DeploymentCircuitBreaker: "can only be used for services using the rolling
 * update (ECS) deployment type"). TypeScript keeps them off the other strategies' options;
 * from JavaScript or Python they would be dropped without a word.
 */
export function refuseRollingOptions(scope: IConstruct, strategy: string, o: RollingDeploymentOptions): void {
  const given = (['earlySuccess', 'circuitBreakerThreshold', 'resetCircuitBreakerOnHealthyTask'] as const).filter(k => o[k] !== undefined);
  if (given.length === 0) return;
  throw new ShipyardError(scope, ErrorCode.DEPLOYMENT,
    `${given.join(' and ')} ${given.length > 1 ? 'are' : 'is'} given with a ${strategy} deployment, and ECS takes them with rolling deployments only`,
    `use Deployment.rolling() for ${given.join(' and ')}, or leave ${given.length > 1 ? 'them' : 'it'} out`);
}

/**
 * The names a service lists for rollback: an alarm's own when it is known; for an alarm of this
 * app whose name CloudFormation would generate, a fixed name set now (its path, as the
 * library's own alarms are named), since listing the generated name would make the service
 * depend on the alarm while the alarm's metric depends on the service.
 */
export function rollbackAlarmNames(alarms: cloudwatch.IAlarm[] | undefined): string[] {
  return (alarms ?? []).map(alarm => {
    if (!Token.isUnresolved(alarm.alarmName)) return alarm.alarmName;
    const cfn = alarm.node.defaultChild;
    // An unnamed alarm's L1 name is aws-cdk-lib's physical-name token, which resolves to nothing.
    if (cfn instanceof cloudwatch.CfnAlarm && Stack.of(cfn).resolve(cfn.alarmName) === undefined) {
      cfn.alarmName = alarmBaseName(alarm);
      return cfn.alarmName;
    }
    return alarm.alarmName;
  });
}
