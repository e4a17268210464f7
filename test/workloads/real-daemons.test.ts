/**
 * Daemons nobody here wrote: Datadog's documented EC2 daemon task definition (kept beside this
 * file, see real/PROVENANCE.md) and what Datadog's own CDK construct writes for the Agent as an
 * ECS managed daemon, ported to DaemonService and compared field by field.
 */
import * as fs from 'fs';
import * as path from 'path';
import { aws_ecs as ecs, aws_secretsmanager as secretsmanager, Duration } from 'aws-cdk-lib';
import { Capacity, DaemonService, Image, Volume, WarningId } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, hasWarning, managedInstancesEnvironment, resources } from '../fixtures';

interface Documented {
  containerDefinitions: Array<{
    name: string;
    image: string;
    memory: number;
    mountPoints: Array<{ containerPath: string; sourceVolume: string; readOnly: boolean }>;
    environment: Array<{ name: string; value: string }>;
  }>;
  volumes: Array<{ name: string; host: { sourcePath: string } }>;
}
const DOCUMENTED: Documented = JSON.parse(fs.readFileSync(path.join(__dirname, 'real', 'datadog-agent-ecs.json'), 'utf8'));
const [AGENT] = DOCUMENTED.containerDefinitions;

/** The documented volumes as Volume.host, each mounted where the documented container mounts it. */
function documentedVolumes(): Volume[] {
  return DOCUMENTED.volumes.map(v => {
    const mount = AGENT.mountPoints.find(m => m.sourceVolume === v.name)!;
    return Volume.host(v.name, { sourcePath: v.host.sourcePath, containerPath: mount.containerPath, readOnly: mount.readOnly });
  });
}

/** The mount points of a task definition's first container, each as [host path, container path, read-only]. */
function hostMounts(task: any): Array<[string, string, boolean]> {
  const sources = new Map<string, string>(task.Properties.Volumes.map((v: any) => [v.Name, v.Host.SourcePath]));
  return task.Properties.ContainerDefinitions[0].MountPoints.filter((m: any) => sources.has(m.SourceVolume))
    .map((m: any) => [sources.get(m.SourceVolume), m.ContainerPath, m.ReadOnly]);
}

const lower = (entries: Array<{ containerPath: string; sourceVolume: string; readOnly: boolean }>) =>
  entries.map(m => ({ ContainerPath: m.containerPath, SourceVolume: m.sourceVolume, ReadOnly: m.readOnly }));

describe('Datadog\'s documented Agent daemon (DataDog/documentation datadog-agent-ecs.json)', () => {
  test('its plain DD_API_KEY is warned as a secret in the environment; with the key as a secret, the EC2 daemon renders its volumes and mounts', () => {
    const plain = Object.fromEntries(AGENT.environment.map(e => [e.name, e.value]));
    const documented = ec2Environment();
    new DaemonService(documented.stack, 'Plain', {
      environment: documented.environment,
      image: Image.fromRegistry(AGENT.image),
      capacity: Capacity.ec2(documented.instances),
      environmentVariables: plain,
    });
    expect(hasWarning(documented.stack, WarningId.SECRET_LIKE_VARIABLE)).toBe(true);
    const { stack, environment, instances } = ec2Environment();
    const key = new secretsmanager.Secret(stack, 'DatadogKey');
    const { DD_API_KEY: _, ...rest } = plain;
    new DaemonService(stack, 'Agent', {
      environment,
      image: Image.fromRegistry(AGENT.image),
      capacity: Capacity.ec2(instances),
      memoryLimitMiB: AGENT.memory,
      environmentVariables: rest,
      secrets: { DD_API_KEY: ecs.Secret.fromSecretsManager(key) },
      volumes: documentedVolumes(),
      containerSecurity: { user: '0' }, // the Agent reads the Docker socket
    });
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect(task.Properties.Volumes).toEqual(DOCUMENTED.volumes.map(v => ({ Name: v.name, Host: { SourcePath: v.host.sourcePath } })));
    const [container] = task.Properties.ContainerDefinitions;
    expect(container.MountPoints).toEqual(expect.arrayContaining(lower(AGENT.mountPoints)));
    expect(container.Environment).toEqual([{ Name: 'DD_SITE', Value: 'datadoghq.com' }]);
    expect(container.Secrets).toEqual([{ Name: 'DD_API_KEY', ValueFrom: { Ref: expect.stringMatching(/^DatadogKey/) } }]);
  });

  test('the same daemon on Managed Instances: the daemon task definition carries the same volumes, mounts and memory', () => {
    const { stack, environment, instances } = managedInstancesEnvironment();
    const key = new secretsmanager.Secret(stack, 'DatadogKey');
    new DaemonService(stack, 'Agent', {
      environment,
      image: Image.fromRegistry(AGENT.image),
      capacity: Capacity.managedInstances(instances),
      cpu: 256,
      memoryLimitMiB: 512,
      environmentVariables: { DD_SITE: 'datadoghq.com' },
      secrets: { DD_API_KEY: ecs.Secret.fromSecretsManager(key) },
      volumes: documentedVolumes(),
      containerSecurity: { user: '0' },
    });
    const [[, task]] = resources(stack, 'AWS::ECS::DaemonTaskDefinition');
    expect(task.Properties.Volumes).toEqual(DOCUMENTED.volumes.map(v => ({ Name: v.name, Host: { SourcePath: v.host.sourcePath } })));
    expect(task.Properties.ContainerDefinitions[0].MountPoints).toEqual(expect.arrayContaining(lower(AGENT.mountPoints)));
    expect(task.Properties.ContainerDefinitions[0].Memory).toEqual(expect.any(Number));
  });
});

