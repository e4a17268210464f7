import { Duration, aws_cloudwatch as cloudwatch, aws_codedeploy as codedeploy, aws_ecs as ecs, aws_lambda as lambda } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import {
  CircuitBreakerSettings, CircuitBreakerThreshold, EarlySuccess, EarlySuccessConfig, LifecycleHookTimeoutAction,
} from './deployment-controls';
import { refuseRollingOptions, rollingConfig } from './rolling-config';
import { codeDeployConfig, strategyName, trafficShiftConfig } from './traffic-shift-config';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/** Options for a rolling deployment. */
export interface RollingDeploymentOptions {
  /**
   * Lowest share of the desired count that stays running and healthy during a deployment.
   * @default - 100 (never serve with fewer tasks than asked) with DeploySpeed.SAFE, 50 with FAST
   */
  readonly minHealthyPercent?: number;
  /**
   * Highest share of the desired count that may run during a deployment.
   * @default 200 - a full new set of tasks starts beside the old one
   */
  readonly maxHealthyPercent?: number;
  /**
   * Roll back automatically when the deployment circuit breaker trips.
   * @default true
   */
  readonly rollbackOnFailure?: boolean;
  /**
   * Roll back when one of the service's rollback alarms (5xx rate, unhealthy targets) fires
   * during the deployment or ECS's bake after it (see `DeploySpeed`).
   * @default - true with DeploySpeed.SAFE (production); false with DeploySpeed.FAST
   * (development) unless `rollbackAlarms` are given
   */
  readonly rollbackOnAlarm?: boolean;
  /**
   * More alarms that roll a deployment back while it runs (an error-rate or queue alarm of
   * your own). An alarm of this app without a name is given a fixed one (derived from its
   * path), so that the service names it without depending on it: an alarm on the service's
   * own metrics would otherwise form a service-alarm cycle CloudFormation rejects.
   * @default - the service's own rollback alarms only
   */
  readonly rollbackAlarms?: cloudwatch.IAlarm[];
  /**
   * When ECS calls the deployment done (its early success criteria). `EarlySuccess.none()`
   * keeps ECS's own rule: done once the old tasks are gone, their draining included.
   * @default - EarlySuccess.deferredCleanup() with either DeploySpeed preset where
   * maxHealthyPercent is above 100: done once every task of the new revision is healthy and the
   * alarm bake (if any) is over, the old tasks draining after; ECS's own rule at 100 (the old
   * tasks stop before new ones start)
   */
  readonly earlySuccess?: EarlySuccess;
  /**
   * How many failed tasks trip the circuit breaker.
   * @default - ECS's: 50% of the desired count, at least 3 and at most 200 failed tasks
   */
  readonly circuitBreakerThreshold?: CircuitBreakerThreshold;
  /**
   * Whether a task that turns healthy resets the circuit breaker's failure count to 0 (ECS's
   * default); false counts every failure since the deployment started, so a release whose
   * tasks keep failing after some turned healthy still trips it.
   * @default true - ECS's default
   */
  readonly resetCircuitBreakerOnHealthyTask?: boolean;
}

/** A Lambda function ECS invokes at deployment lifecycle stages; it answers SUCCEEDED, FAILED or IN_PROGRESS. */
export interface LifecycleHook {
  /** The function to invoke. */
  readonly handler: lambda.IFunction;
  /** The stages to invoke it at (for example PRE_SCALE_UP, POST_TEST_TRAFFIC_SHIFT). */
  readonly stages: ecs.DeploymentLifecycleStage[];
  /**
   * How long ECS waits for the hook to answer SUCCEEDED or FAILED (whole minutes, 1-20160).
   * @default - ECS's: 24 hours
   */
  readonly timeout?: Duration;
  /**
   * What ECS does when the hook runs past its timeout.
   * @default LifecycleHookTimeoutAction.ROLLBACK - ECS's default
   */
  readonly timeoutAction?: LifecycleHookTimeoutAction;
}

