import {
  Names, Stack, Tags, Token, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_events as events, aws_iam as iam,
  aws_kms as kms, aws_logs as logs, aws_servicediscovery as servicediscovery, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { execConfiguration, ExecOptions } from './exec';
import { EcsGateway, EcsGatewayOptions, IEcsGateway, importedGateway } from './gateway';
import { IIngress, IngressOptions, SharedIngress } from './ingress';
import { Network, NetworkConfig } from './network';
import { EnvironmentProfile, profileDefaults } from './profile';
import { applyRoleSettings, applyRoleSettingsToProviders, checkRolePath, RoleSettings } from './roles';
import { Capacity, CapacityPlatform } from '../capacity/capacity';
import { ExternalInstances } from '../capacity/external-instances';
import { checkLogRetention, checkPattern, checkTags, ECS_NAME } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { EnvironmentDashboard } from '../observability/dashboards';
import { logLifecycleEvents, notifyTaskEvents, TaskEventsOptions } from '../observability/task-events';
import { acknowledge, acknowledgeProvider, inCompliancePacks } from '../private/nag';
import { watchStackBudget } from '../private/stack-budget';

/**
 * What workloads need from an environment. Implemented by `Environment` and by
 * `Environment.fromAttributes` for an environment built in another app.
 */
export interface IEnvironment extends IConstruct {
  /** The profile the environment's defaults come from. */
  readonly profile: EnvironmentProfile;
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** The ECS cluster. */
  readonly cluster: ecs.ICluster;
  /** The shared load balancer that web services route through (reading it fails without one). */
  readonly ingress: IIngress;
  /**
   * Whether the environment has a shared load balancer of its own; without one
   * (`sharedLoadBalancer: false`) a WebService needs an ingress of its own, or joins the
   * environment's ECS gateway (`gateway`).
   * @default true
   */
  readonly hasSharedLoadBalancer?: boolean;
  /**
   * The ECS gateway web services join, instead of the shared load balancer.
   * @default - none
   */
  readonly gateway?: IEcsGateway;
  /**
   * The VPC's IPv4 range as a literal, when known at synth time (a new VPC).
   * @default - unknown; use the VPC's token
   */
  readonly vpcCidr?: string;
  /** Subnets tasks run in (never public; tasks get no public IP). */
  readonly taskSubnets: ec2.SubnetSelection;
  /** Whether tasks can reach the internet (false with VPC endpoints only). */
  readonly internetEgress: boolean;
  /**
   * The security group of the VPC's interface endpoints, when the environment created them
   * (`Egress.VPC_ENDPOINTS`): EC2 capacity adds the ECS agent's endpoints with it.
   * @default - none; the VPC's endpoints, if any, are managed elsewhere
   */
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;
  /** Capacity workloads run on unless they choose their own. */
  readonly defaultCapacity: Capacity;
  /** Retention of workload log groups. */
  readonly logRetention: logs.RetentionDays;
  /**
   * KMS key that encrypts workload log groups.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Topic that workload alarms notify.
   * @default - no topic
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * The Service Connect namespace.
   * @default - none
   */
  readonly serviceConnectNamespace?: servicediscovery.INamespace;
  /** Tags every workload in the environment carries. */
  readonly tags: { [key: string]: string };
  /**
   * The permissions boundary and path of every role the library creates in the environment
   * and its workloads.
   * @default - no boundary, path '/'
   */
  readonly roleSettings?: RoleSettings;
}

/** Properties of an Environment. */
export interface EnvironmentProps {
  /**
   * Picks the cost and safety defaults together; each stays overridable.
   * @default EnvironmentProfile.PRODUCTION
   */
  readonly profile?: EnvironmentProfile;
  /**
   * The network.
   * @default Network.newVpc() - 2 AZs, NAT per AZ in production and one NAT in development
   */
  readonly network?: Network;
  /**
   * The shared load balancer.
   * @default - internet-facing; HTTPS required in production
   */
  readonly ingress?: IngressOptions;
  /**
   * An ECS-managed shared load balancer (ECS Gateway) instead of the self-managed one
   * (`ingress`): ECS provisions Application Load Balancers as web services connect and gives
   * each service an HTTPS host name of its own. Web services join it with the same props.
   * @default - the self-managed shared load balancer (`ingress`)
   */
  readonly gateway?: EcsGatewayOptions;
  /**
   * Create the shared load balancer. Without it (an environment of workers and jobs) there is
   * no load balancer to pay for and no certificate to give; a WebService then needs an ingress
   * of its own.
   * @default true
   */
  readonly sharedLoadBalancer?: boolean;
  /**
   * Capacity workloads run on unless they choose their own.
   * @default - Capacity.fargate() in production, Capacity.fargateSpotMix() in development
   */
  readonly capacity?: Capacity;
  /**
   * Retention of log groups (workloads and VPC flow logs).
   * @default - 30 days in production, 7 days in development
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * KMS key for log groups. When it is a key created in this app, the CloudWatch Logs
   * service is allowed to use it; an imported key needs that grant in its key policy.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Topic that workloads notify when something needs a person: today, a deployment that
   * failed and was rolled back. An encrypted topic's key must let EventBridge
   * (`events.amazonaws.com`) use it.
   * @default - no notifications
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Name of the Service Connect namespace (a DNS name for a DNS namespace).
   * @default - a name unique to this environment's construct path
   */
  readonly serviceConnectNamespaceName?: string;
  /**
   * The kind of Cloud Map namespace the environment creates for Service Connect. The kind does
   * not change Service Connect (Amazon ECS API Reference, ServiceConnectConfiguration
   * namespace); a private DNS namespace in the VPC also answers DNS queries for the services
   * that register there (`serviceDiscovery`), for callers outside Service Connect.
   * @default servicediscovery.NamespaceType.HTTP
   */
  readonly serviceConnectNamespaceType?: servicediscovery.NamespaceType;
  /**
   * Container Insights level.
   * @default ecs.ContainerInsights.ENHANCED
   */
  readonly containerInsights?: ecs.ContainerInsights;
  /**
   * Tags on every resource of the environment and its workloads.
   * @default - none
   */
  readonly tags?: { [key: string]: string };
  /**
   * A permissions boundary and a path for every role the library creates, in the environment
   * (flow logs, capacity, custom-resource providers) and its workloads (task, execution,
   * deployment and scheduler roles). Roles you create or bring stay as they are.
   * @default - no boundary, path '/'
   */
  readonly roleSettings?: RoleSettings;
  /**
   * Create a CloudWatch dashboard for the environment (load balancer traffic, errors and
   * latency; the cluster's services, tasks, CPU and memory).
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * The ECS cluster's name. A fixed name lets tools outside the app find the cluster, but
   * a second deployment of the environment in the same account and Region then collides.
   * @default - generated by CloudFormation
   */
  readonly clusterName?: string;
  /**
   * Send task events to the alarm topic: AWS Health's scheduled changes for ECS (Fargate task
   * retirement) and service tasks that stop unexpectedly (these need `alarmTopic`); and keep the
   * cluster's lifecycle events in a log group (`lifecycleLog`, which does not).
   * @default - both notifications, when the environment has an alarmTopic; none without one; no lifecycle log
   */
  readonly taskEvents?: TaskEventsOptions;
  /**
   * Encrypt and record ECS Exec sessions of workloads that enable exec (`enableExec`).
   * @default - sessions use TLS only and are not recorded
   */
  readonly exec?: ExecOptions;
  /**
   * Let servers outside AWS join the cluster (ECS Anywhere): the environment creates the role
   * they assume once registered through an SSM hybrid activation (`externalInstances`); run
   * workers there with `Capacity.external(environment.externalInstances)`.
   * @default false
   */
  readonly externalInstances?: boolean;
}

/** Attributes of an environment built in another app. */
export interface EnvironmentAttributes {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** The ECS cluster. */
  readonly cluster: ecs.ICluster;
  /**
   * The shared load balancer (with `listener`).
   * @default - none: an environment made with `sharedLoadBalancer: false`
   */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /**
   * The listener services add rules to (with `loadBalancer`).
   * @default - none
   */
  readonly listener?: elbv2.IApplicationListener;
  /**
   * The listener's protocol.
   * @default elbv2.ApplicationProtocol.HTTPS
   */
  readonly listenerProtocol?: elbv2.ApplicationProtocol;
  /**
   * The test listener, for blue/green test traffic.
   * @default - none
   */
  readonly testListener?: elbv2.IApplicationListener;
  /**
   * The ARN of the environment's ECS gateway, already associated with the cluster (by the
   * environment that owns it), for web services to join instead of a shared load balancer.
   * @default - none
   */
  readonly gatewayArn?: string;
  /**
   * Whether the gateway's load balancers face the internet (its services get PUBLIC connections).
   * @default true
   */
  readonly gatewayInternetFacing?: boolean;
  /**
   * The environment's profile.
   * @default EnvironmentProfile.PRODUCTION
   */
  readonly profile?: EnvironmentProfile;
  /**
   * Task subnets.
   * @default - the VPC's private subnets
   */
  readonly taskSubnets?: ec2.SubnetSelection;
  /**
   * Whether tasks can reach the internet.
   * @default true
   */
  readonly internetEgress?: boolean;
  /**
   * Default capacity of workloads.
   * @default - the profile's
   */
  readonly capacity?: Capacity;
  /**
   * Log retention.
   * @default - the profile's
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * KMS key for log groups.
   * @default - none
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Alarm topic.
   * @default - none
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Service Connect namespace.
   * @default - none
   */
  readonly serviceConnectNamespace?: servicediscovery.INamespace;
  /**
   * Tags for workloads.
   * @default - none
   */
  readonly tags?: { [key: string]: string };
  /**
   * The permissions boundary and path of the roles the workloads create (the owning
   * environment's `roleSettings`).
   * @default - no boundary, path '/'
   */
  readonly roleSettings?: RoleSettings;
}

/**
 * A platform team's ECS environment: network, cluster with Fargate and Fargate Spot,
 * Container Insights, a Service Connect namespace, one shared load balancer and the
 * defaults its workloads inherit.
 */
export class Environment extends Construct implements IEnvironment {
  /** An environment built in another app, for workloads deployed separately. */
  public static fromAttributes(scope: Construct, id: string, attrs: EnvironmentAttributes): IEnvironment {
    return new ImportedEnvironment(scope, id, attrs);
  }

  /** The shared load balancer; an environment made with `sharedLoadBalancer: false` has none, and reading it fails. */
  public get ingress(): IIngress {
    return requireIngress(this, this.sharedIngress, this.gateway);
  }

  public readonly profile: EnvironmentProfile;
  public readonly vpc: ec2.IVpc;
  public readonly cluster: ecs.ICluster;
  /** Whether the environment has a shared load balancer of its own (`sharedLoadBalancer`; false with an ECS gateway). */
  public readonly hasSharedLoadBalancer?: boolean;
  /** The ECS gateway, with `gateway`. */
  public readonly gateway?: IEcsGateway;
  public readonly taskSubnets: ec2.SubnetSelection;
  public readonly vpcCidr?: string;
  private readonly sharedIngress?: IIngress;
  public readonly internetEgress: boolean;
  public readonly endpointSecurityGroup?: ec2.ISecurityGroup;
  public readonly defaultCapacity: Capacity;
  public readonly logRetention: logs.RetentionDays;
  public readonly logEncryptionKey?: kms.IKey;
  public readonly alarmTopic?: sns.ITopic;
  public readonly serviceConnectNamespace?: servicediscovery.INamespace;
  public readonly tags: { [key: string]: string };
  public readonly roleSettings?: RoleSettings;
  /** The VPC flow log group, when the VPC was created here. */
  public readonly flowLogGroup?: logs.ILogGroup;
  /** The environment's dashboard, unless switched off. */
  public readonly dashboard?: EnvironmentDashboard;
  /** The task-event rules: those that notify the alarm topic (health, unexpected stops), and the lifecycle log's. */
  public readonly taskEventRules: events.Rule[];
  /** The log group of the cluster's lifecycle events, when `taskEvents.lifecycleLog` is on. */
  public readonly lifecycleLogGroup?: logs.ILogGroup;
  /** The ECS Anywhere role and registration commands, when `externalInstances` is on. */
  public readonly externalInstances?: ExternalInstances;

  constructor(scope: Construct, id: string, props: EnvironmentProps = {}) {
    super(scope, id);
    watchStackBudget(this);
    this.profile = props.profile ?? EnvironmentProfile.PRODUCTION;
    const defaults = profileDefaults(this.profile);
    this.logRetention = props.logRetention ?? defaults.logRetention;
    this.logEncryptionKey = props.logEncryptionKey;
    this.alarmTopic = props.alarmTopic;
    this.tags = { ...(props.tags ?? {}) };
    checkTags(this, this.tags);
    checkLogRetention(this, 'logRetention', props.logRetention);
    if (this.logEncryptionKey instanceof kms.Key) allowCloudWatchLogs(this.logEncryptionKey);

    const network: NetworkConfig = (props.network ?? Network.newVpc())._bind(this, {
      natGatewayPerAz: defaults.natGatewayPerAz,
      logRetention: this.logRetention,
      logEncryptionKey: this.logEncryptionKey,
    });
    this.vpc = network.vpc;
    this.taskSubnets = network.taskSubnets;
    this.vpcCidr = network.cidr;
    this.internetEgress = network.internetEgress;
    this.flowLogGroup = network.flowLogGroup;
    this.endpointSecurityGroup = network.endpointSecurityGroup;

    const cluster = this.createCluster(props);
    this.defaultCapacity = props.capacity ?? defaults.capacity;
    if (this.defaultCapacity.platform === CapacityPlatform.EXTERNAL) {
      throw new ShipyardError(this, ErrorCode.CAPACITY_STRATEGY, 'ECS Anywhere cannot be the environment\'s default capacity (it is a launch type, not a strategy)',
        'keep a Fargate or EC2 default, and pass Capacity.external(...) to the workloads that run there');
    }
    cluster.addDefaultCapacityProviderStrategy(this.defaultCapacity._bind(this));
    this.cluster = cluster;
    if (props.externalInstances) this.externalInstances = new ExternalInstances(this, 'ExternalInstances', { environment: this });
    this.serviceConnectNamespace = this.addServiceConnectNamespace(props, cluster);

    const ingress = this.createIngress(props, network, cluster);
    this.hasSharedLoadBalancer = ingress.shared !== undefined;
    this.sharedIngress = ingress.shared;
    this.gateway = ingress.gateway;
    if (props.dashboard ?? true) {
      this.dashboard = new EnvironmentDashboard(this, 'Dashboard', {
        clusterName: cluster.clusterName,
        loadBalancerFullName: ingress.shared?.loadBalancerFullName,
      });
    }

    const taskEvents = addTaskEvents(this, cluster, props);
    this.taskEventRules = taskEvents.rules;
    this.lifecycleLogGroup = taskEvents.lifecycleLogGroup;

    for (const [key, value] of Object.entries(this.tags)) Tags.of(this).add(key, value);
    this.roleSettings = props.roleSettings;
    applyRoleSettings(this, props.roleSettings);
    applyRoleSettingsToProviders(Stack.of(this), props.roleSettings);
    this.acknowledgeFindings();
  }

  /** The cluster: Fargate providers, enhanced Container Insights, and ECS Exec's settings with `exec`. */
  private createCluster(props: EnvironmentProps): ecs.Cluster {
    checkClusterName(this, props.clusterName);
    return new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      clusterName: props.clusterName,
      containerInsightsV2: props.containerInsights ?? ecs.ContainerInsights.ENHANCED,
      enableFargateCapacityProviders: true,
      executeCommandConfiguration: props.exec
        ? execConfiguration(this, props.exec, { retention: this.logRetention, logKey: this.logEncryptionKey })
        : undefined,
    });
  }

  /** The cluster's default Cloud Map namespace, used for Service Connect (an HTTP one unless a private DNS one is asked for). */
  private addServiceConnectNamespace(props: EnvironmentProps, cluster: ecs.Cluster): servicediscovery.INamespace {
    const namespaceType = props.serviceConnectNamespaceType ?? servicediscovery.NamespaceType.HTTP;
    checkNamespaceName(this, namespaceType, props.serviceConnectNamespaceName);
    return cluster.addDefaultCloudMapNamespace({
      name: props.serviceConnectNamespaceName
        ?? Names.uniqueResourceName(this, { maxLength: 63, separator: '-' }).toLowerCase(),
      type: namespaceType,
      vpc: namespaceType === servicediscovery.NamespaceType.DNS_PRIVATE ? this.vpc : undefined,
      useForServiceConnect: true,
    });
  }

  /**
   * The shared ingress: the self-managed load balancer (`ingress`, unless `sharedLoadBalancer` is
   * false), or an ECS gateway (`gateway`), one at most.
   */
  private createIngress(props: EnvironmentProps, network: NetworkConfig, cluster: ecs.ICluster): { shared?: SharedIngress; gateway?: EcsGateway } {
    const production = this.profile === EnvironmentProfile.PRODUCTION;
    if (props.gateway) {
      if (props.ingress || props.sharedLoadBalancer === true) {
        throw new ShipyardError(this, ErrorCode.GATEWAY, `both gateway and ${props.ingress ? 'ingress' : 'sharedLoadBalancer: true'} are given`,
          'choose one shared ingress: gateway for an ECS gateway, or ingress for the self-managed load balancer');
      }
      return {
        gateway: new EcsGateway(this, 'Gateway', {
          ...props.gateway, vpc: this.vpc, cluster, production, subnets: network.loadBalancerSubnets, vpcCidr: network.cidr, tags: this.tags,
        }),
      };
    }
    if (props.sharedLoadBalancer === false) {
      if (props.ingress) {
        throw new ShipyardError(this, ErrorCode.CONFLICTING_OPTIONS, 'ingress options are given, but sharedLoadBalancer is false',
          'leave ingress out for an environment without a load balancer, or sharedLoadBalancer out to create it');
      }
      return {};
    }
    return {
      shared: new SharedIngress(this, 'Ingress', {
        ...props.ingress, vpc: this.vpc, subnets: network.loadBalancerSubnets, vpcCidr: network.cidr, production,
      }),
    };
  }

  private acknowledgeFindings(): void {
    if (this.flowLogGroup && !this.logEncryptionKey) acknowledgeUnencryptedLogGroup(this.flowLogGroup);
    const execLogGroup = this.node.tryFindChild('ExecLogGroup');
    if (execLogGroup instanceof logs.LogGroup && !this.logEncryptionKey) acknowledgeUnencryptedLogGroup(execLogGroup);
    if (this.lifecycleLogGroup && !this.logEncryptionKey) acknowledgeUnencryptedLogGroup(this.lifecycleLogGroup);
    // aws-cdk-lib closes the default security group with a custom resource whose Lambda
    // function it owns; its findings are acknowledged where the function is defined.
    const reason = 'aws-cdk-lib\'s provider that removes all rules from the VPC default security group; it runs once per deployment, needs no VPC access and uses the basic Lambda execution role.';
    acknowledgeProvider(this, 'Custom::VpcRestrictDefaultSGCustomResourceProvider', [
      { id: 'NIST.800.53.R5-LambdaConcurrency', reason },
      { id: 'NIST.800.53.R5-LambdaDLQ', reason },
      { id: 'NIST.800.53.R5-LambdaInsideVPC', reason },
      { id: 'HIPAA.Security-LambdaConcurrency', reason },
      { id: 'HIPAA.Security-LambdaDLQ', reason },
      { id: 'HIPAA.Security-LambdaInsideVPC', reason },
      { id: 'PCI.DSS.321-LambdaInsideVPC', reason },
    ], [
      { id: 'AwsSolutions-IAM4', reason, appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'] },
    ]);
  }
}