describe('Datadog\'s CDK construct for the Agent as an ECS managed daemon (DataDog/datadog-cdk-constructs)', () => {
  // Its defaults (constants.ts at 050caad5): container CPU 256 and memory 512, the containerd
  // socket, /proc/ and /sys/fs/cgroup/ mounted read-only at /var/run/containerd/containerd.sock,
  // /host/proc and /host/sys/fs/cgroup, ECS_MANAGED_INSTANCES=true, `agent health` every 30 s
  // (3 retries, 15 s start period, 5 s timeout), drain 25%, bake 0, ECS managed tags, tags
  // propagated from the daemon; process collection sets the PID mode.
  const volumes = [
    { name: 'containerd_sock', source: '/var/run/containerd/containerd.sock', target: '/var/run/containerd/containerd.sock' },
    { name: 'proc', source: '/proc/', target: '/host/proc' },
    { name: 'cgroup', source: '/sys/fs/cgroup/', target: '/host/sys/fs/cgroup' },
  ];

  test('ported to DaemonService, it renders what the construct writes', () => {
    const { stack, environment, instances } = managedInstancesEnvironment();
    new DaemonService(stack, 'Agent', {
      environment,
      image: Image.fromRegistry('public.ecr.aws/datadog/agent:7.77.0'),
      capacity: Capacity.managedInstances(instances),
      cpu: 256,
      memoryLimitMiB: 512,
      environmentVariables: { ECS_MANAGED_INSTANCES: 'true', DD_SITE: 'datadoghq.com' },
      healthCheck: {
        command: ['CMD-SHELL', 'agent health'], interval: Duration.seconds(30), retries: 3, startPeriod: Duration.seconds(15), timeout: Duration.seconds(5),
      },
      volumes: volumes.map(v => Volume.host(v.name, { sourcePath: v.source, containerPath: v.target, readOnly: true })),
      containerSecurity: { user: '0' },
      hostPidNamespace: true,
      drainPercent: 25,
      bakeTime: Duration.minutes(0),
    });
    const [[, task]] = resources(stack, 'AWS::ECS::DaemonTaskDefinition');
    expect(task.Properties.PidMode).toBe('shared');
    expect(task.Properties.Volumes).toEqual(volumes.map(v => ({ Name: v.name, Host: { SourcePath: v.source } })));
    const [agent] = task.Properties.ContainerDefinitions;
    expect(agent.MountPoints).toEqual(volumes.map(v => ({ ContainerPath: v.target, SourceVolume: v.name, ReadOnly: true })));
    expect(agent.HealthCheck).toEqual({ Command: ['CMD-SHELL', 'agent health'], Interval: 30, Retries: 3, StartPeriod: 15, Timeout: 5 });
    expect(agent.Environment).toEqual(expect.arrayContaining([{ Name: 'ECS_MANAGED_INSTANCES', Value: 'true' }]));
    expect(agent.Memory).toBeDefined();
    const [[, daemon]] = resources(stack, 'AWS::ECS::Daemon');
    expect(daemon.Properties).toEqual(expect.objectContaining({
      DeploymentConfiguration: { DrainPercent: 25, BakeTimeInMinutes: 0 }, EnableECSManagedTags: true, PropagateTags: 'DAEMON',
    }));
  });

  test('on EC2 the host PID and IPC namespaces are the task\'s host modes; a Windows daemon has neither', () => {
    const { stack, environment, instances } = ec2Environment();
    new DaemonService(stack, 'Sensor', {
      environment,
      image: Image.fromRegistry('public.ecr.aws/my-org/sensor:1.0.0'),
      capacity: Capacity.ec2(instances),
      hostPidNamespace: true,
      hostIpcNamespace: true,
    });
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect([task.Properties.PidMode, task.Properties.IpcMode]).toEqual(['host', 'host']);
    expectError(ErrorCode.PLATFORM, () => new DaemonService(stack, 'Windows', {
      environment,
      image: Image.fromRegistry('mcr.microsoft.com/windows/servercore:ltsc2022'),
      capacity: Capacity.ec2(instances),
      operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
      hostPidNamespace: true,
    }));
    expectError(ErrorCode.PLATFORM, () => new DaemonService(stack, 'WindowsIpc', {
      environment,
      image: Image.fromRegistry('mcr.microsoft.com/windows/servercore:ltsc2022'),
      capacity: Capacity.ec2(instances),
      operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
      hostIpcNamespace: true,
    }));
  });
});

