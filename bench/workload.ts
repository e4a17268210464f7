/**
 * One benchmark run, in its own process: builds N web services (0.5 vCPU / 1 GB, 2 tasks,
 * circuit breaker) with cdk-shipyard or with aws-ecs-patterns, synthesizes them and
 * prints one JSON line with the measurements.
 *
 *   ts-node bench/workload.ts <shipyard|shipyard-no-alarms|shipyard-gateway|ecs-patterns|ecs-patterns-alarmed> <N>
 *
 * Up to 25 services share the stack of the environment (or VPC and cluster); more go in stacks
 * of 25 each beside it, as docs/environment.md lays out many services (N = 100: four). The
 * deploy model reads the first stack that holds services. shipyard-gateway puts the services on
 * the environment's ECS gateway instead of the shared load balancer.
 *
 * shipyard-no-alarms switches the per-service alarms (and alarm rollback) off, so the
 * table separates what the library costs from what its default alarms add.
 * ecs-patterns-alarmed adds to each aws-ecs-patterns service the alarms, rule and alarm
 * rollback cdk-shipyard's production defaults have, written with aws-cdk-lib's own constructs
 * as its users would (`alarmLikeShipyard`): the same watching, compared like with like.
 *
 * BENCH_FLAGS=recommended (default) runs both as a new CDK app would, with the feature
 * flags `cdk init` writes to cdk.json (cx-api CURRENTLY_RECOMMENDED_FLAGS) and, as the README
 * tells a new app to, this library's changed-default flags set to true (the context the
 * importers write); BENCH_FLAGS=none runs them with no flags set, as an app that upgraded
 * without choosing (each changed default then warns on every construct it changes).
 *
 * BENCH_KEEP=1 keeps the synthesized templates and prints where (to read what a service costs).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { readAssembly } from '../src/cli/picture/assembly';
import { modelDeploy } from '../src/cli/report/deploy-model';
import { reportOf } from '../src/cli/report/facts';

const [variant, countArg] = process.argv.slice(2);
const count = Number(countArg);
/** Services per stack: 25 production web services are about 330 resources, well inside CloudFormation's 500. */
const PER_STACK = 25;
const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

function main(): void {
  const loadStart = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cdk: typeof import('aws-cdk-lib') = require('aws-cdk-lib');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const patterns: typeof import('aws-cdk-lib/aws-ecs-patterns') = require('aws-cdk-lib/aws-ecs-patterns');
  // The compiled library, as users get it from npm.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const shipyard: typeof import('../src') = require('../lib');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const changedDefaults: typeof import('../src/guardrails/changed-defaults') = require('../lib/guardrails/changed-defaults');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cxapi: typeof import('aws-cdk-lib/cx-api') = require('aws-cdk-lib/cx-api');
  const loadMs = performance.now() - loadStart;
  const flags = process.env.BENCH_FLAGS ?? 'recommended';
  if (flags !== 'recommended' && flags !== 'none') throw new Error(`BENCH_FLAGS is ${flags}; use recommended or none`);
  // What `cdk synth` and `cdk deploy` give every app by default (aws-cdk CLI 2.1148, toolkit-lib's
  // contextFromSettings): construct paths and asset metadata on each resource, a CDKMetadata
  // resource per stack. The templates measured are the ones users' CLI writes.
  const cliContext = {
    [cxapi.PATH_METADATA_ENABLE_CONTEXT]: true,
    [cxapi.ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true,
    [cxapi.ANALYTICS_REPORTING_ENABLED_CONTEXT]: true,
    [cxapi.BUNDLING_STACKS]: ['**'],
    [cxapi.FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false,
  };
  const flagContext = flags === 'recommended' ? { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS, ...changedDefaults.newDefaultsContext() } : {};
  const context = { ...cliContext, ...flagContext };

  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-bench-'));
  const start = performance.now();
  const app = new cdk.App({ outdir, context });
  const stack = new cdk.Stack(app, 'Bench');
  const serviceStacks: InstanceType<typeof cdk.Stack>[] = [];
  const stackFor = (i: number) => count <= PER_STACK ? stack
    : serviceStacks[Math.floor(i / PER_STACK)] ??= new cdk.Stack(app, `Bench${Math.floor(i / PER_STACK) + 1}`);
  if (variant.startsWith('shipyard')) {
    const bare = variant === 'shipyard-no-alarms';
    const certificate = cdk.aws_certificatemanager.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN);
    const environment = new shipyard.Environment(stack, 'Env', {
      profile: variant === 'shipyard-dev' ? shipyard.EnvironmentProfile.DEVELOPMENT : undefined,
      ...variant === 'shipyard-gateway' ? { gateway: {} } : { ingress: { certificate } },
    });
    for (let i = 0; i < count; i++) {
      new shipyard.WebService(stackFor(i), `Service${i}`, {
        environment,
        // The image is multi-architecture; saying so is what the library's warning asks users to do.
        image: shipyard.Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27', {
          architectures: [cdk.aws_ecs.CpuArchitecture.ARM64, cdk.aws_ecs.CpuArchitecture.X86_64],
        }),
        cpu: 512,
        memoryLimitMiB: 1024,
        desiredCount: variant === 'shipyard-dev' ? undefined : 2,
        routing: variant === 'shipyard-gateway' ? undefined : { pathPatterns: [`/service${i}/*`] },
        alarms: bare ? { disabled: Object.values(shipyard.ServiceAlarm) } : undefined,
        deployment: bare ? shipyard.Deployment.rolling({ rollbackOnAlarm: false }) : undefined,
      });
    }
  } else if (variant === 'ecs-patterns' || variant === 'ecs-patterns-alarmed') {
    const vpc = new cdk.aws_ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    // The alarmed variant reads Container Insights' task counts, as cdk-shipyard's alarms do.
    const containerInsightsV2 = variant === 'ecs-patterns-alarmed' ? cdk.aws_ecs.ContainerInsights.ENABLED : undefined;
    const cluster = new cdk.aws_ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2 });
    for (let i = 0; i < count; i++) {
      const service = new patterns.ApplicationLoadBalancedFargateService(stackFor(i), `Service${i}`, {
        cluster,
        cpu: 512,
        memoryLimitMiB: 1024,
        desiredCount: 2,
        circuitBreaker: { rollback: true },
        taskImageOptions: { image: cdk.aws_ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27'), containerPort: 8080 },
      });
      if (variant === 'ecs-patterns-alarmed') alarmLikeShipyard(cdk, service);
    }
  } else {
    throw new Error(`unknown variant ${variant}; use shipyard or ecs-patterns`);
  }
  // The two phases apart: building the constructs, and app.synth() (aspects, references,
  // validation, templates, tree.json).
  const constructMs = performance.now() - start;
  const assembly = app.synth();
  const synthMs = performance.now() - start;

  let resources = 0;
  let templateBytes = 0;
  for (const artifact of assembly.stacks) {
    resources += Object.keys(artifact.template.Resources ?? {}).length;
    templateBytes += fs.statSync(artifact.templateFullPath).size;
  }
  const deploy = modelDeploy(assembly.getStackByName(count <= PER_STACK ? 'Bench' : 'Bench1').template);
  // The report's fixed monthly cost at us-east-1 list prices (the stacks have no env), every stack together.
  const monthlyUsd = reportOf(readAssembly(outdir), 'us-east-1').reduce((sum, s) => sum + (s.cost.total ?? 0), 0);
  if (!process.env.BENCH_KEEP) fs.rmSync(outdir, { recursive: true, force: true });
  else console.error(`kept ${outdir}`);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ variant, count, loadMs, synthMs, constructMs, peakRssMiB, resources, templateBytes, monthlyUsd, deploy }));
}