/** Acknowledge the KMS findings of a log group left on CloudWatch Logs' own encryption. */
export function acknowledgeUnencryptedLogGroup(logGroup: logs.ILogGroup): void {
  const reason = 'Encrypted at rest by CloudWatch Logs; pass Environment logEncryptionKey to use a customer managed KMS key.';
  acknowledge(logGroup, inCompliancePacks('CloudWatchLogGroupEncrypted', reason));
}

/** Let CloudWatch Logs in this account and region use the key for log groups. */
function allowCloudWatchLogs(key: kms.Key): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
    },
  }));
}

class ImportedEnvironment extends Construct implements IEnvironment {
  public readonly profile: EnvironmentProfile;
  public readonly vpc: ec2.IVpc;
  public readonly cluster: ecs.ICluster;
  public readonly hasSharedLoadBalancer: boolean;
  public readonly gateway?: IEcsGateway;
  private readonly sharedIngress?: IIngress;
  public readonly taskSubnets: ec2.SubnetSelection;
  public readonly internetEgress: boolean;
  public readonly defaultCapacity: Capacity;
  public readonly logRetention: logs.RetentionDays;
  public readonly logEncryptionKey?: kms.IKey;
  public readonly alarmTopic?: sns.ITopic;
  public readonly serviceConnectNamespace?: servicediscovery.INamespace;
  public readonly tags: { [key: string]: string };
  public readonly roleSettings?: RoleSettings;

