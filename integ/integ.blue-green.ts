import { nativeBlueGreen } from './apps';
import { runScenario } from './assertions';

runScenario('BlueGreen', nativeBlueGreen);
