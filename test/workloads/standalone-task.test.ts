import { Duration, aws_ecs as ecs, aws_iam as iam, aws_s3 as s3, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  BackendService, Capacity, DaemonService, EventTask, EventTrigger, Image, JobSchedule, ScheduledJob, StandaloneTask,
  WebService, WorkerService,
} from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, policyStatements, productionEnvironment, resources, template, testStack, warningIds } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');


describe('tasks started without a service (ScheduledJob, EventTask)', () => {
  test('a scheduled job gets the exec channel, the session key, log group and bucket', () => {
    const stack = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Audit', 'exec-audit');
    const environment = productionEnvironment(stack, { exec: { bucket, bucketPrefix: 'jobs/' } });
    new ScheduledJob(stack, 'Job', { environment, image: IMAGE, schedule: JobSchedule.rate(Duration.hours(1)), enableExec: true });
    const statements = policyStatements(stack, 'JobTaskDefinitionTaskRole');
    const actions = statements.flatMap(s => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining([
      'ssmmessages:CreateControlChannel', 'kms:Decrypt', 'logs:PutLogEvents', 's3:GetEncryptionConfiguration', 's3:PutObject',
    ]));
    expect(JSON.stringify(statements)).toContain('exec-audit/jobs/*');
    template(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ EcsParameters: Match.objectLike({ EnableExecuteCommand: true }) }),
    });
  });

  test('a scheduled job on EC2 runs with the capacity\'s placement', () => {
    const { stack, environment, instances } = ec2Environment();
    new ScheduledJob(stack, 'Job', {
      environment,
      image: IMAGE,
      schedule: JobSchedule.cron('0 3 * * ? *'),
      capacity: Capacity.ec2(instances, { placementConstraints: [ecs.PlacementConstraint.memberOf('attribute:ecs.instance-type =~ m7g.*')] }),
    });
    template(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        EcsParameters: Match.objectLike({
          PlacementStrategy: [{ Type: 'spread', Field: 'attribute:ecs.availability-zone' }, { Type: 'binpack', Field: 'MEMORY' }],
          PlacementConstraints: [{ Type: 'memberOf', Expression: 'attribute:ecs.instance-type =~ m7g.*' }],
        }),
      }),
    });
  });

  test('a scheduled job in bridge mode on EC2 runs in its instances\' network: no network configuration, the instances\' groups', () => {
    const { stack, environment, instances } = ec2Environment();
    const job = new ScheduledJob(stack, 'Job', {
      environment, image: IMAGE, schedule: JobSchedule.cron('0 3 * * ? *'), networkMode: ecs.NetworkMode.BRIDGE, capacity: Capacity.ec2(instances),
    });
    const guarded = new ScheduledJob(stack, 'Guarded', {
      environment,
      image: IMAGE,
      schedule: JobSchedule.cron('0 4 * * ? *'),
      networkMode: ecs.NetworkMode.HOST,
      capacity: Capacity.ec2(instances),
      preventOverlap: true,
      rerunsOnFailure: 1,
    });
    const t = template(stack);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', { Family: Match.stringLikeRegexp('Job'), NetworkMode: 'bridge', RequiresCompatibilities: ['EC2'] });
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ EcsParameters: Match.objectLike({ TaskCount: 1, NetworkConfiguration: Match.absent() }) }),
    });
    expect(resources(stack, 'AWS::EC2::SecurityGroup').some(([id]) => id.startsWith('Job') || id.startsWith('Guarded'))).toBe(false);
    expect(job.connections.securityGroups).toEqual([instances.securityGroup]);
    expect(guarded.connections.securityGroups).toEqual([instances.securityGroup]);
    const machine = JSON.stringify(template(stack).findResources('AWS::StepFunctions::StateMachine'));
    expect(machine).toContain('runTask.sync');
    expect(machine).not.toContain('NetworkConfiguration');
  });

  test('an event task in bridge mode: the rule\'s ECS target has no network configuration', () => {
    const { stack, environment, instances } = ec2Environment();
    new EventTask(stack, 'OnUpload', {
      environment, image: IMAGE, trigger: EventTrigger.pattern({ source: ['my.app'] }), networkMode: ecs.NetworkMode.BRIDGE, capacity: Capacity.ec2(instances),
    });
    template(stack).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ EcsParameters: Match.objectLike({ TaskCount: 1, NetworkConfiguration: Match.absent() }) })],
    });
    expect(warningIds(stack)).not.toContain('@aws-cdk/aws-events-targets:ecsTaskSecurityGroupIgnored');
  });

  test('fails when a job asks for bridge mode on Fargate', () => {
    const stack = testStack();
    expectError(ErrorCode.PLATFORM, () => new ScheduledJob(stack, 'Job', {
      environment: productionEnvironment(stack), image: IMAGE, schedule: JobSchedule.cron('0 3 * * ? *'), networkMode: ecs.NetworkMode.BRIDGE,
    }));
  });
});