  constructor(scope: Construct, id: string, attrs: EnvironmentAttributes) {
    super(scope, id);
    this.profile = attrs.profile ?? EnvironmentProfile.PRODUCTION;
    const defaults = profileDefaults(this.profile);
    this.vpc = attrs.vpc;
    this.cluster = attrs.cluster;
    if ((attrs.loadBalancer === undefined) !== (attrs.listener === undefined)) {
      throw new ShipyardError(this, ErrorCode.CONFLICTING_OPTIONS, `${attrs.loadBalancer ? 'loadBalancer' : 'listener'} is given without ${attrs.loadBalancer ? 'listener' : 'loadBalancer'}`,
        'give both for an environment with a shared load balancer, or neither for one without');
    }
    this.hasSharedLoadBalancer = attrs.loadBalancer !== undefined;
    this.sharedIngress = attrs.loadBalancer && attrs.listener ? SharedIngress.fromListener(this, 'Ingress', attrs.loadBalancer, attrs.listener,
      attrs.listenerProtocol ?? elbv2.ApplicationProtocol.HTTPS, attrs.testListener) : undefined;
    this.gateway = importedEnvironmentGateway(this, attrs);
    this.taskSubnets = attrs.taskSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    this.internetEgress = attrs.internetEgress ?? true;
    this.defaultCapacity = attrs.capacity ?? defaults.capacity;
    this.logRetention = attrs.logRetention ?? defaults.logRetention;
    this.logEncryptionKey = attrs.logEncryptionKey;
    this.alarmTopic = attrs.alarmTopic;
    this.serviceConnectNamespace = attrs.serviceConnectNamespace;
    this.tags = { ...(attrs.tags ?? {}) };
    checkTags(this, this.tags);
    checkLogRetention(this, 'logRetention', attrs.logRetention);
    checkRolePath(this, attrs.roleSettings?.path);
    this.roleSettings = attrs.roleSettings;
  }

