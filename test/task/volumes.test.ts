import {
  Duration, Stack, aws_ec2 as ec2, aws_ecs as ecs, aws_efs as efs, aws_elasticloadbalancingv2 as elbv2, aws_iam as iam, aws_kms as kms,
} from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  Capacity, DaemonService, Deployment, Image, JobSchedule, ScheduledJob, SharedFileSystem, SharedIngress, Volume, WebService, WebServiceProps,
  WorkerService,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, expectValidationError, productionEnvironment, resources, template, testStack, warningIds } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27');

function setup(props: (fs: SharedFileSystem) => Partial<WebServiceProps>): { stack: Stack; files: SharedFileSystem; service: WebService } {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  const files = new SharedFileSystem(stack, 'Files', { environment });
  const service = new WebService(stack, 'Web', { image: IMAGE, environment, ...props(files) });
  return { stack, files, service };
}

function appContainer(stack: Stack): any {
  return resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0];
}

describe('SharedFileSystem', () => {
  test('a workload that mounts it gets no aws-cdk-lib warning it cannot act on (the egress half of the NFS rule)', () => {
    const { stack } = setup(files => ({ volumes: [Volume.efs('data', files.fileSystem, { containerPath: '/data' })] }));
    expect(warningIds(stack).filter(w => w.includes('ipv4IgnoreEgressRule'))).toEqual([]);
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 2049, ToPort: 2049, IpProtocol: 'tcp' });
  });

  test('is encrypted, retained, TLS-only and in a daily backup plan kept 35 days', () => {
    const { stack } = setup(() => ({}));
    const t = template(stack);
    t.hasResource('AWS::EFS::FileSystem', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        Encrypted: true,
        ThroughputMode: 'elastic',
        FileSystemPolicy: Match.objectLike({
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        }),
      }),
    });
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 5 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } })] },
    });
    const selection = resources(stack, 'AWS::Backup::BackupSelection')[0][1];
    expect(JSON.stringify(selection.Properties.BackupSelection.Resources)).toContain('FilesFileSystem');
    t.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
  });

  test('fails with a backup retention of 0 days', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    expectError(ErrorCode.VOLUME, () => new SharedFileSystem(stack, 'Files', { environment, backupRetention: Duration.hours(1) }));
  });
});

describe('Volume.efs', () => {
  test('mounts through its own access point with transit encryption and IAM authorization', () => {
    const { stack } = setup(files => ({ volumes: [Volume.efs('data', files.fileSystem, { containerPath: '/data' })] }));
    const t = template(stack);
    t.hasResourceProperties('AWS::EFS::AccessPoint', {
      PosixUser: { Uid: '1000', Gid: '1000' },
      RootDirectory: { Path: '/data', CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '750' } },
    });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: Match.arrayWith([{
        Name: 'data',
        EFSVolumeConfiguration: {
          FilesystemId: Match.anyValue(),
          TransitEncryption: 'ENABLED',
          AuthorizationConfig: { AccessPointId: Match.anyValue(), IAM: 'ENABLED' },
        },
      }]),
    });
    expect(appContainer(stack).MountPoints).toContainEqual({ ContainerPath: '/data', ReadOnly: false, SourceVolume: 'data' });
  });

  test('the task role may mount and write through the access point only', () => {
    const { stack } = setup(files => ({ volumes: [Volume.efs('data', files.fileSystem, { containerPath: '/data' })] }));
    template(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FilesFileSystem'), 'Arn'] },
          Condition: { StringEquals: { 'elasticfilesystem:AccessPointArn': Match.anyValue() } },
        }]),
      },
    });
  });

  test('a read-only mount grants ClientMount only', () => {
    const { stack } = setup(files => ({ volumes: [Volume.efs('data', files.fileSystem, { containerPath: '/data', readOnly: true })] }));
    const statements = resources(stack, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements.filter(s => JSON.stringify(s.Action).includes('elasticfilesystem'))).toEqual([expect.objectContaining({ Action: 'elasticfilesystem:ClientMount' })]);
    expect(appContainer(stack).MountPoints).toContainEqual({ ContainerPath: '/data', ReadOnly: true, SourceVolume: 'data' });
  });

  test('the file system admits NFS from the mounting service only', () => {
    const { stack } = setup(files => ({ volumes: [Volume.efs('data', files.fileSystem, { containerPath: '/data' })] }));
    const ingress = resources(stack, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => r.Properties.FromPort === 2049);
    expect(ingress).toHaveLength(1);
    expect(ingress[0][1].Properties).toMatchObject({
      GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^FilesFileSystemEfsSecurityGroup/), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^WebSecurityGroup/), 'GroupId'] },
      ToPort: 2049,
    });
  });

  test('works with an imported file system', () => {
    const { stack } = setup(() => ({}));
    const imported = efs.FileSystem.fromFileSystemAttributes(stack, 'Imported', {
      fileSystemId: 'fs-12345678',
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'ImportedSg', 'sg-12345678'),
    });
    new WebService(stack, 'Other', {
      image: IMAGE,
      environment: (stack.node.findChild('Env') as any),
      routing: { pathPatterns: ['/other/*'] },
      volumes: [Volume.efs('shared', imported, { containerPath: '/shared', accessPoint: { uid: 2000, gid: 2000, path: '/teams/a' } })],
    });
    template(stack).hasResourceProperties('AWS::EFS::AccessPoint', { FileSystemId: 'fs-12345678', PosixUser: { Uid: '2000', Gid: '2000' } });
  });

  test.each([
    ['a uid above 4294967295', { uid: 4294967296 }],
    ['a negative gid', { gid: -1 }],
    ['a relative path', { path: 'data' }],
  ])('fails with %s', (_name, accessPoint) => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const files = new SharedFileSystem(stack, 'Files', { environment });
    expectError(ErrorCode.VOLUME, () => new WebService(stack, 'Web', {
      image: IMAGE, environment, volumes: [Volume.efs('data', files.fileSystem, { containerPath: '/data', accessPoint })],
    }));
  });

  test('fails at synth when an escape-hatch EFS volume skips transit encryption or IAM', () => {
    const { stack, service } = setup(() => ({}));
    service.taskDefinition.addVolume({ name: 'raw', efsVolumeConfiguration: { fileSystemId: 'fs-1' } });
    expectValidationError(stack, ErrorCode.VOLUME, /"raw" does not encrypt data in transit/);
  });
});

