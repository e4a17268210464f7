import { App, Stack, aws_certificatemanager as acm, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Capacity, Deployment, Image, NetworkService, NetworkServiceProps, Scaling, SharedNetworkLoadBalancer, TestTraffic } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { CERTIFICATE_ARN, ec2Environment, expectError, productionEnvironment, resources, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/mqtt:1.0.0');

function nlb(props: (stack: Stack) => Partial<NetworkServiceProps> = () => ({})): { stack: Stack; service: NetworkService } {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  return { stack, service: new NetworkService(stack, 'Mqtt', { image: IMAGE, ...props(stack), environment }) };
}

function certificate(stack: Stack): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, 'NlbCert', CERTIFICATE_ARN);
}

describe('NetworkService', () => {
  test('an internal TCP load balancer with its own security group, fast health checks and draining', () => {
    const { stack } = nlb();
    const t = template(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internal',
      SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^MqttLoadBalancerSecurityGroup'), 'GroupId'] }],
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'load_balancing.cross_zone.enabled', Value: 'true' },
      ]),
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'TCP',
      Port: 8080,
      TargetType: 'ip',
      HealthCheckProtocol: 'TCP',
      HealthCheckIntervalSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'TCP', Port: 8080 });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('clients to the network load balancer'),
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 8080, IpProtocol: 'tcp' })],
    });
  });

  test('the tasks admit the load balancer only; the unhealthy-target alarm rolls deployments back', () => {
    const { stack } = nlb();
    const ingress = resources(stack, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)
      .filter(r => JSON.stringify(r.GroupId).includes('MqttSecurityGroup'));
    expect(ingress).toEqual([expect.objectContaining({
      FromPort: 8080,
      ToPort: 8080,
      IpProtocol: 'tcp',
      SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^MqttLoadBalancerSecurityGroup/), 'GroupId'] },
    })]);
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { AlarmNames: [Match.stringLikeRegexp('UnhealthyTargets$')], Enable: true, Rollback: true } }),
      HealthCheckGracePeriodSeconds: 60,
    });
    template(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/NetworkELB', MetricName: 'UnHealthyHostCount' });
  });

  test('the unhealthy-target alarm fires after the deploy-speed preset\'s window (1 minute), or alarms.rollbackAlarmMinutes', () => {
    const unhealthy = (stack: Stack) => resources(stack, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties)
      .find(a => String(a.AlarmName).endsWith('-UnhealthyTargets'));
    const preset = unhealthy(nlb().stack);
    // N of N: no DatapointsToAlarm, which CloudWatch reads only for an M-of-N alarm.
    expect(preset).toMatchObject({ EvaluationPeriods: 1 });
    expect(preset).not.toHaveProperty('DatapointsToAlarm');
    expect(preset.AlarmDescription).toMatch(/health check for 1 minute$/);
    const given = unhealthy(nlb(() => ({ alarms: { rollbackAlarmMinutes: 3 } })).stack);
    expect(given).toMatchObject({ EvaluationPeriods: 3 });
    expect(given).not.toHaveProperty('DatapointsToAlarm');
    expectError(ErrorCode.ALARM, () => nlb(() => ({ alarms: { rollbackAlarmMinutes: 0 } })));
  });

  test('terminates TLS with a certificate on 443 and a TLS 1.3 policy', () => {
    const { stack } = nlb(s => ({ protocol: elbv2.Protocol.TLS, certificate: certificate(s) }));
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'TLS', Port: 443, Certificates: [{ CertificateArn: CERTIFICATE_ARN }], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
    });
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Protocol: 'TCP' });
  });

  test('UDP keeps client addresses: tasks admit the clients on UDP and health checks on TCP', () => {
    const { stack } = nlb(() => ({ protocol: elbv2.Protocol.UDP, containerPort: 5683, healthCheckPort: 8081 }));
    const ingress = resources(stack, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties)
      .filter(r => JSON.stringify(r.GroupId).includes('MqttSecurityGroup'));
    expect(ingress.map(r => `${r.IpProtocol}/${r.FromPort}`)).toEqual(['tcp/8081']);
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('traffic from its network load balancer only'),
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.0.0.0/16', IpProtocol: 'udp', FromPort: 5683 })],
    });
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Protocol: 'UDP', HealthCheckPort: '8081', HealthCheckProtocol: 'TCP' });
    const app = resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0];
    expect(app.PortMappings).toEqual([
      expect.objectContaining({ ContainerPort: 5683, Protocol: 'udp' }),
      expect.objectContaining({ ContainerPort: 8081, Protocol: 'tcp' }),
    ]);
  });

  test('internet-facing in public subnets', () => {
    const { stack } = nlb(() => ({ internetFacing: true }));
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 8080 })],
    });
  });

  test('fails with TLS but no certificate', () => {
    expectError(ErrorCode.LISTENER, () => nlb(() => ({ protocol: elbv2.Protocol.TLS })));
  });

  test('fails with a certificate on a UDP listener', () => {
    expectError(ErrorCode.LISTENER, () => nlb(s => ({ protocol: elbv2.Protocol.UDP, certificate: certificate(s) })));
  });

  test('fails with an HTTP protocol', () => {
    expectError(ErrorCode.LISTENER, () => nlb(() => ({ protocol: elbv2.Protocol.HTTP })));
  });

  test('fails with a listener port of 0', () => {
    expectError(ErrorCode.PORT_RANGE, () => nlb(() => ({ listenerPort: 0 })));
  });

  describe('ECS-native blue/green family', () => {
    test('the listener forwards with weights ECS moves, to blue and green, with a scoped deployment role', () => {
      const { stack } = nlb(() => ({ deployment: Deployment.canary({ canaryPercent: 10 }) }));
      const listener = resources(stack, 'AWS::ElasticLoadBalancingV2::Listener').find(([id]) => id.startsWith('Mqtt'))![1].Properties;
      expect(listener.DefaultActions).toEqual([{
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: { Ref: expect.stringMatching(/^MqttTargetGroup/) }, Weight: 100 },
            { TargetGroupArn: { Ref: expect.stringMatching(/^MqttGreenTargetGroup/) }, Weight: 0 },
          ],
        },
      }]);
      template(stack).hasResourceProperties('AWS::ECS::Service', {
        DeploymentConfiguration: Match.objectLike({
          Strategy: 'CANARY',
          CanaryConfiguration: Match.objectLike({ CanaryPercent: 10 }),
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
        }),
        LoadBalancers: [Match.objectLike({
          AdvancedConfiguration: Match.objectLike({
            AlternateTargetGroupArn: { Ref: Match.stringLikeRegexp('^MqttGreenTargetGroup') },
            ProductionListenerRule: { Ref: Match.stringLikeRegexp('^MqttLoadBalancerListener') },
          }),
        })],
      });
      const statements = resources(stack, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('MqttDeploymentRole'))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual(expect.objectContaining({ Action: 'elasticloadbalancing:ModifyListener', Resource: { Ref: expect.stringMatching(/^MqttLoadBalancerListener/) } }));
      expect(JSON.stringify(statements)).not.toContain('ModifyRule');
    });

    test('test traffic on a test listener open to the VPC', () => {
      const { stack } = nlb(() => ({ deployment: Deployment.blueGreen({ testTraffic: TestTraffic.testListener() }), testListenerPort: 9090 }));
      template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9090, Protocol: 'TCP' });
      template(stack).hasResourceProperties('AWS::ECS::Service', {
        LoadBalancers: [Match.objectLike({ AdvancedConfiguration: Match.objectLike({ TestListenerRule: { Ref: Match.stringLikeRegexp('^MqttLoadBalancerTestListener') } }) })],
      });
    });

    test('the unhealthy-target alarm sums both target groups', () => {
      const { stack } = nlb(() => ({ deployment: Deployment.blueGreen() }));
      template(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: Match.stringLikeRegexp('UnhealthyTargets$'),
        Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(u0, 0) + FILL(u1, 0)' })]),
      });
    });

    test('fails with header test traffic (an NLB cannot match headers)', () => {
      expectError(ErrorCode.DEPLOYMENT, () => nlb(() => ({ deployment: Deployment.blueGreen({ testTraffic: TestTraffic.header() }) })));
    });

    test('fails with a test listener on the production port', () => {
      expectError(ErrorCode.DEPLOYMENT, () => nlb(() => ({
        deployment: Deployment.blueGreen({ testTraffic: TestTraffic.testListener() }), testListenerPort: 8080,
      })));
    });

    test('fails with CodeDeploy (WebService only)', () => {
      expectError(ErrorCode.DEPLOYMENT, () => nlb(() => ({ deployment: Deployment.codeDeploy() })));
    });
  });
});

