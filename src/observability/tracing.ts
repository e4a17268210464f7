import { RemovalPolicy, Stack, aws_ecs as ecs, aws_iam as iam, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkPattern } from '../guardrails/checks';
import { ErrorCode } from '../guardrails/errors';
import { Image } from '../task/image';
import { SidecarOptions } from '../task/sidecar';

/**
 * How the app's OpenTelemetry SDK sends to the collector. Each protocol has its own port on the
 * collector (OTLP specification: gRPC 4317, HTTP 4318), and the SDK must be told both.
 */
export enum OtlpProtocol {
  /**
   * Protobuf over HTTP, to port 4318: the default of the OpenTelemetry specification ("OpenTelemetry
   * Protocol Exporter": the default endpoint is http://localhost:4318) and of most SDKs.
   */
  HTTP_PROTOBUF = 'http/protobuf',
  /** gRPC, to port 4317. */
  GRPC = 'grpc',
}

/** Options of the AWS Distro for OpenTelemetry collector sidecar. */
export interface AdotCollectorOptions {
  /**
   * The protocol the app's SDK uses; the library sets `OTEL_EXPORTER_OTLP_PROTOCOL` and the
   * endpoint on that protocol's port of the collector (`OTEL_EXPORTER_OTLP_ENDPOINT`), so the two
   * always agree. The collector receives both.
   * @default OtlpProtocol.HTTP_PROTOBUF (http://localhost:4318)
   */
  readonly protocol?: OtlpProtocol;
  /**
   * The collector image.
   * @default - public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0
   */
  readonly image?: Image;
  /**
   * Also export the app's OTLP metrics to CloudWatch (embedded metric format in a log group
   * the workload owns).
   * @default true
   */
  readonly cloudWatchMetrics?: boolean;
  /**
   * CloudWatch namespace of those metrics.
   * @default 'ECS/OpenTelemetry'
   */
  readonly metricNamespace?: string;
  /**
   * Memory reserved for the collector in MiB.
   * @default 64
   */
  readonly memoryReservationMiB?: number;
}

/** What a workload passes to its tracing. */
export interface TracingBindOptions {
  /** The task definition; its task role receives the exporter permissions. */
  readonly taskDefinition: ecs.TaskDefinition;
  /** The environment's default retention. */
  readonly retention: logs.RetentionDays;
  /**
   * The environment's KMS key for log groups.
   * @default - CloudWatch Logs' own encryption
   */
  readonly encryptionKey?: kms.IKey;
}

/** Tracing once bound: a sidecar and the main container's settings. */
export interface TracingConfig {
  /** The collector container. */
  readonly sidecar: SidecarOptions;
  /** Environment variables that point the app's SDK at the collector. */
  readonly appEnvironment: { [key: string]: string };
  /**
   * The log group receiving the metrics.
   * @default - none
   */
  readonly metricsLogGroup?: logs.ILogGroup;
}

/** Container name of the ADOT collector. */
export const COLLECTOR_NAME = 'otel-collector';

