import { awscdk, javascript, JsonFile, TextFile } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

// Versions verified together on these machines (see ../shared/TOOLING.md).
const CDK_VERSION = '2.257.0'; // newest whose assembly schema integ-runner 2.197.10 reads
const NEWEST_CDK_VERSION = '2.278.0'; // validates templates against CloudFormation rules
const CDK_NAG_V2 = '2.38.2';
const CDK_NAG_V3 = '3.0.2';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-shipyard',
  description:
    'Opinionated, production-ready golden paths for Amazon ECS: one Environment per stage and web services that are fast to deploy, cheap by default, secure and cdk-nag compliant by construction.',
  author: 'cdk-shipyard maintainers',
  authorAddress: 'maintainers@cdk-shipyard.dev',
  repositoryUrl: 'https://github.com/cdk-shipyard/cdk-shipyard.git',
  license: 'Apache-2.0',
  // Construct Hub lists packages with the awscdk keyword; aws-cdk and cdk-construct are what the ecosystem searches.
  keywords: ['awscdk', 'aws-cdk', 'cdk-construct', 'aws', 'cdk', 'ecs', 'fargate', 'golden-path', 'platform-engineering', 'cdk-nag', 'copilot', 'docker-compose'],
  defaultReleaseBranch: 'main',
  // 0.x while the API settles: a breaking change bumps the minor version, and the changelog says so.
  majorVersion: 0,
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  jsiiVersion: '~6.0.0',
  cdkVersion: CDK_VERSION,
  constructsVersion: '10.5.1',

  publishToPypi: { distName: 'cdk-shipyard', module: 'cdk_shipyard' },
  publishToMaven: {
    javaPackage: 'io.github.cdkshipyard',
    mavenGroupId: 'io.github.cdkshipyard',
    mavenArtifactId: 'cdk-shipyard',
  },
  publishToNuget: { dotNetNamespace: 'CdkShipyard', packageId: 'CdkShipyard' },
  publishToGo: { moduleName: 'github.com/cdk-shipyard/cdk-shipyard-go' },

  devDeps: [
    `cdk-nag@${CDK_NAG_V2}`,
    `cdk-nag-v3@npm:cdk-nag@${CDK_NAG_V3}`,
    `aws-cdk-lib-newest@npm:aws-cdk-lib@${NEWEST_CDK_VERSION}`,
    '@aws-cdk/integ-runner@2.197.10',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    'aws-cdk@^2.1100.0',
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    // The engine of `cdk diff`: the gate diffs the integ snapshots against the last release's.
    '@aws-cdk/cloudformation-diff@2.187.5',
    // What `cdk init app --language typescript` runs an app with (aws-cdk 2.1148: tsx, TypeScript 7):
    // the importer's check runs the app it wrote with it, as the user's `cdk synth` will.
    'tsx@^4.23.0',
  ],

  jestOptions: {
    // `test` never rewrites snapshots; `test:update` does, on purpose.
    updateSnapshot: UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // Asset hashes churn when aws-cdk-lib re-bundles its handlers; snapshots hold a placeholder.
      snapshotSerializers: ['<rootDir>/test/asset-hash-serializer.ts'],
      coverageReporters: ['text-summary', 'lcov'],
      // Jest's default is one worker fewer than the cores, which on the 2-core CI machine runs every
      // suite in the main process, one after another; the main thread only waits on its workers.
      maxWorkers: '100%',
    },
  },
  tsconfigDev: {
    include: ['../integ/**/*.ts', '../examples/**/*.ts', '../bench/**/*.ts'],
    compilerOptions: {},
  },
  gitignore: ['cdk.out/', 'integ/*.snapshot/asset.*', '.bench/', 'integ/**/cdk-integ.out.*/', '/.import-*/', '/.docs-snippets-*/'],

  eslintOptions: { dirs: ['src'], devdirs: ['test', 'integ', 'examples', 'bench', 'projenrc', '.projenrc.ts'] },
  githubOptions: { mergify: false },
  dependabot: false,

  // The importer (`cdk-shipyard import copilot|compose`) parses YAML with line numbers; jsii
  // packages its non-jsii dependencies inside the tarball.
  bundledDeps: ['yaml@^2.9.1'],
  bin: { 'cdk-shipyard': 'lib/cli/main.js' },
});

project.npmignore?.exclude('/integ/', '/examples/', '/bench/', '/.ci/', '/cdk.out/', '/docs/');

// ts-jest runs with isolatedModules (no type-check): type-check tests, integ apps, examples and bench once.
project.testTask.spawn(project.addTask('typecheck', {
  description: 'Type-check test/, integ/, examples/ and bench/',
  exec: 'tsc --noEmit -p test/tsconfig.json',
}));

