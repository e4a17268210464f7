// The shared ingress: one HTTP(S) application load balancer that many services route through,
// its options, and IIngress, what a route needs of an ingress; the certificate and TLS checks
// live in ingress-tls, the ingress of a load balancer created elsewhere in imported-ingress.

import {
  Duration,
  aws_certificatemanager as acm, aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2,
  aws_route53 as route53, aws_s3 as s3, aws_wafv2 as wafv2,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ImportedIngress, requireTestListener } from './imported-ingress';
import { checkSecurityGroupRules, IngressPeer, ingressPeers, IngressSource } from './ingress-source';
import { certificateOf, checkTls } from './ingress-tls';
import { createRoute, RouteOptions } from './routing';
import { checkPort, checkRange, checkWebAclArn, isKnown, knownSeconds } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';
import { warn, WarningId } from '../guardrails/warnings';
import { createAccessLogsBucket, enableAccessLogs } from '../private/access-logs';
import { aliasRecordFor } from '../private/dns-names';
import { LoadBalancerQuotas } from '../private/load-balancer-quotas';
import { acknowledge, inCompliancePacks } from '../private/nag';
import { RulePriorities } from '../private/rule-priorities';

/** A second listener on its own port, for test traffic of blue/green deployments. */
export interface TestListenerOptions {
  /** The port (not the production port, nor 80 when HTTP redirects to HTTPS). */
  readonly port: number;
  /**
   * Who may reach the test port.
   * @default - the VPC's own range
   */
  readonly allowedCidrs?: string[];
}

/** A domain the environment serves, with the hosted zone that holds it. */
export interface DomainOptions {
  /** The domain, e.g. `example.com`; `*.example.com` is covered too. */
  readonly domainName: string;
  /** The public hosted zone of the domain. */
  readonly hostedZone: route53.IHostedZone;
}

/** The environment's shared load balancer. */
export interface IngressOptions {
  /**
   * Whether the load balancer faces the internet.
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * Serve HTTPS with this certificate.
   * @default - a certificate for `domain` if one is given, else none
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Create a DNS-validated certificate for the domain (and its subdomains) and alias
   * records that point the domain at the load balancer.
   * @default - no domain
   */
  readonly domain?: DomainOptions;
  /**
   * The listener protocol.
   * @default - HTTPS when a certificate or domain is given; otherwise HTTPS (an error) in
   * production and plain HTTP with a warning in development
   */
  readonly protocol?: elbv2.ApplicationProtocol;
  /**
   * Protect the load balancer from deletion.
   * @default - true in production, false in development
   */
  readonly deletionProtection?: boolean;
  /**
   * ARN of a WAFv2 web ACL (REGIONAL scope) to associate.
   * @default - no web ACL
   */
  readonly webAclArn?: string;
  /**
   * Days access logs are kept in their bucket.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
  /**
   * Seconds a connection may stay idle.
   * @default 60
   */
  readonly idleTimeout?: Duration;
  /**
   * Who may reach the listeners: IP ranges, prefix lists, or CloudFront only.
   * @default - anyone on IPv4 when internet-facing; the VPC's range when internal
   */
  readonly allowedSources?: IngressSource[];
  /**
   * The TLS security policy of the HTTPS listeners (Elastic Load Balancing User Guide,
   * "Security policies for your Application Load Balancer").
   * @default elbv2.SslPolicy.RECOMMENDED_TLS (ELBSecurityPolicy-TLS13-1-2-2021-06: TLS 1.3 and 1.2 only)
   */
  readonly sslPolicy?: elbv2.SslPolicy;
  /**
   * More certificates on the HTTPS listeners, so that several domains share the load balancer:
   * it picks the certificate by the name the client asks for (SNI), and the first one
   * (`certificate`, or the domain's) when none matches.
   * @default - the certificate or the domain's only
   */
  readonly additionalCertificates?: acm.ICertificate[];
  /**
   * A test listener for blue/green, linear and canary deployments that use
   * `TestTraffic.testListener()`; same protocol and certificate as production.
   * @default - no test listener
   */
  readonly testListener?: TestListenerOptions;
}

/** What a service needs from the load balancer it routes through. */
export interface IIngress {
  /** The load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The listener services add their rules to. */
  readonly listener: elbv2.IApplicationListener;
  /** The listener's protocol. */
  readonly protocol: elbv2.ApplicationProtocol;
  /**
   * The test listener, for blue/green test traffic.
   * @default - none
   */
  readonly testListener?: elbv2.IApplicationListener;
  /**
   * The public hosted zone of the load balancer's domain, where services' alias records go.
   * @default - none
   */
  readonly hostedZone?: route53.IHostedZone;
  /**
   * Add a listener rule in `scope` for matching requests. Validates the routing and
   * allocates a priority that never collides with other services.
   */
  addRoute(scope: Construct, id: string, options: RouteOptions): elbv2.ApplicationListenerRule;
}

