//! TMF629 Customer Management and TMF637 Product Inventory, v4.0.0 and v5.0.x: what a customer
//! and an installed product are, read from either version, written in either, and the states an
//! installed product can be in.
//!
//! The shapes that differ:
//! - a customer's contact media: v4 `{mediumType, characteristic: {phoneNumber | emailAddress |
//!   street1 ...}}`, v5 one class per medium (`PhoneContactMedium {phoneNumber}`,
//!   `EmailContactMedium {emailAddress}`, `GeographicAddressContactMedium {street1 ...}`);
//! - its engaged party: v4 a flat related party, v5 a `PartyRef`;
//! - a product's related parties, order items, price alterations and relationships (the
//!   mapping TMF622's product already has, in [`crate::convert`]);
//! - the `@type`s v5 requires.
//!
//! The reference server stores both in v4 shape ([`new_customer`], [`new_product`]) and renders
//! them per request with [`customer_between`] / [`product_between`]; the client reads whatever
//! it gets with [`read_customer`] / [`read_product`], which are tolerant like the rest of this
//! crate (ids as numbers, missing members, unknown states kept as text).

use serde_json::{json, Map, Value};

use crate::convert::{
    characteristic_4to5, each, fill, party_4to5, party_5to4, product_4to5, product_5to4, set_type,
    with_obj,
};
use crate::parties::{read_party, text, Party};
use crate::Version;

/// The role a product's related party has when it names the customer who owns the product.
pub use crate::parties::CUSTOMER_ROLE;

/// The relationship type that makes one installed product part of another (a bundle's child).
pub const BUNDLED: &str = "bundles";

/// Relationship types servers use for a bundle's parts (compared without case).
const BUNDLE_TYPES: &[&str] = &["bundles", "bundled", "contains", "iscontainedin_parent"];

/// The state of an installed product (TMF637 `ProductStatusType`, the same in v4 and v5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ProductStatus {
    /// Ordered, not yet being provided.
    Created,
    /// Being provided.
    PendingActive,
    /// Cancelled before it was active.
    Cancelled,
    /// In service: the only state a change order may act on.
    Active,
    /// Being terminated.
    PendingTerminate,
    /// Out of service for good.
    Terminated,
    /// Temporarily out of service.
    Suspended,
    /// Provisioning was aborted.
    Aborted,
}

impl ProductStatus {
    /// Every status, in the specification's order.
    pub const ALL: [ProductStatus; 8] = [
        ProductStatus::Created,
        ProductStatus::PendingActive,
        ProductStatus::Cancelled,
        ProductStatus::Active,
        ProductStatus::PendingTerminate,
        ProductStatus::Terminated,
        ProductStatus::Suspended,
        ProductStatus::Aborted,
    ];

    /// The name TMF637 writes.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Created => "created",
            ProductStatus::PendingActive => "pendingActive",
            ProductStatus::Cancelled => "cancelled",
            ProductStatus::Active => "active",
            ProductStatus::PendingTerminate => "pendingTerminate",
            ProductStatus::Terminated => "terminated",
            ProductStatus::Suspended => "suspended",
            ProductStatus::Aborted => "aborted",
        }
    }

    /// Reads a status as servers write it (any case, `_`/`-`/spaces between words, the
    /// specification's own `"aborted "` with its trailing space). `None` for an unknown name.
    pub fn parse(text: &str) -> Option<ProductStatus> {
        let key = crate::state::normalise(text);
        ProductStatus::ALL.into_iter().find(|s| crate::state::normalise(s.as_str()) == key)
    }

    /// The status of a product's `status` member, if TMF637 defines it.
    pub fn of(product: &Value) -> Option<ProductStatus> {
        product.get("status").and_then(Value::as_str).and_then(ProductStatus::parse)
    }

    /// A change order may modify or disconnect the product.
    pub fn is_changeable(self) -> bool {
        self == ProductStatus::Active
    }

    /// The product no longer exists for the customer (its price no longer counts).
    pub fn is_gone(self) -> bool {
        matches!(
            self,
            ProductStatus::Cancelled | ProductStatus::Terminated | ProductStatus::Aborted
        )
    }
}

impl std::fmt::Display for ProductStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reference `{id, name}` read from either version.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ref {
    /// The referred entity's id.
    pub id: String,
    /// Its name, when given.
    pub name: Option<String>,
}

