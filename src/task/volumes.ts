import { aws_ecs as ecs, aws_efs as efs, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CapacityPlatform } from '../capacity/capacity';
import { checkInteger, checkRange } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/** Where a volume appears in the task's containers. */
export interface MountOptions {
  /** Absolute path inside the containers. */
  readonly containerPath: string;
  /**
   * Mount read-only.
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * Names of the containers that mount the volume.
   * @default - the main container
   */
  readonly containers?: string[];
}

/** The POSIX identity and directory a workload's EFS access point enforces. */
export interface AccessPointOptions {
  /**
   * User id every file operation runs as (0-4294967295).
   * @default 1000 - the baseline's non-root user
   */
  readonly uid?: number;
  /**
   * Group id every file operation runs as (0-4294967295).
   * @default 1000
   */
  readonly gid?: number;
  /**
   * Directory of the file system the workload sees as its root; created with the uid/gid
   * as owner and mode 750 when missing.
   * @default - '/' followed by the volume name
   */
  readonly path?: string;
}

/** Options of an EFS volume. */
export interface EfsVolumeOptions extends MountOptions {
  /**
   * The access point the workload mounts through (one per workload).
   * @default - uid/gid 1000 and the directory '/<volume name>'
   */
  readonly accessPoint?: AccessPointOptions;
}

/** Options of a host volume: a directory of the instance, mounted into the containers. */
export interface HostVolumeOptions extends MountOptions {
  /** The absolute path on the instance (created by Docker when missing). */
  readonly sourcePath: string;
}

/** Options of a Docker volume, managed by a Docker volume driver on the instance. */
export interface DockerVolumeOptions extends MountOptions {
  /**
   * The volume driver.
   * @default 'local'
   */
  readonly driver?: string;
  /**
   * Options passed to the driver (`docker volume create --opt`).
   * @default - none
   */
  readonly driverOptions?: { [key: string]: string };
  /**
   * Labels of the volume.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Keep the volume after the task stops (`SHARED`, reused by the instance's later tasks;
   * `autoprovision` creates it when missing) instead of removing it with the task (`TASK`).
   * @default ecs.Scope.TASK
   */
  readonly scope?: ecs.Scope;
}

/** What a workload passes to its volumes. */
export interface VolumeBindOptions {
  /** The task definition. */
  readonly taskDefinition: ecs.TaskDefinition;
  /** The task's containers. */
  readonly containers: ecs.ContainerDefinition[];
  /** Where the task runs: host and Docker volumes need instances of the workload's own. */
  readonly platform: CapacityPlatform;
}

/** A volume once added to a task. */
export interface VolumeConfig {
  /**
   * The file system whose security group must admit the workload.
   * @default - nothing to open
   */
  readonly fileSystem?: efs.IFileSystem;
  /**
   * The access point created for the workload.
   * @default - none
   */
  readonly accessPoint?: efs.IAccessPoint;
}

/** The largest POSIX uid/gid EFS accepts. Source: Amazon EFS API Reference, PosixUser. */
const MAX_POSIX_ID = 4294967295;

/**
 * A volume of a workload's task.
 *
 * EFS volumes always use transit encryption and IAM authorization through an access
 * point per workload; the task role may mount (and write, unless read-only) through that
 * access point only.
 */
