import { Stack, Token, aws_ecr as ecr, aws_ecr_assets as ecrAssets, aws_ecs as ecs, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkPattern } from '../guardrails/checks';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/**
 * A private ECR image: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:tag|@digest]`
 * (Amazon ECR User Guide, "Private registry concepts": the registry URI format).
 */
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._\/-]*?)(?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})?$/;

/**
 * An image reference as Docker parses it: `[host[:port]/]path[:tag][@digest]`, path components
 * of lowercase letters and digits joined by `.`, `_`, `__` or `-`, a tag of up to 128 word
 * characters, dots and dashes, a digest `algorithm:hex` (distribution/reference, grammar).
 */
const IMAGE_REFERENCE = new RegExp('^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?/)?'
  + '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*'
  + '(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$');

/** Whether Docker takes `name` as an image reference (for the importers, which check before they write). */
export function isImageReference(name: string): boolean {
  return IMAGE_REFERENCE.test(name);
}

function checkImageReference(scope: Construct, name: string): void {
  if (Token.isUnresolved(name)) return;
  if (!IMAGE_REFERENCE.test(name)) {
    throw new ShipyardError(scope, ErrorCode.IMAGE, `image reference ${show(name)} is not valid`,
      'give [registry/]repository[:tag][@sha256:digest] with a lowercase repository, such as public.ecr.aws/nginx/nginx:1.27');
  }
}

/**
 * A registry image that is a private ECR image: rendered exactly as given, with the pull
 * granted to the execution role (ECS pulls ECR images with it, never with registry
 * credentials), as `ecs.ContainerImage.fromEcrRepository` grants it.
 */
class EcrUriImage extends ecs.ContainerImage {
  constructor(private readonly name: string, private readonly repositoryArn: (scope: Construct) => string, private readonly repositoryName: string) {
    super();
  }

  public bind(scope: Construct, containerDefinition: ecs.ContainerDefinition): ecs.ContainerImageConfig {
    // aws-cdk-lib binds a container's image with the container definition as scope: one per container.
    const repository = ecr.Repository.fromRepositoryAttributes(scope, 'ImageRepository', {
      repositoryArn: this.repositoryArn(scope), repositoryName: this.repositoryName,
    });
    repository.grantPull(containerDefinition.taskDefinition.obtainExecutionRole());
    return { imageName: this.name };
  }
}

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
  /**
   * The CPU architectures the image is published for. A task whose architecture is left to
   * its default follows them (an x86-only image runs on X86_64 tasks instead of the ARM64
   * default); a task set to another architecture fails at synth.
   * @default - unknown: the task's default architecture applies (ARM64 on Fargate), with the
   * warning `cdk-shipyard:image-architecture`
   */
  readonly architectures?: ecs.CpuArchitecture[];
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
    const ecrImage = Token.isUnresolved(name) ? null : ECR_IMAGE.exec(name);
    if (ecrImage) {
      // A private ECR image: the execution role is granted the pull of its repository.
      const [, account, region, repositoryName] = ecrImage;
      return new Image((scope) => {
        if (options.credentials) {
          throw new ShipyardError(scope, ErrorCode.IMAGE, `${show(name)} is a private ECR image, which ECS pulls with the task's execution role, not with registry credentials`,
            'leave credentials out (the execution role is granted the pull), or use Image.fromEcrRepository');
        }
        const arn = (s: Construct) => `arn:${Stack.of(s).partition}:ecr:${region}:${account}:repository/${repositoryName}`;
        return new EcrUriImage(name, arn, repositoryName);
      }, true, options.architectures, true);
    }
    return new Image((scope) => {
      checkImageReference(scope, name);
      return ecs.ContainerImage.fromRegistry(name, { credentials: options.credentials });
    }, false, options.architectures, true);
  }

  /** An image in an ECR repository, by tag or digest (`sha256:...`). */
  public static fromEcrRepository(repository: ecr.IRepository, tagOrDigest?: string): Image {
    return new Image((scope) => {
      // A tag of Docker's reference grammar, or a sha256 digest (what ECS pulls by).
      checkPattern(scope, ErrorCode.IMAGE, 'the ECR image tag or digest', tagOrDigest, /^([\w][\w.-]{0,127}|sha256:[a-f0-9]{64})$/,
        'a tag of letters, digits, _ . - (up to 128, not starting with . or -) or sha256: and 64 hexadecimal digits');
      return ecs.ContainerImage.fromEcrRepository(repository, tagOrDigest);
    }, true);
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
    /**
     * The CPU architectures the image is published for, where stated.
     * @default - unknown (local builds follow the task's architecture)
     */
    public readonly architectures?: ecs.CpuArchitecture[],
    /** Whether the image is a registry image, pulled by name (its architectures are unknown unless stated). */
    public readonly registryImage: boolean = false,
  ) {}

  /**
   * Resolve the image for a workload.
   * @internal
   */
  public _bind(scope: Construct, options: ImageBindOptions): ecs.ContainerImage {
    return this.produce(scope, options);
  }
}
