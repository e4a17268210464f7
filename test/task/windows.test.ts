import { Stack, aws_ec2 as ec2, aws_ecs as ecs, aws_efs as efs, aws_secretsmanager as secretsmanager, aws_ssm as ssm } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  AutoScalingCapacity, BackendService, Capacity, DaemonService, FsxWindowsVolumeOptions, HostImage, Image, Logging, Tracing, Volume, WebService,
  WebServiceProps,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, hasWarning, productionEnvironment, resources, template, testStack } from '../fixtures';

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

describe('Windows on EC2', () => {
  function windowsInstances(props: Partial<ConstructorParameters<typeof AutoScalingCapacity>[2]> = {}) {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const instances = new AutoScalingCapacity(stack, 'Windows', { environment, hostImage: HostImage.WINDOWS_SERVER_2022, ...props });
    return { stack, environment, instances };
  }

  function renderedUserData(stack: Stack): string {
    const [[, lt]] = resources(stack, 'AWS::EC2::LaunchTemplate');
    return (lt.Properties.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1] as unknown[])
      .map(p => (typeof p === 'string' ? p : '<ref>')).join('');
  }

  test('Windows Server 2022 instances: x86_64 m7i.large, encrypted 50 GiB root, one PowerShell bootstrap with task roles and IMDS blocking', () => {
    const { stack, instances } = windowsInstances({ spot: true, agentConfiguration: { ECS_IMAGE_PULL_BEHAVIOR: 'prefer-cached' } });
    expect(instances.windows).toBe(true);
    expect(instances.cpuArchitecture).toBe(ecs.CpuArchitecture.X86_64);
    template(stack).hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        ImageId: { Ref: Match.stringLikeRegexp('WindowsServer2022EnglishFullECSOptimized') },
        BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: Match.objectLike({ Encrypted: true, VolumeSize: 50 }) }],
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      }),
    });
    template(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MixedInstancesPolicy: Match.objectLike({
        LaunchTemplate: Match.objectLike({ Overrides: [{ InstanceType: 'm7i.large' }, { InstanceType: 'm6i.large' }, { InstanceType: 'm5.large' }] }),
      }),
    });
    const script = renderedUserData(stack);
    expect(script.startsWith('<powershell>')).toBe(true);
    expect(script.endsWith('</powershell>')).toBe(true);
    expect(script.match(/Initialize-ECSAgent/g)).toHaveLength(1);
    expect(script).toContain("Initialize-ECSAgent -Cluster '<ref>' -EnableTaskIAMRole -EnableTaskENI -AwsvpcBlockIMDS -LoggingDrivers '[\"json-file\",\"awslogs\"]'");
    expect(script).toContain("[Environment]::SetEnvironmentVariable('ECS_ENABLE_SPOT_INSTANCE_DRAINING', 'true', 'Machine')");
    expect(script).toContain("[Environment]::SetEnvironmentVariable('ECS_IMAGE_PULL_BEHAVIOR', 'prefer-cached', 'Machine')");
    expect(script).toContain(`'{"cdk-shipyard.capacity":"${instances.instanceAttributeValue}"}'`);
    // The variables are set before the agent starts; aws-cdk-lib's own bootstrap lines are not there.
    expect(script.indexOf('ECS_INSTANCE_ATTRIBUTES')).toBeLessThan(script.indexOf('Initialize-ECSAgent'));
    expect(script).not.toContain('ECS_CLUSTER');
    expect(script).not.toContain('/etc/ecs');
  });

  test('a Windows web service on them: nat mode, instance targets, the instances open to the load balancer on 49152-65535', () => {
    const { stack, environment, instances } = windowsInstances();
    new WebService(stack, 'Web', {
      environment, image: IMAGE, operatingSystemFamily: WINDOWS, cpu: 1024, memoryLimitMiB: 2048, capacity: Capacity.ec2(instances),
    });
    const t = template(stack);
    // aws-cdk-lib leaves nat, Windows' default network mode, out of the template.
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: Match.absent(),
      RequiresCompatibilities: ['EC2'],
      RuntimePlatform: Match.absent(),
      ContainerDefinitions: [Match.objectLike({ Name: 'app', Cpu: 1024, Memory: 2048, User: Match.absent(), LinuxParameters: Match.absent() })],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance' });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 49152, ToPort: 65535, GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WindowsSecurityGroup'), 'GroupId'] },
    });
  });

  test('a daemon on Windows instances defaults to nat', () => {
    const { stack, environment, instances } = windowsInstances();
    const daemon = new DaemonService(stack, 'Agent', { environment, image: IMAGE, operatingSystemFamily: WINDOWS, capacity: Capacity.ec2(instances) });
    expect(daemon.taskDefinition.networkMode).toBe(ecs.NetworkMode.NAT);
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: Match.absent(), RequiresCompatibilities: ['EC2'] });
  });

  test('fails when a Linux task runs on Windows instances, or a Windows task in bridge mode', () => {
    const { stack, environment, instances } = windowsInstances();
    expectError(ErrorCode.PLATFORM, () => new WebService(stack, 'Linux', { environment, image: IMAGE, capacity: Capacity.ec2(instances) }));
    expectError(ErrorCode.PLATFORM, () => new WebService(stack, 'Bridge', {
      environment, image: IMAGE, operatingSystemFamily: WINDOWS, capacity: Capacity.ec2(instances), networkMode: ecs.NetworkMode.BRIDGE,
    }));
  });

  test('fails when Windows instances are Graviton or GPU, or mixed with Linux groups', () => {
    expectError(ErrorCode.CAPACITY_PROVIDER, () => windowsInstances({ instanceTypes: [new ec2.InstanceType('m7g.large')] }));
    expectError(ErrorCode.CAPACITY_PROVIDER, () => windowsInstances({ instanceTypes: [new ec2.InstanceType('g5.xlarge')], gpu: true }));
    const { stack, environment, instances } = windowsInstances();
    const linux = new AutoScalingCapacity(stack, 'Linux', { environment, spot: true, instanceTypes: [new ec2.InstanceType('m7i.large')] });
    expectError(ErrorCode.CAPACITY_STRATEGY, () => Capacity.ec2SpotMix(instances, linux)._bind(stack));
  });

  test('an FSx for Windows share: the volume, the credentials the execution role reads, and SMB from the instances', () => {
    const { stack, environment, instances } = windowsInstances();
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fsx-user-AbCdEf';
    const credentials = secretsmanager.Secret.fromSecretCompleteArn(stack, 'DomainUser', secretArn);
    const fsxGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'FsxGroup', 'sg-0123456789abcdef0');
    new WebService(stack, 'Web', {
      environment,
      image: IMAGE,
      operatingSystemFamily: WINDOWS,
      cpu: 1024,
      memoryLimitMiB: 2048,
      capacity: Capacity.ec2(instances),
      volumes: [
        Volume.fsxWindows('share', {
          fileSystemId: 'fs-0123456789abcdef0',
          rootDirectory: 'share',
          domain: 'corp.example.com',
          credentialsSecret: credentials,
          fileSystemSecurityGroup: fsxGroup,
          containerPath: 'C:\\data',
        }),
        Volume.ebs('scratch', { containerPath: 'D:\\scratch', sizeGiB: 30 }),
      ],
    });
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect(task.Properties.Volumes).toEqual([
      {
        Name: 'share',
        FSxWindowsFileServerVolumeConfiguration: {
          FileSystemId: 'fs-0123456789abcdef0',
          RootDirectory: 'share',
          AuthorizationConfig: { CredentialsParameter: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fsx-user-AbCdEf', Domain: 'corp.example.com' },
        },
      },
      { Name: 'scratch', ConfiguredAtLaunch: true },
    ]);
    expect(task.Properties.ContainerDefinitions[0].MountPoints).toEqual([
      { ContainerPath: 'C:\\data', ReadOnly: false, SourceVolume: 'share' },
      { ContainerPath: 'D:\\scratch', ReadOnly: false, SourceVolume: 'scratch' },
    ]);
    const execution = resources(stack, 'AWS::IAM::Policy').filter(([id]) => id.startsWith('WebTaskDefinitionExecutionRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(execution).toContainEqual(expect.objectContaining({
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fsx-user-AbCdEf',
    }));
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0123456789abcdef0',
      IpProtocol: 'tcp',
      FromPort: 445,
      ToPort: 445,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WindowsSecurityGroup'), 'GroupId'] },
    });
  });

  test('fails with an FSx share on Linux tasks or Fargate, without credentials, or with a Linux path', () => {
    const share = (props: Partial<FsxWindowsVolumeOptions> = {}) => Volume.fsxWindows('share', {
      fileSystemId: 'fs-0123456789abcdef0',
      rootDirectory: 'share',
      domain: 'corp.example.com',
      containerPath: 'C:\\data',
      credentialsParameter: ssm.StringParameter.fromStringParameterName(testStack(), 'P', 'fsx-user'),
      ...props,
    });
    const { stack, environment, instances } = windowsInstances();
    const windowsOnEc2 = {
      environment, image: IMAGE, operatingSystemFamily: WINDOWS, cpu: 1024, memoryLimitMiB: 2048, capacity: Capacity.ec2(instances),
    };
    expectError(ErrorCode.VOLUME, () => new WebService(stack, 'NoCredentials', { ...windowsOnEc2, volumes: [share({ credentialsParameter: undefined })] }));
    expectError(ErrorCode.VOLUME, () => new WebService(stack, 'LinuxPath', { ...windowsOnEc2, volumes: [share({ containerPath: '/data' })] }));
    expectError(ErrorCode.VOLUME, () => new WebService(stack, 'BadId', { ...windowsOnEc2, volumes: [share({ fileSystemId: 'share-1' })] }));
    expectError(ErrorCode.VOLUME, () => windowsWeb({ volumes: [share()] }));
    expectError(ErrorCode.VOLUME, () => new WebService(stack, 'Linux', { environment, image: IMAGE, volumes: [share({ containerPath: '/data' })] }));
    expectError(ErrorCode.VOLUME, () => windowsWeb({ volumes: [Volume.ebs('scratch', { containerPath: 'D:\\scratch', sizeGiB: 30 })] }));
  });
});
