import { Duration, aws_cloudwatch as cloudwatch, aws_ecs as ecs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { BackendService, BackgroundService, BackgroundServiceProps, Capacity, Image, Scaling } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, productionEnvironment, resources, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/poller:1.0.0');

function background(props: Partial<BackgroundServiceProps> = {}) {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  const service = new BackgroundService(stack, 'Poller', { environment, image: IMAGE, ...props });
  return { stack, environment, service };
}

describe('BackgroundService', () => {
  test('a service with no port and no queue: no load balancer, no port mapping, a group without inbound rules', () => {
    const { stack } = background();
    const t = template(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 0);
    t.resourceCountIs('AWS::SQS::Queue', 0);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Name: 'app', PortMappings: Match.absent(), ReadonlyRootFilesystem: true, User: '1000:1000' })],
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Poller: a background service; no inbound traffic'),
      SecurityGroupIngress: Match.absent(),
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 2,
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
      ServiceConnectConfiguration: Match.absent(),
      LoadBalancers: Match.absent(),
    });
    // Missing tasks, CPU, memory and unexpected stops: one alarm over 5 minutes (no load balancer: no Failing alarm).
    expect(resources(stack, 'AWS::CloudWatch::Alarm').map(([id]) => id)).toEqual([expect.stringMatching(/^PollerAlarmsDegraded/)]);
  });

  test('scales on CPU by default and on any metric, and leaves DesiredCount out when it scales', () => {
    const lag = new cloudwatch.Metric({ namespace: 'App', metricName: 'ConsumerLag', statistic: 'Maximum', period: Duration.minutes(1) });
    const targets = [Scaling.cpu(60), Scaling.customMetric(lag, 1000)];
    const { stack, service } = background({ scaling: { minCapacity: 1, maxCapacity: 6, targets } });
    expect(service.scalableTaskCount).toBeDefined();
    const t = template(stack);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 6 });
    t.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2);
    t.hasResourceProperties('AWS::ECS::Service', { DesiredCount: Match.absent() });
  });

  test('calls a backend over Service Connect, which admits it', () => {
    const { stack, environment, service } = background();
    const orders = new BackendService(stack, 'Orders', { environment, image: IMAGE });
    service.connectTo(orders);
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      ServiceConnectConfiguration: Match.objectLike({ Enabled: true, Services: Match.absent() }),
      TaskDefinition: { Ref: Match.stringLikeRegexp('^PollerTaskDefinition') },
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PollerSecurityGroup'), 'GroupId'] },
      FromPort: 8080,
    });
  });

  test('runs on EC2 in bridge mode in its instances\' groups', () => {
    const { stack, environment, instances } = ec2Environment();
    const service = new BackgroundService(stack, 'Poller', { environment, image: IMAGE, capacity: Capacity.ec2(instances), networkMode: ecs.NetworkMode.BRIDGE });
    expect(service.connections.securityGroups).toEqual([instances.securityGroup]);
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: 'bridge' });
  });

  test('fails at synth with bad input like every workload', () => {
    expectError(ErrorCode.FARGATE_TASK_SIZE, () => background({ cpu: 300 }));
    expectError(ErrorCode.SCALING_BOUNDS, () => background({ scaling: { minCapacity: 5, maxCapacity: 2 } }));
  });
});
