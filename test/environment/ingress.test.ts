import { Stack, aws_certificatemanager as acm, aws_elasticloadbalancingv2 as elbv2, aws_route53 as route53 } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Environment, EnvironmentProfile, Image, IngressOptions, IngressSource, WebService } from '../../src';
import { ErrorCode } from '../../src/guardrails/errors';
import {
  CERTIFICATE_ARN, certificateArnFor, expectError, expectValidationError, hasWarning, productionEnvironment, resources, template, testApp,
  testStack, warningIds,
} from '../fixtures';

function loadBalancerAttributes(stack: any): Array<{ Key: string; Value: string }> {
  return resources(stack, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0][1].Properties.LoadBalancerAttributes;
}

describe('shared ingress', () => {
  test('serves HTTPS with a TLS 1.2+ policy and a 404 default, and redirects HTTP to HTTPS', () => {
    const stack = testStack();
    productionEnvironment(stack);
    const t = template(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not found' } }],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
  });

  test('drops invalid header fields, logs access and is deletion-protected in production', () => {
    const stack = testStack();
    productionEnvironment(stack);
    expect(loadBalancerAttributes(stack)).toEqual(expect.arrayContaining([
      { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      { Key: 'deletion_protection.enabled', Value: 'true' },
      { Key: 'access_logs.s3.enabled', Value: 'true' },
    ]));
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
  });

  test('the access-log bucket is SSE-S3, private, TLS-only, versioned, expiring and retained', () => {
    const stack = testStack();
    productionEnvironment(stack);
    const t = template(stack);
    t.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
      },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('the load balancer security group opens only the listener ports and egresses only into the VPC', () => {
    const stack = testStack();
    productionEnvironment(stack);
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Shared load balancer'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 }),
      ],
      SecurityGroupEgress: [{ CidrIp: '10.0.0.0/16', FromPort: 1, ToPort: 65535, IpProtocol: 'tcp', Description: 'To targets in the VPC' }],
    });
  });

  test('development without a certificate serves plain HTTP with an acknowledgeable warning', () => {
    const stack = testStack();
    new Environment(stack, 'Env', { profile: EnvironmentProfile.DEVELOPMENT });
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    template(stack).resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    expect(hasWarning(stack, 'cdk-shipyard:plain-http')).toBe(true);
    expect(loadBalancerAttributes(stack)).toEqual(expect.arrayContaining([{ Key: 'deletion_protection.enabled', Value: 'false' }]));
  });

  test('an internal load balancer accepts clients from the VPC only', () => {
    const stack = testStack();
    productionEnvironment(stack, { ingress: { internetFacing: false, protocol: elbv2.ApplicationProtocol.HTTP } });
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    template(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 80 })],
    });
  });

  test('a domain gets a DNS-validated certificate for it and its subdomains, and alias records', () => {
    const stack = testStack();
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
    new Environment(stack, 'Env', { ingress: { domain: { domainName: 'example.com', hostedZone } } });
    const t = template(stack);
    t.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'example.com', SubjectAlternativeNames: ['*.example.com'], ValidationMethod: 'DNS',
    });
    t.resourceCountIs('AWS::Route53::RecordSet', 2);
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: '*.example.com.', Type: 'A' });
  });

  test('a WAF web ACL is associated when given', () => {
    const stack = testStack();
    const webAclArn = 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/shipyard/1';
    productionEnvironment(stack, { ingress: { certificate: undefined, protocol: elbv2.ApplicationProtocol.HTTP, webAclArn } });
    template(stack).hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: webAclArn });
  });

  test('acknowledgements carry their reasons in the template metadata', () => {
    const stack = testStack();
    productionEnvironment(stack);
    const [, bucket] = resources(stack, 'AWS::S3::Bucket')[0];
    const ids = bucket.Metadata.cdk_nag.rules_to_suppress.map((r: any) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'NIST.800.53.R5-S3DefaultEncryptionKMS']));
    for (const rule of bucket.Metadata.cdk_nag.rules_to_suppress) expect(rule.reason.length).toBeGreaterThan(20);
  });

  test('fails when production has no certificate or domain', () => {
    expectError(ErrorCode.HTTPS_WITHOUT_CERTIFICATE, () => new Environment(testStack(), 'Env'));
  });

  test('fails when HTTPS is asked for without a certificate', () => {
    expectError(ErrorCode.HTTPS_WITHOUT_CERTIFICATE, () => new Environment(testStack(), 'Env', {
      profile: EnvironmentProfile.DEVELOPMENT, ingress: { protocol: elbv2.ApplicationProtocol.HTTPS },
    }));
  });

  test('fails when both a certificate and a domain are given', () => {
    const stack = testStack();
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => productionEnvironment(stack, {
      ingress: { certificate: acm.Certificate.fromCertificateArn(stack, 'Cert2', CERTIFICATE_ARN), domain: { domainName: 'example.com', hostedZone } },
    }));
  });

  test('fails when plain HTTP is asked for with a certificate', () => {
    const stack = testStack();
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new Environment(stack, 'Env', {
      ingress: {
        certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN),
        protocol: elbv2.ApplicationProtocol.HTTP,
      },
    }));
  });

  test('fails when access-log retention is not a positive number of days', () => {
    const stack = testStack();
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => new Environment(stack, 'Env', {
      ingress: { certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN), accessLogRetentionDays: 0 },
    }));
  });
});

