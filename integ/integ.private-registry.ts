import { runScenario } from './assertions';
import { privateRegistry } from './task-apps';

runScenario('PrivateRegistry', privateRegistry);
