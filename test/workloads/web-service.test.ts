import * as fs from 'fs';
import * as path from 'path';
import { Duration, Lazy, Stack, aws_ecr as ecr, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2, aws_sns as sns, aws_ssm as ssm } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  Capacity, Deployment, Egress, Environment, Image, Logging, Network, Scaling, SharedIngress, WebService, WebServiceProps,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import {
  expectError, expectValidationError, hasWarning, productionEnvironment, resources, template, testStack,
} from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27');

function web(props: Partial<WebServiceProps> = {}, stack: Stack = testStack()): { stack: Stack; service: WebService } {
  const environment = props.environment ?? productionEnvironment(stack);
  const service = new WebService(stack, 'Web', { image: IMAGE, ...props, environment });
  return { stack, service };
}

function containerDefinition(stack: Stack): any {
  return resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0];
}

describe('WebService', () => {
  test('default output matches the snapshot', () => {
    const { stack } = web();
    expect(template(stack).toJSON()).toMatchSnapshot();
  });

  describe('task', () => {
    test('is 0.25 vCPU / 512 MiB on ARM64 Linux by default', () => {
      const { stack } = web();
      template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
        Cpu: '256',
        Memory: '512',
        NetworkMode: 'awsvpc',
        RequiresCompatibilities: ['FARGATE'],
        RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      });
    });

    test('the container runs the secure baseline: read-only root, writable /tmp, non-root, init, no privilege', () => {
      const { stack } = web();
      const c = containerDefinition(stack);
      expect(c).toMatchObject({
        ReadonlyRootFilesystem: true,
        User: '1000:1000',
        Privileged: false,
        LinuxParameters: { InitProcessEnabled: true, Tmpfs: [{ ContainerPath: '/tmp', Size: 128, MountOptions: ['nosuid', 'nodev', 'exec'] }] },
      });
      expect(c.MountPoints).toBeUndefined();
      template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { Volumes: Match.absent() });
    });

    test('extra writable paths become tmpfs mounts so the root file system stays read-only', () => {
      const { stack } = web({ containerSecurity: { writablePaths: ['/tmp', '/var/cache/nginx'], user: '101' } });
      const c = containerDefinition(stack);
      expect(c.ReadonlyRootFilesystem).toBe(true);
      expect(c.User).toBe('101');
      expect(c.LinuxParameters.Tmpfs.map((m: any) => m.ContainerPath)).toEqual(['/tmp', '/var/cache/nginx']);
    });

    test('relaxing the baseline raises acknowledgeable warnings', () => {
      const { stack } = web({ containerSecurity: { user: 'root', readOnlyRootFilesystem: false } });
      expect(hasWarning(stack, 'cdk-shipyard:root-user')).toBe(true);
      expect(hasWarning(stack, 'cdk-shipyard:writable-root-filesystem')).toBe(true);
      expect(containerDefinition(stack).ReadonlyRootFilesystem).toBe(false);
    });

    test('a stock image keeps its own user and a writable root without a volume hiding its /tmp', () => {
      const { stack } = web({ containerPort: 80, containerSecurity: { imageUser: true, readOnlyRootFilesystem: false } });
      const c = containerDefinition(stack);
      expect(c.User).toBeUndefined();
      expect(c.ReadonlyRootFilesystem).toBe(false);
      expect(c.MountPoints ?? []).toEqual([]);
      expect(hasWarning(stack, 'cdk-shipyard:image-user')).toBe(true);
      expect(hasWarning(stack, 'cdk-shipyard:writable-root-filesystem')).toBe(true);
      // The image's user is unknown, so no claim about port 80.
      expect(hasWarning(stack, 'cdk-shipyard:privileged-port')).toBe(false);
    });

    test('fails when containerSecurity names a user and imageUser both', () => {
      expectError(ErrorCode.CONFLICTING_OPTIONS, () => web({ containerSecurity: { imageUser: true, user: '101' } }));
    });

    test('an image that states x86_64 only moves a defaulted task to X86_64; a registry image that states nothing warns on ARM64', () => {
      const x86 = web({ image: Image.fromRegistry('httpd:2.4', { architectures: [ecs.CpuArchitecture.X86_64] }) });
      expect(resources(x86.stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.RuntimePlatform.CpuArchitecture).toBe('X86_64');
      expect(hasWarning(x86.stack, 'cdk-shipyard:image-architecture')).toBe(false);
      const unknown = web({ image: Image.fromRegistry('httpd:2.4') });
      expect(hasWarning(unknown.stack, 'cdk-shipyard:image-architecture')).toBe(true);
      const chosen = web({ image: Image.fromRegistry('httpd:2.4'), cpuArchitecture: ecs.CpuArchitecture.ARM64 });
      expect(hasWarning(chosen.stack, 'cdk-shipyard:image-architecture')).toBe(false);
      const multi = web({ image: Image.fromRegistry('httpd:2.4', { architectures: [ecs.CpuArchitecture.ARM64, ecs.CpuArchitecture.X86_64] }) });
      expect(resources(multi.stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.RuntimePlatform.CpuArchitecture).toBe('ARM64');
    });

    test('fails when a task is set to an architecture its image is not published for', () => {
      expectError(ErrorCode.IMAGE, () => web({
        image: Image.fromRegistry('httpd:2.4', { architectures: [ecs.CpuArchitecture.X86_64] }), cpuArchitecture: ecs.CpuArchitecture.ARM64,
      }));
    });

    test('a port below 1024 under the non-root baseline warns (the process could not bind it); root or port 8080 do not', () => {
      expect(hasWarning(web({ containerPort: 80 }).stack, 'cdk-shipyard:privileged-port')).toBe(true);
      expect(hasWarning(web({ containerPort: 80, containerSecurity: { user: '0' } }).stack, 'cdk-shipyard:privileged-port')).toBe(false);
      expect(hasWarning(web({ containerPort: 8080 }).stack, 'cdk-shipyard:privileged-port')).toBe(false);
      const { stack } = web({ sidecars: [{ name: 'proxy', image: IMAGE, portMappings: [{ containerPort: 443 }] }] });
      expect(hasWarning(stack, 'cdk-shipyard:privileged-port')).toBe(true);
    });

    test('logs go to a retained log group with the environment retention, non-blocking', () => {
      const { stack, service } = web();
      expect(service.logGroup).toBeDefined();
      template(stack).hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
      expect(containerDefinition(stack).LogConfiguration).toMatchObject({
        LogDriver: 'awslogs', Options: { 'awslogs-stream-prefix': 'app', 'mode': 'non-blocking' },
      });
    });

    test('a logging override sets retention and stream prefix', () => {
      const { stack } = web({ logging: Logging.awsLogs({ retention: 365, streamPrefix: 'web' }) });
      template(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
      expect(containerDefinition(stack).LogConfiguration.Options['awslogs-stream-prefix']).toBe('web');
    });

    test('environment variables and secrets reach the container; the execution role reads only that parameter', () => {
      const stack = testStack();
      const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'P', { parameterName: '/app/db' });
      web({ environmentVariables: { LOG_LEVEL: 'info' }, secrets: { DB_PASSWORD: ecs.Secret.fromSsmParameter(parameter) } }, stack);
      const c = containerDefinition(stack);
      expect(c.Environment).toEqual([{ Name: 'LOG_LEVEL', Value: 'info' }]);
      expect(c.Secrets).toEqual([{ Name: 'DB_PASSWORD', ValueFrom: Match.anyValue() }].map(() => expect.objectContaining({ Name: 'DB_PASSWORD' })));
      template(stack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ssm:GetParameters']) })]) },
      });
    });

    test('a local image is built for ARM64 tasks as linux/arm64 and for X86_64 tasks as linux/amd64', () => {
      const dir = path.join(__dirname, '..', '..', 'integ', 'images', 'hello');
      for (const [arch, platform] of [[ecs.CpuArchitecture.ARM64, 'linux/arm64'], [ecs.CpuArchitecture.X86_64, 'linux/amd64']] as const) {
        const { stack } = web({ image: Image.fromAsset(dir), cpuArchitecture: arch });
        const assembly = Stack.of(stack).node.root as any;
        const manifest = assembly.synth().artifacts.find((a: any) => a.id === 'Test.assets');
        const images = JSON.parse(fs.readFileSync(manifest.file, 'utf8')).dockerImages;
        expect(Object.values(images).map((i: any) => i.source.platform)).toEqual([platform]);
      }
    });

    test('exposes the L2 objects it creates', () => {
      const { service } = web();
      expect(service.service).toBeInstanceOf(ecs.FargateService);
      expect(service.taskDefinition).toBeInstanceOf(ecs.FargateTaskDefinition);
      expect(service.container.containerName).toBe('app');
      expect(service.targetGroup).toBeDefined();
      expect(service.taskRole).toBe(service.taskDefinition.taskRole);
      expect(service.scalableTaskCount).toBeUndefined();
    });

    test('the listener rule is a plain handle (no `!`): a condition added to it reaches the template', () => {
      const { stack, service } = web();
      service.listenerRule.addCondition(elbv2.ListenerCondition.httpRequestMethods(['GET', 'HEAD']));
      template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Conditions: Match.arrayWith([{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET', 'HEAD'] } }]),
      });
      expect(service.scalableTaskCount).toBeUndefined();
    });
  });

  describe('service', () => {
    test('deploys with the circuit breaker, rollback, 100% / 200% and no public IP', () => {
      const { stack } = web();
      template(stack).hasResourceProperties('AWS::ECS::Service', {
        DeploymentConfiguration: {
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
        },
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
        DesiredCount: 2,
        PropagateTags: 'SERVICE',
        EnableECSManagedTags: true,
        LaunchType: Match.absent(),
        CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      });
    });

    test('the grace period follows the container start period', () => {
      const { stack } = web({ healthCheck: { command: ['CMD-SHELL', 'true'], startPeriod: Duration.seconds(45) } });
      template(stack).hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 45 });
      const other = web();
      template(other.stack).hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 60 });
    });

    test('waits for the cluster\'s capacity provider associations', () => {
      const { stack } = web();
      const [, service] = resources(stack, 'AWS::ECS::Service')[0];
      const [associationId] = resources(stack, 'AWS::ECS::ClusterCapacityProviderAssociations')[0];
      expect(service.DependsOn).toContain(associationId);
    });

    test('waits for the tasks\' way out, so it is created after it and deleted before it', () => {
      const { stack } = web();
      const [, service] = resources(stack, 'AWS::ECS::Service')[0];
      // Default routes through the NAT gateways have no other dependent: without this they go first on deletion.
      const routes = resources(stack, 'AWS::EC2::Route').map(([id]) => id).filter(id => id.includes('PrivateSubnet'));
      const associations = resources(stack, 'AWS::EC2::SubnetRouteTableAssociation').map(([id]) => id).filter(id => id.includes('PrivateSubnet'));
      expect(routes).toHaveLength(2);
      expect(service.DependsOn).toEqual(expect.arrayContaining([...routes, ...associations]));

      const isolated = testStack();
      web({
        environment: productionEnvironment(isolated, { network: Network.newVpc({ egress: Egress.VPC_ENDPOINTS }) }),
        image: Image.fromEcrRepository(
          ecr.Repository.fromRepositoryName(isolated, 'Repo', 'app'), '1.0.0'),
      }, isolated);
      const [, isolatedService] = resources(isolated, 'AWS::ECS::Service')[0];
      const endpoints = resources(isolated, 'AWS::EC2::VPCEndpoint').map(([id]) => id);
      expect(endpoints).toHaveLength(6);
      expect(isolatedService.DependsOn).toEqual(expect.arrayContaining(endpoints));
    });

    test('a workload capacity choice overrides the environment default', () => {
      const { stack } = web({ capacity: Capacity.fargateSpotMix({ onDemandBase: 2, onDemandWeight: 1, spotWeight: 3 }) });
      template(stack).hasResourceProperties('AWS::ECS::Service', {
        CapacityProviderStrategy: [
          { CapacityProvider: 'FARGATE', Base: 2, Weight: 1 },
          { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
        ],
      });
    });

    test('a rolling deployment can trade capacity for speed', () => {
      const { stack } = web({ deployment: Deployment.rolling({ minHealthyPercent: 50, maxHealthyPercent: 150 }) });
      template(stack).hasResourceProperties('AWS::ECS::Service', {
        DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 50, MaximumPercent: 150 }),
      });
    });

    test('accepts traffic only from the shared load balancer, on the container port', () => {
      const { stack } = web({ containerPort: 3000 });
      const ingress = resources(stack, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
      expect(ingress).toEqual([expect.objectContaining({
        FromPort: 3000,
        ToPort: 3000,
        IpProtocol: 'tcp',
        GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^WebSecurityGroup/), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/IngressSecurityGroup/), 'GroupId'] },
      })]);
      template(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: Match.stringLikeRegexp('Web: traffic from the shared load balancer only'),
        SecurityGroupIngress: Match.absent(),
      });
      // No per-service rule lands on the shared load balancer's group.
      template(stack).resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
    });
  });

  describe('load balancing', () => {
    test('a dedicated internal load balancer replaces the shared one (rule, security group, metrics)', () => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      const internal = new SharedIngress(stack, 'Internal', {
        vpc: environment.vpc, production: true, internetFacing: false, protocol: elbv2.ApplicationProtocol.HTTP, vpcCidr: '10.0.0.0/16',
      });
      web({ environment, ingress: internal }, stack);
      const rules = resources(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule');
      expect(rules).toHaveLength(1);
      expect(JSON.stringify(rules[0][1].Properties.ListenerArn)).toContain('InternalLoadBalancerHttp');
      const ingress = resources(stack, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)
        .filter(r => JSON.stringify(r.GroupId).includes('WebSecurityGroup'));
      expect(ingress).toEqual([expect.objectContaining({ SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^InternalSecurityGroup/), 'GroupId'] } })]);
      template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal', Name: Match.absent() });
    });

    test('the target group checks health every 5 s (4 s timeout), 2 healthy / 3 unhealthy, and drains in 30 s', () => {
      const { stack } = web();
      template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        TargetType: 'ip',
        Port: 8080,
        Protocol: 'HTTP',
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 4,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 3,
        HealthCheckPath: '/',
        Matcher: { HttpCode: '200-399' },
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
      });
    });

    test('health check and draining are overridable', () => {
      const { stack } = web({
        targetHealthCheck: { path: '/healthz', interval: Duration.seconds(30), healthyThresholdCount: 3, healthyHttpCodes: '200' },
        deregistrationDelay: Duration.seconds(120),
      });
      template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        HealthCheckPath: '/healthz',
        HealthCheckIntervalSeconds: 30,
        HealthyThresholdCount: 3,
        Matcher: { HttpCode: '200' },
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '120' }]),
      });
    });

    test('routes every path by default through a rule on the environment listener', () => {
      const { stack } = web();
      template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: Match.anyValue() }],
        ListenerArn: { Ref: Match.stringLikeRegexp('Https') },
      });
    });

    test('routes by host header and path together', () => {
      const { stack } = web({ routing: { hostHeaders: ['api.example.com'], pathPatterns: ['/v1/*'] } });
      template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } },
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/v1/*'] } },
        ],
      });
    });
  });

  describe('scaling', () => {
    test('tracks CPU at 70% by default between min and max; the scalable target, not the template, sets the count', () => {
      const { stack, service } = web({ scaling: { minCapacity: 3, maxCapacity: 12 } });
      expect(service.scalableTaskCount).toBeDefined();
      const t = template(stack);
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 12 });
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 70,
          ScaleOutCooldown: 60,
          ScaleInCooldown: 300,
          // A production service that tracks CPU reads it every 20 seconds (the 0.3.0 default).
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilizationHighResolution' },
        },
      });
      // A DesiredCount in the template would reset a scaled-out service to 3 on the next deploy.
      t.hasResourceProperties('AWS::ECS::Service', { DesiredCount: Match.absent() });
    });

    test('tracks memory and requests per target', () => {
      const { stack } = web({ scaling: { minCapacity: 2, maxCapacity: 4, targets: [Scaling.memory(80), Scaling.requestsPerTarget(1000)] } });
      const t = template(stack);
      t.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2);
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          TargetValue: 80, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilizationHighResolution' },
        }),
      });
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          TargetValue: 1000,
          PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
        }),
      });
    });
  });

  describe('notifications', () => {
    test('a failed (rolled back) deployment notifies the environment alarm topic', () => {
      const stack = testStack();
      const alarmTopic = new sns.Topic(stack, 'Topic');
      const { service } = web({ environment: productionEnvironment(stack, { alarmTopic }) }, stack);
      expect(service.deploymentFailedRule).toBeDefined();
      template(stack).hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          'source': ['aws.ecs'],
          'detail-type': ['ECS Deployment State Change'],
          'resources': [{ Ref: Match.stringLikeRegexp('WebService') }],
          'detail': { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
        },
        Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('Topic') } })],
      });
      template(stack).hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' })]) },
      });
    });

    test('without an alarm topic there is no notification rule (only the target-less rule the unexpected-stops alarm counts)', () => {
      const { stack, service } = web();
      expect(service.deploymentFailedRule).toBeUndefined();
      const rules = resources(stack, 'AWS::Events::Rule');
      expect(rules.map(([id]) => id)).toEqual([expect.stringMatching(/^WebAlarmsUnexpectedStopsRule/)]);
      expect(rules[0][1].Properties.Targets).toBeUndefined();
    });
  });

  describe('warnings', () => {
    test('secret-looking plain variables are flagged', () => {
      const { stack } = web({ environmentVariables: { API_TOKEN: 'x', LOG_LEVEL: 'debug' } });
      expect(hasWarning(stack, 'cdk-shipyard:secret-like-variable')).toBe(true);
    });

    test('a non-ECR image in an environment without egress is flagged', () => {
      const stack = testStack();
      const environment = productionEnvironment(stack, { network: Network.newVpc({ egress: Egress.VPC_ENDPOINTS }) });
      web({ environment }, stack);
      expect(hasWarning(stack, 'cdk-shipyard:image-unreachable')).toBe(true);
    });

    test('an ECR image in an environment without egress is not flagged', () => {
      const stack = testStack();
      const environment = productionEnvironment(stack, { network: Network.newVpc({ egress: Egress.VPC_ENDPOINTS }) });
      web({ environment, image: Image.fromAsset(path.join(__dirname, '..', '..', 'integ', 'images', 'hello')) }, stack);
      expect(hasWarning(stack, 'cdk-shipyard:image-unreachable')).toBe(false);
    });
  });

  describe('validation', () => {
    test.each([
      [256, 1024 + 512], [256, 4096], [512, 512], [1024, 9216], [2048, 3072], [4096, 31744], [8192, 18432], [16384, 36864], [300, 1024],
    ])('fails when cpu %d is paired with %d MiB', (cpu, memoryLimitMiB) => {
      expectError(ErrorCode.FARGATE_TASK_SIZE, () => web({ cpu, memoryLimitMiB }));
    });

    test.each([
      [256, 512], [256, 2048], [512, 4096], [1024, 8192], [2048, 16384], [4096, 30720], [8192, 61440], [16384, 122880], [16384, 32768],
    ])('accepts cpu %d with %d MiB', (cpu, memoryLimitMiB) => {
      expect(() => web({ cpu, memoryLimitMiB })).not.toThrow();
    });

    test.each([0, 65536, 1.5])('fails when the container port is %d', (containerPort) => {
      expectError(ErrorCode.PORT_RANGE, () => web({ containerPort }));
    });

    test('skips unresolved tokens', () => {
      expect(() => web({ containerPort: Lazy.number({ produce: () => 70000 }) })).not.toThrow();
    });

    test.each([
      ['interval 4 s', { interval: Duration.seconds(4) }],
      ['timeout 121 s', { timeout: Duration.seconds(121) }],
      ['timeout 61 s (ECS takes 2-60 s for a container; 120 s is a target group\'s)', { interval: Duration.seconds(90), timeout: Duration.seconds(61) }],
      ['retries 11', { retries: 11 }],
      ['start period 301 s', { startPeriod: Duration.seconds(301) }],
    ])('fails when the container health check has %s', (_name, values) => {
      expectError(ErrorCode.CONTAINER_HEALTH_CHECK, () => web({ healthCheck: { command: ['CMD', 'true'], ...values } }));
    });

    test('takes a container health check at ECS\'s bounds: every 300 s, a 60 s timeout, 10 retries, a 300 s start period', () => {
      expect(() => web({
        healthCheck: { command: ['CMD', 'true'], interval: Duration.seconds(300), timeout: Duration.seconds(60), retries: 10, startPeriod: Duration.seconds(300) },
      })).not.toThrow();
    });

    test.each([
      ['interval 301 s', { interval: Duration.seconds(301) }],
      ['timeout 1 s', { timeout: Duration.seconds(1) }],
      ['healthy threshold 1', { healthyThresholdCount: 1 }],
      ['unhealthy threshold 11', { unhealthyThresholdCount: 11 }],
      ['a timeout as long as the interval', { interval: Duration.seconds(10), timeout: Duration.seconds(10) }],
      ['a path without a leading slash', { path: 'health' }],
    ])('fails when the target health check has %s', (_name, targetHealthCheck) => {
      expectError(ErrorCode.TARGET_HEALTH_CHECK, () => web({ targetHealthCheck }));
    });

    test('fails when the deregistration delay is above 3600 s', () => {
      expectError(ErrorCode.DEREGISTRATION_DELAY, () => web({ deregistrationDelay: Duration.seconds(3601) }));
    });

    test('fails when minCapacity is above maxCapacity', () => {
      expectError(ErrorCode.SCALING_BOUNDS, () => web({ scaling: { minCapacity: 5, maxCapacity: 2 } }));
    });

    test('fails at synth when a template override gives the tasks a public IP (the check reads the rendered template)', () => {
      const { stack, service } = web();
      (service.service.node.defaultChild as ecs.CfnService).addPropertyOverride('NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp', 'ENABLED');
      expectValidationError(stack, ErrorCode.NETWORK, /assignPublicIp is ENABLED on FARGATE capacity/);
    });

    test.each([['the L1 property', false], ['a template override', true]])('fails at synth when %s gives the service an invalid name', (_how, override) => {
      const { stack, service } = web();
      const cfn = service.service.node.defaultChild as ecs.CfnService;
      if (override) cfn.addPropertyOverride('ServiceName', 'api service');
      else cfn.serviceName = 'x'.repeat(256);
      expectValidationError(stack, ErrorCode.CONFLICTING_OPTIONS, /service name ".*" is not valid/);
    });

    test('fails when a desired count is given with scaling (scaling owns the count)', () => {
      expectError(ErrorCode.DESIRED_COUNT, () => web({ desiredCount: 1, scaling: { minCapacity: 2, maxCapacity: 4 } }));
      expectError(ErrorCode.DESIRED_COUNT, () => web({ desiredCount: 3, scaling: { minCapacity: 2, maxCapacity: 4 } }));
    });

    test.each([0, 101, -5])('fails when a utilisation target is %d%%', (target) => {
      expectError(ErrorCode.SCALING_TARGET, () => web({ scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.cpu(target)] } }));
    });

    test('fails when requests per target is not positive', () => {
      expectError(ErrorCode.SCALING_TARGET, () => web({ scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.requestsPerTarget(0)] } }));
    });

    test('fails when two targets track the same metric', () => {
      expectError(ErrorCode.SCALING_TARGET, () => web({ scaling: { minCapacity: 1, maxCapacity: 2, targets: [Scaling.cpu(50), Scaling.cpu(60)] } }));
    });

    test.each(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'ECS_ENGINE_AUTH_DATA'])('fails when %s is a plain environment variable', (name) => {
      expectError(ErrorCode.SECRET_IN_ENVIRONMENT, () => web({ environmentVariables: { [name]: 'x' } }));
    });

    test('fails when a writable path is relative', () => {
      expectError(ErrorCode.CONFLICTING_OPTIONS, () => web({ containerSecurity: { writablePaths: ['tmp'] } }));
    });

    test.each([
      ['minHealthyPercent 120', { minHealthyPercent: 120 }],
      ['maxHealthyPercent 250', { maxHealthyPercent: 250 }],
      ['100% / 100%', { minHealthyPercent: 100, maxHealthyPercent: 100 }],
    ])('fails when a rolling deployment has %s', (_name, options) => {
      expectError(ErrorCode.DEPLOYMENT, () => web({ deployment: Deployment.rolling(options) }));
    });

    test('fails at synth when a container added through the escape hatch needs more memory than the task', () => {
      const { stack, service } = web();
      service.taskDefinition.addContainer('Sidecar', { image: ecs.ContainerImage.fromRegistry('busybox'), memoryLimitMiB: 1024 });
      expectValidationError(stack, ErrorCode.CONTAINER_MEMORY, /Sidecar/);
    });

    test('fails at synth when containers together reserve more memory than the task', () => {
      const { stack, service } = web({ cpu: 256, memoryLimitMiB: 512 });
      service.taskDefinition.addContainer('A', { image: ecs.ContainerImage.fromRegistry('busybox'), memoryReservationMiB: 300 });
      service.taskDefinition.addContainer('B', { image: ecs.ContainerImage.fromRegistry('busybox'), memoryReservationMiB: 300 });
      expectValidationError(stack, ErrorCode.CONTAINER_MEMORY, /reserve 606 MiB/);
    });

    test('development environments run one task by default', () => {
      const stack = testStack();
      const environment = new Environment(stack, 'Env', { profile: 'development' as any });
      web({ environment }, stack);
      template(stack).hasResourceProperties('AWS::ECS::Service', { DesiredCount: 1 });
    });
  });
});
