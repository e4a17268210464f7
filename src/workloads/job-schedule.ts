import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ErrorCode, ShipyardError, show } from '../guardrails/errors';

/**
 * When a ScheduledJob runs: an EventBridge Scheduler expression.
 * Source: Amazon EventBridge Scheduler User Guide, "Schedule types on EventBridge Scheduler".
 */
export class JobSchedule {
  /**
   * A cron expression of six fields: minutes hours day-of-month month day-of-week year,
   * e.g. `0 3 * * ? *` (03:00 every day). One of day-of-month and day-of-week must be `?`.
   */
  public static cron(fields: string): JobSchedule {
    return new JobSchedule(`cron(${fields})`);
  }

  /** Every `interval` (whole minutes, hours or days), e.g. `Duration.hours(6)`. */
  public static rate(interval: Duration): JobSchedule {
    if (interval.isUnresolved()) return new JobSchedule(`rate(${interval.toMinutes()} minutes)`);
    const minutes = interval.toMinutes({ integral: false });
    const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
    return new JobSchedule(`rate(${value} ${unit}${value === 1 ? '' : 's'})`);
  }

  /** Once, at a local date and time (in the job's time zone): `2026-12-01T09:00:00`. */
  public static at(dateTime: string): JobSchedule {
    return new JobSchedule(`at(${dateTime})`);
  }

  /** A raw Scheduler expression (`cron(...)`, `rate(...)` or `at(...)`), checked at synth. */
  public static expression(expression: string): JobSchedule {
    return new JobSchedule(expression);
  }

  private constructor(
    /** The Scheduler expression. */
    public readonly expressionString: string,
  ) {}

  /**
   * Validate the expression and return it.
   * @internal
   */
  public _bind(scope: IConstruct): string {
    const e = this.expressionString;
    if (Token.isUnresolved(e)) return e;
    const problem = expressionProblem(e);
    if (problem) {
      throw new ShipyardError(scope, ErrorCode.SCHEDULE, `schedule ${show(e)} is not valid: ${problem}`,
        'use JobSchedule.cron(\'0 3 * * ? *\'), JobSchedule.rate(Duration.hours(1)) or JobSchedule.at(\'2026-12-01T09:00:00\')');
    }
    return e;
  }
}

const CRON_FIELD = /^[0-9A-Za-z*?,/\-#L W]+$/;

function expressionProblem(e: string): string | undefined {
  const cron = /^cron\((.*)\)$/.exec(e);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) return `a cron expression has 6 fields, this one has ${fields.length}`;
    if (!fields.every(f => CRON_FIELD.test(f))) return 'a field has characters cron does not accept';
    const [, , dayOfMonth, , dayOfWeek] = fields;
    for (let i = 0; i < CRON_FIELDS.length; i++) {
      const problem = cronFieldProblem(CRON_FIELDS[i], fields[i]);
      if (problem) return problem;
    }
    if ((dayOfMonth === '?') === (dayOfWeek === '?')) return 'exactly one of day-of-month and day-of-week must be ?';
    return undefined;
  }
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(e);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) return 'a rate must be at least 1';
    if ((value === 1) !== !rate[2].endsWith('s')) return `use "${rate[2].replace(/s$/, '')}" for 1 and the plural otherwise`;
    return undefined;
  }
  if (/^rate\(/.test(e)) return 'a rate is "rate(<positive integer> minute|minutes|hour|hours|day|days)"';
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(e);
  if (at) {
    const [, y, mo, d, h, mi, s] = at.map(Number);
    const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return 'the date or time does not exist';
    return undefined;
  }
  return 'it is neither cron(...), rate(...) nor at(yyyy-mm-ddThh:mm:ss)';
}

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names standing for numbers (JAN = 1, SUN = 1). */
  readonly names?: string[];
  /** Whether `?` may stand here. */
  readonly question?: boolean;
  /** Items of its own syntax (L, W, #) beyond numbers, ranges and steps. */
  readonly special?: RegExp;
}

/**
 * The six fields of a Scheduler cron expression and their values. Source: EventBridge
 * Scheduler User Guide, "Schedule types on EventBridge Scheduler" (cron expressions): minutes
 * 0-59, hours 0-23, day-of-month 1-31 (`? L W`), month 1-12 or JAN-DEC, day-of-week 1-7 or
 * SUN-SAT (`? L #`), year 1970-2199.
 */
const CRON_FIELDS: CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true, special: /^(L|LW|([1-9]|[12]\d|3[01])W)$/ },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 1, max: 7, question: true, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], special: /^(L|[1-7]L|[1-7]#[1-5])$/ },
  { name: 'year', min: 1970, max: 2199 },
];

/** What is wrong with one cron field: a value outside its range, or syntax it does not take. */
function cronFieldProblem(field: CronField, value: string): string | undefined {
  if (value === '?') return field.question ? undefined : `${field.name} cannot be ?`;
  const number = (text: string): number | undefined => {
    const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
    if (index >= 0) return index + 1;
    return /^\d+$/.test(text) ? Number(text) : undefined;
  };
  for (const item of value.split(',')) {
    if (field.special?.test(item.toUpperCase())) continue;
    const [base, step, ...rest] = item.split('/');
    if (rest.length > 0 || (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1))) {
      return `${field.name} ${show(value)} has a step that is not a positive whole number`;
    }
    if (base === '*') continue;
    const bounds = base.split('-');
    if (bounds.length > 2) return `${field.name} ${show(value)} is not a value, a range or a list`;
    const numbers = bounds.map(number);
    if (numbers.some(n => n === undefined)) return `${field.name} ${show(value)} is not a value, a range or a list`;
    if (numbers.some(n => n! < field.min || n! > field.max)) {
      return `${field.name} ${show(value)} lie outside ${field.min}-${field.max}${field.names ? ` (or ${field.names[0]}-${field.names[field.names.length - 1]})` : ''}`;
    }
  }
  return undefined;
}

/** Throws when `timeZone` is not an IANA time zone name. */
export function checkTimeZone(scope: IConstruct, timeZone: string | undefined): void {
  if (timeZone === undefined || Token.isUnresolved(timeZone)) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ShipyardError(scope, ErrorCode.SCHEDULE, `time zone ${show(timeZone)} is not an IANA time zone`,
      'use a name such as Europe/Paris, America/New_York or UTC');
  }
}