export class Volume {
  /**
   * An EFS file system (a `SharedFileSystem`'s, or an imported one), mounted through an
   * access point the workload creates.
   */
  public static efs(name: string, fileSystem: efs.IFileSystem, options: EfsVolumeOptions): Volume {
    return new Volume(name, options, (scope, bind) => {
      const ap = options.accessPoint ?? {};
      const uid = ap.uid ?? 1000;
      const gid = ap.gid ?? 1000;
      for (const [what, value] of [['accessPoint.uid', uid], ['accessPoint.gid', gid]] as const) {
        checkInteger(scope, ErrorCode.VOLUME, `volume ${name} ${what}`, value);
        checkRange(scope, ErrorCode.VOLUME, `volume ${name} ${what}`, value, 0, MAX_POSIX_ID);
      }
      const path = ap.path ?? `/${name}`;
      if (!path.startsWith('/')) {
        throw new ShipyardError(scope, ErrorCode.VOLUME, `volume ${name} accessPoint.path ${show(path)} is not absolute`,
          'give a directory of the file system that starts with /');
      }
      const accessPoint = new efs.AccessPoint(scope, `AccessPoint-${name}`, {
        fileSystem,
        path,
        posixUser: { uid: String(uid), gid: String(gid) },
        createAcl: { ownerUid: String(uid), ownerGid: String(gid), permissions: '750' },
      });
      bind.taskDefinition.addVolume({
        name,
        efsVolumeConfiguration: {
          fileSystemId: fileSystem.fileSystemId,
          transitEncryption: 'ENABLED',
          authorizationConfig: { accessPointId: accessPoint.accessPointId, iam: 'ENABLED' },
        },
      });
      bind.taskDefinition.addToTaskRolePolicy(new iam.PolicyStatement({
        actions: options.readOnly
          ? ['elasticfilesystem:ClientMount']
          : ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        resources: [fileSystem.fileSystemArn],
        conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPoint.accessPointArn } },
      }));
      return { fileSystem, accessPoint };
    });
  }

  /**
   * Scratch space that lives as long as the task, shared between the containers that
   * mount it (for instance files an init container prepares for the main container).
   */
  public static scratch(name: string, options: MountOptions): Volume {
    return new Volume(name, options, (_scope, bind) => {
      bind.taskDefinition.addVolume({ name });
      return {};
    });
  }

  /**
   * A directory of the EC2 instance (or ECS Anywhere server) mounted into the containers: what
   * a `DaemonService` log or security agent reads (`/var/log`, `/var/run/docker.sock`), or data
   * an instance keeps between tasks. EC2 and ECS Anywhere capacity only (ECS takes `sourcePath`
   * for tasks on instances only). Mount it read-only unless the agent must write.
   */
  public static host(name: string, options: HostVolumeOptions): Volume {
    return new Volume(name, options, (scope, bind) => {
      requireInstances(scope, name, 'a host volume', bind.platform);
      if (!options.sourcePath.startsWith('/') && !/^[A-Za-z]:\\/.test(options.sourcePath)) {
        throw new ShipyardError(scope, ErrorCode.VOLUME, `volume ${name} sourcePath ${show(options.sourcePath)} is not absolute`,
          'give an absolute path on the instance, such as /var/log');
      }
      bind.taskDefinition.addVolume({ name, host: { sourcePath: options.sourcePath } });
      return {};
    });
  }

  /**
   * A Docker volume managed by a volume driver on the instance (`local`, or a plugin such as a
   * block-storage driver). EC2 and ECS Anywhere capacity only.
   */
  public static docker(name: string, options: DockerVolumeOptions): Volume {
    return new Volume(name, options, (scope, bind) => {
      requireInstances(scope, name, 'a Docker volume', bind.platform);
      const volumeScope = options.scope ?? ecs.Scope.TASK;
      bind.taskDefinition.addVolume({
        name,
        dockerVolumeConfiguration: {
          driver: options.driver ?? 'local',
          scope: volumeScope,
          // Only a shared volume can be provisioned once and reused (ECS API Reference, DockerVolumeConfiguration).
          autoprovision: volumeScope === ecs.Scope.SHARED ? true : undefined,
          driverOpts: options.driverOptions,
          labels: options.labels,
        },
      });
      return {};
    });
  }

  private constructor(
    /** The volume's name in the task definition. */
    public readonly name: string,
    private readonly mount: MountOptions,
    private readonly add: (scope: Construct, options: VolumeBindOptions) => VolumeConfig,
  ) {}

  /**
   * Add the volume to the task and mount it into its containers.
   * @internal
   */
  public _bind(scope: Construct, options: VolumeBindOptions): VolumeConfig {
    if (!/^[a-zA-Z0-9_-]{1,255}$/.test(this.name)) {
      throw new ShipyardError(scope, ErrorCode.VOLUME, `volume name ${show(this.name)} is not valid`,
        'use up to 255 letters, digits, hyphens and underscores');
    }
    if (!this.mount.containerPath.startsWith('/')) {
      throw new ShipyardError(scope, ErrorCode.VOLUME, `volume ${this.name} containerPath ${show(this.mount.containerPath)} is not absolute`,
        'give an absolute path such as /data');
    }
    const names = this.mount.containers ?? [options.containers[0].containerName];
    const targets = names.map(containerName => {
      const container = options.containers.find(c => c.containerName === containerName);
      if (!container) {
        throw new ShipyardError(scope, ErrorCode.VOLUME, `volume ${this.name} is mounted into ${show(containerName)}, which is not a container of the task`,
          `mount it into one of ${options.containers.map(c => c.containerName).join(', ')}`);
      }
      return container;
    });
    const config = this.add(scope, options);
    for (const container of targets) {
      container.addMountPoints({ sourceVolume: this.name, containerPath: this.mount.containerPath, readOnly: this.mount.readOnly ?? false });
    }
    return config;
  }
}

/** Host and Docker volumes live on instances the workload has: EC2 or ECS Anywhere, not Fargate or Managed Instances. */
function requireInstances(scope: Construct, name: string, what: string, platform: CapacityPlatform): void {
  if (platform !== CapacityPlatform.EC2 && platform !== CapacityPlatform.EXTERNAL) {
    throw new ShipyardError(scope, ErrorCode.VOLUME, `volume ${name} is ${what}, and the task runs on ${platform} capacity`,
      'run the workload on EC2 instances (Capacity.ec2(...)) or ECS Anywhere, or use Volume.scratch or Volume.efs');
  }
}
