import { aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IEnvironment } from './environment';
import { EnvironmentProfile } from './profile';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { acknowledge, inCompliancePacks } from '../private/nag';

/** Properties of a SharedNetworkLoadBalancer. */
export interface SharedNetworkLoadBalancerProps {
  /** The environment whose network services share the load balancer. */
  readonly environment: IEnvironment;
  /**
   * Reachable from the internet (public subnets) instead of from the VPC only.
   * @default false
   */
  readonly internetFacing?: boolean;
  /**
   * Refuse deletion of the load balancer.
   * @default - true in production, false in development
   */
  readonly deletionProtection?: boolean;
}

/**
 * One Network Load Balancer that several NetworkServices share, each on its own listener
 * port (one NLB costs about 16 USD a month before traffic). Its security group opens only
 * the ports of the services that use it.
 */
export class SharedNetworkLoadBalancer extends Construct {
  /** The load balancer. */
  public readonly loadBalancer: elbv2.NetworkLoadBalancer;
  /** Its security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Whether it is reachable from the internet. */
  public readonly internetFacing: boolean;
  private readonly owners = new Map<number, { path: string; protocol: string }>();

  constructor(scope: Construct, id: string, props: SharedNetworkLoadBalancerProps) {
    super(scope, id);
    const env = props.environment;
    this.internetFacing = props.internetFacing ?? false;
    const production = env.profile === EnvironmentProfile.PRODUCTION;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: env.vpc,
      description: `${this.node.path}: clients to the shared network load balancer`,
      allowAllOutbound: false,
    });
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc: env.vpc,
      internetFacing: this.internetFacing,
      vpcSubnets: this.internetFacing ? { subnetType: ec2.SubnetType.PUBLIC } : env.taskSubnets,
      securityGroups: [this.securityGroup],
      crossZoneEnabled: true,
      deletionProtection: props.deletionProtection ?? production,
    });
    const lb = this.loadBalancer.node.defaultChild!;
    const logging = 'Each service listener of the shared load balancer is TCP, UDP or TLS; NLBs log TLS connections only, and connections are visible in VPC flow logs.';
    acknowledge(lb, [
      { id: 'AwsSolutions-ELB2', reason: logging },
      ...['NIST.800.53.R5', 'PCI.DSS.321', 'HIPAA.Security'].map(p => ({ id: `${p}-ELBLoggingEnabled`, reason: logging })),
    ]);
    if (!(props.deletionProtection ?? production)) {
      const reason = 'Off by choice (development, or deletionProtection: false) so the environment can be torn down.';
      acknowledge(lb, inCompliancePacks('ELBDeletionProtectionEnabled', reason));
    }
    if (this.internetFacing) {
      acknowledge(this.securityGroup.node.defaultChild!, [{
        id: 'AwsSolutions-EC23', reason: 'An internet-facing network load balancer accepts its services\' listener ports from any IPv4 address; nothing else is open.',
      }]);
    }
  }

  /**
   * Reserve a listener port for a service; a port can serve one service.
   * @internal
   */
  public _claimPort(service: Construct, protocol: string, port: number): void {
    // One listener a port, whatever its protocol (Elastic Load Balancing, "Listeners for your
    // Network Load Balancers": TCP and UDP on one port is one TCP_UDP listener).
    const owner = this.owners.get(port);
    if (owner !== undefined) {
      throw new ShipyardError(service, ErrorCode.LISTENER, `port ${port} of the shared network load balancer is already used by ${owner.path} (${owner.protocol})`,
        [owner.protocol, protocol].sort().join('+') === 'TCP+UDP'
          ? 'give the service another listenerPort: an NLB listener takes one port, and TCP and UDP together need one TCP_UDP listener of one service'
          : 'give the service another listenerPort (or testListenerPort)');
    }
    this.owners.set(port, { path: service.node.path, protocol });
  }
}
