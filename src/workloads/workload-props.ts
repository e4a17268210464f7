import { Duration, aws_ecs as ecs, aws_servicediscovery as servicediscovery } from 'aws-cdk-lib';
import { Capacity } from '../capacity/capacity';
import { DeploySpeed } from '../deployment/deploy-speed';
import { Deployment } from '../deployment/deployment';
import { IEnvironment } from '../environment/environment';
import { WorkloadTaskProps } from '../task/containers';

/** Properties every workload shares: its environment and its task. */
export interface WorkloadProps extends WorkloadTaskProps {
  /** The environment the workload runs in. */
  readonly environment: IEnvironment;
}

/** Registration of a service's tasks in a Cloud Map DNS namespace, for callers outside ECS or a DNS name they already use. */
export interface ServiceDiscoveryOptions {
  /** A private (or public) DNS namespace: its name is the domain the tasks are found under. */
  readonly namespace: servicediscovery.INamespace;
  /**
   * The service's name in the namespace: callers resolve `<name>.<namespace>`.
   * @default - the construct id in lower case
   */
  readonly name?: string;
  /**
   * How long resolvers keep an answer; short, so callers stop calling a stopped task soon.
   * @default Duration.seconds(10)
   */
  readonly dnsTtl?: Duration;
}

/**
 * Properties the long-running services with a desired count share (WebService,
 * BackendService, WorkerService, NetworkService).
 */
export interface ServiceWorkloadProps extends WorkloadProps {
  /**
   * Capacity the tasks run on.
   * @default - the environment's default capacity
   */
  readonly capacity?: Capacity;
  /**
   * The Fargate platform version of the service's tasks (Fargate capacity only).
   * @default - LATEST
   */
  readonly platformVersion?: ecs.FargatePlatformVersion;
  /**
   * Also register the tasks in a Cloud Map DNS namespace (`<name>.<namespace>`): A records in
   * awsvpc mode, SRV records (address and port) in bridge and host mode, as ECS requires.
   * Beside Service Connect, for callers outside ECS or names clients already use.
   * @default - no DNS registration
   */
  readonly serviceDiscovery?: ServiceDiscoveryOptions;
  /**
   * Tasks to run. Leave it out with scaling: the scaling minimum brings a new service up and
   * the template then holds no count, so a deploy never resets a scaled-out service.
   * @default - scaling.minCapacity with scaling; otherwise 2 in production and 1 in development
   */
  readonly desiredCount?: number;
  /**
   * Sets health checks, draining and rolling percentages together for deployment speed.
   * @default - DeploySpeed.SAFE in production, DeploySpeed.FAST in development
   */
  readonly deploySpeed?: DeploySpeed;
  /**
   * How new versions roll out: rolling, or (with a load balancer) ECS-native blue/green,
   * linear or canary, or CodeDeploy (WebService). The circuit breaker rolls failures back, and
   * so do the load balancer alarms where the workload has them (WebService, NetworkService).
   * @default Deployment.rolling() - percentages from the deploy-speed preset
   */
  readonly deployment?: Deployment;
  /**
   * The ECS service's name, for runbooks and `aws ecs execute-command --service`: up to 255
   * letters, digits, underscores and hyphens, unique in the cluster. A named service cannot be
   * replaced under the same name (CloudFormation: a resource with a custom name cannot be
   * replaced), so a change that needs a new service also needs a new name; the library warns
   * (`WarningId.SERVICE_NAME`) so the choice is made on purpose.
   * @default - a name CloudFormation generates from the stack and construct
   */
  readonly serviceName?: string;
}
