import { ecsGateway } from './apps';
import { runScenario } from './assertions';

runScenario('EcsGateway', ecsGateway);
