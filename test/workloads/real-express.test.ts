/**
 * Express Mode services nobody here wrote (real/express/, see its PROVENANCE.md), moved to a
 * WebService the way docs/express-mode.md ("Moving an Express service to a WebService") says:
 * each property has its prop, and the test reads every expectation from the file.
 */
import * as fs from 'fs';
import * as path from 'path';
import { aws_ecs as ecs, aws_iam as iam, aws_secretsmanager as secretsmanager, aws_ssm as ssm, Stack, Token } from 'aws-cdk-lib';
import * as YAML from 'yaml';
import { Image, Scaling, WebService, WebServiceProps } from '../../src';
import { productionEnvironment, resources, testStack } from '../fixtures';

const EXPRESS = path.join(__dirname, 'real', 'express');

/** The Express Mode scaling metrics and the Scaling each becomes (CloudFormation, ExpressGatewayScalingTarget). */
const SCALING: Record<string, (target: number) => Scaling> = {
  AVERAGE_CPU: t => Scaling.cpu(t),
  AVERAGE_MEMORY: t => Scaling.memory(t),
  REQUEST_COUNT_PER_TARGET: t => Scaling.requestsPerTarget(t),
};

/**
 * A secret's `ValueFrom` as the WebService takes it: a Systems Manager parameter ARN becomes the
 * parameter, a Secrets Manager ARN with a JSON key (`<arn>:<key>::`) the secret and its field.
 */
function secretOf(stack: Stack, id: string, valueFrom: any): ecs.Secret {
  const parts: unknown[] = valueFrom['Fn::Join'][1];
  if (parts.includes(':ssm:')) {
    // The ARN's `:parameter/` is followed by the name: a simple name (no leading slash), which
    // aws-cdk-lib must be told when the name is a token, to write the ARN the same way.
    const name = parts[parts.length - 1];
    const simpleName = parts[parts.length - 2] === ':parameter/';
    const parameter = ssm.StringParameter.fromSecureStringParameterAttributes(stack, id, { parameterName: Token.asString(name), simpleName });
    return ecs.Secret.fromSsmParameter(parameter);
  }
  const [arn, suffix] = parts as [unknown, string];
  const field = /^:([^:]+)::$/.exec(suffix)![1];
  return ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretCompleteArn(stack, id, Token.asString(arn)), field);
}

/** The WebService props of an Express service's CloudFormation properties, and the properties that stay with Express Mode. */
function webServiceOf(stack: Stack, express: any): { props: Omit<WebServiceProps, 'environment'>; left: string[] } {
  const container = express.PrimaryContainer;
  const scaling = express.ScalingTarget;
  const props: Omit<WebServiceProps, 'environment'> = {
    // The Express task is X86_64 ("Resources created by ...", task definition defaults).
    image: Image.fromRegistry(Token.asString(container.Image), { architectures: [ecs.CpuArchitecture.X86_64] }),
    containerPort: container.ContainerPort,
    targetHealthCheck: { path: express.HealthCheckPath },
    cpu: Number(express.Cpu),
    memoryLimitMiB: Number(express.Memory),
    secrets: Object.fromEntries((container.Secrets ?? []).map((s: any) => [s.Name, secretOf(stack, s.Name, s.ValueFrom)])),
    environmentVariables: Object.fromEntries((container.Environment ?? []).map((e: any) => [e.Name, Token.asString(e.Value)])),
    scaling: scaling && {
      minCapacity: scaling.MinTaskCount,
      maxCapacity: scaling.MaxTaskCount,
      targets: [SCALING[scaling.AutoScalingMetric](scaling.AutoScalingTargetValue)],
    },
    serviceName: express.ServiceName,
    taskRole: iam.Role.fromRoleArn(stack, 'TaskRole', Token.asString(express.TaskRoleArn)),
    executionRole: iam.Role.fromRoleArn(stack, 'ExecutionRole', Token.asString(express.ExecutionRoleArn)),
  };
  // What the environment provides instead (cluster, subnets, security groups, the log group) or
  // Express Mode alone uses (its infrastructure role).
  const left = ['Cluster', 'NetworkConfiguration', 'InfrastructureRoleArn'].filter(k => express[k] !== undefined);
  if (container.AwsLogsConfiguration) left.push('PrimaryContainer.AwsLogsConfiguration');
  return { props, left };
}

