/**
 * The retail store's data stores, as terraform/lib/dependencies of aws-containers/retail-store-sample-app
 * (commit 1a28474f2461459f42e6b393db59e7d1434d4aec, MIT-0) creates them: Aurora MySQL for the
 * catalog, OpenSearch for its search, DynamoDB for the carts, Redis on ElastiCache for checkout,
 * Aurora PostgreSQL and RabbitMQ on Amazon MQ for orders. Each is written with aws-cdk-lib as a
 * user of cdk-shipyard would; the library itself has no data store constructs.
 *
 * What each service reads from here is named after the variable the service takes, so
 * app.ts reads as the original's task definitions do.
 */
import {
  Fn, Stack, aws_dynamodb as dynamodb, aws_ec2 as ec2, aws_elasticache as elasticache, aws_iam as iam, aws_amazonmq as mq,
  aws_opensearchservice as opensearch, aws_rds as rds, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Where the data stores go: the environment's VPC and the subnets its tasks use. */
export interface RetailStoreDataProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
}

/** The stores, and the values the services need to reach them. */
export class RetailStoreData extends Construct {
  /** Catalog: Aurora MySQL (`catalog_rds.tf`), database `catalog`. */
  public readonly catalogDatabase: rds.DatabaseCluster;
  /** Catalog search: an OpenSearch domain with its own users (`catalog_opensearch.tf`). */
  public readonly catalogSearch: opensearch.Domain;
  /** The search domain's master user: JSON with `username` and `password`. */
  public readonly catalogSearchUser: secretsmanager.Secret;
  /** Carts: a DynamoDB table keyed by `id` with the `idx_global_customerId` index (`dynamodb.tf`). */
  public readonly cartsTable: dynamodb.Table;
  /** Checkout: Redis (`elasticache.tf`). */
  public readonly checkoutRedisUrl: string;
  /** Who may reach the Redis node (port 6379). */
  public readonly checkoutRedis: ec2.Connections;
  /** Orders: Aurora PostgreSQL (`orders_rds.tf`), database `orders`. */
  public readonly ordersDatabase: rds.DatabaseCluster;
  /** Orders' events: RabbitMQ on Amazon MQ (`mq.tf`); its AMQPS endpoint. */
  public readonly ordersBrokerAddress: string;
  /** The broker's user: JSON with `username` and `password`. */
  public readonly ordersBrokerUser: secretsmanager.Secret;
  /** Who may reach the broker (AMQPS, port 5671). */
  public readonly ordersBroker: ec2.Connections;

