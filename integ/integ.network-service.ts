import { runScenario } from './assertions';
import { networkService } from './workload-apps';

runScenario('NetworkService', networkService);