/** Properties of a shared ingress built by an environment. */
export interface SharedIngressProps extends IngressOptions {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets for the load balancer.
   * @default - public subnets when internet-facing, private otherwise
   */
  readonly subnets?: ec2.SubnetSelection;
  /** Whether the environment is production (HTTPS required, deletion protection on). */
  readonly production: boolean;
  /**
   * The VPC's IPv4 range as a literal, so security group rules name it (compliance rules
   * cannot evaluate a token).
   * @default - the VPC's CidrBlock attribute
   */
  readonly vpcCidr?: string;
}

/**
 * One HTTP(S) application load balancer that many services route through.
 */
export class SharedIngress extends Construct implements IIngress {
  /**
   * An ingress for a load balancer and listener created elsewhere (another app).
   * Automatic priorities are unique among the routes added through this object.
   */
  public static fromListener(scope: Construct, id: string, loadBalancer: elbv2.IApplicationLoadBalancer,
    listener: elbv2.IApplicationListener, protocol: elbv2.ApplicationProtocol, testListener?: elbv2.IApplicationListener): IIngress {
    return new ImportedIngress(scope, id, loadBalancer, listener, protocol, testListener);
  }

  public readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  public readonly listener: elbv2.IApplicationListener;
  public readonly protocol: elbv2.ApplicationProtocol;
  public readonly testListener?: elbv2.IApplicationListener;
  /** The bucket that receives access logs (SSE-S3: ALB access logs cannot use KMS). */
  public readonly accessLogsBucket: s3.Bucket;
  /** The certificate, when HTTPS is served. */
  public readonly certificate?: acm.ICertificate;
  /** The domain's hosted zone, when the environment has a domain. */
  public readonly hostedZone?: route53.IHostedZone;
  /** The load balancer's full name (`app/<name>/<id>`), for CloudWatch dimensions. */
  public readonly loadBalancerFullName: string;
  private readonly priorities: RulePriorities;
  private readonly testPriorities: RulePriorities;
  private readonly quotas: LoadBalancerQuotas;
  /** Whether anyone on the internet may reach the listeners (an acknowledged nag finding). */
  private readonly openToEveryone: boolean;

