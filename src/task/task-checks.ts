import { Stack, Token, aws_ecs as ecs } from 'aws-cdk-lib';
import { ErrorCode } from '../guardrails/errors';

/**
 * Validation run once the tree is built: every container of the task (including those
 * added through the `taskDefinition` escape hatch) must fit in the task's memory.
 */
export function containerMemoryErrors(taskDefinition: ecs.TaskDefinition, taskMemoryMiB: number): string[] {
  if (Token.isUnresolved(taskMemoryMiB)) return [];
  const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
  const containers = (Stack.of(taskDefinition).resolve(cfn.containerDefinitions) ?? []) as Array<Record<string, unknown>>;
  const errors: string[] = [];
  let reserved = 0;
  for (const c of containers) {
    const limit = typeof c.memory === 'number' ? c.memory : undefined;
    const reservation = typeof c.memoryReservation === 'number' ? c.memoryReservation : undefined;
    if (limit !== undefined && limit > taskMemoryMiB) {
      errors.push(`[cdk-shipyard:${ErrorCode.CONTAINER_MEMORY}] ${taskDefinition.node.path}: container ${JSON.stringify(c.name)} `
        + `has a memory limit of ${limit} MiB, above the task's ${taskMemoryMiB} MiB. Fix: lower the container's memoryLimitMiB or raise the task's memoryLimitMiB`);
    }
    reserved += reservation ?? limit ?? 0;
  }
  if (reserved > taskMemoryMiB) {
    errors.push(`[cdk-shipyard:${ErrorCode.CONTAINER_MEMORY}] ${taskDefinition.node.path}: the containers reserve ${reserved} MiB together, `
      + `above the task's ${taskMemoryMiB} MiB. Fix: lower the containers' memory or raise the task's memoryLimitMiB`);
  }
  return errors;
}
