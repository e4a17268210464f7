import {
  CfnResource, Duration, Stack, Token, aws_ec2 as ec2, aws_ecs as ecs, aws_events as events, aws_events_targets as eventsTargets,
  aws_servicediscovery as servicediscovery,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ServiceDiscoveryOptions } from './workload-props';
import { AutoScalingCapacity } from '../capacity/auto-scaling-capacity';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { RolloutOptions } from '../deployment/rollout';
import { IEnvironment } from '../environment/environment';
import { checkRange, knownSeconds } from '../guardrails/checks';
import { ErrorCode, Problem, problemMessage, ShipyardError, show } from '../guardrails/errors';
import { taskEgress } from '../private/egress';
import { acknowledge } from '../private/nag';
import { renderedProperties } from '../private/rendered';
import { grantExecToTasks, TaskModel } from '../task/task-builder';

/** What the service builder needs to create a workload's ECS service. */
export interface ServiceSpec {
  readonly env: IEnvironment;
  readonly task: TaskModel;
  /** What the tasks' security group admits, for its description (awsvpc mode only). */
  readonly securityGroupDescription: string;
  /** Deployment settings (`rolloutOptions` or `daemonRolloutOptions`). */
  readonly rollout: RolloutOptions;
  /** The desired count; none for a daemon. */
  readonly desiredCount?: number;
  /**
   * Run one task on each instance of the task's EC2 capacity (DAEMON scheduling), placed by
   * the attribute the instances register with, instead of the capacity's strategy.
   */
  readonly daemon?: boolean;
  /**
   * What the workload needs that ECS Anywhere cannot give (a load balancer, Service Connect),
   * if anything; set, it fails on external capacity.
   */
  readonly notOnExternal?: string;
  readonly enableExec?: boolean;
  readonly serviceConnect?: ecs.ServiceConnectProps;
  /** Cloud Map DNS registration, and the name it defaults to. */
  readonly serviceDiscovery?: { readonly options: ServiceDiscoveryOptions; readonly defaultName: string };
  /** Grace period when a load balancer checks the tasks. */
  readonly healthCheckGracePeriod?: Duration;
  /**
   * The Fargate platform version (Fargate capacity only).
   * @default - LATEST
   */
  readonly platformVersion?: ecs.FargatePlatformVersion;
}

/** A workload's ECS service and the groups its tasks are in. */
export interface BuiltService {
  readonly service: ecs.BaseService;
  /** The tasks' security group in awsvpc mode; none in bridge or host mode (the instances' groups apply). */
  readonly securityGroup?: ec2.SecurityGroup;
  /** The tasks' connections. */
  readonly connections: ec2.Connections;
}

/**
 * The one way this library creates an ECS service. For the platform the task's capacity runs
 * on: a `FargateService`, an `Ec2Service` with the capacity's placement (or DAEMON scheduling),
 * or an `ExternalService`. awsvpc tasks run in the environment's private subnets in a
 * security group of their own, with no public IP. Every service depends on the cluster (its
 * capacity providers) and on the task subnets' egress (ADR 9), and on Auto Scaling group
 * capacity on the groups' deletion guards: on stack deletion the service is gone before its
 * instances and its tasks' way out are. Its rendered template is checked at synth.
 */
