/**
 * What each service reaches: other services through Service Connect (a client alias named in its
 * environment) or a security group rule between their groups; queues, topics, file systems,
 * databases and the like through its task role's policies, its task definition's environment,
 * secrets and volumes, and security group rules into their groups.
 */
import { StackTemplate } from './assembly';
import { Graph, NodeKind } from './graph';
import { AppIndex, Resource } from './references';
import { nodeName, Service } from './services';

/** What a service may reach, by resource type: the node's second line and its shape. */
const TARGETS: Record<string, [string, string?]> = {
  'AWS::SQS::Queue': ['SQS queue'],
  'AWS::SNS::Topic': ['SNS topic'],
  'AWS::Events::EventBus': ['EventBridge bus'],
  'AWS::Kinesis::Stream': ['Kinesis stream'],
  'AWS::MSK::Cluster': ['MSK cluster', 'cylinder'],
  'AWS::EFS::FileSystem': ['EFS file system', 'cylinder'],
  'AWS::FSx::FileSystem': ['FSx file system', 'cylinder'],
  'AWS::S3::Bucket': ['S3 bucket', 'cylinder'],
  'AWS::RDS::DBCluster': ['RDS cluster', 'cylinder'],
  'AWS::RDS::DBInstance': ['RDS instance', 'cylinder'],
  'AWS::DocDB::DBCluster': ['DocumentDB cluster', 'cylinder'],
  'AWS::DynamoDB::Table': ['DynamoDB table', 'cylinder'],
  'AWS::DynamoDB::GlobalTable': ['DynamoDB table', 'cylinder'],
  'AWS::ElastiCache::ReplicationGroup': ['ElastiCache', 'cylinder'],
  'AWS::ElastiCache::CacheCluster': ['ElastiCache', 'cylinder'],
  'AWS::ElastiCache::ServerlessCache': ['ElastiCache', 'cylinder'],
  'AWS::OpenSearchService::Domain': ['OpenSearch domain', 'cylinder'],
};

/** Draw each service's edges to what it reaches. */
export function drawReach(app: AppIndex, services: Service[], graph: Graph): void {
  const target = targetResolver(app);
  const reach = (s: Service, resource: Resource | undefined, label: string) => {
    if (!resource) return;
    const [kind, shape] = TARGETS[resource.type];
    graph.node(nodeName(resource), NodeKind.TARGET, [nodeName(resource), kind], shape);
    graph.edge(s.id, nodeName(resource), label);
  };
  const policies = policiesByRole(app);
  for (const s of services) {
    const def = s.taskDefinition;
    if (!def) continue;
    for (const container of asArray(def.props.ContainerDefinitions)) {
      for (const env of asArray(container?.Environment)) app.refs(def.stack, env?.Value).forEach(r => reach(s, target(r), `env ${env?.Name}`));
      for (const secret of asArray(container?.Secrets)) app.refs(def.stack, secret?.ValueFrom).forEach(r => reach(s, target(r), `secret ${secret?.Name}`));
    }
    for (const volume of asArray(def.props.Volumes)) app.refs(def.stack, volume).forEach(r => reach(s, target(r), `volume ${volume?.Name}`));
    for (const role of app.refs(def.stack, def.props.TaskRoleArn).filter(r => r.type === 'AWS::IAM::Role')) {
      for (const [stackOf, document] of policies(role)) {
        for (const statement of asArray(document?.Statement).filter(st => st?.Effect === 'Allow')) {
          app.refs(stackOf, statement.Resource).forEach(r => reach(s, target(r), 'task role'));
        }
      }
    }
  }
  drawServiceConnect(services, graph);
  drawSecurityGroupRules(app, services, graph, target, reach);
}

