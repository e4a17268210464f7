import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { sharedAlb } from './apps';
import { assertServicesRunning } from './assertions';

const app = new App();
const scenario = sharedAlb(app);
const test = new IntegTest(app, 'SharedAlb', {
  testCases: [scenario.stack],
  // Log groups and the access-log bucket are retained by design; the rest is destroyed.
  cdkCommandOptions: { destroy: { args: { force: true } } },
});
assertServicesRunning(test, scenario);
app.synth();
