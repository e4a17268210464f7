import { runScenario } from './assertions';
import { scheduledJobs } from './workload-apps';

runScenario('ScheduledJob', scheduledJobs);
