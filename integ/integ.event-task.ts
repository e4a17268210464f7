import { runScenario } from './assertions';
import { eventTask } from './workload-apps';

runScenario('EventTask', eventTask);
