/** What Compose did with each form, on small files: one behaviour a test, checked on the app written. */
import { importComposeText } from './harness';

const run = importComposeText;

describe('Compose semantics', () => {
  test('a service named in another\'s variables is reachable by that name, on its image\'s port', () => {
    const app = run('services:\n  api:\n    image: app:1\n    ports: ["80:8080"]\n    environment:\n      DATABASE_URL: postgres://u:p@db:5432/app\n  db:\n    image: postgres:16\n').files['app.ts'];
    expect(app).toMatch(/function db\(.*\): BackendService/);
    expect(app).toContain('containerPort: 5432');
    expect(app).toContain('apiService.connectTo(dbService);');
    expect(app).toMatch(/TODO\(compose\): services\.db .*the file gives no port; api calls it on the port PostgreSQL listens on, 5432/);
  });

  test('a port on the host\'s loopback stays private', () => {
    const app = run('services:\n  cache:\n    image: redis:7\n    ports: ["127.0.0.1:6379:6379"]\n').files['app.ts'];
    expect(app).toMatch(/function cache\(.*\): BackendService/);
    expect(app).not.toContain('NetworkService');
  });

  test('a service waited on to complete is a StandaloneTask, with no count or deployment', () => {
    const app = run('services:\n  migrate:\n    image: app:1\n    command: ["migrate"]\n  web:\n    image: app:1\n    ports: ["80:80"]\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n').files['app.ts'];
    expect(app).toMatch(/function migrate\(.*\): StandaloneTask/);
    expect(app).not.toContain('webService.connectTo(migrateService)');
  });

  test('health check values ECS refuses are moved into its limits, each with a TODO', () => {
    const app = run('services:\n  a:\n    image: a:1\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: 2s\n      timeout: 90s\n      retries: 20\n      start_period: 10m\n').files['app.ts'];
    expect(app).toContain('interval: Duration.seconds(5)');
    expect(app).toContain('timeout: Duration.seconds(4)');
    expect(app).toContain('retries: 10');
    expect(app).toContain('startPeriod: Duration.seconds(300)');
    expect(app).toMatch(/healthcheck\.timeout .*90 s is outside what ECS takes \(2-60 s\): 60 s instead/);
    expect(app).toMatch(/healthcheck\.timeout .*a timeout of 60 s does not end before the next check \(every 5 s\): 4 s instead/);
  });

  test('AWS credentials in plain text are left out with a TODO; a missing env_file too', () => {
    const result = run('services:\n  a:\n    image: a:1\n    env_file: .env.production\n    environment:\n      AWS_ACCESS_KEY_ID: AKIA0000\n      REGION: eu-west-1\n');
    const app = result.files['app.ts'];
    expect(app).not.toContain('AKIA0000');
    expect(app).toContain("REGION: 'eu-west-1'");
    expect(app).toMatch(/TODO\(compose\): services\.a\.environment .*AWS_ACCESS_KEY_ID is an AWS credential/);
    expect(app).toMatch(/TODO\(compose\): services\.a\.env_file .*\.env\.production did not exist at import/);
    expect(app).not.toContain('environmentFiles: [');
  });

  test('an unset tag variable pulls the latest image, with a TODO; an empty image leaves the service out', () => {
    const result = run('services:\n  a:\n    image: app:${TAG}\n  b:\n    image: ${IMAGE}\n');
    expect(result.files['app.ts']).toContain("Image.fromRegistry('app')");
    expect(result.files['app.ts']).toMatch(/TODO\(compose\): services\.a\.image .*the tag is empty \(it reads app:\$\{TAG\}/);
    expect(result.report.skipped).toEqual([expect.objectContaining({ name: 'b', reason: expect.stringMatching(/image is empty \(it reads \$\{IMAGE\}/) })]);
  });

  test('a service whose name is a word of the app (app, stack, default) gets a function name of its own', () => {
    const app = run('services:\n  app:\n    image: a:1\n  default:\n    image: b:1\n').files['app.ts'];
    expect(app).toContain('function appWorkload(');
    expect(app).toContain('function defaultWorkload(');
  });

  test('cap_add: SYS_PTRACE is added, a default Docker keeps needs nothing, the rest is a TODO for EC2 (Fargate adds SYS_PTRACE only)', () => {
    const app = run('services:\n  a:\n    image: a:1\n    cap_add: [CAP_SYS_PTRACE, NET_BIND_SERVICE, NET_ADMIN]\n'
      + '  b:\n    image: b:1\n    cap_drop: [ALL]\n    cap_add: [CHOWN]\n').files['app.ts'];
    expect(app).toContain('addCapabilities: [ecs.Capability.SYS_PTRACE]');
    expect(app).not.toMatch(/NET_BIND_SERVICE|Capability\.NET_ADMIN|Capability\.CHOWN/);
    expect(app).toMatch(/TODO\(compose\): services\.a\.cap_add .*on EC2 capacity, add NET_ADMIN with linuxSettings\.addCapabilities/);
    expect(app).toMatch(/TODO\(compose\): services\.b\.cap_add .*add CHOWN with linuxSettings\.addCapabilities/);
    expect(app).toContain('dropCapabilities: [ecs.Capability.ALL]');
  });

  test('a volume at /tmp takes the place of the baseline\'s scratch /tmp', () => {
    const app = run('services:\n  a:\n    image: a:1\n    volumes: ["tmp:/tmp"]\nvolumes:\n  tmp:\n').files['app.ts'];
    expect(app).toContain('writablePaths: []');
  });

  test('more than 18 services: a stack for the environment and one for each service', () => {
    const services = Array.from({ length: 19 }, (_, i) => `  s${i}:\n    image: a:1\n`).join('');
    const app = run(`name: big\nservices:\n${services}`).files['app.ts'];
    expect(app).toContain("const s0Service = s0(new Stack(app, 'Big-S0'), environment, fileSystems);");
  });
});
