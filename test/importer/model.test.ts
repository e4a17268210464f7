/**
 * The importers' typed model: a prop name or a value type the library does not have fails to
 * compile in the importer's build. The `@ts-expect-error` lines are the test: the gate's
 * type-check (`tsc -p test/tsconfig.json`) fails if any of them compiles.
 */
import { aws_ec2 as ec2 } from 'aws-cdk-lib';
import type {
  AccessPointOptions, ContainerDependency, ContainerSecurityOptions, EfsVolumeOptions, EnvironmentProps, FireLensOptions, ImageAssetOptions,
  IngressOptions, LinuxSettings, LoadBalancingOptions, NetworkListenerOptions, RollingDeploymentOptions, Routing, ScalingTargetOptions,
  TargetHealthCheckOptions, TopicSubscription, WorkerScalingOptions,
} from '../../src';
import { code } from '../../src/importer/code';
import { healthCheck, sidecar } from '../../src/importer/copilot/image';
import { filterPolicy, queueSettings, topicProps } from '../../src/importer/copilot/messaging';
import { PropsModel, WorkloadPropsModel } from '../../src/importer/model';

/** The value as the given model: an object literal passed here gets the model's checks, excess property names included. */
const typed = <T>(value: T): T => value;
/** What the mappers that are exported return: the test follows their declared types. */
type QueueModel = ReturnType<typeof queueSettings>;
type FilterPolicyModel = NonNullable<ReturnType<typeof filterPolicy>>;
type TopicModel = ReturnType<typeof topicProps>;
type HealthCheckModel = ReturnType<typeof healthCheck>;
type SidecarModel = ReturnType<typeof sidecar>;

