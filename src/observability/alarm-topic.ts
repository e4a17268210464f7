import { Stack, aws_iam as iam, aws_kms as kms, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { restrictGrantsToAwsServices } from '../private/kms';

/** Properties of an AlarmTopic. */
export interface AlarmTopicProps {
  /**
   * Display name of the topic.
   * @default - none
   */
  readonly displayName?: string;
}

/**
 * An SNS topic for an environment's `alarmTopic`: encrypted with its own rotating KMS key,
 * TLS-only, and with a key policy that lets CloudWatch alarms, EventBridge rules and EC2
 * Auto Scaling notifications publish (an SNS topic encrypted with the AWS managed key
 * accepts none of them).
 */
export class AlarmTopic extends Construct {
  /** The topic; pass it as the environment's `alarmTopic`. */
  public readonly topic: sns.Topic;
  /** The key that encrypts the topic. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: `${this.node.path}: encrypts the alarm topic`,
    });
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    // Auto Scaling publishes as its service-linked role, which may not exist yet when the key
    // is created (a key policy naming a missing role is rejected): match it by ARN instead.
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*` },
        StringEquals: { 'kms:CallerAccount': stack.account },
      },
    }));
    restrictGrantsToAwsServices(this.key);
    this.topic = new sns.Topic(this, 'Topic', { masterKey: this.key, enforceSSL: true, displayName: props.displayName });
  }
}
