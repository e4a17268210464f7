/**
 * The AWS Containers Retail Store sample on cdk-shipyard: the UI and the catalog, carts,
 * checkout and orders services, with their databases, deployed from the project's published
 * images as its ECS Terraform deploys them.
 *
 * Ported from (reference only; no code of it is copied here):
 *   repository  https://github.com/aws-containers/retail-store-sample-app
 *   commit      1a28474f2461459f42e6b393db59e7d1434d4aec (release 1.6.2)
 *   license     MIT-0 (the repository's LICENSE file)
 *   files       terraform/ecs/default/main.tf; terraform/lib/ecs/{ui,catalog,carts,checkout,orders,
 *               cluster,alb,common}.tf and service/{ecs,iam,sg,variables}.tf; terraform/lib/dependencies/*.tf;
 *               terraform/lib/images/{main.tf,generated.tf.json}; src/{ui,cart,catalog,checkout,orders}/Dockerfile;
 *               the services' configuration (src/catalog/config/config.go, src/checkout/src/config/configuration.ts,
 *               src/{ui,cart,orders}/src/main/resources/application.yml)
 * The data stores are in data-stores.ts.
 *
 *   cd examples/retail-store && npx -p aws-cdk@^2 cdk synth
 *
 * The store is served over plain HTTP on port 80, as the original serves it; pass
 * -c certificateArn=arn:aws:acm:... (a certificate in the target region) to serve HTTPS.
 * See README.md next to this file for what differs from the original, and why.
 */
import {
  Annotations, App, Duration, Stack, aws_certificatemanager as acm, aws_ecs as ecs, aws_elasticloadbalancingv2 as elbv2,
  aws_servicediscovery as servicediscovery,
} from 'aws-cdk-lib';
import { RetailStoreData } from './data-stores';
import { BackendService, Environment, Image, ServiceConnectOptions, WarningId, WebService } from '../../src';

/** The published release the images come from (terraform/lib/images/generated.tf.json). */
export const RETAIL_STORE_VERSION = '1.6.2';

/** The stacks and workloads of the retail store. */
export interface RetailStore {
  /** The environment: VPC, cluster, shared load balancer, Service Connect namespace. */
  readonly platform: Stack;
  /** The data stores and the five services. */
  readonly store: Stack;
  readonly environment: Environment;
  readonly data: RetailStoreData;
  readonly ui: WebService;
  readonly catalog: BackendService;
  readonly carts: BackendService;
  readonly checkout: BackendService;
  readonly orders: BackendService;
}

/**
 * An image the project publishes, for ARM64 and x86_64 (scripts/create-manifest.sh builds one
 * manifest of both), so the tasks run on Graviton.
 */
function retailImage(component: string): Image {
  return Image.fromRegistry(`public.ecr.aws/aws-containers/retail-store-sample-${component}:${RETAIL_STORE_VERSION}`, {
    architectures: [ecs.CpuArchitecture.ARM64, ecs.CpuArchitecture.X86_64],
  });
}

/**
 * What every service of the original shares (terraform/lib/ecs/service/ecs.tf): 1 vCPU and
 * 2 GiB, a container named `<service>-service`, a curl health check on port 8080 every 10 s
 * after 60 s, and ECS Exec. Every image runs as `appuser` (useradd --uid 1000 --user-group),
 * the user each service's containerSecurity names.
 */
function serviceTask(service: string, image: Image, healthCheckPath: string) {
  return {
    image,
    containerName: `${service}-service`,
    cpu: 1024,
    memoryLimitMiB: 2048,
    healthCheck: {
      command: ['CMD-SHELL', `curl -f http://localhost:8080${healthCheckPath} || exit 1`],
      interval: Duration.seconds(10),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(60),
    },
    enableExec: true,
  };
}

/** Every service listens on 8080 and is called at http://<name> (port 80) over Service Connect. */
function serviceConnect(dnsName: string): ServiceConnectOptions {
  return { dnsName, clientAliasPort: 80 };
}

