import {
  Annotations, Duration, Tags,
  aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_events as events,
  aws_events_targets as eventsTargets, aws_iam as iam, aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Capacity } from '../capacity/capacity';
import { Deployment } from '../deployment/deployment';
import { acknowledgeUnencryptedLogGroup, IEnvironment } from '../environment/environment';
import { Routing } from '../environment/ingress';
import { EnvironmentProfile, profileDefaults } from '../environment/profile';
import {
  checkFargateTaskSize, checkInteger, checkPlainEnvironment, checkPort, checkRange, isKnown, knownSeconds,
} from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { Logging } from '../logging/logging';
import { acknowledge, acknowledgeInlinePolicy } from '../private/nag';
import { checkScalingBounds, Scaling, ScalingOptions } from '../scaling/scaling';
import {
  applySecureBaseline, baselineContainerProps, baselineLinuxParameters, checkContainerHealthCheck, ContainerSecurityOptions,
} from '../task/baseline';
import { Image } from '../task/image';
import { containerMemoryErrors } from '../task/task-checks';

/** The load balancer's health check of a service's tasks. */
export interface TargetHealthCheckOptions {
  /**
   * HTTP path the load balancer requests.
   * @default '/'
   */
  readonly path?: string;
  /**
   * Time between checks.
   * @default Duration.seconds(10) - ELB's default of 30 s makes each deployment step slower
   */
  readonly interval?: Duration;
  /**
   * Time to wait for a response.
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /**
   * Consecutive successes before a task receives traffic.
   * @default 2
   */
  readonly healthyThresholdCount?: number;
  /**
   * Consecutive failures before a task is taken out.
   * @default 3
   */
  readonly unhealthyThresholdCount?: number;
  /**
   * HTTP codes that count as healthy.
   * @default '200-399'
   */
  readonly healthyHttpCodes?: string;
}

/** Properties of a WebService. */
export interface WebServiceProps {
  /** The environment the service runs in. */
  readonly environment: IEnvironment;
  /** The container image. */
  readonly image: Image;
  /**
   * Port the container listens on (non-root users cannot bind below 1024).
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Task CPU units (256 = 0.25 vCPU); must pair with `memoryLimitMiB` as Fargate allows.
   * @default 256
   */
  readonly cpu?: number;
  /**
   * Task memory in MiB.
   * @default 512
   */
  readonly memoryLimitMiB?: number;
  /**
   * CPU architecture of the task (and of a local image build).
   * @default ecs.CpuArchitecture.ARM64 - Graviton, about 20% cheaper than x86
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  /**
   * Tasks to run.
   * @default - scaling.minCapacity with scaling; otherwise 2 in production and 1 in development
   */
  readonly desiredCount?: number;
  /**
   * The container's command.
   * @default - the image's
   */
  readonly command?: string[];
  /**
   * Plain (non-secret) environment variables. Credentials are rejected; use `secrets`.
   * @default - none
   */
  readonly environmentVariables?: { [key: string]: string };
  /**
   * Secrets from Secrets Manager or SSM Parameter Store, injected as environment variables.
   * @default - none
   */
  readonly secrets?: { [key: string]: ecs.Secret };
  /**
   * The container health check; its start period also becomes the service's health check grace period.
   * @default - none (the load balancer health check decides)
   */
  readonly healthCheck?: ecs.HealthCheck;
  /**
   * The load balancer's health check.
   * @default - path '/', every 10 s, 2 healthy / 3 unhealthy, 5 s timeout
   */
  readonly targetHealthCheck?: TargetHealthCheckOptions;
  /**
   * Time the load balancer drains a task before it stops.
   * @default Duration.seconds(30) - ELB's default of 300 s makes each deployment step slower
   */
  readonly deregistrationDelay?: Duration;
  /**
   * Where the service receives traffic on the environment's load balancer.
   * @default - every path ('/*') on any host
   */
  readonly routing?: Routing;
  /**
   * Capacity the tasks run on.
   * @default - the environment's default capacity
   */
  readonly capacity?: Capacity;
  /**
   * Target-tracking auto scaling.
   * @default - a fixed number of tasks
   */
  readonly scaling?: ScalingOptions;
  /**
   * How new versions roll out.
   * @default Deployment.rolling() - circuit breaker with rollback, 100% / 200%
   */
  readonly deployment?: Deployment;
  /**
   * Where container logs go.
   * @default Logging.awsLogs() - a new log group with the environment's retention, retained on delete
   */
  readonly logging?: Logging;
  /**
   * The secure container baseline.
   * @default - read-only root file system with a writable /tmp, user 1000:1000, init process, no privilege
   */
  readonly containerSecurity?: ContainerSecurityOptions;
}

