import { runScenario } from './assertions';
import { fargateSpotMix } from './capacity-apps';

runScenario('FargateSpot', fargateSpotMix);
