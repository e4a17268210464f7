import { aws_ec2 as ec2, aws_ecs as ecs, aws_events as events, aws_iam as iam, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IBackendService, IServiceWorkload } from './backend-service';
import { buildService, notifyDeploymentFailures } from './ecs-service';
import { connectToBackend } from './service-connect';
import { ServiceWorkloadProps, serviceSettings } from './workload-props';
import { applyEnvironmentSettings, resolveDesiredCount, speedOf } from './workload-settings';
import { applyRolloutControls, bindDeployment, enableRollbackAlarms, NO_LOAD_BALANCER_ALARM, rolloutOptions } from '../deployment/rollout';
import { EnvironmentProfile } from '../environment/profile';
import { ServiceAlarms, ServiceAlarmsOptions } from '../observability/service-alarms';
import { ScalingOptions, scaleService } from '../scaling/scaling';
import { buildTask } from '../task/task-builder';
import { warnAboutTask } from '../task/task-findings';

/** Properties of a BackgroundService. */
export interface BackgroundServiceProps extends ServiceWorkloadProps {
  /**
   * Scale the task count between `minCapacity` and `maxCapacity` on CPU, memory, any metric
   * (`Scaling.customMetric`, `Scaling.steps`) or a schedule.
   * @default - a fixed count (`desiredCount`)
   */
  readonly scaling?: ScalingOptions;
  /**
   * The service alarms' thresholds.
   * @default - running tasks below desired, CPU or memory ≥ 90%, unexpected stops
   */
  readonly alarms?: ServiceAlarmsOptions;
}

/**
 * A long-running service that neither listens on a port nor consumes a queue of its own: a
 * poller, a stream or Kafka consumer, a process that connects out. Its tasks get a security
 * group with no inbound rule; it calls backends with `connectTo`. Copilot's Backend Service
 * without `image.port`, and a Compose service with neither `ports` nor `expose`.
 */
export class BackgroundService extends Construct implements IServiceWorkload {
  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The log group of the main container, unless its logs leave CloudWatch Logs. */
  public readonly logGroup?: logs.ILogGroup;
  /** The task role: grant the service's permissions to it. */
  public readonly taskRole: iam.IRole;
  /** The tasks' connections (their own group in awsvpc mode, with no inbound rule). */
  public readonly connections: ec2.Connections;
  /** The service's alarms. */
  public readonly alarms: ServiceAlarms;
  /** The scalable task count, with `scaling`. */
  public readonly scalableTaskCount?: ecs.ScalableTaskCount;
  /** The rule that notifies the environment's alarm topic when a deployment fails, if it has one. */
  public readonly deploymentFailedRule?: events.Rule;

  constructor(scope: Construct, id: string, props: BackgroundServiceProps) {
    super(scope, id);
    const env = props.environment;
    const task = buildTask(this, env, props, [], props.capacity ?? env.defaultCapacity);
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.logGroup = task.logGroup;
    this.taskRole = this.taskDefinition.taskRole;

    const desiredCount = resolveDesiredCount(this, env.profile, props.desiredCount, props.scaling);
    const deployment = bindDeployment(this, props.deployment, speedOf(env, props.deploySpeed), { shiftsTraffic: false, hasRollbackAlarms: false });
    const built = buildService(this, {
      ...serviceSettings(id, props),
      env,
      task,
      securityGroupDescription: 'a background service; no inbound traffic',
      rollout: rolloutOptions(deployment),
      desiredCount,
    });
    this.service = built.service;
    this.connections = built.connections;
    this.alarms = new ServiceAlarms(this, 'Alarms', { ...props.alarms, service: this.service, clusterName: env.cluster.clusterName, topic: env.alarmTopic });
    applyRolloutControls(this.service, deployment);
    enableRollbackAlarms(this, this.service, deployment, [], NO_LOAD_BALANCER_ALARM);
    this.deploymentFailedRule = notifyDeploymentFailures(this, env, this.service);
    this.scalableTaskCount = scaleService(this, this.service, props.scaling, {}, env.profile === EnvironmentProfile.PRODUCTION);
    applyEnvironmentSettings(this, env);
    warnAboutTask(this, env, task, props);
  }

  /** Call `backend` over Service Connect: this service joins the namespace in client mode and the backend admits it. */
  public connectTo(backend: IBackendService): void {
    connectToBackend(this, backend);
  }
}
