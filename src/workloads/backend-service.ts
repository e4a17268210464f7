// A backend: a private service reached over Service Connect, its props and Service Connect
// options, and a backend of another app (BackendService.fromAttributes); what every Service
// Connect server and caller shares lives in service-connect.

import {
  Duration, aws_acmpca as acmpca, aws_ec2 as ec2, aws_ecs as ecs, aws_events as events, aws_iam as iam,
  aws_kms as kms, aws_logs as logs, aws_servicediscovery as servicediscovery,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { buildService, notifyDeploymentFailures } from './ecs-service';
import {
  checkServiceConnectNames, checkServiceConnectServer, connectToBackend, SERVICE_CONNECT_CONFIGURED, serviceConnectServer, serviceConnectUrl,
} from './service-connect';
import { ServiceWorkloadProps, serviceSettings } from './workload-props';
import { applyEnvironmentSettings, resolveDesiredCount, speedOf } from './workload-settings';
import { applyRolloutControls, bindDeployment, enableRollbackAlarms, NO_LOAD_BALANCER_ALARM, rolloutOptions } from '../deployment/rollout';
import { IEnvironment } from '../environment/environment';
import { EnvironmentProfile } from '../environment/profile';
import { checkPort } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { ServiceAlarms, ServiceAlarmsOptions } from '../observability/service-alarms';
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
      ...serviceSettings(id, props),
      env,
      task,
      securityGroupDescription: 'Service Connect backend; traffic from allowed workloads only',
      rollout: rolloutOptions(deployment),
      desiredCount,
      notOnExternal: 'Service Connect',
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
    this.scalableTaskCount = scaleService(this, this.service, props.scaling, {}, env.profile === EnvironmentProfile.PRODUCTION);
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