describe('routing on the shared load balancer', () => {
  function priorities(stack: any): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, rule] of resources(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule')) out[id] = rule.Properties.Priority;
    return out;
  }

  test('specific rules get lower (earlier) priorities than broad ones, whatever the declaration order', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const image = Image.fromRegistry('nginx');
    new WebService(stack, 'Site', { environment, image });
    new WebService(stack, 'Api', { environment, image, routing: { pathPatterns: ['/api/*'] } });
    new WebService(stack, 'Admin', { environment, image, routing: { pathPatterns: ['/api/admin/*'] } });
    new WebService(stack, 'Tenant', { environment, image, routing: { hostHeaders: ['tenant.example.com'], pathPatterns: ['/api/*'] } });
    new WebService(stack, 'Docs', { environment, image, routing: { hostHeaders: ['docs.example.com'] } });
    const p = priorities(stack);
    const of = (prefix: string) => Object.entries(p).find(([id]) => id.startsWith(prefix))![1];
    expect(of('Tenant')).toBeLessThan(of('Docs'));
    expect(of('Docs')).toBeLessThan(of('Admin'));
    expect(of('Admin')).toBeLessThan(of('Api'));
    expect(of('Api')).toBeLessThan(of('Site'));
    expect(new Set(Object.values(p)).size).toBe(5);
    for (const value of Object.values(p)) expect(value).toBeGreaterThanOrEqual(1);
    for (const value of Object.values(p)) expect(value).toBeLessThanOrEqual(50000);
  });

  test('adding or removing a service never renumbers another service\'s rule', () => {
    const build = (extra: boolean) => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      const image = Image.fromRegistry('nginx');
      if (extra) new WebService(stack, 'Extra', { environment, image, routing: { pathPatterns: ['/extra/*'] } });
      new WebService(stack, 'Api', { environment, image, routing: { pathPatterns: ['/api/*'] } });
      new WebService(stack, 'Site', { environment, image });
      return priorities(stack);
    };
    const without = build(false);
    const withExtra = build(true);
    for (const [id, value] of Object.entries(without)) expect(withExtra[id]).toBe(value);
  });

  test('an explicit priority is used as given and automatic ones avoid it', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WebService(stack, 'Api', { environment, image: Image.fromRegistry('nginx'), routing: { pathPatterns: ['/api/*'], priority: 7 } });
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 7 });
  });

  test('fails when two services route the same host and path', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WebService(stack, 'A', { environment, image: Image.fromRegistry('nginx'), routing: { pathPatterns: ['/api/*'] } });
    expectError(ErrorCode.ROUTING_COLLISION, () => new WebService(stack, 'B', {
      environment, image: Image.fromRegistry('nginx'), routing: { pathPatterns: ['/api/*'] },
    }));
  });

  test('fails when two services ask for the same priority', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WebService(stack, 'A', { environment, image: Image.fromRegistry('nginx'), routing: { pathPatterns: ['/a/*'], priority: 10 } });
    expectError(ErrorCode.ROUTING_COLLISION, () => new WebService(stack, 'B', {
      environment, image: Image.fromRegistry('nginx'), routing: { pathPatterns: ['/b/*'], priority: 10 },
    }));
  });

  test('fails at synth when an explicit priority makes another rule unreachable', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WebService(stack, 'Site', { environment, image: Image.fromRegistry('nginx'), routing: { pathPatterns: ['/*'], priority: 1 } });
    new WebService(stack, 'Api', { environment, image: Image.fromRegistry('nginx'), routing: { pathPatterns: ['/api/*'] } });
    expectValidationError(stack, ErrorCode.ROUTING_COLLISION, /never reached/);
  });

  test.each([
    ['a priority above 50000', { pathPatterns: ['/a'], priority: 50001 }],
    ['a priority of 0', { pathPatterns: ['/a'], priority: 0 }],
    ['more than 5 condition values', { pathPatterns: ['/a', '/b', '/c', '/d', '/e', '/f'] }],
    ['a path pattern with a space', { pathPatterns: ['/a b'] }],
    ['a host header with a slash', { hostHeaders: ['example.com/x'] }],
  ])('fails when routing has %s', (_name, routing) => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    expectError(ErrorCode.ROUTING_INVALID, () => new WebService(stack, 'A', { environment, image: Image.fromRegistry('nginx'), routing }));
  });
});

