// Synthesizes each app given on the command line into cdk.out beside it, in this one process,
// and prints {"failures": {file: error}, "stacks": {file: {stack: resources}}} as JSON.
const fs = require('fs');
const path = require('path');
const failures = {};
const stacks = {};
for (const file of process.argv.slice(2)) {
  const out = path.join(path.dirname(file), 'cdk.out');
  process.env.CDK_OUTDIR = out;
  try {
    require(file);
    stacks[file] = Object.fromEntries(fs.readdirSync(out).filter(f => f.endsWith('.template.json'))
      .map(f => [f.replace('.template.json', ''), Object.keys(JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')).Resources || {}).length]));
  } catch (e) {
    failures[file] = String(e && e.message || e).split('\n').slice(0, 6).join('\n');
  }
}
// Each App also synthesizes on beforeExit under the CLI's variables: exit before that.
process.stdout.write(JSON.stringify({ failures, stacks }), () => process.exit(0));
