/**
 * The capacity integ scenarios (EC2 Auto Scaling groups, the Fargate Spot mix), shared by
 * the integ apps and the compliance tests like those of apps.ts.
 */
import { Annotations, App, Duration, Size, aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import { HELLO_IMAGE, Scenario, ScenarioOptions, scenarioStacks } from './apps';
import {
  AlarmTopic, AutoScalingCapacity, Capacity, CapacityReservationPreference, DaemonService, Environment, EnvironmentProfile, HostImage, Image,
  JobSchedule, ManagedInstancesCapacity, NetworkService, ScheduledJob, StandaloneTask, Volume, WarningId, WebService, WorkerService,
} from '../src';

/** Microsoft's ASP.NET sample on Nano Server 2022: listens on 8080. */
const WINDOWS_WEB_IMAGE = 'mcr.microsoft.com/dotnet/samples:aspnetapp-nanoserver-ltsc2022';

/**
 * (m) EC2 capacity: an On-Demand Amazon Linux 2023 group and a Spot Bottlerocket group
 * (Graviton, managed scaling from zero, termination protection, managed draining), a web
 * service in bridge mode behind the shared load balancer with one task always On-Demand and
 * the rest on Spot, a TCP service in bridge mode behind its own NLB, a nightly job in bridge
 * mode, and a daemon on every instance of both groups. Instance notifications
 * go to the environment's topic; `cdk destroy` completes through the deletion guards. The
 * environment also has the ECS Anywhere role (no machine registers in the test).
 */
export function ec2Capacity(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegEc2Capacity', options);
  const alarmTopic = new AlarmTopic(stack, 'Alarms').topic;
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.DEVELOPMENT,
    alarmTopic,
    tags: { 'shipyard:integ': 'ec2-capacity' },
    // The ECS Anywhere role deploys too; registering a machine is an operator's step.
    externalInstances: true,
  });
  const onDemand = new AutoScalingCapacity(stack, 'OnDemand', {
    environment,
    instanceTypes: [new ec2.InstanceType('t4g.medium')],
    maxCapacity: 3,
  });
  const spot = new AutoScalingCapacity(stack, 'Spot', {
    environment,
    hostImage: HostImage.BOTTLEROCKET,
    spot: true,
    instanceTypes: ['t4g.medium', 'm7g.medium', 'm6g.medium'].map(t => new ec2.InstanceType(t)),
    maxCapacity: 3,
    targetCapacityPercent: 90,
  });
  const capacity = Capacity.ec2SpotMix(onDemand, spot, { onDemandBase: 1 });
  const web = new WebService(workloads, 'Web', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    networkMode: ecs.NetworkMode.BRIDGE,
    capacity,
    desiredCount: 2,
    targetHealthCheck: { path: '/health' },
  });
  const agent = new DaemonService(workloads, 'Agent', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    capacity,
    cpu: 128,
    memoryLimitMiB: 128,
    // What a log agent reads: the instance's logs, read-only; its own state in a shared Docker volume.
    volumes: [
      Volume.host('host-logs', { sourcePath: '/var/log', containerPath: '/host/var/log', readOnly: true }),
      Volume.docker('agent-state', { containerPath: '/state', scope: ecs.Scope.SHARED }),
    ],
    // And what a process agent reads: every process of the instance, root-owned /proc entries
    // included, as Datadog's process collection does (the host PID namespace, root and SYS_PTRACE).
    hostPidNamespace: true,
    containerSecurity: { user: '0' },
    linuxSettings: { addCapabilities: [ecs.Capability.SYS_PTRACE] },
  });
  Annotations.of(agent).acknowledgeWarning(WarningId.ROOT_USER, 'a process agent reads other users\' /proc entries');
  Annotations.of(agent).acknowledgeWarning(WarningId.ADDED_CAPABILITIES, 'SYS_PTRACE lets the process agent read other processes\' /proc entries');
  // Compute with no network at all: reads and writes the instance only; awslogs still ships its logs.
  new StandaloneTask(workloads, 'Crunch', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    capacity,
    networkMode: ecs.NetworkMode.NONE,
    command: ['sh', '-c', 'echo crunching'],
    cpu: 128,
    memoryLimitMiB: 128,
  });
  // A TCP service in bridge mode on its own internal NLB: instance targets on dynamic host ports.
  const tcp = new NetworkService(workloads, 'Tcp', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    networkMode: ecs.NetworkMode.BRIDGE,
    capacity,
    cpu: 128,
    memoryLimitMiB: 128,
  });
  // A nightly job in its instances' network: Scheduler passes no network configuration.
  const report = new ScheduledJob(workloads, 'Report', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    networkMode: ecs.NetworkMode.BRIDGE,
    capacity,
    schedule: JobSchedule.cron('0 3 * * ? *'),
    command: ['sh', '-c', 'echo report'],
    cpu: 128,
    memoryLimitMiB: 128,
  });
  return { stack, environment, services: [web, { service: agent.service! }, tcp], schedules: [report.schedule] };
}