export function buildService(scope: Construct, spec: ServiceSpec): BuiltService {
  const capacity = spec.task.capacity;
  if (spec.task.taskDefinition.networkMode === ecs.NetworkMode.NONE && (spec.serviceConnect || spec.serviceDiscovery)) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, 'network mode "none" gives the task no network, and Service Connect or DNS registration needs one',
      'use bridge or awsvpc for a service others call or that calls others');
  }
  const awsvpc = spec.task.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC;
  const securityGroup = awsvpc ? new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: spec.env.vpc,
    description: `${scope.node.path}: ${spec.securityGroupDescription}`,
    allowAllOutbound: true,
  }) : undefined;
  const service = createService(scope, spec, securityGroup);
  if (spec.enableExec) {
    // Turned on here, not through aws-cdk-lib's enableExecuteCommand, which (without the app's
    // reduceEc2FargateCloudWatchPermissions flag) grants exec's log actions on every log group.
    (service.node.defaultChild as ecs.CfnService).enableExecuteCommand = true;
    grantExecToTasks(spec.task.taskDefinition, spec.env.cluster, spec.task.logGroup);
  }
  if (spec.task.launchVolume) {
    if (spec.rollout.deploymentController?.type === ecs.DeploymentControllerType.CODE_DEPLOY) {
      // CodeDeploy starts the new tasks as a task set, and CreateTaskSet takes no volume configuration (ECS API Reference).
      throw new ShipyardError(scope, ErrorCode.VOLUME, `volume ${spec.task.launchVolume.name} is an EBS volume ECS configures at launch, and CodeDeploy deploys the service`,
        'use Deployment.blueGreen() (ECS native), rolling, linear or canary, which keep the ECS deployment controller');
    }
    service.addVolume(spec.task.launchVolume);
  }
  // The capacity providers must be associated with the cluster before the service is
  // created, and stay until it is deleted; so must the tasks' way out (image pulls on
  // create, draining on delete).
  service.node.addDependency(spec.env.cluster);
  for (const provider of capacity.autoScalingCapacities) service.node.addDependency(provider.deletionGuard);
  if (capacity.platform !== CapacityPlatform.EXTERNAL) (service.node.defaultChild as ecs.CfnService).node.addDependency(taskEgress(spec.env));
  checkRenderedService(service, capacity);
  const minHealthy = spec.rollout.minHealthyPercent;
  if (!spec.daemon && minHealthy !== undefined && !Token.isUnresolved(minHealthy) && minHealthy < 100) {
    acknowledge(service, [{
      id: 'Shipyard-ServiceMinHealthy',
      reason: `Minimum healthy ${minHealthy}% chosen: DeploySpeed.FAST (the development profile's default) or the deployment's minHealthyPercent.`,
    }]);
  }
  spec.task.connect(service, spec.env.cluster);
  return { service, securityGroup, connections: taskConnections(spec.task, securityGroup) };
}

/** The service construct for the capacity's platform. */
function createService(scope: Construct, spec: ServiceSpec, securityGroup: ec2.ISecurityGroup | undefined): ecs.BaseService {
  const capacity = spec.task.capacity;
  const taskDefinition = spec.task.taskDefinition;
  const awsvpc = taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC;
  const options: ecs.BaseServiceOptions = {
    ...spec.rollout,
    cluster: spec.env.cluster,
    desiredCount: spec.desiredCount,
    propagateTags: ecs.PropagatedTagSource.SERVICE,
    enableECSManagedTags: true,
    serviceConnectConfiguration: spec.serviceConnect,
    healthCheckGracePeriod: spec.healthCheckGracePeriod,
    cloudMapOptions: cloudMapOptions(scope, spec),
  };
  const network = awsvpc
    ? { vpcSubnets: spec.env.taskSubnets, securityGroups: securityGroup ? [securityGroup] : undefined, assignPublicIp: false }
    : {};
  if (capacity.platform === CapacityPlatform.EXTERNAL) {
    if (spec.notOnExternal) {
      throw new ShipyardError(scope, ErrorCode.PLATFORM, `the workload needs ${spec.notOnExternal}, which ECS Anywhere instances cannot take`,
        'run it on Fargate or EC2 capacity; on ECS Anywhere run a WorkerService');
    }
    return new ecs.ExternalService(scope, 'Service', {
      ...options,
      // aws-cdk-lib refuses an external service in a cluster with a Cloud Map namespace (the
      // environment's Service Connect namespace); the same cluster, imported, has none.
      cluster: ecs.Cluster.fromClusterAttributes(scope, 'ExternalCluster', {
        clusterName: spec.env.cluster.clusterName, clusterArn: spec.env.cluster.clusterArn, vpc: spec.env.vpc,
      }),
      taskDefinition,
    });
  }
  if (spec.daemon) {
    // DAEMON services take a launch type, not a capacity provider strategy; the attribute
    // keeps them on the chosen capacity's instances.
    const values = capacity.autoScalingCapacities.map(p => p.instanceAttributeValue);
    return new ecs.Ec2Service(scope, 'Service', {
      ...options,
      ...network,
      taskDefinition,
      daemon: true,
      placementConstraints: [
        ecs.PlacementConstraint.memberOf(`attribute:${AutoScalingCapacity.INSTANCE_ATTRIBUTE} in [${values.join(', ')}]`),
        ...capacity.placementConstraints,
      ],
    });
  }
  const placed = { ...options, ...network, taskDefinition, capacityProviderStrategies: capacity._bind(scope) };
  if (spec.platformVersion !== undefined) {
    checkPlatformVersion(scope, capacity, spec.task, spec.platformVersion);
    return new ecs.FargateService(scope, 'Service', { ...placed, platformVersion: spec.platformVersion });
  }
  // Managed Instances tasks are Fargate-compatible too; the strategy decides where they run.
  if (capacity.platform !== CapacityPlatform.EC2) return new ecs.FargateService(scope, 'Service', placed);
  return new ecs.Ec2Service(scope, 'Service', {
    ...placed,
    placementStrategies: capacity.placementStrategies,
    placementConstraints: capacity.placementConstraints.length > 0 ? capacity.placementConstraints : undefined,
  });
}

