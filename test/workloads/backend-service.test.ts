import {
  Duration, Stack, aws_acmpca as acmpca, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2,
  aws_servicediscovery as servicediscovery,
} from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  BackendService, BackendServiceProps, Capacity, Environment, Image, IServiceWorkload, NetworkService, Scaling, WebService, WorkerService,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, productionEnvironment, resources, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/orders:2.0.0');

function backend(props: Partial<BackendServiceProps> = {}, stack: Stack = testStack()): { stack: Stack; backend: BackendService } {
  const environment = props.environment ?? productionEnvironment(stack);
  return { stack, backend: new BackendService(stack, 'Orders', { image: IMAGE, ...props, environment }) };
}

function ingressRules(stack: Stack, port: number): any[] {
  return resources(stack, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties).filter(p => p.FromPort === port);
}

describe('BackendService', () => {
  test('default output matches the snapshot', () => {
    const { stack } = backend();
    const own = Object.fromEntries(Object.entries(template(stack).toJSON().Resources).filter(([id]) => id.startsWith('Orders')));
    expect(own).toMatchSnapshot();
  });

  test('publishes http://<id>:8080 in the environment namespace with proxy logs', () => {
    const { stack, backend: b } = backend();
    expect(b.endpoint).toBe('http://orders:8080');
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: {
        Enabled: true,
        Namespace: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EnvClusterDefaultServiceDiscoveryNamespace'), 'Arn'] },
        Services: [{ PortName: 'api', DiscoveryName: 'orders', ClientAliases: [{ DnsName: 'orders', Port: 8080 }] }],
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs', Options: Match.objectLike({ 'awslogs-stream-prefix': 'service-connect' }) }),
      },
      LoadBalancers: Match.absent(),
    });
    const app = resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0];
    expect(app.PortMappings).toEqual([{ ContainerPort: 8080, Protocol: 'tcp', Name: 'api', AppProtocol: 'http' }]);
  });

  test('opens nothing until a workload is allowed in', () => {
    const { stack } = backend();
    expect(ingressRules(stack, 8080)).toEqual([]);
  });

  test('connectTo (idempotent) admits each caller (any IServiceWorkload) on the backend port only and puts it in client mode', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const orders = new BackendService(stack, 'Orders', { image: IMAGE, environment });
    const callers: IServiceWorkload[] = [
      new WebService(stack, 'Web', { image: IMAGE, environment }),
      new WorkerService(stack, 'Worker', { image: IMAGE, environment }),
      new NetworkService(stack, 'Mqtt', { image: IMAGE, environment }),
    ];
    callers.forEach(caller => caller.connectTo(orders));
    callers[1].connectTo(orders);
    const rules = ingressRules(stack, 8080).filter(r => JSON.stringify(r.GroupId).includes('Orders'));
    expect(rules.map(r => r.SourceSecurityGroupId['Fn::GetAtt'][0]).sort()).toEqual([
      expect.stringMatching(/^MqttSecurityGroup/), expect.stringMatching(/^WebSecurityGroup/), expect.stringMatching(/^WorkerSecurityGroup/),
    ]); // connectTo is idempotent: the second call adds nothing
    const services = resources(stack, 'AWS::ECS::Service').filter(([id]) => /^(Web|Worker|Mqtt)Service/.test(id)).map(([, s]) => s.Properties);
    expect(services).toHaveLength(3);
    for (const s of services) {
      expect(s.ServiceConnectConfiguration.Enabled).toBe(true);
      expect(s.ServiceConnectConfiguration.Services).toBeUndefined();
    }
  });

  test('timeouts, TLS with Private CA and access logs', () => {
    const stack = testStack();
    const ca = acmpca.CertificateAuthority.fromCertificateAuthorityArn(stack, 'Ca', 'arn:aws:acm-pca:us-east-1:111111111111:certificate-authority/abc');
    backend({
      serviceConnect: { dnsName: 'orders.internal', perRequestTimeout: Duration.seconds(30), idleTimeout: Duration.minutes(2), tls: { certificateAuthority: ca }, accessLogs: true },
    }, stack);
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({
        Services: [Match.objectLike({
          ClientAliases: [{ DnsName: 'orders.internal', Port: 8080 }],
          // Cloud Map names take no period: the default discovery name has a hyphen instead.
          DiscoveryName: 'orders-internal',
          Timeout: { PerRequestTimeoutSeconds: 30, IdleTimeoutSeconds: 120 },
          Tls: Match.objectLike({ IssuerCertificateAuthority: { AwsPcaAuthorityArn: 'arn:aws:acm-pca:us-east-1:111111111111:certificate-authority/abc' } }),
        })],
        AccessLogConfiguration: { Format: 'JSON', IncludeQueryParameters: 'DISABLED' },
      }),
    });
    template(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] }),
      ManagedPolicyArns: [Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity')])]) })],
    });
  });

  test.each([
    ['an upper-case dnsName', { dnsName: 'Orders' }, /dnsName "Orders" is not a name Service Connect takes.*\("orders"\)/],
    ['a dnsName starting with a hyphen', { dnsName: '-orders' }, /dnsName "-orders"/],
    ['a dnsName of 128 characters', { dnsName: 'a'.repeat(128) }, /up to 127/],
    ['a discoveryName with a period', { dnsName: 'orders', discoveryName: 'orders.v2' }, /serviceConnect\.discoveryName "orders\.v2" is not one Cloud Map takes/],
    ['a discoveryName of 65 characters', { discoveryName: 'a'.repeat(65) }, /up to 64/],
    ['a dnsName whose Cloud Map name would pass 64 characters', { dnsName: `${'a'.repeat(60)}.internal` }, /give serviceConnect\.discoveryName/],
  ])('fails at synth with %s (ECS API Reference, ServiceConnectClientAlias and ServiceConnectService)', (_name, serviceConnect, message) => {
    expectError(ErrorCode.SERVICE_CONNECT, () => backend({ serviceConnect }));
    expect(() => backend({ serviceConnect })).toThrow(message);
  });

  test('takes the longest names ECS takes: a 127-character dnsName with periods and underscores, a 64-character discoveryName', () => {
    const dnsName = `${'a'.repeat(60)}_${'b'.repeat(57)}.internal`;
    expect(dnsName).toHaveLength(127);
    const { stack } = backend({ serviceConnect: { dnsName, discoveryName: 'c'.repeat(64) } });
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({ Services: [Match.objectLike({ ClientAliases: [{ DnsName: dnsName, Port: 8080 }], DiscoveryName: 'c'.repeat(64) })] }),
    });
  });

  test('a client-only service publishes nothing', () => {
    const { stack, backend: b } = backend({ serviceConnect: { clientOnly: true } });
    expect(b.endpoint).toBeUndefined();
    template(stack).hasResourceProperties('AWS::ECS::Service', { ServiceConnectConfiguration: Match.objectLike({ Enabled: true, Services: Match.absent() }) });
  });

  test('scales on CPU', () => {
    const { stack } = backend({ scaling: { minCapacity: 2, maxCapacity: 8, targets: [Scaling.cpu(60)] } });
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 60 }),
    });
  });

  test('fails when client-only is given a port', () => {
    expectError(ErrorCode.SERVICE_CONNECT, () => backend({ containerPort: 9000, serviceConnect: { clientOnly: true } }));
  });

  test('fails with TLS but no certificate authority', () => {
    expectError(ErrorCode.SERVICE_CONNECT, () => backend({ serviceConnect: { tls: {} as any } }));
  });

  test('fails when the environment has no Service Connect namespace', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const environment = Environment.fromAttributes(stack, 'Imported', {
      vpc,
      cluster,
      loadBalancer: { loadBalancerArn: 'arn', connections: new ec2.Connections() } as any,
      listener: {} as any,
    });
    expectError(ErrorCode.SERVICE_CONNECT, () => backend({ environment }, stack));
  });

  test('fails when scaling on requests (no load balancer)', () => {
    expectError(ErrorCode.SCALING_TARGET, () => backend({ scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.requestsPerTarget(100)] } }));
  });
});

