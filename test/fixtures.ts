/** Shared test fixtures: apps with the validation flag on, and a production environment. */
import { App, Stack, Stage, Token, aws_certificatemanager as acm, aws_ecs as ecs } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AutoScalingCapacity, AutoScalingCapacityProps, Environment, EnvironmentAttributes, EnvironmentProps, IEnvironment, Image, ManagedInstancesCapacity, WebService, WebServiceProps } from '../src';
import { newDefaultsContext } from '../src/guardrails/changed-defaults';
import { ErrorCode } from '../src/guardrails/errors';
import { NAG_ACKNOWLEDGEMENTS_CONTEXT } from '../src/private/nag-template';

export const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

/**
 * The context of the tests' apps: aws-cdk-lib's validation as errors, every changed default chosen,
 * and every cdk-nag pack's acknowledgements written into the template, where the tests read what
 * the library acknowledges and why (an app writes those of the packs it attaches: see
 * test/private/nag.test.ts).
 */
const TEST_CONTEXT = { '@aws-cdk/core:validateAgainstDefaultRules': true, [NAG_ACKNOWLEDGEMENTS_CONTEXT]: 'all' };

/**
 * An app whose synth treats CloudFormation validation findings as errors (aws-cdk-lib 2.262+),
 * with the library's new defaults chosen, as a new app's cdk.json chooses them.
 */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...TEST_CONTEXT, ...newDefaultsContext(), ...context } });
}

/** An app that has chosen every changed default but `flag`: the one a test watches warn. */
export function appUnsetting(flag: string): App {
  const context: Record<string, unknown> = { ...TEST_CONTEXT, ...newDefaultsContext() };
  delete context[flag];
  return new App({ context });
}

export function testStack(name = 'Test'): Stack {
  return new Stack(testApp(), name);
}

/** `CERTIFICATE_ARN` moved to the stack's region, when it has one (ACM certificates are regional). */
export function certificateArnFor(stack: Stack): string {
  return Token.isUnresolved(stack.region) ? CERTIFICATE_ARN : CERTIFICATE_ARN.replace(':us-east-1:', `:${stack.region}:`);
}

/** A production environment with a certificate of its region, in `stack`. */
export function productionEnvironment(stack: Stack, props: EnvironmentProps = {}): Environment {
  return new Environment(stack, 'Env', {
    ingress: { certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', certificateArnFor(stack)) },
    ...props,
  });
}

/** A production environment in `stack`, seen through `Environment.fromAttributes` with an imported cluster. */
export function importedEnvironment(stack: Stack, attributes: Partial<EnvironmentAttributes> = {}): IEnvironment {
  const source = productionEnvironment(stack, {});
  return Environment.fromAttributes(stack, 'Imported', {
    vpc: source.vpc,
    cluster: ecs.Cluster.fromClusterAttributes(stack, 'ImportedCluster', { clusterName: 'c', vpc: source.vpc }),
    loadBalancer: source.ingress.loadBalancer,
    listener: source.ingress.listener,
    ...attributes,
  });
}

/**
 * Synthesize the stack's app once and keep the result: aws-cdk-lib 2.257 cannot
 * synthesize an app with a cluster twice (its capacity-provider aspect is not idempotent),
 * while `Template.fromStack` and `Annotations.fromStack` would each synthesize again.
 */
function synthesized(stack: Stack) {
  const assembly = Stage.of(stack)!.synth();
  return assembly.getStackArtifact(stack.artifactId);
}

export function template(stack: Stack): Template {
  return Template.fromJSON(synthesized(stack).template);
}

/** Run `build` and expect a ShipyardError with `code`. */
export function expectError(code: ErrorCode, build: () => unknown): void {
  expect(build).toThrow(new RegExp(`^\\[cdk-shipyard:${code}\\] `));
}

/** Validation (node.addValidation) errors surface when the stack is synthesized. */
export function expectValidationError(stack: Stack, code: ErrorCode, pattern: RegExp = /./): void {
  expect(() => synthesized(stack)).toThrow(new RegExp(`\\[cdk-shipyard:${code}\\][\\s\\S]*${pattern.source}`));
}

export function warningIds(stack: Stack): string[] {
  return synthesized(stack).findMetadataByType('aws:cdk:warning').map(w => String(w.data));
}

export function hasWarning(stack: Stack, id: string): boolean {
  return warningIds(stack).some(w => w.includes(id));
}

/** Resources of `type` in the template, as [logicalId, resource] pairs. */
export function resources(stack: Stack, type: string): Array<[string, any]> {
  return Object.entries(template(stack).findResources(type));
}

export type { IEnvironment };

/** Statements of the IAM policies whose logical ids start with `prefix` (e.g. a role's DefaultPolicy). */
export function policyStatements(stack: Stack, prefix: string): any[] {
  return resources(stack, 'AWS::IAM::Policy')
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const NGINX = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27');

/** A web service `Web` in `stack` (a production environment unless given). */
export function webService(props: Partial<WebServiceProps> = {}, stack: Stack = testStack()): { stack: Stack; service: WebService } {
  const environment = props.environment ?? productionEnvironment(stack);
  const service = new WebService(stack, 'Web', { image: NGINX, ...props, environment });
  return { stack, service };
}

/** The container definitions of the stack's first task definition. */
export function containerDefinitions(stack: Stack): any[] {
  return resources(stack, 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions;
}

/** The container named `name` of the stack's first task definition (it must exist). */
export function containerNamed(stack: Stack, name: string): any {
  const found = containerDefinitions(stack).find(c => c.Name === name);
  expect(found).toBeDefined();
  return found;
}

/** A production environment with ECS Managed Instances capacity `Managed`, in a stack of its own. */
export function managedInstancesEnvironment() {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  return { stack, environment, instances: new ManagedInstancesCapacity(stack, 'Managed', { environment }) };
}

/** A production environment with an Auto Scaling group capacity `Instances`. */
export function ec2Environment(props: Partial<AutoScalingCapacityProps> = {}) {
  const stack = testStack();
  const environment = productionEnvironment(stack);
  const instances = new AutoScalingCapacity(stack, 'Instances', { ...props, environment });
  return { stack, environment, instances };
}
