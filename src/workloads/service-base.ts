import {
  CfnResource, Duration, RemovalPolicy, Stack, Tags, Token, aws_ec2 as ec2, aws_ecs as ecs, aws_events as events,
  aws_events_targets as eventsTargets, aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { DeploySpeed, deploySpeedSettings, DeploySpeedSettings } from '../deployment/deploy-speed';
import { Deployment, DeploymentConfig } from '../deployment/deployment';
import { IEnvironment } from '../environment/environment';
import { EnvironmentProfile, profileDefaults } from '../environment/profile';
import { checkInteger, checkRange } from '../guardrails/checks';
import { ErrorCode, Problem, problemMessage, ShipyardError, show } from '../guardrails/errors';
import { ServiceAlarms, ServiceAlarmsOptions } from '../observability/service-alarms';
import { taskEgress } from '../private/egress';
import { acknowledge } from '../private/nag';
import { renderedProperties } from '../private/rendered';
import { checkScalingBounds, ScalingOptions } from '../scaling/scaling';
import { TaskModel } from '../task/task-builder';

/** The deploy-speed preset of a workload: SAFE in production, FAST in development. */
export function speedOf(env: IEnvironment, speed?: DeploySpeed): DeploySpeedSettings {
  return deploySpeedSettings(speed ?? (env.profile === EnvironmentProfile.PRODUCTION ? DeploySpeed.SAFE : DeploySpeed.FAST));
}

/**
 * The desired count: given, else the scaling minimum, else the profile's. With scaling the
 * count is scaling's alone (see `scaleTaskCount`), so a desiredCount beside it is refused.
 */
export function resolveDesiredCount(scope: Construct, profile: EnvironmentProfile, desiredCount: number | undefined,
  scaling: { minCapacity: number; maxCapacity: number } | undefined, minimum = 0): number {
  if (scaling) {
    checkScalingBounds(scope, scaling as ScalingOptions);
    if (desiredCount !== undefined) {
      throw new ShipyardError(scope, ErrorCode.DESIRED_COUNT,
        `desiredCount ${count(desiredCount)} is given with scaling (${count(scaling.minCapacity)}-${count(scaling.maxCapacity)} tasks); `
        + 'with scaling the template leaves DesiredCount out, so that a deploy never resets a scaled-out service',
        'leave desiredCount out: scaling.minCapacity brings a new service up');
    }
  }
  const desired = desiredCount ?? scaling?.minCapacity ?? profileDefaults(profile).desiredCount;
  checkInteger(scope, ErrorCode.DESIRED_COUNT, 'desiredCount', desired);
  checkRange(scope, ErrorCode.DESIRED_COUNT, 'desiredCount', desired, minimum, 5000);
  return desired;
}

/** A count for a message: the number, or what stands for it while it is a token. */
function count(value: number): string {
  return Token.isUnresolved(value) ? '(a token)' : show(value);
}

/**
 * Scale the service between `minCapacity` and `maxCapacity`, and leave DesiredCount out of its
 * template. CloudFormation sends a service's DesiredCount with every update of it, so a
 * template that holds one resets a scaled-out service to that number on the next deploy (the
 * reason for aws-cdk-lib's `@aws-cdk/aws-ecs:removeDefaultDesiredCount` flag, which only
 * covers an unset count). Without one, CloudFormation creates the service with one task
 * ("For new services, if a desired count is not specified, a default value of 1 is used":
 * AWS::ECS::Service DesiredCount) and registering the scalable target moves it within the
 * bounds at once; updates leave the count to Application Auto Scaling.
 */
export function scaleTaskCount(service: ecs.BaseService, minCapacity: number, maxCapacity: number): ecs.ScalableTaskCount {
  const taskCount = service.autoScaleTaskCount({ minCapacity, maxCapacity });
  (service.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
  return taskCount;
}

/** What every service needs beyond the options it shares with aws-cdk-lib's services. */
export interface EcsServiceOptions {
  readonly env: IEnvironment;
  readonly task: TaskModel;
  /** The service options shared by Fargate and EC2 services. */
  readonly service: Omit<ecs.BaseServiceOptions, 'cluster' | 'capacityProviderStrategies'>;
  /** A security group of the tasks, in awsvpc mode. */
  readonly securityGroup?: ec2.ISecurityGroup;
  /**
   * What the workload needs that ECS Anywhere cannot give (a load balancer, Service Connect),
   * if anything; set, it fails on external capacity.
   */
  readonly notOnExternal?: string;
}

/**
 * The ECS service of a workload, for the platform its capacity runs on: a `FargateService`,
 * or an `Ec2Service` with the capacity's placement. awsvpc tasks run in the environment's
 * private subnets with the workload's security group and no public IP. A service on Auto
 * Scaling group capacity depends on the groups' deletion guards, so on stack deletion the
 * service is gone before its instances are; every service in the VPC depends on the task
 * subnets' egress, so it is gone before its tasks' way out is.
 */
export function createEcsService(scope: Construct, o: EcsServiceOptions): ecs.BaseService {
  const capacity = o.task.capacity;
  const awsvpc = o.task.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC;
  const network = awsvpc
    ? { vpcSubnets: o.env.taskSubnets, securityGroups: o.securityGroup ? [o.securityGroup] : undefined, assignPublicIp: false }
    : {};
  const common = { ...o.service, ...network, cluster: o.env.cluster, capacityProviderStrategies: capacity.bind(scope) };
  let service: ecs.BaseService;
  if (capacity.platform === CapacityPlatform.EXTERNAL) {
    if (o.notOnExternal) {
      throw new ShipyardError(scope, ErrorCode.PLATFORM, `the workload needs ${o.notOnExternal}, which ECS Anywhere instances cannot take`,
        'run it on Fargate or EC2 capacity; on ECS Anywhere run a WorkerService');
    }
    const { vpcSubnets, securityGroups, assignPublicIp, ...external } = common;
    service = new ecs.ExternalService(scope, 'Service', {
      ...external,
      capacityProviderStrategies: undefined,
      // aws-cdk-lib refuses an external service in a cluster with a Cloud Map namespace (the
      // environment's Service Connect namespace); the same cluster, imported, has none.
      cluster: ecs.Cluster.fromClusterAttributes(scope, 'ExternalCluster', {
        clusterName: o.env.cluster.clusterName, clusterArn: o.env.cluster.clusterArn, vpc: o.env.vpc,
      }),
      taskDefinition: o.task.taskDefinition,
    });
  } else if (capacity.platform !== CapacityPlatform.EC2) {
    // Managed Instances tasks are Fargate-compatible too; the strategy decides where they run.
    service = new ecs.FargateService(scope, 'Service', { ...common, taskDefinition: o.task.taskDefinition });
  } else {
    service = new ecs.Ec2Service(scope, 'Service', {
      ...common,
      taskDefinition: o.task.taskDefinition,
      placementStrategies: capacity.placementStrategies,
      placementConstraints: capacity.placementConstraints.length > 0 ? capacity.placementConstraints : undefined,
    });
    for (const provider of capacity.autoScalingCapacities) service.node.addDependency(provider.deletionGuard);
  }
  // The capacity providers must be associated with the cluster before the service is
  // created, and stay until it is deleted; so must the tasks' way out (image pulls on
  // create, draining on delete).
  service.node.addDependency(o.env.cluster);
  if (capacity.platform !== CapacityPlatform.EXTERNAL) (service.node.defaultChild as ecs.CfnService).node.addDependency(taskEgress(o.env));
  checkRenderedService(service, capacity);
  return service;
}

/**
 * Checks of the service as the template will hold it, so an escape hatch (the L1 property or a
 * template override) cannot slip past them: no public IP, a valid name, no rollback-alarm cycle.
 */
export function checkRenderedService(service: ecs.BaseService, capacity: Capacity): void {
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

/**
 * How a load balancer reaches the tasks: its target type, and the security groups and port
 * range it must be admitted to (the workload's group on the container port in awsvpc mode;
 * the instances' groups on the ephemeral range in bridge mode, or on the container port in
 * host mode).
 */
export function loadBalancerPath(task: TaskModel, securityGroup: ec2.ISecurityGroup | undefined, containerPort: number):
{ targetType: 'ip' | 'instance'; groups: ec2.ISecurityGroup[]; port: ec2.Port } {
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

/** What a long-running workload without a load balancer needs to create its service. */
export interface PlainServiceOptions {
  readonly env: IEnvironment;
  readonly task: TaskModel;
  readonly desiredCount: number;
  readonly deployment?: Deployment;
  readonly speed: DeploySpeedSettings;
  readonly securityGroupDescription: string;
  readonly enableExec?: boolean;
  readonly serviceConnect?: ecs.ServiceConnectProps;
  readonly alarms?: ServiceAlarmsOptions;
  /** Fixed names of alarms (created by the caller) that roll a deployment back. */
  readonly rollbackAlarmNames?: string[];
  /** Grace period when a load balancer checks the tasks. */
  readonly healthCheckGracePeriod?: Duration;
  /** Whether a load balancer can shift traffic (blue/green, linear, canary allowed). */
  readonly shiftsTraffic?: boolean;
}

/** A service, its security group and alarms. */
export interface PlainService {
  readonly service: ecs.BaseService;
  /** The tasks' security group in awsvpc mode; none in bridge or host mode (the instances' groups apply). */
  readonly securityGroup?: ec2.SecurityGroup;
  /** The tasks' connections. */
  readonly connections: ec2.Connections;
  readonly alarms: ServiceAlarms;
  readonly deployment: DeploymentConfig;
  readonly deploymentFailedRule?: events.Rule;
}

/**
 * A rolling Fargate service in the environment's private subnets, with the circuit breaker,
 * the deploy-speed percentages, the task-count and CPU-or-memory alarms and the
 * deployment-failed notification: the part BackendService and WorkerService share.
 */
export function createPlainService(scope: Construct, o: PlainServiceOptions): PlainService {
  const deployment = (o.deployment ?? Deployment.rolling()).bind(scope, {
    shiftsTraffic: o.shiftsTraffic ?? false,
    hasRollbackAlarms: (o.rollbackAlarmNames ?? []).length > 0,
    defaultMinHealthyPercent: o.speed.minHealthyPercent,
    defaultMaxHealthyPercent: o.speed.maxHealthyPercent,
  });
  const rolling = deployment.strategy === ecs.DeploymentStrategy.ROLLING;
  if (deployment.codeDeploy) {
    throw new ShipyardError(scope, ErrorCode.DEPLOYMENT, 'CodeDeploy deployments are available for WebService only',
      'use Deployment.rolling(), or the ECS-native blueGreen/linear/canary where the workload has a load balancer');
  }
  const awsvpc = o.task.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC;
  const securityGroup = awsvpc ? new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc: o.env.vpc,
    description: `${scope.node.path}: ${o.securityGroupDescription}`,
    allowAllOutbound: true,
  }) : undefined;
  const service = createEcsService(scope, {
    env: o.env,
    task: o.task,
    securityGroup,
    notOnExternal: o.serviceConnect ? 'Service Connect' : o.shiftsTraffic ? 'a load balancer' : undefined,
    service: {
      desiredCount: o.desiredCount,
      circuitBreaker: { enable: true, rollback: deployment.rollbackOnFailure },
      // The blue/green family starts a full second set of tasks, then stops the old one.
      minHealthyPercent: rolling ? deployment.minHealthyPercent : 100,
      maxHealthyPercent: rolling ? deployment.maxHealthyPercent : 200,
      deploymentStrategy: rolling ? undefined : deployment.strategy,
      bakeTime: deployment.bakeTime,
      linearConfiguration: deployment.strategy === ecs.DeploymentStrategy.LINEAR ? deployment.trafficShift : undefined,
      canaryConfiguration: deployment.strategy === ecs.DeploymentStrategy.CANARY ? deployment.trafficShift : undefined,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
      enableExecuteCommand: o.enableExec,
      serviceConnectConfiguration: o.serviceConnect,
      healthCheckGracePeriod: o.healthCheckGracePeriod,
    },
  });
  o.task.connect(service, o.env.cluster);
  const alarms = new ServiceAlarms(scope, 'Alarms', {
    ...o.alarms,
    service,
    clusterName: o.env.cluster.clusterName,
    topic: o.env.alarmTopic,
  });
  if (deployment.rollbackOnAlarm) {
    const rollbackAlarmNames = [...o.rollbackAlarmNames ?? [], ...deployment.rollbackAlarmNames];
    if (rollbackAlarmNames.length === 0) {
      throw new ShipyardError(scope, ErrorCode.ALARM, 'the deployment rolls back on alarm, but the workload has no load balancer alarm to watch',
        'give the deployment rollbackAlarms of your own, or set rollbackOnAlarm: false (the circuit breaker still rolls back failed deployments)');
    }
    service.enableDeploymentAlarms(rollbackAlarmNames, { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
  }
  const deploymentFailedRule = notifyDeploymentFailures(scope, o.env, service);
  return { service, securityGroup, connections: taskConnections(o.task, securityGroup), alarms, deployment, deploymentFailedRule };
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

/** Tag everything under `scope` with the environment's tags. */
export function applyEnvironmentTags(scope: Construct, env: IEnvironment): void {
  for (const [key, value] of Object.entries(env.tags)) Tags.of(scope).add(key, value);
}

/** The health check grace period: the container's start period, or a minute. */
export function gracePeriod(healthCheck: ecs.HealthCheck | undefined): Duration {
  return healthCheck?.startPeriod ?? Duration.seconds(60);
}

/**
 * A dead-letter queue for what Scheduler or EventBridge could not deliver: SSE-SQS, TLS only,
 * kept 14 days (the longest SQS allows), retained on delete.
 */
export function deliveryDeadLetterQueue(scope: Construct, owner: string): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
    // Marks it a dead-letter queue (AWS Control Tower CT.SQS.PR.1); allowAll is SQS's default.
    redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
  });
  acknowledge(queue, [{ id: 'AwsSolutions-SQS3', reason: `This queue is the ${owner}'s dead-letter queue.` }]);
  return queue;
}
