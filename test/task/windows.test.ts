import { aws_ecs as ecs, aws_efs as efs } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  AutoScalingCapacity, BackendService, Capacity, Image, Logging, Tracing, Volume, WebService, WebServiceProps,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, hasWarning, productionEnvironment, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('mcr.microsoft.com/dotnet/samples:aspnetapp');
const WINDOWS = ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE;

function windowsWeb(props: Partial<WebServiceProps> = {}) {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  const web = new WebService(stack, 'Web', { environment, image: IMAGE, operatingSystemFamily: WINDOWS, cpu: 1024, memoryLimitMiB: 2048, ...props });
  return { stack, environment, web };
}

describe('Windows containers', () => {
  test('run on on-demand Fargate as X86_64 Windows Server, without the Linux baseline', () => {
    const { stack } = windowsWeb();
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' },
      Cpu: '1024',
      Memory: '2048',
      RequiresCompatibilities: ['FARGATE'],
      Volumes: Match.absent(),
      ContainerDefinitions: [Match.objectLike({
        Name: 'app',
        LinuxParameters: Match.absent(),
        User: Match.absent(),
        ReadonlyRootFilesystem: Match.absent(),
        Privileged: Match.absent(),
        MountPoints: Match.absent(),
      })],
    });
    expect(hasWarning(stack, 'cdk-shipyard:windows-baseline')).toBe(true);
  });

  test('a Linux task has no Windows warning', () => {
    const stack = testStack();
    new WebService(stack, 'Web', { environment: productionEnvironment(stack), image: IMAGE });
    expect(hasWarning(stack, 'cdk-shipyard:windows-baseline')).toBe(false);
  });

  test('fails on Fargate Spot, alone or in a mix', () => {
    expectError(ErrorCode.PLATFORM, () => windowsWeb({ capacity: Capacity.fargateSpot() }));
    expectError(ErrorCode.PLATFORM, () => windowsWeb({ capacity: Capacity.fargateSpotMix() }));
  });

  test('fails on ARM64', () => {
    expectError(ErrorCode.PLATFORM, () => windowsWeb({ cpuArchitecture: ecs.CpuArchitecture.ARM64 }));
  });

  test('fails with a CPU other than 1, 2 or 4 vCPU', () => {
    expectError(ErrorCode.FARGATE_TASK_SIZE, () => windowsWeb({ cpu: 512, memoryLimitMiB: 1024 }));
    expectError(ErrorCode.FARGATE_TASK_SIZE, () => windowsWeb({ cpu: 8192, memoryLimitMiB: 16384 }));
    expect(() => windowsWeb({ cpu: 4096, memoryLimitMiB: 8192 })).not.toThrow();
  });

  test('fails on EC2 capacity', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const instances = new AutoScalingCapacity(stack, 'Instances', { environment });
    expectError(ErrorCode.PLATFORM, () => new WebService(stack, 'Web', {
      environment, image: IMAGE, operatingSystemFamily: WINDOWS, cpu: 1024, memoryLimitMiB: 2048, capacity: Capacity.ec2(instances),
    }));
  });

  test('fails with Linux-only settings, FireLens or Service Connect', () => {
    expectError(ErrorCode.PLATFORM, () => windowsWeb({ containerSecurity: { user: 'ContainerUser' } }));
    expectError(ErrorCode.PLATFORM, () => windowsWeb({ linuxSettings: { dropCapabilities: [ecs.Capability.ALL] } }));
    expectError(ErrorCode.PLATFORM, () => windowsWeb({ tracing: Tracing.awsDistroForOpenTelemetry() }));
    expectError(ErrorCode.PLATFORM, () => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      const fileSystem = new efs.FileSystem(stack, 'Fs', { vpc: environment.vpc });
      return new WebService(stack, 'Web', {
        environment,
        image: IMAGE,
        operatingSystemFamily: WINDOWS,
        cpu: 1024,
        memoryLimitMiB: 2048,
        volumes: [Volume.efs('data', fileSystem, { containerPath: 'C:\\data' })],
      });
    });
    expectError(ErrorCode.LOGGING, () => windowsWeb({ logging: Logging.fireLens({}) }));
    const { stack, environment, web } = windowsWeb();
    expectError(ErrorCode.SERVICE_CONNECT, () => new BackendService(stack, 'Orders', {
      environment, image: IMAGE, operatingSystemFamily: WINDOWS, cpu: 1024, memoryLimitMiB: 2048,
    }));
    const orders = new BackendService(stack, 'Linux', { environment, image: Image.fromRegistry('x') });
    expectError(ErrorCode.SERVICE_CONNECT, () => web.connectTo(orders));
  });
});