/**
 * (n) The Fargate Spot mix in production: a web service with two tasks always on
 * on-demand Fargate and the rest three-to-one on Spot, on a pinned platform version, and an
 * ARM64 worker entirely on Fargate Spot (supported for Graviton since 2024).
 */
export function fargateSpotMix(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegFargateSpot', options);
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.DEVELOPMENT, tags: { 'shipyard:integ': 'fargate-spot' },
  });
  const web = new WebService(workloads, 'Web', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    capacity: Capacity.fargateSpotMix({ onDemandBase: 2, onDemandWeight: 1, spotWeight: 3 }),
    // Pinned to Fargate platform version 1.4.0: a newer one reaches the tasks only through a change here.
    platformVersion: ecs.FargatePlatformVersion.VERSION1_4,
    desiredCount: 3,
    targetHealthCheck: { path: '/health' },
  });
  const worker = new WorkerService(workloads, 'Worker', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    cpuArchitecture: ecs.CpuArchitecture.ARM64,
    capacity: Capacity.fargateSpot(),
    processingTime: Duration.minutes(1),
  });
  return { stack, environment, services: [web, worker] };
}

/**
 * (o) ECS Managed Instances: Graviton instances of 2-4 vCPUs that ECS launches (into matching
 * Capacity Reservations first), patches and retires, running a web service behind the shared load
 * balancer, a queue worker and a log agent as a managed daemon.
 */
export function managedInstances(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegManagedInstances', options);
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.DEVELOPMENT, tags: { 'shipyard:integ': 'managed-instances' },
  });
  const instances = new ManagedInstancesCapacity(stack, 'Managed', {
    environment,
    instanceRequirements: {
      vCpuCountMin: 2, vCpuCountMax: 4, memoryMin: Size.gibibytes(4), cpuManufacturers: [ec2.CpuManufacturer.AWS],
    },
    // Idle instances are stopped after 10 minutes: warm for the next deployment, not for the night.
    scaleInAfter: Duration.minutes(10),
    // Open Capacity Reservations that match are used first, then On-Demand (so it deploys where there are none).
    capacityReservations: { preference: CapacityReservationPreference.RESERVATIONS_FIRST },
  });
  const capacity = Capacity.managedInstances(instances);
  const web = new WebService(workloads, 'Web', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    capacity,
    targetHealthCheck: { path: '/health' },
  });
  const worker = new WorkerService(workloads, 'Worker', { environment, image: Image.fromAsset(HELLO_IMAGE), capacity });
  // An ECS managed daemon: a log agent ECS starts on each instance before the web and worker tasks.
  // A new revision drains and replaces a quarter of the instances at a time, one minute apart.
  new DaemonService(workloads, 'LogAgent', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    capacity,
    command: ['sh', '-c', 'while true; do ls /host/var/log > /dev/null; sleep 60; done'],
    volumes: [Volume.host('host-logs', { sourcePath: '/var/log', containerPath: '/host/var/log', readOnly: true })],
    drainPercent: 25,
    bakeTime: Duration.minutes(1),
  });
  return { stack, environment, services: [web, worker] };
}

/**
 * (p) Windows containers: an ASP.NET sample on Windows Server 2022 EC2 instances (nat mode,
 * behind the shared load balancer) and a Windows worker on on-demand Fargate.
 */
export function windows(app: App, options?: ScenarioOptions): Scenario {
  const { stack, workloads } = scenarioStacks(app, 'ShipyardIntegWindows', options);
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.DEVELOPMENT, tags: { 'shipyard:integ': 'windows' },
  });
  const instances = new AutoScalingCapacity(stack, 'Windows', {
    environment, hostImage: HostImage.WINDOWS_SERVER_2022, maxCapacity: 2,
  });
  const web = new WebService(workloads, 'Web', {
    environment,
    image: Image.fromRegistry(WINDOWS_WEB_IMAGE),
    operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
    cpu: 1024,
    memoryLimitMiB: 2048,
    capacity: Capacity.ec2(instances),
  });
  const worker = new WorkerService(workloads, 'Worker', {
    environment,
    image: Image.fromRegistry('mcr.microsoft.com/windows/servercore:ltsc2022'),
    command: ['powershell', '-Command', 'while ($true) { Start-Sleep -Seconds 60 }'],
    operatingSystemFamily: ecs.OperatingSystemFamily.WINDOWS_SERVER_2022_CORE,
    cpu: 1024,
    memoryLimitMiB: 2048,
    capacity: Capacity.fargate(),
  });
  return { stack, environment, services: [web, worker] };
}
