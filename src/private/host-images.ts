import { aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import { HostImage } from '../capacity/host-image';

/** Whether the image runs Windows. */
export function isWindowsHost(hostImage: HostImage): boolean {
  return hostImage === HostImage.WINDOWS_SERVER_2022 || hostImage === HostImage.WINDOWS_SERVER_2025;
}

/**
 * Windows user data that renders cdk-shipyard's own bootstrap and drops aws-cdk-lib's: its
 * Windows bootstrap runs `Initialize-ECSAgent` without task IAM roles, task networking or
 * IMDS blocking, and a second initialization would race the first.
 */
export class WindowsBootstrap extends ec2.UserData {
  constructor(private readonly script: () => string[]) {
    super();
  }
  public addCommands(): void {
    // aws-cdk-lib's capacity provider adds its Windows bootstrap here; ours replaces it.
  }
  public addOnExitCommands(): void {}
  public render(): string {
    return `<powershell>${this.script().join('\n')}</powershell>`;
  }
  public addS3DownloadCommand(): string {
    throw new Error('cdk-shipyard: the Windows bootstrap of AutoScalingCapacity takes no S3 downloads');
  }
  public addExecuteFileCommand(): void {
    throw new Error('cdk-shipyard: the Windows bootstrap of AutoScalingCapacity takes no files to execute');
  }
  public addSignalOnExitCommand(): void {}
}

export function machineImage(hostImage: HostImage, arm: boolean, gpu: boolean): ec2.IMachineImage {
  if (hostImage === HostImage.WINDOWS_SERVER_2022) return ecs.EcsOptimizedImage.windows(ecs.WindowsOptimizedVersion.SERVER_2022);
  if (hostImage === HostImage.WINDOWS_SERVER_2025) return ecs.EcsOptimizedImage.windows(ecs.WindowsOptimizedVersion.SERVER_2025);
  if (hostImage === HostImage.BOTTLEROCKET) {
    return new ecs.BottleRocketImage({
      variant: gpu ? ecs.BottlerocketEcsVariant.AWS_ECS_2_NVIDIA : ecs.BottlerocketEcsVariant.AWS_ECS_2,
      architecture: arm ? ec2.InstanceArchitecture.ARM_64 : ec2.InstanceArchitecture.X86_64,
    });
  }
  const hardware = gpu ? ecs.AmiHardwareType.GPU : arm ? ecs.AmiHardwareType.ARM : ecs.AmiHardwareType.STANDARD;
  return ecs.EcsOptimizedImage.amazonLinux2023(hardware);
}

/**
 * Encrypted gp3 volumes. Amazon Linux keeps images on its root volume (/dev/xvda), Windows
 * on its root volume (/dev/sda1); Bottlerocket has a small OS volume (/dev/xvda) and a data
 * volume (/dev/xvdb) for images and containers. Source: Bottlerocket "Amazon ECS" quickstart,
 * block device mappings.
 */
export function blockDevices(hostImage: HostImage, sizeGiB: number): ec2.BlockDevice[] {
  const volume = (size: number) => ec2.BlockDeviceVolume.ebs(size, {
    encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination: true,
  });
  if (isWindowsHost(hostImage)) return [{ deviceName: '/dev/sda1', volume: volume(sizeGiB) }];
  return hostImage === HostImage.BOTTLEROCKET
    ? [{ deviceName: '/dev/xvda', volume: volume(8) }, { deviceName: '/dev/xvdb', volume: volume(sizeGiB) }]
    : [{ deviceName: '/dev/xvda', volume: volume(sizeGiB) }];
}

export function tomlValue(value: string): string {
  return /^(true|false|-?\d+)$/.test(value) ? value : `"${value}"`;
}