describe('who reaches the shared load balancer, and with which TLS', () => {
  function env(ingress: Partial<IngressOptions>, stack: Stack = testStack()): Stack {
    new Environment(stack, 'Env', { ingress: { certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certificateArnFor(stack)), ...ingress } });
    return stack;
  }
  /** The load balancer group's inbound rules, inline or (prefix lists) as their own resources. */
  function ingressRules(stack: Stack): any[] {
    const [groupId, group] = resources(stack, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('EnvIngressSecurityGroup'))!;
    const separate = resources(stack, 'AWS::EC2::SecurityGroupIngress')
      .filter(([, r]) => JSON.stringify(r.Properties.GroupId).includes(groupId)).map(([, r]) => r.Properties);
    return [...group.Properties.SecurityGroupIngress ?? [], ...separate].map((r: any) => JSON.parse(JSON.stringify(
      { port: r.FromPort, cidr: r.CidrIp, cidr6: r.CidrIpv6, list: r.SourcePrefixListId })));
  }

  test('by default anyone on IPv4 reaches the HTTPS and redirect ports', () => {
    expect(ingressRules(env({}))).toEqual([{ port: 443, cidr: '0.0.0.0/0' }, { port: 80, cidr: '0.0.0.0/0' }]);
  });

  test('allowedSources admit IP ranges and prefix lists on both ports, and nothing else', () => {
    const stack = env({ allowedSources: [IngressSource.cidr('203.0.113.0/24'), IngressSource.cidr('2001:db8::/32'), IngressSource.prefixList('pl-0123456789abcdef0', 10)] });
    expect(ingressRules(stack)).toEqual(expect.arrayContaining([
      { port: 443, cidr: '203.0.113.0/24' }, { port: 80, cidr: '203.0.113.0/24' },
      { port: 443, cidr6: '2001:db8::/32' }, { port: 443, list: 'pl-0123456789abcdef0' }, { port: 80, list: 'pl-0123456789abcdef0' },
    ]));
    expect(ingressRules(stack).filter(r => r.cidr === '0.0.0.0/0')).toEqual([]);
    // Not open to the world: no acknowledgement of AwsSolutions-EC23.
    const [, group] = resources(stack, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('EnvIngressSecurityGroup'))!;
    expect(JSON.stringify(group.Metadata ?? {})).not.toContain('AwsSolutions-EC23');
    // Everyone, said explicitly, is the same finding as the default, acknowledged alike.
    const everyone = env({ allowedSources: [IngressSource.cidr('0.0.0.0/0')] });
    const [, open] = resources(everyone, 'AWS::EC2::SecurityGroup').find(([id]) => id.startsWith('EnvIngressSecurityGroup'))!;
    expect(JSON.stringify(open.Metadata)).toContain('AwsSolutions-EC23');
  });

  test('CloudFront only: the origin-facing prefix list, looked up, on the HTTPS port alone (it weighs 55 rules)', () => {
    const app = testApp();
    const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
    env({ allowedSources: [IngressSource.cloudFront()] }, stack);
    // The lookup's placeholder until `cdk synth` asks the account.
    expect(ingressRules(stack)).toEqual([{ port: 443, list: 'pl-xxxxxxxx' }]);
    const missing = app.synth().manifest.missing ?? [];
    expect(missing.filter(m => m.provider === 'cc-api-provider').map(m => (m.props as any).propertyMatch)).toEqual([{ PrefixListName: 'com.amazonaws.global.cloudfront.origin-facing' }]);
  });

  test.each([
    ['a CIDR that is not one', { allowedSources: [IngressSource.cidr('203.0.113.7')] }],
    ['an octet over 255', { allowedSources: [IngressSource.cidr('203.0.113.300/32')] }],
    ['a prefix list id that is not one', { allowedSources: [IngressSource.prefixList('office')] }],
    ['no sources at all', { allowedSources: [] }],
    ['more rules than a security group holds', { allowedSources: Array.from({ length: 31 }, (_, i) => IngressSource.cidr(`10.0.${i}.0/24`)) }],
    ['CloudFront in a stack without account and region', { allowedSources: [IngressSource.cloudFront()] }],
    ['a TLS policy on plain HTTP', { certificate: undefined, protocol: elbv2.ApplicationProtocol.HTTP, sslPolicy: elbv2.SslPolicy.TLS12 }],
    ['a TLS policy that is not an ELB one (a string, from JavaScript)', { sslPolicy: 'TLSv1.2_2021' as elbv2.SslPolicy }],
    ['more certificates on plain HTTP', {
      certificate: undefined, protocol: elbv2.ApplicationProtocol.HTTP, additionalCertificates: [acm.Certificate.fromCertificateArn(testStack(), 'C', CERTIFICATE_ARN)],
    }],
  ])('fails at synth with %s', (_name, ingress) => {
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => env(ingress as Partial<IngressOptions>));
  });

  test('takes an ELB policy aws-cdk-lib does not list yet, by its name', () => {
    const stack = testStack();
    env({ sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-PQ-2025-09' as elbv2.SslPolicy }, stack);
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, SslPolicy: 'ELBSecurityPolicy-TLS13-1-3-PQ-2025-09' });
  });

  test('CloudFront cannot reach an internal load balancer through its public prefix list', () => {
    const stack = new Stack(testApp(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
    expectError(ErrorCode.CONFLICTING_OPTIONS, () => env({ internetFacing: false, allowedSources: [IngressSource.cloudFront()] }, stack));
  });

  test('a TLS policy of choice and several certificates (SNI) on the HTTPS and test listeners', () => {
    const stack = testStack();
    const other = 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-1111-1111-1111-111111111111';
    env({
      sslPolicy: elbv2.SslPolicy.FIPS_TLS13_12,
      additionalCertificates: [acm.Certificate.fromCertificateArn(stack, 'Other', other)],
      testListener: { port: 8443 },
    }, stack);
    const t = template(stack);
    for (const port of [443, 8443]) {
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: port, SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04', Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
      });
    }
    // The listener's default certificate comes first; aws-cdk-lib adds the others as listener certificates.
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerCertificate', { Certificates: [{ CertificateArn: other }] });
  });
});

