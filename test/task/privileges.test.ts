import { aws_ecs as ecs } from 'aws-cdk-lib';
import { BackgroundService, BackgroundServiceProps, Capacity, DaemonService, DaemonServiceProps, Image, WarningId } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import { ec2Environment, expectError, hasWarning, resources, warningIds } from '../fixtures';

const image = Image.fromRegistry('public.ecr.aws/my-org/agent:1.0.0');

/** A background service on the EC2 capacity of an environment of its own. */
function onEc2(props: Partial<BackgroundServiceProps>) {
  const { stack, environment, instances } = ec2Environment();
  new BackgroundService(stack, 'App', { environment, image, capacity: Capacity.ec2(instances), ...props });
  return stack;
}

/** A daemon on EC2 capacity. */
function daemon(props: Partial<DaemonServiceProps>) {
  const { stack, environment, instances } = ec2Environment();
  new DaemonService(stack, 'Agent', { environment, image, capacity: Capacity.ec2(instances), ...props });
  return stack;
}

const linuxOf = (stack: ReturnType<typeof onEc2>) => resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0].LinuxParameters;

describe('linuxSettings.addCapabilities', () => {
  test('on EC2 capacity an application service adds any capability, beside those it drops, and is warned (ADDED_CAPABILITIES)', () => {
    const stack = onEc2({ linuxSettings: { addCapabilities: [ecs.Capability.NET_ADMIN], dropCapabilities: [ecs.Capability.NET_RAW] } });
    expect(linuxOf(stack).Capabilities).toEqual({ Add: ['NET_ADMIN'], Drop: ['NET_RAW'] });
    expect(hasWarning(stack, WarningId.ADDED_CAPABILITIES)).toBe(true);
    expect(hasWarning(onEc2({}), WarningId.ADDED_CAPABILITIES)).toBe(false);
  });

  test('the warning says when the baseline\'s non-root user would hold them only through file capabilities; as root it does not', () => {
    const message = (stack: ReturnType<typeof onEc2>) => warningIds(stack).find(w => w.includes(WarningId.ADDED_CAPABILITIES))!;
    expect(message(onEc2({ linuxSettings: { addCapabilities: [ecs.Capability.NET_ADMIN] } }))).toMatch(/non-root user 1000:1000.*setcap/);
    expect(message(onEc2({ containerSecurity: { user: '0' }, linuxSettings: { addCapabilities: [ecs.Capability.NET_ADMIN] } }))).not.toMatch(/non-root/);
  });

  test('a capability listed twice, or both added and dropped, fails with CONFLICTING_OPTIONS', () => {
    const { SYS_PTRACE, NET_ADMIN } = ecs.Capability;
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => onEc2({ linuxSettings: { addCapabilities: [SYS_PTRACE, SYS_PTRACE] } }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => onEc2({ linuxSettings: { addCapabilities: [NET_ADMIN], dropCapabilities: [NET_ADMIN] } }));
  });
});

describe('containerSecurity.privileged', () => {
  test('a DaemonService on EC2 runs privileged and is warned (PRIVILEGED_CONTAINER); false is the baseline\'s unprivileged container', () => {
    const stack = daemon({ containerSecurity: { privileged: true } });
    expect(resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0].Privileged).toBe(true);
    expect(hasWarning(stack, WarningId.PRIVILEGED_CONTAINER)).toBe(true);
    const plain = daemon({ containerSecurity: { privileged: false } });
    expect(resources(plain, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0].Privileged).toBe(false);
    expect(hasWarning(plain, WarningId.PRIVILEGED_CONTAINER)).toBe(false);
  });

  test('with capabilities added or dropped, or on an application service (even on EC2), it fails with CONFLICTING_OPTIONS', () => {
    const privileged = (linuxSettings: DaemonServiceProps['linuxSettings']) => daemon({ containerSecurity: { privileged: true }, linuxSettings });
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => privileged({ dropCapabilities: [ecs.Capability.ALL] }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => privileged({ addCapabilities: [ecs.Capability.SYS_ADMIN] }));
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => onEc2({ containerSecurity: { privileged: true } }));
  });
});
