// What a finding means, in the agent's language. Findings keep their stable code and the
// backend's message (English, with the specifics: which characteristic, which value); the UI
// shows the explanation of the code beside that message. This table is the one place that maps
// codes to explanations: a code it does not know shows the backend's message alone. Its codes
// are those of docs/findings.md (generated from the core's code table); a test keeps them equal.
import { m } from "../paraglide/messages.js";

const EXPLANATIONS: Record<string, () => string> = {
  "order.not_object": m.finding_order_not_object,
  "order.items_invalid": m.finding_order_items_invalid,
  "order.no_items": m.finding_order_no_items,
  "type.unexpected": m.finding_type_unexpected,
  "field.lenient": m.finding_field_lenient,
  "date.invalid": m.finding_date_invalid,
  "date.order": m.finding_date_order,
  "date.past": m.finding_date_past,
  "party.unidentified": m.finding_party_unidentified,
  "item.id_missing": m.finding_item_id_missing,
  "item.duplicate_id": m.finding_item_duplicate_id,
  "item.action_missing": m.finding_item_action_missing,
  "item.action_unknown": m.finding_item_action_unknown,
  "item.product_missing": m.finding_item_product_missing,
  "item.quantity": m.finding_item_quantity,
  "limit.items": m.finding_limit_items,
  "limit.depth": m.finding_limit_depth,
  "limit.children": m.finding_limit_children,
  "limit.characteristics": m.finding_limit_characteristics,
  "limit.prices": m.finding_limit_prices,
  "limit.quantity": m.finding_limit_quantity,
  "limit.text": m.finding_limit_text,
  "limit.periods": m.finding_limit_periods,
  "price.overflow": m.finding_price_overflow,
  "relationship.dangling": m.finding_relationship_dangling,
  "bundle.cycle": m.finding_bundle_cycle,
  "bundle.multiple_parents": m.finding_bundle_multiple_parents,
  "characteristic.name_missing": m.finding_characteristic_name_missing,
  "characteristic.type_mismatch": m.finding_characteristic_type_mismatch,
  "price.invalid": m.finding_price_invalid,
  "price.alteration_invalid": m.finding_price_alteration_invalid,
  "price.currency_mismatch": m.finding_price_currency_mismatch,
  "price.period_mixed": m.finding_price_period_mixed,
  "money.unit_invalid": m.finding_money_unit_invalid,
  "schema.required": m.finding_schema_required,
  "schema.type": m.finding_schema_type,
  "schema.shape": m.finding_schema_shape,
  "schema.value": m.finding_schema_value,
  "convert.not_carried": m.finding_convert_not_carried,
  "offering.unknown": m.finding_offering_unknown,
  "offering.not_orderable": m.finding_offering_not_orderable,
  "bundle.cardinality": m.finding_bundle_cardinality,
  "bundle.unexpected_child": m.finding_bundle_unexpected_child,
  "characteristic.missing": m.finding_characteristic_missing,
  "characteristic.value": m.finding_characteristic_value,
  "characteristic.pattern": m.finding_characteristic_pattern,
  "characteristic.format": m.finding_characteristic_format,
  "characteristic.unknown": m.finding_characteristic_unknown,
  "relationship.target_missing": m.finding_relationship_target_missing,
  "discount.reason": m.finding_discount_reason,
  "discount.approval": m.finding_discount_approval,
  "product.unknown": m.finding_product_unknown,
  "product.other_customer": m.finding_product_other_customer,
  "product.not_active": m.finding_product_not_active,
};

/** The codes with an explanation. */
export const EXPLAINED_CODES: readonly string[] = Object.keys(EXPLANATIONS);

/** A finding as the UI shows it: the explanation of its code in the UI's language, and the
 *  backend's message beside it (`detail`, in English); for a code without an explanation, the
 *  backend's message is the text and there is no detail. */
export function findingText(finding: { code: string; message: string }): {
  text: string;
  detail: string | null;
} {
  const explain = EXPLANATIONS[finding.code];
  return explain ? { text: explain(), detail: finding.message } : { text: finding.message, detail: null };
}

/** One line for a field's error: the explanation, then the backend's message. */
export function findingLine(finding: { code: string; message: string }): string {
  const { text, detail } = findingText(finding);
  return detail ? `${text} (${detail})` : text;
}
