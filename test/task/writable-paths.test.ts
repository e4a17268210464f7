import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, aws_ecs as ecs } from 'aws-cdk-lib';
import { BackgroundService, Capacity, Environment, EnvironmentProfile, Image, ManagedInstancesCapacity, WebServiceProps, WritablePathStorage } from '../../src';
import { CHANGED_DEFAULTS } from '../../src/guardrails/changed-defaults';
import { ErrorCode } from '../../src/guardrails/errors';
import { WarningId } from '../../src/guardrails/warnings';
import { appUnsetting, containerNamed, ec2Environment, expectError, hasWarning, productionEnvironment, resources, template, testApp, testStack, webService as web } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/docker/library/python:3.13-slim');
const IN_MEMORY = ['nosuid', 'nodev', 'exec'];
const CHANGED = 'cdk-shipyard:changed-default';

/** The main container's tmpfs mounts and mount points, as ECS receives them. */
function mounts(stack: Stack, name = 'app') {
  const c = containerNamed(stack, name);
  return { tmpfs: c.LinuxParameters?.Tmpfs, mountPoints: c.MountPoints };
}

describe('the secure baseline\'s writable paths', () => {
  // What ECS runs on each Linux capacity: the same tmpfs mount, since tmpfs runs on Fargate and
  // ECS Managed Instances (January 2026) as on EC2 and ECS Anywhere.
  test.each([
    ['Fargate', () => {
      const stack = testStack();
      return { stack, environment: productionEnvironment(stack), capacity: undefined };
    }],
    ['EC2', () => {
      const { stack, environment, instances } = ec2Environment();
      return { stack, environment, capacity: Capacity.ec2(instances) };
    }],
    ['ECS Managed Instances', () => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      return { stack, environment, capacity: Capacity.managedInstances(new ManagedInstancesCapacity(stack, 'Managed', { environment })) };
    }],
    ['ECS Anywhere', () => {
      const stack = testStack();
      const environment = new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT, externalInstances: true });
      return { stack, environment, capacity: Capacity.external(environment.externalInstances!) };
    }],
  ])('on %s, /tmp is a tmpfs mount the non-root user can write, sized a quarter of the task\'s memory', (_name, make) => {
    const { stack, environment, capacity } = make();
    new BackgroundService(stack, 'Worker', { environment, image: IMAGE, capacity, memoryLimitMiB: 1024, cpu: 512 });
    expect(mounts(stack)).toEqual({ tmpfs: [{ ContainerPath: '/tmp', Size: 256, MountOptions: IN_MEMORY }], mountPoints: undefined });
    expect(containerNamed(stack, 'app').User).toBe('1000:1000');
    const volumes = resources(stack, 'AWS::ECS::TaskDefinition').flatMap(([, r]) => r.Properties.Volumes ?? []);
    expect(volumes.filter((v: any) => /writable/.test(v.Name))).toEqual([]);
  });

  test('every writable path is its own tmpfs mount, of the size given', () => {
    const { stack } = web({ containerSecurity: { writablePaths: ['/tmp', '/var/cache/nginx', '/var/run'], writablePathSizeMiB: 64 } });
    expect(mounts(stack).tmpfs).toEqual(['/tmp', '/var/cache/nginx', '/var/run'].map(p => ({ ContainerPath: p, Size: 64, MountOptions: IN_MEMORY })));
  });

  test('task storage keeps the 0.1.0 volumes, for one workload', () => {
    const { stack } = web({ containerSecurity: { writablePathStorage: WritablePathStorage.TASK_STORAGE } });
    expect(mounts(stack)).toEqual({ tmpfs: undefined, mountPoints: [{ ContainerPath: '/tmp', ReadOnly: false, SourceVolume: 'app-writable-0' }] });
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { Volumes: [{ Name: 'app-writable-0' }] });
  });

  test('ECS Exec\'s agent paths stay on task storage (the agent runs as root), beside an in-memory /tmp', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack, { exec: {} });
    web({ environment, enableExec: true }, stack);
    const { tmpfs, mountPoints } = mounts(stack);
    expect(tmpfs).toEqual([{ ContainerPath: '/tmp', Size: 128, MountOptions: IN_MEMORY }]);
    expect(mountPoints).toEqual([
      { ContainerPath: '/var/lib/amazon', ReadOnly: false, SourceVolume: 'app-writable-1' },
      { ContainerPath: '/var/log/amazon', ReadOnly: false, SourceVolume: 'app-writable-2' },
    ]);
  });

  test('a writable root file system has no writable paths and meets no changed default', () => {
    const app = appUnsetting(CHANGED_DEFAULTS.writablePathsInMemory.flag);
    const { stack } = web({ containerSecurity: { readOnlyRootFilesystem: false } }, new Stack(app, 'Test'));
    expect(mounts(stack)).toEqual({ tmpfs: undefined, mountPoints: undefined });
    expect(hasWarning(stack, CHANGED)).toBe(false);
  });

  test('the size may be 1 MiB or the whole task\'s memory', () => {
    expect(mounts(web({ containerSecurity: { writablePathSizeMiB: 1 } }).stack).tmpfs[0].Size).toBe(1);
    expect(mounts(web({ containerSecurity: { writablePathSizeMiB: 512 } }).stack).tmpfs[0].Size).toBe(512);
  });

  test.each([
    ['0 MiB', 0],
    ['a part of a MiB', 1.5],
    ['more than the task\'s memory', 513],
  ])('fails when writablePathSizeMiB is %s', (_name, writablePathSizeMiB) => {
    expectError(ErrorCode.TASK_SETTINGS, () => web({ containerSecurity: { writablePathSizeMiB } }));
  });

  test('fails when writablePathSizeMiB is given with task storage', () => {
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => web({
      containerSecurity: { writablePathStorage: WritablePathStorage.TASK_STORAGE, writablePathSizeMiB: 64 },
    }));
  });

  test('linuxSettings.tmpfs runs on Fargate now, and may not hide a writable path', () => {
    const { stack } = web({ linuxSettings: { tmpfs: [{ containerPath: '/run', size: 16, mountOptions: [ecs.TmpfsMountOption.NOEXEC] }] } });
    expect(mounts(stack).tmpfs).toEqual([
      { ContainerPath: '/tmp', Size: 128, MountOptions: IN_MEMORY },
      { ContainerPath: '/run', Size: 16, MountOptions: ['noexec'] },
    ]);
    const clash: Partial<WebServiceProps> = { linuxSettings: { tmpfs: [{ containerPath: '/tmp', size: 16 }] } };
    expect(() => template(web(clash).stack)).toThrow(/\[cdk-shipyard:VOLUME\].*mounts 2 volumes at \/tmp/);
  });
});

