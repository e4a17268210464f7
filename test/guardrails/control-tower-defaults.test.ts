/**
 * The AWS Control Tower proactive controls the library satisfies by default, asserted on the
 * templates (the whole rule set runs over every integ app in test/control-tower.test.ts).
 */
import { Stack, aws_ec2 as ec2, aws_ecs as ecs } from 'aws-cdk-lib';
import {
  AlarmTopic, AutoScalingCapacity, Capacity, Environment, EnvironmentProfile, EventTask, EventTrigger, Image, LogDestination, Logging, WebService,
  WorkerService,
} from '../../src';
import { productionEnvironment, resources, template, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27');

function containers(stack: Stack, prefix: string): any[] {
  const [, task] = resources(stack, 'AWS::ECS::TaskDefinition').find(([id]) => id.startsWith(prefix))!;
  return task.Properties.ContainerDefinitions;
}

describe('Control Tower controls met by default', () => {
  test('CT.ECS.PR.7: every container has a hard memory limit; the app\'s leaves the sidecars what they reserve', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WebService(stack, 'Web', {
      environment,
      image: IMAGE,
      memoryLimitMiB: 1024,
      sidecars: [{ name: 'proxy', image: IMAGE, memoryReservationMiB: 128 }, { name: 'agent', image: IMAGE, memoryLimitMiB: 100 }],
      logging: Logging.fireLens({ destination: LogDestination.cloudWatchLogs() }),
    });
    const byName = Object.fromEntries(containers(stack, 'Web').map(c => [c.Name, c]));
    // 1024 less the proxy's 128, the agent's 100 (its limit, no reservation) and the router's 50.
    expect(byName.app.Memory).toBe(746);
    expect(byName.app.MemoryReservation).toBeUndefined();
    expect(byName.proxy).toMatchObject({ Memory: 1024, MemoryReservation: 128 });
    expect(byName.agent.Memory).toBe(100);
    expect(byName['log-router']).toMatchObject({ Memory: 1024, MemoryReservation: 50 });
    expect(Object.keys(byName).sort()).toEqual(['agent', 'app', 'log-router', 'proxy']);
  });

  test('CT.ECS.PR.7: a lone app container may use the whole task', () => {
    const stack = testStack();
    new WorkerService(stack, 'Worker', { environment: productionEnvironment(stack), image: IMAGE, memoryLimitMiB: 2048, cpu: 512 });
    expect(containers(stack, 'Worker').map(c => [c.Name, c.Memory])).toEqual([['app', 2048]]);
  });

  test('CT.KMS.PR.3: the keys the library creates let only AWS services create grants', () => {
    const stack = testStack();
    new AlarmTopic(stack, 'Alarms');
    new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT, exec: {} });
    const keys = resources(stack, 'AWS::KMS::Key');
    expect(keys).toHaveLength(2);
    for (const [, key] of keys) {
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Sid: 'GrantsOnlyForAwsServices',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      });
    }
  });

  test('CT.SQS.PR.1: dead-letter queues declare themselves with a redrive-allow policy', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WorkerService(stack, 'Worker', { environment, image: IMAGE });
    new EventTask(stack, 'Task', { environment, image: IMAGE, trigger: EventTrigger.pattern({ source: ['my.app'] }) });
    const queues = resources(stack, 'AWS::SQS::Queue');
    const deadLetter = queues.filter(([id]) => id.includes('DeadLetterQueue'));
    expect(deadLetter).toHaveLength(2);
    for (const [, queue] of deadLetter) expect(queue.Properties.RedriveAllowPolicy).toEqual({ redrivePermission: 'allowAll' });
    const [, work] = queues.find(([id]) => id.startsWith('WorkerQueue'))!;
    expect(work.Properties.RedrivePolicy.deadLetterTargetArn).toBeDefined();
    expect(work.Properties.RedriveAllowPolicy).toBeUndefined();
  });

  test('CT.AUTOSCALING.PR.1: an Auto Scaling group names the zones of its subnets', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const instances = new AutoScalingCapacity(stack, 'Instances', { environment, instanceTypes: [new ec2.InstanceType('t4g.small')] });
    new WebService(stack, 'Web', { environment, image: IMAGE, capacity: Capacity.ec2(instances), networkMode: ecs.NetworkMode.BRIDGE });
    const [, group] = resources(stack, 'AWS::AutoScaling::AutoScalingGroup')[0];
    expect(group.Properties.AvailabilityZones).toHaveLength(2);
    expect(group.Properties.VPCZoneIdentifier).toHaveLength(2);
    template(stack);
  });
});
