import { aws_ecr as ecr, aws_ecr_assets as ecrAssets, aws_ecs as ecs, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Options for an image built from a local Dockerfile. */
export interface ImageAssetOptions {
  /**
   * Dockerfile name, relative to the directory.
   * @default 'Dockerfile'
   */
  readonly file?: string;
  /**
   * Docker build arguments.
   * @default - none
   */
  readonly buildArgs?: { [key: string]: string };
  /**
   * Docker build target stage.
   * @default - the last stage
   */
  readonly target?: string;
}

/** Options for an image in a registry. */
export interface RegistryImageOptions {
  /**
   * Credentials of a private registry: a Secrets Manager secret with `username` and
   * `password` keys. The execution role may read exactly this secret.
   * @default - anonymous pulls
   */
  readonly credentials?: secretsmanager.ISecret;
}

/** What a workload passes to its image. */
export interface ImageBindOptions {
  /** The task's CPU architecture. */
  readonly cpuArchitecture: ecs.CpuArchitecture;
}

/**
 * The container image of a workload.
 *
 * Local Dockerfiles are built for the task's CPU architecture, so an ARM64 (Graviton)
 * task never receives an x86 image.
 */
export class Image {
  /**
   * An image in a public or private registry, e.g. `public.ecr.aws/nginx/nginx:1.27` or
   * `registry.example.com/team/app@sha256:...` (a digest pins the exact bytes).
   */
  public static fromRegistry(name: string, options: RegistryImageOptions = {}): Image {
    return new Image(() => ecs.ContainerImage.fromRegistry(name, { credentials: options.credentials }), false);
  }

  /** An image in an ECR repository, by tag or digest (`sha256:...`). */
  public static fromEcrRepository(repository: ecr.IRepository, tagOrDigest?: string): Image {
    return new Image(() => ecs.ContainerImage.fromEcrRepository(repository, tagOrDigest), true);
  }

  /** An image built from a local directory with a Dockerfile, for the task's CPU architecture. */
  public static fromAsset(directory: string, options: ImageAssetOptions = {}): Image {
    return new Image((_scope, bind) => ecs.ContainerImage.fromAsset(directory, {
      file: options.file,
      buildArgs: options.buildArgs,
      target: options.target,
      platform: bind.cpuArchitecture === ecs.CpuArchitecture.X86_64
        ? ecrAssets.Platform.LINUX_AMD64
        : ecrAssets.Platform.LINUX_ARM64,
    }), true);
  }

  /**
   * Any `ecs.ContainerImage`. Escape hatch: the image's architecture is not checked.
   */
  public static fromContainerImage(image: ecs.ContainerImage): Image {
    return new Image(() => image, image instanceof ecs.EcrImage || image instanceof ecs.AssetImage);
  }

  private constructor(
    private readonly produce: (scope: Construct, options: ImageBindOptions) => ecs.ContainerImage,
    /** Whether the image is served from ECR (reachable through the ECR VPC endpoints). */
    public readonly fromEcr: boolean,
  ) {}

  /** Resolve the image for a workload. */
  public bind(scope: Construct, options: ImageBindOptions): ecs.ContainerImage {
    return this.produce(scope, options);
  }
}