/**
 * Checks of the service as the template will hold it, so an escape hatch (the L1 property or a
 * template override) cannot slip past them: no public IP, a valid name, no rollback-alarm cycle.
 */
function checkRenderedService(service: ecs.BaseService, capacity: Capacity): void {
  const cfn = service.node.defaultChild as ecs.CfnService;
  service.node.addValidation({
    validate: () => {
      const rendered = renderedProperties(cfn);
      return [...publicIpProblems(rendered, capacity), ...serviceNameProblems(rendered), ...rollbackAlarmCycleProblems(service, rendered)]
        .map(p => problemMessage(service, p));
    },
  });
}

/**
 * Tasks never get a public IP, naming the platform (EC2 tasks cannot have one at all).
 * Source: ECS API Reference, AwsVpcConfiguration.
 */
function publicIpProblems(rendered: Record<string, any>, capacity: Capacity): Problem[] {
  if (rendered.NetworkConfiguration?.AwsvpcConfiguration?.AssignPublicIp !== 'ENABLED') return [];
  return [{
    code: ErrorCode.NETWORK,
    problem: `assignPublicIp is ENABLED on ${capacity.platform} capacity`,
    fix: capacity.platform === CapacityPlatform.EC2
      ? 'EC2 tasks cannot have public IPs; remove the override (tasks reach the internet through the NAT gateway)'
      : 'remove the override; tasks reach the internet through the NAT gateway or VPC endpoints',
  }];
}

/** Up to 255 letters, digits, underscores and hyphens. Source: ECS API Reference, CreateService serviceName. */
function serviceNameProblems(rendered: Record<string, any>): Problem[] {
  const name: unknown = rendered.ServiceName;
  if (typeof name !== 'string' || /^[A-Za-z0-9_-]{1,255}$/.test(name)) return [];
  return [{
    code: ErrorCode.CONFLICTING_OPTIONS,
    problem: `service name ${show(name)} is not valid`,
    fix: 'use up to 255 letters, digits, underscores and hyphens (or leave the name to CloudFormation)',
  }];
}

/**
 * A service that lists an alarm for rollback by its generated name (a Ref) depends on the
 * alarm; if the alarm's metric names the service, the two depend on each other and
 * CloudFormation rejects the template. Say so, naming both; the `rollbackAlarms` option fixes
 * names instead.
 */
