import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import { Scenario } from './apps';

/** After deployment, every service reaches its desired count of running tasks. */
export function assertServicesRunning(test: IntegTest, scenario: Scenario): void {
  for (const web of scenario.services) {
    const desired = web.service.node.defaultChild as { desiredCount?: number };
    test.assertions.awsApiCall('ECS', 'describeServices', {
      cluster: scenario.environment.cluster.clusterName,
      services: [web.service.serviceName],
    }).expect(ExpectedResult.objectLike({
      services: [{ runningCount: desired.desiredCount }],
    })).waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });
  }
}
