import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, aws_ec2 as ec2, aws_ecs as ecs, aws_s3 as s3, aws_secretsmanager as sm, aws_ssm as ssm } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Capacity, Image, JobSchedule, ScheduledJob, SidecarOptions, Volume, WebService, WebServiceProps } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, expectValidationError, hasWarning, policyStatements, productionEnvironment, resources, template, testStack, webService as web, containerDefinitions as containers, containerNamed as container } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27');
const PROXY: SidecarOptions = { name: 'proxy', image: Image.fromRegistry('public.ecr.aws/envoy:v1'), portMappings: [{ containerPort: 9901 }] };


describe('task model: containers', () => {
  test('a sidecar is essential, reserves 64 MiB, keeps the secure baseline and has its own log stream', () => {
    const { stack } = web({ sidecars: [PROXY] });
    const proxy = container(stack, 'proxy');
    expect(proxy).toMatchObject({
      Essential: true,
      MemoryReservation: 64,
      ReadonlyRootFilesystem: true,
      User: '1000:1000',
      Privileged: false,
      LinuxParameters: { InitProcessEnabled: true, Tmpfs: [{ ContainerPath: '/tmp', Size: 128, MountOptions: ['nosuid', 'nodev', 'exec'] }] },
      PortMappings: [{ ContainerPort: 9901 }],
      LogConfiguration: { LogDriver: 'awslogs', Options: expect.objectContaining({ 'awslogs-stream-prefix': 'proxy', 'mode': 'non-blocking' }) },
    });
    expect(proxy.MountPoints).toBeUndefined();
    // Both containers write to the workload's one log group.
    expect(proxy.LogConfiguration.Options['awslogs-group']).toEqual(container(stack, 'app').LogConfiguration.Options['awslogs-group']);
  });

  test('a sidecar takes Docker labels and environment files, and the execution role reads its files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecar-env-'));
    fs.writeFileSync(path.join(dir, 'a.env'), 'A=1\n');
    fs.writeFileSync(path.join(dir, 'b.env'), 'B=2\n');
    const stack = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Config', 'config-bucket');
    web({
      environmentFiles: [ecs.EnvironmentFile.fromAsset(path.join(dir, 'a.env')), ecs.EnvironmentFile.fromAsset(path.join(dir, 'b.env'))],
      sidecars: [{
        ...PROXY,
        dockerLabels: { 'com.example.role': 'proxy' },
        environmentFiles: [ecs.EnvironmentFile.fromBucket(bucket, 'proxy.env'), ecs.EnvironmentFile.fromAsset(path.join(dir, 'a.env'))],
      }],
    }, stack);
    const proxy = container(stack, 'proxy');
    expect(proxy.DockerLabels).toEqual({ 'com.example.role': 'proxy' });
    expect(proxy.EnvironmentFiles).toHaveLength(2);
    expect(JSON.stringify(policyStatements(stack, 'WebTaskDefinitionExecutionRole'))).toContain('config-bucket/proxy.env');
  });

  test('the main container waits for a sidecar that asks for it', () => {
    const { stack } = web({
      sidecars: [{ ...PROXY, healthCheck: { command: ['CMD', '/bin/true'] }, appWaitsFor: ecs.ContainerDependencyCondition.HEALTHY }],
    });
    expect(container(stack, 'app').DependsOn).toEqual([{ ContainerName: 'proxy', Condition: 'HEALTHY' }]);
  });

  test('sidecars depend on each other by name', () => {
    const { stack } = web({
      sidecars: [PROXY, { name: 'agent', image: IMAGE, dependsOn: [{ containerName: 'proxy' }, { containerName: 'app' }] }],
    });
    expect(container(stack, 'agent').DependsOn).toEqual([
      { ContainerName: 'proxy', Condition: 'START' },
      { ContainerName: 'app', Condition: 'START' },
    ]);
  });

  test('an init container is not essential and the main container waits for it to succeed', () => {
    const { stack } = web({ initContainers: [{ name: 'migrate', image: IMAGE, command: ['migrate'] }] });
    expect(container(stack, 'migrate').Essential).toBe(false);
    expect(container(stack, 'app').DependsOn).toEqual([{ ContainerName: 'migrate', Condition: 'SUCCESS' }]);
  });

  test('fails when an init container is essential', () => {
    expectError(ErrorCode.CONTAINER_DEPENDENCY, () => web({ initContainers: [{ name: 'migrate', image: IMAGE, essential: true }] }));
  });

  test('fails when two containers have the same name', () => {
    expectError(ErrorCode.CONTAINERS, () => web({ sidecars: [PROXY, { ...PROXY, portMappings: [] }] }));
    expectError(ErrorCode.CONTAINERS, () => web({ sidecars: [{ ...PROXY, name: 'app' }] }));
  });

  test('fails when the task has more than 10 containers', () => {
    const sidecars = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, image: IMAGE, memoryReservationMiB: 16 }));
    expectError(ErrorCode.CONTAINERS, () => web({ cpu: 1024, memoryLimitMiB: 2048, sidecars }));
  });

  test('fails when two containers use the same port (awsvpc shares one network namespace)', () => {
    expectError(ErrorCode.CONTAINERS, () => web({ sidecars: [{ ...PROXY, portMappings: [{ containerPort: 8080 }] }] }));
  });

  test('fails when a dependency names a container that does not exist', () => {
    expectError(ErrorCode.CONTAINER_DEPENDENCY, () => web({ sidecars: [{ ...PROXY, dependsOn: [{ containerName: 'db' }] }] }));
  });

  test('fails when containers depend on each other in a cycle', () => {
    expect(() => web({
      sidecars: [
        { name: 'a', image: IMAGE, dependsOn: [{ containerName: 'b' }] },
        { name: 'b', image: IMAGE, dependsOn: [{ containerName: 'a' }] },
      ],
    })).toThrow(/CONTAINER_DEPENDENCY.*cycle: a -> b -> a/);
  });

  test('fails when a container waits for HEALTHY on a container without a health check', () => {
    expectError(ErrorCode.CONTAINER_DEPENDENCY, () => web({ sidecars: [{ ...PROXY, appWaitsFor: ecs.ContainerDependencyCondition.HEALTHY }] }));
  });

  test('fails when a container waits for an essential container to succeed', () => {
    expectError(ErrorCode.CONTAINER_DEPENDENCY, () => web({ sidecars: [{ ...PROXY, appWaitsFor: ecs.ContainerDependencyCondition.SUCCESS }] }));
  });

  test('fails when the memory reservations add up to more than the task memory', () => {
    expectError(ErrorCode.CONTAINER_MEMORY, () => web({ sidecars: [{ ...PROXY, memoryReservationMiB: 600 }] }));
  });

  test('fails at synth when an escape-hatch container depends on a missing container', () => {
    const { stack, service } = web();
    const extra = service.taskDefinition.addContainer('Extra', { image: ecs.ContainerImage.fromRegistry('busybox'), logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'x' }) });
    extra.addContainerDependencies({ container: service.container, condition: ecs.ContainerDependencyCondition.HEALTHY });
    expectValidationError(stack, ErrorCode.CONTAINER_DEPENDENCY, /HEALTHY/);
  });

  test('fails at synth when an escape-hatch container has no log configuration', () => {
    const { stack, service } = web();
    service.taskDefinition.addContainer('Extra', { image: ecs.ContainerImage.fromRegistry('busybox') });
    expectValidationError(stack, ErrorCode.LOGGING, /no log configuration/);
  });

  test('containers added after the workload still reach the template (nothing is resolved early)', () => {
    const { stack, service } = web({ sidecars: [PROXY] });
    service.taskDefinition.addContainer('Extra', { image: ecs.ContainerImage.fromRegistry('busybox'), logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'x' }), memoryReservationMiB: 32 });
    expect(containers(stack).map(c => c.Name)).toEqual(['app', 'proxy', 'Extra']);
  });
});

