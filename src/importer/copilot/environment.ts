/** An environment manifest as an Environment: certificates, ingress, network, observability. */
import { aws_ec2 as ec2, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import type { EnvironmentProps, IngressOptions } from '../../index';
import { Code, code, camel, quote, render } from '../code';
import { PropsModel } from '../model';
import { Ids, Mapper } from './mapper';
import { FieldFate, YamlFile } from '../source';

/** An environment's `network.vpc`: a new VPC with Copilot's CIDR, or the existing one it names. */
export function network(m: Mapper): Code | undefined {
  const f = m.file;
  const vpc = (...rest: Array<string | number>) => ['network', 'vpc', ...rest];
  const id = f.str(vpc('id'));
  if (id !== undefined) {
    const subnetIds = (kind: string) => Array.from({ length: f.length(vpc('subnets', kind)) }, (_, i) => f.str(vpc('subnets', kind, i, 'id'))!);
    const publicIds = subnetIds('public');
    const privateIds = subnetIds('private');
    if (privateIds.length === 0 && publicIds.length > 0) {
      f.fail(vpc('subnets'), `the VPC ${id} has public subnets only: Copilot gave tasks public IPs there, the library runs them in private subnets without one; `
        + 'add private subnets (with a NAT gateway or VPC endpoints), list them under network.vpc.subnets.private and import again');
    }
    m.todo(vpc('id'), `give the CIDR block of ${id} (vpcCidrBlock): the library admits the VPC to the load balancer and endpoints by it`);
    m.done(FieldFate.MAPPED, ...vpc('subnets'));
    m.todo(vpc('subnets'), 'check that the availability zones are listed in the order of the subnets');
    const azs = Math.max(publicIds.length, privateIds.length, 1);
    const attributes: PropsModel<ec2.VpcAttributes> = {
      vpcId: id,
      vpcCidrBlock: '10.0.0.0/16',
      // One zone for each subnet, as many as the subnets (an environment-agnostic stack knows two by name).
      availabilityZones: code(`Array.from({ length: ${azs} }, (_, i) => Fn.select(i, Fn.getAzs()))`),
      publicSubnetIds: publicIds.length > 0 ? publicIds : undefined,
      privateSubnetIds: privateIds.length > 0 ? privateIds : undefined,
    };
    return code(`Network.fromVpc(ec2.Vpc.fromVpcAttributes(stack, 'Vpc', ${render(attributes, '    ')}))`);
  }
  const cidr = f.str(vpc('cidr'));
  if (cidr !== undefined) m.done(FieldFate.MAPPED, ...vpc('cidr'));
  if (f.has(vpc('subnets'))) m.todo(vpc('subnets'), 'the library cuts its subnets from the CIDR (two AZs, public /24 and private /20): keep Copilot\'s by creating the VPC yourself and passing it to Network.fromVpc');
  if (f.has(vpc('flow_logs'))) {
    // A new VPC here always logs its flows, kept as long as the environment's logs.
    if (f.has(vpc('flow_logs', 'retention'))) m.todo(vpc('flow_logs', 'retention'), 'flow logs are kept for the environment\'s logRetention');
    m.done(FieldFate.MAPPED, ...vpc('flow_logs'));
  }
  return cidr !== undefined ? code(`Network.newVpc({ cidr: ${quote(cidr)} })`) : undefined;
}

/** The function that builds one environment from its manifest (`prod` gives it the production profile). */
export function environmentFunction(stage: string, f: YamlFile, prod: boolean): string {
  const m = new Mapper(f, [], new Ids());
  f.mark(['name']);
  f.mark(['type']);
  const props: PropsModel<EnvironmentProps> = { profile: code(`EnvironmentProfile.${prod ? 'PRODUCTION' : 'DEVELOPMENT'}`) };
  const ingress = certificates(m);
  props.ingress = ingress;
  props.network = network(m);
  const sslPolicy = f.str(['http', 'public', 'ssl_policy']) ?? f.str(['http', 'private', 'ssl_policy']);
  if (sslPolicy !== undefined) {
    const member = Object.entries(elbv2.SslPolicy).find(([, v]) => v === sslPolicy)?.[0];
    if (!member) f.fail(f.has(['http', 'public', 'ssl_policy']) ? ['http', 'public', 'ssl_policy'] : ['http', 'private', 'ssl_policy'], `${JSON.stringify(sslPolicy)} is not an SSL policy aws-cdk-lib knows (elbv2.SslPolicy)`);
    ingress.sslPolicy = code(`elbv2.SslPolicy.${member}`);
    for (const lb of ['public', 'private']) if (f.has(['http', lb, 'ssl_policy'])) m.done(FieldFate.MAPPED, 'http', lb, 'ssl_policy');
  }
  publicIngress(m, ingress);
  if (f.has(['http', 'private']) && !f.has(['http', 'public'])) privateIngress(m, ingress);
  const insights = f.value(['observability', 'container_insights']);
  if (insights !== undefined) {
    props.containerInsights = code(`ecs.ContainerInsights.${insights === false ? 'DISABLED' : 'ENABLED'}`);
    m.done(FieldFate.MAPPED, 'observability', 'container_insights');
  }
  return [
    `/** The ${stage} environment (${f.file}). */`,
    `function ${camel(stage)}Environment(stack: Stack): Environment {`,
    ...m.todos.map(t => `  // ${t}`),
    `  return new Environment(stack, 'Environment', ${render(props, '  ')});`,
    '}',
    '',
  ].join('\n');
}

/** The ingress with `http.public.certificates`, or plain HTTP without any as Copilot served it. */
function certificates(m: Mapper): PropsModel<IngressOptions> {
  const f = m.file;
  const certs = f.length(['http', 'public', 'certificates']);
  // Copilot serves plain HTTP without certificates; a production environment here defaults to HTTPS.
  if (certs === 0) return { protocol: code('elbv2.ApplicationProtocol.HTTP') };
  const ingress: PropsModel<IngressOptions> = { certificate: code(`acm.Certificate.fromCertificateArn(stack, 'Certificate', ${quote(f.str(['http', 'public', 'certificates', 0])!)})`) };
  m.done(FieldFate.MAPPED, 'http', 'public', 'certificates', 0);
  if (certs > 1) {
    ingress.additionalCertificates = Array.from({ length: certs - 1 }, (_, i) =>
      code(`acm.Certificate.fromCertificateArn(stack, 'Certificate${i + 2}', ${quote(f.str(['http', 'public', 'certificates', i + 1])!)})`));
    for (let i = 1; i < certs; i++) m.done(FieldFate.MAPPED, 'http', 'public', 'certificates', i);
  }
  return ingress;
}

/** `http.public.ingress` (source IPs, the CDN) as the allowed sources, and `access_logs`. */
function publicIngress(m: Mapper, ingress: PropsModel<IngressOptions>): void {
  const f = m.file;
  const sources: Code[] = [];
  for (const ip of f.strings(['http', 'public', 'ingress', 'source_ips']) ?? []) sources.push(code(`IngressSource.cidr(${quote(ip)})`));
  if (f.has(['http', 'public', 'ingress', 'source_ips'])) m.done(FieldFate.MAPPED, 'http', 'public', 'ingress', 'source_ips');
  if (f.bool(['http', 'public', 'ingress', 'cdn'])) {
    sources.push(code('IngressSource.cloudFront()'));
    m.done(FieldFate.MAPPED, 'http', 'public', 'ingress', 'cdn');
  }
  if (sources.length > 0) ingress.allowedSources = sources;
  if (f.has(['http', 'public', 'access_logs'])) {
    // The shared load balancer always logs, to a bucket of its own.
    if (f.kind(['http', 'public', 'access_logs']) === 'map') m.todo(['http', 'public', 'access_logs'], 'the load balancer logs to a bucket the library creates; bucket_name and prefix are not used');
    else m.done(FieldFate.MAPPED, 'http', 'public', 'access_logs');
  }
}

/** Copilot's private load balancer (`http.private` without `http.public`): internal, reached from the VPC. */
function privateIngress(m: Mapper, ingress: PropsModel<IngressOptions>): void {
  const f = m.file;
  ingress.internetFacing = false;
  const privateCert = f.str(['http', 'private', 'certificates', 0]);
  if (privateCert !== undefined) {
    ingress.certificate = code(`acm.Certificate.fromCertificateArn(stack, 'Certificate', ${quote(privateCert)})`);
    delete ingress.protocol;
    m.done(FieldFate.MAPPED, 'http', 'private', 'certificates');
  }
  if (f.has(['http', 'private', 'ingress', 'vpc'])) m.done(FieldFate.MAPPED, 'http', 'private', 'ingress', 'vpc');
}
