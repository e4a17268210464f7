import { App, CfnOutput, CfnResource, Stack, aws_certificatemanager as acm, aws_kms as kms, aws_ec2 as ec2, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_logs as logs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Capacity, Egress, Environment, EnvironmentProfile, Image, Network, SharedIngress, WebService, WorkerService } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { CERTIFICATE_ARN, expectError, expectValidationError, hasWarning, productionEnvironment, resources, template, testStack, warningIds } from '../fixtures';

describe('Environment', () => {
  test('default production output matches the snapshot', () => {
    const stack = testStack();
    productionEnvironment(stack);
    expect(template(stack).toJSON()).toMatchSnapshot();
  });

  describe('network', () => {
    test('production puts one NAT gateway in each of 2 AZs', () => {
      const stack = testStack();
      productionEnvironment(stack);
      template(stack).resourceCountIs('AWS::EC2::NatGateway', 2);
      template(stack).resourceCountIs('AWS::EC2::Subnet', 4);
    });

    test('development shares one NAT gateway', () => {
      const stack = testStack();
      new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
      template(stack).resourceCountIs('AWS::EC2::NatGateway', 1);
    });

    test('VPC endpoints replace NAT: isolated subnets, ECR/S3/Logs/Secrets Manager/SSM endpoints', () => {
      const stack = testStack();
      productionEnvironment(stack, { network: Network.newVpc({ egress: Egress.VPC_ENDPOINTS }) });
      const t = template(stack);
      t.resourceCountIs('AWS::EC2::NatGateway', 0);
      t.resourceCountIs('AWS::EC2::VPCEndpoint', 6);
      t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
      for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssm']) {
        t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
          ServiceName: { 'Fn::Join': ['', Match.arrayWith([`.${service}`])] },
          PrivateDnsEnabled: true,
        });
      }
      // Endpoints accept HTTPS from the VPC's own range only.
      t.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('VPC interface endpoints'),
        SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }],
      });
    });

    test('the endpoints\' security group is the environment\'s, for EC2 capacity to add the agent\'s endpoints with; a NAT environment has none', () => {
      const stack = testStack();
      const isolated = productionEnvironment(stack, { network: Network.newVpc({ egress: Egress.VPC_ENDPOINTS }) });
      const [[groupId]] = resources(stack, 'AWS::EC2::SecurityGroup').filter(([, r]) => /VPC interface endpoints/.test(r.Properties.GroupDescription));
      expect(stack.resolve(isolated.endpointSecurityGroup!.securityGroupId)).toEqual({ 'Fn::GetAtt': [groupId, 'GroupId'] });
      expect(productionEnvironment(testStack('Nat')).endpointSecurityGroup).toBeUndefined();
    });

    test('flow logs capture all traffic into a retained log group with the environment retention', () => {
      const stack = testStack();
      productionEnvironment(stack);
      const t = template(stack);
      t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
      t.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
    });

    test('the default security group is closed and public subnets assign no public IPs', () => {
      const stack = testStack();
      productionEnvironment(stack);
      const t = template(stack);
      t.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
      t.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    });

    test('an existing VPC is used as is', () => {
      const stack = testStack();
      const vpc = new ec2.Vpc(stack, 'Existing', { natGateways: 1 });
      const env = productionEnvironment(stack, { network: Network.fromVpc(vpc) });
      expect(env.vpc).toBe(vpc);
      template(stack).resourceCountIs('AWS::EC2::VPC', 1);
      template(stack).resourceCountIs('AWS::EC2::FlowLog', 0);
    });

    test('fails when NAT per AZ is asked for in a single AZ', () => {
      expectError(ErrorCode.NETWORK, () => productionEnvironment(testStack(), {
        network: Network.newVpc({ maxAzs: 1, egress: Egress.NAT_GATEWAY_PER_AZ }),
      }));
    });

    test('fails when maxAzs is outside 1-6', () => {
      expectError(ErrorCode.NETWORK, () => productionEnvironment(testStack(), { network: Network.newVpc({ maxAzs: 7 }) }));
    });

    test.each(['10.0.0.0/15', '10.0.0.0/29', '10.0.0.300/16', '10.0.0/16'])('fails when the VPC CIDR is %s (not IPv4, or outside /16-/28)', (cidr) => {
      expectError(ErrorCode.NETWORK, () => productionEnvironment(testStack(), { network: Network.newVpc({ cidr }) }));
    });

    test('fails when the VPC CIDR is too small for its subnets, naming the smallest that fits', () => {
      expect(() => productionEnvironment(testStack(), { network: Network.newVpc({ cidr: '10.0.0.0/24' }) }))
        .toThrow(/^\[cdk-shipyard:NETWORK\] Test\/Env: network cidr "10.0.0.0\/24" holds 256 addresses, and 2 AZ\(s\) .* need 8704\. Fix: give a \/18 or larger range/);
      expect(() => productionEnvironment(testStack(), { network: Network.newVpc({ cidr: '10.0.0.0/18' }) })).not.toThrow();
      expect(() => productionEnvironment(testStack(), { network: Network.newVpc({ cidr: '10.0.0.0/20', maxAzs: 1, egress: Egress.NAT_GATEWAY }) })).toThrow(/\/19 or larger/);
    });

    test('fails when an imported VPC has no CIDR block, saying how to pass it', () => {
      const stack = testStack();
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-1', availabilityZones: ['us-east-1a', 'us-east-1b'], privateSubnetIds: ['subnet-1', 'subnet-2'], publicSubnetIds: ['subnet-3', 'subnet-4'],
      });
      expect(() => productionEnvironment(stack, { network: Network.fromVpc(vpc) }))
        .toThrow(/^\[cdk-shipyard:NETWORK\] Test\/Env: the imported VPC Test\/Vpc has no CIDR block\. Fix: pass vpcCidrBlock to ec2\.Vpc\.fromVpcAttributes/);
    });
  });

  describe('cluster', () => {
    test('has enhanced Container Insights and Fargate + Fargate Spot providers', () => {
      const stack = testStack();
      productionEnvironment(stack);
      const t = template(stack);
      t.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }] });
      t.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
        CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        DefaultCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      });
    });

    test('development defaults to one on-demand task and the rest on Spot', () => {
      const stack = testStack();
      new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
      template(stack).hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
        DefaultCapacityProviderStrategy: [
          { CapacityProvider: 'FARGATE', Base: 1, Weight: 0 },
          { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
        ],
      });
    });

    test('a capacity override replaces the profile default', () => {
      const stack = testStack();
      const env = productionEnvironment(stack, { capacity: Capacity.fargateSpot() });
      expect(env.defaultCapacity.providerNames).toEqual(['FARGATE_SPOT']);
      template(stack).hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
        DefaultCapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
      });
    });

    test('has a Service Connect namespace', () => {
      const stack = testStack();
      const env = productionEnvironment(stack, { serviceConnectNamespaceName: 'prod.internal' });
      expect(env.serviceConnectNamespace?.namespaceName).toBe('prod.internal');
      template(stack).hasResourceProperties('AWS::ServiceDiscovery::HttpNamespace', { Name: 'prod.internal' });
      template(stack).hasResourceProperties('AWS::ECS::Cluster', {
        ServiceConnectDefaults: { Namespace: Match.anyValue() },
      });
    });

    test('Container Insights can be lowered', () => {
      const stack = testStack();
      productionEnvironment(stack, { containerInsights: ecs.ContainerInsights.ENABLED });
      template(stack).hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    });
  });

  describe('defaults workloads inherit', () => {
    test('production retains logs 30 days, development 7 days, an override wins', () => {
      expect(productionEnvironment(testStack()).logRetention).toBe(logs.RetentionDays.ONE_MONTH);
      expect(new Environment(testStack(), 'Env', { profile: EnvironmentProfile.DEVELOPMENT }).logRetention).toBe(logs.RetentionDays.ONE_WEEK);
      expect(productionEnvironment(testStack(), { logRetention: logs.RetentionDays.ONE_YEAR }).logRetention).toBe(logs.RetentionDays.ONE_YEAR);
    });

    test('a KMS key for logs encrypts log groups and lets CloudWatch Logs use the key', () => {
      const stack = testStack();
      const key = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
      productionEnvironment(stack, { logEncryptionKey: key });
      const t = template(stack);
      t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LogKey'), 'Arn'] } });
      t.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          })]),
        },
      });
    });

    test('tags reach the environment and its workloads', () => {
      const stack = testStack();
      const environment = productionEnvironment(stack, { tags: { team: 'platform' } });
      new WebService(stack, 'Web', { environment, image: Image.fromRegistry('nginx') });
      const t = template(stack);
      t.hasResourceProperties('AWS::ECS::Cluster', { Tags: Match.arrayWith([{ Key: 'team', Value: 'platform' }]) });
      t.hasResourceProperties('AWS::ECS::Service', { Tags: Match.arrayWith([{ Key: 'team', Value: 'platform' }]) });
    });
  });

  describe('fromAttributes', () => {
    test('workloads in another app route through the imported listener', () => {
      const stack = testStack();
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-1', availabilityZones: ['us-east-1a', 'us-east-1b'], privateSubnetIds: ['subnet-1', 'subnet-2'],
      });
      const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'AlbSg', 'sg-alb');
      const environment = Environment.fromAttributes(stack, 'Env', {
        vpc,
        cluster: ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'prod', vpc }),
        loadBalancer: elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', {
          loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/prod/1',
          securityGroupId: 'sg-alb',
        }),
        listener: elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Listener', {
          listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/prod/1/2', securityGroup,
        }),
      });
      expect(environment.profile).toBe(EnvironmentProfile.PRODUCTION);
      new WebService(stack, 'Web', { environment, image: Image.fromRegistry('nginx'), routing: { hostHeaders: ['api.example.com'] } });
      const t = template(stack);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        ListenerArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/prod/1/2',
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } }],
      });
      t.hasResourceProperties('AWS::ECS::Service', { Cluster: 'prod', DesiredCount: 2 });
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { SourceSecurityGroupId: 'sg-alb', FromPort: 8080 });
    });
  });

  test('environment-agnostic and concrete-region stacks both get an access-log bucket policy', () => {
    const agnostic = testStack();
    productionEnvironment(agnostic);
    const t = template(agnostic);
    expect(Object.keys(t.toJSON().Mappings ?? {}).some(m => m.includes('ElbAccounts'))).toBe(true);
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' } })]) },
    });

    const concrete = new Stack(new App(), 'Concrete', { env: { account: '111111111111', region: 'eu-west-1' } });
    productionEnvironment(concrete);
    template(concrete).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          // eu-west-1's Elastic Load Balancing account
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::156460612806:root']] } },
        })]),
      },
    });
    expect(resources(concrete, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0][1].Properties.LoadBalancerAttributes)
      .toEqual(expect.arrayContaining([{ Key: 'access_logs.s3.enabled', Value: 'true' }]));
  });
});