/// `{id, name}` without a `name` member when there is none.
fn ref_value(r: &Ref) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(r.id));
    if let Some(n) = &r.name {
        m.insert("name".into(), json!(n));
    }
    Value::Object(m)
}

fn reference_of(v: Option<&Value>) -> Option<Ref> {
    let v = v?;
    Some(Ref { id: text(v.get("id"))?, name: text(v.get("name")) })
}

/// A customer as a list shows it and a search finds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerSummary {
    /// The customer's id.
    pub id: String,
    /// The name: the customer's, else the engaged party's.
    pub name: String,
    /// `status` as written.
    pub status: Option<String>,
    /// Phone numbers of every contact medium.
    pub phones: Vec<String>,
    /// E-mail addresses of every contact medium.
    pub emails: Vec<String>,
    /// The customer's accounts (billing accounts), in order.
    pub accounts: Vec<Ref>,
    /// The party that plays the customer role.
    pub party: Option<Ref>,
    /// `lastUpdate`, when the server keeps one (an extension of the reference server; TMF629
    /// itself has none).
    pub last_update: Option<String>,
}

/// The phone numbers and e-mail addresses of one contact medium of either version.
fn medium_contacts(m: &Value, phones: &mut Vec<String>, emails: &mut Vec<String>) {
    // v4 keeps the values in `characteristic`, v5 on the medium itself.
    let holder = m.get("characteristic").filter(|c| c.is_object()).unwrap_or(m);
    if let Some(p) = text(holder.get("phoneNumber")).filter(|p| !p.trim().is_empty()) {
        phones.push(p);
    }
    if let Some(e) = text(holder.get("emailAddress")).filter(|e| !e.trim().is_empty()) {
        emails.push(e);
    }
}

/// Reads a customer of either version; `None` when it has no id.
pub fn read_customer(v: &Value) -> Option<CustomerSummary> {
    let id = text(v.get("id"))?;
    let engaged = v.get("engagedParty").map(|p| {
        // v4: a flat related party; v5: a `PartyRef` (or a party role reference).
        let party: Party = read_party(&json!({ "partyOrPartyRole": p }));
        party
    });
    let name = text(v.get("name"))
        .filter(|n| !n.trim().is_empty())
        .or_else(|| engaged.as_ref().and_then(|p| p.display_name().map(str::to_owned)))
        .unwrap_or_default();
    let (mut phones, mut emails) = (Vec::new(), Vec::new());
    if let Some(list) = v.get("contactMedium").and_then(Value::as_array) {
        for m in list {
            medium_contacts(m, &mut phones, &mut emails);
        }
    }
    let accounts = v
        .get("account")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|a| reference_of(Some(a))).collect())
        .unwrap_or_default();
    Some(CustomerSummary {
        id,
        name,
        status: text(v.get("status")),
        phones,
        emails,
        accounts,
        party: engaged.and_then(|p| Some(Ref { id: p.id?, name: p.name })),
        last_update: text(v.get("lastUpdate")),
    })
}

/// An installed product as the customer panel and the change operations need it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductSummary {
    /// The product's id.
    pub id: String,
    /// Its name (else its offering's name).
    pub name: Option<String>,
    /// `status` as written.
    pub status_text: Option<String>,
    /// `status`, when TMF637 defines it.
    pub status: Option<ProductStatus>,
    /// The offering it was ordered from.
    pub offering: Option<Ref>,
    /// Its product specification.
    pub specification: Option<Ref>,
    /// The ids of the parties named as its customer (any shape of related party).
    pub customers: Vec<String>,
    /// The billing account it is charged to.
    pub billing_account: Option<Ref>,
    /// `productCharacteristic` entries (`{name, value, ...}`), as written.
    pub characteristics: Vec<Value>,
    /// `productPrice` entries, as written.
    pub prices: Vec<Value>,
    /// The ids of the products it bundles.
    pub children: Vec<String>,
    /// `isBundle`.
    pub is_bundle: bool,
    /// `startDate` as written.
    pub start_date: Option<String>,
    /// `terminationDate` as written.
    pub termination_date: Option<String>,
}

/// The id a product relationship points at, in either version (v4 nests a `product`).
fn relationship_target(r: &Value) -> Option<String> {
    text(r.get("product").and_then(|p| p.get("id"))).or_else(|| text(r.get("id")))
}

/// Whether a relationship makes its target part of the product.
fn is_bundle_relationship(r: &Value) -> bool {
    r.get("relationshipType")
        .and_then(Value::as_str)
        .is_some_and(|t| BUNDLE_TYPES.iter().any(|b| t.trim().eq_ignore_ascii_case(b)))
}

