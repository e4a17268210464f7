import { Duration, aws_ecs as ecs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Capacity, DaemonService, Image, JobSchedule, ScheduledJob } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, productionEnvironment, template, testStack, webService } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');

describe('fault injection (AWS::ECS::TaskDefinition EnableFaultInjection)', () => {
  test('is off by default: the task definition holds no EnableFaultInjection', () => {
    const { stack } = webService();
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { EnableFaultInjection: Match.absent() });
  });

  test('enableFaultInjection on a Fargate (awsvpc) web service renders EnableFaultInjection: true', () => {
    const { stack } = webService({ enableFaultInjection: true });
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { EnableFaultInjection: true, NetworkMode: 'awsvpc' });
  });

  test('enableFaultInjection false writes nothing (ECS\'s default)', () => {
    const { stack } = webService({ enableFaultInjection: false });
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { EnableFaultInjection: Match.absent() });
  });

  test('host mode on EC2 passes (a daemon collecting on every instance), and so does a scheduled job', () => {
    const { stack, environment, instances } = ec2Environment();
    new DaemonService(stack, 'Agent', {
      environment, image: IMAGE, capacity: Capacity.ec2(instances), networkMode: ecs.NetworkMode.HOST, enableFaultInjection: true,
    });
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { EnableFaultInjection: true, NetworkMode: 'host' });
    const jobStack = testStack();
    new ScheduledJob(jobStack, 'Job', {
      environment: productionEnvironment(jobStack), image: IMAGE, schedule: JobSchedule.rate(Duration.hours(1)), enableFaultInjection: true,
    });
    template(jobStack).hasResourceProperties('AWS::ECS::TaskDefinition', { EnableFaultInjection: true });
  });

  test('fails when enableFaultInjection is true in bridge mode (PLATFORM), naming the mode and the fix', () => {
    const { stack, environment, instances } = ec2Environment();
    expect(() => new DaemonService(stack, 'Agent', { environment, image: IMAGE, capacity: Capacity.ec2(instances), enableFaultInjection: true }))
      .toThrow(/^\[cdk-shipyard:PLATFORM\] Test\/Agent: enableFaultInjection is true, and the network mode is "bridge"[\s\S]*set networkMode to AWS_VPC or HOST/);
  });

  test('fails when enableFaultInjection is true for a Windows task (PLATFORM)', () => {
    expectError(ErrorCode.PLATFORM, () => webService({
      enableFaultInjection: true,
      operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
      cpu: 1024,
      memoryLimitMiB: 2048,
      image: Image.fromRegistry('mcr.microsoft.com/dotnet/samples:aspnetapp'),
    }));
  });
});
