// Display helpers. Money arrives from the backend as decimal strings and is only ever
// formatted here, never computed on: totals come from the Rust pricing engine.

/** `"1234.5"` + `"EUR"` → `"1,234.50 EUR"`; keeps every digit of the decimal string. */
export function money(amount: string | null | undefined, currency?: string | null): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const negative = amount.startsWith("-");
  const digits = negative ? amount.slice(1) : amount;
  const [whole = "0", fraction = ""] = digits.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const minor = fraction.length >= 2 ? fraction : fraction.padEnd(2, "0");
  const text = `${negative ? "-" : ""}${grouped}.${minor}`;
  return currency ? `${text} ${currency}` : text;
}

/** An RFC 3339 timestamp as `YYYY-MM-DD HH:MM` (UTC), or the input when it is not one. */
export function dateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value);
  return match ? `${match[1]} ${match[2]}` : value;
}

/** The `YYYY-MM-DD` part of a timestamp, for `<input type="date">`. */
export function dayOf(value: string | null | undefined): string {
  if (!value) return "";
  const match = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  return match?.[1] ?? "";
}

/** A period unit as people say it: `month` → `monthly`. */
export function periodly(period: string | null | undefined): string {
  switch (period) {
    case "day":
      return "daily";
    case "week":
      return "weekly";
    case "month":
      return "monthly";
    case "year":
      return "yearly";
    default:
      return period ?? "";
  }
}
