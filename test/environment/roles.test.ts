import { App, Duration, Stack, aws_ec2 as ec2, aws_iam as iam } from 'aws-cdk-lib';
import { AutoScalingCapacity, Deployment, Environment, Image, JobSchedule, ScheduledJob, WebService } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { expectError, productionEnvironment, resources, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0');

describe('role settings: a permissions boundary and a path on every role the library creates', () => {
  test('the environment\'s, its capacity\'s, its custom-resource providers\' and its workloads\' roles all carry them', () => {
    const stack = testStack();
    const boundary = iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'workload-boundary');
    const environment = productionEnvironment(stack, { roleSettings: { permissionsBoundary: boundary, path: '/workloads/' } });
    new AutoScalingCapacity(stack, 'Instances', { environment, instanceTypes: [new ec2.InstanceType('m7g.large')] });
    new WebService(stack, 'Web', { environment, image: IMAGE, deployment: Deployment.blueGreen() });
    new ScheduledJob(stack, 'Job', { environment, image: IMAGE, schedule: JobSchedule.rate(Duration.hours(1)) });
    const roles = resources(stack, 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThanOrEqual(8);
    const missing = roles.filter(([, r]) => r.Properties.Path !== '/workloads/' || r.Properties.PermissionsBoundary === undefined).map(([id]) => id);
    expect(missing).toEqual([]);
    expect(JSON.stringify(roles[0][1].Properties.PermissionsBoundary)).toContain('policy/workload-boundary');
    // The default security group's provider role too (aws-cdk-lib puts it at the stack's root).
    expect(roles.map(([id]) => id).some(id => /CustomVpcRestrictDefaultSGCustomResourceProviderRole/.test(id))).toBe(true);
  });

  test('a workload in another stack takes them from the imported environment', () => {
    const app = new App();
    const stack = new Stack(app, 'Platform');
    const environment = productionEnvironment(stack, { roleSettings: { path: '/apps/' } });
    const other = new Stack(app, 'Team');
    const imported = Environment.fromAttributes(other, 'Env', {
      vpc: environment.vpc, cluster: environment.cluster, roleSettings: environment.roleSettings,
    });
    new ScheduledJob(other, 'Job', { environment: imported, image: IMAGE, schedule: JobSchedule.rate(Duration.hours(1)) });
    const roles = resources(other, 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(0);
    expect(roles.every(([, r]) => r.Properties.Path === '/apps/')).toBe(true);
  });

  test.each(['workloads', '/work loads/', '', `/${'a'.repeat(512)}/`])('fails at synth with the path %s', path => {
    expectError(ErrorCode.ROLES, () => productionEnvironment(testStack(), { roleSettings: { path } }));
  });
});

describe('bring your own task and execution roles', () => {
  test('fails at synth with a boundary given by name where the ARN goes (IAM: a managed policy ARN)', () => {
    const stack = testStack();
    const boundary = iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Boundary', 'workload-boundary');
    expectError(ErrorCode.ROLES, () => productionEnvironment(stack, { roleSettings: { permissionsBoundary: boundary } }));
    expect(() => productionEnvironment(testStack(), { roleSettings: { permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyArn(stack, 'B2', 'workload-boundary') } }))
      .toThrow(/permissionsBoundary "workload-boundary" is not a managed policy ARN.*fromManagedPolicyName/);
  });

  test.each([
    'arn:aws:iam::123456789012:policy/boundaries/workload-boundary',
    'arn:aws:iam::aws:policy/PowerUserAccess',
    'arn:aws-us-gov:iam::123456789012:policy/workload-boundary',
  ])('takes the boundary ARN %s', arn => {
    const stack = testStack();
    const boundary = iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Boundary', arn);
    productionEnvironment(stack, { roleSettings: { permissionsBoundary: boundary } });
    expect(resources(stack, 'AWS::IAM::Role').every(([, r]) => r.Properties.PermissionsBoundary === arn)).toBe(true);
  });

  test('the task definition uses them, and the execution role gets the log grant', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const taskRole = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    const executionRole = new iam.Role(stack, 'PullRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    const web = new WebService(stack, 'Web', { environment, image: IMAGE, taskRole, executionRole });
    expect(web.taskRole).toBe(taskRole);
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect(task.Properties.TaskRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AppRole/), 'Arn'] });
    expect(task.Properties.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PullRole/), 'Arn'] });
    const policies = resources(stack, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes('PullRole'));
    expect(JSON.stringify(policies)).toContain('logs:PutLogEvents');
    // No role of the library's own beside them.
    expect(resources(stack, 'AWS::IAM::Role').filter(([id]) => id.startsWith('WebTaskDefinition'))).toEqual([]);
  });

  test('an imported role is taken as given', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const taskRole = iam.Role.fromRoleArn(stack, 'Shared', 'arn:aws:iam::123456789012:role/shared-task-role', { mutable: false });
    new WebService(stack, 'Web', { environment, image: IMAGE, taskRole });
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect(task.Properties.TaskRoleArn).toBe('arn:aws:iam::123456789012:role/shared-task-role');
  });

  test('fails at synth with a role tasks cannot assume', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const lambdaRole = new iam.Role(stack, 'LambdaRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expectError(ErrorCode.ROLES, () => new WebService(stack, 'Web', { environment, image: IMAGE, taskRole: lambdaRole }));
    expectError(ErrorCode.ROLES, () => new WebService(stack, 'Web2', { environment, image: IMAGE, executionRole: lambdaRole }));
  });
});
