//! Parties, channels and references as either version writes them: read from any shape, written
//! in the shape of a chosen version.
//!
//! A related party comes in four shapes:
//! - v4's flat `RelatedParty` (`{id, href, name, role, @referredType}`);
//! - v5's `RelatedPartyRefOrPartyRoleRef` wrapping a `PartyRef` (`partyOrPartyRole: {id, name,
//!   @type: PartyRef}`);
//! - the same wrapping a `PartyRoleRef` (`{id, name, partyId, partyName, @type: PartyRoleRef}`:
//!   a role such as a customer account, held by a party);
//! - the same wrapping a party value (`Individual`, `Organization`, a `PartyRole`, ...), which
//!   carries the party's own members instead of a reference.
//!
//! Everything outside this crate reads parties through [`related_parties`] and [`customer`] and
//! writes them with [`customer_party`], so no other crate knows these shapes.

use serde_json::{json, Map, Value};

use crate::Version;

/// The role under which an order names its customer (compared without case).
pub const CUSTOMER_ROLE: &str = "Customer";

/// Which shape a related party was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum PartyShape {
    /// v4's flat related party.
    Flat,
    /// A v5 `PartyRef`.
    PartyRef,
    /// A v5 `PartyRoleRef` (a role held by a party).
    PartyRoleRef,
    /// A v5 party or party role given by value (`Individual`, `Organization`, ...).
    Value,
}

/// A related party, whatever shape it was written in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    /// The party's role in the order (`Customer`, `Seller`, ...), as written.
    pub role: Option<String>,
    /// The id of the party or party role referred to.
    pub id: Option<String>,
    /// Its display name.
    pub name: Option<String>,
    /// Its hyperlink.
    pub href: Option<String>,
    /// `@referredType` of a reference, `@type` of a value (`Individual`, ...).
    pub referred_type: Option<String>,
    /// For a party role: the id of the party that holds it.
    pub party_id: Option<String>,
    /// For a party role: the name of the party that holds it.
    pub party_name: Option<String>,
    /// The shape it was read from; `None` for an entry that is not an object.
    pub shape: Option<PartyShape>,
}

impl Party {
    /// The party is named as the order's customer.
    pub fn is_customer(&self) -> bool {
        self.role.as_deref().is_some_and(|r| r.trim().eq_ignore_ascii_case(CUSTOMER_ROLE))
    }

    /// The party can be told apart: it has an id, or at least a name.
    pub fn is_identified(&self) -> bool {
        self.id.as_deref().is_some_and(|s| !s.trim().is_empty())
            || self.name.as_deref().is_some_and(|s| !s.trim().is_empty())
    }

    /// The best name to show: the name, else the holding party's name, else the id.
    pub fn display_name(&self) -> Option<&str> {
        self.name.as_deref().or(self.party_name.as_deref()).or(self.id.as_deref())
    }
}

/// A scalar member as text: strings as they are, numbers as their digits (some servers send
/// ids as numbers).
pub(crate) fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads one related-party entry of either version.
pub fn read_party(entry: &Value) -> Party {
    let Some(outer) = entry.as_object() else { return Party::default() };
    let role = text(outer.get("role"));
    match outer.get("partyOrPartyRole").and_then(Value::as_object) {
        Some(inner) => {
            let at_type = inner.get("@type").and_then(Value::as_str);
            let shape = match at_type {
                Some("PartyRoleRef") => PartyShape::PartyRoleRef,
                Some("PartyRef") | None => PartyShape::PartyRef,
                Some(_) => PartyShape::Value,
            };
            let referred_type = match shape {
                PartyShape::Value => at_type.map(str::to_owned),
                _ => text(inner.get("@referredType")),
            };
            // A party given by value names itself as an Individual (`fullName`, or given and
            // family names) or an Organization (`tradingName`, `legalName`) does.
            let given = [text(inner.get("givenName")), text(inner.get("familyName"))]
                .into_iter()
                .flatten()
                .filter(|t| !t.trim().is_empty())
                .collect::<Vec<_>>();
            let name = text(inner.get("name"))
                .or_else(|| text(inner.get("fullName")))
                .or_else(|| (!given.is_empty()).then(|| given.join(" ")))
                .or_else(|| text(inner.get("tradingName")))
                .or_else(|| text(inner.get("legalName")));
            Party {
                role,
                id: text(inner.get("id")),
                name,
                href: text(inner.get("href")),
                referred_type,
                party_id: text(inner.get("partyId")),
                party_name: text(inner.get("partyName")),
                shape: Some(shape),
            }
        }
        None => Party {
            role,
            id: text(outer.get("id")),
            name: text(outer.get("name")),
            href: text(outer.get("href")),
            referred_type: text(outer.get("@referredType")),
            party_id: None,
            party_name: None,
            shape: Some(PartyShape::Flat),
        },
    }
}

/// The related parties of an order (or of a product), each with its index in `relatedParty`.
pub fn related_parties(holder: &Value) -> Vec<Party> {
    holder
        .get("relatedParty")
        .and_then(Value::as_array)
        .map(|list| list.iter().map(read_party).collect())
        .unwrap_or_default()
}

/// The order's customer: the party whose role is `Customer`.
pub fn customer(order: &Value) -> Option<Party> {
    related_parties(order).into_iter().find(Party::is_customer)
}

/// The name to list an order under: the customer's, else the first named party's.
pub fn customer_name(order: &Value) -> Option<String> {
    let parties = related_parties(order);
    parties
        .iter()
        .find(|p| p.is_customer())
        .and_then(|p| p.display_name())
        .or_else(|| parties.iter().find_map(Party::display_name))
        .map(str::to_owned)
}

