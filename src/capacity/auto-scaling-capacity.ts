import {
  CustomResource, Duration, Names, aws_autoscaling as autoscaling, aws_ec2 as ec2, aws_ecs as ecs, aws_iam as iam, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IEnvironment } from '../environment/environment';
import { checkInteger, checkRange, isKnown } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';
import { addDeletionGuard } from '../private/asg-deletion-guard';
import { grantEcsAgent } from '../private/ecs-agent';
import { acknowledge } from '../private/nag';

/** The operating system of EC2 container instances (ECS-optimized images, latest version at each deployment). */
export enum HostImage {
  /** Amazon Linux 2023 ECS-optimized: a general-purpose OS, configured through `/etc/ecs/ecs.config`. */
  AMAZON_LINUX_2023 = 'AMAZON_LINUX_2023',
  /**
   * Bottlerocket (`aws-ecs-2` variant): a minimal, immutable OS built only to run containers,
   * configured through TOML settings; no shell or package manager on the host.
   */
  BOTTLEROCKET = 'BOTTLEROCKET',
  /** Windows Server 2022 Full ECS-optimized (x86_64), for Windows containers based on ltsc2022 images. */
  WINDOWS_SERVER_2022 = 'WINDOWS_SERVER_2022',
  /** Windows Server 2025 Full ECS-optimized (x86_64), for Windows containers based on ltsc2025 images. */
  WINDOWS_SERVER_2025 = 'WINDOWS_SERVER_2025',
}

/** Whether the image runs Windows. */
function isWindowsHost(hostImage: HostImage): boolean {
  return hostImage === HostImage.WINDOWS_SERVER_2022 || hostImage === HostImage.WINDOWS_SERVER_2025;
}

/**
 * Windows user data that renders cdk-shipyard's own bootstrap and drops aws-cdk-lib's: its
 * Windows bootstrap runs `Initialize-ECSAgent` without task IAM roles, task networking or
 * IMDS blocking, and a second initialization would race the first.
 */
