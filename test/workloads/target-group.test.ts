import { Duration, aws_elasticloadbalancingv2 as elbv2, aws_ecs as ecs, aws_route53 as route53 } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Capacity, Deployment, Environment, EnvironmentProfile, Image, WebService } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, resources, template, testStack, webService } from '../fixtures';

function targetGroup(stack: any): any {
  return resources(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup')[0][1].Properties;
}

function attributes(stack: any): Record<string, string> {
  return Object.fromEntries((targetGroup(stack).TargetGroupAttributes ?? []).map((a: any) => [a.Key, a.Value]));
}

describe('load balancing of a web service\'s target group', () => {
  test('by default: round robin over HTTP/1.1, no stickiness and no slow start', () => {
    const { stack } = webService();
    expect(attributes(stack)).toMatchObject({ 'stickiness.enabled': 'false' });
    expect(attributes(stack)['slow_start.duration_seconds']).toBeUndefined();
    expect(targetGroup(stack).ProtocolVersion).toBeUndefined();
  });

  test('stickiness on the load balancer\'s cookie (a day unless told), or on the application\'s', () => {
    expect(attributes(webService({ loadBalancing: { stickiness: {} } }).stack)).toMatchObject({
      'stickiness.enabled': 'true', 'stickiness.type': 'lb_cookie', 'stickiness.lb_cookie.duration_seconds': '86400',
    });
    expect(attributes(webService({ loadBalancing: { stickiness: { cookieName: 'SESSION', duration: Duration.hours(2) } } }).stack)).toMatchObject({
      'stickiness.enabled': 'true',
      'stickiness.type': 'app_cookie',
      'stickiness.app_cookie.cookie_name': 'SESSION',
      'stickiness.app_cookie.duration_seconds': '7200',
    });
  });

  test('slow start and the routing algorithm', () => {
    const { stack } = webService({
      loadBalancing: { slowStart: Duration.minutes(2), algorithm: elbv2.TargetGroupLoadBalancingAlgorithmType.LEAST_OUTSTANDING_REQUESTS },
    });
    expect(attributes(stack)).toMatchObject({ 'slow_start.duration_seconds': '120', 'load_balancing.algorithm.type': 'least_outstanding_requests' });
  });

  test('gRPC: the protocol version, the ALB\'s own health-check call and status code, and a grpc port mapping', () => {
    const { stack } = webService({ loadBalancing: { protocolVersion: elbv2.ApplicationProtocolVersion.GRPC } });
    expect(targetGroup(stack)).toMatchObject({ ProtocolVersion: 'GRPC', HealthCheckPath: '/AWS.ALB/healthcheck', Matcher: { GrpcCode: '12' } });
    const [, task] = resources(stack, 'AWS::ECS::TaskDefinition')[0];
    expect(task.Properties.ContainerDefinitions[0].PortMappings[0]).toMatchObject({ AppProtocol: 'grpc' });
    const own = webService({
      loadBalancing: { protocolVersion: elbv2.ApplicationProtocolVersion.GRPC },
      targetHealthCheck: { path: '/grpc.health.v1.Health/Check', healthyGrpcCodes: '0' },
    });
    expect(targetGroup(own.stack)).toMatchObject({ HealthCheckPath: '/grpc.health.v1.Health/Check', Matcher: { GrpcCode: '0' } });
  });

  test('HTTP/2 to the tasks, with an http2 port mapping', () => {
    const { stack } = webService({ loadBalancing: { protocolVersion: elbv2.ApplicationProtocolVersion.HTTP2 } });
    expect(targetGroup(stack)).toMatchObject({ ProtocolVersion: 'HTTP2', Matcher: { HttpCode: '200-399' } });
    const [, task] = resources(stack, 'AWS::ECS::TaskDefinition')[0];
    expect(task.Properties.ContainerDefinitions[0].PortMappings[0]).toMatchObject({ AppProtocol: 'http2' });
  });

  test.each([
    ['stickiness for 8 days', { stickiness: { duration: Duration.days(8) } }],
    ['stickiness on the load balancer\'s own cookie name', { stickiness: { cookieName: 'AWSALBAPP-0' } }],
    ['a cookie name with a space', { stickiness: { cookieName: 'my session' } }],
    ['a slow start of 10 s', { slowStart: Duration.seconds(10) }],
    ['a slow start of 20 minutes', { slowStart: Duration.minutes(20) }],
    ['slow start with weighted random', { slowStart: Duration.minutes(1), algorithm: elbv2.TargetGroupLoadBalancingAlgorithmType.WEIGHTED_RANDOM }],
  ])('fails at synth with %s', (_name, loadBalancing) => {
    expectError(ErrorCode.TARGET_GROUP, () => webService({ loadBalancing }));
  });

  test('fails at synth with HTTP/2 or gRPC behind a plain-HTTP listener', () => {
    for (const protocolVersion of [elbv2.ApplicationProtocolVersion.GRPC, elbv2.ApplicationProtocolVersion.HTTP2]) {
      const stack = testStack();
      const environment = new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
      expectError(ErrorCode.TARGET_GROUP, () => new WebService(stack, 'Web', {
        environment, image: Image.fromRegistry('nginx'), loadBalancing: { protocolVersion },
      }));
    }
  });
});

describe('the target health check', () => {
  test('a port of its own: the target group checks it and the task admits the load balancer on it', () => {
    const { stack } = webService({ targetHealthCheck: { port: 9090, path: '/healthz' } });
    expect(targetGroup(stack)).toMatchObject({ HealthCheckPort: '9090', HealthCheckPath: '/healthz', Port: 8080 });
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 9090,
      ToPort: 9090,
      Description: 'Health checks from the shared load balancer',
      SourceSecurityGroupId: Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^EnvIngressSecurityGroup'), 'GroupId'] }),
    });
  });

  test('the health-check grace period can be set', () => {
    const { stack } = webService({ healthCheckGracePeriod: Duration.minutes(3) });
    template(stack).hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 180 });
  });

  test.each([
    ['gRPC codes without gRPC', { healthyGrpcCodes: '0' }, {}],
    ['HTTP codes with gRPC', { healthyHttpCodes: '200' }, { protocolVersion: elbv2.ApplicationProtocolVersion.GRPC }],
    ['gRPC codes above 99', { healthyGrpcCodes: '0-100' }, { protocolVersion: elbv2.ApplicationProtocolVersion.GRPC }],
  ])('fails at synth with %s', (_name, targetHealthCheck, loadBalancing) => {
    expectError(ErrorCode.TARGET_HEALTH_CHECK, () => webService({ targetHealthCheck, loadBalancing }));
  });

  test('fails at synth with a health-check port on bridge tasks, or a port out of range', () => {
    const { stack, environment, instances } = ec2Environment();
    expectError(ErrorCode.TARGET_HEALTH_CHECK, () => new WebService(stack, 'Web', {
      environment,
      image: Image.fromRegistry('nginx'),
      capacity: Capacity.ec2(instances),
      networkMode: ecs.NetworkMode.BRIDGE,
      targetHealthCheck: { port: 9090 },
    }));
    expectError(ErrorCode.PORT_RANGE, () => webService({ targetHealthCheck: { port: 70000 } }));
    expectError(ErrorCode.TARGET_HEALTH_CHECK, () => webService({ healthCheckGracePeriod: Duration.seconds(2147483648) }));
  });
});

