/**
 * The retail store sample (examples/retail-store), built as `cdk synth` builds it from its
 * cdk.json: the settings the original's services need to run, read from the templates.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildRetailStore, RetailStore, RETAIL_STORE_VERSION } from '../../examples/retail-store/app';

const CDK_JSON = path.join(__dirname, '..', '..', 'examples', 'retail-store', 'cdk.json');

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

/** Build and synthesize (once: aws-cdk-lib 2.257 cannot synthesize an app with a cluster twice) the sample. */
function synthesize(context: Record<string, string> = {}) {
  const app = new App({ context: { ...JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')).context, ...context } });
  const built = buildRetailStore(app);
  const assembly = app.synth();
  const artifacts = [built.platform, built.store].map(s => assembly.getStackArtifact(s.artifactId));
  const [platformTemplate, storeTemplate] = artifacts.map(a => Template.fromJSON(a.template));
  return {
    built,
    platform: platformTemplate,
    store: storeTemplate,
    warnings: artifacts.flatMap(a => a.findMetadataByType('aws:cdk:warning').map(w => `${w.path}: ${w.data}`)),
  };
}

let retail: RetailStore;
let store: Template;
let platform: Template;
let warnings: string[];

beforeAll(() => {
  ({ built: retail, store, platform, warnings } = synthesize());
});

/** The five services: construct, container name, published image name, health check path. */
const SERVICES = [
  { name: 'ui', image: 'ui', health: '/actuator/health' },
  { name: 'catalog', image: 'catalog', health: '/health' },
  { name: 'carts', image: 'cart', health: '/actuator/health' },
  { name: 'checkout', image: 'checkout', health: '/health' },
  { name: 'orders', image: 'orders', health: '/actuator/health' },
];

/** The task definition whose main container is `<service>-service`, and that container. */
function task(service: string): { props: any; container: any } {
  const found = Object.values(store.findResources('AWS::ECS::TaskDefinition')).map(r => r.Properties)
    .filter(p => p.ContainerDefinitions.some((c: any) => c.Name === `${service}-service`));
  expect(found).toHaveLength(1);
  return { props: found[0], container: found[0].ContainerDefinitions.find((c: any) => c.Name === `${service}-service`) };
}

function variables(service: string): Record<string, unknown> {
  return Object.fromEntries((task(service).container.Environment ?? []).map((v: any) => [v.Name, v.Value]));
}

function secrets(service: string): Record<string, unknown> {
  return Object.fromEntries((task(service).container.Secrets ?? []).map((s: any) => [s.Name, s.ValueFrom]));
}

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function logicalId(type: string, prefix: string): string {
  const ids = Object.keys(store.findResources(type)).filter(id => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** A Secrets Manager JSON field, as ECS takes it: `<secret ARN>:<field>::`. */
function secretField(secretRef: string, field: string) {
  return { 'Fn::Join': ['', [{ Ref: secretRef }, `:${field}::`]] };
}

/** The security group of the service `construct` (Catalog, Orders, ...). */
function serviceGroup(construct: string) {
  return { 'Fn::GetAtt': [logicalId('AWS::EC2::SecurityGroup', `${construct}SecurityGroup`), 'GroupId'] };
}

describe('the retail store sample', () => {
  test('synthesizes from its cdk.json with no warning', () => {
    expect(warnings).toEqual([]);
  });

  test.each(SERVICES)('$name runs its published image as the image\'s user (1000:1000) with a read-only root', ({ name, image }) => {
    const { container } = task(name);
    expect(container.Image).toBe(`public.ecr.aws/aws-containers/retail-store-sample-${image}:${RETAIL_STORE_VERSION}`);
    expect(container.User).toBe('1000:1000');
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.Privileged).toBe(false);
  });

  test.each(SERVICES)('$name writes /tmp in memory (java.io.tmpdir for the Java services), and the ECS Exec agent its own paths', ({ name }) => {
    const { container } = task(name);
    expect(container.LinuxParameters.Tmpfs).toEqual([{ ContainerPath: '/tmp', MountOptions: ['nosuid', 'nodev', 'exec'], Size: 512 }]);
    expect(container.MountPoints.map((m: any) => m.ContainerPath)).toEqual(['/var/lib/amazon', '/var/log/amazon']);
  });

  test.each(SERVICES)('$name listens on 8080 and checks its health with curl on $health, as the original\'s tasks do', ({ name, health }) => {
    const { props, container } = task(name);
    expect(container.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 8080, Protocol: 'tcp' })]);
    expect(container.HealthCheck).toEqual({
      Command: ['CMD-SHELL', `curl -f http://localhost:8080${health} || exit 1`], Interval: 10, Timeout: 5, Retries: 3, StartPeriod: 60,
    });
    expect([props.Cpu, props.Memory]).toEqual(['1024', '2048']);
    expect(props.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
  });

  test('the services publish the names callers use in retailstore.local, on port 80 in front of 8080', () => {
    platform.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'retailstore.local' });
    for (const { name } of SERVICES) {
      store.hasResourceProperties('AWS::ECS::Service', {
        ServiceConnectConfiguration: Match.objectLike({
          Enabled: true,
          Services: [Match.objectLike({ DiscoveryName: name, ClientAliases: [{ DnsName: name, Port: 80 }] })],
        }),
        EnableExecuteCommand: true,
      });
    }
    expect([retail.catalog, retail.carts, retail.checkout, retail.orders, retail.ui].map(s => s.endpoint))
      .toEqual(['http://catalog:80', 'http://carts:80', 'http://checkout:80', 'http://orders:80', 'http://ui:80']);
  });

  test('the UI calls catalog, carts, checkout and orders by those names, and checkout calls orders', () => {
    expect(variables('ui')).toEqual({
      RETAIL_UI_ENDPOINTS_CATALOG: 'http://catalog:80',
      RETAIL_UI_ENDPOINTS_CARTS: 'http://carts:80',
      RETAIL_UI_ENDPOINTS_CHECKOUT: 'http://checkout:80',
      RETAIL_UI_ENDPOINTS_ORDERS: 'http://orders:80',
      RETAIL_UI_SEARCH_ENABLED: 'true',
    });
    expect(variables('checkout').RETAIL_CHECKOUT_ENDPOINTS_ORDERS).toBe('http://orders:80');
    // Each backend admits its callers on 8080, and nobody else.
    const callers = (construct: string) => Object.values(store.findResources('AWS::EC2::SecurityGroupIngress'))
      .map(r => r.Properties).filter(p => JSON.stringify(p.GroupId) === JSON.stringify(serviceGroup(construct)));
    expect(callers('Catalog')).toEqual([expect.objectContaining({ FromPort: 8080, SourceSecurityGroupId: serviceGroup('Ui') })]);
    expect(callers('Carts')).toEqual([expect.objectContaining({ FromPort: 8080, SourceSecurityGroupId: serviceGroup('Ui') })]);
    expect(callers('Checkout')).toEqual([expect.objectContaining({ FromPort: 8080, SourceSecurityGroupId: serviceGroup('Ui') })]);
    expect(callers('Orders').map(p => p.SourceSecurityGroupId)).toEqual(expect.arrayContaining([serviceGroup('Ui'), serviceGroup('Checkout')]));
    expect(callers('Orders')).toHaveLength(2);
  });

  test('the UI is routed from the shared load balancer to ui-service:8080, checked on /actuator/health', () => {
    store.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, HealthCheckPath: '/actuator/health', TargetType: 'ip' });
    store.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'ui-service', ContainerPort: 8080 })] });
  });

  test('serves the store over plain HTTP on port 80 as the original does, the library\'s warning acknowledged', () => {
    expect(Object.values(platform.findResources('AWS::ElasticLoadBalancingV2::Listener')).map(l => [l.Properties.Port, l.Properties.Protocol]))
      .toEqual([[80, 'HTTP']]);
  });

  test('serves HTTPS, and redirects HTTP to it, with -c certificateArn=...', () => {
    const https = synthesize({ certificateArn: CERTIFICATE_ARN });
    expect(https.warnings).toEqual([]);
    https.platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
    });
    https.platform.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) })],
    });
  });

  test('catalog reaches MySQL and OpenSearch, with the users and passwords from Secrets Manager', () => {
    const db = logicalId('AWS::RDS::DBCluster', 'DataCatalogDatabase');
    const search = logicalId('AWS::OpenSearchService::Domain', 'DataCatalogSearch');
    expect(variables('catalog')).toEqual({
      RETAIL_CATALOG_PERSISTENCE_PROVIDER: 'mysql',
      RETAIL_CATALOG_PERSISTENCE_ENDPOINT: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [db, 'Endpoint.Address'] }, ':', { 'Fn::GetAtt': [db, 'Endpoint.Port'] }]] },
      RETAIL_CATALOG_PERSISTENCE_DB_NAME: 'catalog',
      RETAIL_CATALOG_SEARCH_ENABLED: 'true',
      RETAIL_CATALOG_SEARCH_OS_INDEX: 'products',
      RETAIL_CATALOG_SEARCH_OS_ENDPOINT: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [search, 'DomainEndpoint'] }]] },
    });
    const dbSecret = logicalId('AWS::SecretsManager::SecretTargetAttachment', 'DataCatalogDatabaseSecretAttachment');
    const searchUser = logicalId('AWS::SecretsManager::Secret', 'DataCatalogSearchUser');
    expect(secrets('catalog')).toEqual({
      RETAIL_CATALOG_PERSISTENCE_USER: secretField(dbSecret, 'username'),
      RETAIL_CATALOG_PERSISTENCE_PASSWORD: secretField(dbSecret, 'password'),
      RETAIL_CATALOG_SEARCH_OS_USERNAME: secretField(searchUser, 'username'),
      RETAIL_CATALOG_SEARCH_OS_PASSWORD: secretField(searchUser, 'password'),
    });
    store.hasResourceProperties('AWS::RDS::DBCluster', { Engine: 'aurora-mysql', DatabaseName: 'catalog', StorageEncrypted: true });
    store.hasResourceProperties('AWS::OpenSearchService::Domain', {
      EngineVersion: 'OpenSearch_3.3',
      AdvancedSecurityOptions: Match.objectLike({ Enabled: true, InternalUserDatabaseEnabled: true }),
      ClusterConfig: Match.objectLike({ InstanceCount: 1, MultiAZWithStandbyEnabled: false }),
    });
  });

  test('orders reaches PostgreSQL and RabbitMQ, with the users and passwords from Secrets Manager', () => {
    const db = logicalId('AWS::RDS::DBCluster', 'DataOrdersDatabase');
    const broker = logicalId('AWS::AmazonMQ::Broker', 'DataOrdersBroker');
    expect(variables('orders')).toEqual({
      RETAIL_ORDERS_PERSISTENCE_PROVIDER: 'postgres',
      RETAIL_ORDERS_PERSISTENCE_ENDPOINT: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [db, 'Endpoint.Address'] }, ':', { 'Fn::GetAtt': [db, 'Endpoint.Port'] }]] },
      RETAIL_ORDERS_PERSISTENCE_NAME: 'orders',
      RETAIL_ORDERS_MESSAGING_PROVIDER: 'rabbitmq',
      RETAIL_ORDERS_MESSAGING_RABBITMQ_ADDRESSES: { 'Fn::Select': [0, { 'Fn::GetAtt': [broker, 'AmqpEndpoints'] }] },
    });
    const dbSecret = logicalId('AWS::SecretsManager::SecretTargetAttachment', 'DataOrdersDatabaseSecretAttachment');
    const brokerUser = logicalId('AWS::SecretsManager::Secret', 'DataOrdersBrokerUser');
    expect(secrets('orders')).toEqual({
      RETAIL_ORDERS_PERSISTENCE_USERNAME: secretField(dbSecret, 'username'),
      RETAIL_ORDERS_PERSISTENCE_PASSWORD: secretField(dbSecret, 'password'),
      RETAIL_ORDERS_MESSAGING_RABBITMQ_USERNAME: secretField(brokerUser, 'username'),
      RETAIL_ORDERS_MESSAGING_RABBITMQ_PASSWORD: secretField(brokerUser, 'password'),
    });
    store.hasResourceProperties('AWS::RDS::DBCluster', { Engine: 'aurora-postgresql', DatabaseName: 'orders' });
    // The broker's password is a dynamic reference resolved at deploy time, never in the template.
    store.hasResourceProperties('AWS::AmazonMQ::Broker', {
      EngineType: 'RABBITMQ',
      PubliclyAccessible: false,
      Users: [{ Username: 'default_mq_user', Password: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['{{resolve:secretsmanager:', { Ref: brokerUser }])] }) }],
    });
  });

  test('carts keeps carts in DynamoDB and may read and write the table and its customer index', () => {
    const table = logicalId('AWS::DynamoDB::Table', 'DataCarts');
    expect(variables('carts')).toEqual({ RETAIL_CART_PERSISTENCE_PROVIDER: 'dynamodb', RETAIL_CART_PERSISTENCE_DYNAMODB_TABLE_NAME: { Ref: table } });
    store.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'idx_global_customerId', KeySchema: [{ AttributeName: 'customerId', KeyType: 'HASH' }] })],
    });
    const statements = Object.entries(store.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('CartsTaskDefinitionTaskRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem']),
      Resource: [{ 'Fn::GetAtt': [table, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/*']] }],
    }));
  });

  test('checkout keeps its sessions in Redis, at redis://<primary endpoint>:<port>', () => {
    const redis = logicalId('AWS::ElastiCache::ReplicationGroup', 'DataCheckoutRedis');
    expect(variables('checkout').RETAIL_CHECKOUT_PERSISTENCE_PROVIDER).toBe('redis');
    expect(variables('checkout').RETAIL_CHECKOUT_PERSISTENCE_REDIS_URL).toEqual({
      'Fn::Join': ['', ['redis://', { 'Fn::GetAtt': [redis, 'PrimaryEndPoint.Address'] }, ':', { 'Fn::GetAtt': [redis, 'PrimaryEndPoint.Port'] }]],
    });
  });

  test('no plain variable carries a user or password', () => {
    for (const { name } of SERVICES) {
      expect(Object.keys(variables(name)).filter(v => /USER|PASSWORD/.test(v))).toEqual([]);
    }
  });

  test('each data store admits only the service that uses it', () => {
    const from = (groupPrefix: string) => Object.values(store.findResources('AWS::EC2::SecurityGroupIngress')).map(r => r.Properties)
      .filter(p => JSON.stringify(p.GroupId).includes(groupPrefix));
    const catalogDb = logicalId('AWS::RDS::DBCluster', 'DataCatalogDatabase');
    const ordersDb = logicalId('AWS::RDS::DBCluster', 'DataOrdersDatabase');
    expect(from('DataCatalogDatabaseSecurityGroup')).toEqual([expect.objectContaining({
      SourceSecurityGroupId: serviceGroup('Catalog'), FromPort: { 'Fn::GetAtt': [catalogDb, 'Endpoint.Port'] },
    })]);
    expect(from('DataCatalogSearchSecurityGroup')).toEqual([expect.objectContaining({ SourceSecurityGroupId: serviceGroup('Catalog'), FromPort: 443 })]);
    expect(from('DataOrdersDatabaseSecurityGroup')).toEqual([expect.objectContaining({
      SourceSecurityGroupId: serviceGroup('Orders'), FromPort: { 'Fn::GetAtt': [ordersDb, 'Endpoint.Port'] },
    })]);
    expect(from('DataOrdersBrokerSecurityGroup')).toEqual([expect.objectContaining({ SourceSecurityGroupId: serviceGroup('Orders'), FromPort: 5671 })]);
    expect(from('DataCheckoutRedisSecurityGroup')).toEqual([expect.objectContaining({ SourceSecurityGroupId: serviceGroup('Checkout'), FromPort: 6379 })]);
  });
});