/// Whether a `relatedParty` entry names the customer (for callers that edit the list).
pub fn is_customer_entry(entry: &Value) -> bool {
    read_party(entry).is_customer()
}

/// A customer entry for `relatedParty` in the shape of `version`: v4's flat related party,
/// v5's wrapped `PartyRef`. Both carry `@referredType` (v4 requires it).
pub fn customer_party(version: Version, id: &str, name: &str, referred_type: &str) -> Value {
    let mut party = Map::new();
    party.insert("id".into(), json!(id));
    if !name.is_empty() {
        party.insert("name".into(), json!(name));
    }
    party.insert("@referredType".into(), json!(referred_type));
    match version {
        Version::V4 => {
            party.insert("role".into(), json!(CUSTOMER_ROLE));
            Value::Object(party)
        }
        Version::V5 => {
            party.insert("@type".into(), json!("PartyRef"));
            json!({
                "role": CUSTOMER_ROLE,
                "partyOrPartyRole": Value::Object(party),
                "@type": "RelatedPartyRefOrPartyRoleRef",
            })
        }
    }
}

/// A plain reference `{id, name}` with the `@type` v5 requires (`type_name`, e.g.
/// `BillingAccountRef`); v4 references carry no `@type`.
pub fn reference(version: Version, type_name: &str, id: &str, name: &str) -> Value {
    let mut r = Map::new();
    r.insert("id".into(), json!(id));
    if !name.is_empty() {
        r.insert("name".into(), json!(name));
    }
    version.fill_type(&mut r, type_name);
    Value::Object(r)
}

/// A sales channel entry for `channel` in the shape of `version`.
pub fn sales_channel(version: Version, id: &str, name: &str) -> Value {
    match version {
        Version::V4 => {
            let mut c = Map::new();
            c.insert("id".into(), json!(id));
            if !name.is_empty() {
                c.insert("name".into(), json!(name));
            }
            c.insert("role".into(), json!("salesChannel"));
            Value::Object(c)
        }
        Version::V5 => json!({
            "role": "salesChannel",
            "channel": reference(Version::V5, "ChannelRef", id, name),
            "@type": "RelatedChannel",
        }),
    }
}

/// An order note with `text`, in the shape of `version` (v5 names its class).
pub fn note(version: Version, text: &str) -> Value {
    let mut n = Map::new();
    n.insert("text".into(), json!(text));
    version.fill_type(&mut n, "Note");
    Value::Object(n)
}

/// A reference read from either version: `{id, name}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reference {
    /// The referred entity's id.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
}

/// The first sales channel of an order (v4 flat, v5 wrapped in `channel`).
pub fn first_channel(order: &Value) -> Option<Reference> {
    let entry = order.get("channel")?.as_array()?.first()?;
    let inner = entry.get("channel").filter(|c| c.is_object()).unwrap_or(entry);
    Some(Reference { id: text(inner.get("id")), name: text(inner.get("name")) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_reads_the_same_customer() {
        let shapes = [
            json!({"id": "C1", "name": "Ada", "role": "customer", "@referredType": "Individual"}),
            json!({"role": "Customer", "partyOrPartyRole":
                {"id": "C1", "name": "Ada", "@type": "PartyRef", "@referredType": "Individual"},
                "@type": "RelatedPartyRefOrPartyRoleRef"}),
            json!({"role": "Customer", "partyOrPartyRole":
                {"id": "C1", "name": "Ada", "partyId": "P9", "partyName": "Ada Lovelace",
                 "@type": "PartyRoleRef", "@referredType": "Customer"},
                "@type": "RelatedPartyRefOrPartyRoleRef"}),
            json!({"role": "CUSTOMER", "partyOrPartyRole":
                {"id": "C1", "fullName": "Ada", "@type": "Individual"}}),
        ];
        for (i, entry) in shapes.iter().enumerate() {
            let order = json!({"relatedParty": [{"id": "S", "role": "Seller"}, entry]});
            let c = customer(&order).unwrap_or_else(|| panic!("shape {i}: no customer"));
            assert_eq!(c.id.as_deref(), Some("C1"), "shape {i}");
            assert_eq!(c.display_name(), Some("Ada"), "shape {i}");
            assert!(c.is_identified());
            assert_eq!(customer_name(&order).as_deref(), Some("Ada"));
        }
        let role = read_party(&shapes[2]);
        assert_eq!(role.shape, Some(PartyShape::PartyRoleRef));
        assert_eq!(role.party_id.as_deref(), Some("P9"));
        assert_eq!(read_party(&shapes[3]).referred_type.as_deref(), Some("Individual"));
    }

    #[test]
    fn customer_written_per_version_reads_back() {
        for v in [Version::V4, Version::V5] {
            let entry = customer_party(v, "C1", "Ada", "Individual");
            let p = read_party(&entry);
            assert!(p.is_customer() && p.id.as_deref() == Some("C1"), "{v}");
            assert_eq!(p.referred_type.as_deref(), Some("Individual"));
        }
        assert!(customer_party(Version::V5, "C1", "", "Individual").get("role").is_some());
        assert_eq!(note(Version::V4, "call first"), json!({"text": "call first"}));
        assert_eq!(note(Version::V5, "call first")["@type"], "Note");
        assert_eq!(reference(Version::V4, "BillingAccountRef", "B1", ""), json!({"id": "B1"}));
        assert_eq!(
            reference(Version::V5, "BillingAccountRef", "B1", "")["@type"],
            "BillingAccountRef"
        );
        let ch = sales_channel(Version::V5, "web", "Web shop");
        let order = json!({"channel": [ch]});
        assert_eq!(first_channel(&order).and_then(|c| c.name).as_deref(), Some("Web shop"));
    }
}
