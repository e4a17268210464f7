import {
  Duration, Stack, Token, aws_acmpca as acmpca, aws_ec2 as ec2, aws_ecs as ecs, aws_events as events, aws_iam as iam,
  aws_kms as kms, aws_logs as logs, aws_servicediscovery as servicediscovery,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { buildService, notifyDeploymentFailures } from './ecs-service';
import { ServiceWorkloadProps } from './workload-props';
import { applyEnvironmentSettings, resolveDesiredCount, speedOf } from './workload-settings';
import { applyRolloutControls, bindDeployment, enableRollbackAlarms, NO_LOAD_BALANCER_ALARM, rolloutOptions } from '../deployment/rollout';
import { IEnvironment } from '../environment/environment';
import { checkPort, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { ServiceAlarms, ServiceAlarmsOptions } from '../observability/service-alarms';
import { acknowledge } from '../private/nag';
import { ScalingOptions, scaleService } from '../scaling/scaling';
import { buildTask } from '../task/task-builder';
import { warnAboutTask } from '../task/task-findings';

/** TLS between Service Connect proxies. */
export interface ServiceConnectTlsOptions {
  /** The AWS Private CA authority that issues the service's certificates. */
  readonly certificateAuthority: acmpca.ICertificateAuthority;
  /**
   * KMS key that encrypts the private key ECS stores.
   * @default - an AWS owned key
   */
  readonly kmsKey?: kms.IKey;
}

/** How a backend is reached over Service Connect. */
export interface ServiceConnectOptions {
  /**
   * The name clients call (`http://<dnsName>:<port>`).
   * @default - the construct id in lower case
   */
  readonly dnsName?: string;
  /**
   * The service's name in the Cloud Map namespace.
   * @default - the DNS name
   */
  readonly discoveryName?: string;
  /**
   * The port clients call (`http://<dnsName>:<clientAliasPort>`), when it is not the container's:
   * the Service Connect proxy in each calling task listens on it and forwards to the container
   * port, so callers use `http://catalog` (port 80) while the container listens on 8080. The
   * security group still admits callers on the container port, where the traffic arrives.
   * CloudFormation's `AWS::ECS::Service ServiceConnectClientAlias.Port` ("the listening port
   * number for the Service Connect proxy"), not `ingressPortOverride` (the port the server's
   * own proxy listens on).
   * @default - the container port
   */
  readonly clientAliasPort?: number;
  /**
   * Only call other services; publish no endpoint (the service has no port then).
   * @default false
   */
  readonly clientOnly?: boolean;
  /**
   * Longest a request may take end to end through the proxy.
   * @default - no limit (ECS's default for HTTP is 15 s idle)
   */
  readonly perRequestTimeout?: Duration;
  /**
   * Longest a connection may stay idle.
   * @default - ECS's default (5 minutes for HTTP)
   */
  readonly idleTimeout?: Duration;
  /**
   * Encrypt traffic between proxies with certificates from AWS Private CA.
   * @default - plain traffic inside the VPC
   */
  readonly tls?: ServiceConnectTlsOptions;
  /**
   * Write the proxy's access logs (JSON) next to the container's logs.
   * @default false
   */
  readonly accessLogs?: boolean;
}

/** Properties of a BackendService. */
export interface BackendServiceProps extends ServiceWorkloadProps {
  /**
   * Port the container listens on; clients reach it on the same port unless
   * `serviceConnect.clientAliasPort` gives them another.
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Application protocol of the port (HTTP metrics and retries need HTTP, HTTP2 or GRPC).
   * @default ecs.AppProtocol.http
   */
  readonly appProtocol?: ecs.AppProtocol;
  /**
   * Service Connect settings.
   * @default - reachable as http://<id in lower case>:<containerPort>
   */
  readonly serviceConnect?: ServiceConnectOptions;
  /**
   * Target-tracking auto scaling (CPU or memory).
   * @default - a fixed number of tasks
   */
  readonly scaling?: ScalingOptions;
  /**
   * The service's alarms.
   * @default - running tasks below desired, CPU or memory high
   */
  readonly alarms?: ServiceAlarmsOptions;
}

/**
 * A backend a workload can call over Service Connect: a `BackendService` of this app, or one
 * imported from another app (`BackendService.fromAttributes`).
 */
export interface IBackendService extends IConstruct {
  /**
   * The URL clients call.
   * @default - none: a client-only service
   */
  readonly endpoint?: string;
  /**
   * The Service Connect namespace the backend publishes its name in.
   * @default - the caller's environment's
   */
  readonly serviceConnectNamespace?: servicediscovery.INamespace;
  /** Admit `client` to the backend's port (nothing else is opened). */
  allowFrom(client: ec2.IConnectable): void;
}

/** A backend of another app, as its callers need it. */
export interface BackendServiceAttributes {
  /** The environment the backend runs in (its Service Connect namespace). */
  readonly environment: IEnvironment;
  /** The name clients call (the backend's `serviceConnect.dnsName`). */
  readonly dnsName: string;
  /** The port the backend's tasks listen on (its container port): its security group admits callers on it. */
  readonly port: number;
  /**
   * The port clients call, when the backend gives one (its `serviceConnect.clientAliasPort`).
   * @default - `port`
   */
  readonly clientAliasPort?: number;
  /** The backend's security group, which admits the callers. */
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * A workload that runs an ECS service (WebService, BackendService, WorkerService,
 * NetworkService): it can call a BackendService over Service Connect.
 */
export interface IServiceWorkload extends IConstruct, ec2.IConnectable {
  /** The ECS service (Service Connect is enabled on it in client mode when it calls a backend). */
  readonly service: ecs.BaseService;
  /** Call `backend` over Service Connect: this service joins the namespace in client mode and the backend admits it. */
  connectTo(backend: IBackendService): void;
}

/**
 * A private service reached over Service Connect inside the environment: no load balancer,
 * no route from outside, and inbound traffic only from the workloads allowed to call it.
 */
export class BackendService extends Construct implements IServiceWorkload, IBackendService {
  /**
   * A backend of another app (deployed separately in the same environment), for this app's
   * workloads to call: `web.connectTo(BackendService.fromAttributes(...))` admits them to its
   * security group and joins them to the namespace as clients.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: BackendServiceAttributes): IBackendService {
    return new ImportedBackendService(scope, id, attrs);
  }

  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** The task definition. */
  public readonly taskDefinition: ecs.TaskDefinition;
  /** The main container. */
  public readonly container: ecs.ContainerDefinition;
  /** The log group of the main container, unless its logs leave CloudWatch Logs. */
  public readonly logGroup?: logs.ILogGroup;
  /** The task role. */
  public readonly taskRole: iam.IRole;
  /** The service's security group. */
  public readonly connections: ec2.Connections;
  /** The service's alarms. */
  public readonly alarms: ServiceAlarms;
  /** The scalable task count, with scaling. */
  public readonly scalableTaskCount?: ecs.ScalableTaskCount;
  /** The rule that notifies the alarm topic when a deployment fails. */
  public readonly deploymentFailedRule?: events.Rule;
  /** The URL clients call, unless client-only. */
  public readonly endpoint?: string;
  /** The Service Connect namespace the backend publishes its name in. */
  public readonly serviceConnectNamespace?: servicediscovery.INamespace;
  /** The role ECS uses to issue TLS certificates, with TLS. */
  public readonly tlsRole?: iam.IRole;
  private readonly port?: number;

  constructor(scope: Construct, id: string, props: BackendServiceProps) {
    super(scope, id);
    const env = props.environment;
    const sc = props.serviceConnect ?? {};
    const port = this.checkServiceConnect(props, sc);
    this.port = port;
    const dnsName = sc.dnsName ?? id.toLowerCase();
    const task = buildTask(this, env, props, port === undefined ? [] : [{
      containerPort: port, name: 'api', appProtocol: props.appProtocol ?? ecs.AppProtocol.http,
    }], props.capacity ?? env.defaultCapacity);
    this.taskDefinition = task.taskDefinition;
    this.container = task.container;
    this.logGroup = task.logGroup;
    this.taskRole = this.taskDefinition.taskRole;

    const server = serviceConnectServer(this, {
      namespace: env.serviceConnectNamespace!, options: sc, portMappingName: 'api', port, dnsName, logGroup: this.logGroup,
    });
    this.tlsRole = server.tlsRole;
    const serviceConnect = server.configuration;
    const desiredCount = resolveDesiredCount(this, env.profile, props.desiredCount, props.scaling);
    const deployment = bindDeployment(this, props.deployment, speedOf(env, props.deploySpeed), { shiftsTraffic: false, hasRollbackAlarms: false });
    const built = buildService(this, {
      serviceName: props.serviceName,
      env,
      task,
      securityGroupDescription: 'Service Connect backend; traffic from allowed workloads only',
      rollout: rolloutOptions(deployment),
      desiredCount,
      notOnExternal: 'Service Connect',
      enableExec: props.enableExec,
      platformVersion: props.platformVersion,
      availabilityZoneRebalancing: props.availabilityZoneRebalancing,
      serviceDiscovery: props.serviceDiscovery && { options: props.serviceDiscovery, defaultName: id.toLowerCase() },
      serviceConnect,
    });
    this.service = built.service;
    SERVICE_CONNECT_CONFIGURED.add(this.service);
    this.connections = built.connections;
    this.alarms = new ServiceAlarms(this, 'Alarms', { ...props.alarms, service: this.service, clusterName: env.cluster.clusterName, topic: env.alarmTopic });
    applyRolloutControls(this.service, deployment);
    enableRollbackAlarms(this, this.service, deployment, [], NO_LOAD_BALANCER_ALARM);
    this.deploymentFailedRule = notifyDeploymentFailures(this, env, this.service);
    this.endpoint = server.endpoint;
    this.serviceConnectNamespace = env.serviceConnectNamespace;
    this.scalableTaskCount = scaleService(this, this.service, props.scaling);
    applyEnvironmentSettings(this, env);
    warnAboutTask(this, env, task, props);
  }

  /** The Service Connect settings and the platform, checked; the port clients call (none when client-only). */
  private checkServiceConnect(props: BackendServiceProps, sc: ServiceConnectOptions): number | undefined {
    if (sc.clientOnly && props.containerPort !== undefined) {
      throw new ShipyardError(this, ErrorCode.SERVICE_CONNECT, `serviceConnect.clientOnly is set, but containerPort ${props.containerPort} is given`,
        'drop containerPort (a client-only service publishes no endpoint) or clientOnly');
    }
    checkServiceConnectServer(this, props, sc, 'run the backend on Linux, or make it a WebService behind an internal SharedIngress');
    const port = sc.clientOnly ? undefined : props.containerPort ?? 8080;
    if (port !== undefined) checkPort(this, 'containerPort', port);
    return port;
  }

  /** Admit `client` to this backend's port (nothing else is opened). */
  public allowFrom(client: ec2.IConnectable): void {
    if (this.port === undefined) {
      throw new ShipyardError(this, ErrorCode.SERVICE_CONNECT, 'a client-only service accepts no connections', 'call allowFrom on a service that publishes an endpoint');
    }
    this.connections.allowFrom(client, ec2.Port.tcp(this.port), `From ${client instanceof Construct ? client.node.path : 'a client'}`);
  }

  /** Call `backend` over Service Connect: admits this service to it. */
  public connectTo(backend: IBackendService): void {
    connectToBackend(this, backend);
  }
}

/** What a Service Connect server needs: its namespace, options, port mapping, port and name. */
export interface ServiceConnectServerSpec {
  readonly namespace: servicediscovery.INamespace;
  readonly options: ServiceConnectOptions;
  readonly portMappingName: string;
  /** The container port behind the name; none for a client-only service. */
  readonly port?: number;
  readonly dnsName: string;
  readonly logGroup?: logs.ILogGroup;
}

/**
 * What every service in Service Connect needs (a backend, or a web service with
 * `serviceConnect`): the environment's namespace, a TLS authority when TLS is on, timeouts ECS
 * takes, Linux, and a network mode other than host.
 */
export function checkServiceConnectServer(scope: Construct,
  props: { readonly environment: IEnvironment; readonly operatingSystemFamily?: ecs.OperatingSystemFamily; readonly networkMode?: ecs.NetworkMode },
  sc: ServiceConnectOptions, windowsFix: string): void {
  if (!props.environment.serviceConnectNamespace) {
    throw new ShipyardError(scope, ErrorCode.SERVICE_CONNECT, 'the environment has no Service Connect namespace',
      'pass serviceConnectNamespace to Environment.fromAttributes (an Environment always has one)');
  }
  if (sc.tls && !sc.tls.certificateAuthority) {
    throw new ShipyardError(scope, ErrorCode.SERVICE_CONNECT, 'serviceConnect.tls has no certificate authority',
      'give tls.certificateAuthority (an AWS Private CA authority)');
  }
  // Source: Amazon ECS API Reference, ServiceConnectService timeouts (0-2147483647 s).
  checkRange(scope, ErrorCode.SERVICE_CONNECT, 'serviceConnect.perRequestTimeout', knownSeconds(sc.perRequestTimeout), 0, 2147483647, ' s');
  checkRange(scope, ErrorCode.SERVICE_CONNECT, 'serviceConnect.idleTimeout', knownSeconds(sc.idleTimeout), 0, 2147483647, ' s');
  // Source: AWS CloudFormation User Guide, AWS::ECS::Service ServiceConnectClientAlias, Port: the
  // port the Service Connect proxy of each client task listens on (the ECS API takes 0-65535; 0
  // is no port to listen on, and aws-cdk-lib reads it as "the container port").
  if (sc.clientOnly && sc.clientAliasPort !== undefined) {
    throw new ShipyardError(scope, ErrorCode.SERVICE_CONNECT, `serviceConnect.clientAliasPort ${sc.clientAliasPort} is given, but serviceConnect.clientOnly is set`,
      'drop clientAliasPort (a client-only service publishes no name to call) or clientOnly');
  }
  checkPort(scope, 'serviceConnect.clientAliasPort', sc.clientAliasPort);
  if (props.operatingSystemFamily?.isWindows()) {
    throw new ShipyardError(scope, ErrorCode.SERVICE_CONNECT, 'Service Connect does not run Windows tasks', windowsFix);
  }
  if (props.networkMode === ecs.NetworkMode.HOST) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, 'network mode "host" is not supported by Service Connect',
      'use AWS_VPC (the default) or BRIDGE');
  }
}

/**
 * A service's Service Connect server (or client-only) configuration, with the role ECS
 * issues TLS certificates with when `options.tls` is set, and the URL clients call (none when
 * client-only).
 */
export function serviceConnectServer(scope: Construct, spec: ServiceConnectServerSpec):
{ configuration: ecs.ServiceConnectProps; tlsRole?: iam.IRole; endpoint?: string } {
  const sc = spec.options;
  const clientPort = spec.port === undefined ? undefined : sc.clientAliasPort ?? spec.port;
  // A dnsName may hold periods; a discoveryName may not, so the default one has hyphens instead.
  const discoveryName = sc.discoveryName ?? (Token.isUnresolved(spec.dnsName) ? spec.dnsName : spec.dnsName.replace(/\./g, '-'));
  if (spec.port !== undefined) checkServiceConnectNames(scope, spec.dnsName, discoveryName, sc.discoveryName !== undefined);
  const tlsRole = sc.tls ? createTlsRole(scope) : undefined;
  const configuration: ecs.ServiceConnectProps = {
    namespace: spec.namespace.namespaceArn,
    services: spec.port === undefined ? undefined : [{
      portMappingName: spec.portMappingName,
      dnsName: spec.dnsName,
      discoveryName,
      port: clientPort,
      perRequestTimeout: sc.perRequestTimeout,
      idleTimeout: sc.idleTimeout,
      tls: sc.tls ? { awsPcaAuthorityArn: sc.tls.certificateAuthority.certificateAuthorityArn, kmsKey: sc.tls.kmsKey, role: tlsRole } : undefined,
    }],
    logDriver: spec.logGroup
      ? ecs.LogDrivers.awsLogs({ logGroup: spec.logGroup, streamPrefix: 'service-connect', mode: ecs.AwsLogDriverMode.NON_BLOCKING })
      : undefined,
    accessLogConfiguration: sc.accessLogs ? { format: ecs.ServiceConnectAccessLogFormat.JSON, includeQueryParameters: false } : undefined,
  };
  return { configuration, tlsRole, endpoint: clientPort === undefined ? undefined : serviceConnectUrl(spec.dnsName, clientPort) };
}

/** The URL clients call a Service Connect name at. */
function serviceConnectUrl(dnsName: string, port: number): string {
  return `http://${dnsName}:${port}`;
}

/**
 * The names ECS takes. Source: Amazon ECS API Reference, ServiceConnectClientAlias (dnsName: up
 * to 127 lowercase letters, digits, underscores, hyphens and periods, not starting with a
 * hyphen) and ServiceConnectService (discoveryName: up to 64 lowercase letters, digits,
 * underscores and hyphens, not starting with a hyphen).
 */
export function checkServiceConnectNames(scope: IConstruct, dnsName: string, discoveryName: string | undefined, discoveryGiven: boolean): void {
  if (!Token.isUnresolved(dnsName) && !/^[a-z0-9_.][a-z0-9_.-]{0,126}$/.test(dnsName)) {
    throw new ShipyardError(scope, ErrorCode.SERVICE_CONNECT, `serviceConnect.dnsName ${JSON.stringify(dnsName)} is not a name Service Connect takes`,
      `use up to 127 lowercase letters, digits, underscores, hyphens and periods, not starting with a hyphen${/[A-Z]/.test(dnsName) ? ` (${JSON.stringify(dnsName.toLowerCase())})` : ''}`);
  }
  if (discoveryName !== undefined && !Token.isUnresolved(discoveryName) && !/^[a-z0-9_][a-z0-9_-]{0,63}$/.test(discoveryName)) {
    throw new ShipyardError(scope, ErrorCode.SERVICE_CONNECT,
      `${discoveryGiven ? 'serviceConnect.discoveryName' : 'the Cloud Map name taken from serviceConnect.dnsName'} ${JSON.stringify(discoveryName)} is not one Cloud Map takes`,
      `${discoveryGiven ? 'use' : 'give serviceConnect.discoveryName:'} up to 64 lowercase letters, digits, underscores and hyphens, not starting with a hyphen`);
  }
}

function createTlsRole(scope: Construct): iam.IRole {
  const role = new iam.Role(scope, 'TlsRole', {
    description: `${scope.node.path}: ECS issues Service Connect TLS certificates from AWS Private CA`,
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity')],
  });
  acknowledge(role, [{
    id: 'AwsSolutions-IAM4',
    reason: 'ECS requires the AWS managed AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity policy for Service Connect TLS.',
    appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity'],
  }]);
  return role;
}

function isWindowsTask(taskDefinition: ecs.TaskDefinition): boolean {
  const platform = Stack.of(taskDefinition).resolve((taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).runtimePlatform);
  return typeof platform?.operatingSystemFamily === 'string' && platform.operatingSystemFamily.startsWith('WINDOWS');
}

/** Services with Service Connect configured already: servers, and callers put into client mode (each only once). */
export const SERVICE_CONNECT_CONFIGURED = new WeakSet<ecs.BaseService>();

/**
 * Let `client` call `backend` over Service Connect: the client joins the namespace in client
 * mode when it has no Service Connect yet, and the backend admits it on its port.
 */
export function connectToBackend(client: IServiceWorkload, backend: IBackendService): void {
  if (client.service instanceof ecs.ExternalService) {
    throw new ShipyardError(client.service, ErrorCode.SERVICE_CONNECT, 'Service Connect does not reach ECS Anywhere tasks, and this caller runs on external instances',
      'call the backend through an internal load balancer, or run the caller on Fargate or EC2');
  }
  if (isWindowsTask(client.service.taskDefinition)) {
    throw new ShipyardError(client.service, ErrorCode.SERVICE_CONNECT, 'Service Connect does not run Windows tasks, and this caller runs Windows',
      'reach the backend through an internal load balancer (a WebService with an internal SharedIngress) instead');
  }
  const namespace = backend.serviceConnectNamespace ?? client.service.cluster.defaultCloudMapNamespace;
  if (!SERVICE_CONNECT_CONFIGURED.has(client.service)) {
    client.service.enableServiceConnect({ namespace: namespace?.namespaceArn });
    SERVICE_CONNECT_CONFIGURED.add(client.service);
  }
  backend.allowFrom(client);
}

/** A backend of another app: its name, ports and security group. */
class ImportedBackendService extends Construct implements IBackendService {
  public readonly endpoint: string;
  public readonly serviceConnectNamespace?: servicediscovery.INamespace;
  private readonly securityGroup: ec2.ISecurityGroup;
  private readonly port: number;

  constructor(scope: Construct, id: string, attrs: BackendServiceAttributes) {
    super(scope, id);
    checkPort(this, 'port', attrs.port);
    checkPort(this, 'clientAliasPort', attrs.clientAliasPort);
    checkServiceConnectNames(this, attrs.dnsName, undefined, false);
    if (!attrs.environment.serviceConnectNamespace) {
      throw new ShipyardError(this, ErrorCode.SERVICE_CONNECT, 'the environment has no Service Connect namespace to find the backend in',
        'import the environment with its serviceConnectNamespace (Environment.fromAttributes)');
    }
    this.serviceConnectNamespace = attrs.environment.serviceConnectNamespace;
    this.securityGroup = attrs.securityGroup;
    this.port = attrs.port;
    this.endpoint = serviceConnectUrl(attrs.dnsName, attrs.clientAliasPort ?? attrs.port);
  }

  public allowFrom(client: ec2.IConnectable): void {
    for (const group of client.connections.securityGroups) {
      this.securityGroup.addIngressRule(group, ec2.Port.tcp(this.port), `From ${client instanceof Construct ? client.node.path : 'a client'}`);
    }
  }
}
