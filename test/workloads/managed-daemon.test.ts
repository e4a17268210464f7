import { Annotations, aws_cloudwatch as cloudwatch, aws_ecs as ecs, aws_efs as efs, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Capacity, DaemonService, DaemonServiceProps, Image, ManagedInstancesCapacity, Volume, WarningId } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { SHIPYARD_RULES } from '../../src/guardrails/shipyard-checks';
import { ec2Environment, expectError, expectValidationError, policyStatements, productionEnvironment, resources, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/agent:1.0.0');

function managedDaemon(props: Partial<DaemonServiceProps> = {}, stack: Stack = testStack()) {
  const environment = productionEnvironment(stack);
  const instances = new ManagedInstancesCapacity(stack, 'Managed', { environment });
  const agent = new DaemonService(stack, 'Agent', { environment, image: IMAGE, capacity: Capacity.managedInstances(instances), ...props });
  return { stack, environment, instances, agent };
}

describe('DaemonService on ECS Managed Instances (a managed daemon)', () => {
  test('is an AWS::ECS::Daemon on the capacity provider, running a daemon task definition rendered from the task model', () => {
    const { stack, agent } = managedDaemon({
      volumes: [Volume.host('logs', { sourcePath: '/var/log', containerPath: '/host/var/log', readOnly: true })],
    });
    const t = template(stack);
    t.resourceCountIs('AWS::ECS::Service', 0);
    t.resourceCountIs('AWS::ECS::TaskDefinition', 0);
    const [[taskId, taskDefinition]] = resources(stack, 'AWS::ECS::DaemonTaskDefinition');
    expect(taskDefinition.Properties).toEqual({
      Family: expect.any(String),
      Cpu: '256',
      Memory: '512',
      ExecutionRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^AgentTaskDefinitionExecutionRole/), 'Arn'] },
      TaskRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^AgentTaskDefinitionTaskRole/), 'Arn'] },
      Volumes: [{ Name: 'logs', Host: { SourcePath: '/var/log' } }],
      ContainerDefinitions: [expect.objectContaining({
        Name: 'app',
        Image: 'public.ecr.aws/my-org/agent:1.0.0',
        Essential: true,
        ReadonlyRootFilesystem: true,
        MountPoints: [{ ContainerPath: '/host/var/log', ReadOnly: true, SourceVolume: 'logs' }],
        LogConfiguration: expect.objectContaining({ LogDriver: 'awslogs' }),
        LinuxParameters: expect.not.objectContaining({ Capabilities: expect.anything() }),
      })],
    });
    expect(Object.keys(taskDefinition.Properties.ContainerDefinitions[0])).not.toContain('PortMappings');
    const [[, daemon]] = resources(stack, 'AWS::ECS::Daemon');
    const providerId = resources(stack, 'AWS::ECS::CapacityProvider')[0][0];
    expect(daemon.Properties).toEqual({
      ClusterArn: { 'Fn::GetAtt': [expect.stringMatching(/^EnvCluster/), 'Arn'] },
      CapacityProviderArns: [{
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':capacity-provider/', { Ref: providerId }]],
      }],
      DaemonTaskDefinitionArn: { 'Fn::GetAtt': [taskId, 'DaemonTaskDefinitionArn'] },
      EnableECSManagedTags: true,
      PropagateTags: 'DAEMON',
    });
    // Created after the cluster's capacity provider association and the roles' policies.
    const association = resources(stack, 'AWS::ECS::ClusterCapacityProviderAssociations')[0][0];
    const executionPolicy = resources(stack, 'AWS::IAM::Policy').map(([id]) => id).find(id => id.startsWith('AgentTaskDefinitionExecutionRoleDefaultPolicy'));
    expect(daemon.DependsOn).toEqual(expect.arrayContaining([association, providerId, executionPolicy]));
    expect(agent.service).toBeUndefined();
    expect(agent.alarms).toBeUndefined();
    expect(agent.daemon?.cfnResourceType).toBe('AWS::ECS::Daemon');
    expect(agent.connections.securityGroups.map(g => g.node.path)).toEqual(['Test/Managed/SecurityGroup']);
  });

  test('tags reach the daemon and its task definition (and, propagated by ECS, its tasks)', () => {
    const { stack } = managedDaemon();
    Tags.of(stack).add('team', 'platform');
    for (const type of ['AWS::ECS::Daemon', 'AWS::ECS::DaemonTaskDefinition']) {
      template(stack).hasResourceProperties(type, { Tags: Match.arrayWith([{ Key: 'team', Value: 'platform' }]) });
    }
  });

  test('deployment settings, criticality and ECS Exec are written as given', () => {
    const stack = testStack();
    const alarm = new cloudwatch.Alarm(stack, 'Probe', {
      metric: new cloudwatch.Metric({ namespace: 'Agent', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
    });
    managedDaemon({ drainPercent: 10, bakeTime: Duration.minutes(5), critical: false, rollbackAlarms: [alarm], enableExec: true }, stack);
    template(stack).hasResourceProperties('AWS::ECS::Daemon', {
      DeploymentConfiguration: { DrainPercent: 10, BakeTimeInMinutes: 5, Alarms: { AlarmNames: [{ Ref: resources(stack, 'AWS::CloudWatch::Alarm')[0][0] }], Enable: true } },
      Critical: false,
      EnableExecuteCommand: true,
    });
    const actions = policyStatements(stack, 'AgentTaskDefinitionTaskRole').flatMap(s => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['ssmmessages:CreateControlChannel']));
  });

  test('drainPercent takes 0 to 100 (fractions too) and bakeTime whole minutes', () => {
    for (const drainPercent of [0, 12.5, 100]) {
      const { stack } = managedDaemon({ drainPercent });
      template(stack).hasResourceProperties('AWS::ECS::Daemon', { DeploymentConfiguration: { DrainPercent: drainPercent } });
    }
    expectError(ErrorCode.DEPLOYMENT, () => managedDaemon({ drainPercent: 100.5 }));
    expectError(ErrorCode.DEPLOYMENT, () => managedDaemon({ drainPercent: -1 }));
    expectError(ErrorCode.DEPLOYMENT, () => managedDaemon({ bakeTime: Duration.seconds(90) }));
    const { stack } = managedDaemon({ bakeTime: Duration.seconds(0) });
    template(stack).hasResourceProperties('AWS::ECS::Daemon', { DeploymentConfiguration: { BakeTimeInMinutes: 0 } });
  });

  test('an ECS service\'s settings fail on Managed Instances, and a managed daemon\'s fail on EC2 capacity', () => {
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => managedDaemon({ minHealthyPercent: 50 }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => managedDaemon({ alarms: { cpuPercent: 90 } }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => managedDaemon({ networkMode: ecs.NetworkMode.HOST }));
    const { stack, environment, instances } = ec2Environment();
    const alarm = new cloudwatch.Alarm(stack, 'Probe', {
      metric: new cloudwatch.Metric({ namespace: 'Agent', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1,
    });
    const onEc2 = (id: string, props: Partial<DaemonServiceProps>) =>
      new DaemonService(stack, id, { environment, image: IMAGE, capacity: Capacity.ec2(instances), ...props });
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => onEc2('Drain', { drainPercent: 25 }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => onEc2('Bake', { bakeTime: Duration.minutes(1) }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => onEc2('Critical', { critical: false }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => onEc2('Rollback', { rollbackAlarms: [alarm] }));
    expectError(ErrorCode.PLATFORM, () => new DaemonService(stack, 'OnFargate', { environment, image: IMAGE, capacity: Capacity.fargate() }));
  });

  test('what a daemon task cannot have fails at synth: ports, Docker labels, file systems, fault injection, the task PID namespace', () => {
    const sidecar = managedDaemon({
      sidecars: [{ name: 'metrics', image: IMAGE, portMappings: [{ containerPort: 9090 }] }],
    });
    expectValidationError(sidecar.stack, ErrorCode.PLATFORM, /container "metrics" sets PortMappings/);
    const labels = managedDaemon({ dockerLabels: { team: 'platform' } });
    expectValidationError(labels.stack, ErrorCode.PLATFORM, /container "app" sets DockerLabels/);
    const faults = managedDaemon({ enableFaultInjection: true });
    expectValidationError(faults.stack, ErrorCode.PLATFORM, /EnableFaultInjection/);
    const files = managedDaemon();
    const fileSystem = new efs.FileSystem(files.stack, 'Files', { vpc: files.environment.vpc });
    new DaemonService(files.stack, 'Mounts', {
      environment: files.environment,
      image: IMAGE,
      capacity: Capacity.managedInstances(files.instances),
      volumes: [Volume.efs('data', fileSystem, { containerPath: '/data' })],
    });
    expectValidationError(files.stack, ErrorCode.PLATFORM, /volume "data" \(EFSVolumeConfiguration\)/);
    // Through the escape hatch on the model, too.
    const hatch = managedDaemon();
    (hatch.agent.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).addPropertyOverride('PidMode', 'task');
    expectValidationError(hatch.stack, ErrorCode.PLATFORM, /PidMode "task"/);
  });

  test('a container added through the escape hatch without memory fails: ECS registers no daemon container without memory or memoryReservation', () => {
    const { stack, agent } = managedDaemon();
    agent.taskDefinition.addContainer('late', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/my-org/late:1.0.0'),
      essential: false,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'late', logGroup: agent.logGroup }),
    });
    expectValidationError(stack, ErrorCode.CONTAINER_MEMORY, /container "late" sets neither memory nor memoryReservation/);
  });

  test('the model stays the escape hatch: overrides and containers added later reach the daemon task definition', () => {
    const { stack, agent } = managedDaemon();
    (agent.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).addPropertyOverride('PidMode', 'host');
    agent.taskDefinition.addContainer('late', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/my-org/late:1.0.0'),
      memoryLimitMiB: 64,
      essential: false,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'late', logGroup: agent.logGroup }),
    });
    template(stack).hasResourceProperties('AWS::ECS::DaemonTaskDefinition', {
      PidMode: 'shared',
      ContainerDefinitions: Match.arrayWith([Match.objectLike({ Name: 'late', Essential: false, Memory: 64 })]),
    });
  });
});

describe('a managed daemon under the compliance packs', () => {
  test('ShipyardChecks judges the daemon task definition\'s containers, and an acknowledged warning acknowledges its rule there', () => {
    const rootUser = (acknowledged: boolean) => {
      const { stack, agent } = managedDaemon({ containerSecurity: { user: '0' } });
      if (acknowledged) Annotations.of(agent).acknowledgeWarning(WarningId.ROOT_USER, 'the agent reads root-owned host files');
      const [[, task]] = resources(stack, 'AWS::ECS::DaemonTaskDefinition');
      return { task, suppressed: (task.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((r: { id: string }) => r.id) };
    };
    const plain = rootUser(false);
    expect(SHIPYARD_RULES.find(r => r.id === 'NonRootUser')!.check('AWS::ECS::DaemonTaskDefinition', plain.task.Properties)).toBe('Non-Compliant');
    expect(plain.suppressed).not.toContain('Shipyard-NonRootUser');
    expect(rootUser(true).suppressed).toContain('Shipyard-NonRootUser');
  });
});