  constructor(scope: Construct, id: string, props: SharedIngressProps) {
    super(scope, id);
    this.priorities = new RulePriorities(this);
    this.testPriorities = new RulePriorities(this);
    this.quotas = new LoadBalancerQuotas(this, props.additionalCertificates?.length ?? 0);
    const internetFacing = props.internetFacing ?? true;
    this.hostedZone = props.domain?.hostedZone;
    this.certificate = certificateOf(this, props);
    this.protocol = props.protocol
      ?? (this.certificate || props.production ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP);
    checkTls(this, props, this.protocol, this.certificate);
    // Source: Elastic Load Balancing User Guide, "Connection idle timeout": 1-4000 seconds.
    checkRange(this, ErrorCode.CONFLICTING_OPTIONS, 'ingress.idleTimeout', knownSeconds(props.idleTimeout), 1, 4000, ' s');

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Shared load balancer: listener ports in, service ports out',
      allowAllOutbound: false,
    });
    const loadBalancer = this.createLoadBalancer(props, securityGroup, internetFacing);

    this.accessLogsBucket = createAccessLogsBucket(this, 'AccessLogs', 'ingress.accessLogRetentionDays', props.accessLogRetentionDays ?? 365,
      ErrorCode.CONFLICTING_OPTIONS);
    enableAccessLogs(this, loadBalancer, this.accessLogsBucket);
    this.loadBalancer = loadBalancer;
    this.loadBalancerFullName = loadBalancer.loadBalancerFullName;

    const https = this.protocol === elbv2.ApplicationProtocol.HTTPS;
    const tls = this.listenerSettings(props);
    const listener = loadBalancer.addListener(https ? 'Https' : 'Http', { port: https ? 443 : 80, protocol: this.protocol, ...tls, open: false });
    const vpcCidr = props.vpcCidr ?? props.vpc.vpcCidrBlock;
    const clients = this.clients(props, internetFacing, vpcCidr);
    this.openToEveryone = clients.some(c => c.everyone);
    admitClients(securityGroup, clients, vpcCidr, https);
    if (https) {this.redirectHttp(loadBalancer, securityGroup, clients);} else {
      warn(this, WarningId.PLAIN_HTTP,
        'the shared load balancer serves plain HTTP: traffic is not encrypted. Pass ingress.certificate or ingress.domain to serve HTTPS.');
    }

    if (props.domain) {
      aliasRecordFor(this, 'AliasRecord', props.domain.hostedZone, props.domain.domainName, loadBalancer);
      aliasRecordFor(this, 'WildcardAliasRecord', props.domain.hostedZone, `*.${props.domain.domainName}`, loadBalancer);
    }
    checkWebAclArn(this, ErrorCode.CONFLICTING_OPTIONS, 'ingress.webAclArn', props.webAclArn);
    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.loadBalancer.loadBalancerArn, webAclArn: props.webAclArn });
    }
    this.listener = listener;
    this.testListener = props.testListener
      ? this.createTestListener(props.testListener, securityGroup, tls, vpcCidr)
      : undefined;
    this.acknowledgeFindings(loadBalancer, listener, internetFacing, https, props);
  }

  /** What the production and test listeners share: the certificates, the TLS policy, and a 404 for what no rule routes. */
  private listenerSettings(props: SharedIngressProps): ListenerSettings {
    const https = this.protocol === elbv2.ApplicationProtocol.HTTPS;
    return {
      certificates: this.certificate ? [this.certificate, ...props.additionalCertificates ?? []] : undefined,
      // ELBSecurityPolicy-TLS13-1-2-2021-06 unless told: TLS 1.3 and 1.2 only.
      sslPolicy: https ? props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' }),
    };
  }

  /**
   * The load balancer, with an immutable reference to the environment's group: the environment
   * owns the group's rules, so registering a service's targets adds no "load balancer to target"
   * rule per service here (the service's own group still admits this group on its port).
   */
  private createLoadBalancer(props: SharedIngressProps, securityGroup: ec2.SecurityGroup, internetFacing: boolean): elbv2.ApplicationLoadBalancer {
    return new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing,
      vpcSubnets: props.subnets ?? { subnetType: internetFacing ? ec2.SubnetType.PUBLIC : undefined, onePerAz: true },
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(this, 'SecurityGroupRef', securityGroup.securityGroupId, {
        mutable: false, allowAllOutbound: false,
      }),
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection ?? props.production,
      idleTimeout: props.idleTimeout,
    });
  }

  /** Port 80 answers with a permanent redirect to HTTPS, open to the clients that may use it. */
  private redirectHttp(loadBalancer: elbv2.ApplicationLoadBalancer, securityGroup: ec2.SecurityGroup, clients: IngressPeer[]): void {
    const redirect = loadBalancer.addListener('HttpRedirect', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      open: false,
    });
    const reason = 'This HTTP listener only answers with a permanent redirect to HTTPS; it serves no content, so it has no certificate.';
    acknowledge(redirect, inCompliancePacks('ELBv2ACMCertificateRequired', reason));
    for (const client of clients.filter(c => !c.productionPortOnly)) {
      securityGroup.addIngressRule(client.peer, ec2.Port.tcp(80), 'HTTP from clients, redirected to HTTPS');
    }
  }

  /** The test listener on its own port (not a production one), with the production listener's TLS, open to the testers only. */
  private createTestListener(options: TestListenerOptions, securityGroup: ec2.SecurityGroup,
    tls: ListenerSettings, vpcCidr: string): elbv2.ApplicationListener {
    const https = this.protocol === elbv2.ApplicationProtocol.HTTPS;
    const port = options.port;
    checkPort(this, 'ingress.testListener.port', port);
    const taken = https ? [443, 80] : [80];
    if (isKnown(port) && taken.includes(port)) {
      throw new ShipyardError(this, ErrorCode.CONFLICTING_OPTIONS, `the test listener port ${port} is a production listener port`,
        `choose another port for ingress.testListener (for example ${https ? 8443 : 8080})`);
    }
    const testListener = this.loadBalancer.addListener('TestListener', { port, protocol: this.protocol, ...tls, open: false });
    const testers = options.allowedCidrs ?? [vpcCidr];
    for (const cidr of testers) securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), 'Test traffic');
    if (!https) this.acknowledgePlainHttpListener(testListener);
    return testListener;
  }

  public addRoute(scope: Construct, id: string, options: RouteOptions): elbv2.ApplicationListenerRule {
    this.quotas.addRule(options.action);
    return options.onTestListener
      ? createRoute(this.testPriorities, requireTestListener(this, this.testListener), scope, id, options)
      : createRoute(this.priorities, this.listener, scope, id, options);
  }

  /**
   * Who may reach the listeners, checked against the security group's rule quota (a prefix list
   * counts as its weight in rules, once per port it is admitted on).
   */
  private clients(props: SharedIngressProps, internetFacing: boolean, vpcCidr: string): IngressPeer[] {
    const sources = props.allowedSources;
    const peers = ingressPeers(this, 'ingress', sources, internetFacing, vpcCidr);
    if (sources === undefined) return peers;
    const https = this.protocol === elbv2.ApplicationProtocol.HTTPS;
    const testRules = props.testListener ? (props.testListener.allowedCidrs ?? [vpcCidr]).length : 0;
    const rules = peers.reduce((sum, p) => sum + p.weight * (https && !p.productionPortOnly ? 2 : 1), 0) + testRules;
    checkSecurityGroupRules(this, 'ingress', sources, rules);
    return peers;
  }

  private acknowledgePlainHttpListener(listener: elbv2.ApplicationListener): void {
    const reason = 'Plain HTTP was chosen explicitly (no certificate); cdk-shipyard raises the acknowledgeable warning cdk-shipyard:plain-http.';
    acknowledge(listener, ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].flatMap(p => [
      { id: `${p}-ELBv2ACMCertificateRequired`, reason },
      { id: `${p}-ALBHttpToHttpsRedirection`, reason },
    ]));
  }

  private acknowledgeFindings(loadBalancer: elbv2.ApplicationLoadBalancer, listener: elbv2.ApplicationListener,
    internetFacing: boolean, https: boolean, props: SharedIngressProps): void {
    if (internetFacing && this.openToEveryone) {
      acknowledge(this.node.findChild('SecurityGroup'), [{
        id: 'AwsSolutions-EC23',
        reason: 'An internet-facing load balancer accepts its listener ports from any IPv4 address; nothing else is open.',
      }]);
    }
    const noWaf = 'No WAF web ACL was given (ingress.webAclArn); the load balancer drops invalid headers and serves '
      + (props.sslPolicy ? `TLS by the ${props.sslPolicy} policy.` : 'TLS 1.2+ only.');
    if (!props.webAclArn) {
      acknowledge(loadBalancer, [
        { id: 'NIST.800.53.R5-ALBWAFEnabled', reason: noWaf },
        { id: 'PCI.DSS.321-ALBWAFEnabled', reason: noWaf },
      ]);
    }
    if (!(props.deletionProtection ?? props.production)) {
      const reason = 'Deletion protection is off by choice (development profile or ingress.deletionProtection: false) so the environment can be torn down.';
      acknowledge(loadBalancer, [
        { id: 'NIST.800.53.R5-ELBDeletionProtectionEnabled', reason },
        { id: 'HIPAA.Security-ELBDeletionProtectionEnabled', reason },
      ]);
    }
    if (!https) {
      const reason = 'Plain HTTP was chosen explicitly (no certificate); cdk-shipyard raises the acknowledgeable warning cdk-shipyard:plain-http.';
      this.acknowledgePlainHttpListener(listener);
      acknowledge(loadBalancer, [
        { id: 'NIST.800.53.R5-ELBTlsHttpsListenersOnly', reason },
        { id: 'HIPAA.Security-ELBTlsHttpsListenersOnly', reason },
        { id: 'PCI.DSS.321-ELBTlsHttpsListenersOnly', reason },
      ]);
    }
  }
}

/** The listener settings the production and test listeners share. */
interface ListenerSettings {
  readonly certificates?: elbv2.IListenerCertificate[];
  readonly sslPolicy?: elbv2.SslPolicy;
  readonly defaultAction: elbv2.ListenerAction;
}

/**
 * The clients in on the production port; out, the VPC only: the load balancer only opens
 * connections to its registered targets and their health checks, and one rule to the VPC
 * replaces one rule per service (each service's own group admits only this group, on its port).
 */
function admitClients(securityGroup: ec2.SecurityGroup, clients: IngressPeer[], vpcCidr: string, https: boolean): void {
  securityGroup.addEgressRule(ec2.Peer.ipv4(vpcCidr), ec2.Port.tcpRange(1, 65535), 'To targets in the VPC');
  for (const client of clients) {
    securityGroup.addIngressRule(client.peer, ec2.Port.tcp(https ? 443 : 80), https ? 'HTTPS from clients' : 'HTTP from clients');
  }
}
