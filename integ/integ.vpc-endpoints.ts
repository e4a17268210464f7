import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration } from 'aws-cdk-lib';
import { vpcEndpoints } from './apps';
import { assertServicesRunning } from './assertions';

const app = new App();
const scenario = vpcEndpoints(app);
const test = new IntegTest(app, 'VpcEndpoints', {
  testCases: [scenario.stack],
  cdkCommandOptions: { destroy: { args: { force: true } } },
});
assertServicesRunning(test, scenario);
// The page is served through the shared load balancer (plain HTTP in development).
test.assertions.httpApiCall(`http://${scenario.environment.ingress.loadBalancer.loadBalancerDnsName}/`)
  .expect(ExpectedResult.objectLike({ status: 200 }))
  .waitForAssertions({ totalTimeout: Duration.minutes(10), interval: Duration.seconds(30) });
app.synth();
