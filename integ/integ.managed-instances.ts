import { runScenario } from './assertions';
import { managedInstances } from './capacity-apps';

runScenario('ManagedInstances', managedInstances);
