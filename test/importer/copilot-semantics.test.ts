/**
 * What Copilot deployed for each manifest form (aws/copilot-cli's templates and manifest
 * package), on small workspaces: the forms real manifests use that the specification corpus
 * did not show.
 */
import * as fs from 'fs';
import * as path from 'path';
import { resourcesOf, ROOT, synth, typeErrors, writeApp } from './harness';
import { importCopilot, ImportResult } from '../../src/importer/copilot';

function importWorkspace(manifests: { [dir: string]: string }, environments = ['test']): { dir: string; result: ImportResult } {
  const dir = fs.mkdtempSync(path.join(ROOT, '.import-sem-'));
  fs.mkdirSync(path.join(dir, 'copilot'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'copilot', '.workspace'), 'application: demo\n');
  for (const env of environments) {
    fs.mkdirSync(path.join(dir, 'copilot', 'environments', env), { recursive: true });
    fs.writeFileSync(path.join(dir, 'copilot', 'environments', env, 'manifest.yml'), `name: ${env}\ntype: Environment\n`);
  }
  for (const [name, text] of Object.entries(manifests)) {
    fs.mkdirSync(path.join(dir, 'copilot', name));
    fs.writeFileSync(path.join(dir, 'copilot', name, 'manifest.yml'), text);
  }
  return { dir, result: importCopilot({ workspace: dir, outDir: path.join(dir, 'out'), environment: {} }) };
}

const IMAGE = 'image:\n  location: public.ecr.aws/nginx/nginx:1.27\n  port: 8080\n';