  public get ingress(): IIngress {
    return requireIngress(this, this.sharedIngress, this.gateway);
  }
}

/** The imported environment's gateway, by ARN: not with a shared load balancer. */
function importedEnvironmentGateway(scope: Construct, attrs: EnvironmentAttributes): IEcsGateway | undefined {
  if (attrs.gatewayArn === undefined) {
    if (attrs.gatewayInternetFacing !== undefined) {
      throw new ShipyardError(scope, ErrorCode.GATEWAY, 'gatewayInternetFacing is given without gatewayArn', 'give the gateway\'s ARN too, or leave gatewayInternetFacing out');
    }
    return undefined;
  }
  if (attrs.loadBalancer) {
    throw new ShipyardError(scope, ErrorCode.GATEWAY, 'both gatewayArn and loadBalancer are given',
      'give the environment\'s ECS gateway (gatewayArn) or its shared load balancer (loadBalancer and listener), not both');
  }
  // An ARN of Amazon ECS (IAM User Guide, "IAM identifiers": arn:<partition>:ecs:<region>:<account>:<resource>);
  // the gateway's own resource path is not documented, so it is not checked.
  checkPattern(scope, ErrorCode.GATEWAY, 'gatewayArn', attrs.gatewayArn, /^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:\S+$/,
    'the ARN of an ECS gateway (arn:<partition>:ecs:<region>:<account>:...), as DescribeGateway returns it');
  return importedGateway(attrs.gatewayArn, attrs.gatewayInternetFacing ?? true, attrs.vpc.vpcCidrBlock);
}

