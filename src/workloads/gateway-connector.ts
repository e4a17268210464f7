import { Token, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { WebServiceProps } from './web-service';
import { DeploymentConfig } from '../deployment/deployment';
import { IEnvironment } from '../environment/environment';
import { IEcsGateway } from '../environment/gateway';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { TaskModel } from '../task/task-builder';

/*
 * A web service on the environment's ECS gateway. Sources: Amazon ECS Developer Guide, "Connect
 * Amazon ECS services to a gateway" (a gateway connector names the container port that receives
 * traffic; the task definition uses awsvpc and names that port; a compatible gateway is in the
 * service's VPC, matches its access-type filter and covers every Availability Zone it runs in;
 * ECS creates a gateway route and an HTTPS host name per connection); Amazon ECS API Reference,
 * GatewayConnector (at most one per service), GatewayConnectorFilters (PUBLIC, PRIVATE),
 * GatewayConnectorHealthCheck, HostSharedAlbConfiguration ("shared Application Load Balancers with
 * host-based routing": each service is reached by its own host name).
 */

/** What the gateway does not do, by prop: each is a setting of the library's own load balancer. */
const ALB_ONLY: Array<{ prop: keyof WebServiceProps; why: string }> = [
  { prop: 'routing', why: 'the gateway routes each service by the HTTPS host name ECS gives it, with no path, header, query, method, address or priority conditions, and no aliases of your own' },
  { prop: 'additionalRoutes', why: 'a service has one gateway connector, on one port' },
  { prop: 'loadBalancing', why: 'the gateway creates and configures the target groups (stickiness, slow start, algorithm, protocol version)' },
  { prop: 'deregistrationDelay', why: 'the gateway creates the target groups, and this library\'s connector sets no deregistration delay' },
  { prop: 'targetContainer', why: 'the connector names the app container\'s port (http)' },
];

/** Refuse the props that configure the library's own load balancer, naming the prop and the fix. */
export function checkGatewayProps(scope: Construct, props: WebServiceProps): void {
  for (const { prop, why } of ALB_ONLY) {
    const value = props[prop];
    if (value === undefined || (typeof value === 'object' && !Array.isArray(value) && Object.values(value).every(v => v === undefined))) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    throw new ShipyardError(scope, ErrorCode.GATEWAY, `${prop} ${show(value)} is given, but the service joins the environment's ECS gateway: ${why}`,
      `leave ${prop} out, or give the service a load balancer of the library's (ingress: new SharedIngress(...)) where ${prop} applies`);
  }
  for (const target of props.scaling?.targets ?? []) {
    if (target.metric !== 'Requests' && target.metric !== 'ResponseTime') continue;
    const factory = target.metric === 'Requests' ? 'Scaling.requestsPerTarget' : 'Scaling.responseTime';
    throw new ShipyardError(scope, ErrorCode.GATEWAY, `scaling.targets has ${factory}(...), but the service joins the environment's ECS gateway, `
      + 'whose target groups and load balancer metrics ECS owns (the library has no target group to track)',
    'scale on Scaling.cpu(...), Scaling.memory(...) or a metric of the app (Scaling.customMetric(...)), or give the service a load balancer of the library\'s (ingress)');
  }
  const port = props.containerPort ?? 8080;
  if (props.targetPort !== undefined && props.targetPort !== port) {
    throw new ShipyardError(scope, ErrorCode.GATEWAY, `targetPort ${props.targetPort} is given, but the gateway connector names the app's port (${port})`,
      'leave targetPort out, or set containerPort to the port the app listens on');
  }
}

/**
 * Rolling deployments only: the blue/green family here shifts traffic between target groups and
 * listener rules of its own, and CodeDeploy moves a listener of its own; a gateway service has
 * neither (ECS manages them). How ECS shifts a gateway service's traffic between revisions is not
 * in the guides this library follows, so the library does not guess.
 */
export function checkGatewayDeployment(scope: Construct, deployment: DeploymentConfig): void {
  if (!deployment.codeDeploy && deployment.strategy === ecs.DeploymentStrategy.ROLLING) return;
  const kind = deployment.codeDeploy ? 'CodeDeploy' : deployment.strategy.toLowerCase().replace('_', '/');
  throw new ShipyardError(scope, ErrorCode.GATEWAY, `a ${kind} deployment is given, but the service joins the environment's ECS gateway, `
    + 'which owns the target groups and listener rules such a deployment shifts traffic between',
  'use Deployment.rolling(), or give the service a load balancer of the library\'s (ingress: new SharedIngress(...)) for blue/green, linear, canary or CodeDeploy');
}

/** The gateway connects awsvpc services only (Connect Amazon ECS services to a gateway, prerequisites). */
export function checkGatewayTask(scope: Construct, task: TaskModel): void {
  const mode = task.taskDefinition.networkMode;
  if (mode === ecs.NetworkMode.AWS_VPC) return;
  throw new ShipyardError(scope, ErrorCode.GATEWAY, `the task uses the ${mode} network mode, and an ECS gateway connects awsvpc services only`,
    'leave networkMode out (awsvpc), or give the service a load balancer of the library\'s (ingress: new SharedIngress(...))');
}

/** Why a gateway service has no rollback alarm of its own, and the fix. */
export const GATEWAY_ROLLBACK_ALARM = {
  problem: 'the deployment rolls back on alarm, but a service on the ECS gateway has no load balancer alarm to watch (ECS owns its target groups)',
  fix: 'give the deployment rollbackAlarms of your own, or set rollbackOnAlarm: false (the circuit breaker still rolls back failed deployments)',
};

/** What a web service connects to the gateway with. */
export interface GatewayConnectionSpec {
  readonly gateway: IEcsGateway;
  readonly env: IEnvironment;
  readonly service: ecs.BaseService;
  /** The tasks' security group (awsvpc). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The name of the container's port mapping the connector names. */
  readonly portName: string;
  readonly port: number;
  /** The health check, as the library's target groups take it (checked and with the deploy-speed preset's values). */
  readonly healthCheck: elbv2.HealthCheck;
}

/**
 * Connect the service: a gateway connector on its named port with the health check and the
 * gateway's access type as filter; the tasks admit the gateway's load balancers (by their
 * subnets' ranges: ECS creates their security groups when the first service connects, so no
 * group id exists at synth); the service waits for the gateway's association with the cluster.
 * aws-cdk-lib 2.257 has no `GatewayConnectors` property, hence the override.
 */
export function connectToGateway(scope: Construct, spec: GatewayConnectionSpec): void {
  checkZones(scope, spec.env, spec.gateway);
  const hc = spec.healthCheck;
  const checkPort = hc.port !== undefined ? Number(hc.port) : undefined;
  const cfn = spec.service.node.defaultChild as ecs.CfnService;
  cfn.addPropertyOverride('GatewayConnectors', [{
    PortName: spec.portName,
    Filters: { AccessTypes: [spec.gateway.internetFacing ? 'PUBLIC' : 'PRIVATE'] },
    HealthCheck: {
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: hc.path,
      ...checkPort !== undefined ? { HealthCheckPort: checkPort } : {},
      HealthCheckIntervalSeconds: hc.interval?.toSeconds(),
      HealthCheckTimeoutSeconds: hc.timeout?.toSeconds(),
      HealthyThresholdCount: hc.healthyThresholdCount,
      UnhealthyThresholdCount: hc.unhealthyThresholdCount,
      Matcher: { HttpCode: hc.healthyHttpCodes },
    },
  }]);
  for (const cidr of spec.gateway.loadBalancerCidrs) {
    spec.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(spec.port), 'From the ECS gateway load balancers');
    if (checkPort !== undefined && checkPort !== spec.port) {
      spec.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(checkPort), 'Health checks from the ECS gateway load balancers');
    }
  }
  // ECS refuses a connector while no gateway association of the cluster is ACTIVE.
  if (spec.gateway.clusterAssociation) spec.service.node.addDependency(spec.gateway.clusterAssociation);
}

/** A gateway is compatible only if it covers every Availability Zone the service runs in; checked where both are known. */
function checkZones(scope: Construct, env: IEnvironment, gateway: IEcsGateway): void {
  const gatewayZones = gateway.availabilityZones;
  if (!gatewayZones) return;
  const taskZones = env.vpc.selectSubnets(env.taskSubnets).availabilityZones;
  if (taskZones.some(az => Token.isUnresolved(az))) return;
  const missing = [...new Set(taskZones.filter(az => !gatewayZones.includes(az)))];
  if (missing.length === 0) return;
  throw new ShipyardError(scope, ErrorCode.GATEWAY,
    `the tasks run in ${missing.join(', ')}, where the environment's ECS gateway has no subnet (it covers ${gatewayZones.join(', ')})`,
    'give the gateway a subnet in every Availability Zone of the task subnets, or run the tasks in the gateway\'s zones (taskSubnets)');
}