/**
 * What an aws-ecs-patterns user writes to watch a service as cdk-shipyard's production defaults
 * do, with the CDK's own L2 constructs: the same two alarms (the same metrics, expressions and
 * windows; ADR 15), the EventBridge rule that counts unexpected task stops, and alarm rollback.
 * The `ecs-patterns-alarmed` variant compares like with like: the same watching, written by hand.
 */
function alarmLikeShipyard(cdk: typeof import('aws-cdk-lib'), service: import('aws-cdk-lib/aws-ecs-patterns').ApplicationLoadBalancedFargateService): void {
  const cw = cdk.aws_cloudwatch;
  const minute = cdk.Duration.minutes(1);
  const fiveMinutes = cdk.Duration.minutes(5);
  const tg = service.targetGroup.metrics;
  const failing = new cw.Alarm(service, 'Failing', {
    metric: new cw.MathExpression({
      expression: 'MAX([IF((FILL(e0, 0)) >= 3, 100 * (FILL(e0, 0)) / (FILL(r0, 0)), 0) * 100 / 5, 100 * (FILL(u0, 0))])',
      usingMetrics: {
        e0: tg.httpCodeTarget(cdk.aws_elasticloadbalancingv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: minute }),
        r0: tg.requestCount({ period: minute }),
        u0: tg.unhealthyHostCount({ period: minute, statistic: 'Maximum' }),
      },
      period: minute,
    }),
    threshold: 100,
    evaluationPeriods: 1,
    comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
  service.service.enableDeploymentAlarms([failing.alarmName], { behavior: cdk.aws_ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
  const stops = new cdk.aws_events.Rule(service, 'UnexpectedStops', {
    eventPattern: {
      source: ['aws.ecs'],
      detailType: ['ECS Task State Change'],
      detail: {
        clusterArn: [service.cluster.clusterArn],
        lastStatus: ['STOPPED'],
        stopCode: ['EssentialContainerExited', 'TaskFailedToStart', 'InfrastructureHealth', 'TerminationNotice'],
        group: [`service:${service.service.serviceName}`],
      },
    },
  });
  const insights = (metricName: string) => new cw.Metric({
    namespace: 'ECS/ContainerInsights',
    metricName,
    statistic: 'Average',
    period: fiveMinutes,
    dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.service.serviceName },
  });
  new cw.Alarm(service, 'Degraded', {
    metric: new cw.MathExpression({
      expression: 'MAX([100 * l0 / 2, 100 * (desired - running), 100 * cpu / 90, 100 * memory / 90, 100 * stops / 3])',
      usingMetrics: {
        l0: tg.targetResponseTime({ period: fiveMinutes, statistic: 'p99' }),
        desired: insights('DesiredTaskCount'),
        running: insights('RunningTaskCount'),
        cpu: service.service.metricCpuUtilization({ period: fiveMinutes }),
        memory: service.service.metricMemoryUtilization({ period: fiveMinutes }),
        stops: new cw.Metric({ namespace: 'AWS/Events', metricName: 'MatchedEvents', statistic: 'Sum', period: fiveMinutes, dimensionsMap: { RuleName: stops.ruleName } }),
      },
      period: fiveMinutes,
    }),
    threshold: 100,
    evaluationPeriods: 1,
    comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cw.TreatMissingData.NOT_BREACHING,
  });
}

main();
