// An environment built in another app (`Environment.fromAttributes`): its attributes, the
// imported environment, its ECS gateway by ARN, and the shared-ingress rule both kinds of
// environment follow.

import { aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_kms as kms, aws_logs as logs, aws_servicediscovery as servicediscovery, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IEnvironment } from './environment';
import { IEcsGateway, importedGateway } from './gateway';
import { IIngress, SharedIngress } from './ingress';
import { EnvironmentProfile, profileDefaults } from './profile';
import { checkRolePath, RoleSettings } from './roles';
import { Capacity } from '../capacity/capacity';
import { checkLogRetention, checkPattern, checkTags } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';

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

/** An environment built in another app, from its attributes (`Environment.fromAttributes`). */
export class ImportedEnvironment extends Construct implements IEnvironment {
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
export function requireIngress(environment: Construct, ingress: IIngress | undefined, gateway: IEcsGateway | undefined): IIngress {
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
