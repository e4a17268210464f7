import { Stack } from 'aws-cdk-lib';
import { OtlpProtocol, Tracing } from '../../src';
import { policyStatements, resources, webService as web, containerNamed as container } from '../fixtures';


function taskRoleStatements(stack: Stack): any[] {
  return policyStatements(stack, 'WebTaskDefinitionTaskRole');
}


describe('Tracing.awsDistroForOpenTelemetry', () => {
  test('adds a collector sidecar the app exports to over localhost', () => {
    const { stack } = web({ tracing: Tracing.awsDistroForOpenTelemetry() });
    const collector = container(stack, 'otel-collector');
    expect(collector).toMatchObject({
      Image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0',
      Essential: true,
      MemoryReservation: 64,
      ReadonlyRootFilesystem: true,
      HealthCheck: { Command: ['CMD', '/healthcheck'] },
    });
    const config = JSON.stringify(collector.Environment);
    expect(config).toContain('AOT_CONFIG_CONTENT');
    expect(config).toContain('exporters: [awsxray]');
    expect(config).toContain('exporters: [awsemf]');
    const app = container(stack, 'app');
    expect(app.DependsOn).toEqual([{ ContainerName: 'otel-collector', Condition: 'START' }]);
  });

  test.each([
    ['by default, OTLP over HTTP, the specification\'s and most SDKs\' default, on the collector\'s HTTP port', undefined, 'http/protobuf', 4318],
    ['gRPC when asked, on the collector\'s gRPC port', OtlpProtocol.GRPC, 'grpc', 4317],
  ])('tells the app\'s SDK the protocol and the matching port: %s', (_name, protocol, name, port) => {
    const { stack } = web({ tracing: Tracing.awsDistroForOpenTelemetry({ protocol }) });
    const app = container(stack, 'app');
    expect(app.Environment).toEqual(expect.arrayContaining([
      { Name: 'OTEL_EXPORTER_OTLP_PROTOCOL', Value: name },
      { Name: 'OTEL_EXPORTER_OTLP_ENDPOINT', Value: `http://localhost:${port}` },
    ]));
    // The collector listens on that port for that protocol.
    const config = JSON.stringify(container(stack, 'otel-collector').Environment.find((e: any) => e.Name === 'AOT_CONFIG_CONTENT').Value).replace(/\\n/g, '\n');
    expect(config).toMatch(new RegExp(`${name === 'grpc' ? 'grpc' : 'http'}:\\n\\s+endpoint: localhost:${port}`));
  });

  test('the task role gets X-Ray writes and the metrics log group only', () => {
    const { stack } = web({ tracing: Tracing.awsDistroForOpenTelemetry() });
    const statements = taskRoleStatements(stack);
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['xray:PutTraceSegments']), Resource: '*' }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^WebMetricsLogGroup/), 'Arn'] },
    }));
    expect(statements).toHaveLength(2);
  });

  test('traces only, without the metrics pipeline', () => {
    const { stack } = web({ tracing: Tracing.awsDistroForOpenTelemetry({ cloudWatchMetrics: false }) });
    expect(JSON.stringify(container(stack, 'otel-collector').Environment)).not.toContain('awsemf');
    expect(resources(stack, 'AWS::Logs::LogGroup').filter(([id]) => id.startsWith('WebMetricsLogGroup'))).toHaveLength(0);
  });
});