describe('Service Connect: a client alias port other than the container port (clientAliasPort)', () => {
  function ownIngress(stack: Stack, group: string): Array<{ FromPort: number; ToPort: number }> {
    return resources(stack, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)
      .filter(p => JSON.stringify(p.GroupId).includes(group)).map(p => ({ FromPort: p.FromPort, ToPort: p.ToPort }));
  }

  test('callers use http://catalog on port 80 while the container listens on 8080; the backend still admits them on 8080', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const catalog = new BackendService(stack, 'Catalog', { environment, image: IMAGE, serviceConnect: { clientAliasPort: 80 } });
    const web = new WebService(stack, 'Web', { environment, image: IMAGE, environmentVariables: { CATALOG_URL: catalog.endpoint! } });
    web.connectTo(catalog);
    expect(catalog.endpoint).toBe('http://catalog:80');
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({
        Services: [{ PortName: 'api', DiscoveryName: 'catalog', ClientAliases: [{ Port: 80, DnsName: 'catalog' }] }],
      }),
    });
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition').filter(([id]) => id.startsWith('Catalog'));
    expect(task.Properties.ContainerDefinitions[0].PortMappings).toEqual([{ ContainerPort: 8080, Protocol: 'tcp', Name: 'api', AppProtocol: 'http' }]);
    // The caller's proxy listens on 80; the traffic reaches the backend's task on its container port.
    expect(ownIngress(stack, 'CatalogSecurityGroup')).toEqual([{ FromPort: 8080, ToPort: 8080 }]);
    const [[, caller]] = resources(stack, 'AWS::ECS::TaskDefinition').filter(([id]) => id.startsWith('Web'));
    expect(caller.Properties.ContainerDefinitions[0].Environment).toEqual(expect.arrayContaining([{ Name: 'CATALOG_URL', Value: 'http://catalog:80' }]));
  });

  test('a web service published in Service Connect takes one too, and its endpoint says so', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const catalog = new WebService(stack, 'Catalog', { environment, image: IMAGE, serviceConnect: { dnsName: 'catalog.shop', clientAliasPort: 80 } });
    new WorkerService(stack, 'Checkout', { environment, image: IMAGE }).connectTo(catalog);
    expect(catalog.endpoint).toBe('http://catalog.shop:80');
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({
        Services: [Match.objectLike({ PortName: 'http', ClientAliases: [{ Port: 80, DnsName: 'catalog.shop' }] })],
      }),
    });
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080, ToPort: 8080, Description: Match.stringLikeRegexp('From Test/Checkout'),
    });
    expect(resources(stack, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => r.Properties.FromPort === 80)).toEqual([]);
  });

  test.each([1, 65535])('takes the boundary port %d', (clientAliasPort) => {
    const { stack, backend: b } = backend({ serviceConnect: { clientAliasPort } });
    expect(b.endpoint).toBe(`http://orders:${clientAliasPort}`);
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({ Services: [Match.objectLike({ ClientAliases: [{ Port: clientAliasPort, DnsName: 'orders' }] })] }),
    });
  });

  test.each([
    [0, /serviceConnect\.clientAliasPort is 0, outside 1-65535\. Fix: set serviceConnect\.clientAliasPort between 1 and 65535/],
    [65536, /serviceConnect\.clientAliasPort is 65536, outside 1-65535/],
    [-80, /serviceConnect\.clientAliasPort is -80, outside 1-65535/],
    [80.5, /serviceConnect\.clientAliasPort is 80\.5, not a whole number\. Fix: set serviceConnect\.clientAliasPort to a whole number/],
  ])('fails at synth when clientAliasPort is %d (PORT_RANGE), naming the construct, the value and the fix', (clientAliasPort, message) => {
    expectError(ErrorCode.PORT_RANGE, () => backend({ serviceConnect: { clientAliasPort } }));
    expect(() => backend({ serviceConnect: { clientAliasPort } })).toThrow(new RegExp(`Test/Orders: ${message.source}`));
    const stack = testStack();
    expect(() => new WebService(stack, 'Web', { environment: productionEnvironment(stack), image: IMAGE, serviceConnect: { clientAliasPort } }))
      .toThrow(new RegExp(`^\\[cdk-shipyard:${ErrorCode.PORT_RANGE}\\] Test/Web: ${message.source}`));
  });

  test('fails when clientAliasPort is given to a client-only service (SERVICE_CONNECT)', () => {
    expectError(ErrorCode.SERVICE_CONNECT, () => backend({ serviceConnect: { clientOnly: true, clientAliasPort: 80 } }));
    expect(() => backend({ serviceConnect: { clientOnly: true, clientAliasPort: 80 } })).toThrow(
      /Test\/Orders: serviceConnect\.clientAliasPort 80 is given, but serviceConnect\.clientOnly is set\. Fix: drop clientAliasPort \(a client-only service publishes no name to call\) or clientOnly/);
  });
});