describe('cluster name', () => {
  test('is the one given, and fails when ECS would refuse it', () => {
    const stack = testStack();
    productionEnvironment(stack, { clusterName: 'shop-production' });
    template(stack).hasResourceProperties('AWS::ECS::Cluster', { ClusterName: 'shop-production' });
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => productionEnvironment(testStack('Bad'), { clusterName: 'shop production' }));
  });
});

describe('an environment without a shared load balancer', () => {
  function bare(stack: Stack = testStack()): Environment {
    // Production, and no certificate: nothing serves HTTPS, so none is needed.
    return new Environment(stack, 'Env', { sharedLoadBalancer: false });
  }

  test('has no load balancer, listeners or access-log bucket, and a dashboard of the cluster alone', () => {
    const stack = testStack();
    const environment = bare(stack);
    const t = template(stack);
    for (const type of ['AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancingV2::Listener', 'AWS::S3::Bucket']) {
      t.resourceCountIs(type, 0);
    }
    const [, dashboard] = resources(stack, 'AWS::CloudWatch::Dashboard')[0];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).not.toContain('AWS/ApplicationELB');
    expect(body).toContain('ECS/ContainerInsights');
    expect(environment.hasSharedLoadBalancer).toBe(false);
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => environment.ingress);
  });

  test('runs workers and jobs; a WebService fails at synth unless it brings its own load balancer', () => {
    const stack = testStack();
    const environment = bare(stack);
    const image = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');
    new WorkerService(stack, 'Worker', { environment, image });
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new WebService(stack, 'Web', { environment, image }));
    const ingress = new SharedIngress(stack, 'Own', {
      vpc: environment.vpc, production: true, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN),
    });
    const web = new WebService(stack, 'Api', { environment, image, ingress });
    expect(web.listenerRule).toBeDefined();
    template(stack).resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
  });

  test('another app imports it without a load balancer; giving only one of loadBalancer and listener fails', () => {
    const stack = testStack();
    const source = bare(stack);
    const imported = Environment.fromAttributes(stack, 'Imported', { vpc: source.vpc, cluster: source.cluster });
    expect(imported.hasSharedLoadBalancer).toBe(false);
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => imported.ingress);
    const image = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');
    new WorkerService(stack, 'Worker', { environment: imported, image });
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new WebService(stack, 'Web', { environment: imported, image }));
    const withLb = productionEnvironment(testStack('Other'));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => Environment.fromAttributes(testStack('Third'), 'Half', {
      vpc: withLb.vpc, cluster: withLb.cluster, loadBalancer: withLb.ingress.loadBalancer,
    }));
  });

  test('fails when ingress options are given as well', () => {
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new Environment(testStack(), 'Env', { sharedLoadBalancer: false, ingress: { internetFacing: false } }));
  });
});

