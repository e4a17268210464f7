import { Duration, Stack, aws_certificatemanager as acm, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_iam as iam } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  AutoScalingCapacity, Capacity, Deployment, Egress, Environment, EnvironmentProfile, EcsGatewayOptions, Image, IngressSource, Network, Scaling,
  SharedIngress, TestTraffic, WebService, WebServiceProps,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { CERTIFICATE_ARN, expectError, importedEnvironment, resources, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27');
const WEB_ACL = 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/shop/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
const GATEWAY_ARN = 'arn:aws:ecs:us-east-1:111111111111:gateway/shop';

function gatewayEnvironment(stack: Stack, gateway: EcsGatewayOptions = {}, profile = EnvironmentProfile.PRODUCTION): Environment {
  return new Environment(stack, 'Env', { profile, gateway });
}

/** A web service `Web` on a new gateway environment. */
function gatewayService(props: Partial<WebServiceProps> = {}, gateway: EcsGatewayOptions = {}) {
  const stack = testStack();
  const environment = gatewayEnvironment(stack, gateway);
  const service = new WebService(stack, 'Web', { image: IMAGE, ...props, environment });
  return { stack, environment, service };
}

function gatewayResource(stack: Stack): any {
  const found = resources(stack, 'AWS::ECS::Gateway');
  expect(found).toHaveLength(1);
  return found[0][1];
}

function serviceResource(stack: Stack): any {
  return resources(stack, 'AWS::ECS::Service')[0][1];
}

describe('ECS gateway as the environment\'s shared ingress', () => {
  test('creates a host-based shared ALB gateway in the public subnets, with access logs and deletion protection in production, and no load balancer of its own', () => {
    const stack = testStack();
    gatewayEnvironment(stack);
    const t = template(stack);
    const gateway = gatewayResource(stack);
    expect(gateway.Properties).toEqual(expect.objectContaining({
      DeletionProtection: true,
      InfrastructureRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^EnvGatewayInfrastructureRole/), 'Arn'] },
      GatewayName: expect.stringMatching(/^Test-Env-Gateway-/),
    }));
    expect(gateway.Properties.Configuration.HostSharedAlb).toEqual({
      Scheme: 'internet-facing',
      NetworkConfiguration: {
        Subnets: [{ Ref: expect.stringMatching(/^EnvVpcPublicSubnet1/) }, { Ref: expect.stringMatching(/^EnvVpcPublicSubnet2/) }],
        InboundSecurityGroup: { 'Fn::GetAtt': [expect.stringMatching(/^EnvGatewaySecurityGroup/), 'GroupId'] },
        IpAddressType: 'ipv4',
      },
      AccessLogs: { Destination: { S3: { Bucket: { Ref: expect.stringMatching(/^EnvGatewayAccessLogs/) } } } },
    });
    // The load balancers ECS creates may write their logs only once the bucket admits them.
    expect(gateway.DependsOn).toEqual([expect.stringMatching(/^EnvGatewayAccessLogsPolicy/)]);
    expect(resources(stack, 'AWS::ECS::GatewayClusterAssociations').map(([, r]) => r.Properties)).toEqual([{
      Cluster: { 'Fn::GetAtt': [expect.stringMatching(/^EnvCluster/), 'Arn'] },
      Gateway: { 'Fn::GetAtt': [expect.stringMatching(/^EnvGateway[0-9A-F]{8}$/), 'Arn'] },
    }]);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 0);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 365 })]) },
    });
  });

  test('writes the web ACL, the ALB count, the desync mode and the test-traffic header; no deletion protection in development', () => {
    const stack = testStack();
    gatewayEnvironment(stack, {
      webAclArn: WEB_ACL,
      maxAlbCount: 3,
      desyncMitigationMode: elbv2.DesyncMitigationMode.STRICTEST,
      testTraffic: TestTraffic.header('x-canary', ['yes']),
      gatewayName: 'shop-gateway',
      accessLogRetentionDays: 30,
    }, EnvironmentProfile.DEVELOPMENT);
    const gateway = gatewayResource(stack);
    expect(gateway.Properties.DeletionProtection).toBe(false);
    expect(gateway.Properties.GatewayName).toBe('shop-gateway');
    expect(gateway.Properties.Configuration.HostSharedAlb).toEqual(expect.objectContaining({
      WebACLArn: WEB_ACL,
      MaxAlbCount: 3,
      HttpDesync: 'strictest',
      TestTrafficRules: { Header: { Name: 'x-canary', Values: ['yes'] } },
    }));
    template(stack).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30 })]) },
    });
  });

  test('an internal gateway sits in the private subnets and admits the VPC only', () => {
    const stack = testStack();
    gatewayEnvironment(stack, { internetFacing: false });
    const alb = gatewayResource(stack).Properties.Configuration.HostSharedAlb;
    expect(alb.Scheme).toBe('internal');
    expect(alb.NetworkConfiguration.Subnets).toEqual([{ Ref: expect.stringMatching(/^EnvVpcPrivateSubnet1/) }, { Ref: expect.stringMatching(/^EnvVpcPrivateSubnet2/) }]);
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^ECS gateway'),
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS from clients' }],
    });
  });

  test('the inbound security group opens HTTPS only, to everyone or to the allowed sources, and reaches out into the VPC only', () => {
    const open = testStack();
    gatewayEnvironment(open);
    template(open).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^ECS gateway'),
      SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS from clients' }],
      SecurityGroupEgress: [{ CidrIp: '10.0.0.0/16', IpProtocol: 'tcp', FromPort: 1, ToPort: 65535, Description: 'To targets in the VPC' }],
    });
    const narrow = testStack();
    gatewayEnvironment(narrow, { allowedSources: [IngressSource.cidr('203.0.113.0/24')] });
    template(narrow).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^ECS gateway'),
      SecurityGroupIngress: [{ CidrIp: '203.0.113.0/24', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS from clients' }],
    });
    const dual = testStack();
    gatewayEnvironment(dual, { ipAddressType: elbv2.IpAddressType.DUAL_STACK });
    template(dual).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^ECS gateway'),
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIpv6: '::/0', FromPort: 443 })]),
    });
  });

  test('the infrastructure role is trusted by ECS alone and holds the managed gateway policy only, acknowledged with its reason', () => {
    const stack = testStack();
    gatewayEnvironment(stack);
    const [id, role] = resources(stack, 'AWS::IAM::Role').find(([logicalId]) => logicalId.startsWith('EnvGatewayInfrastructureRole'))!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' } },
    ]);
    expect(role.Properties.ManagedPolicyArns).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonECSInfrastructureRoleForGatewayHostSharedALB']] },
    ]);
    expect(role.Properties.Policies).toBeUndefined();
    // No inline grant widens it.
    expect(resources(stack, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(id))).toEqual([]);
    expect(role.Metadata.cdk_nag.rules_to_suppress).toEqual([expect.objectContaining({
      id: 'AwsSolutions-IAM4',
      applies_to: ['Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRoleForGatewayHostSharedALB'],
      reason: expect.stringContaining('assumed by ECS only'),
    })]);
  });

  test('takes a role of the platform team\'s instead of creating one', () => {
    const stack = testStack();
    const role = iam.Role.fromRoleArn(stack, 'Infra', 'arn:aws:iam::111111111111:role/gateway-infrastructure');
    gatewayEnvironment(stack, { infrastructureRole: role });
    expect(gatewayResource(stack).Properties.InfrastructureRoleArn).toBe('arn:aws:iam::111111111111:role/gateway-infrastructure');
    expect(resources(stack, 'AWS::IAM::Role').filter(([id]) => id.startsWith('EnvGatewayInfrastructureRole'))).toEqual([]);
  });

  test('boundary values are accepted: one load balancer, one day of logs, a 255-character name', () => {
    const stack = testStack();
    gatewayEnvironment(stack, { maxAlbCount: 1, accessLogRetentionDays: 1, gatewayName: 'g'.repeat(255) });
    expect(gatewayResource(stack).Properties.Configuration.HostSharedAlb.MaxAlbCount).toBe(1);
  });

  describe('fails at synth with GATEWAY', () => {
    test.each<[string, EcsGatewayOptions]>([
      ['no load balancer at all (maxAlbCount 0)', { maxAlbCount: 0 }],
      ['a fractional maxAlbCount', { maxAlbCount: 1.5 }],
      ['a CloudFront (global) web ACL', { webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/shop/a1b2' }],
      ['a name with an underscore', { gatewayName: 'shop_gateway' }],
      ['a name of 256 characters', { gatewayName: 'g'.repeat(256) }],
      ['access logs kept 0 days', { accessLogRetentionDays: 0 }],
      ['test traffic on a test listener the gateway does not have', { testTraffic: TestTraffic.testListener() }],
    ])('when the gateway gets %s', (_, options) => {
      expectError(ErrorCode.GATEWAY, () => gatewayEnvironment(testStack(), options));
    });

    test('when both the gateway and the self-managed load balancer are asked for', () => {
      expect(() => new Environment(testStack(), 'Env', { gateway: {}, ingress: { internetFacing: true } }))
        .toThrow(/\[cdk-shipyard:GATEWAY\] Test\/Env: both gateway and ingress are given.*choose one shared ingress/s);
      expectError(ErrorCode.GATEWAY, () => new Environment(testStack(), 'Env', { gateway: {}, sharedLoadBalancer: true }));
    });

    test('when the load balancers would get one subnet (a one-AZ VPC)', () => {
      expect(() => new Environment(testStack(), 'Env', { gateway: {}, network: Network.newVpc({ maxAzs: 1, egress: Egress.NAT_GATEWAY }) }))
        .toThrow(/\[cdk-shipyard:GATEWAY\].*1 subnet\(s\); an ECS gateway takes at least 2/);
    });

    test('when allowedSources is empty (CONFLICTING_OPTIONS, as on the self-managed load balancer)', () => {
      expectError(ErrorCode.CONFLICTING_OPTIONS, () => gatewayEnvironment(testStack(), { allowedSources: [] }));
    });

    test('when something reads the environment\'s load balancer', () => {
      const environment = gatewayEnvironment(testStack());
      expect(() => environment.ingress).toThrow(/\[cdk-shipyard:GATEWAY\] .*ECS gateway, which has no load balancer or listener/);
      expect(environment.hasSharedLoadBalancer).toBe(false);
    });
  });
});

