// The public API: what users write. Helpers, bind plumbing and constants stay inside their
// modules; tests reach them by path.

// Environment
export type { IEnvironment, EnvironmentProps, EnvironmentAttributes } from './environment/environment';
export { Environment } from './environment/environment';
export type { RoleSettings } from './environment/roles';
export type { TestListenerOptions, DomainOptions, IngressOptions, IIngress, SharedIngressProps } from './environment/ingress';
export { SharedIngress } from './environment/ingress';
export { IngressSource } from './environment/ingress-source';
export type { EcsGatewayOptions, EcsGatewayProps, IEcsGateway } from './environment/gateway';
export { EcsGateway } from './environment/gateway';
export type { Routing, HttpHeaderMatch, QueryStringMatch, RouteOptions } from './environment/routing';
export type { NewVpcOptions, ExistingVpcOptions } from './environment/network';
export { Egress, Network } from './environment/network';
export { EnvironmentProfile } from './environment/profile';
export type { ExecOptions } from './environment/exec';
export type { SharedNetworkLoadBalancerProps } from './environment/shared-nlb';
export { SharedNetworkLoadBalancer } from './environment/shared-nlb';

// Capacity
export type { FargateSpotMixOptions, PlacementOptions, Ec2SpotMixOptions, StrategyOptions } from './capacity/capacity';
export { CapacityPlatform, Capacity } from './capacity/capacity';
export type { AutoScalingCapacityProps } from './capacity/auto-scaling-capacity';
export { AutoScalingCapacity } from './capacity/auto-scaling-capacity';
export { HostImage } from './capacity/host-image';
export type { ManagedInstancesCapacityProps, ManagedInstancesCapacityReservations } from './capacity/managed-instances-capacity';
export { CapacityReservationPreference, ManagedInstancesCapacity } from './capacity/managed-instances-capacity';
export type { ExternalInstancesProps } from './capacity/external-instances';
export { ExternalInstances } from './capacity/external-instances';

// Workloads
export type { ServiceDiscoveryOptions, WorkloadProps, ServiceWorkloadProps, WorkloadTaskProps } from './workloads/workload-props';
export type { VpcLatticeTarget } from './workloads/vpc-lattice';
export type { AdditionalRoute, WebServiceProps } from './workloads/web-service';
export type { TargetHealthCheckOptions, LoadBalancingOptions, StickinessOptions } from './workloads/target-group';
export { WebService } from './workloads/web-service';
export type { WorkerScalingOptions, WorkerAlarmsOptions, WorkerServiceProps } from './workloads/worker-service';
export { WorkerService } from './workloads/worker-service';
export type { BackgroundServiceProps } from './workloads/background-service';
export { BackgroundService } from './workloads/background-service';
export type { ServiceConnectTlsOptions, ServiceConnectOptions, BackendServiceProps, IServiceWorkload, IBackendService, BackendServiceAttributes } from './workloads/backend-service';
export { BackendService } from './workloads/backend-service';
export type { ScheduledJobProps } from './workloads/scheduled-job';
export { ScheduledJob } from './workloads/scheduled-job';
export { JobSchedule } from './workloads/job-schedule';
export type { S3ObjectCreatedOptions, EventTaskProps } from './workloads/event-task';
export { EventTrigger, EventTask } from './workloads/event-task';
export type { StandaloneTaskProps } from './workloads/standalone-task';
export { StandaloneTask } from './workloads/standalone-task';
export type { NetworkListenerOptions, NetworkServiceProps } from './workloads/network-service';
export { NetworkService } from './workloads/network-service';
export type { DaemonServiceProps } from './workloads/daemon-service';
export { DaemonService } from './workloads/daemon-service';
export type { WorkQueueOptions, TopicSubscription } from './workloads/work-queue';
export { WorkQueue } from './workloads/work-queue';

// Task
export type { ImageAssetOptions, RegistryImageOptions } from './task/image';
export { Image } from './task/image';
export type { ContainerSecurityOptions } from './task/baseline';
export { WritablePathStorage } from './task/baseline';
export type { LinuxSettings, RestartPolicyOptions } from './task/containers';
export type { ContainerDependency, SidecarOptions } from './task/sidecar';
export type {
  MountOptions, AccessPointOptions, DockerVolumeOptions, EbsVolumeOptions, EfsVolumeOptions, FsxWindowsVolumeOptions, HostVolumeOptions,
} from './task/volumes';
export { Volume } from './task/volumes';
export type { SharedFileSystemProps } from './task/file-system';
export { SharedFileSystem } from './task/file-system';

// Logging
export type { AwsLogsOptions, FireLensOptions, SplunkOptions } from './logging/logging';
export { Logging } from './logging/logging';
export type { FireLensCloudWatchOptions, FireLensOpenSearchOptions } from './logging/destinations';
export { LogDestination, FireLensConfigFile } from './logging/destinations';

// Scaling and deployment
export type { ScalingTargetOptions, ScalingOptions, ScheduledScaling, StepScalingOptions } from './scaling/scaling';
export { Scaling } from './scaling/scaling';
export type { PredictiveScalingOptions } from './scaling/predictive';
export { PredictiveScalingMetric, PredictiveScalingMode } from './scaling/predictive';
export type {
  RollingDeploymentOptions, LifecycleHook, BlueGreenOptions, LinearDeploymentOptions, CanaryDeploymentOptions, CodeDeployHook, CodeDeployOptions,
} from './deployment/deployment';
export { TestTraffic, CodeDeployHookStage, Deployment } from './deployment/deployment';
export { CircuitBreakerThreshold, EarlySuccess, LifecycleHookTimeoutAction } from './deployment/deployment-controls';
export { DeploySpeed } from './deployment/deploy-speed';

// Observability
export type { ServiceAlarmsOptions, ServiceAlarmsProps } from './observability/service-alarms';
export { ServiceAlarm, ServiceAlarms } from './observability/service-alarms';
export type { ServiceDashboardProps, EnvironmentDashboardProps } from './observability/dashboards';
export { ServiceDashboard, EnvironmentDashboard } from './observability/dashboards';
export type { AlarmTopicProps } from './observability/alarm-topic';
export { AlarmTopic } from './observability/alarm-topic';
export type { AdotCollectorOptions } from './observability/tracing';
export { OtlpProtocol, Tracing } from './observability/tracing';
export type { TaskEventsOptions } from './observability/task-events';

// Guardrails
export { ErrorCode } from './guardrails/errors';
export { WarningId } from './guardrails/warnings';
export { ShipyardChecks } from './guardrails/shipyard-checks';
export type { ShipyardChecksProps } from './guardrails/shipyard-checks';

// Stages
export { StageOverlay, overlay, forStage } from './stages/overlay';
export type { DeepPartial } from './stages/overlay';
