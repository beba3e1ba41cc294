// Words for protocol values the UI shows: an order item's TMF622 action, a price's type, where
// a price comes from and its period, and an offering's prices as one line. The value itself is what is sent and stored; only its label is
// translated, and a value not listed shows as it came.
import { m } from "../paraglide/messages.js";
import { decimal, money } from "../util/format";
import type { PriceTag } from "../backend/ipc";

/** TMF622 item actions, in the order the editor offers them. */
export const ITEM_ACTIONS = ["add", "modify", "delete", "noChange"] as const;

const ACTIONS: Record<string, () => string> = {
  add: m.action_add,
  modify: m.action_modify,
  delete: m.action_delete,
  noChange: m.action_no_change,
};

/** An item action as people read it; an action the UI does not know shows as it came. */
export function actionLabel(action: string): string {
  return ACTIONS[action]?.() ?? action;
}

const PRICE_TYPES: Record<string, () => string> = {
  recurring: m.price_type_recurring,
  oneTime: m.price_type_one_time,
  usage: m.price_type_usage,
  discount: m.price_type_discount,
};

/** A TMF price type (`recurring`, `oneTime`...) as people read it. */
export function priceTypeLabel(priceType: string): string {
  return PRICE_TYPES[priceType]?.() ?? priceType;
}

const PRICE_SOURCES: Record<string, () => string> = {
  order: m.price_source_order,
  catalog: m.price_source_catalog,
};

/** Where a priced line's price comes from: the order itself or the catalog. */
export function priceSourceLabel(source: string): string {
  return PRICE_SOURCES[source]?.() ?? source;
}

/** A period unit as people say it: `month` → `monthly`. */
export function periodly(period: string | null | undefined): string {
  switch (period) {
    case "day":
      return m.period_daily();
    case "week":
      return m.period_weekly();
    case "month":
      return m.period_monthly();
    case "year":
      return m.period_yearly();
    default:
      return period ?? "";
  }
}

/** A period unit as a noun: `month` → `month` (`Monat`). */
export function periodUnit(period: string | null | undefined): string {
  switch (period) {
    case "day":
      return m.period_unit_day();
    case "week":
      return m.period_unit_week();
    case "month":
      return m.period_unit_month();
    case "year":
      return m.period_unit_year();
    default:
      return period ?? "";
  }
}

/** A number of periods: `12` + `month` → `12 months` (`12 Monate`). */
export function periods(count: number, period: string | null | undefined): string {
  switch (period) {
    case "day":
      return m.period_count_day({ count });
    case "week":
      return m.period_count_week({ count });
    case "month":
      return m.period_count_month({ count });
    case "year":
      return m.period_count_year({ count });
    default:
      return `${decimal(count)} ${period ?? ""}`.trim();
  }
}

/** An offering's prices as lists and pickers show them, in the locale's way: `49,00 € +
 *  29,99 €/Monat` (de-DE), `€49.00 + €29.99/month` (en-US). */
export function priceTags(tags: readonly PriceTag[]): string {
  return tags
    .map((tag) => {
      const amount = money(tag.amount, tag.currency);
      return tag.period ? m.price_tag_per_period({ amount, period: periodUnit(tag.period) }) : amount;
    })
    .join(" + ");
}
