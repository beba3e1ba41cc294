// Display helpers: money, numbers and dates as the app's locale writes them (`Intl`), times in
// the local time zone. What crosses IPC stays as it is: money as exact decimal strings (only ever
// formatted here, never computed on: totals come from the Rust pricing engine), instants as
// RFC 3339 in UTC, calendar days as `YYYY-MM-DD`.
import { locale } from "../i18n/locale.svelte";
import { m } from "../paraglide/messages.js";

/** What an empty value shows. */
export const NONE = "—";

// Building an Intl formatter is slow next to using one; a screen formats hundreds of values.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale.tag}|${JSON.stringify(options)}`;
  let format = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!format) {
    format = new Intl.NumberFormat(locale.tag, options);
    formatters.set(key, format);
  }
  return format;
}

function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale.tag}|${JSON.stringify(options)}`;
  let format = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!format) {
    format = new Intl.DateTimeFormat(locale.tag, options);
    formatters.set(key, format);
  }
  return format;
}

/** A decimal string as the backend sends it: sign, digits, optional fraction. */
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * A decimal string written by `Intl` with every one of its digits. `Intl` writes the sign, the
 * integer part with the locale's grouping and the currency or unit (given the integer part as
 * a string, which it formats exactly); the fraction digits are put after the integer part as
 * they came, behind the locale's decimal separator. So no float ever holds the value and no
 * engine's limit on fraction digits applies. `minFraction` pads the fraction (a currency's
 * minor units), never shortens it.
 */
function exact(text: string, options: Intl.NumberFormatOptions, minFraction = 0): string | null {
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const [, sign = "", whole = "0", fraction = ""] = match;
  const digits = fraction.padEnd(minFraction, "0");
  const whole0 = { ...options, minimumFractionDigits: 0, maximumFractionDigits: 0 };
  const parts = numberFormat(whole0).formatToParts(`${sign}${whole}` as Intl.StringNumericLiteral);
  if (digits === "") return parts.map((p) => p.value).join("");
  const separator =
    numberFormat({ ...options, minimumFractionDigits: 1, maximumFractionDigits: 1 })
      .formatToParts(1.5)
      .find((p) => p.type === "decimal")?.value ?? ".";
  let last = -1;
  parts.forEach((p, i) => {
    if (p.type === "integer") last = i;
  });
  const written = [...digits].map((d) => localDigits()[Number(d)] ?? d).join("");
  return [...parts.slice(0, last + 1).map((p) => p.value), separator, written, ...parts.slice(last + 1).map((p) => p.value)].join("");
}

const digitSets = new Map<string, string[]>();

/** The digits 0–9 in the locale's numbering system (`٠`–`٩` for ar-EG). */
function localDigits(): string[] {
  let digits = digitSets.get(locale.tag);
  if (!digits) {
    const format = numberFormat({ useGrouping: false });
    digits = Array.from({ length: 10 }, (_, d) => format.format(d));
    digitSets.set(locale.tag, digits);
  }
  return digits;
}

/** Minor units of a currency (`EUR` 2, `JPY` 0), or null when `Intl` does not know it. */
function minorUnits(currency: string): number | null {
  if (!/^[A-Za-z]{3}$/.test(currency)) return null;
  try {
    return numberFormat({ style: "currency", currency }).resolvedOptions().minimumFractionDigits ?? 2;
  } catch {
    return null;
  }
}

/**
 * A money amount in the locale's way: `"1234.5"` + `"EUR"` → `1.234,50 €` (de-DE) or
 * `€1,234.50` (en-US). Keeps every digit of the decimal string (see `exact`); the fraction is
 * padded to the currency's minor units, never rounded. An unknown currency code is written
 * after the number; text that is not a decimal is shown as it came.
 */
export function money(amount: string | null | undefined, currency?: string | null): string {
  if (amount === null || amount === undefined || amount.trim() === "") return NONE;
  const text = amount.trim();
  const code = currency?.trim() ?? "";
  const minor = code ? minorUnits(code) : null;
  const formatted =
    minor !== null ? exact(text, { style: "currency", currency: code }, minor) : exact(text, {}, 2);
  if (formatted === null) return code ? `${text} ${code}` : text;
  return minor === null && code ? `${formatted} ${code}` : formatted;
}

/** A number (or decimal string, kept exact) with the locale's separators: `1234.5` → `1.234,5`. */
export function decimal(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === "") return NONE;
  if (typeof value === "number") return numberFormat({ maximumFractionDigits: 20 }).format(value);
  const text = value.trim();
  return exact(text, {}) ?? text;
}

/** A percentage given in percent (`"10"` → `10 %` in German, `10%` in English). */
export function percent(value: string): string {
  const text = value.trim();
  return exact(text, { style: "unit", unit: "percent" }) ?? `${text} %`;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp as a `Date`, or null. Fractions beyond milliseconds are dropped
 *  first: engines differ on how many digits they parse. */
export function instant(value: string | null | undefined): Date | null {
  const match = value ? RFC3339.exec(value.trim()) : null;
  if (!match) return null;
  const [, day, time, fraction = "", zone = "Z"] = match;
  const millis = fraction.slice(0, 3).padEnd(3, "0");
  const date = new Date(`${day}T${time}.${millis}${zone.toUpperCase()}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