describe('the CloudWatch agent daemon of Container Insights (aws-samples/amazon-cloudwatch-container-insights)', () => {
  // ecs-task-definition-templates/deployment-mode/daemon-service/cwagent-ecs-instance-metric/
  // cwagent-ecs-instance-metric.json at 062b626aba4f7f290e5101d0f4c33014884535eb (restated, not
  // copied): amazon/cloudwatch-agent:1.247354.0b251981, USE_DEFAULT_CONFIG=True, bridge mode, task
  // CPU 128 and memory 64, and four host paths mounted read-only at six container paths (the two
  // cgroup volumes twice each, for Amazon Linux 1 and 2).
  const mounts: Array<[source: string, target: string]> = [
    ['/proc', '/rootfs/proc'], ['/dev', '/rootfs/dev'],
    ['/sys/fs/cgroup', '/sys/fs/cgroup'], ['/cgroup', '/cgroup'],
    ['/sys/fs/cgroup', '/rootfs/sys/fs/cgroup'], ['/cgroup', '/rootfs/cgroup'],
  ];
  // A volume mounts at one container path here, so the file's volume mounted twice is two volumes of one host path.
  const volumes = () => mounts.map(([source, target], i) => Volume.host(`host-${i}`, { sourcePath: source, containerPath: target, readOnly: true }));

  test('on EC2: bridge mode, the same host paths at the same container paths, read-only, at its size', () => {
    const { stack, environment, instances } = ec2Environment();
    new DaemonService(stack, 'CloudWatchAgent', {
      environment,
      image: Image.fromRegistry('amazon/cloudwatch-agent:1.247354.0b251981'),
      capacity: Capacity.ec2(instances),
      cpu: 128,
      memoryLimitMiB: 64,
      environmentVariables: { USE_DEFAULT_CONFIG: 'True' },
      volumes: volumes(),
      containerSecurity: { user: '0' }, // it reads the host's /proc and cgroups as root in the sample
    });
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect([task.Properties.NetworkMode, task.Properties.Cpu, task.Properties.Memory]).toEqual(['bridge', '128', '64']);
    expect(hostMounts(task)).toEqual(mounts.map(([source, target]) => [source, target, true]));
    expect(task.Properties.ContainerDefinitions[0].Environment).toEqual([{ Name: 'USE_DEFAULT_CONFIG', Value: 'True' }]);
  });

  test('as a managed daemon: the same mounts in the daemon task definition', () => {
    const { stack, environment, instances } = managedInstancesEnvironment();
    new DaemonService(stack, 'CloudWatchAgent', {
      environment,
      image: Image.fromRegistry('amazon/cloudwatch-agent:1.247354.0b251981'),
      capacity: Capacity.managedInstances(instances),
      environmentVariables: { USE_DEFAULT_CONFIG: 'True' },
      volumes: volumes(),
      containerSecurity: { user: '0' },
    });
    const [[, task]] = resources(stack, 'AWS::ECS::DaemonTaskDefinition');
    expect(hostMounts(task)).toEqual(mounts.map(([source, target]) => [source, target, true]));
  });
});