class WindowsBootstrap extends ec2.UserData {
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

/** Properties of an AutoScalingCapacity. */
export interface AutoScalingCapacityProps {
  /** The environment whose cluster gains the capacity provider. Must be an `Environment` of this app. */
  readonly environment: IEnvironment;
  /**
   * Instance types, all of one CPU architecture. With several, the group may launch any of
   * them (the first is preferred on-demand); Spot needs several to stay available.
   * @default - m7g.large (Graviton); with `spot`, m7g.large, m6g.large and m7g.xlarge; on Windows
   * (x86_64 only), m7i.large, or m7i.large, m6i.large and m5.large with `spot`
   */
  readonly instanceTypes?: ec2.InstanceType[];
  /**
   * Operating system of the instances.
   * @default HostImage.AMAZON_LINUX_2023
   */
  readonly hostImage?: HostImage;
  /**
   * Use the GPU (NVIDIA) variant of the image; pick GPU instance types.
   * @default false
   */
  readonly gpu?: boolean;
  /**
   * Launch Spot instances (price-capacity-optimized allocation, capacity rebalancing, ECS
   * Spot draining on the two-minute notice) instead of On-Demand.
   * @default false
   */
  readonly spot?: boolean;
  /**
   * Fewest instances.
   * @default 0 - managed scaling launches instances when tasks need them
   */
  readonly minCapacity?: number;
  /**
   * Most instances.
   * @default 10
   */
  readonly maxCapacity?: number;
  /**
   * Let ECS scale the group to fit the tasks (managed scaling).
   * @default true
   */
  readonly managedScaling?: boolean;
  /**
   * Instance utilization that managed scaling aims for, in percent (100 = no spare
   * instances; lower keeps headroom for faster task starts).
   * @default 100
   */
  readonly targetCapacityPercent?: number;
  /**
   * Keep the group from terminating instances that run tasks (managed termination
   * protection). Needs managed scaling.
   * @default true
   */
  readonly managedTerminationProtection?: boolean;
  /**
   * Drain an instance's tasks (replacements started elsewhere) before the group terminates it.
   * @default true
   */
  readonly managedDraining?: boolean;
  /**
   * Seconds a new instance needs before its metrics count for managed scaling.
   * @default Duration.seconds(300)
   */
  readonly instanceWarmup?: Duration;
  /**
   * Size of the encrypted volume that holds images and containers (the root volume on
   * Amazon Linux, the data volume on Bottlerocket), GiB.
   * @default - 30 (Amazon Linux, Bottlerocket); 50 on Windows
   */
  readonly volumeSizeGiB?: number;
  /**
   * More ECS container agent settings. On Amazon Linux, `ECS_*` variables written to
   * `/etc/ecs/ecs.config` (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-config.html);
   * on Bottlerocket, keys of `settings.ecs` (for example `image-pull-behavior`); on Windows,
   * `ECS_*` machine environment variables set before the agent starts. They override the
   * defaults set here.
   * @default - Amazon Linux: ECS_AWSVPC_BLOCK_IMDS=true, ECS_DISABLE_PRIVILEGED=true, and Spot draining on Spot
   */
  readonly agentConfiguration?: { [key: string]: string };
  /**
   * Topic for the group's launch and terminate notifications (successes and errors).
   * @default - the environment's alarm topic; none when it has none
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Name of the capacity provider.
   * @default - generated by CloudFormation
   */
  readonly capacityProviderName?: string;
}

/** Amazon Linux agent settings cdk-shipyard writes unless overridden. Source: ECS Developer Guide, "Amazon ECS container agent configuration". */
const AGENT_DEFAULTS: { [key: string]: string } = {
  // awsvpc tasks cannot reach the instance metadata (the instance role); bridge-mode tasks
  // are kept out by IMDSv2 with a hop limit of 1.
  ECS_AWSVPC_BLOCK_IMDS: 'true',
  ECS_DISABLE_PRIVILEGED: 'true',
};

/**
 * EC2 capacity for an environment: an Auto Scaling group of ECS-optimized instances and
 * the capacity provider that scales it, in the environment's private subnets.
 *
 * Instances require IMDSv2 (hop limit 1, so containers in bridge mode cannot reach it),
 * have encrypted gp3 volumes and no public IP, and run with a role that can only register
 * with this cluster. On stack deletion a guard force-deletes the group after the services
 * on it are gone, so `cdk destroy` completes even with managed termination protection.
 */
export class AutoScalingCapacity extends Construct {
  /**
   * The container instance attribute that names the capacity an instance belongs to, so a
   * daemon can be placed on the instances of chosen capacity only.
   */
  public static readonly INSTANCE_ATTRIBUTE = 'cdk-shipyard.capacity';

  /** The Auto Scaling group. */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The ECS capacity provider. */
  public readonly capacityProvider: ecs.AsgCapacityProvider;
  /** The capacity provider's name, for strategies. */
  public readonly capacityProviderName: string;
  /** The launch template of the instances. */
  public readonly launchTemplate: ec2.LaunchTemplate;
  /** The instances' role (ECS agent permissions for this cluster only). */
  public readonly instanceRole: iam.Role;
  /** The instances' security group: no inbound rule until a workload in bridge or host mode needs one. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The instances' connections. */
  public readonly connections: ec2.Connections;
  /** The CPU architecture of the instances. */
  public readonly cpuArchitecture: ecs.CpuArchitecture;
  /** Whether the instances are Spot instances. */
  public readonly spot: boolean;
  /** The operating system image of the instances. */
  public readonly hostImage: HostImage;
  /** Whether the instances run Windows (and so run Windows tasks only). */
  public readonly windows: boolean;
  /** The custom resource that force-deletes the group on stack deletion; services on it depend on it. */
  public readonly deletionGuard: CustomResource;
  /** The value of the `cdk-shipyard.capacity` attribute the instances register with. */
  public readonly instanceAttributeValue: string;

