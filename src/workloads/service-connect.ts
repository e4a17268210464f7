// Service Connect for every service that serves or calls over it: the checks and configuration of
// a server (a backend, or a web service with serviceConnect), its TLS role and the URL clients
// call, the names ECS and Cloud Map take, and a caller joined to a backend in client mode.

import { Stack, Token, aws_ecs as ecs, aws_iam as iam, aws_logs as logs, aws_servicediscovery as servicediscovery } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import type { IBackendService, IServiceWorkload, ServiceConnectOptions } from './backend-service';
import { IEnvironment } from '../environment/environment';
import { checkPort, checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { acknowledge } from '../private/nag';

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
export function serviceConnectUrl(dnsName: string, port: number): string {
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