/**
 * An HTTP service on Fargate that receives traffic from the environment's shared load balancer.
 */
export class WebService extends Construct implements ec2.IConnectable {
  /** The ECS service. */
  public readonly service: ecs.FargateService;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The application container. */
  public readonly container: ecs.ContainerDefinition;
  /** The target group the listener rule forwards to. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The listener rule on the shared load balancer. */
  public readonly listenerRule: elbv2.ApplicationListenerRule;
  /** The container log group. */
  public readonly logGroup: logs.ILogGroup;
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
    const cpu = props.cpu ?? 256;
    const memoryLimitMiB = props.memoryLimitMiB ?? 512;
    const containerPort = props.containerPort ?? 8080;
    const cpuArchitecture = props.cpuArchitecture ?? ecs.CpuArchitecture.ARM64;
    checkFargateTaskSize(this, cpu, memoryLimitMiB);
    checkPort(this, 'containerPort', containerPort);
    checkContainerHealthCheck(this, props.healthCheck);
    checkRange(this, ErrorCode.DEREGISTRATION_DELAY, 'deregistrationDelay', knownSeconds(props.deregistrationDelay), 0, 3600, ' s');
    const desiredCount = this.desiredCount(env.profile, props);
    const deployment = (props.deployment ?? Deployment.rolling()).bind(this);
    const capacity = (props.capacity ?? env.defaultCapacity).bind(this);
    const secretLooking = checkPlainEnvironment(this, props.environmentVariables ?? {});

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu,
      memoryLimitMiB,
      runtimePlatform: { cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.taskRole = this.taskDefinition.taskRole;
    const containerName = 'app';
    const logging = (props.logging ?? Logging.awsLogs()).bind(this, {
      containerName,
      retention: env.logRetention,
      encryptionKey: env.logEncryptionKey,
    });
    this.logGroup = logging.logGroup;
    this.container = this.taskDefinition.addContainer('App', {
      containerName,
      image: props.image.bind(this, { cpuArchitecture }),
      command: props.command,
      portMappings: [{ containerPort, name: 'http', appProtocol: ecs.AppProtocol.http }],
      environment: props.environmentVariables,
      secrets: props.secrets,
      healthCheck: props.healthCheck,
      logging: logging.logDriver,
      linuxParameters: baselineLinuxParameters(this, props.containerSecurity),
      ...baselineContainerProps(props.containerSecurity),
    });
    applySecureBaseline(this, this.taskDefinition, this.container, props.containerSecurity);
    this.node.addValidation({ validate: () => containerMemoryErrors(this.taskDefinition, memoryLimitMiB) });

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: env.vpc,
      description: `${this.node.path}: traffic from the shared load balancer only`,
      allowAllOutbound: true,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: env.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount,
      vpcSubnets: env.taskSubnets,
      assignPublicIp: false,
      securityGroups: [securityGroup],
      capacityProviderStrategies: capacity,
      circuitBreaker: { enable: true, rollback: deployment.rollbackOnFailure },
      minHealthyPercent: deployment.minHealthyPercent,
      maxHealthyPercent: deployment.maxHealthyPercent,
      // The container's start period covers boot; without one, give the app a minute.
      healthCheckGracePeriod: props.healthCheck?.startPeriod ?? Duration.seconds(60),
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });
    // The capacity providers must be associated with the cluster before the service is
    // created, and stay until it is deleted.
    this.service.node.addDependency(env.cluster);
    this.connections = this.service.connections;

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: env.vpc,
      targetType: elbv2.TargetType.IP,
      port: containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      deregistrationDelay: props.deregistrationDelay ?? Duration.seconds(30),
      healthCheck: this.targetHealthCheck(props.targetHealthCheck),
    });
    this.targetGroup.addTarget(this.service.loadBalancerTarget({ containerName, containerPort }));
    this.listenerRule = env.ingress.addRoute(this, 'ListenerRule', props.routing ?? {}, this.targetGroup);
    this.service.connections.allowFrom(env.ingress.loadBalancer, ec2.Port.tcp(containerPort), 'From the shared load balancer');

    if (props.scaling) {
      this.scalableTaskCount = this.service.autoScaleTaskCount({
        minCapacity: props.scaling.minCapacity,
        maxCapacity: props.scaling.maxCapacity,
      });
      for (const target of props.scaling.targets ?? [Scaling.cpu(70)]) {
        target.bind(this, { taskCount: this.scalableTaskCount, targetGroup: this.targetGroup });
      }
    }

    if (env.alarmTopic) {
      // ECS emits SERVICE_DEPLOYMENT_FAILED when the circuit breaker stops (and rolls back)
      // a deployment. Source: Amazon ECS Developer Guide, "Amazon ECS service deployment events".
      this.deploymentFailedRule = new events.Rule(this, 'DeploymentFailed', {
        description: `${this.node.path}: a deployment failed and was rolled back`,
        eventPattern: {
          source: ['aws.ecs'],
          detailType: ['ECS Deployment State Change'],
          resources: [this.service.serviceArn],
          detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
        },
        targets: [new eventsTargets.SnsTopic(env.alarmTopic)],
      });
    }

    for (const [key, value] of Object.entries(env.tags)) Tags.of(this).add(key, value);
    if (secretLooking.length > 0) {
      Annotations.of(this).addWarningV2('cdk-shipyard:secret-like-variable',
        `environment variables ${secretLooking.join(', ')} look like secrets; pass them through \`secrets\` (ecs.Secret) instead`);
    }
    if (!env.internetEgress && !props.image.fromEcr) {
      Annotations.of(this).addWarningV2('cdk-shipyard:image-unreachable',
        'the environment has no internet egress (VPC endpoints only) and the image is not in ECR; tasks cannot pull it unless the registry is reachable privately');
    }
    this.acknowledgeFindings(env, props);
  }

  private desiredCount(profile: EnvironmentProfile, props: WebServiceProps): number {
    const scaling = props.scaling;
    if (scaling) checkScalingBounds(this, scaling);
    const desired = props.desiredCount ?? scaling?.minCapacity ?? profileDefaults(profile).desiredCount;
    checkInteger(this, ErrorCode.DESIRED_COUNT, 'desiredCount', desired);
    checkRange(this, ErrorCode.DESIRED_COUNT, 'desiredCount', desired, 0, 5000);
    if (scaling && isKnown(desired) && isKnown(scaling.minCapacity) && isKnown(scaling.maxCapacity)
      && (desired < scaling.minCapacity || desired > scaling.maxCapacity)) {
      throw new ShipyardError(this, ErrorCode.DESIRED_COUNT,
        `desiredCount ${desired} is outside the scaling bounds ${scaling.minCapacity}-${scaling.maxCapacity}`,
        'leave desiredCount out (it follows scaling.minCapacity) or set it within the bounds');
    }
    return desired;
  }

  /**
   * ELB limits: interval 5-300 s, timeout 2-120 s, thresholds 2-10, timeout shorter than
   * interval. Source: Elastic Load Balancing API Reference, CreateTargetGroup.
   */
  private targetHealthCheck(options: TargetHealthCheckOptions = {}): elbv2.HealthCheck {
    const interval = options.interval ?? Duration.seconds(10);
    const timeout = options.timeout ?? Duration.seconds(5);
    const healthy = options.healthyThresholdCount ?? 2;
    const unhealthy = options.unhealthyThresholdCount ?? 3;
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
    return {
      path,
      interval,
      timeout,
      healthyThresholdCount: healthy,
      unhealthyThresholdCount: unhealthy,
      healthyHttpCodes: options.healthyHttpCodes ?? '200-399',
    };
  }

  private acknowledgeFindings(env: IEnvironment, props: WebServiceProps): void {
    if (!env.logEncryptionKey && !props.logging) acknowledgeUnencryptedLogGroup(this.logGroup);
    if (props.environmentVariables && Object.keys(props.environmentVariables).length > 0) {
      acknowledge(this.taskDefinition, [{
        id: 'AwsSolutions-ECS2',
        reason: 'Plain environment variables carry configuration only: cdk-shipyard rejects credentials at synth time and passes secrets through ecs.Secret.',
      }]);
    }
    const executionPolicy = this.taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
    if (executionPolicy) acknowledgeInlinePolicy(executionPolicy);
    if (executionPolicy && props.image.fromEcr) {
      acknowledge(executionPolicy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'ecr:GetAuthorizationToken does not support resource-level permissions; image pulls are limited to the image\'s repository.',
        appliesTo: ['Resource::*'],
      }]);
    }
  }
}