/** Build the retail store into `app`: the platform stack and the store's stack. */
export function buildRetailStore(app: App): RetailStore {
  const certificateArn: string | undefined = app.node.tryGetContext('certificateArn');

  // The platform: VPC, cluster (Container Insights enhanced, as the original's default), the
  // shared load balancer, and the private DNS namespace the original's services use.
  const platform = new Stack(app, 'RetailStorePlatform');
  const environment = new Environment(platform, 'Environment', {
    ingress: certificateArn
      ? { certificate: acm.Certificate.fromCertificateArn(platform, 'Certificate', certificateArn) }
      : { protocol: elbv2.ApplicationProtocol.HTTP },
    serviceConnectNamespaceName: 'retailstore.local',
    serviceConnectNamespaceType: servicediscovery.NamespaceType.DNS_PRIVATE,
  });
  if (!certificateArn) {
    Annotations.of(environment).acknowledgeWarning(WarningId.PLAIN_HTTP,
      'The original serves the store over plain HTTP on port 80, and a sample needs no domain; -c certificateArn=... serves HTTPS.');
  }

  // The store: its data stores and services in one stack, so each store's security group
  // admits its service from the same template.
  const store = new Stack(app, 'RetailStore');
  const data = new RetailStoreData(store, 'Data', { vpc: environment.vpc, subnets: environment.taskSubnets });

  // Catalog (Go): products in MySQL, search in OpenSearch (terraform/lib/ecs/catalog.tf).
  const catalog = new BackendService(store, 'Catalog', {
    environment,
    ...serviceTask('catalog', retailImage('catalog'), '/health'),
    serviceConnect: serviceConnect('catalog'),
    // The Go binary writes nothing; /tmp (the baseline's default) stays writable for what it links.
    containerSecurity: { user: '1000:1000', writablePaths: ['/tmp'] },
    environmentVariables: {
      RETAIL_CATALOG_PERSISTENCE_PROVIDER: 'mysql',
      RETAIL_CATALOG_PERSISTENCE_ENDPOINT: data.catalogDatabase.clusterEndpoint.socketAddress,
      RETAIL_CATALOG_PERSISTENCE_DB_NAME: 'catalog',
      RETAIL_CATALOG_SEARCH_ENABLED: 'true',
      RETAIL_CATALOG_SEARCH_OS_INDEX: 'products',
      RETAIL_CATALOG_SEARCH_OS_ENDPOINT: `https://${data.catalogSearch.domainEndpoint}`,
    },
    secrets: {
      RETAIL_CATALOG_PERSISTENCE_USER: ecs.Secret.fromSecretsManager(data.catalogDatabase.secret!, 'username'),
      RETAIL_CATALOG_PERSISTENCE_PASSWORD: ecs.Secret.fromSecretsManager(data.catalogDatabase.secret!, 'password'),
      RETAIL_CATALOG_SEARCH_OS_USERNAME: ecs.Secret.fromSecretsManager(data.catalogSearchUser, 'username'),
      RETAIL_CATALOG_SEARCH_OS_PASSWORD: ecs.Secret.fromSecretsManager(data.catalogSearchUser, 'password'),
    },
  });
  data.catalogDatabase.connections.allowDefaultPortFrom(catalog, 'Catalog service');
  data.catalogSearch.connections.allowDefaultPortFrom(catalog, 'Catalog service');

  // Carts (Java, Spring Boot on Tomcat): carts in DynamoDB (terraform/lib/ecs/carts.tf).
  const carts = new BackendService(store, 'Carts', {
    environment,
    ...serviceTask('carts', retailImage('cart'), '/actuator/health'),
    serviceConnect: serviceConnect('carts'),
    // The JVM's java.io.tmpdir: Tomcat's base directory and hsperfdata.
    containerSecurity: { user: '1000:1000', writablePaths: ['/tmp'] },
    environmentVariables: {
      RETAIL_CART_PERSISTENCE_PROVIDER: 'dynamodb',
      RETAIL_CART_PERSISTENCE_DYNAMODB_TABLE_NAME: data.cartsTable.tableName,
    },
  });
  data.cartsTable.grantReadWriteData(carts.taskRole);

  // Orders (Java, Spring Boot on Tomcat): orders in PostgreSQL, events to RabbitMQ
  // (terraform/lib/ecs/orders.tf).
  const orders = new BackendService(store, 'Orders', {
    environment,
    ...serviceTask('orders', retailImage('orders'), '/actuator/health'),
    serviceConnect: serviceConnect('orders'),
    containerSecurity: { user: '1000:1000', writablePaths: ['/tmp'] },
    environmentVariables: {
      RETAIL_ORDERS_PERSISTENCE_PROVIDER: 'postgres',
      RETAIL_ORDERS_PERSISTENCE_ENDPOINT: data.ordersDatabase.clusterEndpoint.socketAddress,
      RETAIL_ORDERS_PERSISTENCE_NAME: 'orders',
      RETAIL_ORDERS_MESSAGING_PROVIDER: 'rabbitmq',
      RETAIL_ORDERS_MESSAGING_RABBITMQ_ADDRESSES: data.ordersBrokerAddress,
    },
    secrets: {
      RETAIL_ORDERS_PERSISTENCE_USERNAME: ecs.Secret.fromSecretsManager(data.ordersDatabase.secret!, 'username'),
      RETAIL_ORDERS_PERSISTENCE_PASSWORD: ecs.Secret.fromSecretsManager(data.ordersDatabase.secret!, 'password'),
      RETAIL_ORDERS_MESSAGING_RABBITMQ_USERNAME: ecs.Secret.fromSecretsManager(data.ordersBrokerUser, 'username'),
      RETAIL_ORDERS_MESSAGING_RABBITMQ_PASSWORD: ecs.Secret.fromSecretsManager(data.ordersBrokerUser, 'password'),
    },
  });
  data.ordersDatabase.connections.allowDefaultPortFrom(orders, 'Orders service');
  data.ordersBroker.allowDefaultPortFrom(orders, 'Orders service');

  // Checkout (Node.js, started with `node`): sessions in Redis, calls orders
  // (terraform/lib/ecs/checkout.tf).
  const checkout = new BackendService(store, 'Checkout', {
    environment,
    ...serviceTask('checkout', retailImage('checkout'), '/health'),
    serviceConnect: serviceConnect('checkout'),
    // os.tmpdir(); nothing else (the image starts node, not npm, so no ~/.npm cache).
    containerSecurity: { user: '1000:1000', writablePaths: ['/tmp'] },
    environmentVariables: {
      RETAIL_CHECKOUT_PERSISTENCE_PROVIDER: 'redis',
      RETAIL_CHECKOUT_PERSISTENCE_REDIS_URL: data.checkoutRedisUrl,
      RETAIL_CHECKOUT_ENDPOINTS_ORDERS: orders.endpoint!,
    },
  });
  data.checkoutRedis.allowDefaultPortFrom(checkout, 'Checkout service');
  checkout.connectTo(orders);

  // UI (Java, Spring WebFlux on Netty) behind the shared load balancer, calling the four
  // services by their Service Connect names (terraform/lib/ecs/ui.tf, alb.tf).
  const ui = new WebService(store, 'Ui', {
    environment,
    ...serviceTask('ui', retailImage('ui'), '/actuator/health'),
    targetHealthCheck: { path: '/actuator/health' },
    // Published in the namespace too, as the original's ui service is (http://ui).
    serviceConnect: serviceConnect('ui'),
    // java.io.tmpdir: Netty unpacks its native transport there; hsperfdata.
    containerSecurity: { user: '1000:1000', writablePaths: ['/tmp'] },
    environmentVariables: {
      RETAIL_UI_ENDPOINTS_CATALOG: catalog.endpoint!,
      RETAIL_UI_ENDPOINTS_CARTS: carts.endpoint!,
      RETAIL_UI_ENDPOINTS_CHECKOUT: checkout.endpoint!,
      RETAIL_UI_ENDPOINTS_ORDERS: orders.endpoint!,
      RETAIL_UI_SEARCH_ENABLED: 'true',
    },
  });
  [catalog, carts, checkout, orders].forEach(backend => ui.connectTo(backend));

  return { platform, store, environment, data, ui, catalog, carts, checkout, orders };
}

if (require.main === module) {
  const app = new App();
  buildRetailStore(app);
  app.synth();
}
