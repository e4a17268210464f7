import { aws_ecs as ecs, aws_vpclattice as vpclattice } from 'aws-cdk-lib';
import { BackendService, Capacity, Image, VpcLatticeTarget, WebService } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, policyStatements, productionEnvironment, resources, testStack } from '../fixtures';

const ARN = 'arn:aws:vpc-lattice:us-east-1:111111111111:targetgroup/tg-0123456789abcdef0';

function backend(vpcLattice: VpcLatticeTarget[], stack = testStack()) {
  const environment = productionEnvironment(stack);
  new BackendService(stack, 'Orders', { environment, image: Image.fromRegistry('orders'), containerPort: 8080, vpcLattice });
  return stack;
}

describe('VPC Lattice (vpcLattice: ECS registers the tasks as IP targets)', () => {
  test('off by default: no Lattice configuration and no role', () => {
    const stack = backend([]);
    expect(resources(stack, 'AWS::ECS::Service')[0][1].Properties.VpcLatticeConfigurations).toBeUndefined();
    expect(resources(stack, 'AWS::IAM::Role').filter(([id]) => id.includes('VpcLattice'))).toEqual([]);
  });

  test('registers the tasks on the main container\'s named port through a role ECS assumes, allowed these target groups only', () => {
    const stack = testStack();
    const group = new vpclattice.CfnTargetGroup(stack, 'Group', { type: 'IP', name: 'orders' });
    backend([{ targetGroupArn: ARN }, { targetGroupArn: group.attrArn }], stack);
    const [[roleId, role]] = resources(stack, 'AWS::IAM::Role').filter(([id]) => id.startsWith('OrdersVpcLatticeRole'));
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'ecs.amazonaws.com' });
    const [service] = resources(stack, 'AWS::ECS::Service');
    expect(service[1].Properties.VpcLatticeConfigurations).toEqual([
      { PortName: 'api', TargetGroupArn: ARN, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } },
      { PortName: 'api', TargetGroupArn: { 'Fn::GetAtt': ['Group', 'Arn'] }, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } },
    ]);
    expect(service[1].DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^OrdersVpcLatticeRole/)]));
    expect(policyStatements(stack, 'OrdersVpcLatticeRole')).toEqual([
      {
        Action: ['vpc-lattice:RegisterTargets', 'vpc-lattice:DeregisterTargets', 'vpc-lattice:GetTargetGroup', 'vpc-lattice:ListTargets'],
        Effect: 'Allow',
        Resource: [ARN, { 'Fn::GetAtt': ['Group', 'Arn'] }],
      },
      { Action: ['ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeInstances'], Effect: 'Allow', Resource: '*' },
    ]);
  });

  test('a web service registers on the port name it is given', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WebService(stack, 'Web', {
      environment,
      image: Image.fromRegistry('web'),
      vpcLattice: [{ targetGroupArn: ARN, portName: 'http' }],
    });
    expect(resources(stack, 'AWS::ECS::Service')[0][1].Properties.VpcLatticeConfigurations[0]).toMatchObject({ PortName: 'http' });
  });

  test('fails on a port name the task does not have, and on an ARN that is not a Lattice target group', () => {
    expect(() => backend([{ targetGroupArn: ARN, portName: 'grpc' }]))
      .toThrow(/^\[cdk-shipyard:CONFLICTING_OPTIONS\] Test\/Orders: vpcLattice\[0\]\.portName "grpc" names no port mapping of the task \(named: api\)/);
    expect(() => backend([{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/web/0123456789abcdef' }]))
      .toThrow(/vpcLattice\[0\]\.targetGroupArn .* is not a VPC Lattice target group ARN/);
  });

  test('fails outside awsvpc mode: Lattice reaches tasks by IP', () => {
    const { stack, environment, instances } = ec2Environment();
    expectError(ErrorCode.PLATFORM, () => new BackendService(stack, 'Orders', {
      environment,
      image: Image.fromRegistry('orders'),
      containerPort: 8080,
      capacity: Capacity.ec2(instances),
      networkMode: ecs.NetworkMode.BRIDGE,
      vpcLattice: [{ targetGroupArn: ARN }],
    }));
  });
});