describe('routing on headers, query strings, methods and source addresses', () => {
  function rules(stack: Stack): Record<string, any> {
    return Object.fromEntries(resources(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([id, r]) => [id.replace(/ListenerRule.*/, ''), r.Properties]));
  }

  test('each becomes a condition of the rule, and a rule with one comes before the same path without', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const image = Image.fromRegistry('nginx');
    new WebService(stack, 'Api', { environment, image, routing: { pathPatterns: ['/api/*'] } });
    new WebService(stack, 'Beta', {
      environment,
      image,
      routing: {
        pathPatterns: ['/api/*'],
        httpHeaders: [{ name: 'X-Tenant', values: ['beta'] }],
        queryStrings: [{ key: 'version', value: '2' }],
        httpMethods: ['GET'],
        sourceIps: ['203.0.113.0/24'],
      },
    });
    const r = rules(stack);
    expect(r.Beta.Conditions).toEqual(expect.arrayContaining([
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Tenant', Values: ['beta'] } },
      { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'version', Value: '2' }] } },
      { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET'] } },
      { Field: 'source-ip', SourceIpConfig: { Values: ['203.0.113.0/24'] } },
    ]));
    expect(r.Beta.Priority).toBeLessThan(r.Api.Priority);
  });

  test('the same path with different methods is no collision; the same conditions are', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const image = Image.fromRegistry('nginx');
    new WebService(stack, 'Reads', { environment, image, routing: { pathPatterns: ['/orders/*'], httpMethods: ['GET', 'HEAD'] } });
    new WebService(stack, 'Writes', { environment, image, routing: { pathPatterns: ['/orders/*'], httpMethods: ['POST'] } });
    template(stack);
    expectError(ErrorCode.ROUTING_COLLISION, () => new WebService(stack, 'Again', {
      environment, image, routing: { pathPatterns: ['/orders/*'], httpMethods: ['HEAD', 'GET'] },
    }));
  });

  test('a broad rule placed before one with the same conditions and a narrower path is reported unreachable', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const image = Image.fromRegistry('nginx');
    const beta = [{ name: 'x-tenant', values: ['beta'] }];
    new WebService(stack, 'All', { environment, image, routing: { pathPatterns: ['/*'], httpHeaders: beta, priority: 10 } });
    new WebService(stack, 'Api', { environment, image, routing: { pathPatterns: ['/api/*'], httpHeaders: beta, priority: 20 } });
    expectValidationError(stack, ErrorCode.ROUTING_COLLISION, /never reached/);
  });

  test.each([
    ['more than 5 values in all', { pathPatterns: ['/a', '/b'], httpMethods: ['GET', 'PUT', 'POST', 'DELETE'] }],
    ['a method in lower case', { httpMethods: ['get'] }],
    ['a method with a wildcard', { httpMethods: ['P*'] }],
    ['a source that is not a CIDR', { sourceIps: ['203.0.113.7'] }],
    ['a header name with a space', { httpHeaders: [{ name: 'X Tenant', values: ['a'] }] }],
    ['a header without values', { httpHeaders: [{ name: 'X-Tenant', values: [] }] }],
    ['a query value over 128 characters', { queryStrings: [{ value: 'v'.repeat(129) }] }],
    ['a header condition on Host (ELB: use a host-header condition)', { httpHeaders: [{ name: 'Host', values: ['api.example.com'] }] }],
    ['a header condition on host, in any case', { httpHeaders: [{ name: 'HOST', values: ['api.example.com'] }] }],
  ])('fails at synth with %s', (_name, routing) => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    expectError(ErrorCode.ROUTING_INVALID, () => new WebService(stack, 'Web', { environment, image: Image.fromRegistry('nginx'), routing }));
  });
});

