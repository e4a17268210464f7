import { sharedAlb } from './apps';
import { runScenario } from './assertions';

runScenario('SharedAlb', sharedAlb);