/** Options shared by the blue/green family of deployments. */
export interface BlueGreenOptions {
  /**
   * Time both revisions run after production traffic moved, before the old one stops
   * (a rollback within it is instant).
   * @default Duration.minutes(10)
   */
  readonly bakeTime?: Duration;
  /**
   * Route test traffic to the new revision before production traffic moves, by HTTP header
   * on the production listener or through the environment's test listener.
   * @default - no test traffic
   */
  readonly testTraffic?: TestTraffic;
  /**
   * Functions ECS invokes at lifecycle stages (pre-scale-up, post-test-traffic-shift...).
   * @default - none
   */
  readonly lifecycleHooks?: LifecycleHook[];
  /**
   * Roll back when one of the service's rollback alarms fires during the deployment.
   * @default true
   */
  readonly rollbackOnAlarm?: boolean;
  /**
   * More alarms that roll a deployment back while it runs; named as for rolling deployments
   * (an unnamed alarm of this app is given a fixed name, so no service-alarm cycle forms).
   * @default - the service's own rollback alarms only
   */
  readonly rollbackAlarms?: cloudwatch.IAlarm[];
}

/** What test traffic resolves to. */
export interface TestTrafficConfig {
  /**
   * Header name, for header-routed test traffic.
   * @default - not routed by header
   */
  readonly headerName?: string;
  /**
   * Header values, for header-routed test traffic.
   * @default - not routed by header
   */
  readonly headerValues?: string[];
  /** Whether test traffic arrives on the environment's test listener. */
  readonly onTestListener: boolean;
}

/** How test requests reach the new revision of a blue/green, linear or canary deployment. */
export class TestTraffic {
  /**
   * Requests that carry this header (and match the service's routing) on the production
   * listener reach the new revision.
   * @param name header name (default 'x-shipyard-test')
   * @param values header values (default ['true'])
   */
  public static header(name?: string, values?: string[]): TestTraffic {
    return new TestTraffic(false, name ?? 'x-shipyard-test', values ?? ['true']);
  }

  /**
   * Requests on the environment's test listener (`ingress.testListener`) that match the
   * service's routing reach the new revision.
   */
  public static testListener(): TestTraffic {
    return new TestTraffic(true);
  }

  private constructor(
    private readonly onTestListener: boolean,
    private readonly headerName?: string,
    private readonly headerValues?: string[],
  ) {}

  /**
   * Validate against `scope`.
   * @internal
   */
  public _bind(scope: IConstruct): TestTrafficConfig {
    if (this.headerName !== undefined) {
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$/.test(this.headerName)) {
        throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, `test traffic header name ${show(this.headerName)} is not a valid HTTP header name`,
          'use up to 40 letters, digits and - (for example x-shipyard-test)');
      }
      if ((this.headerValues ?? []).length === 0) {
        throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, 'test traffic header has no values', 'give at least one value, or leave values out for "true"');
      }
    }
    return { onTestListener: this.onTestListener, headerName: this.headerName, headerValues: this.headerValues };
  }
}

/** Options for a linear deployment. */
export interface LinearDeploymentOptions extends BlueGreenOptions {
  /**
   * Percent of production traffic moved at each step (3-100, in steps of 0.1).
   * @default 10
   */
  readonly stepPercent?: number;
  /**
   * Wait between steps (0-1440 minutes).
   * @default Duration.minutes(6)
   */
  readonly stepBakeTime?: Duration;
}

/** Options for a canary deployment. */
export interface CanaryDeploymentOptions extends BlueGreenOptions {
  /**
   * Percent of production traffic the canary receives first (0.1-100).
   * @default 5
   */
  readonly canaryPercent?: number;
  /**
   * How long the canary takes that share before the rest moves (0-1440 minutes).
   * @default Duration.minutes(10)
   */
  readonly canaryBakeTime?: Duration;
}

