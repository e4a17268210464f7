import { aws_iam as iam, aws_kms as kms, aws_sns as sns } from 'aws-cdk-lib';
import { Construct } from 'constructs';

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
 * TLS-only, and with a key policy that lets CloudWatch alarms and EventBridge rules publish
 * (an SNS topic encrypted with the AWS managed key accepts neither).
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
    this.topic = new sns.Topic(this, 'Topic', { masterKey: this.key, enforceSSL: true, displayName: props.displayName });
  }
}