describe('StandaloneTask', () => {
  test('a task definition, its roles and log group, a security group without ingress, and nothing that starts it', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const task = new StandaloneTask(stack, 'Migrate', { environment, image: IMAGE, command: ['./migrate', 'up'] });
    const t = template(stack);
    t.resourceCountIs('AWS::ECS::Service', 0);
    t.resourceCountIs('AWS::Scheduler::Schedule', 0);
    t.resourceCountIs('AWS::Events::Rule', 0);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Name: 'app', Command: ['./migrate', 'up'], ReadonlyRootFilesystem: true, User: '1000:1000' })],
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('standalone task; no inbound traffic') });
    expect(task.capacityProviderStrategy.map(s => s.capacityProvider)).toEqual(['FARGATE']);
    expect(task.subnets).toBe(environment.taskSubnets);
    expect(task.cluster).toBe(environment.cluster);
  });

  test('a Step Functions state machine runs it: grantRun gives RunTask in the cluster, PassRole for both roles and tagging on creation', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const task = new StandaloneTask(stack, 'Migrate', { environment, image: IMAGE });
    const run = new tasks.EcsRunTask(stack, 'RunMigration', {
      cluster: task.cluster,
      taskDefinition: task.taskDefinition,
      launchTarget: new tasks.EcsFargateLaunchTarget(),
      subnets: task.subnets,
      securityGroups: [task.securityGroup],
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
    });
    const machine = new sfn.StateMachine(stack, 'Release', { definitionBody: sfn.DefinitionBody.fromChainable(run) });
    const role = new iam.Role(stack, 'Pipeline', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    task.grantRun(role);
    const statements = policyStatements(stack, 'Pipeline');
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'ecs:RunTask', Condition: { ArnEquals: { 'ecs:cluster': expect.anything() } } }),
      expect.objectContaining({ Action: 'iam:PassRole', Resource: [expect.anything(), expect.anything()] }),
      expect.objectContaining({ Action: 'ecs:TagResource', Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } } }),
    ]));
    expect(machine).toBeDefined();
  });

  test('in host mode it uses the instances\' network and groups, and has no group of its own to hand out', () => {
    const { stack, environment, instances } = ec2Environment();
    const task = new StandaloneTask(stack, 'Agent', { environment, image: IMAGE, capacity: Capacity.ec2(instances), networkMode: ecs.NetworkMode.HOST });
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: 'host' });
    expect(task.connections.securityGroups).toEqual([instances.securityGroup]);
    expectError(ErrorCode.PLATFORM, () => task.securityGroup);
  });
});

