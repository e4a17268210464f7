/**
 * A deploy never resets a scaled-out service: with scaling the template leaves DesiredCount
 * out, for every workload that scales and every deployment strategy; without scaling it keeps it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack, aws_certificatemanager as acm, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import {
  BackendService, Deployment, Environment, EnvironmentProfile, Image, NetworkService, Scaling, SharedIngress, TestTraffic, WebService, WorkerService,
} from '../../src';
import { CERTIFICATE_ARN, productionEnvironment, resources, testStack } from '../fixtures';

const IMAGE = Image.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:1.27');
const SCALING = { minCapacity: 2, maxCapacity: 6 };

function services(stack: Stack): Record<string, any> {
  return Object.fromEntries(resources(stack, 'AWS::ECS::Service').map(([id, r]) => [id.replace(/Service[0-9A-F]{8}$/, ''), r.Properties]));
}

describe('desired count under scaling', () => {
  test('every scaling workload leaves DesiredCount to its scalable target, with every deployment strategy', () => {
    const stack = testStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
    const environment = productionEnvironment(stack, { ingress: { certificate, testListener: { port: 8443 } } });
    new WebService(stack, 'Rolling', { environment, image: IMAGE, routing: { pathPatterns: ['/r/*'] }, scaling: { ...SCALING, targets: [Scaling.cpu(60)] } });
    new WebService(stack, 'BlueGreen', {
      environment, image: IMAGE, routing: { pathPatterns: ['/b/*'] }, scaling: SCALING, deployment: Deployment.blueGreen({ testTraffic: TestTraffic.header() }),
    });
    new WebService(stack, 'Canary', { environment, image: IMAGE, routing: { pathPatterns: ['/c/*'] }, scaling: SCALING, deployment: Deployment.canary() });
    new WebService(stack, 'Linear', { environment, image: IMAGE, routing: { pathPatterns: ['/l/*'] }, scaling: SCALING, deployment: Deployment.linear() });
    const ingress = new SharedIngress(stack, 'Own', { vpc: environment.vpc, production: false, protocol: elbv2.ApplicationProtocol.HTTP, testListener: { port: 8443 } });
    new WebService(stack, 'CodeDeploy', { environment, ingress, image: IMAGE, scaling: SCALING, deployment: Deployment.codeDeploy() });
    new BackendService(stack, 'Backend', { environment, image: IMAGE, scaling: SCALING });
    new WorkerService(stack, 'Worker', { environment, image: IMAGE, scaling: SCALING });
    new WorkerService(stack, 'ToZero', { environment, image: IMAGE, scaling: { minCapacity: 0, maxCapacity: 3 } });
    new NetworkService(stack, 'Tcp', { environment, image: IMAGE, scaling: SCALING });
    new NetworkService(stack, 'TcpBlueGreen', {
      environment,
      image: IMAGE,
      scaling: SCALING,
      deployment: Deployment.blueGreen({ testTraffic: TestTraffic.testListener() }),
      testListenerPort: 9090,
    });

    const byName = services(stack);
    expect(Object.keys(byName).sort()).toEqual(['Backend', 'BlueGreen', 'Canary', 'CodeDeploy', 'Linear', 'Rolling', 'Tcp', 'TcpBlueGreen', 'ToZero', 'Worker']);
    for (const [name, service] of Object.entries(byName)) expect([name, service.DesiredCount]).toEqual([name, undefined]);
    const targets = resources(stack, 'AWS::ApplicationAutoScaling::ScalableTarget').map(([, r]) => r.Properties.MinCapacity).sort();
    expect(targets).toEqual([0, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
  });

  test('without scaling the template keeps the desired count (the profile\'s or the one given)', () => {
    const stack = testStack();
    const environment = productionEnvironment(stack);
    new WebService(stack, 'Web', { environment, image: IMAGE });
    new WorkerService(stack, 'Worker', { environment, image: IMAGE, desiredCount: 3 });
    const dev = new Environment(stack, 'Dev', { profile: EnvironmentProfile.DEVELOPMENT });
    new BackendService(stack, 'Backend', { environment: dev, image: IMAGE });
    const byName = services(stack);
    expect([byName.Web.DesiredCount, byName.Worker.DesiredCount, byName.Backend.DesiredCount]).toEqual([2, 3, 1]);
  });
});

test('no committed integ snapshot holds a DesiredCount for a service that scales', () => {
  const dir = path.join(__dirname, '..', '..', 'integ');
  let scaled = 0;
  for (const snapshot of fs.readdirSync(dir).filter(d => d.endsWith('.snapshot'))) {
    for (const file of fs.readdirSync(path.join(dir, snapshot)).filter(f => f.startsWith('ShipyardInteg') && f.endsWith('.template.json'))) {
      const resourcesOf = JSON.parse(fs.readFileSync(path.join(dir, snapshot, file), 'utf8')).Resources as Record<string, any>;
      for (const target of Object.values(resourcesOf).filter(r => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget')) {
        const serviceId = JSON.stringify(target.Properties.ResourceId).match(/"Fn::GetAtt":\["([A-Za-z0-9]+)","Name"\]/)?.[1];
        expect([file, serviceId, serviceId && resourcesOf[serviceId].Properties.DesiredCount]).toEqual([file, expect.any(String), undefined]);
        scaled++;
      }
    }
  }
  expect(scaled).toBeGreaterThanOrEqual(3);
});