/// Reads an installed product of either version; `None` when it has no id.
pub fn read_product(v: &Value) -> Option<ProductSummary> {
    let id = text(v.get("id"))?;
    let list = |k: &str| v.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let children = v
        .get("productRelationship")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter().filter(|r| is_bundle_relationship(r)).filter_map(relationship_target).collect()
        })
        .unwrap_or_default();
    let customers = crate::parties::related_parties(v)
        .into_iter()
        .filter(Party::is_customer)
        .filter_map(|p| p.id)
        .collect();
    let status_text = text(v.get("status"));
    Some(ProductSummary {
        id,
        name: text(v.get("name")),
        status: status_text.as_deref().and_then(ProductStatus::parse),
        status_text,
        offering: reference_of(v.get("productOffering")),
        specification: reference_of(v.get("productSpecification")),
        customers,
        billing_account: reference_of(v.get("billingAccount")),
        characteristics: list("productCharacteristic"),
        prices: list("productPrice"),
        children,
        is_bundle: matches!(v.get("isBundle"), Some(Value::Bool(true))),
        start_date: text(v.get("startDate")),
        termination_date: text(v.get("terminationDate")),
    })
}

/// The list filter that asks a TMF637 server for the products of one customer, in the
/// server's version (v5 wraps the party in `partyOrPartyRole`).
pub fn customer_products_filter(version: Version) -> &'static str {
    match version {
        Version::V4 => "relatedParty.id",
        Version::V5 => "relatedParty.partyOrPartyRole.id",
    }
}

/// The order-item id paths a product's `productOrderItem` entries name the order with.
pub fn product_order_member(version: Version) -> &'static str {
    match version {
        Version::V4 => "productOrderId",
        Version::V5 => "orderId",
    }
}

// ---- writing ---------------------------------------------------------------------------------

/// What the reference server knows of a customer it creates (demo data, generator).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCustomer {
    /// The id.
    pub id: String,
    /// The customer's name.
    pub name: String,
    /// `status` (`Approved`, `Active`, ...).
    pub status: String,
    /// A phone number, if any.
    pub phone: Option<String>,
    /// An e-mail address, if any.
    pub email: Option<String>,
    /// Street and city of the postal address, if any.
    pub address: Option<(String, String)>,
    /// The customer's billing accounts.
    pub accounts: Vec<Ref>,
    /// When it last changed (RFC 3339).
    pub last_update: String,
}

/// A customer in the stored (v4) shape.
pub fn new_customer(c: &NewCustomer) -> Value {
    let mut media = Vec::new();
    if let Some(p) = &c.phone {
        media.push(json!({"mediumType": "phone", "preferred": true,
            "characteristic": {"contactType": "mobile", "phoneNumber": p}}));
    }
    if let Some(e) = &c.email {
        media.push(json!({"mediumType": "email", "preferred": c.phone.is_none(),
            "characteristic": {"contactType": "email", "emailAddress": e}}));
    }
    if let Some((street, city)) = &c.address {
        media.push(json!({"mediumType": "postalAddress",
            "characteristic": {"contactType": "home", "street1": street, "city": city}}));
    }
    let accounts: Vec<Value> = c
        .accounts
        .iter()
        .map(|a| {
            let mut r = Map::new();
            r.insert("id".into(), json!(a.id));
            r.insert("name".into(), json!(a.name.clone().unwrap_or_else(|| a.id.clone())));
            r.insert("@referredType".into(), json!("BillingAccount"));
            Value::Object(r)
        })
        .collect();
    json!({
        "id": c.id,
        "name": c.name,
        "status": c.status,
        "engagedParty": {"id": format!("P-{}", c.id), "name": c.name, "@referredType": "Individual"},
        "contactMedium": media,
        "account": accounts,
        "lastUpdate": c.last_update,
        "@type": "Customer",
    })
}

/// What the reference server knows of a product it installs (demo data, a completed order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewProduct {
    /// The id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its status.
    pub status: Option<ProductStatus>,
    /// The offering it was ordered from.
    pub offering: Ref,
    /// Its specification, when the catalog names one.
    pub specification: Option<Ref>,
    /// The customer who owns it.
    pub customer: Ref,
    /// The billing account it is charged to.
    pub billing_account: Ref,
    /// `productCharacteristic` entries (`{name, value}`).
    pub characteristics: Vec<Value>,
    /// `productPrice` entries, v4 shape (see [`product_price`]).
    pub prices: Vec<Value>,
    /// The ids of the products it bundles.
    pub children: Vec<String>,
    /// It is a bundle.
    pub is_bundle: bool,
    /// When it started (RFC 3339).
    pub start_date: String,
    /// The order item that made or last changed it: order id, item id, action.
    pub order_item: Option<(String, String, String)>,
}

