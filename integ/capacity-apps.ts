/**
 * The capacity integ scenarios (EC2 Auto Scaling groups, the Fargate Spot mix), shared by
 * the integ apps and the compliance tests like those of apps.ts.
 */
import { App, Duration, Size, Stack, aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import { HELLO_IMAGE, Scenario } from './apps';
import {
  AlarmTopic, AutoScalingCapacity, Capacity, DaemonService, Environment, EnvironmentProfile, HostImage, Image, ManagedInstancesCapacity,
  WebService, WorkerService,
} from '../src';

/**
 * (m) EC2 capacity: an On-Demand Amazon Linux 2023 group and a Spot Bottlerocket group
 * (Graviton, managed scaling from zero, termination protection, managed draining), a web
 * service in bridge mode behind the shared load balancer with one task always On-Demand and
 * the rest on Spot, and a daemon on every instance of both groups. Instance notifications
 * go to the environment's topic; `cdk destroy` completes through the deletion guards.
 */
export function ec2Capacity(app: App): Scenario {
  const stack = new Stack(app, 'ShipyardIntegEc2Capacity');
  const alarmTopic = new AlarmTopic(stack, 'Alarms').topic;
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.DEVELOPMENT, alarmTopic, tags: { 'shipyard:integ': 'ec2-capacity' },
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
  const web = new WebService(stack, 'Web', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    networkMode: ecs.NetworkMode.BRIDGE,
    capacity,
    desiredCount: 2,
    targetHealthCheck: { path: '/health' },
  });
  const agent = new DaemonService(stack, 'Agent', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    capacity,
    cpu: 128,
    memoryLimitMiB: 128,
  });
  return { stack, environment, services: [web, agent] };
}

/**
 * (n) The Fargate Spot mix in production: a web service with two tasks always on
 * on-demand Fargate and the rest three-to-one on Spot, and an ARM64 worker entirely on
 * Fargate Spot (supported for Graviton since 2024).
 */
export function fargateSpotMix(app: App): Scenario {
  const stack = new Stack(app, 'ShipyardIntegFargateSpot');
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.DEVELOPMENT, tags: { 'shipyard:integ': 'fargate-spot' },
  });
  const web = new WebService(stack, 'Web', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    capacity: Capacity.fargateSpotMix({ onDemandBase: 2, onDemandWeight: 1, spotWeight: 3 }),
    desiredCount: 3,
    targetHealthCheck: { path: '/health' },
  });
  const worker = new WorkerService(stack, 'Worker', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    cpuArchitecture: ecs.CpuArchitecture.ARM64,
    capacity: Capacity.fargateSpot(),
    processingTime: Duration.minutes(1),
  });
  return { stack, environment, services: [web, worker] };
}

/**
 * (o) ECS Managed Instances: Graviton instances of 2-4 vCPUs that ECS launches, patches and
 * retires, running a web service behind the shared load balancer and a queue worker.
 */
export function managedInstances(app: App): Scenario {
  const stack = new Stack(app, 'ShipyardIntegManagedInstances');
  const environment = new Environment(stack, 'Env', {
    profile: EnvironmentProfile.DEVELOPMENT, tags: { 'shipyard:integ': 'managed-instances' },
  });
  const instances = new ManagedInstancesCapacity(stack, 'Managed', {
    environment,
    instanceRequirements: {
      vCpuCountMin: 2, vCpuCountMax: 4, memoryMin: Size.gibibytes(4), cpuManufacturers: [ec2.CpuManufacturer.AWS],
    },
  });
  const capacity = Capacity.managedInstances(instances);
  const web = new WebService(stack, 'Web', {
    environment,
    image: Image.fromAsset(HELLO_IMAGE),
    capacity,
    targetHealthCheck: { path: '/health' },
  });
  const worker = new WorkerService(stack, 'Worker', { environment, image: Image.fromAsset(HELLO_IMAGE), capacity });
  return { stack, environment, services: [web, worker] };
}
