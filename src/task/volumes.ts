// The volumes of a workload's task: the options of each kind, and Volume with its factories; the
// setup of the EFS, EBS and FSx for Windows volumes lives beside it in volume-setup.

import {
  aws_ec2 as ec2, aws_ecs as ecs, aws_efs as efs, aws_iam as iam, aws_kms as kms,
  aws_secretsmanager as secretsmanager, aws_ssm as ssm,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { addEbsVolume, addEfsVolume, addFsxWindowsVolume, requireInstances } from './volume-setup';
import { CapacityPlatform } from '../capacity/capacity';
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

/** Options of an EBS volume that ECS creates for each task when it starts the task, and deletes with it. */
export interface EbsVolumeOptions extends MountOptions {
  /**
   * Size in GiB, within the volume type's limits as the installed aws-cdk-lib checks them
   * (gp3: 1-16384 in aws-cdk-lib 2.257, 1-65536 in newer versions, which follow EBS's 2025 limits).
   * @default - the snapshot's size; required without `snapshotId`
   */
  readonly sizeGiB?: number;
  /**
   * The volume type.
   * @default ec2.EbsDeviceVolumeType.GP3
   */
  readonly volumeType?: ec2.EbsDeviceVolumeType;
  /**
   * Provisioned IOPS (gp3, io1 and io2 only; io1 and io2 need it).
   * @default - gp3's baseline of 3,000
   */
  readonly iops?: number;
  /**
   * Provisioned throughput in MiB/s (gp3 only).
   * @default - gp3's baseline of 125 MiB/s
   */
  readonly throughputMiBps?: number;
  /**
   * The snapshot each task's volume is created from.
   * @default - an empty volume
   */
  readonly snapshotId?: string;
  /**
   * The rate at which a volume made from the snapshot is filled, 100-300 MiB/s (with `snapshotId` only).
   * @default - blocks load from the snapshot as they are first read
   */
  readonly volumeInitializationRateMiBps?: number;
  /**
   * The file system ECS formats the volume with (a snapshot's own, for volumes made from one).
   * @default ecs.FileSystemType.XFS
   */
  readonly fileSystemType?: ecs.FileSystemType;
  /**
   * The KMS key the volumes are encrypted with; the volumes are always encrypted.
   * @default - the account's default EBS key (aws/ebs)
   */
  readonly kmsKey?: kms.IKey;
  /**
   * The role ECS uses to create, attach and delete the volumes; it must trust
   * `ecs.amazonaws.com` and allow what `AmazonECSInfrastructureRolePolicyForVolumes` allows.
   * @default - a new role with that AWS managed policy
   */
  readonly infrastructureRole?: iam.IRole;
}

/** Options of an Amazon FSx for Windows File Server volume. */
export interface FsxWindowsVolumeOptions extends MountOptions {
  /** The file system's id (`fs-...`). */
  readonly fileSystemId: string;
  /** The share directory mounted as the volume's root, such as `share` or `share\\app`. */
  readonly rootDirectory: string;
  /** The fully qualified name of the Active Directory domain the file system and the instances are joined to. */
  readonly domain: string;
  /**
   * The secret that holds the domain user's `username` and `password` (JSON). Give this or `credentialsParameter`.
   * @default - `credentialsParameter`
   */
  readonly credentialsSecret?: secretsmanager.ISecret;
  /**
   * The SSM parameter that holds the credentials. Give this or `credentialsSecret`.
   * @default - `credentialsSecret`
   */
  readonly credentialsParameter?: ssm.IParameter;
  /**
   * The file system's security group: the workload's instances are admitted on SMB (TCP 445).
   * @default - none: the file system already admits the instances
   */
  readonly fileSystemSecurityGroup?: ec2.ISecurityGroup;
}

/** What a workload passes to its volumes. */
export interface VolumeBindOptions {
  /** The task definition. */
  readonly taskDefinition: ecs.TaskDefinition;
  /** The task's containers. */
  readonly containers: ecs.ContainerDefinition[];
  /** Where the task runs: host and Docker volumes need instances of the workload's own. */
  readonly platform: CapacityPlatform;
  /** Whether the task runs Windows containers. */
  readonly windows: boolean;
  /** The security groups of the capacity's instances (EC2 Auto Scaling capacity), which mount host-level file systems. */
  readonly instanceSecurityGroups: ec2.ISecurityGroup[];
  /**
   * Whether the task is a managed daemon, which mounts paths of the Managed Instances it runs on.
   * @default false
   */
  readonly managedDaemon?: boolean;
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
  /**
   * The volume ECS configures when it starts each task: the service passes it on.
   * @default - none
   */
  readonly launchVolume?: ecs.ServiceManagedVolume;
}

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
    return new Volume(name, options, (scope, bind) => addEfsVolume(scope, bind, name, fileSystem, options));
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
      if (!bind.managedDaemon) requireInstances(scope, name, 'a host volume', bind.platform);
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

  /**
   * An EBS volume ECS creates for each task of a service when it starts the task, formats,
   * mounts, and deletes when the task stops (one per task: scratch space larger or faster
   * than ephemeral storage, or data preloaded from a snapshot). Encrypted always, gp3 by
   * default, tagged with the service's tags. Services only (ECS takes the volume's settings in
   * CreateService; Scheduler and EventBridge pass none to RunTask), on Fargate (Linux), EC2 or
   * Managed Instances, with the ECS deployment controller (CodeDeploy's task sets take no
   * volume). At most one per task. Source: Amazon ECS Developer Guide, "Use Amazon EBS
   * volumes with Amazon ECS" and "Storage options for Amazon ECS tasks".
   */
  public static ebs(name: string, options: EbsVolumeOptions): Volume {
    return new Volume(name, options, (scope, bind) => addEbsVolume(scope, bind, name, options), true);
  }

  /**
   * An Amazon FSx for Windows File Server share, mounted by the instance for Windows tasks on
   * EC2 (not Fargate). The instances must be joined to the file system's Active Directory
   * domain and not run the Windows Server 2016 Full image; the execution role may read the
   * domain credentials. Source: Amazon ECS Developer Guide, "Use FSx for Windows File Server
   * volumes with Amazon ECS".
   */
  public static fsxWindows(name: string, options: FsxWindowsVolumeOptions): Volume {
    return new Volume(name, options, (scope, bind) => addFsxWindowsVolume(scope, bind, name, options), true);
  }

  private constructor(
    /** The volume's name in the task definition. */
    public readonly name: string,
    private readonly mount: MountOptions,
    private readonly add: (scope: Construct, options: VolumeBindOptions) => VolumeConfig,
    private readonly windowsToo: boolean = false,
  ) {}

  /**
   * Whether Windows tasks can mount the volume.
   * @internal
   */
  public get _windows(): boolean {
    return this.windowsToo;
  }

  /**
   * Add the volume to the task and mount it into its containers.
   * @internal
   */
  public _bind(scope: Construct, options: VolumeBindOptions): VolumeConfig {
    if (!/^[a-zA-Z0-9_-]{1,255}$/.test(this.name)) {
      throw new ShipyardError(scope, ErrorCode.VOLUME, `volume name ${show(this.name)} is not valid`,
        'use up to 255 letters, digits, hyphens and underscores');
    }
    const absolute = options.windows ? /^[A-Za-z]:\\/.test(this.mount.containerPath) : this.mount.containerPath.startsWith('/');
    if (!absolute) {
      throw new ShipyardError(scope, ErrorCode.VOLUME, `volume ${this.name} containerPath ${show(this.mount.containerPath)} is not absolute`,
        options.windows ? 'give an absolute Windows path such as C:\\data' : 'give an absolute path such as /data');
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
