// The shared ingress's certificate (the one given, or one made for the domain) and the checks
// that its TLS options agree with the protocol.

import { Token, aws_certificatemanager as acm, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { SharedIngressProps } from './ingress';
import { checkNameInZone } from './routing';
import { checkCertificateRegion } from '../guardrails/checks';
import { ErrorCode, ShipyardError } from '../guardrails/errors';

/** The ingress's certificate: the one given, or one made for the domain (checked to lie in its zone). */
export function certificateOf(scope: Construct, props: SharedIngressProps): acm.ICertificate | undefined {
  if (props.certificate && props.domain) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, 'both ingress.certificate and ingress.domain are given',
      'pass a certificate, or a domain to create one, not both');
  }
  if (!props.domain) return props.certificate;
  checkNameInZone(scope, 'ingress.domain.domainName', props.domain.domainName, props.domain.hostedZone, 'ingress.domain.hostedZone');
  return new acm.Certificate(scope, 'Certificate', {
    domainName: props.domain.domainName,
    subjectAlternativeNames: [`*.${props.domain.domainName}`],
    validation: acm.CertificateValidation.fromDns(props.domain.hostedZone),
  });
}

/**
 * The TLS options agree with the protocol: HTTPS has a certificate, plain HTTP has no TLS
 * option; certificates are of the load balancer's region; the policy is an ELB policy name.
 */
export function checkTls(scope: Construct, props: SharedIngressProps, protocol: elbv2.ApplicationProtocol,
  certificate: acm.ICertificate | undefined): void {
  if (protocol === elbv2.ApplicationProtocol.HTTPS && !certificate) {
    throw new ShipyardError(scope, ErrorCode.HTTPS_WITHOUT_CERTIFICATE,
      `HTTPS is ${props.protocol ? 'asked for' : 'required in production'} but no certificate or domain is given`,
      'pass ingress.certificate or ingress.domain, or set ingress.protocol to ApplicationProtocol.HTTP to serve plain HTTP');
  }
  if (protocol === elbv2.ApplicationProtocol.HTTP && certificate) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, 'ingress.protocol is HTTP but a certificate or domain is given',
      'leave ingress.protocol out to serve HTTPS with the certificate');
  }
  checkCertificateRegion(scope, 'ingress.certificate', props.certificate);
  props.additionalCertificates?.forEach((c, i) => checkCertificateRegion(scope, `ingress.additionalCertificates[${i}]`, c));
  if (protocol === elbv2.ApplicationProtocol.HTTP && (props.sslPolicy || (props.additionalCertificates ?? []).length > 0)) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS,
      `ingress.${props.sslPolicy ? 'sslPolicy' : 'additionalCertificates'} is given, but the load balancer serves plain HTTP`,
      'pass ingress.certificate or ingress.domain to serve HTTPS, or leave the TLS options out');
  }
  // From JavaScript or Python a policy is any string; ELB's predefined ones are all named
  // ELBSecurityPolicy-... (Elastic Load Balancing, "Security policies for your Application
  // Load Balancer"). The name is not matched against aws-cdk-lib's list, which lags new ones.
  const policy = props.sslPolicy as string | undefined;
  if (policy !== undefined && !Token.isUnresolved(policy) && !/^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(policy)) {
    throw new ShipyardError(scope, ErrorCode.CONFLICTING_OPTIONS, `ingress.sslPolicy ${JSON.stringify(policy)} is not an ELB security policy`,
      'give a predefined policy (elbv2.SslPolicy.RECOMMENDED_TLS, TLS13_RES, FIPS_TLS13_12_EXT2, ...), whose names start with ELBSecurityPolicy-');
  }
}
