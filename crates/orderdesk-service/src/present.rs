//! Turning a stored draft, the core's order model and its quote into the editor's views.

use std::collections::HashMap;

use orderdesk_core::policy::Approval;
use orderdesk_core::pricing::{Amounts, Quote};
use orderdesk_core::{Finding, Item, Order, Rounding, Severity};
use orderdesk_store::DraftRow;
use serde_json::Value;

use crate::catalog::{value_text, CatalogCache};
use crate::view::{
    AlterationView, AmountsView, ApprovalView, BundleOption, CharacteristicField, CurrencyView,
    DraftView, FindingView, HeaderView, ItemPriceView, ItemQuoteView, ItemView, PeriodAmounts,
    PriceLineView, QuoteView, RefView, RelationshipView, SegmentView, StepView,
};

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn text_at(v: &Value, key: &str) -> Option<String> {
    v.get(key).map(value_text).filter(|t| !t.is_empty())
}

fn ref_view(v: &Value) -> Option<RefView> {
    Some(RefView { id: text_at(v, "id")?, name: text_at(v, "name").unwrap_or_default() })
}

/// The order-level fields, read from either TMF version's shape through `orderdesk-wire`'s
/// accessors.
pub fn header(order: &Order) -> HeaderView {
    let f = &order.fields;
    // The order's own members (its items are kept apart): cheap to hand to the accessors.
    let members = Value::Object(f.clone());
    let customer = orderdesk_wire::parties::customer(&members).and_then(|p| {
        Some(RefView {
            id: p.id.clone().filter(|id| !id.is_empty())?,
            name: p.name.or(p.party_name).unwrap_or_default(),
        })
    });
    let channel = orderdesk_wire::parties::first_channel(&members).and_then(|c| {
        Some(RefView { id: c.id.filter(|id| !id.is_empty())?, name: c.name.unwrap_or_default() })
    });
    let external_id =
        orderdesk_wire::external_id::external_ids(&members).into_iter().next().map(|x| x.id);
    HeaderView {
        customer,
        billing_account: f.get("billingAccount").and_then(ref_view),
        channel,
        priority: f.get("priority").map(value_text).filter(|t| !t.is_empty()),
        description: f.get("description").and_then(Value::as_str).map(str::to_owned),
        external_id,
        requested_start: f.get("requestedStartDate").and_then(Value::as_str).map(str::to_owned),
        requested_completion: f
            .get("requestedCompletionDate")
            .and_then(Value::as_str)
            .map(str::to_owned),
        notes: f
            .get("note")
            .and_then(Value::as_array)
            .map(|ns| ns.iter().filter_map(|n| text_at(n, "text")).collect())
            .unwrap_or_default(),
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn item_view(
    item: &Item,
    parent: Option<&Item>,
    path: &str,
    depth: u32,
    cat: &CatalogCache,
    approvals: &[Approval],
) -> ItemView {
    let offering_id = item.offering_id().map(str::to_owned);
    let offering = offering_id.as_deref().and_then(|id| cat.rules.offering(id));
    let name = item
        .fields
        .get("productOffering")
        .and_then(|o| str_at(o, "name"))
        .map(str::to_owned)
        .or_else(|| offering_id.as_deref().map(|id| cat.name(id)))
        .unwrap_or_else(|| format!("Item {}", item.id));
    let spec_id = item
        .specification_id()
        .map(str::to_owned)
        .or_else(|| offering.and_then(|o| o.specification_id.clone()));
    let mut characteristics: Vec<CharacteristicField> =
        spec_id.as_deref().map(|s| cat.spec_fields(s)).unwrap_or_default();
    for c in item.characteristics() {
        let Some(name) = str_at(c, "name") else { continue };
        let value = c.get("value").map(value_text);
        match characteristics.iter_mut().find(|f| f.name == name) {
            Some(field) => field.value = value,
            None => characteristics.push(CharacteristicField {
                name: name.to_owned(),
                label: orderdesk_core::catalog::words(name),
                description: None,
                value_type: str_at(c, "valueType").map(str::to_owned),
                required: false,
                allowed: Vec::new(),
                min: None,
                max: None,
                value,
                specified: false,
            }),
        }
    }
    let relationships = item
        .relationships
        .iter()
        .filter(|r| !r.kind.eq_ignore_ascii_case(orderdesk_core::model::BUNDLES))
        .map(|r| RelationshipView { kind: r.kind.clone(), target: r.target.clone() })
        .collect();
    let prices = item
        .fields
        .get("itemPrice")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .enumerate()
                .map(|(i, p)| ItemPriceView {
                    index: count(i),
                    name: text_at(p, "name"),
                    price_type: text_at(p, "priceType"),
                    period: text_at(p, "recurringChargePeriod"),
                    alterations: p
                        .get("priceAlteration")
                        .and_then(Value::as_array)
                        .map(|alts| {
                            alts.iter()
                                .enumerate()
                                .map(|(a, alt)| {
                                    // Shown only while it approves the discount as it is.
                                    let size = orderdesk_core::policy::discount_size(alt);
                                    let approval = approvals
                                        .iter()
                                        .find(|x| {
                                            size.as_ref()
                                                .is_some_and(|s| x.approves(&item.id, i, a, s))
                                        })
                                        .map(|x| ApprovalView {
                                            approver: x.approver.clone(),
                                            text: x.text.clone(),
                                        });
                                    AlterationView { approval, ..alteration_view(alt) }
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let options = offering
        .map(|o| {
            o.bundled
                .iter()
                .map(|b| BundleOption {
                    offering_id: b.id.clone(),
                    name: cat.name(&b.id),
                    lower: b.lower.unwrap_or(0),
                    upper: b.upper,
                    count: count(
                        item.children
                            .iter()
                            .filter(|c| c.offering_id() == Some(b.id.as_str()))
                            .count(),
                    ),
                })
                .collect()
        })
        .unwrap_or_default();
    ItemView {
        id: item.id.clone(),
        parent: parent.map(|p| p.id.clone()),
        depth,
        path: path.to_owned(),
        name,
        action: item.action().unwrap_or("add").to_owned(),
        quantity: item.quantity().ok().and_then(|q| u32::try_from(q).ok()).unwrap_or(0),
        product_id: item.product_id().map(str::to_owned),
        is_bundle: offering.is_some_and(|o| o.is_bundle) || !item.children.is_empty(),
        child_count: count(item.children.len()),
        characteristics,
        relationships,
        prices,
        options,
        offering_id,
    }
}

fn alteration_view(a: &Value) -> AlterationView {
    let price = a.get("price").cloned().unwrap_or(Value::Null);
    let (kind, value) = match price.get("percentage") {
        Some(p) => ("percentage", value_text(p)),
        None => {
            let money = price.get("dutyFreeAmount").or_else(|| price.get("taxIncludedAmount"));
            ("amount", money.and_then(|m| m.get("value")).map(value_text).unwrap_or_default())
        }
    };
    let duration = a.get("applicationDuration").and_then(|d| match d {
        Value::Object(_) => d.get("amount"),
        other => Some(other),
    });
    AlterationView {
        name: text_at(a, "name").unwrap_or_default(),
        kind: kind.to_owned(),
        value,
        duration: duration.map(value_text).and_then(|t| t.parse().ok()),
        price_type: text_at(a, "priceType").unwrap_or_else(|| "discount".into()),
        reason: text_at(a, "description"),
        approval: None,
    }
}

/// The draft as the editor shows it.
pub fn draft_view(
    row: &DraftRow,
    order: &Order,
    cat: &CatalogCache,
    undo: (bool, bool),
) -> DraftView {
    let items = item_views(order, cat);
    DraftView {
        id: row.id.clone(),
        revision: u32::try_from(row.revision).unwrap_or(u32::MAX),
        tmf_version: row.tmf_version,
        updated_at: row.updated_at.to_rfc3339(),
        header: header(order),
        items,
        can_undo: undo.0,
        can_redo: undo.1,
    }
}

/// Every item of an order, depth first, with its path in the flat layout (what findings and
/// a server's refusal point into).
pub fn item_views(order: &Order, cat: &CatalogCache) -> Vec<ItemView> {
    let mut items = Vec::with_capacity(order.item_count());
    let mut depths: HashMap<&str, u32> = HashMap::new();
    let approvals = orderdesk_core::policy::approvals(order);
    order.walk(|item, parent, path| {
        let depth =
            parent.and_then(|p| depths.get(p.id.as_str())).map_or(0, |d| d.saturating_add(1));
        depths.insert(item.id.as_str(), depth);
        items.push(item_view(item, parent, path, depth, cat, &approvals));
    });
    items
}

fn amounts(a: &Amounts) -> AmountsView {
    AmountsView { duty_free: a.duty_free.to_string(), tax_included: a.tax_included.to_string() }
}

const HEADER_FIELDS: &[(&str, &str)] = &[
    ("/relatedParty", "customer"),
    ("/billingAccount", "billingAccount"),
    ("/channel", "channel"),
    ("/requestedStartDate", "requestedStart"),
    ("/requestedCompletionDate", "requestedCompletion"),
    ("/priority", "priority"),
    ("/note", "notes"),
    ("/description", "description"),
];

/// The items of a view indexed by JSON pointer and by id, built once for all the findings of
/// an answer: locating each of a 1,000-item order's findings by scanning every item was
/// quadratic (a million comparisons, and as many strings, per edit).
pub struct Locator<'a> {
    by_path: HashMap<&'a str, &'a ItemView>,
    by_id: HashMap<&'a str, &'a ItemView>,
}

impl<'a> Locator<'a> {
    pub fn new(items: &'a [ItemView]) -> Locator<'a> {
        Locator {
            by_path: items.iter().map(|i| (i.path.as_str(), i)).collect(),
            by_id: items.iter().map(|i| (i.id.as_str(), i)).collect(),
        }
    }

    /// The item whose pointer is the longest prefix of `path` (ending at a `/` or at its
    /// end): one lookup per level of the path.
    fn owner(&self, path: &str) -> Option<&'a ItemView> {
        if let Some(&item) = self.by_path.get(path) {
            return Some(item);
        }
        path.rmatch_indices('/')
            .find_map(|(at, _)| path.get(..at).and_then(|p| self.by_path.get(p).copied()))
    }

    /// Where a finding is shown: the item whose path is the longest prefix of the finding's
    /// path, and within it the characteristic, quantity or action; else a header field.
    pub fn finding_view(&self, f: &Finding) -> FindingView {
        let (item, field) = self.locate(&f.path, &f.message);
        let field_label = self.field_label(item.as_deref(), field.as_deref());
        FindingView {
            severity: f.severity,
            code: f.code.clone(),
            path: f.path.clone(),
            message: f.message.clone(),
            item,
            field,
            field_label,
        }
    }

    /// A characteristic field in words: the label its form field has
    /// (`CharacteristicField::label`, the catalog's `CharacteristicSpec::label`), so a
    /// finding's place reads as the form does.
    pub fn field_label(&self, item: Option<&str>, field: Option<&str>) -> Option<String> {
        let (item, field) = (item?, field?);
        self.by_id
            .get(item)?
            .characteristics
            .iter()
            .find(|c| c.name == field)
            .map(|c| c.label.clone())
    }

    /// The item and field a JSON pointer into the order names (see
    /// [`Locator::finding_view`]); `message` helps when the pointer names a list rather than
    /// one of its members. Also used for the fields a server names when it refuses an order.
    pub fn locate(&self, path: &str, message: &str) -> (Option<String>, Option<String>) {
        let (item, field) = match self.owner(path) {
            Some(i) => {
                let rest = path.get(i.path.len()..).unwrap_or_default();
                let field = if let Some(tail) = rest.strip_prefix("/product/productCharacteristic/")
                {
                    let index: Option<usize> = tail.split('/').next().and_then(|n| n.parse().ok());
                    index.and_then(|n| {
                        i.characteristics
                            .iter()
                            .filter(|c| c.value.is_some())
                            .nth(n)
                            .map(|c| c.name.clone())
                    })
                } else if rest.starts_with("/quantity") {
                    Some("quantity".to_owned())
                } else if rest.starts_with("/action") {
                    Some("action".to_owned())
                } else {
                    None
                };
                // A missing required characteristic points at the list, and names it in the
                // message.
                let field = field.or_else(|| {
                    i.characteristics
                        .iter()
                        .find(|c| c.required && c.value.is_none() && message.contains(&c.name))
                        .map(|c| c.name.clone())
                });
                (Some(i.id.clone()), field)
            }
            None => (
                None,
                HEADER_FIELDS
                    .iter()
                    .find(|(prefix, _)| path.starts_with(prefix))
                    .map(|(_, name)| (*name).to_owned()),
            ),
        };
        (item, field)
    }
}

/// [`Locator::locate`] for one pointer (build a [`Locator`] for many).
pub fn locate(path: &str, message: &str, items: &[ItemView]) -> (Option<String>, Option<String>) {
    Locator::new(items).locate(path, message)
}

/// The quote as the price panel shows it.
pub fn quote_view(quote: &Quote, items: &[ItemView], rounding: Rounding) -> QuoteView {
    let currencies = quote
        .currencies
        .iter()
        .map(|c| CurrencyView {
            currency: c.currency.clone(),
            one_time: amounts(&c.one_time),
            recurring: c
                .recurring
                .iter()
                .map(|r| PeriodAmounts { period: r.period.clone(), amounts: amounts(&r.amounts) })
                .collect(),
            schedule_period: c.schedule_period.clone(),
            schedule: c.schedule.iter().map(|s| amounts(&s.amounts)).collect(),
            total_periods: c.total.periods,
            total: amounts(&c.total.amounts),
        })
        .collect();
    let item_quotes = quote
        .items
        .iter()
        .map(|i| ItemQuoteView {
            id: i.id.clone(),
            lines: i
                .explanation
                .iter()
                .map(|e| PriceLineView {
                    price: e.price.clone(),
                    price_type: e.price_type.clone(),
                    period: e.recurring_charge_period.clone(),
                    currency: e.currency.clone(),
                    quantity: e.quantity.to_string(),
                    source: e.source.clone(),
                    segments: e
                        .segments
                        .iter()
                        .map(|s| SegmentView {
                            from: s.from,
                            to: s.to,
                            steps: s
                                .steps
                                .iter()
                                .map(|st| StepView {
                                    step: st.step.clone(),
                                    amounts: AmountsView {
                                        duty_free: st.duty_free.to_string(),
                                        tax_included: st.tax_included.to_string(),
                                    },
                                })
                                .collect(),
                            amounts: AmountsView {
                                duty_free: s.duty_free.to_string(),
                                tax_included: s.tax_included.to_string(),
                            },
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let findings: Vec<FindingView> = {
        let at = Locator::new(items);
        quote.findings.iter().map(|f| at.finding_view(f)).collect()
    };
    QuoteView {
        has_errors: findings.iter().any(|f| f.severity == Severity::Error),
        currencies,
        items: item_quotes,
        findings,
        rounding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, value: Option<&str>, required: bool) -> CharacteristicField {
        CharacteristicField {
            name: name.to_owned(),
            label: format!("{name} in words"),
            description: None,
            value_type: None,
            required,
            allowed: Vec::new(),
            min: None,
            max: None,
            value: value.map(str::to_owned),
            specified: true,
        }
    }

    fn item(id: &str, path: &str, characteristics: Vec<CharacteristicField>) -> ItemView {
        ItemView {
            id: id.to_owned(),
            parent: None,
            depth: 0,
            path: path.to_owned(),
            offering_id: None,
            name: id.to_owned(),
            action: "add".to_owned(),
            quantity: 1,
            product_id: None,
            is_bundle: false,
            child_count: 0,
            characteristics,
            relationships: Vec::new(),
            prices: Vec::new(),
            options: Vec::new(),
        }
    }

    #[test]
    fn the_owner_is_the_longest_pointer_that_ends_at_a_segment() {
        let items = [
            item("a", "/productOrderItem/0", vec![field("SPEED", Some("100"), false)]),
            item("b", "/productOrderItem/1", vec![]),
            item("c", "/productOrderItem/10", vec![]),
            item(
                "d",
                "/productOrderItem/0/productOrderItem/2",
                vec![field("COLOUR", None, false), field("TEL_MSISDN", Some("x"), true)],
            ),
            item("e", "/productOrderItem/3", vec![field("TEL_MSISDN", None, true)]),
        ];
        let at = Locator::new(&items);
        let find = |path: &str, message: &str| at.locate(path, message);
        let some = |s: &str| Some(s.to_owned());
        // "/productOrderItem/1" is a string prefix of item 10's pointer, not its segment.
        assert_eq!(find("/productOrderItem/10/quantity", ""), (some("c"), some("quantity")));
        assert_eq!(find("/productOrderItem/1", ""), (some("b"), None));
        assert_eq!(find("/productOrderItem/0/action", ""), (some("a"), some("action")));
        // A nested item's own pointer wins over its parent's.
        assert_eq!(
            find(
                "/productOrderItem/0/productOrderItem/2/product/productCharacteristic/0/value",
                ""
            ),
            (some("d"), some("TEL_MSISDN")),
            "the n-th characteristic with a value"
        );
        // A missing required characteristic points at the list and names it in the message.
        assert_eq!(
            find("/productOrderItem/3/product", "characteristic \"TEL_MSISDN\" is required"),
            (some("e"), some("TEL_MSISDN"))
        );
        assert_eq!(find("/relatedParty/0/id", ""), (None, some("customer")));
        assert_eq!(find("/unknown", ""), (None, None));
        assert_eq!(at.field_label(Some("d"), Some("COLOUR")), some("COLOUR in words"));
        assert_eq!(at.field_label(Some("zz"), Some("COLOUR")), None);
    }
}