/** The environment's shared load balancer; reading it on an environment without one fails, saying so. */
function requireIngress(environment: Construct, ingress: IIngress | undefined, gateway: IEcsGateway | undefined): IIngress {
  if (!ingress && gateway) {
    throw new ShipyardError(environment, ErrorCode.GATEWAY, 'the environment routes through an ECS gateway, which has no load balancer or listener to add rules to',
      'web services join the gateway without one; for a load balancer of its own, give the service ingress: new SharedIngress(...)');
  }
  if (!ingress) {
    throw new ShipyardError(environment, ErrorCode.CONFLICTING_OPTIONS, 'the environment has no shared load balancer (sharedLoadBalancer: false)',
      'give the workload an ingress of its own (new SharedIngress(...)), or create the environment with its load balancer');
  }
  return ingress;
}

/** The environment's task-event rules (notifications to the alarm topic, then the lifecycle log's) and the lifecycle log group. */
function addTaskEvents(
  environment: Environment, cluster: ecs.ICluster, props: EnvironmentProps,
): { rules: events.Rule[]; lifecycleLogGroup?: logs.ILogGroup } {
  checkTaskEventsTopic(environment, props);
  const rules = props.alarmTopic ? notifyTaskEvents(environment, cluster, props.alarmTopic, props.taskEvents) : [];
  if (!props.taskEvents?.lifecycleLog) return { rules };
  const lifecycle = logLifecycleEvents(environment, cluster, { retention: environment.logRetention, logKey: environment.logEncryptionKey });
  return { rules: [...rules, lifecycle.rule], lifecycleLogGroup: lifecycle.logGroup };
}

