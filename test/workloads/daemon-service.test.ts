import { aws_ecs as ecs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Capacity, DaemonService, Image } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, expectValidationError, productionEnvironment, resources, template, testStack, ec2Environment } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');


describe('DaemonService', () => {
  test('one task per instance of the chosen capacity, in bridge mode, on the EC2 launch type', () => {
    const { stack, environment, instances } = ec2Environment();
    new DaemonService(stack, 'Agent', { environment, image: IMAGE, capacity: Capacity.ec2(instances) });
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      SchedulingStrategy: 'DAEMON',
      LaunchType: 'EC2',
      CapacityProviderStrategy: Match.absent(),
      DesiredCount: Match.absent(),
      PlacementStrategies: Match.absent(),
      PlacementConstraints: [{ Type: 'memberOf', Expression: `attribute:cdk-shipyard.capacity in [${instances.instanceAttributeValue}]` }],
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 50, MaximumPercent: 100, DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
    });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: 'bridge', RequiresCompatibilities: ['EC2'] });
    const [[guardId]] = resources(stack, 'Custom::ShipyardAutoScalingGroupDeletionGuard');
    t.hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith([guardId]) });
  });

  test('like every service, the daemon is created after and deleted before the task subnets\' routes, and its rendered template is checked', () => {
    const daemon = () => {
      const { stack, environment, instances } = ec2Environment();
      const agent = new DaemonService(stack, 'Agent', {
        environment, image: IMAGE, capacity: Capacity.ec2(instances), networkMode: ecs.NetworkMode.AWS_VPC,
      });
      return { stack, service: agent.service!.node.defaultChild as ecs.CfnService };
    };
    const plain = daemon();
    const [[, service]] = resources(plain.stack, 'AWS::ECS::Service');
    const routes = resources(plain.stack, 'AWS::EC2::Route').map(([id]) => id).filter(id => id.includes('Private'));
    expect(routes.length).toBeGreaterThan(0);
    expect(service.DependsOn).toEqual(expect.arrayContaining(routes));
    const overridden = daemon();
    overridden.service.addPropertyOverride('NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp', 'ENABLED');
    expectValidationError(overridden.stack, ErrorCode.NETWORK, /assignPublicIp is ENABLED on EC2 capacity/);
  });

  test('constraints of the capacity add to the attribute constraint; awsvpc daemons get a security group', () => {
    const { stack, environment, instances } = ec2Environment();
    const daemon = new DaemonService(stack, 'Agent', {
      environment,
      image: IMAGE,
      networkMode: ecs.NetworkMode.AWS_VPC,
      capacity: Capacity.ec2(instances, { placementConstraints: [ecs.PlacementConstraint.memberOf('attribute:ecs.instance-type =~ m7g.*')] }),
    });
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      PlacementConstraints: [Match.objectLike({ Type: 'memberOf' }), { Type: 'memberOf', Expression: 'attribute:ecs.instance-type =~ m7g.*' }],
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
    expect(daemon.connections.securityGroups).toHaveLength(1);
    expect(daemon.connections.securityGroups[0]).not.toBe(instances.securityGroup);
  });

  test('fails on Fargate capacity', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    expectError(ErrorCode.PLATFORM, () => new DaemonService(stack, 'Agent', { environment, image: IMAGE, capacity: Capacity.fargate() }));
  });

  test('fails when placement strategies are given', () => {
    const { stack, environment, instances } = ec2Environment();
    expectError(ErrorCode.PLATFORM, () => new DaemonService(stack, 'Agent', {
      environment, image: IMAGE, capacity: Capacity.ec2(instances, { placementStrategies: [ecs.PlacementStrategy.packedByCpu()] }),
    }));
  });
});
