// What watches a web service: its alarms and dashboard over every target group, and what rolls
// a deployment back (ECS's alarm rollback, or CodeDeploy watching the same alarms).

import { aws_ecs as ecs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GATEWAY_ROLLBACK_ALARM } from './gateway-connector';
import { RegisteredTarget } from './target-group';
import type { WebServiceProps } from './web-service';
import { ServiceTraffic, WayIn } from './web-traffic';
import { CodeDeployWiring, wireCodeDeploy } from '../deployment/code-deploy';
import { DeploymentConfig } from '../deployment/deployment';
import { applyRolloutControls, enableRollbackAlarms } from '../deployment/rollout';
import { ServiceDashboard } from '../observability/dashboards';
import { ServiceAlarms } from '../observability/service-alarms';

/** The web service's ECS service and task definition, and how its traffic arrives. */
export interface WatchedWebService {
  readonly service: ecs.BaseService;
  readonly taskDefinition: ecs.TaskDefinition;
  readonly way: WayIn;
  readonly traffic: ServiceTraffic;
  readonly target: RegisteredTarget;
}

/**
 * The service's alarms and dashboard, and what rolls a deployment back: ECS's alarm
 * rollback, or CodeDeploy watching the same alarms.
 */
export function watchWebService(scope: Construct, props: WebServiceProps, watched: WatchedWebService, deployment: DeploymentConfig,
  rollbackAlarmMinutes: number): { alarms: ServiceAlarms; dashboard?: ServiceDashboard; codeDeploy?: CodeDeployWiring } {
  const env = props.environment;
  const { service, way, traffic } = watched;
  const additionalTargetGroups = traffic.additional.map(r => r.targetGroup);
  const targetGroups = [...traffic.targetGroup ? [traffic.targetGroup] : [], ...traffic.alternateTargetGroup ? [traffic.alternateTargetGroup] : [],
    ...additionalTargetGroups];
  const alarms = new ServiceAlarms(scope, 'Alarms', {
    ...props.alarms,
    rollbackAlarmMinutes: props.alarms?.rollbackAlarmMinutes ?? rollbackAlarmMinutes,
    service,
    clusterName: env.cluster.clusterName,
    targetGroups,
    loadBalancerFullName: traffic.loadBalancerFullName,
    topic: env.alarmTopic,
  });
  const dashboard = (props.dashboard ?? false) ? new ServiceDashboard(scope, 'Dashboard', {
    service,
    clusterName: env.cluster.clusterName,
    targetGroups,
    // On a gateway there is no target group of the library's, so no graph reads the name.
    loadBalancerFullName: traffic.loadBalancerFullName ?? '',
    alarms: alarms.alarms,
    targetGroupLabels: additionalTargetGroups.length > 0 ? targetGroups.map((_, i) => `route ${i + 1}`) : undefined,
  }) : undefined;
  applyRolloutControls(service, deployment);
  enableRollbackAlarms(scope, service, deployment, alarms.rollbackAlarmNames, way.gateway ? GATEWAY_ROLLBACK_ALARM : {
    problem: 'the deployment rolls back on alarm, but the 5xx-rate and unhealthy-target alarms are both disabled',
    fix: 'keep one of them (alarms.disabled), or set rollbackOnAlarm: false in the deployment',
  });
  const codeDeploy = deployment.codeDeploy ? wireCodeDeploy(scope, {
    ingress: way.ingress!,
    sharedIngress: way.shared,
    service,
    blue: traffic.targetGroup!,
    green: traffic.alternateTargetGroup!,
    deployment,
    containerName: watched.target.containerName,
    containerPort: watched.target.port,
    taskDefinition: watched.taskDefinition,
  }, alarms.rollbackAlarmNames) : undefined;
  return { alarms, dashboard, codeDeploy };
}