describe('SharedNetworkLoadBalancer', () => {
  test('two services share one NLB on their own ports; the listeners live with the services', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const shared = new SharedNetworkLoadBalancer(stack, 'Nlb', { environment });
    new NetworkService(stack, 'Mqtt', { environment, image: IMAGE, sharedLoadBalancer: shared, listenerPort: 1883 });
    new NetworkService(stack, 'Amqp', { environment, image: IMAGE, sharedLoadBalancer: shared, listenerPort: 5672 });
    expect(resources(stack, 'AWS::ElasticLoadBalancingV2::LoadBalancer').filter(([, r]) => r.Properties.Type === 'network')).toHaveLength(1);
    const listeners = resources(stack, 'AWS::ElasticLoadBalancingV2::Listener').filter(([id]) => /^(Mqtt|Amqp)Listener/.test(id));
    expect(listeners.map(([, l]) => l.Properties.Port).sort()).toEqual([1883, 5672]);
    for (const [, l] of listeners) expect(l.Properties.LoadBalancerArn).toEqual({ Ref: expect.stringMatching(/^NlbLoadBalancer/) });
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('shared network load balancer'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 1883 }),
        Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 5672 }),
      ],
    });
  });

  test('fails when two services claim one port', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const shared = new SharedNetworkLoadBalancer(stack, 'Nlb', { environment });
    new NetworkService(stack, 'Mqtt', { environment, image: IMAGE, sharedLoadBalancer: shared, listenerPort: 1883 });
    expectError(ErrorCode.LISTENER, () => new NetworkService(stack, 'Other', { environment, image: IMAGE, sharedLoadBalancer: shared, listenerPort: 1883 }));
  });

  test('fails with a scheme on the service instead of the shared load balancer', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const shared = new SharedNetworkLoadBalancer(stack, 'Nlb', { environment });
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new NetworkService(stack, 'Mqtt', {
      environment, image: IMAGE, sharedLoadBalancer: shared, internetFacing: true,
    }));
  });
});