const DAY: Intl.DateTimeFormatOptions = { year: "numeric", month: "2-digit", day: "2-digit" };

/** An instant as the local date and time (`23.11.2026, 11:05`), or the input when it is not
 *  one. */
export function dateTime(value: string | null | undefined): string {
  if (!value) return NONE;
  const date = instant(value);
  return date ? dateFormat({ ...DAY, hour: "2-digit", minute: "2-digit" }).format(date) : value;
}

/** The local date of an instant (`23.11.2026`). */
export function localDate(value: string | null | undefined): string {
  if (!value) return NONE;
  const date = instant(value);
  return date ? dateFormat(DAY).format(date) : value;
}

/** The local time of an instant, with seconds (`11:05:09`). */
export function time(value: string | null | undefined): string {
  if (!value) return NONE;
  const date = instant(value);
  return date ? dateFormat({ hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(date) : value;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day `YYYY-MM-DD` as the locale writes it (`23.11.2026`, `11/23/2026`). A day is
 *  not an instant: it is written as it is, in no time zone. */
export function day(value: string | null | undefined): string {
  if (!value) return NONE;
  const match = ISO_DAY.exec(dayOf(value));
  if (!match) return value;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return dateFormat({ ...DAY, timeZone: "UTC" }).format(date);
}

/** The `YYYY-MM-DD` day a value names: a day, or the calendar day written in a timestamp
 *  (requested dates are days the agent picked, sent as midnight UTC). */
export function dayOf(value: string | null | undefined): string {
  if (!value) return "";
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(value.trim());
  return match?.[1] ?? "";
}

export type DayPart = "day" | "month" | "year";

/** How the locale writes a day: the order of its parts and the separator (`.` for de-DE,
 *  `/` for en-US). */
export function dayPattern(): { order: DayPart[]; separator: string } {
  const parts = dateFormat({ ...DAY, timeZone: "UTC" }).formatToParts(new Date(Date.UTC(2026, 10, 23)));
  const order = parts
    .map((p) => p.type)
    .filter((t): t is DayPart => t === "day" || t === "month" || t === "year");
  const separator = parts.find((p) => p.type === "literal")?.value.trim() || "-";
  return order.length === 3 ? { order, separator } : { order: ["year", "month", "day"], separator: "-" };
}

/** What a day field shows when empty, in the locale's order: `TT.MM.JJJJ`, `MM/DD/YYYY`. */
export function dayPlaceholder(): string {
  const { order, separator } = dayPattern();
  const letters: Record<DayPart, string> = {
    day: m.date_letters_day(),
    month: m.date_letters_month(),
    year: m.date_letters_year(),
  };
  return order.map((part) => letters[part]).join(separator);
}

/**
 * A day typed in the locale's order (`23.11.2026`, `11/23/2026`; any separator, 1- or 2-digit
 * day and month, 4-digit year) or as `2026-11-23`, as `YYYY-MM-DD`; null when it is not a day
 * of the calendar.
 */
export function parseDay(text: string): string | null {
  const groups = text.trim().match(/\d+/g);
  if (!groups || groups.length !== 3 || /[^\d\s./-]/.test(text.trim())) return null;
  const order: DayPart[] = groups[0]?.length === 4 ? ["year", "month", "day"] : dayPattern().order;
  const value: Record<DayPart, string> = { day: "", month: "", year: "" };
  order.forEach((part, i) => (value[part] = groups[i] ?? ""));
  if (value.year.length !== 4 || value.month.length > 2 || value.day.length > 2) return null;
  const [y, mo, d] = [Number(value.year), Number(value.month), Number(value.day)];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${value.year}-${value.month.padStart(2, "0")}-${value.day.padStart(2, "0")}`;
}
