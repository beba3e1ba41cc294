//! A copy of an order as a new draft starts from it: the same items, customer and
//! characteristics, without what names the original alone.
//!
//! Left out: the members a server sets (`orderdesk_wire::create::SERVER_OWNED_ORDER_MEMBERS`,
//! an item's `state`), the order's external identifiers (our client order id, or a partner's
//! reference, by which a create is looked up before it is sent again — a copy carrying the
//! original's would be taken for it), and every characteristic value that must be unique
//! ([`crate::formats::must_be_unique`]: phone numbers, ICCIDs, IMEIs).

use orderdesk_wire::create::SERVER_OWNED_ORDER_MEMBERS;
use serde_json::Value;

use crate::formats::must_be_unique;
use crate::model::{Item, Order};

/// The order's external identifiers, in either version's shape (a v4 string, a v5 list).
const EXTERNAL_ID: &str = "externalId";

/// A copy of `order` for a new draft (see the module's documentation), with the names of
/// the characteristics whose values were cleared, depth first in item order.
pub fn duplicate(order: &Order) -> (Order, Vec<String>) {
    let mut copy = order.without_origins();
    for key in SERVER_OWNED_ORDER_MEMBERS.iter().copied().chain([EXTERNAL_ID]) {
        copy.fields.shift_remove(key);
    }
    let mut cleared = Vec::new();
    // Items nest at most `MAX_BUNDLE_DEPTH` deep (an `Order` is within the limits); an
    // explicit stack all the same.
    let mut stack: Vec<&mut Item> = copy.items.iter_mut().rev().collect();
    while let Some(item) = stack.pop() {
        item.fields.shift_remove("state");
        if let Some(chars) = item
            .fields
            .get_mut("product")
            .and_then(|p| p.get_mut("productCharacteristic"))
            .and_then(Value::as_array_mut)
        {
            chars.retain(|c| {
                let name = c.get("name").and_then(Value::as_str).unwrap_or_default();
                let keep = !must_be_unique(name);
                if !keep {
                    cleared.push(name.to_owned());
                }
                keep
            });
        }
        stack.extend(item.children.iter_mut().rev());
    }
    (copy, cleared)
}
