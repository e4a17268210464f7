import { runScenario } from './assertions';
import { windows } from './capacity-apps';

runScenario('Windows', windows);