test('a header whose name only starts like Host (X-Forwarded-Host) is a header condition', () => {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  new WebService(stack, 'Web', { environment, image: Image.fromRegistry('nginx'), routing: { httpHeaders: [{ name: 'X-Forwarded-Host', values: ['api.example.com'] }] } });
  template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
    Conditions: Match.arrayWith([{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Forwarded-Host', Values: ['api.example.com'] } }]),
  });
});

describe('a service\'s own DNS names', () => {
  function zone(stack: Stack, name = 'example.com') {
    return route53.HostedZone.fromHostedZoneAttributes(stack, `Zone${name}`, { hostedZoneId: 'Z0000000000000000000', zoneName: name });
  }

  test('aliases get A records to the load balancer in the environment\'s zone, and the rule routes them as hosts', () => {
    const stack = testStack();
    const environment = new Environment(stack, 'Env', { ingress: { domain: { domainName: 'example.com', hostedZone: zone(stack) } } });
    const web = new WebService(stack, 'Api', { environment, image: Image.fromRegistry('nginx'), routing: { aliases: ['api.example.com'] } });
    expect(web.aliasRecords).toHaveLength(1);
    const t = template(stack);
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0000000000000000000',
      AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } }],
    });
  });

  test('a zone of the service\'s own, and host headers given alongside', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WebService(stack, 'Api', {
      environment,
      image: Image.fromRegistry('nginx'),
      routing: { aliases: ['shop.example.org'], hostedZone: zone(stack, 'example.org'), hostHeaders: ['shop.example.org', 'www.example.org'] },
    });
    template(stack).hasResourceProperties('AWS::Route53::RecordSet', { Name: 'shop.example.org.' });
    template(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.org', 'www.example.org'] } }],
    });
  });

  test.each([
    ['no zone to put them in', (_stack: Stack) => ({ aliases: ['api.example.com'] })],
    ['a name outside the zone', (stack: Stack) => ({ aliases: ['api.example.net'], hostedZone: zone(stack) })],
    ['a name that is not one', (stack: Stack) => ({ aliases: ['api_v2.example.com'], hostedZone: zone(stack) })],
  ])('fails at synth with %s', (_name, routing) => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    expectError(ErrorCode.ROUTING_INVALID, () => new WebService(stack, 'Api', { environment, image: Image.fromRegistry('nginx'), routing: routing(stack) }));
  });

  describe('one record per name in the whole app (Route 53 holds one A record per name)', () => {
    const recordsNamed = (stacks: Stack[], name: string) => stacks.flatMap(s => resources(s, 'AWS::Route53::RecordSet')).filter(([, r]) => r.Properties.Name === name);

    test('services sharing a host on purpose (several paths on one load balancer) get one record', () => {
      const stack = testStack();
      const environment = new Environment(stack, 'Env', { ingress: { domain: { domainName: 'example.com', hostedZone: zone(stack) } } });
      const api = new WebService(stack, 'Api', { environment, image: Image.fromRegistry('nginx'), routing: { aliases: ['shop.example.com'], pathPatterns: ['/api/*'] } });
      const ui = new WebService(stack, 'Ui', { environment, image: Image.fromRegistry('nginx'), routing: { aliases: ['shop.example.com'], pathPatterns: ['/*'] } });
      expect(recordsNamed([stack], 'shop.example.com.')).toHaveLength(1);
      expect(ui.aliasRecords[0]).toBe(api.aliasRecords[0]);
    });

    test('a service alias that is the environment\'s own domain reuses its record, across stacks too', () => {
      const app = testApp();
      const platform = new Stack(app, 'Platform');
      const environment = new Environment(platform, 'Env', { ingress: { domain: { domainName: 'example.com', hostedZone: zone(platform) } } });
      const apps = new Stack(app, 'Apps');
      new WebService(apps, 'Home', { environment, image: Image.fromRegistry('nginx'), routing: { aliases: ['example.com'] } });
      const synthesized = app.synth();
      const records = (stack: string) => Object.values<any>(synthesized.getStackByName(stack).template.Resources).filter(r => r.Type === 'AWS::Route53::RecordSet');
      expect(records('Platform').map(r => r.Properties.Name).sort()).toEqual(['*.example.com.', 'example.com.']);
      expect(records('Apps')).toEqual([]);
    });

    test('fails when a name is claimed for another load balancer (two environments, one zone)', () => {
      const stack = testStack();
      const hostedZone = zone(stack);
      const blue = new Environment(stack, 'Blue', { ingress: { domain: { domainName: 'blue.example.com', hostedZone } } });
      const green = new Environment(stack, 'Green', { ingress: { domain: { domainName: 'green.example.com', hostedZone } } });
      new WebService(stack, 'Api', { environment: blue, image: Image.fromRegistry('nginx'), routing: { aliases: ['api.example.com'] } });
      expect(() => new WebService(stack, 'Api2', { environment: green, image: Image.fromRegistry('nginx'), routing: { aliases: ['API.example.com.'] } })).toThrow(/^\[cdk-shipyard:ROUTING_COLLISION\] Test\/Api2: the DNS name "API\.example\.com\." is already the record Test\/Api\/Alias0, for another load balancer/);
    });

    test('accepts one name in two hosted zones (a public and a private zone of one domain)', () => {
      const stack = testStack();
      const environment = productionEnvironment(stack);
      const publicZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Public', { hostedZoneId: 'Z1', zoneName: 'example.com' });
      const privateZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Private', { hostedZoneId: 'Z2', zoneName: 'example.com' });
      new WebService(stack, 'A', { environment, image: Image.fromRegistry('nginx'), routing: { aliases: ['api.example.com'], hostedZone: publicZone, pathPatterns: ['/a/*'] } });
      const other = new Environment(stack, 'Other', { ingress: { certificate: acm.Certificate.fromCertificateArn(stack, 'C2', CERTIFICATE_ARN) } });
      new WebService(stack, 'B', { environment: other, image: Image.fromRegistry('nginx'), routing: { aliases: ['api.example.com'], hostedZone: privateZone } });
      expect(recordsNamed([stack], 'api.example.com.')).toHaveLength(2);
    });
  });
});

