/**
 * Every integ scenario by the name of its `integ.<name>.ts` app, for the compliance tests
 * (test/compliance.test.ts) and the newest-CDK validation (validate-newest-cdk.ts).
 */
import { codeDeployBlueGreen, ecsGateway, nativeBlueGreen, ScenarioBuilder, ScenarioOptions, sharedAlb, vpcEndpoints } from './apps';
import { ec2Capacity, fargateSpotMix, managedInstances, windows } from './capacity-apps';
import { privateRegistry, sharedFiles, telemetry } from './task-apps';
import { eventTask, networkService, queueWorker, scheduledJobs, serviceConnect } from './workload-apps';

export const SCENARIOS: Record<string, ScenarioBuilder> = {
  'shared-alb': sharedAlb,
  'vpc-endpoints': vpcEndpoints,
  'blue-green': nativeBlueGreen,
  'telemetry': telemetry,
  'shared-files': sharedFiles,
  'private-registry': privateRegistry,
  'worker': queueWorker,
  'service-connect': serviceConnect,
  'scheduled-job': scheduledJobs,
  'event-task': eventTask,
  'network-service': networkService,
  'codedeploy': codeDeployBlueGreen,
  'ec2-capacity': ec2Capacity,
  'fargate-spot': fargateSpotMix,
  'managed-instances': managedInstances,
  'windows': windows,
  'ecs-gateway': ecsGateway,
};

/** An account and region for environment-specific variants (ARNs render with literals). */
export const SPECIFIC_ENV = { account: '123456789012', region: 'eu-west-1' };

/** The ways users deploy a scenario that the compliance gate checks besides the integ app itself. */
export const VARIANTS: Record<string, ScenarioOptions> = {
  'environment-agnostic': {},
  'environment-specific': { env: SPECIFIC_ENV },
  'environment-specific, workloads apart': { env: SPECIFIC_ENV, workloadsApart: true },
};