describe('NetworkService: more options', () => {
  test('fails when test traffic is asked for without a test listener port on an NLB service', () => {
    const stack = testStack();
    expectError(ErrorCode.DEPLOYMENT, () => new NetworkService(stack, 'Nlb', {
      environment: productionEnvironment(stack), image: IMAGE, deployment: Deployment.blueGreen({ testTraffic: TestTraffic.testListener() }),
    }));
  });

  test('a network service scales on memory', () => {
    const stack = testStack();
    new NetworkService(stack, 'Nlb', { environment: productionEnvironment(stack), image: IMAGE, scaling: { minCapacity: 2, maxCapacity: 4, targets: [Scaling.memory(70)] } });
    template(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilizationHighResolution' }, TargetValue: 70,
      }),
    });
  });
});

describe('NetworkService: the containers its listeners reach', () => {
  const stunnel = { name: 'tls', image: Image.fromRegistry('public.ecr.aws/my-org/stunnel:5'), portMappings: [{ containerPort: 8883 }] };

  test('a sidecar in front of the app: the target group, registration, health check and inbound rules use its port', () => {
    const { stack } = nlb(() => ({ sidecars: [stunnel], targetContainer: 'tls', listenerPort: 8883 }));
    const t = template(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8883, HealthCheckPort: '8883' });
    t.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'tls', ContainerPort: 8883 })] });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8883, ToPort: 8883, SourceSecurityGroupId: Match.anyValue() });
  });

  test('additional listeners: each its own listener, target group and health check; the app maps its ports, a sidecar its own', () => {
    const { stack, service } = nlb(scope => ({
      protocol: elbv2.Protocol.TCP,
      listenerPort: 1883,
      containerPort: 1883,
      certificate: certificate(scope),
      sidecars: [stunnel],
      additionalListeners: [
        { port: 8883, protocol: elbv2.Protocol.TLS, targetPort: 1883 },
        { port: 9001, targetPort: 9001, healthCheckPort: 9002 },
        { port: 8884, targetContainer: 'tls' },
        { port: 5683, protocol: elbv2.Protocol.UDP },
      ],
    }));
    expect(service.additionalListeners).toHaveLength(4);
    expect(service.additionalTargetGroups).toHaveLength(4);
    const listeners = resources(stack, 'AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l.Properties).filter(l => !/^HTTP/.test(l.Protocol));
    expect(listeners.map(l => `${l.Protocol}/${l.Port}`)).toEqual(['TCP/1883', 'TLS/8883', 'TCP/9001', 'TCP/8884', 'UDP/5683']);
    // Only the TLS listener carries the certificate.
    expect(listeners.map(l => l.Certificates !== undefined)).toEqual([false, true, false, false, false]);
    const groups = resources(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([, g]) => g.Properties).filter(g => !/^HTTP/.test(g.Protocol));
    expect(groups.map(g => `${g.Protocol}/${g.Port}/${g.HealthCheckPort}`)).toEqual(['TCP/1883/1883', 'TCP/1883/1883', 'TCP/9001/9002', 'TCP/8883/8883', 'UDP/5683/5683']);
    const [, service2] = resources(stack, 'AWS::ECS::Service')[0];
    expect(service2.Properties.LoadBalancers.map((l: any) => `${l.ContainerName}:${l.ContainerPort}`)).toEqual(['app:1883', 'app:1883', 'app:9001', 'tls:8883', 'app:5683']);
    const app = resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0];
    expect(app.PortMappings.map((m: any) => `${m.ContainerPort}/${m.Protocol}`)).toEqual(['1883/tcp', '9001/tcp', '5683/udp']);
    // Clients reach each listener port; the tasks admit the load balancer on each target and health port, and UDP clients directly.
    for (const port of [1883, 8883, 9001, 8884]) {
      template(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
        SecurityGroupIngress: Match.arrayWith([Match.objectLike({ IpProtocol: 'tcp', FromPort: port, ToPort: port })]),
      });
    }
    for (const port of [9001, 9002, 8883]) template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: port });
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Mqtt'),
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ IpProtocol: 'udp', FromPort: 5683, ToPort: 5683, Description: 'Clients through the network load balancer' })]),
    });
    const unhealthy = resources(stack, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties).find(a => JSON.stringify(a).includes('UnHealthyHostCount'));
    expect(JSON.stringify(unhealthy.Metrics)).toContain('FILL(u0, 0) + FILL(u1, 0) + FILL(u2, 0) + FILL(u3, 0) + FILL(u4, 0)');
  });

  test('a TCP and a UDP listener on one port are refused with the TCP_UDP fix; one TCP_UDP listener there is taken', () => {
    expect(() => nlb(() => ({ additionalListeners: [{ port: 53, protocol: elbv2.Protocol.TCP }, { port: 53, protocol: elbv2.Protocol.UDP }] })))
      .toThrow(/additionalListeners\[1\]\.port 53 \(UDP\) is already a listener of the service \(TCP\).*protocol TCP_UDP/);
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const shared = new SharedNetworkLoadBalancer(stack, 'Nlb', { environment });
    new NetworkService(stack, 'Dns', { environment, image: IMAGE, sharedLoadBalancer: shared, listenerPort: 53, protocol: elbv2.Protocol.TCP_UDP, containerPort: 5353 });
    expect(() => new NetworkService(stack, 'Other', { environment, image: IMAGE, sharedLoadBalancer: shared, listenerPort: 53, protocol: elbv2.Protocol.UDP }))
      .toThrow(/port 53 of the shared network load balancer is already used by .*Dns \(TCP_UDP\)/);
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 53, Protocol: 'TCP_UDP' });
  });

  test('additional listeners on a shared network load balancer claim their ports', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const shared = new SharedNetworkLoadBalancer(stack, 'Nlb', { environment });
    new NetworkService(stack, 'A', { environment, image: IMAGE, sharedLoadBalancer: shared, listenerPort: 1883, additionalListeners: [{ port: 9001 }] });
    expectError(ErrorCode.LISTENER, () => new NetworkService(stack, 'B', { environment, image: IMAGE, sharedLoadBalancer: shared, listenerPort: 9001 }));
  });

  test.each([
    ['a listener on the main listener\'s port', ErrorCode.LISTENER, () => ({ listenerPort: 1883, additionalListeners: [{ port: 1883 }] })],
    ['two listeners on one port, one of them TCP_UDP', ErrorCode.LISTENER, () => ({
      additionalListeners: [{ port: 53, protocol: elbv2.Protocol.TCP_UDP }, { port: 53, protocol: elbv2.Protocol.UDP }],
    })],
    ['a TCP and a UDP listener on one port (ELB: one TCP_UDP listener)', ErrorCode.LISTENER, () => ({
      additionalListeners: [{ port: 53, protocol: elbv2.Protocol.TCP }, { port: 53, protocol: elbv2.Protocol.UDP }],
    })],
    ['a TLS listener without a certificate', ErrorCode.LISTENER, () => ({ additionalListeners: [{ port: 443, protocol: elbv2.Protocol.TLS }] })],
    ['five additional listeners', ErrorCode.LISTENER, () => ({ additionalListeners: [1, 2, 3, 4, 5].map(n => ({ port: 9000 + n })) })],
    ['a blue/green deployment', ErrorCode.DEPLOYMENT, () => ({ deployment: Deployment.blueGreen(), additionalListeners: [{ port: 9001 }] })],
    ['a sidecar the task lacks', ErrorCode.CONTAINERS, () => ({ targetContainer: 'tls' })],
    ['a sidecar without a UDP port for a UDP listener', ErrorCode.CONTAINERS, () => ({
      sidecars: [stunnel], additionalListeners: [{ port: 5683, protocol: elbv2.Protocol.UDP, targetContainer: 'tls' }],
    })],
  ])('fails at synth with %s', (_name, code, props) => {
    expectError(code, () => nlb(props as any));
  });
});