describe('Copilot semantics', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })));
  const run = (manifests: { [dir: string]: string }, environments?: string[]) => {
    const { dir, result } = importWorkspace(manifests, environments);
    dirs.push(dir);
    return result;
  };

  test('a backend keeps its hyphenated name in Service Connect (apps call http://simple-backend)', () => {
    const app = run({ 'simple-backend': `name: simple-backend\ntype: Backend Service\n${IMAGE}` }).files['app.ts'];
    expect(app).toContain("serviceConnect: { dnsName: 'simple-backend' }");
  });

  test.each([
    ['a name', 'alias: api.example.com\n  hosted_zone: Z1', ['api.example.com'], 'Z1'],
    ['a list of names', 'alias: [a.example.com, b.example.com]\n  hosted_zone: Z1', ['a.example.com', 'b.example.com'], 'Z1'],
    ['a list of {name, hosted_zone}', 'alias:\n    - name: api.example.com\n      hosted_zone: Z2', ['api.example.com'], 'Z2'],
    ['a {name, hosted_zone} map', 'alias:\n    name: example.com\n    hosted_zone: Z3', ['example.com'], 'Z3'],
  ])('http.alias as %s routes the names and records them in the zone', (_form, alias, names, zone) => {
    const app = run({ web: `name: web\ntype: Load Balanced Web Service\n${IMAGE}http:\n  path: /\n  ${alias}\n` }).files['app.ts'];
    expect(app).toContain(`aliases: [${names.map(n => `'${n}'`).join(', ')}]`);
    expect(app).toContain(`hostedZoneId: '${zone}'`);
  });

  test('http: false with nlb is a NetworkService, with no rule on the shared load balancer', () => {
    const app = run({ tcp: `name: tcp\ntype: Load Balanced Web Service\n${IMAGE}http: false\nnlb:\n  port: 8080/tcp\n` }).files['app.ts'];
    expect(app).toContain("new NetworkService(stack, 'Tcp'");
    expect(app).not.toContain('new WebService');
  });

  test('storage.volumes give COPILOT_MOUNT_POINTS, a JSON map of volume to path', () => {
    const app = run({ api: `name: api\ntype: Backend Service\n${IMAGE}storage:\n  volumes:\n    cache:\n      path: /var/cache\n      efs: true\n` }).files['app.ts'];
    expect(app).toContain('addEnvironment(\'COPILOT_MOUNT_POINTS\', \'{"cache":"/var/cache"}\')');
  });

  test('an override for an environment the workspace lacks is ignored with a warning; ${VAR} is read when the app synthesizes', () => {
    const result = run({
      web: `name: web\ntype: Load Balanced Web Service\n${IMAGE}http:\n  path: /\nvariables:\n  REGION: \${AWS_REGION}\n  APP: \${COPILOT_APPLICATION_NAME}-\${COPILOT_ENVIRONMENT_NAME}\nenvironments:\n  production:\n    count: 3\n`,
    });
    expect(result.report.warnings).toEqual([expect.stringMatching(/copilot\/web\/manifest\.yml:\d+: environments\.production names no environment of the workspace \(test\): ignored/)]);
    const app = result.files['app.ts'];
    expect(app).toContain("REGION: (variable('AWS_REGION'))");
    expect(app).toContain("APP: ('demo-' + stage)");
    expect(app).toMatch(/^\/\/ {3}AWS_REGION \(required\): not set at import$/m);
  });

  test.each([
    ['spot_from 3 with min 2: two on-demand tasks, the rest on Spot', 3, 'Capacity.fargateSpotMix({ onDemandBase: 2 })'],
    ['spot_from 1 with min 2: every task on Spot, as Copilot did', 1, 'Capacity.fargateSpot()'],
  ])('count.range.spot_from: %s', (_name, spotFrom, capacity) => {
    const app = run({ api: `name: api\ntype: Backend Service\n${IMAGE}count:\n  range:\n    min: 2\n    max: 6\n    spot_from: ${spotFrom}\n  cpu_percentage: 70\n` }).files['app.ts'];
    expect(app).toContain(`capacity: ${capacity}`);
  });

  test('image.healthcheck: what it leaves out is Copilot\'s default (curl, 10 s, 2 retries, 5 s), and what ECS refuses is moved into its limits', () => {
    const app = run({ api: `name: api\ntype: Backend Service\n${IMAGE}  healthcheck:\n    interval: 2s\n    retries: 12\n` }).files['app.ts'];
    expect(app).toContain("command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1']");
    expect(app).toContain('interval: Duration.seconds(5)');
    expect(app).toContain('timeout: Duration.seconds(4)');
    expect(app).toContain('retries: 10');
    expect(app).toContain('startPeriod: Duration.seconds(0)');
    expect(app).toMatch(/TODO\(copilot\): image\.healthcheck \(line \d+\): no command: Copilot checked with curl/);
    expect(app).toMatch(/TODO\(copilot\): image\.healthcheck\.interval \(line \d+\): 2 s is outside what ECS takes \(5-300 s\): 5 s instead/);
  });

  test('count.range 5-1 leaves the workload out with its line, as Copilot rejects it', () => {
    const result = run({ api: `name: api\ntype: Backend Service\n${IMAGE}count:\n  range: 5-1\n  cpu_percentage: 70\n`, web: `name: web\ntype: Backend Service\n${IMAGE}` });
    expect(result.report.skipped).toEqual([expect.objectContaining({ name: 'api', reason: expect.stringMatching(/manifest\.yml:7: the range 5-1 has its minimum above its maximum/) })]);
  });

  test('an environment\'s count override is merged into the manifest\'s, map by map, as Copilot merges it', () => {
    const result = run({
      web: `name: web\ntype: Load Balanced Web Service\n${IMAGE}http:\n  path: /\ncount:\n  range: 1-4\n  cpu_percentage: 70\n  response_time: 2s\n`
        + 'environments:\n  test:\n    count: 2\n  prod:\n    count:\n      range: 2-10\n      cooldown:\n        in: 30s\n        out: 10s\n      response_time: 1s\n',
    }, ['test', 'prod']);
    const app = result.files['app.ts'];
    // prod keeps the manifest's CPU target, with its own range, response time and cooldowns.
    expect(app).toMatch(/prod: \{\n\s+scaling: \{\n\s+minCapacity: 2,\n\s+maxCapacity: 10,\n\s+targets: \[\n\s+Scaling\.cpu\(70, \{ scaleInCooldown: Duration\.seconds\(30\), scaleOutCooldown: Duration\.seconds\(10\) \}\),\n\s+Scaling\.responseTime\(Duration\.seconds\(1\)/);
    // test's number replaces the map: a fixed count, and no scaling left over from the manifest.
    expect(app).toMatch(/test: \{ desiredCount: 2 \}/);
  });

  test('count.spot with a range (an override merged with the manifest) leaves the workload out, as Copilot rejects it', () => {
    const result = run({
      web: `name: web\ntype: Backend Service\n${IMAGE}count:\n  range: 1-4\n  cpu_percentage: 70\nenvironments:\n  test:\n    count:\n      spot: 2\n`,
      api: `name: api\ntype: Backend Service\n${IMAGE}`,
    });
    expect(result.report.skipped).toEqual([expect.objectContaining({ name: 'web', reason: expect.stringMatching(/has both spot and range .*Copilot rejects it too/) })]);
  });

  test('a managed EFS volume is the directory /<service>, owned by the CRC-32 of the name, as Copilot made it', () => {
    const app = run({ api: `name: api\ntype: Backend Service\n${IMAGE}storage:\n  volumes:\n    data:\n      path: /data\n      efs: true\n` }).files['app.ts'];
    // crc32('api') = 2902841359 (Go's crc32.ChecksumIEEE, as Copilot's getRandomUIDGID).
    expect(app).toMatch(/accessPoint: \{ path: '\/api', uid: 2902841359, gid: 2902841359 \}/);
  });

  test('a manifest alias in two environments gets one record, in the production one; the other routes it as a host; the app synthesizes', () => {
    const { dir, result } = importWorkspace({
      web: `name: web\ntype: Load Balanced Web Service\n${IMAGE}http:\n  path: /\n  alias: shop.example.com\n  hosted_zone: Z1\n`,
    }, ['staging', 'prod']);
    dirs.push(dir);
    expect(result.files['app.ts']).toMatch(/TODO\(copilot\): http\.alias \(line \d+\): Copilot gave these names to every environment; .*point at prod's load balancer and staging route the names as host headers only/);
    fs.mkdirSync(path.join(dir, 'out'));
    const appFile = writeApp(result, path.join(dir, 'out'));
    expect(typeErrors(appFile)).toEqual([]);
    const stacks = synth(appFile, path.join(dir, 'out'), { AWS_REGION: 'eu-west-1' });
    const records = (stack: string) => resourcesOf(stacks[stack], 'AWS::Route53::RecordSet').map(([, r]) => r.Properties.Name);
    expect(records('Demo-prod-Web')).toEqual(['shop.example.com.']);
    expect(records('Demo-staging-Web')).toEqual([]);
    const hosts = (stack: string) => resourcesOf(stacks[stack], 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => JSON.stringify(r.Properties.Conditions));
    expect(hosts('Demo-staging-Web')).toEqual([expect.stringContaining('"host-header","HostHeaderConfig":{"Values":["shop.example.com"]')]);
  });

  test('two web services at /: the first keeps it, the other answers under its name; the app synthesizes', () => {
    const { dir, result } = importWorkspace({
      api: `name: api\ntype: Load Balanced Web Service\n${IMAGE}http:\n  path: /\n`,
      web: `name: web\ntype: Load Balanced Web Service\n${IMAGE}http:\n  path: '/'\n`,
    });
    dirs.push(dir);
    expect(result.files['app.ts']).toMatch(/TODO\(copilot\): http\.path \(line \d+\): api also answers at \/ of the shared load balancer .*web answers under \/web/);
    fs.mkdirSync(path.join(dir, 'out'));
    const appFile = writeApp(result, path.join(dir, 'out'));
    expect(typeErrors(appFile)).toEqual([]);
    const stacks = synth(appFile, path.join(dir, 'out'), { AWS_REGION: 'eu-west-1' });
    expect(Object.keys(stacks).sort()).toEqual(['Demo-test', 'Demo-test-Api', 'Demo-test-Web']);
    const rules = resourcesOf(stacks['Demo-test-Web'], 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => JSON.stringify(r.Properties.Conditions));
    expect(rules).toEqual([expect.stringContaining('"/web/*"')]);
    const env = resourcesOf(stacks['Demo-test-Web'], 'AWS::ECS::TaskDefinition')[0][1].Properties.ContainerDefinitions[0].Environment;
    expect(env).toEqual(expect.arrayContaining([
      { Name: 'COPILOT_APPLICATION_NAME', Value: 'demo' }, { Name: 'COPILOT_ENVIRONMENT_NAME', Value: 'test' }, { Name: 'COPILOT_SERVICE_NAME', Value: 'web' },
      { Name: 'COPILOT_LB_DNS', Value: expect.anything() },
    ]));
  });
});
