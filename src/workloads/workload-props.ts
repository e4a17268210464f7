import { aws_ecs as ecs } from 'aws-cdk-lib';
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
}