  constructor(scope: Construct, id: string, props: AutoScalingCapacityProps) {
    super(scope, id);
    const env = props.environment;
    const cluster = env.cluster;
    if (!(cluster instanceof ecs.Cluster)) {
      throw new ShipyardError(this, ErrorCode.CAPACITY_PROVIDER, `the environment's cluster ${show(cluster.node.path)} is imported`,
        'add EC2 capacity in the app that creates the Environment; an imported cluster cannot gain capacity providers here');
    }
    this.spot = props.spot ?? false;
    const hostImage = props.hostImage ?? HostImage.AMAZON_LINUX_2023;
    this.hostImage = hostImage;
    const bottlerocket = hostImage === HostImage.BOTTLEROCKET;
    const windows = isWindowsHost(hostImage);
    this.windows = windows;
    const defaults = windows
      ? (this.spot ? ['m7i.large', 'm6i.large', 'm5.large'] : ['m7i.large'])
      : (this.spot ? ['m7g.large', 'm6g.large', 'm7g.xlarge'] : ['m7g.large']);
    const instanceTypes = props.instanceTypes ?? defaults.map(t => new ec2.InstanceType(t));
    const settings = this.checkProps(props, instanceTypes);
    this.cpuArchitecture = settings.arm ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: env.vpc,
      description: `${this.node.path}: ECS container instances; inbound only from load balancers of bridge or host mode workloads`,
      allowAllOutbound: true,
    });
    this.connections = this.securityGroup.connections;
    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `${this.node.path}: ECS container agent of cluster instances`,
    });
    grantEcsAgent(this.instanceRole, cluster);

    this.instanceAttributeValue = Names.uniqueId(this).slice(-128);
    const userData = windows ? new WindowsBootstrap(() => this.windowsBootstrap(cluster, props))
      : bottlerocket ? ec2.UserData.custom('') : ec2.UserData.forLinux();
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: machineImage(hostImage, settings.arm, props.gpu ?? false),
      instanceType: this.spot ? undefined : instanceTypes[0],
      userData,
      // aws-cdk-lib's capacity provider adds managed policies to the instance role for
      // Bottlerocket; the role is kept to the statements above.
      role: this.instanceRole.withoutPolicyUpdates(),
      securityGroup: this.securityGroup,
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      associatePublicIpAddress: false,
      detailedMonitoring: true,
      ebsOptimized: true,
      blockDevices: blockDevices(hostImage, settings.volumeSizeGiB),
    });

    const topic = props.notificationTopic ?? env.alarmTopic;
    const many = instanceTypes.length > 1 || this.spot;
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'AutoScalingGroup', {
      vpc: env.vpc,
      vpcSubnets: env.taskSubnets,
      launchTemplate: many ? undefined : this.launchTemplate,
      mixedInstancesPolicy: many ? {
        launchTemplate: this.launchTemplate,
        launchTemplateOverrides: instanceTypes.map(instanceType => ({ instanceType })),
        instancesDistribution: {
          onDemandBaseCapacity: 0,
          onDemandPercentageAboveBaseCapacity: this.spot ? 0 : 100,
          onDemandAllocationStrategy: autoscaling.OnDemandAllocationStrategy.PRIORITIZED,
          spotAllocationStrategy: this.spot ? autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED : undefined,
        },
      } : undefined,
      capacityRebalance: this.spot ? true : undefined,
      minCapacity: settings.minCapacity,
      maxCapacity: settings.maxCapacity,
      notifications: topic ? [{ topic, scalingEvents: autoscaling.ScalingEvents.ALL }] : undefined,
      groupMetrics: [autoscaling.GroupMetrics.all()],
    });
    if (many) {
      // cdk-nag reads the group's LaunchTemplate property, not a mixed instances policy's.
      const reason = 'The group launches every instance from the mixed instances policy\'s launch template, which requires IMDSv2 '
        + '(HttpTokens required, hop limit 1) and encrypts every EBS volume; the rule reads only the group\'s own LaunchTemplate property.';
      acknowledge(this.autoScalingGroup, [
        { id: 'AwsSolutions-EC26', reason },
        { id: 'NIST.800.53.R5-EC2IMDSv2Enabled', reason },
        { id: 'HIPAA.Security-EC2IMDSv2Enabled', reason },
      ]);
    }
    if (!topic) {
      acknowledge(this.autoScalingGroup, [{
        id: 'AwsSolutions-AS3',
        reason: 'The environment has no alarm topic; pass Environment alarmTopic (or notificationTopic) to receive launch and terminate notifications.',
      }]);
    }

    this.capacityProvider = new ecs.AsgCapacityProvider(this, 'CapacityProvider', {
      autoScalingGroup: this.autoScalingGroup,
      capacityProviderName: props.capacityProviderName,
      enableManagedScaling: settings.managedScaling,
      enableManagedTerminationProtection: settings.managedTerminationProtection,
      enableManagedDraining: props.managedDraining ?? true,
      targetCapacityPercent: settings.targetCapacityPercent,
      instanceWarmupPeriod: props.instanceWarmup?.toSeconds() ?? 300,
      machineImageType: bottlerocket ? ecs.MachineImageType.BOTTLEROCKET : ecs.MachineImageType.AMAZON_LINUX_2,
    });
    // With managed draining or termination protection, aws-cdk-lib adds no drain-hook function.
    cluster.addAsgCapacityProvider(this.capacityProvider);
    this.capacityProviderName = this.capacityProvider.capacityProviderName;
    // aws-cdk-lib writes the cluster name first; the settings follow it.
    if (windows) {
      // The bootstrap renders itself (windowsBootstrap).
    } else if (bottlerocket) {
      const toml = { ...(this.spot ? { 'enable-spot-instance-draining': 'true' } : {}), ...(props.agentConfiguration ?? {}) };
      for (const [key, value] of Object.entries(toml)) userData.addCommands(`${key} = ${tomlValue(value)}`);
      userData.addCommands('[settings.ecs.instance-attributes]', `"${AutoScalingCapacity.INSTANCE_ATTRIBUTE}" = "${this.instanceAttributeValue}"`);
    } else {
      const agent = {
        ...AGENT_DEFAULTS,
        ...(this.spot ? { ECS_ENABLE_SPOT_INSTANCE_DRAINING: 'true' } : {}),
        ECS_INSTANCE_ATTRIBUTES: JSON.stringify({ [AutoScalingCapacity.INSTANCE_ATTRIBUTE]: this.instanceAttributeValue }),
        ...(props.agentConfiguration ?? {}),
      };
      for (const [key, value] of Object.entries(agent)) userData.addCommands(`echo '${key}=${value}' >> /etc/ecs/ecs.config`);
    }

    this.deletionGuard = addDeletionGuard(this, this.autoScalingGroup, {
      owner: env,
      retention: env.logRetention,
      deleteBefore: [cluster, this.capacityProvider],
    });
  }

  private checkProps(props: AutoScalingCapacityProps, instanceTypes: ec2.InstanceType[]) {
    const fail = (problem: string, fix: string) => new ShipyardError(this, ErrorCode.CAPACITY_PROVIDER, problem, fix);
    if (instanceTypes.length === 0) throw fail('instanceTypes is empty', 'name at least one instance type, or leave instanceTypes out');
    const architectures = new Set(instanceTypes.map(t => t.architecture));
    if (architectures.size > 1) {
      throw fail(`instanceTypes mix CPU architectures (${instanceTypes.map(t => `${t}: ${t.architecture}`).join(', ')})`,
        'use Graviton (ARM64) types only or x86_64 types only; add a second AutoScalingCapacity for the other architecture');
    }
    const arm = instanceTypes[0].architecture === ec2.InstanceArchitecture.ARM_64;
    if (instanceTypes.length > 20) throw fail(`instanceTypes has ${instanceTypes.length} types`, 'name at most 20 (the mixed instances policy limit)');
    const minCapacity = props.minCapacity ?? 0;
    const maxCapacity = props.maxCapacity ?? 10;
    checkInteger(this, ErrorCode.CAPACITY_PROVIDER, 'minCapacity', minCapacity);
    checkInteger(this, ErrorCode.CAPACITY_PROVIDER, 'maxCapacity', maxCapacity);
    checkRange(this, ErrorCode.CAPACITY_PROVIDER, 'minCapacity', minCapacity, 0, 10000);
    checkRange(this, ErrorCode.CAPACITY_PROVIDER, 'maxCapacity', maxCapacity, 1, 10000);
    if (isKnown(minCapacity) && isKnown(maxCapacity) && minCapacity > maxCapacity) {
      throw fail(`minCapacity ${minCapacity} is above maxCapacity ${maxCapacity}`, 'lower minCapacity or raise maxCapacity');
    }
    const managedScaling = props.managedScaling ?? true;
    const managedTerminationProtection = props.managedTerminationProtection ?? managedScaling;
    if (managedTerminationProtection && !managedScaling) {
      throw fail('managedTerminationProtection is on while managedScaling is off',
        'turn managedScaling on, or set managedTerminationProtection: false (ECS protects instances only while it scales the group)');
    }
    // Source: ECS API Reference, ManagedScaling: targetCapacity 1-100, instanceWarmupPeriod 0-10000.
    const targetCapacityPercent = props.targetCapacityPercent ?? 100;
    checkInteger(this, ErrorCode.CAPACITY_PROVIDER, 'targetCapacityPercent', targetCapacityPercent);
    checkRange(this, ErrorCode.CAPACITY_PROVIDER, 'targetCapacityPercent', targetCapacityPercent, 1, 100);
    if (props.managedDraining === false && !managedTerminationProtection) {
      throw fail('managedDraining and managedTerminationProtection are both off',
        'keep managedDraining on: without either, the group terminates instances with their tasks still running');
    }
    if (!managedScaling && props.targetCapacityPercent !== undefined) {
      throw fail('targetCapacityPercent is set while managedScaling is off', 'turn managedScaling on, or leave targetCapacityPercent out');
    }
    checkRange(this, ErrorCode.CAPACITY_PROVIDER, 'instanceWarmup (seconds)', props.instanceWarmup?.toSeconds(), 0, 10000);
    const windows = isWindowsHost(props.hostImage ?? HostImage.AMAZON_LINUX_2023);
    if (windows && arm) {
      throw fail(`Windows instances are x86_64, and instanceTypes are Graviton (${instanceTypes.join(', ')})`,
        'pick x86_64 instance types (m7i, m6i, c7i...) for Windows');
    }
    if (windows && props.gpu) throw fail('gpu is set for Windows instances', 'GPU images are Amazon Linux or Bottlerocket; use one of them');
    const volumeSizeGiB = props.volumeSizeGiB ?? (windows ? 50 : 30);
    checkInteger(this, ErrorCode.CAPACITY_PROVIDER, 'volumeSizeGiB', volumeSizeGiB);
    // The ECS-optimized Amazon Linux 2023 image's root snapshot is 30 GiB; gp3 allows up to 16 TiB.
    checkRange(this, ErrorCode.CAPACITY_PROVIDER, 'volumeSizeGiB', volumeSizeGiB, 30, 16384);
    if (props.gpu && arm && (props.hostImage ?? HostImage.AMAZON_LINUX_2023) === HostImage.AMAZON_LINUX_2023) {
      throw fail('gpu is set with Graviton instance types', 'the Amazon Linux 2023 GPU image is x86_64: pick x86_64 GPU instance types (g5, g6, p4...)');
    }
    this.checkAgentConfiguration(props);
    return { arm, minCapacity, maxCapacity, managedScaling, managedTerminationProtection, targetCapacityPercent, volumeSizeGiB };
  }

  /**
   * The Windows bootstrap. Source: Amazon ECS Developer Guide, "Bootstrapping Windows container
   * instances with user data" (Initialize-ECSAgent with task IAM roles, task ENIs and IMDS
   * blocking for awsvpc tasks, awslogs through the execution role).
   */
  private windowsBootstrap(cluster: ecs.Cluster, props: AutoScalingCapacityProps): string[] {
    const variables: { [key: string]: string } = {
      ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE: 'true',
      ...(this.spot ? { ECS_ENABLE_SPOT_INSTANCE_DRAINING: 'true' } : {}),
      ECS_INSTANCE_ATTRIBUTES: JSON.stringify({ [AutoScalingCapacity.INSTANCE_ATTRIBUTE]: this.instanceAttributeValue }),
      ...(props.agentConfiguration ?? {}),
    };
    return [
      'Remove-Item -Recurse -ErrorAction SilentlyContinue C:\\ProgramData\\Amazon\\ECS\\Cache',
      'Import-Module ECSTools',
      ...Object.entries(variables).map(([key, value]) => `[Environment]::SetEnvironmentVariable('${key}', '${value}', 'Machine')`),
      `Initialize-ECSAgent -Cluster '${cluster.clusterName}' -EnableTaskIAMRole -EnableTaskENI -AwsvpcBlockIMDS -LoggingDrivers '["json-file","awslogs"]'`,
    ];
  }

  private checkAgentConfiguration(props: AutoScalingCapacityProps): void {
    const bottlerocket = props.hostImage === HostImage.BOTTLEROCKET;
    const pattern = bottlerocket ? /^[a-z0-9][a-z0-9-]*$/ : /^ECS_[A-Z0-9_]+$/;
    for (const [key, value] of Object.entries(props.agentConfiguration ?? {})) {
      if (!pattern.test(key) || ['ECS_CLUSTER', 'cluster', 'ECS_INSTANCE_ATTRIBUTES', 'instance-attributes'].includes(key)) {
        throw new ShipyardError(this, ErrorCode.CAPACITY_PROVIDER, `agentConfiguration key ${show(key)} is not ${bottlerocket
          ? 'a Bottlerocket settings.ecs key' : 'an ECS agent variable'}`,
        bottlerocket ? 'use settings.ecs keys such as image-pull-behavior (the cluster is set for you)'
          : 'use ECS_* variable names such as ECS_IMAGE_PULL_BEHAVIOR (the cluster and instance attributes are set for you)');
      }
      if (/['\n\r"\\]/.test(value)) {
        throw new ShipyardError(this, ErrorCode.CAPACITY_PROVIDER, `agentConfiguration ${key} has a quote, backslash or line break (${show(value)})`,
          'agent settings are single-line values without quotes');
      }
    }
  }
}

function machineImage(hostImage: HostImage, arm: boolean, gpu: boolean): ec2.IMachineImage {
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
function blockDevices(hostImage: HostImage, sizeGiB: number): ec2.BlockDevice[] {
  const volume = (size: number) => ec2.BlockDeviceVolume.ebs(size, {
    encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination: true,
  });
  if (isWindowsHost(hostImage)) return [{ deviceName: '/dev/sda1', volume: volume(sizeGiB) }];
  return hostImage === HostImage.BOTTLEROCKET
    ? [{ deviceName: '/dev/xvda', volume: volume(8) }, { deviceName: '/dev/xvdb', volume: volume(sizeGiB) }]
    : [{ deviceName: '/dev/xvda', volume: volume(sizeGiB) }];
}

function tomlValue(value: string): string {
  return /^(true|false|-?\d+)$/.test(value) ? value : `"${value}"`;
}
