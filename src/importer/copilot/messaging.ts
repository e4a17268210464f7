/** Backends, workers and jobs: Service Connect names, queues, topics and their filters, schedules. */
import type { aws_sns as sns } from 'aws-cdk-lib';
import type { TopicSubscription, WorkQueueOptions } from '../../index';
import { code, pascal, quote, render } from '../code';
import { Mapper, Workload } from './mapper';
import { duration, durationText } from './values';
import { PropsModel, WorkloadPropsModel } from '../model';
import { FieldFate, YamlFile } from '../source';

export function mapBackend(m: Mapper, props: WorkloadPropsModel, w: Workload, webService = false): void {
  const f = m.file;
  // Copilot's Service Connect alias is the service's name as written (`simple-backend`); the
  // default here, the construct id in lower case, would drop the hyphen.
  const name = w.name === pascal(w.name).toLowerCase() || m.override ? {} : { dnsName: w.name };
  if (!webService && !m.override) props.serviceConnect = Object.keys(name).length > 0 ? name : undefined;
  // A web service (a backend with http) publishes a Service Connect name only when asked.
  if (webService && f.kind(m.p('network', 'connect')) === 'scalar' && f.bool(m.p('network', 'connect'))) props.serviceConnect = name;
  if (f.kind(m.p('network', 'connect')) === 'map') {
    const alias = f.str(m.p('network', 'connect', 'alias'));
    if (alias !== undefined) props.serviceConnect = { dnsName: alias };
    m.done(FieldFate.MAPPED, 'network', 'connect');
  } else if (f.has(m.p('network', 'connect'))) {
    if (f.bool(m.p('network', 'connect')) === false && !webService) m.todo(['network', 'connect'], 'a BackendService is always in Service Connect; make it a BackgroundService if nothing calls it');
    else m.done(FieldFate.MAPPED, 'network', 'connect');
  }
}

/** A Copilot queue (`subscribe.queue`, `subscribe.topics[i].queue`) as WorkQueue options. */
export function queueSettings(m: Mapper, base: Array<string | number>): PropsModel<WorkQueueOptions> {
  const f = m.file;
  const queue: PropsModel<WorkQueueOptions> = {};
  const q = (...k: string[]) => m.p(...base, ...k);
  if (f.has(q('retention'))) queue.retentionPeriod = duration(m, [...base, 'retention']);
  if (f.has(q('timeout'))) queue.visibilityTimeout = duration(m, [...base, 'timeout']);
  if (f.has(q('delay'))) queue.deliveryDelay = duration(m, [...base, 'delay']);
  const tries = f.int(q('dead_letter', 'tries'));
  if (tries !== undefined) {
    queue.maxReceiveCount = tries;
    m.done(FieldFate.MAPPED, ...base, 'dead_letter', 'tries');
  }
  if (f.kind(q('fifo')) === 'map') {
    queue.fifo = true;
    queue.contentBasedDeduplication = f.bool(q('fifo', 'content_based_deduplication'));
    if (queue.contentBasedDeduplication !== undefined) m.done(FieldFate.MAPPED, ...base, 'fifo', 'content_based_deduplication');
    for (const k of ['high_throughput', 'deduplication_scope', 'throughput_limit']) {
      if (f.has(q('fifo', k))) m.todo([...base, 'fifo', k], `FIFO ${k} has no WorkQueue option: set it on the queue (workload.queue's CfnQueue) by hand`);
    }
  } else if (f.has(q('fifo'))) {
    queue.fifo = f.bool(q('fifo'));
    m.done(FieldFate.MAPPED, ...base, 'fifo');
  }
  return queue;
}

/** A subscription's filter policy: `sns.SubscriptionFilter`s by message attribute. */
type FilterPolicy = NonNullable<TopicSubscription['filterPolicy']>;

/**
 * A Copilot filter policy as `sns.SubscriptionFilter`s: lists of strings or numbers are
 * allowlists; other operators (prefix, anything-but, numeric ranges, exists) need a person.
 */
export function filterPolicy(m: Mapper, base: Array<string | number>): PropsModel<FilterPolicy> | undefined {
  const f = m.file;
  const policy: PropsModel<FilterPolicy> = {};
  let whole = true;
  for (const attribute of f.keys(m.p(...base))) {
    const values = f.value(m.p(...base, attribute));
    if (Array.isArray(values) && values.length > 0 && values.every(v => typeof v === 'string')) {
      policy[attribute] = code(`sns.SubscriptionFilter.stringFilter({ allowlist: ${render(values)} })`);
    } else if (Array.isArray(values) && values.length > 0 && values.every(v => typeof v === 'number')) {
      policy[attribute] = code(`sns.SubscriptionFilter.numericFilter({ allowlist: ${render(values)} })`);
    } else {
      whole = false;
      m.todo([...base, attribute], `give ${attribute} as an sns.SubscriptionFilter: ${JSON.stringify(values)}`);
      continue;
    }
    m.done(FieldFate.MAPPED, ...base, attribute);
  }
  return Object.keys(policy).length > 0 || whole ? policy : undefined;
}