function rollbackAlarmCycleProblems(service: ecs.BaseService, rendered: Record<string, any>): Problem[] {
  const names: unknown[] = rendered.DeploymentConfiguration?.Alarms?.AlarmNames ?? [];
  const refs = names.map(n => (n as { Ref?: unknown })?.Ref).filter((r): r is string => typeof r === 'string');
  if (refs.length === 0) return [];
  const stack = Stack.of(service);
  const serviceId = stack.getLogicalId(service.node.defaultChild as ecs.CfnService);
  const byId = new Map(stack.node.findAll().filter(CfnResource.isCfnResource).map(r => [stack.getLogicalId(r), r]));
  return refs.flatMap(ref => {
    const alarm = byId.get(ref);
    if (!alarm) return [];
    const text = JSON.stringify(renderedProperties(alarm));
    if (!text.includes(`{"Ref":"${serviceId}"}`) && !text.includes(`{"Fn::GetAtt":["${serviceId}",`)) return [];
    return [{
      code: ErrorCode.ALARM,
      problem: `the service lists alarm ${alarm.node.path} for rollback by its generated name, and the alarm's metric refers to the service, `
        + 'so each depends on the other (CloudFormation rejects the circular dependency)',
      fix: 'pass the alarm as the deployment\'s rollbackAlarms (it is given a fixed name), or give it an alarmName',
    }];
  });
}

/** How a load balancer reaches the tasks. */
export interface LoadBalancerPath {
  readonly targetType: 'ip' | 'instance';
  readonly groups: ec2.ISecurityGroup[];
  readonly port: ec2.Port;
}

/**
 * Cloud Map DNS registration: A records for awsvpc tasks, SRV records (the main container's
 * first port) for bridge and host tasks, in a DNS namespace; not for ECS Anywhere services.
 * Source: Amazon ECS Developer Guide, "Use service discovery to connect Amazon ECS services
 * with DNS names" (considerations: SRV records with bridge or host network mode).
 */
function cloudMapOptions(scope: Construct, spec: ServiceSpec): ecs.CloudMapOptions | undefined {
  const discovery = spec.serviceDiscovery;
  if (!discovery) return undefined;
  const { options, defaultName } = discovery;
  const code = ErrorCode.SERVICE_CONNECT;
  const type = options.namespace.type;
  if (type === servicediscovery.NamespaceType.HTTP) {
    throw new ShipyardError(scope, code, 'serviceDiscovery.namespace is an HTTP namespace, which holds no DNS records',
      'give a private DNS namespace (new servicediscovery.PrivateDnsNamespace(...)); the environment\'s HTTP namespace serves Service Connect');
  }
  if (spec.task.capacity.platform === CapacityPlatform.EXTERNAL) {
    throw new ShipyardError(scope, code, 'Cloud Map DNS registration is not available to ECS Anywhere services', 'leave serviceDiscovery out on external capacity');
  }
  const name = options.name ?? defaultName;
  if (!Token.isUnresolved(name) && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(name)) {
    throw new ShipyardError(scope, code, `serviceDiscovery.name ${show(name)} is not a DNS label`, 'give letters, digits and inner hyphens, up to 63 characters');
  }
  checkRange(scope, code, 'serviceDiscovery.dnsTtl', knownSeconds(options.dnsTtl), 0, 2147483647, ' s');
  const base = { cloudMapNamespace: options.namespace, name, dnsTtl: options.dnsTtl ?? Duration.seconds(10) };
  if (spec.task.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC) return { ...base, dnsRecordType: servicediscovery.DnsRecordType.A };
  const port = spec.task.container.portMappings[0]?.containerPort;
  if (port === undefined) {
    throw new ShipyardError(scope, code, 'serviceDiscovery needs a port in bridge or host mode (SRV records), and the main container maps none',
      'register a service that listens on a port, or run it in awsvpc mode (A records)');
  }
  return { ...base, dnsRecordType: servicediscovery.DnsRecordType.SRV, container: spec.task.container, containerPort: port };
}

/**
 * A Fargate platform version is for Fargate capacity only, and Windows tasks take 1.0.0 (or
 * LATEST, which is it). Source: Amazon ECS Developer Guide, "Fargate Windows platform versions".
 */