describe('stack quotas (CloudFormation: 500 resources, 200 parameters, 200 outputs per template)', () => {
  const environmentIn = (stack: Stack) => new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
  /** How many resources a development environment's template holds (some are added as it synthesizes). */
  const baseline = (() => {
    const stack = testStack();
    environmentIn(stack);
    return Object.keys(template(stack).toJSON().Resources).length;
  })();
  /** A development environment's stack topped up with plain resources to `total` in its template. */
  function stackOf(total: number): Stack {
    const stack = testStack();
    environmentIn(stack);
    for (let i = baseline; i < total; i++) new CfnResource(stack, `Topic${i}`, { type: 'AWS::SNS::Topic' });
    return stack;
  }

  test('says nothing at 400 resources, warns past 80% of the quota, naming the stack and the way out', () => {
    expect(hasWarning(stackOf(400), 'cdk-shipyard:stack-quota')).toBe(false);
    const warnings = warningIds(stackOf(401)).filter(w => w.includes('stack-quota'));
    expect(warnings).toEqual([expect.stringMatching(/^the stack Test has 401 resources, past 80% of CloudFormation's 500 per template; split it: put workloads in stacks of their own/)]);
  });

  test('accepts exactly 500 resources, and fails at synth at 501 (CloudFormation refuses the template)', () => {
    expect(() => template(stackOf(500))).not.toThrow();
    expectValidationError(stackOf(501), ErrorCode.STACK_QUOTA, /the stack has 501 resources; CloudFormation takes at most 500 in one template/);
  });

  test('counts outputs, the exports other stacks read included', () => {
    const stack = testStack();
    new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
    for (let i = 0; i < 161; i++) new CfnOutput(stack, `Out${i}`, { value: String(i) });
    expect(warningIds(stack).filter(w => w.includes('stack-quota'))).toEqual([expect.stringMatching(/has 161 outputs, past 80% of CloudFormation's 200/)]);
  });
});
