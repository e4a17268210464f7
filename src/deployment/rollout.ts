import { aws_ecs as ecs } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DeploySpeedSettings } from './deploy-speed';
import { Deployment, DeploymentConfig } from './deployment';
import { applyDeploymentControls, EarlySuccess } from './deployment-controls';
import { ErrorCode, ShipyardError } from '../guardrails/errors';

/** The deployment settings of an ECS service, as aws-cdk-lib's service options. */
export type RolloutOptions = Pick<ecs.BaseServiceOptions,
'circuitBreaker' | 'deploymentController' | 'taskDefinitionRevision' | 'minHealthyPercent' | 'maxHealthyPercent' | 'deploymentStrategy'
| 'bakeTime' | 'linearConfiguration' | 'canaryConfiguration'>;

/**
 * The service settings of a deployment. Rolling takes the deployment's percentages; the
 * blue/green family starts a full second set of tasks, then stops the old one (100/200);
 * CodeDeploy takes its own controller and no circuit breaker (it rolls back failed
 * deployments itself).
 */
export function rolloutOptions(deployment: DeploymentConfig): RolloutOptions {
  const rolling = deployment.strategy === ecs.DeploymentStrategy.ROLLING;
  const codeDeploy = deployment.codeDeploy !== undefined;
  return {
    circuitBreaker: codeDeploy ? undefined : { enable: true, rollback: deployment.rollbackOnFailure },
    deploymentController: codeDeploy ? { type: ecs.DeploymentControllerType.CODE_DEPLOY } : undefined,
    taskDefinitionRevision: codeDeploy ? ecs.TaskDefinitionRevision.LATEST : undefined,
    minHealthyPercent: rolling ? deployment.minHealthyPercent : 100,
    maxHealthyPercent: rolling ? deployment.maxHealthyPercent : 200,
    deploymentStrategy: rolling || codeDeploy ? undefined : deployment.strategy,
    bakeTime: codeDeploy ? undefined : deployment.bakeTime,
    linearConfiguration: deployment.strategy === ecs.DeploymentStrategy.LINEAR ? deployment.trafficShift : undefined,
    canaryConfiguration: deployment.strategy === ecs.DeploymentStrategy.CANARY ? deployment.trafficShift : undefined,
  };
}

/** A daemon's settings: circuit breaker with rollback; old tasks stop before new ones start (one per instance). */
export function daemonRolloutOptions(minHealthyPercent: number): RolloutOptions {
  return { circuitBreaker: { enable: true, rollback: true }, minHealthyPercent, maxHealthyPercent: 100 };
}

/** What a workload tells its deployment when binding it. */
export interface RolloutContext {
  /** Whether a load balancer or Service Connect can shift traffic (the blue/green family allowed). */
  readonly shiftsTraffic: boolean;
  /** Whether the workload has alarms of its own that roll a deployment back. */
  readonly hasRollbackAlarms?: boolean;
  /** Whether CodeDeploy may drive the deployment (WebService only). */
  readonly allowsCodeDeploy?: boolean;
}

/** The workload's deployment (rolling unless given), validated, with the deploy-speed preset's percentages. */
export function bindDeployment(scope: IConstruct, deployment: Deployment | undefined, speed: DeploySpeedSettings,
  context: RolloutContext): DeploymentConfig {
  const config = (deployment ?? Deployment.rolling())._bind(scope, {
    shiftsTraffic: context.shiftsTraffic,
    hasRollbackAlarms: context.hasRollbackAlarms,
    defaultMinHealthyPercent: speed.minHealthyPercent,
    defaultMaxHealthyPercent: speed.maxHealthyPercent,
    defaultRollbackOnAlarm: speed.rollbackOnAlarm,
    defaultEarlySuccess: speed.deferredCleanup ? EarlySuccess.deferredCleanup() : undefined,
  });
  if (config.codeDeploy && !context.allowsCodeDeploy) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, 'CodeDeploy deployments are available for WebService only',
      'use Deployment.rolling(), or the ECS-native blueGreen/linear/canary where the workload has a load balancer');
  }
  return config;
}

/**
 * The deployment's early success criteria and circuit-breaker settings, on the service's
 * template (property overrides: aws-cdk-lib 2.257 does not type them).
 */
export function applyRolloutControls(service: ecs.BaseService, deployment: DeploymentConfig): void {
  applyDeploymentControls(service, deployment.earlySuccess, deployment.circuitBreaker);
}

/**
 * When the deployment rolls back on alarm: the workload's own rollback alarms and the
 * deployment's, which must not be none (`none` says why there are none and the fix). ECS
 * watches them during the deployment and its bake, except under CodeDeploy, which watches
 * them itself.
 */
export function enableRollbackAlarms(scope: IConstruct, service: ecs.BaseService, deployment: DeploymentConfig,
  ownAlarmNames: string[], none: { problem: string; fix: string }): void {
  if (!deployment.rollbackOnAlarm) return;
  const names = [...ownAlarmNames, ...deployment.rollbackAlarmNames];
  if (names.length === 0) throw new ShipyardError(scope, ErrorCode.ALARM, none.problem, none.fix);
  if (!deployment.codeDeploy) service.enableDeploymentAlarms(names, { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
}

/** Why a workload without a load balancer has no rollback alarm of its own, and the fix. */
export const NO_LOAD_BALANCER_ALARM = {
  problem: 'the deployment rolls back on alarm, but the workload has no load balancer alarm to watch',
  fix: 'give the deployment rollbackAlarms of your own, or set rollbackOnAlarm: false (the circuit breaker still rolls back failed deployments)',
};
