import { runScenario } from './assertions';
import { sharedFiles } from './task-apps';

runScenario('SharedFiles', sharedFiles);