describe('a WebService on the environment\'s ECS gateway', () => {
  test('connects through a gateway connector on its named port, with the target health check and the gateway\'s access type', () => {
    const { stack } = gatewayService({ targetHealthCheck: { path: '/health', healthyHttpCodes: '200', interval: Duration.seconds(10) } });
    const service = serviceResource(stack);
    expect(service.Properties.GatewayConnectors).toEqual([{
      PortName: 'http',
      Filters: { AccessTypes: ['PUBLIC'] },
      HealthCheck: {
        HealthCheckProtocol: 'HTTP',
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: expect.any(Number),
        HealthyThresholdCount: expect.any(Number),
        UnhealthyThresholdCount: expect.any(Number),
        Matcher: { HttpCode: '200' },
      },
    }]);
    expect(service.Properties.LoadBalancers).toBeUndefined();
    // ECS refuses a connector until the gateway is associated with the cluster.
    expect(service.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^EnvGatewayClusterAssociation/)]));
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'awsvpc',
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ PortMappings: [Match.objectLike({ ContainerPort: 8080, Name: 'http' })] })]),
    });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 0);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
  });

  test('its tasks admit the gateway\'s load balancers, by their subnets\' ranges, on the app port and a separate health-check port', () => {
    const { stack } = gatewayService({ containerPort: 3000, targetHealthCheck: { port: 9000 } });
    const group = resources(stack, 'AWS::EC2::SecurityGroup').find(([, g]) => /ECS gateway load balancers only/.test(g.Properties.GroupDescription))![1];
    expect(group.Properties.GroupDescription).toMatch(/^(.* )?traffic from the ECS gateway load balancers only$/);
    expect(group.Properties.SecurityGroupIngress).toEqual([
      { CidrIp: '10.0.0.0/24', IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, Description: 'From the ECS gateway load balancers' },
      { CidrIp: '10.0.0.0/24', IpProtocol: 'tcp', FromPort: 9000, ToPort: 9000, Description: 'Health checks from the ECS gateway load balancers' },
      { CidrIp: '10.0.1.0/24', IpProtocol: 'tcp', FromPort: 3000, ToPort: 3000, Description: 'From the ECS gateway load balancers' },
      { CidrIp: '10.0.1.0/24', IpProtocol: 'tcp', FromPort: 9000, ToPort: 9000, Description: 'Health checks from the ECS gateway load balancers' },
    ].map(rule => expect.objectContaining(rule)));
    expect(serviceResource(stack).Properties.GatewayConnectors[0].HealthCheck.HealthCheckPort).toBe(9000);
  });

  test('an internal gateway gives PRIVATE connections', () => {
    const { stack } = gatewayService({}, { internetFacing: false });
    expect(serviceResource(stack).Properties.GatewayConnectors[0].Filters).toEqual({ AccessTypes: ['PRIVATE'] });
  });

  test('rolls back with the circuit breaker, not on load balancer alarms it does not have', () => {
    const { stack, service } = gatewayService();
    expect(serviceResource(stack).Properties.DeploymentConfiguration).toEqual(expect.objectContaining({
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
    }));
    expect(serviceResource(stack).Properties.DeploymentConfiguration.Alarms).toEqual(expect.objectContaining({ Enable: false, Rollback: false }));
    expect(service.gateway).toBeDefined();
    expect(() => service.targetGroup).toThrow(/\[cdk-shipyard:GATEWAY\] .*creates and owns its target groups/);
    expect(() => service.listenerRule).toThrow(/\[cdk-shipyard:GATEWAY\] .*creates and owns its listener rules/);
  });

  test('boundary values are accepted: empty routing, no additional routes, targetPort equal to containerPort, CPU scaling, a rolling deployment', () => {
    const { stack } = gatewayService({
      routing: {},
      additionalRoutes: [],
      containerPort: 8081,
      targetPort: 8081,
      scaling: { minCapacity: 2, maxCapacity: 4, targets: [Scaling.cpu(60)] },
      deployment: Deployment.rolling(),
    });
    expect(serviceResource(stack).Properties.GatewayConnectors).toHaveLength(1);
  });

  test('a service with a load balancer of its own routes there, not through the gateway', () => {
    const stack = testStack();
    const environment = gatewayEnvironment(stack);
    const ingress = new SharedIngress(stack, 'Own', {
      vpc: environment.vpc,
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN),
      production: true,
    });
    const service = new WebService(stack, 'Web', { environment, image: IMAGE, ingress, routing: { pathPatterns: ['/api/*'] } });
    expect(service.gateway).toBeUndefined();
    expect(serviceResource(stack).Properties.GatewayConnectors).toBeUndefined();
    template(stack).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
  });

  describe('fails at synth with GATEWAY, naming the prop and the fix', () => {
    test.each<[string, Partial<WebServiceProps>, RegExp]>([
      ['path conditions', { routing: { pathPatterns: ['/api/*'] } }, /Web: routing .*\/api\/\*.* is given, but the service joins the environment's ECS gateway.*leave routing out/s],
      ['header conditions', { routing: { httpHeaders: [{ name: 'x-tenant', values: ['a'] }] } }, /routing .* is given/],
      ['query conditions', { routing: { queryStrings: [{ key: 'v', value: '2' }] } }, /routing .* is given/],
      ['aliases', { routing: { aliases: ['shop.example.com'] } }, /routing .* is given/],
      ['additional routes', { additionalRoutes: [{ routing: { pathPatterns: ['/admin/*'] } }] }, /additionalRoutes .* is given.*one gateway connector/],
      ['target group settings', { loadBalancing: { slowStart: Duration.seconds(60) } }, /loadBalancing .* is given/],
      ['a deregistration delay', { deregistrationDelay: Duration.seconds(10) }, /deregistrationDelay .* is given/],
      ['a sidecar target', { targetContainer: 'proxy' }, /targetContainer .* is given/],
      ['a target port other than the app\'s', { targetPort: 9090 }, /targetPort 9090 is given, but the gateway connector names the app's port \(8080\)/],
      ['request-count scaling', { scaling: { minCapacity: 2, maxCapacity: 4, targets: [Scaling.requestsPerTarget(100)] } }, /Scaling.requestsPerTarget.*load balancer metrics/],
      ['response-time scaling', { scaling: { minCapacity: 2, maxCapacity: 4, targets: [Scaling.responseTime(Duration.millis(300))] } }, /Scaling.responseTime.*load balancer metrics/],
      ['a blue/green deployment', { deployment: Deployment.blueGreen() }, /a blue\/green deployment is given.*Deployment.rolling\(\)/s],
      ['a canary deployment', { deployment: Deployment.canary({ canaryPercent: 10 }) }, /a canary deployment is given/],
      ['a CodeDeploy deployment', { deployment: Deployment.codeDeploy() }, /a CodeDeploy deployment is given/],
    ])('when it asks for %s', (_, props, message) => {
      expect(() => gatewayService(props)).toThrow(new RegExp(`^\\[cdk-shipyard:${ErrorCode.GATEWAY}\\] [\\s\\S]*${message.source}`, message.flags));
    });

    test('when its tasks do not use awsvpc', () => {
      const stack = testStack();
      const environment = gatewayEnvironment(stack);
      const instances = new AutoScalingCapacity(stack, 'Instances', { environment });
      expect(() => new WebService(stack, 'Web', {
        environment, image: IMAGE, capacity: Capacity.ec2(instances), networkMode: ecs.NetworkMode.BRIDGE,
      })).toThrow(/\[cdk-shipyard:GATEWAY\] Test\/Web: the task uses the bridge network mode, and an ECS gateway connects awsvpc services only/);
    });

    test('when its tasks run in a zone the gateway does not cover', () => {
      const stack = new Stack(undefined, 'Zones', { env: { account: '111111111111', region: 'us-east-1' } });
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-1',
        vpcCidrBlock: '10.0.0.0/16',
        availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
        publicSubnetIds: ['subnet-p1', 'subnet-p2', 'subnet-p3'],
        privateSubnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
        publicSubnetIpv4CidrBlocks: ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24'],
        privateSubnetIpv4CidrBlocks: ['10.0.10.0/24', '10.0.11.0/24', '10.0.12.0/24'],
      });
      const environment = new Environment(stack, 'Env', {
        network: Network.fromVpc(vpc, { loadBalancerSubnets: { subnets: [vpc.publicSubnets[0], vpc.publicSubnets[1]] } }),
        gateway: {},
      });
      expect(() => new WebService(stack, 'Web', { environment, image: IMAGE }))
        .toThrow(/\[cdk-shipyard:GATEWAY\] Zones\/Web: the tasks run in us-east-1c, where the environment's ECS gateway has no subnet/);
    });
  });
});