/** AppSpec lifecycle events of an ECS CodeDeploy deployment a hook function can run at. */
export enum CodeDeployHookStage {
  /** Before the replacement task set is created. */
  BEFORE_INSTALL = 'BeforeInstall',
  /** After the replacement task set is created and its target group attached. */
  AFTER_INSTALL = 'AfterInstall',
  /** After the test listener sends traffic to the replacement task set. */
  AFTER_ALLOW_TEST_TRAFFIC = 'AfterAllowTestTraffic',
  /** Before production traffic moves to the replacement task set. */
  BEFORE_ALLOW_TRAFFIC = 'BeforeAllowTraffic',
  /** After production traffic moved. */
  AFTER_ALLOW_TRAFFIC = 'AfterAllowTraffic',
}

/** A Lambda function CodeDeploy invokes at an AppSpec lifecycle event. */
export interface CodeDeployHook {
  /** The lifecycle event. */
  readonly stage: CodeDeployHookStage;
  /** The function; it reports with codedeploy:PutLifecycleEventHookExecutionStatus (granted on the deployment group). */
  readonly handler: lambda.IFunction;
}

/** Options of a CodeDeploy blue/green deployment. */
export interface CodeDeployOptions {
  /**
   * How traffic moves: all at once, linear, canary, or a custom `codedeploy.EcsDeploymentConfig`.
   * @default codedeploy.EcsDeploymentConfig.ALL_AT_ONCE
   */
  readonly deploymentConfig?: codedeploy.IEcsDeploymentConfig;
  /**
   * How long the original task set keeps running after traffic moved (0-2880 minutes), the
   * window for an instant rollback.
   * @default Duration.minutes(5)
   */
  readonly terminationWaitTime?: Duration;
  /**
   * Roll back when the 5xx-rate or unhealthy-target alarm fires during the deployment.
   * @default true
   */
  readonly rollbackOnAlarm?: boolean;
  /**
   * Functions run at AppSpec lifecycle events (they are listed in `WebService.codeDeployAppSpec`).
   * @default - none
   */
  readonly hooks?: CodeDeployHook[];
}

/** A CodeDeploy deployment once bound. */
export interface CodeDeployConfig {
  /** The traffic-shifting configuration. */
  readonly deploymentConfig: codedeploy.IEcsDeploymentConfig;
  /** Time the original task set keeps running. */
  readonly terminationWaitTime: Duration;
  /** AppSpec hooks. */
  readonly hooks: CodeDeployHook[];
}

/** What a deployment strategy resolves to on an ECS service. */
export interface DeploymentConfig {
  /** The ECS deployment strategy. */
  readonly strategy: ecs.DeploymentStrategy;
  /** Minimum healthy percent (rolling). */
  readonly minHealthyPercent?: number;
  /** Maximum percent (rolling). */
  readonly maxHealthyPercent?: number;
  /** Whether the circuit breaker rolls back. */
  readonly rollbackOnFailure: boolean;
  /** Whether the rollback alarms roll back. */
  readonly rollbackOnAlarm: boolean;
  /** The names of the user's own rollback alarms, besides the service's. */
  readonly rollbackAlarmNames: string[];
  /** Bake time (blue/green family). */
  readonly bakeTime?: Duration;
  /** Traffic steps (linear, canary). */
  readonly trafficShift?: ecs.TrafficShiftConfig;
  /** Test traffic (blue/green family). */
  readonly testTraffic?: TestTrafficConfig;
  /** Lifecycle hooks (blue/green family). */
  readonly lifecycleHooks: LifecycleHook[];
  /**
   * Each lifecycle hook's `TimeoutConfiguration`, by index (none where the hook keeps ECS's).
   * @default - none
   */
  readonly lifecycleHookTimeouts?: Array<Record<string, unknown> | undefined>;
  /**
   * Early success criteria (rolling).
   * @default - ECS's own rule
   */
  readonly earlySuccess?: EarlySuccessConfig;
  /**
   * Circuit-breaker threshold and reset rule (rolling).
   * @default - ECS's
   */
  readonly circuitBreaker?: CircuitBreakerSettings;
  /**
   * CodeDeploy settings, when CodeDeploy (not ECS) deploys the service.
   * @default - ECS deploys the service
   */
  readonly codeDeploy?: CodeDeployConfig;
}

