// How the volumes that take more than a task definition entry are set up: EFS through an
// access point of the workload's own with the task role's grant, EBS volumes ECS configures at
// launch (and the performance ratios EBS holds them to), FSx for Windows File Server shares by
// override; and the check that host and Docker volumes have instances to live on.

import { Size, Stack, Token, aws_ec2 as ec2, aws_ecs as ecs, aws_efs as efs, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EbsVolumeOptions, EfsVolumeOptions, FsxWindowsVolumeOptions, VolumeBindOptions, VolumeConfig } from './volumes';
import { CapacityPlatform } from '../capacity/capacity';
import { checkTaskRoleTrust } from '../environment/roles';
import { checkInteger, checkPattern, checkRange } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { acknowledge } from '../private/nag';
import { scopedIngress } from '../private/scoped-ingress';

/** The largest POSIX uid/gid EFS accepts. Source: Amazon EFS API Reference, PosixUser. */
const MAX_POSIX_ID = 4294967295;

/** An EFS volume: an access point for the workload, the task's volume entry, and the task role's mount (and write) grant. */
export function addEfsVolume(scope: Construct, bind: VolumeBindOptions, name: string, fileSystem: efs.IFileSystem,
  options: EfsVolumeOptions): VolumeConfig {
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
  // EFS RootDirectory Path: 1-100 characters, up to 4 directories, none of $ # < > ; ` | & ? { } ^ *
  // (Amazon EFS API Reference, RootDirectory).
  checkPattern(scope, ErrorCode.VOLUME, `volume ${name} accessPoint.path`, path, /^(\/|(\/[^$#<>;`|&?{}^*/\n]+){1,4})$/,
    'an absolute path of 1-4 directories without $ # < > ; ` | & ? { } ^ *');
  checkRange(scope, ErrorCode.VOLUME, `volume ${name} accessPoint.path length`, path.length, 1, 100);
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
}

/** An EBS volume ECS creates for each task: checked, configured at launch, its key granted and its managed policy acknowledged. */
export function addEbsVolume(scope: Construct, bind: VolumeBindOptions, name: string, options: EbsVolumeOptions): VolumeConfig {
  const fail = (problem: string, fix: string) => new ShipyardError(scope, ErrorCode.VOLUME, `volume ${name} ${problem}`, fix);
  if (bind.platform === CapacityPlatform.EXTERNAL) {
    throw fail('is an EBS volume, and the task runs on ECS Anywhere, where ECS attaches no EBS volumes', 'use Volume.host or Volume.docker on your servers');
  }
  if (bind.windows && bind.platform !== CapacityPlatform.EC2) {
    throw fail(`is an EBS volume, and Windows tasks get EBS volumes on EC2 only (the task runs on ${bind.platform})`,
      'run the Windows workload on EC2 capacity (Capacity.ec2(...))');
  }
  for (const [what, value] of [['sizeGiB', options.sizeGiB], ['iops', options.iops], ['throughputMiBps', options.throughputMiBps],
    ['volumeInitializationRateMiBps', options.volumeInitializationRateMiBps]] as const) {
    checkInteger(scope, ErrorCode.VOLUME, `volume ${name} ${what}`, value);
  }
  checkEbsRatios(fail, options.volumeType ?? ec2.EbsDeviceVolumeType.GP3, options.sizeGiB, options.iops, options.throughputMiBps);
  // ECS assumes the infrastructure role to create and attach the volume (Amazon ECS Developer
  // Guide, "Amazon ECS infrastructure IAM role").
  checkTaskRoleTrust(scope, `volume ${name} infrastructureRole`, options.infrastructureRole, 'ecs.amazonaws.com');
  bind.taskDefinition.addVolume({ name, configuredAtLaunch: true });
  let volume: ecs.ServiceManagedVolume;
  try {
    volume = new ecs.ServiceManagedVolume(scope, `Volume-${name}`, {
      name,
      managedEBSVolume: {
        role: options.infrastructureRole,
        encrypted: true,
        kmsKeyId: options.kmsKey,
        volumeType: options.volumeType ?? ec2.EbsDeviceVolumeType.GP3,
        size: options.sizeGiB === undefined ? undefined : Size.gibibytes(options.sizeGiB),
        snapShotId: options.snapshotId,
        iops: options.iops,
        throughput: options.throughputMiBps,
        volumeInitializationRate: options.volumeInitializationRateMiBps === undefined
          ? undefined : Size.mebibytes(options.volumeInitializationRateMiBps),
        fileSystemType: options.fileSystemType ?? ecs.FileSystemType.XFS,
        // The volumes carry the service's tags (cost allocation, ownership).
        tagSpecifications: [{ propagateTags: ecs.EbsPropagatedTagSource.SERVICE }],
      },
    });
  } catch (e) {
    // aws-cdk-lib checks sizes, IOPS and throughput per volume type; its message names the value.
    throw fail(`is not a valid EBS volume: ${(e as Error).message}`, 'see the limits of the volume type in the EbsVolumeOptions documentation');
  }
  if (options.kmsKey) {
    // What EBS needs of a customer managed key on the creator's behalf. Source: Amazon EBS
    // User Guide, "Amazon EBS encryption", required permissions.
    options.kmsKey.grant(volume.role, 'kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*');
  }
  if (!options.infrastructureRole) {
    acknowledge(volume.role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'ECS creates, attaches and deletes the tasks\' EBS volumes with the AWS managed AmazonECSInfrastructureRolePolicyForVolumes, '
        + 'which limits it to volumes ECS tags as its own.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes'],
    }]);
  }
  return { launchVolume: volume };
}

