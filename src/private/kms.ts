import { aws_iam as iam, aws_kms as kms } from 'aws-cdk-lib';

/**
 * Deny `kms:CreateGrant` unless the grant is for an AWS resource or an AWS service asks: the
 * keys the library creates serve SNS, CloudWatch, EventBridge and ECS Exec, none of which
 * needs a grant for anything else. This is AWS Control Tower's proactive control
 * CT.KMS.PR.3 ("Require an AWS KMS key policy to have a statement that limits creation of
 * AWS KMS grants to AWS services"), in the form its guard rule checks.
 */
export function restrictGrantsToAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'GrantsOnlyForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
    },
  }));
}