/**
 * Task events that notify need the alarm topic; the lifecycle log alone does not. Without a topic,
 * `taskEvents` must ask for the lifecycle log and for no notification by name.
 */
function checkTaskEventsTopic(scope: Construct, props: EnvironmentProps): void {
  const options = props.taskEvents;
  if (!options || props.alarmTopic) return;
  const notifications = ['healthEvents', 'unexpectedStops', 'spotInterruptions'].filter(k => options[k as keyof TaskEventsOptions] === true);
  if (options.lifecycleLog && notifications.length === 0) return;
  const asked = notifications.length > 0 ? notifications.join(', ') : 'the default notifications (healthEvents, unexpectedStops)';
  throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `taskEvents asks for ${asked}, but the environment has no alarmTopic to send them to`,
    'give an alarmTopic (new AlarmTopic(...)), leave taskEvents out, or ask for the lifecycle log alone ({ lifecycleLog: true }), which needs no topic');
}

/** Up to 255 letters, digits, underscores and hyphens. Source: Amazon ECS API Reference, CreateCluster clusterName. */
function checkClusterName(scope: Construct, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name) || ECS_NAME.test(name)) return;
  throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `clusterName ${show(name)} is not a valid cluster name`,
    'use up to 255 letters, digits, underscores and hyphens (or leave the name to CloudFormation)');
}

/**
 * A namespace name Cloud Map takes: for an HTTP namespace 1-1024 printable ASCII characters
 * without spaces, not an ARN (CreateHttpNamespace Name); for a DNS namespace a domain name, of
 * labels of letters, digits and hyphens up to 63 characters, 253 in all (CreatePrivateDnsNamespace,
 * CreatePublicDnsNamespace). Source: AWS Cloud Map API Reference.
 */
function checkNamespaceName(scope: Construct, type: servicediscovery.NamespaceType, name: string | undefined): void {
  if (type === servicediscovery.NamespaceType.HTTP) {
    checkPattern(scope, ErrorCode.SERVICE_CONNECT, 'serviceConnectNamespaceName', name, /^(?!arn:)[!-~]{1,1024}$/,
      '1-1024 printable ASCII characters without spaces, not an ARN');
  } else {
    checkPattern(scope, ErrorCode.SERVICE_CONNECT, 'serviceConnectNamespaceName', name,
      /^(?=.{1,253}\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/,
      'a DNS name for a DNS namespace, such as internal.example.com');
  }
}