describe('a changed default and its context flag', () => {
  test('with the flag unset, the new behaviour applies with a warning that says how to choose', () => {
    const { stack } = web({}, new Stack(new App(), 'Test'));
    expect(mounts(stack).tmpfs).toHaveLength(1);
    expect(hasWarning(stack, CHANGED)).toBe(true);
  });

  test('the flag set to false keeps 0.1.0\'s task storage for the whole app, with no warning', () => {
    const { stack } = web({}, new Stack(testApp({ [CHANGED_DEFAULTS.writablePathsInMemory.flag]: false }), 'Test'));
    expect(mounts(stack).mountPoints).toEqual([{ ContainerPath: '/tmp', ReadOnly: false, SourceVolume: 'app-writable-0' }]);
    expect(hasWarning(stack, CHANGED)).toBe(false);
  });

  test('the flag set on the command line (a string) is read too', () => {
    const { stack } = web({}, new Stack(new App({ context: { [CHANGED_DEFAULTS.writablePathsInMemory.flag]: 'false' } }), 'Test'));
    expect(mounts(stack).tmpfs).toBeUndefined();
  });

  test('an explicit writablePathStorage needs no flag and raises no warning', () => {
    const unset = (name: string) => new Stack(appUnsetting(CHANGED_DEFAULTS.writablePathsInMemory.flag), name);
    const { stack } = web({ containerSecurity: { writablePathStorage: WritablePathStorage.MEMORY } }, unset('Test'));
    expect(hasWarning(stack, WarningId.CHANGED_DEFAULT)).toBe(false);
    expect(hasWarning(web({}, unset('Unset')).stack, WarningId.CHANGED_DEFAULT)).toBe(true);
  });

  test('fails when the flag is neither true nor false', () => {
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => web({}, new Stack(new App({ context: { [CHANGED_DEFAULTS.writablePathsInMemory.flag]: 'yes' } }), 'Test')));
  });

  test.each(['CHANGELOG.md', 'docs/releasing.md'])('%s names every changed default\'s flag and how to keep the old behaviour', file => {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', file), 'utf8');
    for (const change of Object.values(CHANGED_DEFAULTS)) {
      expect(text).toContain(change.flag);
      expect(text).toContain(change.keepOld);
    }
  });

  test('the README and the example app\'s cdk.json name every changed default\'s flag, as a new app sets them', () => {
    const root = path.join(__dirname, '..', '..');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const context = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'cdk.json'), 'utf8')).context;
    for (const change of Object.values(CHANGED_DEFAULTS)) {
      expect(readme).toContain(`"${change.flag}": true`);
      expect(context[change.flag]).toBe(true);
    }
  });
});