describe('Volume.scratch', () => {
  test('is shared between the containers that mount it', () => {
    const { stack } = setup(() => ({
      initContainers: [{ name: 'fetch', image: IMAGE }],
      volumes: [Volume.scratch('assets', { containerPath: '/assets', containers: ['fetch', 'app'] })],
    }));
    const defs = resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties;
    expect(defs.Volumes).toContainEqual({ Name: 'assets' });
    expect(defs.ContainerDefinitions.map((c: any) => c.Name).sort()).toEqual(['app', 'fetch']);
    for (const c of defs.ContainerDefinitions) {
      expect(c.MountPoints).toContainEqual({ ContainerPath: '/assets', ReadOnly: false, SourceVolume: 'assets' });
    }
  });

  test('fails when mounted into a container the task does not have', () => {
    expectError(ErrorCode.VOLUME, () => setup(() => ({ volumes: [Volume.scratch('assets', { containerPath: '/assets', containers: ['nginx'] })] })));
  });

  test('fails with a relative container path', () => {
    expectError(ErrorCode.VOLUME, () => setup(() => ({ volumes: [Volume.scratch('assets', { containerPath: 'assets' })] })));
  });

});

describe('host and Docker volumes on instances', () => {
  test('a daemon agent reads the host\'s logs read-only, and keeps its state in a shared Docker volume', () => {
    const { stack, environment, instances } = ec2Environment();
    new DaemonService(stack, 'LogAgent', {
      environment,
      image: IMAGE,
      capacity: Capacity.ec2(instances),
      volumes: [
        Volume.host('host-logs', { sourcePath: '/var/log', containerPath: '/host/var/log', readOnly: true }),
        Volume.docker('agent-state', { containerPath: '/state', scope: ecs.Scope.SHARED, driverOptions: { type: 'tmpfs', device: 'tmpfs' } }),
      ],
    });
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect(task.Properties.Volumes).toEqual(expect.arrayContaining([
      { Name: 'host-logs', Host: { SourcePath: '/var/log' } },
      {
        Name: 'agent-state',
        DockerVolumeConfiguration: { Driver: 'local', Scope: 'shared', Autoprovision: true, DriverOpts: { type: 'tmpfs', device: 'tmpfs' } },
      },
    ]));
    expect(task.Properties.ContainerDefinitions[0].MountPoints).toEqual(expect.arrayContaining([
      { ContainerPath: '/host/var/log', ReadOnly: true, SourceVolume: 'host-logs' },
      { ContainerPath: '/state', ReadOnly: false, SourceVolume: 'agent-state' },
    ]));
  });

  test('a task-scoped Docker volume is not autoprovisioned', () => {
    const { stack, environment, instances } = ec2Environment();
    new WebService(stack, 'Web', { environment, image: IMAGE, capacity: Capacity.ec2(instances), volumes: [Volume.docker('scratch', { containerPath: '/work' })] });
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect(task.Properties.Volumes).toContainEqual({ Name: 'scratch', DockerVolumeConfiguration: { Driver: 'local', Scope: 'task' } });
  });

  test.each([
    ['a host volume on Fargate', () => Volume.host('logs', { sourcePath: '/var/log', containerPath: '/logs' })],
    ['a Docker volume on Fargate', () => Volume.docker('data', { containerPath: '/data' })],
  ])('fails at synth with %s', (_name, volume) => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    expectError(ErrorCode.VOLUME, () => new WebService(stack, 'Web', { environment, image: IMAGE, volumes: [volume()] }));
  });

  test('fails at synth with a relative host path', () => {
    const { stack, environment, instances } = ec2Environment();
    expectError(ErrorCode.VOLUME, () => new WebService(stack, 'Web', {
      environment, image: IMAGE, capacity: Capacity.ec2(instances), volumes: [Volume.host('logs', { sourcePath: 'var/log', containerPath: '/logs' })],
    }));
  });
});

