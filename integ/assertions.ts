import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration } from 'aws-cdk-lib';
import { Scenario, ScenarioBuilder } from './apps';
import { newDefaultsContext } from '../src/guardrails/changed-defaults';

/**
 * After deployment, every service reaches its desired count of running tasks; a daemon
 * (no desired count) completes its deployment, that is, runs on every instance.
 */
export function assertServicesRunning(test: IntegTest, scenario: Scenario): void {
  for (const workload of scenario.services) {
    const desired = (workload.service.node.defaultChild as { desiredCount?: number }).desiredCount;
    test.assertions.awsApiCall('ECS', 'describeServices', {
      cluster: scenario.environment.cluster.clusterName,
      services: [workload.service.serviceName],
    }).expect(ExpectedResult.objectLike({
      services: [desired === undefined ? { deployments: [{ rolloutState: 'COMPLETED' }] } : { runningCount: desired }],
    })).waitForAssertions({ totalTimeout: Duration.minutes(15), interval: Duration.seconds(30) });
  }
}

/** After deployment, every schedule and rule of the scenario exists and is enabled. */
export function assertTriggersEnabled(test: IntegTest, scenario: Scenario): void {
  for (const schedule of scenario.schedules ?? []) {
    test.assertions.awsApiCall('Scheduler', 'getSchedule', { Name: schedule.ref })
      .expect(ExpectedResult.objectLike({ State: 'ENABLED' }));
  }
  for (const rule of scenario.rules ?? []) {
    test.assertions.awsApiCall('EventBridge', 'describeRule', { Name: rule.ruleName })
      .expect(ExpectedResult.objectLike({ State: 'ENABLED' }));
  }
}

/**
 * The body of every `integ.<name>.ts`: build the scenario in a fresh app, register it as an
 * integ test that deploys, asserts that its services run (plus `extra` assertions) and is
 * destroyed (log groups and the access-log bucket are retained by design), then synthesize.
 */
export function runScenario(name: string, build: ScenarioBuilder,
  extra?: (test: IntegTest, scenario: Scenario) => void): void {
  // The library's new defaults chosen, as a new app's cdk.json chooses them.
  const app = new App({ context: newDefaultsContext() });
  const scenario = build(app);
  const test = new IntegTest(app, name, {
    testCases: [scenario.stack],
    cdkCommandOptions: { destroy: { args: { force: true } } },
  });
  assertServicesRunning(test, scenario);
  assertTriggersEnabled(test, scenario);
  extra?.(test, scenario);
  app.synth();
}