describe('task model: secrets, environment files and settings', () => {
  test('the execution role reads exactly the secrets, JSON fields and parameters given', () => {
    const stack = testStack();
    const secret = sm.Secret.fromSecretCompleteArn(stack, 'Db', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf');
    const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'Param', { parameterName: '/app/api-key' });
    web({
      secrets: {
        DB_PASSWORD: ecs.Secret.fromSecretsManager(secret, 'password'),
        API_KEY: ecs.Secret.fromSsmParameter(parameter),
      },
    }, stack);
    expect(container(stack, 'app').Secrets).toEqual([
      { Name: 'DB_PASSWORD', ValueFrom: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf:password::' },
      { Name: 'API_KEY', ValueFrom: expect.anything() },
    ]);
    const statements = policyStatements(stack, 'WebTaskDefinitionExecutionRole');
    const secretStatement = statements.find(s => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(secretStatement.Resource).toBe('arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf');
    const ssmStatement = statements.find(s => JSON.stringify(s.Action).includes('ssm:GetParameters'));
    expect(JSON.stringify(ssmStatement.Resource)).toContain(':parameter/app/api-key');
  });

  test('fails when a secret ARN belongs to neither Secrets Manager nor SSM', () => {
    const stack = testStack();
    const notASecret = sm.Secret.fromSecretAttributes(stack, 'Bad', { secretPartialArn: 'arn:aws:s3:::my-bucket/secret.txt' });
    expectError(ErrorCode.SECRET, () => web({ secrets: { TOKEN: ecs.Secret.fromSecretsManager(notASecret) } }, stack));
  });

  test('environment files come from S3 and the execution role reads that object only', () => {
    const stack = testStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Config', 'config-bucket');
    web({ environmentFiles: [ecs.EnvironmentFile.fromBucket(bucket, 'app/prod.env')] }, stack);
    expect(container(stack, 'app').EnvironmentFiles).toEqual([{ Type: 's3', Value: expect.anything() }]);
    const statements = policyStatements(stack, 'WebTaskDefinitionExecutionRole');
    expect(JSON.stringify(statements)).toContain('config-bucket/app/prod.env');
    expect(JSON.stringify(statements)).not.toContain('config-bucket/*');
  });

  test('two environment files from local assets each get an asset of their own (aws/aws-cdk#21313)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'env-files-'));
    fs.writeFileSync(path.join(dir, 'common.env'), 'A=1\n');
    fs.writeFileSync(path.join(dir, 'app.env'), 'B=2\n');
    const stack = testStack();
    web({ environmentFiles: [ecs.EnvironmentFile.fromAsset(path.join(dir, 'common.env')), ecs.EnvironmentFile.fromAsset(path.join(dir, 'app.env'))] }, stack);
    const files = container(stack, 'app').EnvironmentFiles;
    expect(files).toHaveLength(2);
    expect(JSON.stringify(files[0])).not.toEqual(JSON.stringify(files[1]));
  });

  test('linux settings, timeouts, restart policy and ephemeral storage reach the task', () => {
    const { stack } = web({
      linuxSettings: { dropCapabilities: [ecs.Capability.ALL], ulimits: [{ name: ecs.UlimitName.NOFILE, softLimit: 4096, hardLimit: 8192 }] },
      stopTimeout: Duration.seconds(60),
      startTimeout: Duration.seconds(120),
      restartPolicy: { ignoredExitCodes: [0], attemptPeriod: Duration.seconds(120) },
      ephemeralStorageGiB: 50,
    });
    expect(container(stack, 'app')).toMatchObject({
      LinuxParameters: { Capabilities: { Drop: ['ALL'] }, InitProcessEnabled: true },
      Ulimits: [{ Name: 'nofile', SoftLimit: 4096, HardLimit: 8192 }],
      StopTimeout: 60,
      StartTimeout: 120,
      RestartPolicy: { Enabled: true, IgnoredExitCodes: [0], RestartAttemptPeriod: 120 },
    });
    template(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { EphemeralStorage: { SizeInGiB: 50 } });
  });

  test.each([
    ['ephemeral storage of 20 GiB', { ephemeralStorageGiB: 20 }],
    ['ephemeral storage of 201 GiB', { ephemeralStorageGiB: 201 }],
    ['a stop timeout above 120 s', { stopTimeout: Duration.seconds(121) }],
    ['a restart attempt period below 60 s', { restartPolicy: { attemptPeriod: Duration.seconds(30) } }],
    ['shared memory on Fargate', { linuxSettings: { sharedMemorySizeMiB: 128 } }],
    ['a ulimit other than nofile on Fargate', { linuxSettings: { ulimits: [{ name: ecs.UlimitName.NPROC, softLimit: 1, hardLimit: 1 }] } }],
  ])('fails with %s', (_name, props) => {
    expectError(ErrorCode.TASK_SETTINGS, () => web(props as Partial<WebServiceProps>));
  });

  test('fails at synth when an escape-hatch container stops after more than 120 s on Fargate', () => {
    const { stack, service } = web();
    service.taskDefinition.addContainer('Slow', {
      image: ecs.ContainerImage.fromRegistry('busybox'), logging: ecs.LogDrivers.awsLogs({ streamPrefix: 's' }), stopTimeout: Duration.seconds(300),
    });
    expectValidationError(stack, ErrorCode.TASK_SETTINGS, /stop timeout of 300 s/);
  });
});

describe('task model: edge cases', () => {
  test('fails with a sidecar name ECS does not accept', () => {
    const stack = testStack();
    expectError(ErrorCode.CONTAINERS, () => new WebService(stack, 'Web', {
      environment: productionEnvironment(stack), image: IMAGE, sidecars: [{ name: 'proxy sidecar', image: IMAGE }],
    }));
  });

  test('warns when exec meets dropped capabilities', () => {
    const stack = testStack();
    new WebService(stack, 'Web', {
      environment: productionEnvironment(stack), image: IMAGE, enableExec: true, linuxSettings: { dropCapabilities: [ecs.Capability.ALL] },
    });
    expect(hasWarning(stack, 'cdk-shipyard:exec-dropped-capabilities')).toBe(true);
  });
});

describe('task model: main container settings', () => {
  test('entry point, working directory, Docker labels and family reach the task definition', () => {
    const { stack } = web({
      entryPoint: ['httpd'], command: ['-f', '-p', '8080'], workingDirectory: '/www', dockerLabels: { 'com.example.team': 'shop' }, family: 'shop-web',
    });
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect(task.Properties.Family).toBe('shop-web');
    expect(container(stack, 'app')).toMatchObject({
      EntryPoint: ['httpd'], Command: ['-f', '-p', '8080'], WorkingDirectory: '/www', DockerLabels: { 'com.example.team': 'shop' },
    });
  });

  test.each([
    [{ family: 'shop web' }],
    [{ family: 'x'.repeat(256) }],
    [{ dockerLabels: { ' ': 'x' } }],
    [{ entryPoint: [] }],
    [{ workingDirectory: '' }],
    [{ containerCpu: 512 }],
    [{ containerCpu: 12.5 }],
    [{ memoryReservationMiB: 4 }],
    [{ memoryReservationMiB: 512 }],
  ])('fails with %j', (props) => {
    expectError(ErrorCode.TASK_SETTINGS, () => web(props as any));
  });

  test('the main container\'s CPU share and memory reservation, within the task\'s', () => {
    // A sidecar comes first in nothing: the reservation lands on the app's own entry, wherever it is.
    const sidecar: SidecarOptions = { name: 'agent', image: Image.fromRegistry('public.ecr.aws/my-org/agent:1.0.0'), memoryReservationMiB: 256 };
    const { stack } = web({ cpu: 1024, memoryLimitMiB: 2048, containerCpu: 768, memoryReservationMiB: 1024, sidecars: [sidecar] });
    expect(container(stack, 'app')).toMatchObject({ Cpu: 768, MemoryReservation: 1024, Memory: 2048 - 256 });
    expect(container(stack, 'agent').MemoryReservation).toBe(256);
  });

  test('fails at synth when the sidecars leave the main container less than its reservation', () => {
    const stack = testStack();
    const sidecar: SidecarOptions = { name: 'agent', image: Image.fromRegistry('public.ecr.aws/my-org/agent:1.0.0'), memoryReservationMiB: 400 };
    web({ memoryReservationMiB: 300, sidecars: [sidecar] }, stack);
    expectValidationError(stack, ErrorCode.TASK_SETTINGS, /memoryReservationMiB is 300, above the 112 MiB/);
  });
});

describe('the main container\'s name', () => {
  test('containerName renames it everywhere: the definition, the load balancer registration, default volume mounts and the memory left to it', () => {
    const { stack } = web({
      containerName: 'simple-app',
      memoryLimitMiB: 1024,
      sidecars: [{ name: 'app', image: Image.fromRegistry('public.ecr.aws/my-org/helper:1'), memoryReservationMiB: 128 }],
      volumes: [Volume.scratch('cache', { containerPath: '/cache' })],
    });
    const app = container(stack, 'simple-app');
    expect(app.MountPoints).toEqual(expect.arrayContaining([expect.objectContaining({ ContainerPath: '/cache', SourceVolume: 'cache' })]));
    expect(app.Memory).toBe(1024 - 128);
    expect(container(stack, 'app').MountPoints ?? []).not.toEqual(expect.arrayContaining([expect.objectContaining({ ContainerPath: '/cache' })]));
    template(stack).hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'simple-app' })] });
  });

  test('a scheduled job\'s failure rule watches the renamed container', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new ScheduledJob(stack, 'Job', { environment, image: IMAGE, containerName: 'report', schedule: JobSchedule.rate(Duration.hours(1)) });
    expect(JSON.stringify(resources(stack, 'AWS::Events::Rule'))).toContain('"name":["report"]');
  });

  test.each([
    ['a name with a space', { containerName: 'simple app' }],
    ['the log router\'s name', { containerName: 'log-router' }],
    ['a sidecar with the main container\'s name', {
      containerName: 'simple-app', sidecars: [{ name: 'simple-app', image: Image.fromRegistry('public.ecr.aws/my-org/helper:1') }],
    }],
  ])('fails at synth with %s', (_name, props) => {
    expectError(ErrorCode.CONTAINERS, () => web(props));
  });
});

