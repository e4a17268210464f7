/**
 * Host agents nobody here wrote, which hold more than Docker's default capabilities: vendors'
 * own ECS daemon definitions (kept in real/agents/, see its PROVENANCE.md), ported to
 * DaemonService with linuxSettings.addCapabilities or containerSecurity.privileged. Every
 * expectation is read from the vendor's file, not restated.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Annotations, aws_ecs as ecs, Stack } from 'aws-cdk-lib';
import * as YAML from 'yaml';
import { BackgroundService, Capacity, DaemonService, IEnvironment, Image, Volume, WarningId } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { SHIPYARD_RULES } from '../../src/guardrails/shipyard-checks';
import { ec2Environment, expectError, hasWarning, managedInstancesEnvironment, productionEnvironment, resources, testStack } from '../fixtures';

const AGENTS = path.join(__dirname, 'real', 'agents');

/** A CloudFormation template in YAML, its short-form intrinsics (`!Ref`, `!Join`...) read as their long form. */
function cfnYaml(file: string): any {
  const names = ['Ref', 'Condition', 'Join', 'GetAtt', 'Sub', 'Select', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'ImportValue', 'Split', 'Base64', 'GetAZs'];
  const customTags = names.flatMap(name => [undefined, 'seq', 'map'].map(collection => ({
    tag: `!${name}`,
    collection: collection as 'seq' | 'map' | undefined,
    resolve: (value: any) => ({ [name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`]: value?.toJSON ? value.toJSON() : value }),
  })));
  return YAML.parse(fs.readFileSync(path.join(AGENTS, file), 'utf8'), { customTags: customTags as any });
}

/** The task definition of a CloudFormation template (its only one). */
function taskDefinitionOf(template: any): any {
  return Object.values<any>(template.Resources).find(r => r.Type === 'AWS::ECS::TaskDefinition').Properties;
}

/** Capability names as the library's enum (every name the vendors use is one ECS knows). */
function capabilities(names: string[]): ecs.Capability[] {
  return names.map(name => {
    const cap = (ecs.Capability as Record<string, string>)[name];
    if (cap === undefined) throw new Error(`${name} is not an ecs.Capability`);
    return cap as ecs.Capability;
  });
}

/** A task definition file's host volumes, each mounted where its first container mounts it. */
function documentedHostVolumes(definition: any): Volume[] {
  const [container] = definition.containerDefinitions;
  return definition.volumes.map((v: any) => {
    const mount = container.mountPoints.find((m: any) => m.sourceVolume === v.name);
    return Volume.host(v.name, { sourcePath: v.host.sourcePath, containerPath: mount.containerPath, readOnly: mount.readOnly ?? false });
  });
}

/** The main container of the first task definition of `type` in `stack`. */
function mainContainer(stack: Stack, type = 'AWS::ECS::TaskDefinition'): any {
  const [[, task]] = resources(stack, type);
  return task.Properties.ContainerDefinitions[0];
}

/** Whether ShipyardChecks' NoPrivilegedContainer finds the task of `stack`, and whether it is acknowledged there. */
function privilegedFinding(stack: Stack, type = 'AWS::ECS::TaskDefinition') {
  const [[, task]] = resources(stack, type);
  const rule = SHIPYARD_RULES.find(r => r.id === 'NoPrivilegedContainer')!;
  const suppressed = (task.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((r: { id: string }) => r.id);
  return { verdict: rule.check(type, task.Properties), acknowledged: suppressed.includes('Shipyard-NoPrivilegedContainer') };
}

describe('Datadog\'s system probe (DataDog/documentation datadog-agent-sysprobe-ecs.json)', () => {
  const documented = JSON.parse(fs.readFileSync(path.join(AGENTS, 'datadog-agent-sysprobe-ecs.json'), 'utf8'));
  const [agent] = documented.containerDefinitions;
  const added: string[] = agent.linuxParameters.capabilities.add;

  /** The system probe as a daemon on `capacity`, as Datadog documents it (root: the Agent reads the Docker socket). */
  const sysprobe = (stack: Stack, environment: IEnvironment, capacity: Capacity, size: { cpu?: number; memoryLimitMiB: number }) =>
    new DaemonService(stack, 'Agent', {
      environment,
      image: Image.fromRegistry(agent.image),
      capacity,
      ...size,
      volumes: documentedHostVolumes(documented),
      containerSecurity: { user: '0' },
      linuxSettings: { addCapabilities: capabilities(added) },
    });

  test('as an EC2 daemon, it adds the capabilities Datadog lists, with its memory and host mounts, and is warned', () => {
    const { stack, environment, instances } = ec2Environment();
    sysprobe(stack, environment, Capacity.ec2(instances), { memoryLimitMiB: agent.memory });
    const container = mainContainer(stack);
    expect(container.LinuxParameters.Capabilities.Add).toEqual(added);
    expect(container.Privileged).toBe(false);
    expect(container.MountPoints).toEqual(expect.arrayContaining(agent.mountPoints.map((m: any) =>
      ({ ContainerPath: m.containerPath, SourceVolume: m.sourceVolume, ReadOnly: m.readOnly ?? false }))));
    expect(hasWarning(stack, WarningId.ADDED_CAPABILITIES)).toBe(true);
  });

  test('as a managed daemon on ECS Managed Instances, the daemon task definition adds them too', () => {
    const { stack, environment, instances } = managedInstancesEnvironment();
    sysprobe(stack, environment, Capacity.managedInstances(instances), { cpu: 256, memoryLimitMiB: 512 });
    expect(mainContainer(stack, 'AWS::ECS::DaemonTaskDefinition').LinuxParameters.Capabilities.Add).toEqual(added);
  });

  test('on Fargate, or as a Managed Instances service (a Fargate task definition too), every capability but SYS_PTRACE fails with PLATFORM', () => {
    const refused = added.filter(c => c !== 'SYS_PTRACE');
    expect(refused.length).toBeGreaterThan(0);
    const onFargate = () => {
      const stack = testStack();
      new BackgroundService(stack, 'Agent', {
        environment: productionEnvironment(stack),
        image: Image.fromRegistry(agent.image),
        linuxSettings: { addCapabilities: capabilities(added) },
      });
    };
    expectError(ErrorCode.PLATFORM, onFargate);
    expect(onFargate).toThrow(new RegExp(refused.join(', ')));
    const { stack, environment, instances } = managedInstancesEnvironment();
    expectError(ErrorCode.PLATFORM, () => new BackgroundService(stack, 'OnManagedInstances', {
      environment,
      image: Image.fromRegistry(agent.image),
      capacity: Capacity.managedInstances(instances),
      linuxSettings: { addCapabilities: capabilities(added) },
    }));
    // The one Fargate takes, at the boundary.
    new BackgroundService(stack, 'Profiler', {
      environment,
      image: Image.fromRegistry(agent.image),
      linuxSettings: { addCapabilities: [ecs.Capability.SYS_PTRACE] },
    });
    const [, profiler] = resources(stack, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith('Profiler'))!;
    expect(profiler.Properties.ContainerDefinitions[0].LinuxParameters.Capabilities.Add).toEqual(['SYS_PTRACE']);
  });
});

describe('New Relic\'s infrastructure agent (newrelic/nri-ecs task_definition_example.json)', () => {
  const documented = JSON.parse(fs.readFileSync(path.join(AGENTS, 'newrelic-infra-ecs-ec2.json'), 'utf8'));
  const [agent] = documented.containerDefinitions;

  const port = (acknowledge: boolean) => {
    const { stack, environment, instances } = ec2Environment();
    const daemon = new DaemonService(stack, 'Agent', {
      environment,
      image: Image.fromRegistry('newrelic/nri-ecs:1.12.2'),
      capacity: Capacity.ec2(instances),
      memoryLimitMiB: agent.memory,
      networkMode: documented.networkMode === 'host' ? ecs.NetworkMode.HOST : undefined,
      containerSecurity: { privileged: agent.privileged, readOnlyRootFilesystem: agent.readonlyRootFilesystem, user: '0' },
      volumes: documentedHostVolumes(documented),
    });
    if (acknowledge) Annotations.of(daemon).acknowledgeWarning(WarningId.PRIVILEGED_CONTAINER, 'New Relic documents its agent as privileged');
    return stack;
  };

  test('privileged in host network mode as New Relic documents it; the warning and ShipyardChecks report it until acknowledged', () => {
    expect(agent.privileged).toBe(true);
    const stack = port(false);
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect(task.Properties.NetworkMode).toBe(documented.networkMode);
    expect(task.Properties.ContainerDefinitions[0].Privileged).toBe(true);
    expect(hasWarning(stack, WarningId.PRIVILEGED_CONTAINER)).toBe(true);
    expect(privilegedFinding(stack)).toEqual({ verdict: 'Non-Compliant', acknowledged: false });
    expect(privilegedFinding(port(true))).toEqual({ verdict: 'Non-Compliant', acknowledged: true });
  });

  test('privileged is a host agent\'s: an application service with it fails with CONFLICTING_OPTIONS', () => {
    const stack = testStack();
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new BackgroundService(stack, 'App', {
      environment: productionEnvironment(stack),
      image: Image.fromRegistry('newrelic/nri-ecs:1.12.2'),
      containerSecurity: { privileged: true },
    }));
  });
});

describe('Aqua\'s enforcer (aquasecurity/aqua-aws aquaEnforcer.yaml)', () => {
  const template = cfnYaml('aqua-enforcer-ecs-ec2.cfn.yaml');
  const task = taskDefinitionOf(template);
  const [enforcer] = task.ContainerDefinitions;
  const added: string[] = enforcer.LinuxParameters.Capabilities.Add;
  // Privileged is the template's Taskprivileged parameter; its default is 'true', and 'false' the other value it allows.
  const parameter = template.Parameters[enforcer.Privileged.Ref];

  test('privileged with added capabilities, as its default writes, fails: ECS ignores capabilities for a privileged container', () => {
    expect(parameter.Default).toBe('true');
    const { stack, environment, instances } = ec2Environment();
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new DaemonService(stack, 'Enforcer', {
      environment,
      image: Image.fromRegistry('registry.aquasec.com/enforcer:2022.4'),
      capacity: Capacity.ec2(instances),
      containerSecurity: { privileged: true },
      linuxSettings: { addCapabilities: capabilities(added) },
    }));
  });

  test('with Taskprivileged false, it adds its twelve capabilities in the host PID namespace', () => {
    expect(parameter.AllowedValues).toContain('false');
    const { stack, environment, instances } = ec2Environment();
    new DaemonService(stack, 'Enforcer', {
      environment,
      image: Image.fromRegistry('registry.aquasec.com/enforcer:2022.4'),
      capacity: Capacity.ec2(instances),
      memoryLimitMiB: Number(enforcer.Memory),
      hostPidNamespace: task.PidMode === 'host',
      containerSecurity: { user: '0' },
      linuxSettings: { addCapabilities: capabilities(added) },
    });
    const [[, rendered]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect(rendered.Properties.PidMode).toBe(task.PidMode);
    expect(rendered.Properties.ContainerDefinitions[0].LinuxParameters.Capabilities.Add).toEqual(added);
  });
});

describe('CrowdStrike\'s Falcon sensor (CrowdStrike/falcon-cloudformation falcon-ecs-ec2-daemon.yaml)', () => {
  const task = taskDefinitionOf(cfnYaml('crowdstrike-falcon-ecs-ec2-daemon.cfn.yaml'));
  const sensor = task.ContainerDefinitions.find((c: any) => c.Essential === true);
  const init = task.ContainerDefinitions.find((c: any) => c.Essential === false);
  const image = Image.fromRegistry('registry.crowdstrike.com/falcon-sensor/us-1/release/falcon-sensor:7.20.0');
  /** The file's init container, which prepares the sensor's host directory, privileged and as root. */
  const initContainer = () => ({
    name: init.Name,
    image,
    entryPoint: init.EntryPoint,
    command: init.Command,
    memoryReservationMiB: init.MemoryReservation,
    containerSecurity: { privileged: init.Privileged, user: String(init.User), readOnlyRootFilesystem: init.ReadonlyRootFilesystem },
  });

  test('its sensor and its init container run privileged in the host network, PID and IPC namespaces, as on Managed Instances', () => {
    expect([sensor.Privileged, init.Privileged]).toEqual([true, true]);
    const { stack, environment, instances } = ec2Environment();
    new DaemonService(stack, 'Sensor', {
      environment,
      image,
      capacity: Capacity.ec2(instances),
      networkMode: task.NetworkMode === 'host' ? ecs.NetworkMode.HOST : undefined,
      hostPidNamespace: task.PidMode === 'host',
      hostIpcNamespace: task.IpcMode === 'host',
      containerSecurity: { privileged: sensor.Privileged, user: String(sensor.User), readOnlyRootFilesystem: sensor.ReadonlyRootFilesystem },
      initContainers: [initContainer()],
      volumes: task.Volumes.map((v: any) => {
        const mount = sensor.MountPoints.find((m: any) => m.SourceVolume === v.Name);
        return Volume.host(v.Name, { sourcePath: v.Host.SourcePath, containerPath: mount.ContainerPath });
      }),
    });
    const [[, rendered]] = resources(stack, 'AWS::ECS::TaskDefinition');
    const { NetworkMode, PidMode, IpcMode, ContainerDefinitions } = rendered.Properties;
    expect([NetworkMode, PidMode, IpcMode]).toEqual([task.NetworkMode, task.PidMode, task.IpcMode]);
    const byName = (name: string) => ContainerDefinitions.find((c: any) => c.Name === name);
    expect(byName('app').Privileged).toBe(true);
    expect(byName(init.Name)).toEqual(expect.objectContaining({ Privileged: true, Essential: false }));
    expect([byName(init.Name).EntryPoint, byName(init.Name).Command]).toEqual([init.EntryPoint, init.Command]);
    expect(byName('app').DependsOn).toEqual([{ ContainerName: init.Name, Condition: 'SUCCESS' }]);
    expect(byName('app').MountPoints).toEqual(expect.arrayContaining(sensor.MountPoints.map((m: any) => expect.objectContaining(m))));

    const { stack: managed, environment: managedEnvironment, instances: managedInstances } = managedInstancesEnvironment();
    new DaemonService(managed, 'Sensor', {
      environment: managedEnvironment,
      image,
      capacity: Capacity.managedInstances(managedInstances),
      memoryLimitMiB: 512,
      hostPidNamespace: true,
      hostIpcNamespace: true,
      containerSecurity: { privileged: true, user: '0', readOnlyRootFilesystem: false },
      initContainers: [initContainer()],
    });
    expect(mainContainer(managed, 'AWS::ECS::DaemonTaskDefinition').Privileged).toBe(true);
    expect(privilegedFinding(managed, 'AWS::ECS::DaemonTaskDefinition')).toEqual({ verdict: 'Non-Compliant', acknowledged: false });
  });

  test('a privileged init container is a host agent\'s too: in an application service it fails with CONFLICTING_OPTIONS', () => {
    const stack = testStack();
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new BackgroundService(stack, 'App', {
      environment: productionEnvironment(stack),
      image,
      initContainers: [initContainer()],
    }));
  });
});
