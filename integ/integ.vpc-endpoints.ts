import { ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import { Duration } from 'aws-cdk-lib';
import { vpcEndpoints } from './apps';
import { runScenario } from './assertions';

runScenario('VpcEndpoints', vpcEndpoints, (test, scenario) => {
  // The page is served through the shared load balancer (plain HTTP in development).
  test.assertions.httpApiCall(`http://${scenario.environment.ingress.loadBalancer.loadBalancerDnsName}/`)
    .expect(ExpectedResult.objectLike({ status: 200 }))
    .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
});