describe('BackendService: connections', () => {
  test('a client-only backend accepts no connections; backends connect to backends', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const caller = new BackendService(stack, 'Caller', { environment, image: IMAGE, serviceConnect: { clientOnly: true } });
    const orders = new BackendService(stack, 'Orders', { environment, image: IMAGE });
    expectError(ErrorCode.SERVICE_CONNECT, () => caller.allowFrom(orders));
    caller.connectTo(orders);
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CallerSecurityGroup'), 'GroupId'] },
    });
  });
});

describe('BackendService.fromAttributes: a backend of another app', () => {
  function callerApp() {
    const stack = testStack('Callers');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: ['subnet-0a', 'subnet-0b'],
      publicSubnetIds: ['subnet-1a', 'subnet-1b'],
    });
    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Listener', {
      listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/shared/0123456789abcdef/0123456789abcdef',
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'LbGroup', 'sg-0aaaaaaaaaaaaaaaa'),
    });
    const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Lb', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/shared/0123456789abcdef',
      securityGroupId: 'sg-0aaaaaaaaaaaaaaaa',
    });
    const namespace = servicediscovery.HttpNamespace.fromHttpNamespaceAttributes(stack, 'Namespace', {
      namespaceArn: 'arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-0123456789abcdef',
      namespaceId: 'ns-0123456789abcdef',
      namespaceName: 'shop',
    });
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'shop', vpc });
    return { stack, vpc, cluster, loadBalancer, listener, namespace };
  }

  test('connectTo admits the caller to the backend\'s group on its port and joins it to the namespace as a client', () => {
    const { stack, vpc, cluster, loadBalancer, listener, namespace } = callerApp();
    const environment = Environment.fromAttributes(stack, 'Env', { vpc, cluster, loadBalancer, listener, serviceConnectNamespace: namespace });
    const orders = BackendService.fromAttributes(stack, 'Orders', {
      environment, dnsName: 'orders', port: 8080, securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'OrdersGroup', 'sg-0bbbbbbbbbbbbbbbb'),
    });
    expect(orders.endpoint).toBe('http://orders:8080');
    const web = new WebService(stack, 'Web', { image: IMAGE, environment });
    web.connectTo(orders);
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0bbbbbbbbbbbbbbbb',
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebSecurityGroup'), 'GroupId'] },
    });
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: { Enabled: true, Namespace: 'arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-0123456789abcdef' },
    });
  });

  test('an imported backend with a clientAliasPort: callers call that port, its group admits them on the container port', () => {
    const { stack, vpc, cluster, loadBalancer, listener, namespace } = callerApp();
    const environment = Environment.fromAttributes(stack, 'Env', { vpc, cluster, loadBalancer, listener, serviceConnectNamespace: namespace });
    const catalog = BackendService.fromAttributes(stack, 'Catalog', {
      environment, dnsName: 'catalog', port: 8080, clientAliasPort: 80, securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'CatalogGroup', 'sg-0cccccccccccccccc'),
    });
    expect(catalog.endpoint).toBe('http://catalog:80');
    new WebService(stack, 'Web', { image: IMAGE, environment }).connectTo(catalog);
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0cccccccccccccccc', FromPort: 8080, ToPort: 8080 });
    expect(resources(stack, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => r.Properties.FromPort === 80)).toEqual([]);
  });

  test.each([0, 65536, 8.5])('fails when an imported backend\'s clientAliasPort is %d (PORT_RANGE)', (clientAliasPort) => {
    const { stack, vpc, cluster, loadBalancer, listener, namespace } = callerApp();
    const environment = Environment.fromAttributes(stack, 'Env', { vpc, cluster, loadBalancer, listener, serviceConnectNamespace: namespace });
    const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'CatalogGroup', 'sg-0cccccccccccccccc');
    expect(() => BackendService.fromAttributes(stack, 'Catalog', { environment, dnsName: 'catalog', port: 8080, clientAliasPort, securityGroup }))
      .toThrow(new RegExp(`^\\[cdk-shipyard:${ErrorCode.PORT_RANGE}\\] Callers/Catalog: clientAliasPort is ${clientAliasPort}`));
  });

  test('fails without a namespace, with a name Service Connect cannot publish, or a port out of range', () => {
    const { stack, vpc, cluster, loadBalancer, listener, namespace } = callerApp();
    const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'OrdersGroup', 'sg-0bbbbbbbbbbbbbbbb');
    const bare = Environment.fromAttributes(stack, 'Bare', { vpc, cluster, loadBalancer, listener });
    expectError(ErrorCode.SERVICE_CONNECT, () => BackendService.fromAttributes(stack, 'A', { environment: bare, dnsName: 'orders', port: 8080, securityGroup }));
    const environment = Environment.fromAttributes(stack, 'Env', { vpc, cluster, loadBalancer, listener, serviceConnectNamespace: namespace });
    expectError(ErrorCode.SERVICE_CONNECT, () => BackendService.fromAttributes(stack, 'B', { environment, dnsName: 'Orders', port: 8080, securityGroup }));
    // A period is in the names ECS takes (ServiceConnectClientAlias.dnsName).
    expect(BackendService.fromAttributes(stack, 'D', { environment, dnsName: 'orders.v2', port: 8080, securityGroup }).endpoint).toBe('http://orders.v2:8080');
    expectError(ErrorCode.PORT_RANGE, () => BackendService.fromAttributes(stack, 'C', { environment, dnsName: 'orders', port: 0, securityGroup }));
  });
});

