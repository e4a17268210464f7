import {
  Aws, CfnCondition, CfnMapping, Duration, Fn, RemovalPolicy, Stack, Token,
  aws_elasticloadbalancingv2 as elbv2, aws_iam as iam, aws_s3 as s3, region_info as regionInfo,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledge, inCompliancePacks } from './nag';
import { checkInteger, checkRange } from '../guardrails/checks';
import { ErrorCode } from '../guardrails/errors';

/**
 * The bucket that receives a load balancer's access logs: SSE-S3 (ALB access logs cannot use
 * KMS), TLS only, no public access, versioned, retained, objects expiring after `retentionDays`
 * (1-36500, checked as `what`), with the findings such a bucket raises acknowledged.
 */
export function createAccessLogsBucket(scope: Construct, id: string, what: string, retentionDays: number, code: ErrorCode): s3.Bucket {
  checkInteger(scope, code, what, retentionDays);
  checkRange(scope, code, what, retentionDays, 1, 36500, ' days');
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{
      expiration: Duration.days(retentionDays),
      noncurrentVersionExpiration: Duration.days(30),
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    }],
  });
  const reason = 'This bucket is the destination of the load balancer access logs; logging it to itself would loop, and ALB access logs support SSE-S3 only (no KMS), replication is left to the account\'s backup policy.';
  acknowledge(bucket, [
    { id: 'AwsSolutions-S1', reason },
    ...['S3BucketLoggingEnabled', 'S3DefaultEncryptionKMS', 'S3BucketReplicationEnabled'].flatMap(rule => inCompliancePacks(rule, reason)),
  ]);
  return bucket;
}

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
  loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
  loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  loadBalancer.setAttribute('access_logs.s3.prefix', '');
  allowLoadBalancerLogDelivery(scope, bucket);
  if (bucket.policy) loadBalancer.node.addDependency(bucket.policy);
}

/**
 * The bucket policy that lets Elastic Load Balancing write access logs of load balancers in
 * this account to `bucket` (under `AWSLogs/<account>/`), in any region: the region's ELB account
 * (regions opened before August 2022, from a mapping of every region CDK knows) or the
 * `logdelivery.elasticloadbalancing.amazonaws.com` service principal (newer ones), and the log
 * delivery service. Source: Elastic Load Balancing User Guide, "Enable access logs for your
 * Application Load Balancer" (Step 2: Attach a policy to your S3 bucket).
 */
export function allowLoadBalancerLogDelivery(scope: Construct, bucket: s3.Bucket): void {
  const stack = Stack.of(bucket);
  const mapping: { [region: string]: { [key: string]: string } } = {};
  for (const region of regionInfo.RegionInfo.regions) {
    mapping[region.name] = { account: region.elbv2Account ?? 'none' };
  }
  const accounts = new CfnMapping(scope, 'ElbAccounts', { mapping });
  const account = accounts.findInMap(Aws.REGION, 'account');
  const newRegion = new CfnCondition(scope, 'ElbLogDeliveryByServicePrincipal', {
    expression: Fn.conditionEquals(account, 'none'),
  });
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
}
