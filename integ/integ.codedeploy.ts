import { codeDeployBlueGreen } from './apps';
import { runScenario } from './assertions';

runScenario('CodeDeploy', codeDeployBlueGreen);