describe('a WebService that is also a Service Connect server', () => {
  function services(stack: Stack): Record<string, any> {
    return Object.fromEntries(resources(stack, 'AWS::ECS::Service').map(([id, s]) => [id.replace(/Service[0-9A-F]{8}$/, ''), s.Properties]));
  }

  test('behind the load balancer and reachable by name; a caller connects to it like to a backend', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const catalog = new WebService(stack, 'Catalog', { environment, image: IMAGE, routing: { pathPatterns: ['/catalog/*'] }, serviceConnect: { dnsName: 'catalog' } });
    const orders = new BackendService(stack, 'Orders', { environment, image: IMAGE });
    catalog.connectTo(orders);
    const checkout = new WorkerService(stack, 'Checkout', { environment, image: IMAGE });
    checkout.connectTo(catalog);
    expect(catalog.endpoint).toBe('http://catalog:8080');
    const rendered = services(stack);
    // Still a server after connecting to a backend: client mode does not replace its own name.
    expect(rendered.Catalog.ServiceConnectConfiguration).toMatchObject({
      Enabled: true, Services: [{ PortName: 'http', DiscoveryName: 'catalog', ClientAliases: [{ DnsName: 'catalog', Port: 8080 }] }],
    });
    expect(rendered.Catalog.LoadBalancers).toHaveLength(1);
    expect(rendered.Checkout.ServiceConnectConfiguration).toEqual(expect.objectContaining({ Enabled: true }));
    expect(rendered.Checkout.ServiceConnectConfiguration.Services).toBeUndefined();
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080, ToPort: 8080, Description: Match.stringLikeRegexp('From Test/Checkout'),
    });
  });

  test.each([
    ['client-only', { clientOnly: true }],
    ['TLS has no certificate authority', { tls: {} as any }],
    ['the per-request timeout is beyond what ECS takes', { perRequestTimeout: Duration.days(30000) }],
  ])('fails at synth when %s', (_name, serviceConnect) => {
    const stack = testStack();
    expectError(ErrorCode.SERVICE_CONNECT, () => new WebService(stack, 'Web', { environment: productionEnvironment(stack), image: IMAGE, serviceConnect }));
  });

  test('a web service not published in Service Connect cannot be connected to', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const web = new WebService(stack, 'Web', { environment, image: IMAGE });
    const worker = new WorkerService(stack, 'Worker', { environment, image: IMAGE });
    expectError(ErrorCode.SERVICE_CONNECT, () => worker.connectTo(web));
  });
});

