import { CfnOutput, CfnParameter, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorCode, problemMessage } from '../guardrails/errors';
import { QUOTA_WARNING_SHARE, warn, WarningId } from '../guardrails/warnings';

/**
 * CloudFormation's per-template quotas that an app of many services meets first. Source: AWS
 * CloudFormation User Guide, "Understand CloudFormation quotas": 500 resources, 200 parameters
 * and 200 outputs per template.
 */
export const STACK_QUOTAS = { resources: 500, parameters: 200, outputs: 200 };

const WATCHED = new WeakSet<Stack>();

/**
 * Watch the stack that `scope` is in (once per stack): at synth, past 80% of a quota a warning
 * names the stack and the way out; past the quota itself (CloudFormation refuses the template)
 * synth fails. Exports made for references from other stacks are counted: they exist by then.
 */
export function watchStackBudget(scope: IConstruct): void {
  const stack = Stack.of(scope);
  if (WATCHED.has(stack)) return;
  WATCHED.add(stack);
  stack.node.addValidation({ validate: () => budgetProblems(stack) });
}

function budgetProblems(stack: Stack): string[] {
  const own = stack.node.findAll().filter(c => Stack.of(c) === stack);
  const counts: Array<[keyof typeof STACK_QUOTAS, number]> = [
    ['resources', own.filter(c => c instanceof CfnResource).length],
    ['parameters', own.filter(c => c instanceof CfnParameter).length],
    ['outputs', own.filter(c => c instanceof CfnOutput).length],
  ];
  const fix = 'split it: put workloads in stacks of their own (one per service or per team) and pass them the Environment, '
    + 'as docs/environment.md shows';
  const errors: string[] = [];
  for (const [quota, count] of counts) {
    const limit = STACK_QUOTAS[quota];
    if (count > limit) {
      errors.push(problemMessage(stack, {
        code: ErrorCode.STACK_QUOTA,
        problem: `the stack has ${count} ${quota}; CloudFormation takes at most ${limit} in one template`,
        fix,
      }));
    } else if (count > limit * QUOTA_WARNING_SHARE) {
      warn(stack, WarningId.STACK_QUOTA, `the stack ${stack.stackName} has ${count} ${quota}, past 80% of CloudFormation's ${limit} per template; ${fix}`);
    }
  }
  return errors;
}