export function mapWorker(m: Mapper, props: WorkloadPropsModel): void {
  const f = m.file;
  const queue = queueSettings(m, ['subscribe', 'queue']);
  if (Object.keys(queue).length > 0) props.queue = code(`WorkQueue.newQueue(${render(queue, '    ')})`);
  const topics = f.length(m.p('subscribe', 'topics'));
  if (topics > 0) {
    props.subscriptions = Array.from({ length: topics }, (_, i) => {
      const t = (...k: string[]) => m.p('subscribe', 'topics', i, ...k);
      const key = `${f.str(t('service'))}-${f.str(t('name'))}`;
      if (!m.published.has(key)) {
        m.todo(['subscribe', 'topics', i], `no workload of the workspace publishes ${key}: subscribe to that topic (sns.Topic.fromTopicArn) by hand`);
        return undefined;
      }
      m.done(FieldFate.MAPPED, 'subscribe', 'topics', i, 'name');
      m.done(FieldFate.MAPPED, 'subscribe', 'topics', i, 'service');
      const sub: PropsModel<TopicSubscription> = {
        topic: code(`topics[${quote(key)}]`),
        // Copilot delivered the SNS envelope; the app reads the message from its Message field.
        rawMessageDelivery: false,
      };
      if (f.has(t('filter_policy'))) sub.filterPolicy = filterPolicy(m, ['subscribe', 'topics', i, 'filter_policy']);
      if (f.has(t('queue'))) {
        // The topic's own queue, as Copilot gave it: its settings, or the defaults with queue: true.
        const own = f.kind(t('queue')) === 'map' ? queueSettings(m, ['subscribe', 'topics', i, 'queue']) : {};
        if (f.kind(t('queue')) !== 'map') m.done(FieldFate.MAPPED, 'subscribe', 'topics', i, 'queue');
        sub.queue = code(`WorkQueue.newQueue(${Object.keys(own).length > 0 ? render(own, '        ') : ''})`);
        sub.name = pascal(key);
      }
      return sub;
    }).filter(s => s !== undefined);
  }
}

export function mapJob(m: Mapper, props: WorkloadPropsModel, override: boolean): void {
  const f = m.file;
  const schedule = f.str(m.p('on', 'schedule'));
  if (schedule !== undefined) {
    props.schedule = code(jobSchedule(m, schedule));
  } else if (!override) {
    f.fail(m.p('on', 'schedule'), 'a Scheduled Job has no on.schedule');
  }
  const retries = f.int(m.p('retries'));
  if (retries !== undefined) {
    props.rerunsOnFailure = Math.min(retries, 10);
    if (retries > 10) m.todo(['retries'], `${retries} retries: rerunsOnFailure takes at most 10`);
    else m.done(FieldFate.MAPPED, 'retries');
  }
  if (f.has(m.p('timeout'))) props.timeout = duration(m, ['timeout']);
}

/** Copilot schedules as EventBridge Scheduler expressions. */
export function jobSchedule(m: Mapper, schedule: string): string {
  const at = m.p('on', 'schedule');
  const named: { [k: string]: string } = {
    '@yearly': '0 0 1 1 ? *',
    '@annually': '0 0 1 1 ? *',
    '@monthly': '0 0 1 * ? *',
    '@weekly': '0 0 ? * SUN *',
    '@daily': '0 0 * * ? *',
    '@midnight': '0 0 * * ? *',
    '@hourly': '0 * * * ? *',
  };
  m.file.mark(at);
  if (named[schedule]) return `JobSchedule.cron(${quote(named[schedule])})`;
  const every = /^@every (.+)$/.exec(schedule);
  if (every) {
    const d = durationText(m, every[1]);
    return `JobSchedule.rate(${d})`;
  }
  const wrapped = /^(rate|cron)\((.+)\)$/.exec(schedule);
  if (wrapped) return `JobSchedule.expression(${quote(schedule)})`;
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) m.file.fail(at, `expected @daily, @every 1h, rate(...), cron(...) or a 5-field cron for on.schedule, got ${JSON.stringify(schedule)}`);
  const [minute, hour, dom, month, dow] = fields;
  // EventBridge: 6 fields, one of day-of-month and day-of-week is ?, days of week 1-7 from Sunday.
  const eventDow = dow === '*' ? '?' : dow.replace(/\d/g, d => String((Number(d) % 7) + 1));
  const eventDom = dow === '*' ? dom : dom === '*' ? '?' : dom;
  if (dow !== '*' && dom !== '*') m.todo(['on', 'schedule'], 'both day-of-month and day-of-week are set; EventBridge takes one of them');
  return `JobSchedule.cron(${quote(`${minute} ${hour} ${eventDom} ${month} ${eventDow} *`)})`;
}

/** A published topic's props: encrypted in transit, FIFO where the manifest says. */
export function topicProps(file: YamlFile, i: number): PropsModel<sns.TopicProps> {
  const fifo = ['publish', 'topics', i, 'fifo'];
  const props: PropsModel<sns.TopicProps> = { enforceSSL: true };
  if (file.kind(fifo) === 'map') {
    props.fifo = true;
    props.contentBasedDeduplication = file.bool([...fifo, 'content_based_deduplication']);
  } else if (file.bool(fifo)) {
    props.fifo = true;
  }
  if (file.has(fifo)) file.mark(fifo);
  return props;
}
