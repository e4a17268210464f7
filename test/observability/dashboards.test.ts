import { Deployment, Image, WebService } from '../../src';
import { productionEnvironment, resources, template, testStack } from '../fixtures';

function dashboardBody(resource: any): string {
  const body = resource.Properties.DashboardBody;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

describe('dashboards', () => {
  test('the environment has one dashboard of load balancer traffic and cluster capacity', () => {
    const stack = testStack();
    productionEnvironment(stack);
    const dashboards = resources(stack, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = dashboardBody(dashboards[0][1]);
    for (const metric of ['RequestCount', 'HTTPCode_ELB_5XX_Count', 'TargetResponseTime', 'TaskCount', 'CpuUtilized', 'MemoryReserved']) {
      expect(body).toContain(metric);
    }
  });

  test('each web service has a dashboard with its traffic, resources, tasks, deployments and alarms', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack, { dashboard: false });
    const web = new WebService(stack, 'Web', { environment, image: Image.fromRegistry('nginx'), dashboard: true });
    expect(web.dashboard).toBeDefined();
    const dashboards = resources(stack, 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = dashboardBody(dashboards[0][1]);
    for (const text of ['RequestCount', 'HTTPCode_Target_5XX_Count', 'p99', 'CPUUtilization', 'MemoryUtilization',
      'RunningTaskCount', 'DesiredTaskCount', 'DeploymentCount', 'WebAlarmsFailing', 'WebAlarmsDegraded']) {
      expect(body).toContain(text);
    }
  });

  test('a blue/green service graphs both target groups', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack, { dashboard: false });
    new WebService(stack, 'Web', { environment, image: Image.fromRegistry('nginx'), deployment: Deployment.blueGreen(), dashboard: true });
    const body = dashboardBody(resources(stack, 'AWS::CloudWatch::Dashboard')[0][1]);
    expect(body).toContain('RequestCount (blue)');
    expect(body).toContain('RequestCount (green)');
  });

  test('service dashboards are opt-in and the environment dashboard can be switched off', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack, { dashboard: false });
    const web = new WebService(stack, 'Web', { environment, image: Image.fromRegistry('nginx') });
    expect(web.dashboard).toBeUndefined();
    template(stack).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});