describe('the typed model of workload props', () => {
  test('takes the library\'s props, values or code at any depth', () => {
    const props: WorkloadPropsModel = {
      environment: code('environment'),
      containerPort: 8080,
      desiredCount: 2,
      containerSecurity: { imageUser: true, readOnlyRootFilesystem: false, writablePaths: ['/tmp'] },
      healthCheck: { command: ['CMD', 'true'], interval: code('Duration.seconds(5)') },
      serviceConnect: { dnsName: 'order-api' },
      volumes: [code("Volume.scratch('x', { containerPath: '/x' })")],
    };
    expect(Object.keys(props)).toHaveLength(7);
  });

  test('refuses a prop the library does not have, and a value of the wrong type', () => {
    const wrong: WorkloadPropsModel[] = [
      // @ts-expect-error containerPortt is not a prop
      { containerPortt: 8080 },
      // @ts-expect-error desiredCount is a number
      { desiredCount: '2' },
      // @ts-expect-error containerSecurity has no field root
      { containerSecurity: { root: true } },
      // @ts-expect-error serviceConnect.dnsName is a string
      { serviceConnect: { dnsName: 5 } },
    ];
    expect(wrong).toHaveLength(4);
  });

  test('takes each nested model the mappers build, spelt as the library spells it', () => {
    const right: unknown[] = [
      typed<PropsModel<ImageAssetOptions>>({ file: 'Dockerfile.prod', target: 'app', buildArgs: { A: '1' } }),
      typed<PropsModel<ContainerSecurityOptions>>({ user: '1000', readOnlyRootFilesystem: true, initProcessEnabled: true }),
      typed<PropsModel<LinuxSettings>>({ dropCapabilities: [code('ecs.Capability.ALL')], ulimits: [{ name: code('ecs.UlimitName.NOFILE'), softLimit: 1, hardLimit: 2 }] }),
      typed<PropsModel<RollingDeploymentOptions>>({ minHealthyPercent: 0, maxHealthyPercent: 100, rollbackAlarms: [code('alarm')] }),
      typed<PropsModel<EfsVolumeOptions>>({ containerPath: '/data', readOnly: true, containers: ['app'], accessPoint: { uid: 1, gid: 1 } }),
      typed<PropsModel<AccessPointOptions>>({ path: '/svc', uid: 1, gid: 1 }),
      typed<PropsModel<ec2.VpcAttributes>>({ vpcId: 'vpc-1', vpcCidrBlock: '10.0.0.0/16', availabilityZones: code('azs'), privateSubnetIds: ['subnet-1'] }),
      typed<PropsModel<EnvironmentProps>>({ profile: code('EnvironmentProfile.PRODUCTION'), ingress: { protocol: code('HTTP') }, network: code('net') }),
      typed<PropsModel<IngressOptions>>({ certificate: code('cert'), additionalCertificates: [code('cert2')], internetFacing: false, allowedSources: [] }),
      typed<QueueModel>({ retentionPeriod: code('d'), visibilityTimeout: code('d'), maxReceiveCount: 3, fifo: true, contentBasedDeduplication: true }),
      typed<FilterPolicyModel>({ color: code('sns.SubscriptionFilter.stringFilter({ allowlist: [\'red\'] })') }),
      typed<PropsModel<TopicSubscription>>({ topic: code('topic'), rawMessageDelivery: false, filterPolicy: {}, queue: code('q'), name: 'Orders' }),
      typed<TopicModel>({ enforceSSL: true, fifo: true, contentBasedDeduplication: true }),
      typed<PropsModel<ScalingTargetOptions>>({ scaleInCooldown: code('d'), scaleOutCooldown: code('d') }),
      typed<PropsModel<WorkerScalingOptions>>({ minCapacity: 1, maxCapacity: 4, messagesPerTask: 10, scaleInCooldown: code('d') }),
      typed<PropsModel<Routing>>({ pathPatterns: ['/a'], sourceIps: ['10.0.0.0/8'], aliases: ['a.example.com'], hostedZone: code('zone'), hostHeaders: [] }),
      typed<PropsModel<TargetHealthCheckOptions>>({ path: '/', port: 80, healthyHttpCodes: '200', healthyThresholdCount: 2, unhealthyThresholdCount: 2 }),
      typed<PropsModel<LoadBalancingOptions>>({ stickiness: {}, protocolVersion: code('GRPC') }),
      typed<PropsModel<NetworkListenerOptions>>({ port: 53, protocol: code('UDP'), targetContainer: 'app', targetPort: 53, healthCheckPort: 80 }),
      typed<HealthCheckModel>({ command: ['CMD', 'true'], interval: code('d'), timeout: code('d'), retries: 2, startPeriod: code('d') }),
      typed<SidecarModel>({ name: 'proxy', image: code('img'), essential: true, portMappings: [{ containerPort: 80 }], appWaitsFor: code('START') }),
      typed<PropsModel<ContainerDependency>>({ containerName: 'app', condition: code('HEALTHY') }),
      typed<PropsModel<FireLensOptions>>({ destination: code('dest'), routerImage: code('img'), enableMetadata: true, configFile: code('file') }),
    ];
    expect(right).toHaveLength(23);
  });

  test('refuses a nested prop name the library does not have, in each nested model the mappers build', () => {
    const wrong: unknown[] = [
      // @ts-expect-error ImageAssetOptions: the Dockerfile is file
      typed<PropsModel<ImageAssetOptions>>({ dockerfile: 'Dockerfile.prod' }),
      // @ts-expect-error ContainerSecurityOptions: readOnlyRootFilesystem
      typed<PropsModel<ContainerSecurityOptions>>({ readOnlyRootFileSystem: true }),
      // @ts-expect-error LinuxSettings: a ulimit's softLimit
      typed<PropsModel<LinuxSettings>>({ ulimits: [{ name: code('ecs.UlimitName.NOFILE'), soft: 1 }] }),
      // @ts-expect-error RollingDeploymentOptions: minHealthyPercent
      typed<PropsModel<RollingDeploymentOptions>>({ minHealthyPercentage: 0 }),
      // @ts-expect-error EfsVolumeOptions: the access point's uid
      typed<PropsModel<EfsVolumeOptions>>({ containerPath: '/data', accessPoint: { userId: 1 } }),
      // @ts-expect-error AccessPointOptions: gid
      typed<PropsModel<AccessPointOptions>>({ groupId: 1 }),
      // @ts-expect-error ec2.VpcAttributes: vpcId
      typed<PropsModel<ec2.VpcAttributes>>({ vpcID: 'vpc-1' }),
      // @ts-expect-error EnvironmentProps: the ingress's protocol
      typed<PropsModel<EnvironmentProps>>({ ingress: { protocoll: code('HTTP') } }),
      // @ts-expect-error IngressOptions: additionalCertificates
      typed<PropsModel<IngressOptions>>({ extraCertificates: [code('cert')] }),
      // @ts-expect-error WorkQueueOptions: maxReceiveCount
      typed<QueueModel>({ maxReceives: 3 }),
      // @ts-expect-error a filter policy's values are sns.SubscriptionFilters, whose field is conditions
      typed<FilterPolicyModel>({ color: { condition: [] } }),
      // @ts-expect-error TopicSubscription: rawMessageDelivery
      typed<PropsModel<TopicSubscription>>({ topic: code('topic'), rawDelivery: false }),
      // @ts-expect-error sns.TopicProps: enforceSSL
      typed<TopicModel>({ enforceSsl: true }),
      // @ts-expect-error ScalingTargetOptions: scaleInCooldown
      typed<PropsModel<ScalingTargetOptions>>({ scaleInCoolDown: code('d') }),
      // @ts-expect-error WorkerScalingOptions: messagesPerTask
      typed<PropsModel<WorkerScalingOptions>>({ minCapacity: 1, messagePerTask: 10 }),
      // @ts-expect-error Routing: pathPatterns
      typed<PropsModel<Routing>>({ paths: ['/a'] }),
      // @ts-expect-error TargetHealthCheckOptions: healthyHttpCodes
      typed<PropsModel<TargetHealthCheckOptions>>({ successCodes: '200' }),
      // @ts-expect-error LoadBalancingOptions: the stickiness's cookieName
      typed<PropsModel<LoadBalancingOptions>>({ stickiness: { cookie: 'c' } }),
      // @ts-expect-error NetworkListenerOptions: targetPort
      typed<PropsModel<NetworkListenerOptions>>({ port: 53, containerPort: 53 }),
      // @ts-expect-error ecs.HealthCheck: startPeriod
      typed<HealthCheckModel>({ command: ['CMD', 'true'], startPeriodSeconds: 0 }),
      // @ts-expect-error SidecarOptions: a port mapping's containerPort
      typed<SidecarModel>({ name: 'proxy', portMappings: [{ port: 80 }] }),
      // @ts-expect-error ContainerDependency: containerName
      typed<PropsModel<ContainerDependency>>({ container: 'app' }),
      // @ts-expect-error FireLensOptions: enableMetadata
      typed<PropsModel<FireLensOptions>>({ metadata: true }),
    ];
    expect(wrong).toHaveLength(23);
  });
});