  constructor(scope: Construct, id: string, props: RetailStoreDataProps) {
    super(scope, id);
    const { vpc, subnets } = props;
    // OpenSearch and Amazon MQ run a single node in one subnet, as the original does.
    const firstSubnet = vpc.selectSubnets(subnets).subnets[0];

    // Aurora (one db.t3.medium writer each). Credentials are generated into a Secrets Manager
    // secret (username, password, host, port, dbname), which the services read through ecs.Secret.
    const aurora = (name: string, engine: rds.IClusterEngine, databaseName: string) => new rds.DatabaseCluster(this, name, {
      engine,
      writer: rds.ClusterInstance.provisioned('Writer', { instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MEDIUM) }),
      defaultDatabaseName: databaseName,
      vpc,
      vpcSubnets: subnets,
      storageEncrypted: true,
    });
    // Terraform asks for engine_version "8.0" (the newest Aurora MySQL 3); pinned here.
    this.catalogDatabase = aurora('CatalogDatabase',
      rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_10_0 }), 'catalog');
    this.ordersDatabase = aurora('OrdersDatabase',
      rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_15_10 }), 'orders');

    // OpenSearch 3.3, one r8g.medium node, 50 GiB gp3, fine-grained access control with an
    // internal master user the catalog signs in as (HTTP basic authentication).
    this.catalogSearchUser = new secretsmanager.Secret(this, 'CatalogSearchUser', {
      description: 'Master user of the catalog search domain',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'admin' }),
        generateStringKey: 'password',
        // OpenSearch wants upper and lower case, a digit and a symbol; these would need escaping.
        excludeCharacters: '"\'\\/@:`',
        requireEachIncludedType: true,
      },
    });
    this.catalogSearch = new opensearch.Domain(this, 'CatalogSearch', {
      version: opensearch.EngineVersion.OPENSEARCH_3_3,
      capacity: { dataNodes: 1, dataNodeInstanceType: 'r8g.medium.search', multiAzWithStandbyEnabled: false },
      ebs: { volumeSize: 50, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      zoneAwareness: { enabled: false },
      vpc,
      vpcSubnets: [{ subnets: [firstSubnet] }],
      fineGrainedAccessControl: { masterUserName: 'admin', masterUserPassword: this.catalogSearchUser.secretValueFromJson('password') },
      encryptionAtRest: { enabled: true },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
    });
    // Fine-grained access control decides who may do what; the domain policy lets requests reach it.
    this.catalogSearch.addAccessPolicies(new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['es:ESHttp*'],
      resources: [`${this.catalogSearch.domainArn}/*`],
    }));

    // DynamoDB, on demand, with point-in-time recovery; retained when the stack is deleted.
    // (dynamodb.Table, not TableV2: TableV2's grants print deprecation warnings of aws-cdk-lib's own
    // internals at synth with aws-cdk-lib 2.257.)
    this.cartsTable = new dynamodb.Table(this, 'Carts', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    this.cartsTable.addGlobalSecondaryIndex({
      indexName: 'idx_global_customerId',
      partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
    });

    // Redis, one cache.t3.micro node, without TLS in transit: checkout connects with redis://.
    const redisGroup = new ec2.SecurityGroup(this, 'CheckoutRedisSecurityGroup', { vpc, description: 'Checkout Redis' });
    const redisSubnets = new elasticache.CfnSubnetGroup(this, 'CheckoutRedisSubnets', {
      description: 'Checkout Redis',
      subnetIds: vpc.selectSubnets(subnets).subnetIds,
    });
    const redis = new elasticache.CfnReplicationGroup(this, 'CheckoutRedis', {
      replicationGroupDescription: 'Checkout Redis',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: 'cache.t3.micro',
      numCacheClusters: 1,
      automaticFailoverEnabled: false,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: false,
      cacheSubnetGroupName: redisSubnets.ref,
      securityGroupIds: [redisGroup.securityGroupId],
    });
    this.checkoutRedisUrl = `redis://${redis.attrPrimaryEndPointAddress}:${redis.attrPrimaryEndPointPort}`;
    this.checkoutRedis = new ec2.Connections({ securityGroups: [redisGroup], defaultPort: ec2.Port.tcp(6379) });

    // RabbitMQ 3.13 on one mq.m5.large broker, private, reached over AMQPS.
    this.ordersBrokerUser = new secretsmanager.Secret(this, 'OrdersBrokerUser', {
      description: 'User of the orders RabbitMQ broker',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: 'default_mq_user' }),
        generateStringKey: 'password',
        // Amazon MQ rejects commas, colons and equals signs; letters and digits need no escaping anywhere.
        excludePunctuation: true,
        passwordLength: 32,
      },
    });
    const brokerGroup = new ec2.SecurityGroup(this, 'OrdersBrokerSecurityGroup', { vpc, description: 'Orders RabbitMQ broker' });
    const broker = new mq.CfnBroker(this, 'OrdersBroker', {
      // Amazon MQ requires a name, unique in the account and Region (1-50 letters, digits, hyphens, underscores).
      brokerName: `${Stack.of(this).stackName}-orders`,
      engineType: 'RABBITMQ',
      engineVersion: '3.13',
      hostInstanceType: 'mq.m5.large',
      deploymentMode: 'SINGLE_INSTANCE',
      subnetIds: [firstSubnet.subnetId],
      securityGroups: [brokerGroup.securityGroupId],
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      users: [{
        username: 'default_mq_user',
        password: this.ordersBrokerUser.secretValueFromJson('password').unsafeUnwrap(), // a {{resolve:secretsmanager}} reference, not the value
      }],
    });
    // amqps://b-<id>.mq.<region>.amazonaws.com:5671, as the original's instances[0].endpoints[0].
    this.ordersBrokerAddress = Fn.select(0, broker.attrAmqpEndpoints);
    this.ordersBroker = new ec2.Connections({ securityGroups: [brokerGroup], defaultPort: ec2.Port.tcp(5671) });
  }
}