function asArray(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** The target a resource stands for: itself, the file system of an access point or mount target, the database of an attached secret or of a cluster member. */
function targetResolver(app: AppIndex): (r: Resource) => Resource | undefined {
  const attached = new Map<string, Resource>();
  for (const attachment of app.ofType('AWS::SecretsManager::SecretTargetAttachment')) {
    const [secret] = app.refs(attachment.stack, attachment.props.SecretId);
    const [db] = app.refs(attachment.stack, attachment.props.TargetId);
    if (secret && db) attached.set(secret.key, db);
  }
  const resolve = (r: Resource | undefined, depth = 0): Resource | undefined => {
    if (!r || depth > 2) return undefined;
    if (r.type === 'AWS::RDS::DBInstance' && r.props.DBClusterIdentifier) {
      return resolve(app.refs(r.stack, r.props.DBClusterIdentifier)[0], depth + 1) ?? r;
    }
    if (TARGETS[r.type]) return r;
    if (r.type === 'AWS::EFS::AccessPoint' || r.type === 'AWS::EFS::MountTarget') return resolve(app.refs(r.stack, r.props.FileSystemId)[0], depth + 1);
    if (r.type === 'AWS::SecretsManager::Secret') return resolve(attached.get(r.key), depth + 1);
    if (r.type === 'AWS::SecretsManager::SecretTargetAttachment') return resolve(app.refs(r.stack, r.props.TargetId)[0], depth + 1);
    return undefined;
  };
  return r => resolve(r);
}

/** A policy document, with the stack it is in (where its references resolve). */
type PolicyDocument = [StackTemplate, any];

/** A role's policy documents: its inline ones, and the policies and managed policies attached to it. */
function policiesByRole(app: AppIndex): (role: Resource) => PolicyDocument[] {
  const attached = new Map<string, PolicyDocument[]>();
  for (const policy of app.ofType('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
    for (const role of app.refs(policy.stack, policy.props.Roles)) {
      attached.set(role.key, [...attached.get(role.key) ?? [], [policy.stack, policy.props.PolicyDocument]]);
    }
  }
  return role => [
    ...asArray(role.props.Policies).map((p): PolicyDocument => [role.stack, p?.PolicyDocument]),
    ...app.refs(role.stack, role.props.ManagedPolicyArns).filter(p => p.type === 'AWS::IAM::ManagedPolicy').map((p): PolicyDocument => [p.stack, p.props.PolicyDocument]),
    ...attached.get(role.key) ?? [],
  ];
}

/** A caller's environment names a server's Service Connect alias (`http://orders:80`), in the same namespace. */
function drawServiceConnect(services: Service[], graph: Graph): void {
  for (const caller of services) {
    if (!caller.serviceConnect || !caller.taskDefinition) continue;
    const hosts = new Set(asArray(caller.taskDefinition.props.ContainerDefinitions)
      .flatMap(c => asArray(c?.Environment)).map(e => e?.Value).filter(v => typeof v === 'string').map(hostOf));
    for (const server of services) {
      const sc = server.serviceConnect;
      if (server === caller || !sc || !sameNamespace(caller.serviceConnect.namespace, sc.namespace)) continue;
      for (const alias of [...sc.aliases].sort()) if (hosts.has(alias)) graph.edge(caller.id, server.id, `Service Connect ${alias}`);
    }
  }
}

function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** The host of a URL or `host:port` value, lower case. */
function hostOf(value: string): string {
  return value.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^@/]*@/, '').split(/[/:?#\s]/)[0].toLowerCase();
}

/** Security group rules from a service's group into another service's or a target's group. */
function drawSecurityGroupRules(app: AppIndex, services: Service[], graph: Graph,
  target: (r: Resource) => Resource | undefined, reach: (s: Service, r: Resource | undefined, label: string) => void): void {
  const targetsOfGroup = new Map<string, Resource[]>();
  for (const resource of app.ofType(...Object.keys(TARGETS), 'AWS::EFS::MountTarget')) {
    const t = target(resource);
    for (const sg of app.refs(resource.stack, resource.props).filter(r => r.type === 'AWS::EC2::SecurityGroup')) {
      if (t) targetsOfGroup.set(sg.key, [...targetsOfGroup.get(sg.key) ?? [], t]);
    }
  }
  const rule = (stack: StackTemplate, group: unknown, source: unknown, spec: any) => {
    const [to] = app.refs(stack, group).filter(r => r.type === 'AWS::EC2::SecurityGroup');
    const [from] = app.refs(stack, source).filter(r => r.type === 'AWS::EC2::SecurityGroup');
    if (!to || !from) return;
    const label = portsOf(spec);
    for (const caller of services.filter(s => s.securityGroups.has(from.key))) {
      for (const server of services.filter(s => s.securityGroups.has(to.key))) graph.edge(caller.id, server.id, label);
      for (const t of targetsOfGroup.get(to.key) ?? []) reach(caller, t, label);
    }
  };
  for (const ingress of app.ofType('AWS::EC2::SecurityGroupIngress')) rule(ingress.stack, ingress.props.GroupId, ingress.props.SourceSecurityGroupId, ingress.props);
  for (const sg of app.ofType('AWS::EC2::SecurityGroup')) {
    for (const inline of asArray(sg.props.SecurityGroupIngress)) rule(sg.stack, { Ref: sg.logicalId }, inline?.SourceSecurityGroupId, inline);
  }
}

/** A rule's protocol and ports: `tcp 5432`, `tcp 8000-8080`, `all traffic`, `tcp ?` (a port known at deploy). */
function portsOf(rule: any): string {
  const protocol = String(rule?.IpProtocol ?? 'tcp');
  if (protocol === '-1') return 'all traffic';
  const from = rule?.FromPort;
  const to = rule?.ToPort;
  if (typeof from !== 'number' && typeof from !== 'string') return `${protocol} ?`;
  return `${protocol} ${String(from) === String(to ?? from) ? from : `${from}-${to}`}`;
}