describe('the container traffic reaches', () => {
  const envoy = { name: 'envoy', image: Image.fromRegistry('public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.4.0-prod'), portMappings: [{ containerPort: 9901 }] };

  test('a sidecar in front of the app: the target group, the registration and the task\'s inbound rule use its port', () => {
    const { stack } = webService({ sidecars: [envoy], targetContainer: 'envoy' });
    expect(targetGroup(stack).Port).toBe(9901);
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [Match.objectLike({ ContainerName: 'envoy', ContainerPort: 9901 })],
    });
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 9901, ToPort: 9901 });
  });

  test.each([
    ['a container the task does not have', { sidecars: [envoy], targetContainer: 'proxy' }],
    ['a port the sidecar does not map', { sidecars: [envoy], targetContainer: 'envoy', targetPort: 8443 }],
    ['a target port for the app other than its container port', { targetPort: 9000 }],
  ])('fails at synth with %s', (_name, props) => {
    expectError(ErrorCode.CONTAINERS, () => webService(props));
  });
});

describe('additional routes', () => {
  const envoy = { name: 'envoy', image: Image.fromRegistry('public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.4.0-prod'), portMappings: [{ containerPort: 9901 }] };

  function rules(stack: any): any[] {
    return resources(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties);
  }

  test('each route: its own target group, rule and registration; the app maps the extra port, and the tasks admit the load balancer on it', () => {
    const { stack, service } = webService({
      routing: { pathPatterns: ['/api/*'] },
      additionalRoutes: [
        { routing: { pathPatterns: ['/admin/*'] }, targetPort: 9090, targetHealthCheck: { path: '/admin/health' } },
        { routing: { pathPatterns: ['/mesh/*'], httpMethods: ['GET'] }, targetContainer: 'envoy' },
      ],
      sidecars: [envoy],
    });
    const groups = resources(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([, r]) => r.Properties);
    expect(groups.map(g => g.Port)).toEqual([8080, 9090, 9901]);
    expect(groups.map(g => g.HealthCheckPath)).toEqual(['/', '/admin/health', '/']);
    expect(service.additionalTargetGroups).toHaveLength(2);
    expect(service.additionalListenerRules).toHaveLength(2);
    const conditions = rules(stack).map(r => JSON.stringify(r.Conditions));
    expect(conditions.filter(c => c.includes('/admin/*'))).toHaveLength(1);
    expect(conditions.filter(c => c.includes('/mesh/*') && c.includes('GET'))).toHaveLength(1);
    // Distinct priorities from the automatic scheme.
    const priorities = rules(stack).map(r => r.Priority);
    expect(new Set(priorities).size).toBe(3);
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [
        Match.objectLike({ ContainerName: 'app', ContainerPort: 8080 }),
        Match.objectLike({ ContainerName: 'app', ContainerPort: 9090 }),
        Match.objectLike({ ContainerName: 'envoy', ContainerPort: 9901 }),
      ],
    });
    const app = resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0];
    expect(app.PortMappings.map((m: any) => m.ContainerPort)).toEqual([8080, 9090]);
    for (const port of [8080, 9090, 9901]) template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: port, ToPort: port });
  });

  test('five target groups pass the 10 metrics of one alarm: Failing splits into a 5xx-rate and an unhealthy-target alarm, both rolling back', () => {
    const { stack } = webService({
      routing: { pathPatterns: ['/api/*'] },
      additionalRoutes: [1, 2, 3, 4].map(i => ({ routing: { pathPatterns: [`/r${i}/*`] }, targetPort: 9090 + i })),
    });
    const alarms = resources(stack, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const byName = Object.fromEntries(alarms.map(a => [String(a.AlarmName).split('-').pop(), a]));
    expect(Object.keys(byName).sort()).toEqual(['Degraded', 'Http5xxRate', 'UnhealthyTargets']);
    const metricsOf = (a: any) => a.Metrics.filter((m: any) => m.MetricStat).length;
    // 5 error and 5 request counts; 5 unhealthy counts; 5 latencies, desired, running, CPU, memory and stops: at the limit, one alarm.
    expect([metricsOf(byName.Http5xxRate), metricsOf(byName.UnhealthyTargets), metricsOf(byName.Degraded)]).toEqual([10, 5, 10]);
    expect(byName.Http5xxRate.Threshold).toBe(100);
    const service = resources(stack, 'AWS::ECS::Service')[0][1].Properties;
    expect(service.DeploymentConfiguration.Alarms.AlarmNames).toEqual([expect.stringMatching(/-Http5xxRate$/), expect.stringMatching(/-UnhealthyTargets$/)]);
  });

  test('the 5xx and unhealthy-target alarms sum every route\'s target group; latency takes the slowest', () => {
    const { stack } = webService({
      routing: { pathPatterns: ['/api/*'] },
      additionalRoutes: [{ routing: { pathPatterns: ['/admin/*'] }, targetPort: 9090 }, { routing: { pathPatterns: ['/b/*'] }, targetPort: 9091 }],
      dashboard: true,
    });
    const alarms = resources(stack, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const unhealthy = alarms.find(a => a.AlarmName?.endsWith?.('-UnhealthyTargets') || JSON.stringify(a).includes('UnHealthyHostCount'));
    expect(JSON.stringify(unhealthy.Metrics)).toContain('FILL(u0, 0) + FILL(u1, 0) + FILL(u2, 0)');
    const latency = alarms.find(a => JSON.stringify(a).includes('TargetResponseTime'));
    expect(JSON.stringify(latency.Metrics)).toContain('MAX([FILL(l0, 0), FILL(l1, 0), FILL(l2, 0)])');
    const body = resources(stack, 'AWS::CloudWatch::Dashboard').map(([, d]) => JSON.stringify(d.Properties.DashboardBody))
      .find(b => b.includes('Deployments in progress'))!;
    expect(body).toContain('RequestCount (route 3)');
    expect(body).not.toContain('(green)');
  });

  test('aliases of every route get records; a name given twice fails', () => {
    const zoned = (aliases: string[]) => (stack: any) => ({
      aliases, hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, `Zone${aliases[0]}`, { hostedZoneId: 'Z0000000000000000000', zoneName: 'example.com' }),
    });
    const stack = testStack();
    const { service } = webService({
      routing: zoned(['api.example.com'])(stack),
      additionalRoutes: [{ routing: zoned(['admin.example.com'])(stack), targetPort: 9090 }],
    }, stack);
    expect(service.aliasRecords).toHaveLength(2);
    expect(resources(stack, 'AWS::Route53::RecordSet').map(([, r]) => r.Properties.Name)).toEqual(['api.example.com.', 'admin.example.com.']);
    const other = testStack();
    expectError(ErrorCode.ROUTING_INVALID, () => webService({
      routing: zoned(['api.example.com'])(other),
      additionalRoutes: [{ routing: { ...zoned(['API.example.com'])(other), pathPatterns: ['/admin/*'] }, targetPort: 9090 }],
    }, other));
  });

  test.each([
    ['the same conditions as the main route', ErrorCode.ROUTING_COLLISION, { additionalRoutes: [{ routing: {}, targetPort: 9090 }] }],
    ['five additional routes', ErrorCode.ROUTING_INVALID, {
      additionalRoutes: [1, 2, 3, 4, 5].map(n => ({ routing: { pathPatterns: [`/r${n}/*`] }, targetPort: 9000 + n })),
    }],
    ['a blue/green deployment', ErrorCode.DEPLOYMENT, {
      deployment: Deployment.blueGreen(), additionalRoutes: [{ routing: { pathPatterns: ['/admin/*'] }, targetPort: 9090 }],
    }],
    ['a sidecar the task does not have', ErrorCode.CONTAINERS, { additionalRoutes: [{ routing: { pathPatterns: ['/a/*'] }, targetContainer: 'envoy' }] }],
    ['an app port out of range', ErrorCode.PORT_RANGE, { additionalRoutes: [{ routing: { pathPatterns: ['/a/*'] }, targetPort: 70000 }] }],
  ])('fails at synth with %s', (_name, code, props) => {
    expectError(code as ErrorCode, () => webService(props as any));
  });
});