describe('an imported environment with a gateway', () => {
  function imported(stack: Stack, attrs: Record<string, unknown>) {
    const source = new Environment(stack, 'Source', { sharedLoadBalancer: false });
    return Environment.fromAttributes(stack, 'Imported', {
      vpc: source.vpc,
      cluster: ecs.Cluster.fromClusterAttributes(stack, 'ImportedCluster', { clusterName: 'c', vpc: source.vpc }),
      ...attrs,
    });
  }

  test('its web services connect by access type, with PRIVATE connections for an internal gateway', () => {
    const stack = testStack();
    const environment = imported(stack, { gatewayArn: GATEWAY_ARN, gatewayInternetFacing: false });
    expect(environment.gateway?.gatewayArn).toBe(GATEWAY_ARN);
    new WebService(stack, 'Web', { environment, image: IMAGE });
    expect(serviceResource(stack).Properties.GatewayConnectors[0].Filters).toEqual({ AccessTypes: ['PRIVATE'] });
  });

  test.each<[string, Record<string, unknown>]>([
    ['a malformed gatewayArn', { gatewayArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/x/y' }],
    ['gatewayInternetFacing without gatewayArn', { gatewayInternetFacing: true }],
  ])('fails with GATEWAY on %s', (_, attrs) => {
    expectError(ErrorCode.GATEWAY, () => imported(testStack(), attrs));
  });

  test('fails with GATEWAY when given both gatewayArn and the shared load balancer', () => {
    expect(() => importedEnvironment(testStack(), { gatewayArn: GATEWAY_ARN }))
      .toThrow(/\[cdk-shipyard:GATEWAY\] .*both gatewayArn and loadBalancer are given/);
  });
});