describe('load balancer quotas (ELB: 100 target groups, not adjustable; 100 rules and 25 certificates, adjustable)', () => {
  /** `count` routes on the shared listener, each forwarding to `groupsPerRoute` target groups of its own. */
  function routes(count: number, groupsPerRoute = 1): Stack {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    for (let i = 0; i < count; i++) {
      const groups = Array.from({ length: groupsPerRoute }, (_, g) => new elbv2.ApplicationTargetGroup(stack, `Tg${i}x${g}`, {
        vpc: environment.vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP,
      }));
      const action = groups.length === 1 ? elbv2.ListenerAction.forward(groups)
        : elbv2.ListenerAction.weightedForward(groups.map(targetGroup => ({ targetGroup, weight: 1 })));
      environment.ingress.addRoute(stack, `Rule${i}`, { routing: { hostHeaders: [`s${i}.example.com`] }, action });
    }
    return stack;
  }

  test('accepts 80 services without a word, and warns at the 81st (past 80% of the rules and target groups)', () => {
    expect(hasWarning(routes(80), 'cdk-shipyard:load-balancer-quota')).toBe(false);
    const stack = routes(81);
    expect(warningIds(stack).filter(w => w.includes('load-balancer-quota'))).toEqual([
      expect.stringMatching(/has 81 target groups; the ALB quota is 100 \(not adjustable\)/),
      expect.stringMatching(/has 81 listener rules; the ALB quota is 100 by default \(adjustable in Service Quotas\)/),
    ]);
    // The way past the wall that keeps one golden path: ECS's gateway spreads services over several load balancers.
    expect(warningIds(stack).filter(w => w.includes('load-balancer-quota')).every(w => /Choose the environment's ECS gateway .*maxAlbCount/.test(w))).toBe(true);
  });

  test('accepts exactly 100 target groups (50 blue/green services), with the warning', () => {
    const stack = routes(50, 2);
    expect(() => template(stack)).not.toThrow();
    expect(hasWarning(stack, 'cdk-shipyard:load-balancer-quota')).toBe(true);
  });

  test('fails at synth when the services need a 101st target group', () => {
    expectValidationError(routes(51, 2), ErrorCode.LOAD_BALANCER_QUOTA,
      /has 102 target groups; an ALB takes at most 100, and ELB does not raise that quota[\s\S]*choose the environment's ECS gateway/);
  });

  test('counts a target group that two rules forward to once', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    const group = new elbv2.ApplicationTargetGroup(stack, 'Tg', { vpc: environment.vpc, port: 80, targetType: elbv2.TargetType.IP });
    for (let i = 0; i < 90; i++) {
      environment.ingress.addRoute(stack, `Rule${i}`, { routing: { pathPatterns: [`/p${i}/*`] }, action: elbv2.ListenerAction.forward([group]) });
    }
    const warnings = warningIds(stack).filter(w => w.includes('load-balancer-quota'));
    expect(warnings).toEqual([expect.stringMatching(/has 90 listener rules/)]);
  });

  test('warns past 20 additional certificates (ALB: 25 besides the default one)', () => {
    const certificate = (stack: Stack, i: number) =>
      acm.Certificate.fromCertificateArn(stack, `C${i}`, CERTIFICATE_ARN.replace(/0{12}$/, String(i).padStart(12, '0')));
    const at = (n: number) => {
      const stack = testStack();
      const additionalCertificates = Array.from({ length: n }, (_, i) => certificate(stack, i + 1));
      new Environment(stack, 'Env', { ingress: { certificate: certificate(stack, 0), additionalCertificates } });
      return hasWarning(stack, 'cdk-shipyard:load-balancer-quota');
    };
    expect(at(20)).toBe(false);
    expect(at(21)).toBe(true);
  });
});