/** An FSx for Windows File Server share: checked, added by override, its credentials granted and SMB admitted. */
export function addFsxWindowsVolume(scope: Construct, bind: VolumeBindOptions, name: string, options: FsxWindowsVolumeOptions): VolumeConfig {
  const fail = (problem: string, fix: string) => new ShipyardError(scope, ErrorCode.VOLUME, `volume ${name} ${problem}`, fix);
  if (!bind.windows || bind.platform !== CapacityPlatform.EC2) {
    throw fail(`is an FSx for Windows File Server volume, and the task runs ${bind.windows ? 'Windows' : 'Linux'} on ${bind.platform}`,
      'run the workload as a Windows task on EC2 capacity (Capacity.ec2(...) with a Windows host image), or use Volume.efs for Linux tasks');
  }
  if ((options.credentialsSecret === undefined) === (options.credentialsParameter === undefined)) {
    throw fail('needs exactly one of credentialsSecret and credentialsParameter', 'give the secret (or the SSM parameter) that holds the domain user\'s username and password');
  }
  if (!Token.isUnresolved(options.fileSystemId) && !/^fs-[0-9a-f]{8,}$/.test(options.fileSystemId)) {
    throw fail(`fileSystemId ${show(options.fileSystemId)} is not an FSx file system id`, 'give the id, fs- followed by hexadecimal digits');
  }
  const credentials = options.credentialsSecret?.secretArn ?? options.credentialsParameter!.parameterArn;
  // aws-cdk-lib's Volume has no FSx field: the entry this call appends gets it by override
  // (volumes are only ever appended, so its index stays).
  const cfn = bind.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  const index = ((Stack.of(scope).resolve(cfn.volumes) ?? []) as unknown[]).length;
  bind.taskDefinition.addVolume({ name });
  cfn.addPropertyOverride(`Volumes.${index}.FSxWindowsFileServerVolumeConfiguration`, {
    FileSystemId: options.fileSystemId,
    RootDirectory: options.rootDirectory,
    AuthorizationConfig: { CredentialsParameter: credentials, Domain: options.domain },
  });
  const executionRole = bind.taskDefinition.obtainExecutionRole();
  options.credentialsSecret?.grantRead(executionRole);
  options.credentialsParameter?.grantRead(executionRole);
  const group = options.fileSystemSecurityGroup;
  bind.instanceSecurityGroups.forEach((instances, i) => {
    if (!group) return;
    scopedIngress(scope, `Smb-${name}-${i}`, group, instances, ec2.Port.tcp(445), `SMB from the instances of ${scope.node.path}`);
  });
  return {};
}

/** Host and Docker volumes live on instances the workload has: EC2 or ECS Anywhere, not Fargate or Managed Instances. */
export function requireInstances(scope: Construct, name: string, what: string, platform: CapacityPlatform): void {
  if (platform !== CapacityPlatform.EC2 && platform !== CapacityPlatform.EXTERNAL) {
    throw new ShipyardError(scope, ErrorCode.VOLUME, `volume ${name} is ${what}, and the task runs on ${platform} capacity`,
      'run the workload on EC2 instances (Capacity.ec2(...)) or ECS Anywhere, or use Volume.scratch or Volume.efs');
  }
}

/**
 * The ratios EBS holds a volume's performance to, which aws-cdk-lib's per-value ranges do not
 * check. Source: Amazon EBS User Guide, "Amazon EBS volume types": gp3 takes at most 500 IOPS
 * per GiB above its 3,000 IOPS baseline, and at most 0.25 MiB/s of throughput per provisioned
 * IOPS above its 125 MiB/s baseline; io1 50 IOPS per GiB; io2 1,000 IOPS per GiB.
 */
function checkEbsRatios(fail: (problem: string, fix: string) => Error, type: ec2.EbsDeviceVolumeType, size: number | undefined,
  iops: number | undefined, throughput: number | undefined): void {
  const known = (v: number | undefined): v is number => v !== undefined && !Token.isUnresolved(v);
  const t = ec2.EbsDeviceVolumeType;
  const perGiB: { [type: string]: number } = { [t.GP3]: 500, [t.IO1]: 50, [t.IO2]: 1000 };
  if (known(iops) && known(size) && perGiB[type] !== undefined) {
    const most = type === ec2.EbsDeviceVolumeType.GP3 ? Math.max(3000, perGiB[type] * size) : perGiB[type] * size;
    if (iops > most) {
      throw fail(`asks ${iops} IOPS of ${size} GiB; ${type} takes at most ${perGiB[type]} IOPS per GiB (${most} here)`,
        `give at least ${Math.ceil(iops / perGiB[type])} GiB, or at most ${most} IOPS`);
    }
  }
  if (type === ec2.EbsDeviceVolumeType.GP3 && known(throughput) && throughput > 125) {
    const provisioned = known(iops) ? iops : 3000;
    if (throughput > provisioned / 4) {
      throw fail(`asks ${throughput} MiB/s with ${provisioned} IOPS; gp3 takes at most 0.25 MiB/s per IOPS (${provisioned / 4} MiB/s here)`,
        `give at least ${throughput * 4} IOPS, or at most ${provisioned / 4} MiB/s`);
    }
  }
}