describe('NetworkService on EC2 instances: bridge and host mode', () => {
  function onInstances(props: Partial<NetworkServiceProps>, twoStacks = false) {
    const { stack, environment, instances } = ec2Environment();
    const serviceStack = twoStacks ? new Stack(stack.node.scope as App, 'Services') : stack;
    const service = new NetworkService(serviceStack, 'Mqtt', { environment, image: IMAGE, capacity: Capacity.ec2(instances), ...props });
    return { stack, serviceStack, service, instances };
  }

  test('bridge: instance targets checked on the traffic port, the instances admit the load balancer on the ephemeral range', () => {
    const { stack } = onInstances({ networkMode: ecs.NetworkMode.BRIDGE, containerPort: 1883 });
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'bridge',
      ContainerDefinitions: [Match.objectLike({ PortMappings: [{ ContainerPort: 1883, HostPort: 0, Name: 'listener', Protocol: 'tcp' }] })],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'instance', Port: 1883, HealthCheckProtocol: 'TCP', HealthCheckPort: Match.absent(),
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InstancesSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MqttLoadBalancerSecurityGroup'), 'GroupId'] },
      FromPort: 32768,
      ToPort: 65535,
      IpProtocol: 'tcp',
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MqttLoadBalancerSecurityGroup'), 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InstancesSecurityGroup'), 'GroupId'] },
      FromPort: 32768,
      ToPort: 65535,
    });
    expect(resources(stack, 'AWS::EC2::SecurityGroup').some(([id]) => id === 'MqttSecurityGroup')).toBe(false);
  });

  test('host: the container port and a separate health port on the instances; UDP clients admitted', () => {
    const { stack } = onInstances({ networkMode: ecs.NetworkMode.HOST, protocol: elbv2.Protocol.UDP, containerPort: 5683, healthCheckPort: 8080 });
    const t = template(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance', Protocol: 'UDP', HealthCheckPort: '8080' });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InstancesSecurityGroup'), 'GroupId'] },
      FromPort: 8080,
      ToPort: 8080,
      IpProtocol: 'tcp',
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MqttLoadBalancerSecurityGroup'), 'GroupId'] },
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InstancesSecurityGroup'), 'GroupId'] },
      FromPort: 5683,
      ToPort: 5683,
      IpProtocol: 'udp',
      CidrIp: Match.anyValue(),
    });
  });

  test('bridge with the service in a stack of its own synthesizes without a reference back to it', () => {
    const { stack, serviceStack } = onInstances({ networkMode: ecs.NetworkMode.BRIDGE }, true);
    expect(() => App.of(stack)!.synth()).not.toThrow();
    expect(JSON.stringify(template(stack).toJSON())).not.toContain('Fn::ImportValue');
    expect(resources(serviceStack, 'AWS::EC2::SecurityGroupIngress').length).toBeGreaterThan(0);
  });

  test.each([
    ['a UDP listener', { protocol: elbv2.Protocol.UDP }],
    ['a separate health check port', { healthCheckPort: 9000 }],
  ])('fails in bridge mode with %s', (_name, props) => {
    expectError(ErrorCode.PLATFORM, () => onInstances({ networkMode: ecs.NetworkMode.BRIDGE, ...props }));
  });

  test('fails in bridge mode on Fargate, and in nat mode', () => {
    expectError(ErrorCode.PLATFORM, () => nlb(() => ({ networkMode: ecs.NetworkMode.BRIDGE })));
    expectError(ErrorCode.PLATFORM, () => onInstances({ networkMode: ecs.NetworkMode.NAT }));
  });
});
