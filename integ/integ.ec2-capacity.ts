import { runScenario } from './assertions';
import { ec2Capacity } from './capacity-apps';

runScenario('Ec2Capacity', ec2Capacity);
