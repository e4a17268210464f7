import {
  Duration, Fn, Token, aws_codedeploy as codedeploy, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2,
  aws_events as events, aws_iam as iam, aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BackendService, connectToBackend, IServiceWorkload } from './backend-service';
import { buildService, loadBalancerPath, LoadBalancerPath, notifyDeploymentFailures } from './ecs-service';
import { ServiceWorkloadProps } from './workload-props';
import { applyEnvironmentTags, gracePeriod, resolveDesiredCount, speedOf } from './workload-settings';
import { wireBlueGreen } from '../deployment/blue-green';
import { checkCodeDeployIngress, CodeDeployWiring, wireCodeDeploy } from '../deployment/code-deploy';
import { DeploySpeedSettings } from '../deployment/deploy-speed';
import { DeploymentConfig } from '../deployment/deployment';
import { bindDeployment, enableRollbackAlarms, rolloutOptions } from '../deployment/rollout';
import { IIngress } from '../environment/ingress';
import { Routing } from '../environment/routing';
import { checkPort, checkRange, isKnown, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { ServiceDashboard } from '../observability/dashboards';
import { ServiceAlarms, ServiceAlarmsOptions } from '../observability/service-alarms';
import { ScalingOptions, scaleService } from '../scaling/scaling';
import { buildTask, warnAboutTask } from '../task/task-builder';

/** The load balancer's health check of a service's tasks. */
export interface TargetHealthCheckOptions {
  /**
   * HTTP path the load balancer requests.
   * @default '/'
   */
  readonly path?: string;
  /**
   * Time between checks.
   * @default - the deploy-speed preset's: 10 s (SAFE) or 5 s (FAST); ELB's default of 30 s makes each deployment step slower
   */
  readonly interval?: Duration;
  /**
   * Time to wait for a response.
   * @default - the deploy-speed preset's: 5 s (SAFE) or 4 s (FAST)
   */
  readonly timeout?: Duration;
  /**
   * Consecutive successes before a task receives traffic.
   * @default 2
   */
  readonly healthyThresholdCount?: number;
  /**
   * Consecutive failures before a task is taken out.
   * @default - the deploy-speed preset's: 3 (SAFE) or 2 (FAST)
   */
  readonly unhealthyThresholdCount?: number;
  /**
   * HTTP codes that count as healthy.
   * @default '200-399'
   */
  readonly healthyHttpCodes?: string;
}

/** Properties of a WebService. */
export interface WebServiceProps extends ServiceWorkloadProps {
  /**
   * Port the container listens on (non-root users cannot bind below 1024).
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * The load balancer's health check.
   * @default - path '/', every 10 s, 2 healthy / 3 unhealthy, 5 s timeout
   */
  readonly targetHealthCheck?: TargetHealthCheckOptions;
  /**
   * Time the load balancer drains a task before it stops.
   * @default - the deploy-speed preset's: 30 s (SAFE) or 5 s (FAST); ELB's default of 300 s makes each deployment step slower
   */
  readonly deregistrationDelay?: Duration;
  /**
   * The service's alarms (5xx rate, p99 latency, unhealthy targets, missing tasks, CPU,
   * memory); they notify the environment's alarm topic, and the 5xx and unhealthy-target
   * alarms roll deployments back.
   * @default - every alarm with its default threshold
   */
  readonly alarms?: ServiceAlarmsOptions;
  /**
   * Create a CloudWatch dashboard for the service (requests, errors, latency, CPU, memory,
   * tasks, deployments, alarm states). Each dashboard costs about 3 USD a month and is one
   * more stack resource; the environment's dashboard covers every service's traffic.
   * @default false
   */
  readonly dashboard?: boolean;
  /**
   * The load balancer the service receives traffic from: a dedicated or internal one
   * (`new SharedIngress(...)`) instead of the environment's.
   * @default - the environment's shared load balancer
   */
  readonly ingress?: IIngress;
  /**
   * Where the service receives traffic on the environment's load balancer.
   * @default - every path ('/*') on any host
   */
  readonly routing?: Routing;
  /**
   * Target-tracking auto scaling.
   * @default - a fixed number of tasks
   */
  readonly scaling?: ScalingOptions;
}

/**
 * An HTTP service on Fargate that receives traffic from the environment's shared load balancer.
 */
export class WebService extends Construct implements IServiceWorkload {
  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /** The target group the listener rule forwards to (blue, with blue/green deployments). */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The second (green) target group of a blue/green, linear or canary deployment. */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The listener rule on the load balancer (none with CodeDeploy, which uses the listener's default action). */
  public readonly listenerRule?: elbv2.ApplicationListenerRule;
  /** The CodeDeploy deployment group, with `Deployment.codeDeploy()`. */
  public readonly codeDeployGroup?: codedeploy.EcsDeploymentGroup;
  /**
   * The AppSpec (JSON) that deploys the current task definition with CodeDeploy, with
   * `Deployment.codeDeploy()`: pass it to `aws deploy create-deployment`.
   */
  public readonly codeDeployAppSpec?: string;
  /** The listener rule that sends test traffic to the new revision, when one is configured. */
  public readonly testListenerRule?: elbv2.ApplicationListenerRule;
  /** The role ECS uses to shift traffic between the target groups (blue/green family). */
  public readonly deploymentRole?: iam.IRole;
  /** The service's alarms. */
  public readonly alarms: ServiceAlarms;
  /** The service's dashboard, unless switched off. */
  public readonly dashboard?: ServiceDashboard;
  /** The log group of the main container, unless its logs leave CloudWatch Logs. */
  public readonly logGroup?: logs.ILogGroup;
  /** The task role: grant the service's permissions to it. */
  public readonly taskRole: iam.IRole;
  /** The service's security groups. */
  public readonly connections: ec2.Connections;
  /** The scalable task count, when scaling is configured. */
  public readonly scalableTaskCount?: ecs.ScalableTaskCount;
  /** The rule that notifies the environment's alarm topic when a deployment fails, if it has one. */
  public readonly deploymentFailedRule?: events.Rule;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const env = props.environment;
    const ingress = props.ingress ?? env.ingress;
    const containerPort = props.containerPort ?? 8080;
    checkPort(this, 'containerPort', containerPort);
    checkRange(this, ErrorCode.DEREGISTRATION_DELAY, 'deregistrationDelay', knownSeconds(props.deregistrationDelay), 0, 3600, ' s');
    const desiredCount = resolveDesiredCount(this, env.profile, props.desiredCount, props.scaling);
    const speed = speedOf(env, props.deploySpeed);
    const deployment = bindDeployment(this, props.deployment, speed, { shiftsTraffic: true, allowsCodeDeploy: true });
    if (deployment.codeDeploy) checkCodeDeployIngress(this, ingress, env.ingress);
    const task = buildTask(this, env, props, [{ containerPort, name: 'http', appProtocol: ecs.AppProtocol.http }],
      props.capacity ?? env.defaultCapacity);
    this.taskDefinition = task.taskDefinition;
    this.taskRole = this.taskDefinition.taskRole;
    this.container = task.container;
    this.logGroup = task.logGroup;

    const built = buildService(this, {
      env,
      task,
      securityGroupDescription: 'traffic from the shared load balancer only',
      rollout: rolloutOptions(deployment),
      desiredCount,
      notOnExternal: 'a load balancer',
      enableExec: props.enableExec,
      // The container's start period covers boot; without one, give the app a minute.
      healthCheckGracePeriod: gracePeriod(props.healthCheck),
    });
    this.service = built.service;
    this.connections = built.connections;

    const traffic = this.receiveTraffic(props, ingress, deployment, loadBalancerPath(task, built.securityGroup, containerPort), speed);
    this.targetGroup = traffic.targetGroup;
    this.alternateTargetGroup = traffic.alternateTargetGroup;
    this.listenerRule = traffic.listenerRule;
    this.testListenerRule = traffic.testListenerRule;
    this.deploymentRole = traffic.deploymentRole;

    const loadBalancerFullName = Fn.select(1, Fn.split('loadbalancer/', ingress.loadBalancer.loadBalancerArn));
    const watch = this.watch(props, ingress, deployment, loadBalancerFullName, containerPort, speed.rollbackAlarmMinutes);
    this.alarms = watch.alarms;
    this.dashboard = watch.dashboard;
    this.codeDeployGroup = watch.codeDeploy?.deploymentGroup;
    this.codeDeployAppSpec = watch.codeDeploy?.appSpec;
    this.scalableTaskCount = scaleService(this, this.service, props.scaling, {
      targetGroup: this.targetGroup, alternateTargetGroup: this.alternateTargetGroup, loadBalancerFullName,
    });
    this.deploymentFailedRule = notifyDeploymentFailures(this, env, this.service);

    applyEnvironmentTags(this, env);
    warnAboutTask(this, env, task, props);
  }

  /** Call `backend` over Service Connect: this service joins the namespace in client mode and the backend admits it. */
  public connectTo(backend: BackendService): void {
    connectToBackend(this, backend);
  }

  /**
   * The service's alarms and dashboard, and what rolls a deployment back: ECS's alarm
   * rollback, or CodeDeploy watching the same alarms.
   */
  private watch(props: WebServiceProps, ingress: IIngress, deployment: DeploymentConfig, loadBalancerFullName: string, containerPort: number,
    rollbackAlarmMinutes: number): { alarms: ServiceAlarms; dashboard?: ServiceDashboard; codeDeploy?: CodeDeployWiring } {
    const env = props.environment;
    const targetGroups = this.alternateTargetGroup ? [this.targetGroup, this.alternateTargetGroup] : [this.targetGroup];
    const alarms = new ServiceAlarms(this, 'Alarms', {
      ...props.alarms,
      rollbackAlarmMinutes: props.alarms?.rollbackAlarmMinutes ?? rollbackAlarmMinutes,
      service: this.service,
      clusterName: env.cluster.clusterName,
      targetGroups,
      loadBalancerFullName,
      topic: env.alarmTopic,
    });
    const dashboard = (props.dashboard ?? false) ? new ServiceDashboard(this, 'Dashboard', {
      service: this.service, clusterName: env.cluster.clusterName, targetGroups, loadBalancerFullName, alarms: alarms.alarms,
    }) : undefined;
    enableRollbackAlarms(this, this.service, deployment, alarms.rollbackAlarmNames, {
      problem: 'the deployment rolls back on alarm, but the 5xx-rate and unhealthy-target alarms are both disabled',
      fix: 'keep one of them (alarms.disabled), or set rollbackOnAlarm: false in the deployment',
    });
    const codeDeploy = deployment.codeDeploy ? wireCodeDeploy(this, {
      ingress,
      sharedIngress: env.ingress,
      service: this.service,
      blue: this.targetGroup,
      green: this.alternateTargetGroup!,
      deployment,
      containerName: this.container.containerName,
      containerPort,
      taskDefinition: this.taskDefinition,
    }, alarms.rollbackAlarmNames) : undefined;
    return { alarms, dashboard, codeDeploy };
  }

  /**
   * Receive the routed traffic: the target group, and the load balancer admitted to the tasks.
   * Rolling: a listener rule forwards to the target group. The ECS-native blue/green family: a
   * second target group, and the rule ECS shifts. CodeDeploy: a second target group;
   * CodeDeploy moves the listener's default action.
   */
  private receiveTraffic(props: WebServiceProps, ingress: IIngress, deployment: DeploymentConfig, path: LoadBalancerPath,
    speed: DeploySpeedSettings): TrafficWiring {
    const containerPort = props.containerPort ?? 8080;
    const targetGroupProps: elbv2.ApplicationTargetGroupProps = {
      vpc: props.environment.vpc,
      targetType: path.targetType === 'ip' ? elbv2.TargetType.IP : elbv2.TargetType.INSTANCE,
      port: containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      deregistrationDelay: props.deregistrationDelay ?? speed.deregistrationDelay,
      healthCheck: this.targetHealthCheck(speed, props.targetHealthCheck),
    };
    const targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', targetGroupProps);
    const wiring = this.routeTo(targetGroup, ingress, props.routing ?? {}, deployment, targetGroupProps, containerPort);
    // Ingress from the load balancer's groups only; their egress is the environment's
    // (one rule to the VPC), so no rule per service lands on the shared group.
    for (const group of ingress.loadBalancer.connections.securityGroups) {
      for (const target of path.groups) target.addIngressRule(group, path.port, 'From the shared load balancer');
    }
    return { targetGroup, ...wiring };
  }

  private routeTo(blue: elbv2.ApplicationTargetGroup, ingress: IIngress, routing: Routing, deployment: DeploymentConfig,
    targetGroupProps: elbv2.ApplicationTargetGroupProps, containerPort: number): Omit<TrafficWiring, 'targetGroup'> {
    const containerName = this.container.containerName;
    if (deployment.codeDeploy) {
      return { alternateTargetGroup: new elbv2.ApplicationTargetGroup(this, 'GreenTargetGroup', targetGroupProps) };
    }
    if (deployment.strategy === ecs.DeploymentStrategy.ROLLING) {
      const listenerRule = ingress.addRoute(this, 'ListenerRule', { routing, action: elbv2.ListenerAction.forward([blue]) });
      blue.addTarget(this.service.loadBalancerTarget({ containerName, containerPort }));
      return { listenerRule };
    }
    const wiring = wireBlueGreen(this, {
      ingress, service: this.service, blue, targetGroupProps, routing, deployment, containerName, containerPort,
    });
    return {
      alternateTargetGroup: wiring.green,
      listenerRule: wiring.listenerRule,
      testListenerRule: wiring.testListenerRule,
      deploymentRole: wiring.deploymentRole,
    };
  }

  /**
   * ELB limits: interval 5-300 s, timeout 2-120 s, thresholds 2-10, timeout shorter than
   * interval. Source: Elastic Load Balancing API Reference, CreateTargetGroup.
   */
  private targetHealthCheck(speed: DeploySpeedSettings, options: TargetHealthCheckOptions = {}): elbv2.HealthCheck {
    const interval = options.interval ?? speed.interval;
    const timeout = options.timeout ?? speed.timeout;
    const healthy = options.healthyThresholdCount ?? speed.healthyThresholdCount;
    const unhealthy = options.unhealthyThresholdCount ?? speed.unhealthyThresholdCount;
    const code = ErrorCode.TARGET_HEALTH_CHECK;
    checkRange(this, code, 'targetHealthCheck.interval', knownSeconds(interval), 5, 300, ' s');
    checkRange(this, code, 'targetHealthCheck.timeout', knownSeconds(timeout), 2, 120, ' s');
    checkRange(this, code, 'targetHealthCheck.healthyThresholdCount', healthy, 2, 10);
    checkRange(this, code, 'targetHealthCheck.unhealthyThresholdCount', unhealthy, 2, 10);
    const i = knownSeconds(interval);
    const t = knownSeconds(timeout);
    if (i !== undefined && t !== undefined && t >= i) {
      throw new ShipyardError(this, code, `targetHealthCheck.timeout (${t} s) is not shorter than its interval (${i} s)`,
        'make the timeout shorter than the interval');
    }
    const path = options.path ?? '/';
    if (isKnown(path) && (!path.startsWith('/') || path.length > 1024)) {
      throw new ShipyardError(this, code, `targetHealthCheck.path ${JSON.stringify(path)} is not valid`,
        'give a path that starts with / and has at most 1024 characters');
    }
    const codes = options.healthyHttpCodes ?? '200-399';
    checkSuccessCodes(this, codes);
    return {
      path,
      interval,
      timeout,
      healthyThresholdCount: healthy,
      unhealthyThresholdCount: unhealthy,
      healthyHttpCodes: codes,
    };
  }
}

/**
 * An ALB health check's success codes: codes from 200 to 499, listed (`200,202`) or as ranges
 * (`200-299`). Source: Elastic Load Balancing API Reference, Matcher (HttpCode).
 */
function checkSuccessCodes(scope: Construct, codes: string): void {
  if (Token.isUnresolved(codes)) return;
  const parts = codes.split(',').map(part => /^(\d{3})(?:-(\d{3}))?$/.exec(part.trim()));
  const valid = parts.every(m => m !== null && Number(m[1]) >= 200 && Number(m[2] ?? m[1]) <= 499 && Number(m[1]) <= Number(m[2] ?? m[1]));
  if (!valid) {
    throw new ShipyardError(scope, ErrorCode.TARGET_HEALTH_CHECK, `targetHealthCheck.healthyHttpCodes ${show(codes)} is not valid`,
      'give codes from 200 to 499, listed or as ranges, such as "200", "200,204" or "200-399"');
  }
}

/** How a web service's traffic reaches its tasks. */
interface TrafficWiring {
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  readonly listenerRule?: elbv2.ApplicationListenerRule;
  readonly testListenerRule?: elbv2.ApplicationListenerRule;
  readonly deploymentRole?: iam.IRole;
}
