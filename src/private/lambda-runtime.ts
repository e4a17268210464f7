import { aws_lambda as lambda } from 'aws-cdk-lib';

/**
 * The newest Node.js runtime the app's aws-cdk-lib knows (`nodejs24.x` on 2.257, `nodejs26.x`
 * on 2.278), found as cdk-nag's AwsSolutions-L1 finds "the latest runtime of the family": the
 * highest version in `Runtime.ALL`. A fixed runtime would fail that rule as soon as a user's
 * aws-cdk-lib knows a newer one.
 */
export function newestNodeRuntime(): lambda.Runtime {
  const version = (r: lambda.Runtime) => Number(/^nodejs(\d+)\.x$/.exec(r.name)?.[1] ?? -1);
  return lambda.Runtime.ALL.reduce((newest, r) => version(r) > version(newest) ? r : newest, lambda.Runtime.NODEJS_24_X);
}