/// A product in the stored (v4) shape. Every product carries the members the TMF637 v4
/// conformance kit requires of an instance (`billingAccount`, `productCharacteristic`,
/// `productOffering`, `productPrice`, `relatedParty`, `status`), empty lists included.
pub fn new_product(p: &NewProduct) -> Value {
    let mut customer = ref_value(&p.customer);
    if let Some(c) = customer.as_object_mut() {
        c.insert("role".into(), json!(CUSTOMER_ROLE));
        c.insert("@referredType".into(), json!("Customer"));
    }
    let mut m = Map::new();
    m.insert("id".into(), json!(p.id));
    m.insert("name".into(), json!(p.name));
    m.insert("isBundle".into(), json!(p.is_bundle));
    m.insert("isCustomerVisible".into(), json!(true));
    m.insert("status".into(), json!(p.status.unwrap_or(ProductStatus::Active).as_str()));
    m.insert("startDate".into(), json!(p.start_date));
    m.insert("productOffering".into(), ref_value(&p.offering));
    if let Some(s) = &p.specification {
        m.insert("productSpecification".into(), ref_value(s));
    }
    m.insert("billingAccount".into(), ref_value(&p.billing_account));
    m.insert("productCharacteristic".into(), Value::Array(p.characteristics.clone()));
    m.insert("productPrice".into(), Value::Array(p.prices.clone()));
    m.insert(
        "productRelationship".into(),
        Value::Array(
            p.children
                .iter()
                .map(|c| json!({"relationshipType": BUNDLED, "product": {"id": c}}))
                .collect(),
        ),
    );
    m.insert("relatedParty".into(), json!([customer]));
    if let Some((order, item, action)) = &p.order_item {
        m.insert(
            "productOrderItem".into(),
            json!([{"productOrderId": order, "orderItemId": item, "orderItemAction": action}]),
        );
    }
    m.insert("@type".into(), json!("Product"));
    Value::Object(m)
}

/// Records on a stored (v4) product the order item that changed it last.
pub fn set_product_order_item(product: &mut Value, order: &str, item: &str, action: &str) {
    if let Some(m) = product.as_object_mut() {
        m.insert(
            "productOrderItem".into(),
            json!([{"productOrderId": order, "orderItemId": item, "orderItemAction": action}]),
        );
    }
}

/// Adds a bundle child to a stored (v4) product.
pub fn add_product_child(product: &mut Value, child: &str) {
    let Some(m) = product.as_object_mut() else { return };
    let entry = json!({"relationshipType": BUNDLED, "product": {"id": child}});
    match m.get_mut("productRelationship") {
        Some(Value::Array(list)) => list.push(entry),
        _ => {
            m.insert("productRelationship".into(), json!([entry]));
        }
    }
}

/// A `productPrice` entry in the stored (v4) shape: a catalog price carried over.
pub fn product_price(
    name: Option<&str>,
    price_type: &str,
    period: Option<&str>,
    price: Value,
    offering_price: Option<&Ref>,
) -> Value {
    let mut m = Map::new();
    if let Some(n) = name {
        m.insert("name".into(), json!(n));
    }
    m.insert("priceType".into(), json!(price_type));
    if let Some(p) = period {
        m.insert("recurringChargePeriod".into(), json!(p));
    }
    m.insert("price".into(), price);
    if let Some(r) = offering_price {
        m.insert("productOfferingPrice".into(), ref_value(r));
    }
    Value::Object(m)
}

// ---- version conversion ----------------------------------------------------------------------

/// A product's JSON in `from`'s shape brought to `to`'s.
pub fn product_between(mut v: Value, from: Version, to: Version) -> Value {
    let Some(m) = v.as_object_mut() else { return v };
    match (from, to) {
        (Version::V4, Version::V4) => {}
        (Version::V5, Version::V4) => product_5to4(m),
        (_, Version::V5) => {
            product_4to5(m);
            // A product of the inventory is always a value, never a reference.
            m.insert("@type".into(), json!("Product"));
        }
    }
    v
}

