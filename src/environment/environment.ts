import {
  Stack, Tags, aws_ec2 as ec2, aws_ecs as ecs, aws_events as events, aws_iam as iam,
  aws_kms as kms, aws_logs as logs, aws_servicediscovery as servicediscovery, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { addServiceConnectNamespace, addTaskEvents, createCluster, setDefaultCapacity } from './environment-cluster';
import { acknowledgeEnvironmentFindings } from './environment-findings';
import { ExecOptions } from './exec';
import { EcsGateway, EcsGatewayOptions, IEcsGateway } from './gateway';
import { EnvironmentAttributes, ImportedEnvironment, requireIngress } from './imported-environment';
import { IIngress, IngressOptions, SharedIngress } from './ingress';
import { Network, NetworkConfig } from './network';
import { EnvironmentProfile, profileDefaults } from './profile';
import { applyRoleSettings, applyRoleSettingsToProviders, RoleSettings } from './roles';
import { Capacity } from '../capacity/capacity';
import { ExternalInstances } from '../capacity/external-instances';
import { checkLogRetention, checkTags } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { EnvironmentDashboard } from '../observability/dashboards';
import { TaskEventsOptions } from '../observability/task-events';
import { watchStackBudget } from '../private/stack-budget';

export type { EnvironmentAttributes } from './imported-environment';


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

    const cluster = createCluster(this, this.vpc, props, { retention: this.logRetention, logKey: this.logEncryptionKey });
    this.defaultCapacity = props.capacity ?? defaults.capacity;
    setDefaultCapacity(this, cluster, this.defaultCapacity);
    this.cluster = cluster;
    if (props.externalInstances) this.externalInstances = new ExternalInstances(this, 'ExternalInstances', { environment: this });
    this.serviceConnectNamespace = addServiceConnectNamespace(this, props, cluster);

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
    acknowledgeEnvironmentFindings(this);
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
