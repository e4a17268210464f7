import { runScenario } from './assertions';
import { telemetry } from './task-apps';

runScenario('Telemetry', telemetry);