describe('the Fargate platform version of runs', () => {
  const hourly = JobSchedule.rate(Duration.hours(1));

  test('a scheduled job passes it to RunTask: through Scheduler, or through the overlap guard', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new ScheduledJob(stack, 'Job', { environment, image: IMAGE, schedule: hourly, platformVersion: ecs.FargatePlatformVersion.VERSION1_4 });
    new ScheduledJob(stack, 'Guarded', { environment, image: IMAGE, schedule: hourly, preventOverlap: true, platformVersion: ecs.FargatePlatformVersion.VERSION1_4 });
    template(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ EcsParameters: Match.objectLike({ PlatformVersion: '1.4.0' }) }),
    });
    const machines = JSON.stringify(template(stack).findResources('AWS::StepFunctions::StateMachine'));
    expect(machines).toContain('\\"PlatformVersion\\":\\"1.4.0\\"');
  });

  test('an event task passes it to its rule\'s ECS target', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new EventTask(stack, 'OnUpload', {
      environment, image: IMAGE, trigger: EventTrigger.pattern({ source: ['my.app'] }), platformVersion: ecs.FargatePlatformVersion.VERSION1_4,
    });
    template(stack).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ EcsParameters: Match.objectLike({ PlatformVersion: '1.4.0' }) })],
    });
  });

  test('fails at synth on EC2 capacity', () => {
    const { stack, environment, instances } = ec2Environment();
    expectError(ErrorCode.PLATFORM, () => new ScheduledJob(stack, 'Job', {
      environment, image: IMAGE, schedule: hourly, capacity: Capacity.ec2(instances), platformVersion: ecs.FargatePlatformVersion.VERSION1_4,
    }));
  });
});

describe('network mode none (EC2, Linux)', () => {
  test('a standalone task with no network: no security group, awslogs still ships its logs', () => {
    const { stack, environment, instances } = ec2Environment();
    const task = new StandaloneTask(stack, 'Crunch', {
      environment, image: IMAGE, capacity: Capacity.ec2(instances), networkMode: ecs.NetworkMode.NONE,
    });
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'none',
      ContainerDefinitions: [Match.objectLike({ LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }) })],
    });
    expect(template(stack).findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('Crunch') } })).toEqual({});
    expect(task.connections.securityGroups).toEqual([]);
    expectError(ErrorCode.PLATFORM, () => task.securityGroup);
  });

  test('a scheduled job with no network: Scheduler passes no network configuration', () => {
    const { stack, environment, instances } = ec2Environment();
    const job = new ScheduledJob(stack, 'Crunch', {
      environment, image: IMAGE, capacity: Capacity.ec2(instances), networkMode: ecs.NetworkMode.NONE, schedule: JobSchedule.rate(Duration.hours(1)),
    });
    template(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ EcsParameters: Match.objectLike({ NetworkConfiguration: Match.absent() }) }),
    });
    expect(job.connections.securityGroups).toEqual([]);
  });

  test('a daemon that only reads the host', () => {
    const { stack, environment, instances } = ec2Environment();
    new DaemonService(stack, 'Scanner', { environment, image: IMAGE, capacity: Capacity.ec2(instances), networkMode: ecs.NetworkMode.NONE });
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { NetworkMode: 'none' });
  });

  test.each([
    ['a web service (it listens on a port)', (s: any) => new WebService(s.stack, 'Web', { ...s.base, networkMode: ecs.NetworkMode.NONE })],
    ['a worker (it polls its queue)', (s: any) => new WorkerService(s.stack, 'Worker', { ...s.base, networkMode: ecs.NetworkMode.NONE })],
    ['a client-only backend (Service Connect)', (s: any) => new BackendService(s.stack, 'Calls', {
      ...s.base, networkMode: ecs.NetworkMode.NONE, serviceConnect: { clientOnly: true },
    })],
    ['ECS Exec', (s: any) => new StandaloneTask(s.stack, 'Exec', { ...s.base, networkMode: ecs.NetworkMode.NONE, enableExec: true })],
  ])('fails at synth for %s', (_name, build) => {
    const { stack, environment, instances } = ec2Environment();
    expectError(ErrorCode.PLATFORM, () => build({ stack, base: { environment, image: IMAGE, capacity: Capacity.ec2(instances) } }));
  });

  test('fails at synth on Fargate', () => {
    const stack = testStack();
    expectError(ErrorCode.PLATFORM, () => new StandaloneTask(stack, 'T', { environment: productionEnvironment(stack), image: IMAGE, networkMode: ecs.NetworkMode.NONE }));
  });
});
