import { runScenario } from './assertions';
import { queueWorker } from './workload-apps';

runScenario('Worker', queueWorker);