describe('Volume.ebs', () => {
  function ebsWeb(volume: Volume, props: Partial<WebServiceProps> = {}, stack: Stack = testStack()) {
    const environment = props.environment ?? productionEnvironment(stack);
    const service = new WebService(stack, 'Web', { image: IMAGE, ...props, environment, volumes: [volume] });
    return { stack, service };
  }

  test('ECS creates an encrypted gp3 volume per task at launch, mounted where asked, with a role of its own', () => {
    const { stack } = ebsWeb(Volume.ebs('data', { containerPath: '/data', sizeGiB: 50, throughputMiBps: 250 }));
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect(task.Properties.Volumes).toContainEqual({ Name: 'data', ConfiguredAtLaunch: true });
    expect(task.Properties.ContainerDefinitions[0].MountPoints).toContainEqual({ ContainerPath: '/data', ReadOnly: false, SourceVolume: 'data' });
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      VolumeConfigurations: [{
        Name: 'data',
        ManagedEBSVolume: {
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebVolumedataEBSRole'), 'Arn'] },
          Encrypted: true,
          VolumeType: 'gp3',
          SizeInGiB: 50,
          Throughput: 250,
          FilesystemType: 'xfs',
          TagSpecifications: [{ ResourceType: 'volume', PropagateTags: 'SERVICE' }],
        },
      }],
    });
    template(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] }),
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes']] }],
    });
  });

  test('a volume from a snapshot with a customer key: the infrastructure role may use the key', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    ebsWeb(Volume.ebs('data', { containerPath: '/data', snapshotId: 'snap-0123456789abcdef0', volumeInitializationRateMiBps: 200, kmsKey: key }), {}, stack);
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      VolumeConfigurations: [{
        Name: 'data',
        ManagedEBSVolume: Match.objectLike({
          SnapshotId: 'snap-0123456789abcdef0',
          VolumeInitializationRate: 200,
          KmsKeyId: { Ref: Match.stringLikeRegexp('^Key') },
          SizeInGiB: Match.absent(),
        }),
      }],
    });
    const statements = resources(stack, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext']) }));
  });

  test('a role of the team\'s own replaces the new one', () => {
    const stack = testStack();
    const role = iam.Role.fromRoleArn(stack, 'Infra', 'arn:aws:iam::123456789012:role/ecs-volumes');
    ebsWeb(Volume.ebs('data', { containerPath: '/data', sizeGiB: 20, infrastructureRole: role }), {}, stack);
    template(stack).hasResourceProperties('AWS::ECS::Service', {
      VolumeConfigurations: [{ Name: 'data', ManagedEBSVolume: Match.objectLike({ RoleArn: 'arn:aws:iam::123456789012:role/ecs-volumes' }) }],
    });
    expect(resources(stack, 'AWS::IAM::Role').some(([id]) => id.includes('EBSRole'))).toBe(false);
  });

  test.each([
    ['no size and no snapshot', () => Volume.ebs('data', { containerPath: '/data' })],
    ['a gp3 volume of 70,000 GiB', () => Volume.ebs('data', { containerPath: '/data', sizeGiB: 70000 })],
    ['throughput on gp2', () => Volume.ebs('data', { containerPath: '/data', sizeGiB: 10, volumeType: ec2.EbsDeviceVolumeType.GP2, throughputMiBps: 200 })],
    ['io2 without IOPS', () => Volume.ebs('data', { containerPath: '/data', sizeGiB: 10, volumeType: ec2.EbsDeviceVolumeType.IO2 })],
    ['a fractional size', () => Volume.ebs('data', { containerPath: '/data', sizeGiB: 10.5 })],
    ['an initialization rate without a snapshot', () => Volume.ebs('data', { containerPath: '/data', sizeGiB: 10, volumeInitializationRateMiBps: 200 })],
    ['gp3 IOPS over 500 per GiB (EBS: 10 GiB takes 5,000)', () => Volume.ebs('data', { containerPath: '/data', sizeGiB: 10, iops: 6000 })],
    ['gp3 throughput over 0.25 MiB/s per IOPS (3,000 IOPS take 750 MiB/s)', () => Volume.ebs('data', { containerPath: '/data', sizeGiB: 100, throughputMiBps: 1000 })],
    ['io1 IOPS over 50 per GiB', () => Volume.ebs('data', { containerPath: '/data', sizeGiB: 10, volumeType: ec2.EbsDeviceVolumeType.IO1, iops: 600 })],
    ['io2 IOPS over 1,000 per GiB', () => Volume.ebs('data', { containerPath: '/data', sizeGiB: 10, volumeType: ec2.EbsDeviceVolumeType.IO2, iops: 10100 })],
  ])('fails at synth with %s', (_name, volume) => {
    expectError(ErrorCode.VOLUME, () => ebsWeb(volume()));
  });

  test.each([
    ['gp3 at 500 IOPS per GiB and 0.25 MiB/s per IOPS', { sizeGiB: 10, iops: 5000, throughputMiBps: 1250 }],
    ['gp3 of 1 GiB at its 3,000 IOPS baseline and 125 MiB/s', { sizeGiB: 1, iops: 3000, throughputMiBps: 125 }],
    ['gp3 at 750 MiB/s on the default 3,000 IOPS', { sizeGiB: 100, throughputMiBps: 750 }],
    ['io1 at 50 IOPS per GiB', { sizeGiB: 10, volumeType: ec2.EbsDeviceVolumeType.IO1, iops: 500 }],
    ['io2 at 1,000 IOPS per GiB', { sizeGiB: 10, volumeType: ec2.EbsDeviceVolumeType.IO2, iops: 10000 }],
    ['a snapshot of unknown size with IOPS', { snapshotId: 'snap-0123456789abcdef0', iops: 16000 }],
  ])('takes %s (the EBS ratios at their bounds)', (_name, options) => {
    const { stack } = ebsWeb(Volume.ebs('data', { containerPath: '/data', ...options }));
    expect(resources(stack, 'AWS::ECS::Service')).toHaveLength(1);
  });

  test('fails with two EBS volumes in one task', () => {
    expectError(ErrorCode.VOLUME, () => new WebService(testStack(), 'Web', {
      environment: productionEnvironment(testStack()),
      image: IMAGE,
      volumes: [Volume.ebs('a', { containerPath: '/a', sizeGiB: 10 }), Volume.ebs('b', { containerPath: '/b', sizeGiB: 10 })],
    }));
  });

  test('fails with CodeDeploy, which deploys task sets that take no volume', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const ingress = new SharedIngress(stack, 'Dedicated', {
      vpc: environment.vpc, production: false, protocol: elbv2.ApplicationProtocol.HTTP, vpcCidr: '10.0.0.0/16', testListener: { port: 8443 },
    });
    const volume = Volume.ebs('data', { containerPath: '/data', sizeGiB: 10 });
    expectError(ErrorCode.VOLUME, () => ebsWeb(volume, { environment, ingress, deployment: Deployment.codeDeploy() }, stack));
  });

  test('ECS-native blue/green keeps the volume', () => {
    const { stack } = ebsWeb(Volume.ebs('data', { containerPath: '/data', sizeGiB: 10 }), { deployment: Deployment.blueGreen() });
    template(stack).hasResourceProperties('AWS::ECS::Service', { VolumeConfigurations: [Match.objectLike({ Name: 'data' })] });
  });

  test('fails on jobs, which ECS starts without a service', () => {
    const stack = testStack();
    expectError(ErrorCode.VOLUME, () => new ScheduledJob(stack, 'Job', {
      environment: productionEnvironment(stack),
      image: IMAGE,
      schedule: JobSchedule.rate(Duration.hours(1)),
      volumes: [Volume.ebs('data', { containerPath: '/data', sizeGiB: 10 })],
    }));
  });

  test('a worker on EC2 instances gets its volume too', () => {
    const { stack, environment, instances } = ec2Environment();
    new WorkerService(stack, 'Worker', {
      environment, image: IMAGE, capacity: Capacity.ec2(instances), volumes: [Volume.ebs('data', { containerPath: '/data', sizeGiB: 100 })],
    });
    template(stack).hasResourceProperties('AWS::ECS::Service', { VolumeConfigurations: [Match.objectLike({ Name: 'data' })] });
  });
});