export function checkPlatformVersion(scope: Construct, capacity: Capacity, task: TaskModel,
  platformVersion: ecs.FargatePlatformVersion | undefined): void {
  if (platformVersion === undefined) return;
  if (capacity.platform !== CapacityPlatform.FARGATE) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `platformVersion ${platformVersion} is given, but the tasks run on ${capacity.platform} capacity`,
      'leave platformVersion out: platform versions are Fargate\'s');
  }
  if (task.windows && ![ecs.FargatePlatformVersion.LATEST, ecs.FargatePlatformVersion.VERSION1_0].includes(platformVersion)) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `platformVersion ${platformVersion} is a Linux version, and the tasks run Windows`,
      'leave platformVersion out, or give FargatePlatformVersion.VERSION1_0');
  }
  // ARM64 tasks run on Linux platform version 1.4.0 or later (Amazon ECS Developer Guide,
  // "Amazon ECS task definitions for 64-bit ARM workloads"); on an older one they never start.
  const v = ecs.FargatePlatformVersion;
  const before14 = [v.VERSION1_0, v.VERSION1_1, v.VERSION1_2, v.VERSION1_3];
  if (!task.windows && task.cpuArchitecture === ecs.CpuArchitecture.ARM64 && before14.includes(platformVersion)) {
    throw new ShipyardError(scope, ErrorCode.PLATFORM, `platformVersion ${platformVersion} does not run ARM64 tasks (the default architecture)`,
      'give FargatePlatformVersion.VERSION1_4 or LATEST, or cpuArchitecture: ecs.CpuArchitecture.X86_64');
  }
}

/**
 * How a load balancer reaches the tasks: its target type, and the security groups and port
 * range it must be admitted to (the workload's group on the container port in awsvpc mode;
 * the instances' groups on the ephemeral range in bridge mode, or on the container port in
 * host mode).
 */
export function loadBalancerPath(task: TaskModel, securityGroup: ec2.ISecurityGroup | undefined, containerPort: number): LoadBalancerPath {
  const mode = task.taskDefinition.networkMode;
  if (mode === ecs.NetworkMode.AWS_VPC) return { targetType: 'ip', groups: securityGroup ? [securityGroup] : [], port: ec2.Port.tcp(containerPort) };
  const groups = task.capacity.autoScalingCapacities.map(p => p.securityGroup);
  // Docker picks dynamic host ports from the kernel's ephemeral range (32768-60999 on
  // Amazon Linux 2023) or 49153-65535; Windows (nat) from 49152-65535. Source: ECS API
  // Reference, PortMapping hostPort.
  const port = mode === ecs.NetworkMode.BRIDGE ? ec2.Port.tcpRange(32768, 65535)
    : mode === ecs.NetworkMode.NAT ? ec2.Port.tcpRange(49152, 65535)
      : ec2.Port.tcp(containerPort);
  return { targetType: 'instance', groups, port };
}

/** The connections a workload's tasks have: their own group in awsvpc mode, the instances' otherwise. */
export function taskConnections(task: TaskModel, securityGroup: ec2.ISecurityGroup | undefined): ec2.Connections {
  if (task.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC && securityGroup) return new ec2.Connections({ securityGroups: [securityGroup] });
  return new ec2.Connections({ securityGroups: task.capacity.autoScalingCapacities.map(p => p.securityGroup) });
}

/**
 * An EventBridge rule that sends the service's SERVICE_DEPLOYMENT_FAILED events (the
 * circuit breaker stopped and rolled back a deployment) to the environment's topic.
 * Source: Amazon ECS Developer Guide, "Amazon ECS service deployment events".
 */
export function notifyDeploymentFailures(scope: Construct, env: IEnvironment, service: ecs.BaseService): events.Rule | undefined {
  if (!env.alarmTopic) return undefined;
  return new events.Rule(scope, 'DeploymentFailed', {
    description: `${scope.node.path}: a deployment failed and was rolled back`,
    eventPattern: {
      source: ['aws.ecs'],
      detailType: ['ECS Deployment State Change'],
      resources: [service.serviceArn],
      detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
    },
    targets: [new eventsTargets.SnsTopic(env.alarmTopic)],
  });
}

