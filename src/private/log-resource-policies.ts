import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorCode, problemMessage } from '../guardrails/errors';
import { QUOTA_WARNING_SHARE, warn, WarningId } from '../guardrails/warnings';

/**
 * CloudWatch Logs resource policies per account and Region: 10, a quota that cannot be raised.
 * Sources: Amazon CloudWatch Logs User Guide, "CloudWatch Logs quotas" (Resource policies);
 * CloudWatch Logs API Reference, PutResourcePolicy ("up to 10 resource policies per AWS Region").
 */
export const LOG_RESOURCE_POLICY_QUOTA = 10;

/**
 * The CloudFormation types that each put one resource policy into the account: the resource itself,
 * and aws-cdk-lib's custom resource behind `aws_events_targets.CloudWatchLogGroup`.
 */
const POLICY_TYPES = new Set(['AWS::Logs::ResourcePolicy', 'Custom::CloudwatchLogResourcePolicy']);

/**
 * Check at synth, for `owner` (a construct that adds such a policy), how many CloudWatch Logs
 * resource policies the whole app puts into the owner's account and Region: a warning past 80% of
 * the quota, an error past the quota itself when the account and Region are known (an
 * environment-agnostic stack may deploy anywhere, so there it stays a warning). Policies made
 * outside the app count toward the same quota and are not seen here.
 */
export function watchLogResourcePolicies(owner: IConstruct): void {
  owner.node.addValidation({ validate: () => quotaProblems(owner) });
}

function quotaProblems(owner: IConstruct): string[] {
  const stack = Stack.of(owner);
  const place = (s: Stack) => `${s.account} ${s.region}`;
  const count = owner.node.root.node.findAll()
    .filter(c => c instanceof CfnResource && POLICY_TYPES.has(c.cfnResourceType) && place(Stack.of(c)) === place(stack)).length;
  if (count <= LOG_RESOURCE_POLICY_QUOTA * QUOTA_WARNING_SHARE) return [];
  const where = `account ${stack.account}, Region ${stack.region}`;
  const fix = 'turn taskEvents.lifecycleLog off in some environments, or put them in other accounts or Regions';
  const known = !Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region);
  if (count > LOG_RESOURCE_POLICY_QUOTA && known) {
    return [problemMessage(owner, {
      code: ErrorCode.LOG_RESOURCE_POLICY_QUOTA,
      problem: `the app puts ${count} CloudWatch Logs resource policies into ${where}; CloudWatch Logs takes at most `
        + `${LOG_RESOURCE_POLICY_QUOTA} there, and does not raise that quota`,
      fix,
    })];
  }
  warn(owner, WarningId.LOG_RESOURCE_POLICY_QUOTA, `the app puts ${count} CloudWatch Logs resource policies into ${where}; `
    + `CloudWatch Logs takes ${LOG_RESOURCE_POLICY_QUOTA} per account and Region, those made outside the app included, and does not raise `
    + `that quota. To stay under it, ${fix}`);
  return [];
}