/** Distributed tracing for a workload. */
export class Tracing {
  /**
   * An AWS Distro for OpenTelemetry collector sidecar: it receives OTLP (gRPC 4317, HTTP
   * 4318) and X-Ray daemon (UDP 2000) traffic on localhost and exports traces to X-Ray and,
   * optionally, metrics to CloudWatch. The task role gets the X-Ray write actions and the
   * right to write to the metrics log group only.
   */
  public static awsDistroForOpenTelemetry(options: AdotCollectorOptions = {}): Tracing {
    return new Tracing((scope, bind) => {
      const task = bind.taskDefinition;
      // X-Ray's write and sampling actions take no resource-level permissions.
      // Source: Service Authorization Reference, "Actions defined by AWS X-Ray".
      task.addToTaskRolePolicy(new iam.PolicyStatement({
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules',
          'xray:GetSamplingTargets', 'xray:GetSamplingStatisticSummaries'],
        resources: ['*'],
      }));
      const metrics = options.cloudWatchMetrics ?? true;
      let metricsLogGroup: logs.ILogGroup | undefined;
      if (metrics) {
        metricsLogGroup = new logs.LogGroup(scope, 'MetricsLogGroup', {
          retention: bind.retention,
          encryptionKey: bind.encryptionKey,
          removalPolicy: RemovalPolicy.RETAIN,
        });
        task.addToTaskRolePolicy(new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [metricsLogGroup.logGroupArn], // the group ARN ends in :* and covers its streams,
        }));
      }
      // CloudWatch PutMetricData Namespace: 1-255 characters, not starting with ':' nor 'AWS/'
      // (reserved for AWS). The collector's YAML holds it as a plain scalar: no quotes, ': ' or ' #',
      // and no YAML indicator first.
      checkPattern(scope, ErrorCode.TASK_SETTINGS, 'tracing metricNamespace', options.metricNamespace,
        /^(?!AWS\/)(?!.*(: | #|\s$))[^:\s"'#{}[\],&*!|>%@`?-][^"'\n]{0,254}$/,
        '1-255 characters without quotes, ": " or " #", not starting with : AWS/ or a YAML indicator');
      const config = collectorConfig(Stack.of(scope).region, metricsLogGroup?.logGroupName, options.metricNamespace ?? 'ECS/OpenTelemetry');
      return {
        sidecar: {
          name: COLLECTOR_NAME,
          // The AWS Distro for OpenTelemetry collector is published for amd64 and arm64.
          image: options.image ?? Image.fromRegistry('public.ecr.aws/aws-observability/aws-otel-collector:v0.47.0', {
            architectures: [ecs.CpuArchitecture.ARM64, ecs.CpuArchitecture.X86_64],
          }),
          environmentVariables: { AOT_CONFIG_CONTENT: config },
          memoryReservationMiB: options.memoryReservationMiB ?? 64,
          essential: true,
          // The collector's health_check extension, queried by the image's /healthcheck binary.
          healthCheck: { command: ['CMD', '/healthcheck'] }, // the image has no shell
          appWaitsFor: ecs.ContainerDependencyCondition.START,
        },
        appEnvironment: {
          OTEL_EXPORTER_OTLP_PROTOCOL: options.protocol ?? OtlpProtocol.HTTP_PROTOBUF,
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://localhost:${options.protocol === OtlpProtocol.GRPC ? 4317 : 4318}`,
          AWS_XRAY_DAEMON_ADDRESS: 'localhost:2000',
          OTEL_PROPAGATORS: 'tracecontext,baggage,xray',
        },
        metricsLogGroup,
      };
    });
  }

  private constructor(private readonly produce: (scope: Construct, options: TracingBindOptions) => TracingConfig) {}

  /**
   * Grant the exporters' permissions and return the collector sidecar.
   * @internal
   */
  public _bind(scope: Construct, options: TracingBindOptions): TracingConfig {
    return this.produce(scope, options);
  }
}

/** The collector's configuration, passed in AOT_CONFIG_CONTENT (no config file to ship). */
function collectorConfig(region: string, metricsLogGroupName: string | undefined, namespace: string): string {
  const lines = [
    'extensions:',
    '  health_check:',
    'receivers:',
    '  otlp:',
    '    protocols:',
    '      grpc:',
    '        endpoint: localhost:4317',
    '      http:',
    '        endpoint: localhost:4318',
    '  awsxray:',
    '    endpoint: localhost:2000',
    '    transport: udp',
    'processors:',
    '  batch/traces:',
    '    timeout: 1s',
    '    send_batch_size: 50',
    '  batch/metrics:',
    '    timeout: 60s',
    'exporters:',
    '  awsxray:',
    `    region: ${region}`,
  ];
  if (metricsLogGroupName) {
    lines.push('  awsemf:', `    region: ${region}`, `    namespace: ${namespace}`, `    log_group_name: ${metricsLogGroupName}`);
  }
  lines.push(
    'service:',
    '  extensions: [health_check]',
    '  pipelines:',
    '    traces:',
    '      receivers: [otlp, awsxray]',
    '      processors: [batch/traces]',
    '      exporters: [awsxray]',
  );
  if (metricsLogGroupName) {
    lines.push('    metrics:', '      receivers: [otlp]', '      processors: [batch/metrics]', '      exporters: [awsemf]');
  }
  return lines.join('\n');
}