/// Contact-medium classes of v5 by v4 `mediumType`.
const MEDIUM_TYPES: &[(&str, &str)] = &[
    ("phone", "PhoneContactMedium"),
    ("mobile", "PhoneContactMedium"),
    ("email", "EmailContactMedium"),
    ("postalAddress", "GeographicAddressContactMedium"),
    ("fax", "FaxContactMedium"),
    ("socialMedia", "SocialContactMedium"),
];

fn medium_4to5(m: &mut Map<String, Value>) {
    let kind = m.shift_remove("mediumType");
    if let Some(Value::Object(chars)) = m.shift_remove("characteristic") {
        for (k, v) in chars {
            if !m.contains_key(&k) && k != "@type" {
                m.insert(k, v);
            }
        }
    }
    let class = kind
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|k| MEDIUM_TYPES.iter().find(|(t, _)| t.eq_ignore_ascii_case(k)))
        .map(|(_, c)| *c);
    let class = class.unwrap_or(if m.contains_key("phoneNumber") {
        "PhoneContactMedium"
    } else if m.contains_key("emailAddress") {
        "EmailContactMedium"
    } else {
        "GeographicAddressContactMedium"
    });
    m.insert("@type".into(), json!(class));
}

/// Members a v5 contact medium keeps on the medium itself (the rest go to v4's
/// `characteristic`).
const MEDIUM_OWN: &[&str] =
    &["id", "preferred", "validFor", "@type", "@baseType", "@schemaLocation"];

fn medium_5to4(m: &mut Map<String, Value>) {
    if m.contains_key("mediumType") {
        return;
    }
    let class = m.get("@type").and_then(Value::as_str).map(str::to_owned);
    let kind = class
        .as_deref()
        .and_then(|c| MEDIUM_TYPES.iter().find(|(_, k)| *k == c))
        .map_or("other", |(t, _)| *t);
    let keys: Vec<String> =
        m.keys().filter(|k| !MEDIUM_OWN.contains(&k.as_str())).cloned().collect();
    let mut chars = Map::new();
    for k in keys {
        if let Some(v) = m.shift_remove(&k) {
            chars.insert(k, v);
        }
    }
    m.shift_remove("@type");
    m.insert("mediumType".into(), json!(kind));
    m.insert("characteristic".into(), Value::Object(chars));
}

/// A customer's JSON in `from`'s shape brought to `to`'s.
pub fn customer_between(mut v: Value, from: Version, to: Version) -> Value {
    let Some(m) = v.as_object_mut() else { return v };
    match (from, to) {
        (Version::V4, Version::V4) => {}
        (Version::V5, Version::V4) => {
            each(m, "contactMedium", medium_5to4);
            with_obj(m, "engagedParty", |p| {
                if p.get("@type").and_then(Value::as_str) == Some("PartyRef") {
                    p.shift_remove("@type");
                }
            });
            each(m, "relatedParty", party_5to4);
        }
        (_, Version::V5) => {
            set_type(m, "Customer", &["customer"]);
            each(m, "contactMedium", medium_4to5);
            with_obj(m, "engagedParty", |p| fill(p, "PartyRef"));
            each(m, "account", |a| fill(a, "AccountRef"));
            each(m, "agreement", |a| fill(a, "AgreementRef"));
            each(m, "characteristic", characteristic_4to5);
            each(m, "creditProfile", |c| fill(c, "CreditProfile"));
            each(m, "paymentMethod", |p| fill(p, "PaymentMethodRef"));
            each(m, "relatedParty", party_4to5);
        }
    }
    v
}