describe('aws-samples/java-on-aws: an AI agent on Express Mode (java-spring-ai-agents-stack.yaml)', () => {
  const template = YAML.parse(fs.readFileSync(path.join(EXPRESS, 'java-on-aws-spring-ai-agents-stack.yaml'), 'utf8'), { logLevel: 'error' });
  const [express] = Object.values<any>(template.Resources).filter(r => r.Type === 'AWS::ECS::ExpressGatewayService').map(r => r.Properties);

  test('as a WebService it runs the same image, port, size, health check, scaling, secrets, name and roles', () => {
    const stack = testStack();
    const { props, left } = webServiceOf(stack, express);
    new WebService(stack, 'Agent', { environment: productionEnvironment(stack), ...props });

    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect([task.Properties.Cpu, task.Properties.Memory]).toEqual([express.Cpu, express.Memory]);
    expect(task.Properties.RuntimePlatform.CpuArchitecture).toBe('X86_64');
    const [app] = task.Properties.ContainerDefinitions;
    expect(app.Image).toEqual(express.PrimaryContainer.Image);
    expect(app.PortMappings[0].ContainerPort).toBe(express.PrimaryContainer.ContainerPort);
    expect(app.Secrets.map((s: any) => s.Name)).toEqual(express.PrimaryContainer.Secrets.map((s: any) => s.Name));
    // Every secret names the same parameter or secret, and the Secrets Manager ones keep their JSON key.
    for (const s of express.PrimaryContainer.Secrets) {
      const rendered = JSON.stringify(app.Secrets.find((r: any) => r.Name === s.Name).ValueFrom);
      const parts: any[] = s.ValueFrom['Fn::Join'][1];
      const named = parts.find(p => typeof p === 'object' && p.Ref && !p.Ref.startsWith('AWS::')).Ref;
      expect(rendered).toContain(named);
      const key = parts.find(p => typeof p === 'string' && /^:[^:]+::$/.test(p));
      if (key) expect(rendered).toContain(key);
    }
    expect(task.Properties.TaskRoleArn).toEqual(express.TaskRoleArn);
    expect(task.Properties.ExecutionRoleArn).toEqual(express.ExecutionRoleArn);

    const [[, group]] = resources(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(group.Properties.HealthCheckPath).toBe(express.HealthCheckPath);
    const [[, service]] = resources(stack, 'AWS::ECS::Service');
    expect(service.Properties.ServiceName).toBe(express.ServiceName);
    const [[, target]] = resources(stack, 'AWS::ApplicationAutoScaling::ScalableTarget');
    const { MinTaskCount, MaxTaskCount } = express.ScalingTarget;
    expect([target.Properties.MinCapacity, target.Properties.MaxCapacity]).toEqual([MinTaskCount, MaxTaskCount]);
    const policies = resources(stack, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, p]) => p.Properties.TargetTrackingScalingPolicyConfiguration);
    expect(policies).toContainEqual(expect.objectContaining({ TargetValue: express.ScalingTarget.AutoScalingTargetValue }));

    // What stays behind: the environment gives the cluster, private subnets (the sample's service
    // ran in public ones), security groups and a log group with retention.
    expect(left).toEqual(['Cluster', 'NetworkConfiguration', 'InfrastructureRoleArn', 'PrimaryContainer.AwsLogsConfiguration']);
  });
});

describe('aws-samples/sample-ecs-express-starter-kit: a web app on Express Mode (iac/express.tf)', () => {
  // Terraform: the literal attributes of its aws_ecs_express_gateway_service, read from the file.
  const text = fs.readFileSync(path.join(EXPRESS, 'starter-kit-express.tf'), 'utf8');
  const attribute = (name: string) => new RegExp(`^\\s*${name}\\s*=\\s*"([^"]*)"`, 'm').exec(text)?.[1];
  const environment = [...text.matchAll(/environment\s*{\s*name\s*=\s*"([^"]+)"\s*value\s*=\s*([^\n]+)/g)].map(m => [m[1], m[2].trim()]);

  test('its size and health check port to a WebService; its literal variables stay literal, its Terraform references become the app\'s', () => {
    expect([attribute('cpu'), attribute('memory'), attribute('health_check_path')]).toEqual(['2048', '4096', '/health']);
    expect(environment.length).toBeGreaterThan(0);
    const stack = testStack();
    new WebService(stack, 'Web', {
      environment: productionEnvironment(stack),
      image: Image.fromRegistry('public.ecr.aws/my-org/app:1.0.0', { architectures: [ecs.CpuArchitecture.X86_64] }),
      cpu: Number(attribute('cpu')),
      memoryLimitMiB: Number(attribute('memory')),
      targetHealthCheck: { path: attribute('health_check_path') },
      environmentVariables: Object.fromEntries(environment.map(([name, value]) => [name, value.startsWith('"') ? JSON.parse(value) : `\${${value}}`])),
    });
    const [[, task]] = resources(stack, 'AWS::ECS::TaskDefinition');
    expect([task.Properties.Cpu, task.Properties.Memory]).toEqual([attribute('cpu'), attribute('memory')]);
    expect(resources(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup')[0][1].Properties.HealthCheckPath).toBe(attribute('health_check_path'));
    const rendered = task.Properties.ContainerDefinitions[0].Environment.map((e: any) => e.Name);
    expect(rendered).toEqual(expect.arrayContaining(environment.map(([name]) => name)));
  });
});
