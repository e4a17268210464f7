/**
 * What the Compose importer knows of well-known images: the port their clients use, whether they
 * keep data, the managed AWS service that replaces them, and whether their official image needs
 * root or a writable root file system (each entry from the image's Docker Hub documentation).
 */
export interface KnownImage {
  /** What it is, for TODOs. */
  readonly what: string;
  /** The port the image's clients use. */
  readonly port: number;
  /** Whether it keeps data that must not be lost (a database, a broker, an object store). */
  readonly stateful: boolean;
  /** The AWS managed service to move to, if there is one. */
  readonly managed?: string;
  /** Where the image keeps its data, for the TODO about persistence. */
  readonly dataPath?: string;
  /** Whether the image starts as root (to own its data directory, then drop to its own user) or writes outside /tmp. */
  readonly needsRoot: boolean;
}

const KNOWN: Array<[RegExp, KnownImage]> = [
  [/(^|\/)(postgres|postgis|timescaledb[\w-]*|pgvector|supabase\/postgres)(:|$)/,
    { what: 'PostgreSQL', port: 5432, stateful: true, managed: 'Amazon RDS for PostgreSQL or Aurora PostgreSQL', dataPath: '/var/lib/postgresql/data', needsRoot: true }],
  [/(^|\/)(mysql|mariadb|percona)(:|$)/, { what: 'MySQL', port: 3306, stateful: true, managed: 'Amazon RDS for MySQL or MariaDB, or Aurora MySQL', dataPath: '/var/lib/mysql', needsRoot: true }],
  [/(^|\/)(redis|valkey|redis-stack[\w-]*|keydb|dragonfly)(:|$)/, { what: 'Redis', port: 6379, stateful: true, managed: 'Amazon ElastiCache (Valkey or Redis OSS)', dataPath: '/data', needsRoot: true }],
  [/(^|\/)memcached(:|$)/, { what: 'memcached', port: 11211, stateful: false, managed: 'Amazon ElastiCache for Memcached', needsRoot: false }],
  [/(^|\/)mongo(db)?(-community-server)?(:|$)/, { what: 'MongoDB', port: 27017, stateful: true, managed: 'Amazon DocumentDB', dataPath: '/data/db', needsRoot: true }],
  [/(^|\/)(elasticsearch|opensearch)(:|$)/, { what: 'a search engine', port: 9200, stateful: true, managed: 'Amazon OpenSearch Service', dataPath: '/usr/share/elasticsearch/data', needsRoot: true }],
  [/(^|\/)(kafka|cp-kafka|redpanda)(:|$)/, { what: 'Kafka', port: 9092, stateful: true, managed: 'Amazon MSK', dataPath: '/var/lib/kafka/data', needsRoot: true }],
  [/(^|\/)(zookeeper|cp-zookeeper)(:|$)/, { what: 'ZooKeeper', port: 2181, stateful: true, managed: 'Amazon MSK (it runs ZooKeeper or KRaft for you)', needsRoot: true }],
  [/(^|\/)rabbitmq(:|$)/, { what: 'RabbitMQ', port: 5672, stateful: true, managed: 'Amazon MQ for RabbitMQ', dataPath: '/var/lib/rabbitmq', needsRoot: true }],
  [/(^|\/)minio(:|$)/, { what: 'MinIO', port: 9000, stateful: true, managed: 'Amazon S3', dataPath: '/data', needsRoot: true }],
  [/(^|\/)clickhouse(-server)?(:|$)/, { what: 'ClickHouse', port: 8123, stateful: true, dataPath: '/var/lib/clickhouse', needsRoot: true }],
  [/(^|\/)(cassandra|scylla)(:|$)/, { what: 'Cassandra', port: 9042, stateful: true, managed: 'Amazon Keyspaces', dataPath: '/var/lib/cassandra', needsRoot: true }],
  [/(^|\/)(nginx|httpd|caddy|traefik|haproxy|varnish|openresty)(:|$)/, { what: 'a web server or proxy', port: 80, stateful: false, needsRoot: true }],
  [/(^|\/)(grafana)(:|$)/, { what: 'Grafana', port: 3000, stateful: true, dataPath: '/var/lib/grafana', needsRoot: false }],
  [/(^|\/)(nats)(:|$)/, { what: 'NATS', port: 4222, stateful: false, needsRoot: false }],
  [/(^|\/)(etcd)(:|$)/, { what: 'etcd', port: 2379, stateful: true, needsRoot: false }],
  [/(^|\/)(mailhog|mailpit)(:|$)/, { what: 'a mail catcher', port: 1025, stateful: false, managed: 'Amazon SES', needsRoot: false }],
];

/** What is known of an image by its name (`postgres:16-alpine`, `docker.io/bitnami/redis:7`), or undefined. */
export function knownImage(image: string | undefined): KnownImage | undefined {
  if (!image) return undefined;
  const name = image.toLowerCase().replace(/@sha256:.*$/, '');
  return KNOWN.find(([re]) => re.test(name))?.[1];
}