/// A customer creation request in the shape of `version`: the members TMF629 requires
/// (`name`, `engagedParty`) and the contact media given. `party` is the id of the individual
/// or organisation the customer is (TMF632); v4 requires the engaged party to carry one.
pub fn customer_create_payload(
    version: Version,
    name: &str,
    party: &str,
    phone: Option<&str>,
    email: Option<&str>,
) -> Value {
    let stored = new_customer(&NewCustomer {
        id: String::new(),
        name: name.to_owned(),
        status: String::new(),
        phone: phone.map(str::to_owned),
        email: email.map(str::to_owned),
        ..NewCustomer::default()
    });
    let mut v = customer_between(stored, Version::V4, version);
    if let Some(m) = v.as_object_mut() {
        for k in ["id", "status", "lastUpdate", "account"] {
            m.shift_remove(k);
        }
        with_obj(m, "engagedParty", |p| {
            p.insert("id".into(), Value::String(party.to_owned()));
        });
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer() -> Value {
        new_customer(&NewCustomer {
            id: "C1".into(),
            name: "Ada Lovelace".into(),
            status: "Approved".into(),
            phone: Some("+44 20 7946 0001".into()),
            email: Some("ada@example.org".into()),
            address: Some(("1 Analytical Way".into(), "London".into())),
            accounts: vec![Ref { id: "BA-1".into(), name: Some("Ada's bill".into()) }],
            last_update: "2024-01-01T00:00:00Z".into(),
        })
    }

    #[test]
    fn customers_read_the_same_in_both_versions_and_round_trip() {
        let v4 = customer();
        let v5 = customer_between(v4.clone(), Version::V4, Version::V5);
        assert_eq!(v5["contactMedium"][0]["@type"], "PhoneContactMedium");
        assert_eq!(v5["contactMedium"][1]["emailAddress"], "ada@example.org");
        assert_eq!(v5["engagedParty"]["@type"], "PartyRef");
        for v in [&v4, &v5] {
            let c = read_customer(v).unwrap_or_default();
            assert_eq!(c.id, "C1");
            assert_eq!(c.name, "Ada Lovelace");
            assert_eq!(c.phones, ["+44 20 7946 0001"]);
            assert_eq!(c.emails, ["ada@example.org"]);
            assert_eq!(c.accounts[0].id, "BA-1");
        }
        let back = customer_between(v5, Version::V5, Version::V4);
        assert_eq!(back["contactMedium"], v4["contactMedium"]);
        assert_eq!(back["engagedParty"], v4["engagedParty"]);
    }

    #[test]
    fn products_read_the_same_in_both_versions() {
        let p = new_product(&NewProduct {
            id: "P1".into(),
            name: "TMF25".into(),
            status: Some(ProductStatus::Active),
            offering: Ref { id: "14277".into(), name: Some("TMF25".into()) },
            customer: Ref { id: "C1".into(), name: Some("Ada".into()) },
            billing_account: Ref { id: "BA-1".into(), name: None },
            children: vec!["P2".into(), "P3".into()],
            is_bundle: true,
            order_item: Some(("O1".into(), "100".into(), "add".into())),
            ..NewProduct::default()
        });
        let v5 = product_between(p.clone(), Version::V4, Version::V5);
        assert_eq!(v5["productRelationship"][0]["id"], "P2");
        assert_eq!(v5["productOrderItem"][0]["orderId"], "O1");
        assert!(v5["relatedParty"][0].get("partyOrPartyRole").is_some());
        for v in [&p, &v5] {
            let s = read_product(v).unwrap_or_default();
            assert_eq!(s.children, ["P2", "P3"]);
            assert_eq!(s.customers, ["C1"]);
            assert_eq!(s.status, Some(ProductStatus::Active));
            assert_eq!(s.offering.map(|o| o.id).as_deref(), Some("14277"));
        }
        // Back in v4, the product reads as it was (v5's `@type`s stay, as on orders).
        let back = product_between(v5, Version::V5, Version::V4);
        assert_eq!(read_product(&back), read_product(&p));
        assert_eq!(back["productOrderItem"], p["productOrderItem"]);
        assert_eq!(back["relatedParty"][0]["id"], "C1");
    }

    #[test]
    fn statuses_are_read_tolerantly() {
        assert_eq!(ProductStatus::parse("aborted "), Some(ProductStatus::Aborted));
        assert_eq!(ProductStatus::parse("PENDING_ACTIVE"), Some(ProductStatus::PendingActive));
        assert_eq!(ProductStatus::parse("gone"), None);
        assert!(ProductStatus::Active.is_changeable());
        assert!(!ProductStatus::Suspended.is_changeable());
    }

    #[test]
    fn create_payloads_carry_what_tmf629_requires() {
        for v in Version::ALL {
            let p = customer_create_payload(v, "Grace", "P-7", Some("+1 555"), None);
            assert_eq!(p["name"], "Grace");
            assert_eq!(p["engagedParty"]["id"], "P-7");
            assert!(p.get("engagedParty").is_some_and(Value::is_object));
            assert!(p.get("id").is_none());
            assert_eq!(
                read_customer(&json!({"id": "x", "contactMedium": p["contactMedium"]}))
                    .map(|c| c.phones),
                Some(vec!["+1 555".to_owned()])
            );
        }
    }
}
