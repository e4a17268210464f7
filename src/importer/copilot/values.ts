/** Copilot's values as the library takes them: durations, log retention and drivers, deployments, task definition overrides. */
import { Code, code, commandWords, durationCode, milliseconds, pascal, quote, QUOTED_COMMAND, render, retentionMember, RETENTION_EXPECTED } from '../code';
import { Mapper, Workload } from './mapper';
import type { FireLensOptions, RollingDeploymentOptions } from '../../index';
import { PropsModel } from '../model';
import { FieldFate, show } from '../source';

/** A Copilot duration field (`30s`, `1m30s`, `2h`, `500ms`, `1.5h`) in milliseconds, marked mapped. */
export function durationMs(m: Mapper, rest: Array<string | number>): number | undefined {
  const text = m.file.text(m.p(...rest));
  if (text === undefined) return undefined;
  const ms = milliseconds(text);
  if (ms === undefined) throw m.file.error(m.p(...rest), `expected a duration such as 30s, 5m or 1h for ${show(m.p(...rest))}, got ${JSON.stringify(text)}`);
  m.done(FieldFate.MAPPED, ...rest);
  return ms;
}

/** A Copilot duration field as a `Duration` expression. */
export function duration(m: Mapper, rest: Array<string | number>): Code | undefined {
  const ms = durationMs(m, rest);
  return ms === undefined ? undefined : durationCode(ms);
}

export function durationText(m: Mapper, text: string): string {
  const ms = milliseconds(text);
  if (ms === undefined) throw m.file.error(m.p('on', 'schedule'), `expected a duration such as 30m in @every, got ${JSON.stringify(text)}`);
  if (ms % 60000 !== 0) throw m.file.error(m.p('on', 'schedule'), `@every ${text} is not a whole number of minutes, which Scheduler needs`);
  return durationCode(ms).text;
}

/** A string command as the list ECS takes: split on spaces (quoted arguments need a person). */
export function words(m: Mapper, rest: string[]): string[] | undefined {
  const list = m.file.strings(m.p(...rest));
  if (!list) return undefined;
  const { words: split, quoted } = commandWords(m.file.kind(m.p(...rest)) === 'list', list);
  if (quoted) m.todo(rest, QUOTED_COMMAND);
  else m.done(FieldFate.MAPPED, ...rest);
  return split;
}

/** Log retention in days as the RetentionDays member CloudWatch accepts. */
export function retentionDays(m: Mapper, rest: Array<string | number>): Code | undefined {
  const days = m.file.int(m.p(...rest));
  if (days === undefined) return undefined;
  const member = retentionMember(days);
  if (!member) m.file.fail(m.p(...rest), `expected ${RETENTION_EXPECTED}, got ${days}`);
  m.done(FieldFate.MAPPED, ...rest);
  return code(`logs.RetentionDays.${member}`);
}

/** Copilot's `logging`: retention of the awslogs group, or a FireLens router with an output. */
export function logging(m: Mapper): Code {
  const f = m.file;
  const retention = retentionDays(m, ['logging', 'retention']);
  const fireLens = ['image', 'destination', 'enableMetadata', 'secretOptions', 'configFilePath', 'env_file'].some(k => f.has(m.p('logging', k)));
  if (!fireLens) return code(`Logging.awsLogs({ retention: ${retention!.text} })`);
  if (retention) m.todo(['logging', 'retention'], 'with FireLens, the retention applies to the router\'s own log group only');
  const options: PropsModel<FireLensOptions> = {};
  if (f.has(m.p('logging', 'destination'))) {
    const destination = Object.fromEntries(f.keys(m.p('logging', 'destination')).map(k => [k, f.text(m.p('logging', 'destination', k))!]));
    options.destination = code(`LogDestination.fluentBitOutput(${render(destination, '    ')})`);
    m.todo(['logging', 'destination'], 'grant the task role what the output writes to (the second argument of fluentBitOutput)');
  }
  const routerImage = f.str(m.p('logging', 'image'));
  if (routerImage !== undefined) {
    options.routerImage = code(`ecs.ContainerImage.fromRegistry(${quote(routerImage)})`);
    m.done(FieldFate.MAPPED, 'logging', 'image');
  }
  options.enableMetadata = f.bool(m.p('logging', 'enableMetadata'));
  if (options.enableMetadata !== undefined) m.done(FieldFate.MAPPED, 'logging', 'enableMetadata');
  const configFile = f.str(m.p('logging', 'configFilePath'));
  if (configFile !== undefined) {
    options.configFile = code(`FireLensConfigFile.fromImage(${quote(configFile)})`);
    m.done(FieldFate.MAPPED, 'logging', 'configFilePath');
  }
  if (!options.destination && !options.configFile) {
    m.todo(['logging'], 'FireLens needs an output: give destination (LogDestination) or configFile');
    options.destination = code('LogDestination.cloudWatchLogs()');
  }
  return code(`Logging.fireLens(${render(options, '    ')})`);
}