describe('Cloud Map DNS registration (serviceDiscovery)', () => {
  test('awsvpc tasks register A records with a short TTL under <name>.<namespace>, beside Service Connect', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const namespace = new servicediscovery.PrivateDnsNamespace(stack, 'Legacy', { name: 'corp.internal', vpc: environment.vpc });
    new BackendService(stack, 'Orders', { environment, image: IMAGE, serviceDiscovery: { namespace } });
    template(stack).hasResourceProperties('AWS::ServiceDiscovery::Service', {
      Name: 'orders',
      DnsConfig: { DnsRecords: [{ TTL: 10, Type: 'A' }], NamespaceId: Match.anyValue(), RoutingPolicy: 'MULTIVALUE' },
    });
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceRegistries: [{ RegistryArn: Match.anyValue() }],
      ServiceConnectConfiguration: Match.objectLike({ Enabled: true }),
    });
  });

  test('bridge tasks register SRV records with the main container\'s port', () => {
    const { stack, environment, instances } = ec2Environment();
    const namespace = new servicediscovery.PrivateDnsNamespace(stack, 'Legacy', { name: 'corp.internal', vpc: environment.vpc });
    new WebService(stack, 'Api', {
      environment,
      image: IMAGE,
      capacity: Capacity.ec2(instances),
      networkMode: ecs.NetworkMode.BRIDGE,
      serviceDiscovery: { namespace, name: 'api-v1', dnsTtl: Duration.seconds(30) },
    });
    template(stack).hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'api-v1', DnsConfig: Match.objectLike({ DnsRecords: [{ TTL: 30, Type: 'SRV' }] }) });
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      ServiceRegistries: [Match.objectLike({ ContainerName: 'app', ContainerPort: 8080 })],
    });
  });

  test('an environment whose Service Connect namespace is private DNS takes the registrations there too', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack, {
      serviceConnectNamespaceName: 'shop.internal', serviceConnectNamespaceType: servicediscovery.NamespaceType.DNS_PRIVATE,
    });
    new BackendService(stack, 'Orders', { environment, image: IMAGE, serviceDiscovery: { namespace: environment.serviceConnectNamespace! } });
    const t = template(stack);
    t.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'shop.internal', Vpc: { Ref: Match.stringLikeRegexp('^EnvVpc') } });
    t.resourceCountIs('AWS::ServiceDiscovery::HttpNamespace', 0);
    t.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'orders', DnsConfig: Match.objectLike({ DnsRecords: [{ TTL: 10, Type: 'A' }] }) });
    t.hasResourceProperties('AWS::ECS::Service', { ServiceConnectConfiguration: Match.objectLike({ Enabled: true }) });
  });

  test.each(['shop internal', '-shop.internal', 'shop..internal'])('fails when a DNS namespace is named %j (SERVICE_CONNECT)', (serviceConnectNamespaceName) => {
    expectError(ErrorCode.SERVICE_CONNECT, () => productionEnvironment(testStack(), {
      serviceConnectNamespaceName, serviceConnectNamespaceType: servicediscovery.NamespaceType.DNS_PRIVATE,
    }));
  });

  test.each([
    ['the environment\'s HTTP namespace', (_stack: Stack, env: Environment) => ({ namespace: env.serviceConnectNamespace! })],
    ['a name that is not a DNS label', (stack: Stack, env: Environment) => ({
      namespace: new servicediscovery.PrivateDnsNamespace(stack, 'Ns', { name: 'corp.internal', vpc: env.vpc }), name: 'orders.v1',
    })],
  ])('fails at synth with %s', (_name, discovery) => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    expectError(ErrorCode.SERVICE_CONNECT, () => new BackendService(stack, 'Orders', { environment, image: IMAGE, serviceDiscovery: discovery(stack, environment) }));
  });
});
