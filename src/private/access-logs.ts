import {
  Aws, CfnCondition, CfnMapping, Fn, Stack, Token,
  aws_elasticloadbalancingv2 as elbv2, aws_iam as iam, aws_s3 as s3, region_info as regionInfo,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Turn on ALB access logs to `bucket`, also in environment-agnostic stacks.
 *
 * aws-cdk-lib's `logAccessLogs` needs a concrete region, because the bucket policy must
 * name the region's Elastic Load Balancing account (regions opened before August 2022)
 * or the `logdelivery.elasticloadbalancing.amazonaws.com` service principal (newer ones).
 * Source: Elastic Load Balancing User Guide, "Enable access logs for your Application
 * Load Balancer" (Step 2: Attach a policy to your S3 bucket).
 * With an unresolved region the account comes from a mapping of every region CDK knows;
 * newer regions get the service principal and their own account in its place.
 */
export function enableAccessLogs(scope: Construct, loadBalancer: elbv2.ApplicationLoadBalancer, bucket: s3.Bucket): void {
  const stack = Stack.of(loadBalancer);
  if (!Token.isUnresolved(stack.region)) {
    loadBalancer.logAccessLogs(bucket);
    return;
  }
  const mapping: { [region: string]: { [key: string]: string } } = {};
  for (const region of regionInfo.RegionInfo.regions) {
    mapping[region.name] = { account: region.elbv2Account ?? 'none' };
  }
  const accounts = new CfnMapping(scope, 'ElbAccounts', { mapping });
  const account = accounts.findInMap(Aws.REGION, 'account');
  const newRegion = new CfnCondition(scope, 'ElbLogDeliveryByServicePrincipal', {
    expression: Fn.conditionEquals(account, 'none'),
  });

  loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
  loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  loadBalancer.setAttribute('access_logs.s3.prefix', '');
  const objects = bucket.arnForObjects(`AWSLogs/${stack.account}/*`);
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'],
    principals: [new iam.ArnPrincipal(Fn.conditionIf(newRegion.logicalId,
      `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`,
      `arn:${Aws.PARTITION}:iam::${account}:root`).toString())],
    resources: [objects],
  }));
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'],
    principals: [new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
    resources: [objects],
  }));
  const delivery = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'],
    principals: [delivery],
    resources: [objects],
    conditions: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
  }));
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:GetBucketAcl'],
    principals: [delivery],
    resources: [bucket.bucketArn],
  }));
  if (bucket.policy) loadBalancer.node.addDependency(bucket.policy);
}
