import { HANDLER } from '../../src/private/capacity-deletion-guard';

/** A CloudFormation custom-resource event for the deletion guard. */
export interface GuardEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, string>;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

/** A Delete event with `properties`, for the resource named `id`. */
export function deleteEvent(id: string, properties: Record<string, string>): GuardEvent {
  return {
    RequestType: 'Delete',
    PhysicalResourceId: id,
    ResourceProperties: properties,
    ResponseURL: 'https://example.com/x',
    StackId: 's',
    RequestId: 'r',
    LogicalResourceId: 'l',
  };
}

const SDK_COMMANDS: Record<string, string[]> = {
  '@aws-sdk/client-auto-scaling': ['DeleteAutoScalingGroupCommand', 'DescribeAutoScalingGroupsCommand'],
  '@aws-sdk/client-ecs': ['DescribeCapacityProvidersCommand', 'ListContainerInstancesCommand', 'DescribeContainerInstancesCommand'],
};

/**
 * The deletion guard's inline handler, loaded with fake AWS SDK clients (`send` answers each
 * command by its class name) and a fake HTTPS client that records what it answers
 * CloudFormation. Timers are faked, so waits take no time; the function has `timeoutMs` left
 * when it starts.
 */
export function loadGuard(send: (command: string, input: any) => any, timeoutMs = 600000) {
  const calls: Array<[string, any]> = [];
  const answers: any[] = [];
  const fakeRequire = (name: string) => {
    const commands = SDK_COMMANDS[name];
    if (commands) {
      const client = class {
        async send(command: { name: string; input: any }) {
          calls.push([command.name, command.input]);
          return send(command.name, command.input);
        }
      };
      const module: Record<string, unknown> = { AutoScalingClient: client, ECSClient: client };
      for (const command of commands) {
        module[command] = class {
          public readonly name = command;
          constructor(public readonly input: any) {}
        };
      }
      return module;
    }
    if (name === 'https') {
      return {
        request: (_url: string, _options: any, callback: (res: any) => void) => ({
          on: () => undefined,
          end: (body: string) => {
            answers.push(JSON.parse(body));
            callback({ resume: () => undefined, on: (_e: string, done: () => void) => done() });
          },
        }),
      };
    }
    throw new Error(`unexpected module ${name}`);
  };
  const module = { exports: {} as any };
  new Function('require', 'exports', 'console', HANDLER)(fakeRequire, module.exports, { log: () => undefined, error: () => undefined });
  return {
    calls,
    answers,
    callsOf: (command: string) => calls.filter(([n]) => n === command),
    run: async (event: GuardEvent) => {
      jest.useFakeTimers();
      const deadline = Date.now() + timeoutMs;
      const context = { getRemainingTimeInMillis: () => deadline - Date.now(), logStreamName: 'stream' };
      try {
        const done = module.exports.handler(event, context);
        await jest.runAllTimersAsync();
        await done;
      } finally {
        jest.useRealTimers();
      }
    },
  };
}
