import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { nativeBlueGreen } from './apps';
import { assertServicesRunning } from './assertions';

const app = new App();
const scenario = nativeBlueGreen(app);
const test = new IntegTest(app, 'BlueGreen', {
  testCases: [scenario.stack],
  cdkCommandOptions: { destroy: { args: { force: true } } },
});
assertServicesRunning(test, scenario);
app.synth();
