import { runScenario } from './assertions';
import { serviceConnect } from './workload-apps';

runScenario('ServiceConnect', serviceConnect);