/** What a workload tells its deployment strategy. */
export interface DeploymentBindOptions {
  /** Whether the workload has a load balancer (or Service Connect) whose traffic can shift. */
  readonly shiftsTraffic: boolean;
  /**
   * Minimum healthy percent when the strategy leaves it open (the deploy-speed preset's).
   * @default 100
   */
  readonly defaultMinHealthyPercent?: number;
  /**
   * Maximum percent when the strategy leaves it open.
   * @default 200
   */
  readonly defaultMaxHealthyPercent?: number;
  /**
   * Whether the workload has alarms that can roll a deployment back (load balancer 5xx and
   * health); without them alarm rollback is off unless asked for, and asking for it fails.
   * @default true
   */
  readonly hasRollbackAlarms?: boolean;
  /**
   * Whether a rolling deployment rolls back on the workload's alarms unless told (the
   * deploy-speed preset's); alarms given in `rollbackAlarms` always roll back.
   * @default true
   */
  readonly defaultRollbackOnAlarm?: boolean;
  /**
   * Early success criteria of a rolling deployment unless told (the deploy-speed preset's).
   * @default - ECS's own rule
   */
  readonly defaultEarlySuccess?: EarlySuccess;
}

/**
 * How a workload rolls out a new task definition.
 *
 * Every strategy keeps the deployment circuit breaker on and, by default, rolls back when
 * the service's rollback alarms fire, so a bad release stops instead of hanging for hours.
 */
export class Deployment {
  /** A rolling deployment with the circuit breaker and alarm rollback (the default). */
  public static rolling(options: RollingDeploymentOptions = {}): Deployment {
    return new Deployment(ecs.DeploymentStrategy.ROLLING, options);
  }

  /**
   * ECS-native blue/green: the new revision starts beside the old one on a second target
   * group, takes test traffic, then all production traffic at once, and the old one stays
   * for the bake time.
   */
  public static blueGreen(options: BlueGreenOptions = {}): Deployment {
    return new Deployment(ecs.DeploymentStrategy.BLUE_GREEN, options);
  }

  /** ECS-native linear: production traffic moves in equal steps with a wait after each. */
  public static linear(options: LinearDeploymentOptions = {}): Deployment {
    return new Deployment(ecs.DeploymentStrategy.LINEAR, options);
  }

  /** ECS-native canary: a small share of production traffic first, then the rest. */
  public static canary(options: CanaryDeploymentOptions = {}): Deployment {
    return new Deployment(ecs.DeploymentStrategy.CANARY, options);
  }

  /**
   * CodeDeploy blue/green (the CODE_DEPLOY deployment controller) on a load balancer of the
   * service's own (`WebService.ingress`): CodeDeploy moves the listener's default action. New
   * task definitions reach the service through `aws deploy create-deployment` with the
   * service's `codeDeployAppSpec`, not through CloudFormation. AWS recommends the ECS-native
   * `blueGreen()` for new services; use this where CodeDeploy is the release tool.
   */
  public static codeDeploy(options: CodeDeployOptions = {}): Deployment {
    return new Deployment(ecs.DeploymentStrategy.BLUE_GREEN, options, options);
  }

  private constructor(
    /** The ECS deployment strategy this stands for. */
    public readonly strategy: ecs.DeploymentStrategy,
    private readonly options: RollingDeploymentOptions & LinearDeploymentOptions & CanaryDeploymentOptions,
    private readonly codeDeployOptions?: CodeDeployOptions,
  ) {}

  /**
   * Validate the strategy against `scope` and return the service settings.
   * @internal
   */
  public _bind(scope: IConstruct, context: DeploymentBindOptions): DeploymentConfig {
    if (this.codeDeployOptions) refuseRollingOptions(scope, 'CodeDeploy', this.options);
    else if (this.strategy !== ecs.DeploymentStrategy.ROLLING) refuseRollingOptions(scope, strategyName(this.strategy), this.options);
    if (this.codeDeployOptions) return codeDeployConfig(scope, context, this.codeDeployOptions);
    if (this.strategy === ecs.DeploymentStrategy.ROLLING) return rollingConfig(scope, context, this.options);
    return trafficShiftConfig(scope, context, this.strategy, this.options);
  }
}