/** Copilot's `deployment`: recreate or rolling, and the alarms that roll a deployment back. */
export function deployment(m: Mapper, w: Workload): Code | undefined {
  const f = m.file;
  const options: PropsModel<RollingDeploymentOptions> = {};
  const rolling = f.str(m.p('deployment', 'rolling'));
  if (rolling === 'recreate') {
    // Copilot's recreate: stop every old task before starting new ones.
    Object.assign(options, { minHealthyPercent: 0, maxHealthyPercent: 100 });
  } else if (rolling === 'default') {
    // Copilot's default rolling update: start the new tasks beside the old ones.
    Object.assign(options, { minHealthyPercent: 100, maxHealthyPercent: 200 });
  } else if (rolling !== undefined) {
    f.fail(m.p('deployment', 'rolling'), `expected default or recreate for deployment.rolling, got ${JSON.stringify(rolling)}`);
  }
  if (rolling !== undefined) m.done(FieldFate.MAPPED, 'deployment', 'rolling');
  const alarms = m.p('deployment', 'rollback_alarms');
  if (f.kind(alarms) === 'list' || f.kind(alarms) === 'scalar') {
    options.rollbackAlarms = f.strings(alarms)!.map(name => code(`cloudwatch.Alarm.fromAlarmName(stack, ${quote(m.id(`${pascal(w.name)}${pascal(name)}Alarm`))}, ${quote(name)})`));
    m.done(FieldFate.MAPPED, 'deployment', 'rollback_alarms');
  } else if (f.kind(alarms) === 'map') {
    m.todo(['deployment', 'rollback_alarms'], 'Copilot\'s utilization alarms: the service\'s own alarms roll back already; add cloudwatch.Alarm objects on its metrics to rollbackAlarms for these thresholds');
  }
  return Object.keys(options).length > 0 ? code(`Deployment.rolling(${render(options, '    ')})`) : undefined;
}

/**
 * Copilot's `taskdef_overrides` as CloudFormation property overrides. Container indexes may
 * differ (the library adds its own sidecars), so each one needs a look.
 */
export function taskdefOverrides(m: Mapper): void {
  const f = m.file;
  const n = f.length(m.p('taskdef_overrides'));
  for (let i = 0; i < n; i++) {
    const rule = f.str(m.p('taskdef_overrides', i, 'path'));
    if (rule === undefined) throw f.error(m.p('taskdef_overrides', i), 'a taskdef_overrides entry has no path');
    const value = f.value(m.p('taskdef_overrides', i, 'value'));
    if (m.override || /\[-\]/.test(rule)) {
      m.todo(['taskdef_overrides', i], `${m.override ? 'a per-environment' : 'an appending ([-])'} override of ${rule}: apply ${JSON.stringify(value)} with addPropertyOverride by hand`);
      continue;
    }
    m.after.push(`  // From taskdef_overrides[${i}]: check the container index against the synthesized task definition.`);
    m.after.push(`  (workload.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).addPropertyOverride(${quote(rule.replace(/\[(\d+)\]/g, '.$1'))}, ${JSON.stringify(value)});`);
    m.todo(['taskdef_overrides', i], `check the container index of ${rule}: the library adds containers of its own`);
  }
}