describe('GPUs', () => {
  test('the main container reserves them on GPU instances', () => {
    const { stack, environment, instances } = ec2Environment({ gpu: true, instanceTypes: [new ec2.InstanceType('g5.xlarge')] });
    new WebService(stack, 'Inference', { environment, image: IMAGE, capacity: Capacity.ec2(instances), gpuCount: 1, memoryLimitMiB: 8192, cpu: 2048 });
    expect(container(stack, 'app').ResourceRequirements).toEqual([{ Type: 'GPU', Value: '1' }]);
  });

  test.each([
    ['GPUs on Fargate', ErrorCode.PLATFORM, () => web({ gpuCount: 1 })],
    ['GPUs on instances without the GPU image', ErrorCode.PLATFORM, () => {
      const { stack, environment, instances } = ec2Environment();
      return new WebService(stack, 'Web', { environment, image: IMAGE, capacity: Capacity.ec2(instances), gpuCount: 1 });
    }],
    ['a fraction of a GPU', ErrorCode.TASK_SETTINGS, () => {
      const { stack, environment, instances } = ec2Environment({ gpu: true, instanceTypes: [new ec2.InstanceType('g5.xlarge')] });
      return new WebService(stack, 'Web', { environment, image: IMAGE, capacity: Capacity.ec2(instances), gpuCount: 0.5 });
    }],
  ])('fails at synth with %s', (_name, code, build) => {
    expectError(code, build);
  });
});