const integEnv = {
  TS_NODE_TRANSPILE_ONLY: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
};
const integ = project.addTask('integ', {
  description: 'Verify the integ apps against their committed snapshots (offline, never deploys)',
  env: integEnv,
  exec: 'integ-runner --directory integ --language typescript --parallel-regions us-east-1',
  receiveArgs: true,
});
project.addTask('integ:update', {
  description: 'Rewrite the integ snapshots without deploying',
  env: integEnv,
  exec: 'integ-runner --directory integ --language typescript --parallel-regions us-east-1 --update-on-failed --dry-run',
  receiveArgs: true,
});
const newest = project.addTask('integ:newest-cdk', {
  description: `Synthesize the integ apps against aws-cdk-lib ${NEWEST_CDK_VERSION} with CloudFormation validation as errors`,
  env: integEnv,
  exec: 'ts-node --transpile-only integ/validate-newest-cdk.ts',
});
project.testTask.spawn(integ);
project.testTask.spawn(newest);
// What this change does to deployed stacks, against the last release's snapshots; fails when a
// resource holding data or a name clients use is replaced or removed without CHANGELOG.md and an ADR.
const diffRelease = project.addTask('integ:diff-release', {
  description: 'Diff the integ snapshots against the last release (cdk diff\'s engine); fail on unexplained replaced or removed stateful resources',
  exec: 'ts-node --transpile-only -P test/tsconfig.json integ/diff-release.ts',
  receiveArgs: true,
});
project.testTask.spawn(diffRelease);
// The release notes list the template changes since the last release.
project.tasks.tryFind('release')?.exec('ts-node --transpile-only -P test/tsconfig.json integ/diff-release.ts --append dist/changelog.md');

// The example app runs as a new CDK app does: from its own cdk.json (the one `cdk init` writes,
// with its feature flags), so what users copy is what they get.
const example = project.addTask('example', {
  description: 'Synthesize the example app (examples/app.ts, with examples/cdk.json) into cdk.out/',
  cwd: 'examples',
  env: {
    AWS_EC2_METADATA_DISABLED: 'true',
    JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  },
  exec: 'cdk synth --quiet --no-notices --no-version-reporting --output ../cdk.out',
});
// Its pictures, drawn by the CLI users run (`cdk-shipyard picture`): the README shows them, and
// the gate's final `git diff` fails when they no longer match the app.
example.exec('node ../lib/cli/main.js picture ../cdk.out --out ../docs/pictures/example');
// The README's main command is part of the gate, so it cannot rot.
project.testTask.spawn(example);

const bench = project.addTask('bench', {
  description: 'Benchmark synth time, peak RSS, resources and template size against aws-ecs-patterns',
  env: { AWS_EC2_METADATA_DISABLED: 'true', JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
});
bench.spawn(project.compileTask);
bench.exec('ts-node --transpile-only bench/run.ts', { receiveArgs: true });

// README examples compile: jsii-rosetta compiles every TypeScript snippet (fixture in rosetta/).
project.postCompileTask.exec('jsii-rosetta extract --strict .jsii', {
  env: { JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
});
project.gitignore.exclude('/.jsii.tabl.json', '/rosetta/*.tabl.json', '/.docs-snippets-*');

new TextFile(project, '.nvmrc', { lines: ['20'] });
// eslint's project service uses the nearest tsconfig.json: point these folders at the dev config.
for (const dir of ['integ', 'examples', 'bench']) {
  new JsonFile(project, `${dir}/tsconfig.json`, { obj: { extends: '../test/tsconfig.json' }, marker: true });
}

// Architecture pictures from the integ snapshots (docs/pictures): .dot always, .svg with Graphviz.
project.addTask('pictures', {
  description: 'Draw docs/pictures/<scenario>.dot (and .svg where Graphviz is installed) from the integ snapshots',
  exec: 'ts-node -P test/tsconfig.json --transpile-only integ/pictures.ts',
});

// A module that imports one importing it back makes load order matter (an undefined class at
// import time) and blurs which layer owns what.
project.eslint?.addRules({ 'import/no-cycle': ['error', { ignoreExternal: true }] });

// The integ snapshots and the pictures drawn from them are generated (integ:update, pictures):
// review tools fold them, so a 30-line change does not read as 10,000 lines.
project.gitattributes.addAttributes('/integ/*.snapshot/**', 'linguist-generated');
project.gitattributes.addAttributes('/docs/pictures/*', 'linguist-generated');
project.gitattributes.addAttributes('/docs/pictures/example/*', 'linguist-generated');

project.synth();
