import {
  Duration, aws_codedeploy as codedeploy, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2,
  aws_events as events, aws_iam as iam, aws_logs as logs, aws_route53 as route53, aws_servicediscovery as servicediscovery,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IBackendService, IServiceWorkload, ServiceConnectOptions } from './backend-service';
import { buildService, BuiltService, notifyDeploymentFailures } from './ecs-service';
import { checkGatewayDeployment, checkGatewayTask } from './gateway-connector';
import { checkServiceConnectServer, connectToBackend, SERVICE_CONNECT_CONFIGURED, serviceConnectServer } from './service-connect';
import { LoadBalancingOptions, registeredTarget, TargetHealthCheckOptions } from './target-group';
import { checkAdditionalRoutes } from './web-routes';
import { joinGateway, receiveAlbTraffic, ServiceTraffic, WayIn, wayIn } from './web-traffic';
import { watchWebService } from './web-watch';
import { ServiceWorkloadProps, serviceSettings } from './workload-props';
import { applyEnvironmentSettings, gracePeriod, resolveDesiredCount, speedOf } from './workload-settings';
import { checkCodeDeployIngress } from '../deployment/code-deploy';
import { DeploySpeedSettings } from '../deployment/deploy-speed';
import { DeploymentConfig } from '../deployment/deployment';
import { bindDeployment, rolloutOptions } from '../deployment/rollout';
import { IEnvironment } from '../environment/environment';
import { IEcsGateway } from '../environment/gateway';
import { IIngress } from '../environment/ingress';
import { EnvironmentProfile } from '../environment/profile';
import { Routing } from '../environment/routing';
import { checkPort, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { ServiceDashboard } from '../observability/dashboards';
import { ServiceAlarms, ServiceAlarmsOptions } from '../observability/service-alarms';
import { ScalingOptions, scaleService } from '../scaling/scaling';
import { buildTask, TaskModel } from '../task/task-builder';
import { warnAboutTask } from '../task/task-findings';

/** Properties of a WebService. */
export interface WebServiceProps extends ServiceWorkloadProps {
  /**
   * Port the container listens on (non-root users cannot bind below 1024).
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * The load balancer's health check.
   * @default - path '/', every 5 s, 2 healthy / 3 unhealthy, 4 s timeout (the deploy-speed preset's)
   */
  readonly targetHealthCheck?: TargetHealthCheckOptions;
  /**
   * The container the load balancer sends requests to: a sidecar in front of the app (an
   * envoy or TLS proxy), by name. It must map `targetPort` (its `portMappings`).
   * @default - the app container
   */
  readonly targetContainer?: string;
  /**
   * The port of `targetContainer` the load balancer sends requests to.
   * @default - containerPort for the app; the first port mapping of a sidecar
   */
  readonly targetPort?: number;
  /**
   * More routes to the service, each with its own conditions, target group and health check,
   * to the app on another port or to a sidecar (an admin port, a gRPC port, a TLS proxy). Each
   * route's rule gets an automatic priority and the collision checks of every rule. Rolling
   * deployments only: CodeDeploy shifts one pair of target groups, and the ECS blue/green
   * family here shifts the service's main route. At most 4 (ECS attaches up to 5 target groups
   * to a service).
   * @default - the main route only
   */
  readonly additionalRoutes?: AdditionalRoute[];
  /**
   * How the load balancer spreads requests over the tasks: stickiness, slow start, algorithm,
   * protocol version (HTTP/1.1, HTTP/2, gRPC).
   * @default - round robin over HTTP/1.1, no stickiness, no slow start
   */
  readonly loadBalancing?: LoadBalancingOptions;
  /**
   * How long ECS ignores failing load balancer health checks of a new task (a slow start).
   * @default - the container health check's start period, or 60 s without a container health check
   */
  readonly healthCheckGracePeriod?: Duration;
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
  /**
   * Also publish the service in the environment's Service Connect namespace, so other
   * workloads call it by name (`http://<dnsName>:<containerPort>`, or the
   * `clientAliasPort` given, through `connectTo`) while the load balancer serves the outside.
   * @default - reachable through the load balancer only
   */
  readonly serviceConnect?: ServiceConnectOptions;
}

/** One more route to a web service: where it receives traffic, and the container and port it goes to. */
export interface AdditionalRoute {
  /** Where the route receives traffic on the load balancer (its conditions must differ from the other routes'). */
  readonly routing: Routing;
  /**
   * The container the route sends requests to, by name.
   * @default - the app container
   */
  readonly targetContainer?: string;
  /**
   * The port of `targetContainer` the route sends requests to; another port of the app
   * container is mapped for it.
   * @default - containerPort for the app; the first port mapping of a sidecar
   */
  readonly targetPort?: number;
  /**
   * The load balancer's health check of this route's targets.
   * @default - the service's targetHealthCheck
   */
  readonly targetHealthCheck?: TargetHealthCheckOptions;
}

/**
 * An HTTP service on Fargate that receives traffic from the environment's shared load balancer.
 */
export class WebService extends Construct implements IServiceWorkload, IBackendService {
  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /**
   * The target group the listener rule forwards to (blue, with blue/green deployments). A
   * service on the environment's ECS gateway has none (ECS manages its target groups), and
   * reading it there fails.
   */
  public get targetGroup(): elbv2.ApplicationTargetGroup {
    if (!this._targetGroup) {
      throw new ShipyardError(this, ErrorCode.GATEWAY, 'the web service joins the environment\'s ECS gateway, which creates and owns its target groups',
        'read the gateway route with ECS (DescribeGatewayRoute lists its target groups), or route the service through a load balancer of the library\'s (ingress)');
    }
    return this._targetGroup;
  }
  /** The second (green) target group of a blue/green, linear or canary deployment. */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The target groups of `additionalRoutes`, in their order. */
  public readonly additionalTargetGroups: elbv2.ApplicationTargetGroup[];
  /** The listener rules of `additionalRoutes`, in their order. */
  public readonly additionalListenerRules: elbv2.ApplicationListenerRule[];
  /**
   * The listener rule on the load balancer; CodeDeploy deployments have none (they use the
   * listener's default action), nor do services on an ECS gateway, and reading it there fails.
   */
  public get listenerRule(): elbv2.ApplicationListenerRule {
    if (!this._listenerRule && this.gateway) {
      throw new ShipyardError(this, ErrorCode.GATEWAY, 'the web service joins the environment\'s ECS gateway, which creates and owns its listener rules',
        'route the service through a load balancer of the library\'s (ingress) to add conditions of your own');
    }
    if (!this._listenerRule) {
      throw new ShipyardError(this, ErrorCode.DEPLOYMENT, 'a CodeDeploy web service has no listener rule: its own load balancer\'s listener forwards to it',
        'use codeDeployGroup, or targetGroup and alternateTargetGroup, to reach its traffic wiring');
    }
    return this._listenerRule;
  }
  /** The CodeDeploy deployment group, with `Deployment.codeDeploy()`. */
  public readonly codeDeployGroup?: codedeploy.EcsDeploymentGroup;
  private readonly _listenerRule?: elbv2.ApplicationListenerRule;
  private readonly _targetGroup?: elbv2.ApplicationTargetGroup;
  /**
   * The ECS gateway the service joins (the environment's, without an `ingress` of its own). ECS
   * gives the service an HTTPS host name of its own there; CloudFormation returns no attribute for
   * it: ECS reports it as the gateway route's `serviceUrl` (ListGatewayRoutes, DescribeGatewayRoute).
   */
  public readonly gateway?: IEcsGateway;
  /** The alias records of `routing.aliases`, pointing them at the load balancer. */
  public readonly aliasRecords: route53.ARecord[];
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
  /** The URL other workloads call over Service Connect, with `serviceConnect`. */
  public readonly endpoint?: string;
  /** The Service Connect namespace the service publishes its name in, with `serviceConnect`. */
  public readonly serviceConnectNamespace?: servicediscovery.INamespace;
  private readonly containerPort: number;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const env = props.environment;
    const way = wayIn(this, props);
    this.gateway = way.gateway;
    const ingress = way.ingress;
    const containerPort = props.containerPort ?? 8080;
    checkWebInputs(this, props, containerPort);
    const desiredCount = resolveDesiredCount(this, env.profile, props.desiredCount, props.scaling);
    const speed = speedOf(env, props.deploySpeed);
    const deployment = this.bindWebDeployment(props, speed, way);
    const routes = props.additionalRoutes ?? [];
    checkAdditionalRoutes(this, routes, deployment);
    const task = this.buildWebTask(props, env, containerPort, routes);
    if (this.gateway) checkGatewayTask(this, task);
    this.taskDefinition = task.taskDefinition;
    this.taskRole = this.taskDefinition.taskRole;
    this.container = task.container;
    this.logGroup = task.logGroup;
    const target = registeredTarget(this, task.containers, props.targetContainer, props.targetPort, containerPort, '');
    const server = this.serviceConnectServer(id, props, containerPort, task.logGroup);

    const built = this.buildWebService(id, props, task, deployment, desiredCount, server);
    this.service = built.service;
    this.connections = built.connections;
    this.containerPort = containerPort;
    if (server) SERVICE_CONNECT_CONFIGURED.add(this.service);
    this.serviceConnectNamespace = server ? env.serviceConnectNamespace : undefined;
    this.endpoint = server?.endpoint;

    const traffic: ServiceTraffic = this.gateway
      ? joinGateway(this, props, this.gateway, this.service, built.securityGroup!, speed, containerPort)
      : receiveAlbTraffic(this, props, ingress!, deployment, this.service, task, built.securityGroup, speed, target);
    this._targetGroup = traffic.targetGroup;
    this.alternateTargetGroup = traffic.alternateTargetGroup;
    this._listenerRule = traffic.listenerRule;
    this.additionalTargetGroups = traffic.additional.map(r => r.targetGroup);
    this.additionalListenerRules = traffic.additional.map(r => r.listenerRule);
    this.aliasRecords = traffic.aliasRecords;
    this.testListenerRule = traffic.testListenerRule;
    this.deploymentRole = traffic.deploymentRole;

    const watched = { service: this.service, taskDefinition: this.taskDefinition, way, traffic, target };
    const watch = watchWebService(this, props, watched, deployment, speed.rollbackAlarmMinutes);
    this.alarms = watch.alarms;
    this.dashboard = watch.dashboard;
    this.codeDeployGroup = watch.codeDeploy?.deploymentGroup;
    this.codeDeployAppSpec = watch.codeDeploy?.appSpec;
    this.scalableTaskCount = scaleService(this, this.service, props.scaling, {
      targetGroup: this._targetGroup, alternateTargetGroup: this.alternateTargetGroup, loadBalancerFullName: traffic.loadBalancerFullName,
    }, env.profile === EnvironmentProfile.PRODUCTION);
    this.deploymentFailedRule = notifyDeploymentFailures(this, env, this.service);

    applyEnvironmentSettings(this, env);
    warnAboutTask(this, env, task, props);
  }

  /** Call `backend` over Service Connect: this service joins the namespace in client mode and the backend admits it. */
  public connectTo(backend: IBackendService): void {
    connectToBackend(this, backend);
  }

  /** Admit `client` to the service's port over Service Connect (with `serviceConnect`; nothing else is opened). */
  public allowFrom(client: ec2.IConnectable): void {
    if (!this.endpoint) {
      throw new ShipyardError(this, ErrorCode.SERVICE_CONNECT, 'the web service is not published in Service Connect, so clients cannot call it by name',
        'give it serviceConnect: {} (or call it through its load balancer)');
    }
    this.connections.allowFrom(client, ec2.Port.tcp(this.containerPort), `From ${client instanceof Construct ? client.node.path : 'a client'}`);
  }

  /**
   * The Service Connect server configuration and the URL clients call, with `serviceConnect`,
   * checked: a namespace, Linux, not host mode, not client-only.
   */
  private serviceConnectServer(id: string, props: WebServiceProps, containerPort: number, logGroup: logs.ILogGroup | undefined):
  { configuration: ecs.ServiceConnectProps; endpoint?: string } | undefined {
    const sc = props.serviceConnect;
    if (!sc) return undefined;
    if (sc.clientOnly) {
      throw new ShipyardError(this, ErrorCode.SERVICE_CONNECT, 'serviceConnect.clientOnly is set for a web service, which publishes its port',
        'leave clientOnly out: connectTo makes the service a client without it');
    }
    checkServiceConnectServer(this, props, sc, 'run the web service on Linux to publish it in Service Connect, or leave serviceConnect out');
    return serviceConnectServer(this, {
      namespace: props.environment.serviceConnectNamespace!, options: sc, portMappingName: 'http', port: containerPort, dnsName: sc.dnsName ?? id.toLowerCase(), logGroup,
    });
  }

  /** The ECS service and its security group, admitting only the way in. */
  private buildWebService(id: string, props: WebServiceProps, task: TaskModel, deployment: DeploymentConfig, desiredCount: number,
    server: { configuration: ecs.ServiceConnectProps } | undefined): BuiltService {
    return buildService(this, {
      ...serviceSettings(id, props),
      env: props.environment,
      task,
      securityGroupDescription: this.gateway ? 'traffic from the ECS gateway load balancers only' : 'traffic from the shared load balancer only',
      rollout: rolloutOptions(deployment),
      desiredCount,
      notOnExternal: 'a load balancer',
      // The container's start period covers boot; without one, give the app a minute.
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? gracePeriod(props.healthCheck),
      serviceConnect: server?.configuration,
    });
  }

  /**
   * The deployment, checked against the way in: a gateway service deploys rolling, with no
   * load balancer alarms of the library's to roll back on; CodeDeploy needs an ingress of its own.
   */
  private bindWebDeployment(props: WebServiceProps, speed: DeploySpeedSettings, way: WayIn): DeploymentConfig {
    const deployment = bindDeployment(this, props.deployment, speed, {
      shiftsTraffic: true, allowsCodeDeploy: true, hasRollbackAlarms: way.gateway ? false : undefined,
    });
    if (way.gateway) checkGatewayDeployment(this, deployment);
    if (deployment.codeDeploy) checkCodeDeployIngress(this, way.ingress!, way.shared);
    return deployment;
  }

  /** The task: the app's port named `http` (the gateway connector names it), and a port of its own for each additional route's. */
  private buildWebTask(props: WebServiceProps, env: IEnvironment, containerPort: number, routes: AdditionalRoute[]): TaskModel {
    const version = props.loadBalancing?.protocolVersion;
    const appProtocol = version === elbv2.ApplicationProtocolVersion.GRPC ? ecs.AppProtocol.grpc
      : version === elbv2.ApplicationProtocolVersion.HTTP2 ? ecs.AppProtocol.http2 : ecs.AppProtocol.http;
    const appPorts = [...new Set(routes.filter(r => r.targetContainer === undefined && r.targetPort !== undefined && r.targetPort !== containerPort)
      .map(r => r.targetPort!))];
    return buildTask(this, env, props, [
      { containerPort, name: 'http', appProtocol },
      ...appPorts.map(port => { checkPort(this, 'additionalRoutes.targetPort', port); return { containerPort: port, name: `http-${port}`, appProtocol }; }),
    ], props.capacity ?? env.defaultCapacity);
  }
}

/** The port, deregistration delay and grace period, in their ranges. */
function checkWebInputs(scope: Construct, props: WebServiceProps, containerPort: number): void {
  checkPort(scope, 'containerPort', containerPort);
  checkRange(scope, ErrorCode.DEREGISTRATION_DELAY, 'deregistrationDelay', knownSeconds(props.deregistrationDelay), 0, 3600, ' s');
  // Source: Amazon ECS API Reference, CreateService healthCheckGracePeriodSeconds (0 to 2,147,483,647).
  checkRange(scope, ErrorCode.TARGET_HEALTH_CHECK, 'healthCheckGracePeriod', knownSeconds(props.healthCheckGracePeriod), 0, 2147483647, ' s');
}
