import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { withoutTokens } from './errors';

/**
 * The warnings cdk-shipyard adds at synth: a choice that is allowed but usually a mistake. Each
 * is a CDK warning with this id; acknowledge one where the choice is deliberate with
 * `Annotations.of(scope).acknowledgeWarning(WarningId.ROOT_USER, 'why')`, or fail the build on
 * any unacknowledged warning with `cdk synth --strict`.
 */
export enum WarningId {
  /** A container runs as root (user 0 or root). */
  ROOT_USER = 'cdk-shipyard:root-user',
  /** A container runs as the user its image sets (`containerSecurity.imageUser`), which may be root. */
  IMAGE_USER = 'cdk-shipyard:image-user',
  /** A container has a writable root file system. */
  WRITABLE_ROOT_FILESYSTEM = 'cdk-shipyard:writable-root-filesystem',
  /** The main container adds kernel capabilities to Docker's default set (`linuxSettings.addCapabilities`). */
  ADDED_CAPABILITIES = 'cdk-shipyard:added-capabilities',
  /** A host agent's main container is privileged (`containerSecurity.privileged`). */
  PRIVILEGED_CONTAINER = 'cdk-shipyard:privileged-container',
  /** ECS Exec is on and the main container drops capabilities its agent may need. */
  EXEC_DROPPED_CAPABILITIES = 'cdk-shipyard:exec-dropped-capabilities',
  /** A plain environment variable's name looks like a credential. */
  SECRET_LIKE_VARIABLE = 'cdk-shipyard:secret-like-variable',
  /** The environment has no internet egress and an image is not in ECR. */
  IMAGE_UNREACHABLE = 'cdk-shipyard:image-unreachable',
  /** A Windows task: the Linux controls of the secure baseline do not apply. */
  WINDOWS_BASELINE = 'cdk-shipyard:windows-baseline',
  /** awsvpc tasks on EC2 take one network interface of their instance each. */
  AWSVPC_ON_EC2 = 'cdk-shipyard:awsvpc-on-ec2',
  /** ECS Exec is on and the environment has no route to the ssmmessages endpoint. */
  EXEC_UNREACHABLE = 'cdk-shipyard:exec-unreachable',
  /** A non-root container listens on a port below 1024, which it cannot bind. */
  PRIVILEGED_PORT = 'cdk-shipyard:privileged-port',
  /** An ARM64 task pulls a registry image that does not say it is built for ARM64. */
  IMAGE_ARCHITECTURE = 'cdk-shipyard:image-architecture',
  /** The shared load balancer serves plain HTTP (no certificate or domain). */
  PLAIN_HTTP = 'cdk-shipyard:plain-http',
  /** A path pattern can never match (it does not start with /). */
  UNREACHABLE_ROUTE = 'cdk-shipyard:unreachable-route',
  /** EC2 capacity in an environment without internet egress, in a VPC the environment did not create. */
  AGENT_ENDPOINTS = 'cdk-shipyard:agent-endpoints',
  /** The shared load balancer uses more than 80% of an ELB quota (rules, target groups, certificates). */
  LOAD_BALANCER_QUOTA = 'cdk-shipyard:load-balancer-quota',
  /** A stack with the library's constructs passes 80% of a CloudFormation template quota (resources, parameters, outputs). */
  STACK_QUOTA = 'cdk-shipyard:stack-quota',
  /** A service has a fixed name (`serviceName`): CloudFormation cannot replace it under the same name. */
  SERVICE_NAME = 'cdk-shipyard:service-name',
  /** A default changed since 0.1.0 applies, and the app has not chosen it in its context (see the CHANGELOG). */
  CHANGED_DEFAULT = 'cdk-shipyard:changed-default',
  /** The app puts more than 80% of CloudWatch Logs' 10 resource policies per account and Region into one of them. */
  LOG_RESOURCE_POLICY_QUOTA = 'cdk-shipyard:log-resource-policy-quota',
}

/** The share of an AWS quota past which the library warns (stacks, the shared load balancer): the wall in sight, not yet met. */
export const QUOTA_WARNING_SHARE = 0.8;

/** Add warning `id` to `scope`, with tokens put in words. */
export function warn(scope: IConstruct, id: WarningId, message: string): void {
  Annotations.of(scope).addWarningV2(id, withoutTokens(message));
}
