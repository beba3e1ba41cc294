//! TMF629 customers and TMF637 installed products: the data set the server starts with (the
//! demo set, or a generated large one), the indexes that answer a customer's products without
//! scanning the inventory, and the order lifecycle's effect on it: a completed order's `add`
//! items create products (characteristics, bundle relationships, offering, prices, status
//! `active`), `modify` items change them, `delete` items terminate them and what they bundle.
//!
//! Stored in v4 shape like orders (`orderdesk_wire::inventory::new_customer` /
//! `new_product`), rendered per request version. The inventory lives in memory: it is seeded
//! at start-up and the orders completed since change it. Each document is kept as compact JSON
//! text and parsed when it is read: a `serde_json::Value` tree costs several times its text, and
//! a generated set of 500,000 products would otherwise take gigabytes.
//!
//! Everything here is deterministic: the same source gives the same customers and products
//! (ids, names, numbers), so the conformance kit and the tests can pin what they see.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use orderdesk_core::Order;
use orderdesk_wire::inventory::{
    add_product_child, new_customer, new_product, product_price, read_product,
    set_product_order_item, NewCustomer, NewProduct, ProductStatus, Ref,
};
use orderdesk_wire::parties;
use serde_json::{json, Value};

use crate::lifecycle::now;

/// The version whose shape customers and products are stored in; a request in another version
/// gets them converted (`orderdesk_wire::inventory::*_between`).
pub const STORED: orderdesk_wire::Version = orderdesk_wire::Version::V4;

/// How many customers the demo data set has.
pub const DEMO_CUSTOMERS: usize = 300;

/// The installed products of one customer a change may walk (a disconnect's descendants).
const MAX_DESCENDANTS: usize = orderdesk_core::limits::MAX_INVENTORY_PRODUCTS;

/// Where the customers and products come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InventorySource {
    /// The demo data set: [`DEMO_CUSTOMERS`] customers with their products.
    #[default]
    Demo,
    /// None at all.
    Empty,
    /// A generated set of this many customers and (about) this many products.
    Generated {
        /// Customers.
        customers: usize,
        /// Products, spread over the customers.
        products: usize,
    },
}

/// A stored document: compact JSON text.
pub type Doc = Box<str>;

/// The document a stored text holds (`None` only if it was not written by [`doc_of`]).
pub fn parse_doc(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

fn doc_of(v: &Value) -> Doc {
    v.to_string().into_boxed_str()
}

#[derive(Default)]
struct Data {
    customers: Vec<Doc>,
    customer_at: HashMap<String, usize>,
    products: Vec<Doc>,
    product_at: HashMap<String, usize>,
    by_customer: HashMap<String, Vec<usize>>,
    next_product: u64,
    next_customer: u64,
}

/// Customers and products, behind one lock.
#[derive(Default)]
pub struct Inventory {
    data: RwLock<Data>,
}

const GIVEN: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Margaret",
    "Ken",
    "Radia",
    "Linus",
    "Frances",
    "Niklaus",
    "Hedy",
    "Tim",
    "Katherine",
    "John",
    "Sophie",
    "Dennis",
    "Annie",
    "Claude",
    "Karen",
    "Leslie",
    "Jean",
    "Tony",
    "Mary",
    "Fernando",
    "Shafi",
    "Yukihiro",
    "Lena",
    "Marta",
];
const FAMILY: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Thompson",
    "Perlman",
    "Torvalds",
    "Allen",
    "Wirth",
    "Lamarr",
    "Berners-Lee",
    "Johnson",
    "McCarthy",
    "Wilson",
    "Ritchie",
    "Easley",
    "Shannon",
    "Spärck Jones",
    "Lamport",
    "Sammet",
    "Hoare",
    "Keller",
    "Corbató",
    "Goldwasser",
    "Matsumoto",
    "Meier",
    "Schmidt",
];
const CITIES: &[&str] = &["Berlin", "Hamburg", "München", "Köln", "London", "Paris", "Wien"];

/// What a customer has, by pattern: (bundle offering, children), or standalone offerings.
enum Pattern {
    Bundle(&'static str, &'static [&'static str]),
    Single(&'static str),
}

const PATTERNS: &[Pattern] = &[
    // TMF25: a mobile line and its tariff plan.
    Pattern::Bundle("14277", &["14305", "14344"]),
    // Fibre Home with a WiFi 6 router.
    Pattern::Bundle("20059", &["20019", "20026"]),
    Pattern::Single("20006"),
    // TMF25 with coverage options.
    Pattern::Bundle("14277", &["14305", "14344", "14354"]),
    Pattern::Single("20038"),
    Pattern::Single("20078"),
];

fn pick<'a>(list: &[&'a str], n: usize) -> &'a str {
    list.get(n.checked_rem(list.len()).unwrap_or(0)).copied().unwrap_or_default()
}

fn customer_id(n: usize) -> String {
    format!("CUST-{:06}", n.saturating_add(1))
}

fn demo_customer(n: usize) -> NewCustomer {
    let given = pick(GIVEN, n);
    let family = pick(FAMILY, n.checked_div(GIVEN.len()).unwrap_or(0).saturating_add(n));
    let id = customer_id(n);
    let account = Ref {
        id: format!("BA-{:06}", n.saturating_add(1)),
        name: Some(format!("{given} {family}")),
    };
    NewCustomer {
        id,
        name: format!("{given} {family}"),
        status: if n % 29 == 28 { "Suspended".into() } else { "Approved".into() },
        phone: Some(format!("+49 30 {:04} {:04}", (n / 10_000) % 10_000, n % 10_000)),
        email: Some(format!(
            "{}.{}{}@example.org",
            given.to_lowercase(),
            family.to_lowercase().replace(' ', "-"),
            n
        )),
        address: Some((
            format!("{} Hauptstraße", (n % 200).saturating_add(1)),
            pick(CITIES, n).to_owned(),
        )),
        accounts: vec![account],
        last_update: "2024-01-01T00:00:00.000Z".into(),
    }
}

/// A characteristic value the catalog requires of some offerings.
fn default_characteristics(offering: &str, n: usize) -> Vec<Value> {
    match offering {
        "14305" => vec![json!({"name": "TEL_MSISDN", "valueType": "string",
            "value": format!("415 {:03} {:04}", (n / 10_000) % 1000, n % 10_000)})],
        "14354" => {
            vec![json!({"name": "CoverageOptions", "valueType": "string", "value": "National"})]
        }
        _ => Vec::new(),
    }
}

/// The product prices of an offering, as its catalog prices are (list prices, not
/// alterations), tax included.
fn offering_prices(catalog: &orderdesk_core::Catalog, offering: &str) -> Vec<Value> {
    let Some(o) = catalog.offering(offering) else { return Vec::new() };
    o.price_ids
        .iter()
        .filter_map(|id| catalog.prices.get(id))
        .filter(|p| !p.is_alteration())
        .filter_map(|p| {
            let amount: Value = serde_json::from_str(&p.amount?.to_string()).ok()?;
            let money = json!({"unit": p.currency.clone().unwrap_or_default(), "value": amount});
            Some(product_price(
                p.name.as_deref(),
                p.price_type.as_deref().unwrap_or("recurring"),
                p.period.as_deref(),
                json!({"taxIncludedAmount": money}),
                Some(&Ref { id: p.id.clone(), name: p.name.clone() }),
            ))
        })
        .collect()
}

impl Data {
    fn add_customer(&mut self, c: &Value) {
        let Some(id) = c.get("id").and_then(Value::as_str).map(str::to_owned) else { return };
        match self.customer_at.get(&id) {
            Some(&at) => {
                if let Some(slot) = self.customers.get_mut(at) {
                    *slot = doc_of(c);
                }
            }
            None => {
                self.customer_at.insert(id, self.customers.len());
                self.customers.push(doc_of(c));
            }
        }
    }

    fn add_product(&mut self, p: Value) {
        let Some(s) = read_product(&p) else { return };
        if self.product_at.contains_key(&s.id) {
            return;
        }
        let at = self.products.len();
        for c in s.customers {
            self.by_customer.entry(c).or_default().push(at);
        }
        self.product_at.insert(s.id, at);
        self.products.push(doc_of(&p));
    }

    fn product(&self, id: &str) -> Option<Value> {
        self.product_at.get(id).and_then(|&at| self.products.get(at)).and_then(|t| parse_doc(t))
    }

    /// Changes a stored product; false when there is none with that id.
    fn update_product(&mut self, id: &str, change: impl FnOnce(&mut Value)) -> bool {
        let Some(slot) = self.product_at.get(id).and_then(|&at| self.products.get_mut(at)) else {
            return false;
        };
        let Some(mut p) = parse_doc(slot) else { return false };
        change(&mut p);
        *slot = doc_of(&p);
        true
    }

    fn new_product_id(&mut self) -> String {
        self.next_product = self.next_product.saturating_add(1);
        format!("PRD-{:07}", self.next_product)
    }

    /// Installs one pattern for customer `n`; returns how many products it made.
    #[allow(clippy::too_many_arguments)]
    fn install(
        &mut self,
        catalog: &orderdesk_core::Catalog,
        customer: &Ref,
        account: &Ref,
        pattern: &Pattern,
        n: usize,
        start: &str,
    ) -> usize {
        let make = |d: &mut Data, offering: &str, children: Vec<String>, status: ProductStatus| {
            let o = catalog.offering(offering);
            let name = o.and_then(|o| o.name.clone()).unwrap_or_else(|| offering.to_owned());
            let id = d.new_product_id();
            d.add_product(new_product(&NewProduct {
                id: id.clone(),
                name: name.clone(),
                status: Some(status),
                offering: Ref { id: offering.to_owned(), name: Some(name) },
                specification: o
                    .and_then(|o| o.specification_id.clone())
                    .map(|id| Ref { id, name: None }),
                customer: customer.clone(),
                billing_account: account.clone(),
                characteristics: default_characteristics(offering, n),
                prices: offering_prices(catalog, offering),
                is_bundle: !children.is_empty(),
                children,
                start_date: start.to_owned(),
                order_item: None,
            }));
            id
        };
        match pattern {
            Pattern::Single(offering) => {
                let status = match n % 23 {
                    7 => ProductStatus::Suspended,
                    13 => ProductStatus::Terminated,
                    _ => ProductStatus::Active,
                };
                make(self, offering, Vec::new(), status);
                1
            }
            Pattern::Bundle(offering, children) => {
                let ids: Vec<String> = children
                    .iter()
                    .map(|c| make(self, c, Vec::new(), ProductStatus::Active))
                    .collect();
                let count = ids.len().saturating_add(1);
                make(self, offering, ids, ProductStatus::Active);
                count
            }
        }
    }
}

impl Inventory {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Data> {
        // Every change is a whole insert or replace: a panic cannot leave it half done.
        self.data.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Data> {
        self.data.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The inventory a source gives, its products built from `catalog`'s offerings.
    pub fn seeded(source: InventorySource, catalog: &orderdesk_core::Catalog) -> Inventory {
        let (customers, products) = match source {
            InventorySource::Empty => (0, 0),
            InventorySource::Demo => (DEMO_CUSTOMERS, usize::MAX),
            InventorySource::Generated { customers, products } => (customers, products),
        };
        let mut d = Data::default();
        let start = "2024-01-15T09:00:00.000Z";
        let mut made = 0usize;
        let mut accounts = Vec::with_capacity(customers);
        for n in 0..customers {
            let c = demo_customer(n);
            accounts.push((
                Ref { id: c.id.clone(), name: Some(c.name.clone()) },
                c.accounts.first().cloned().unwrap_or_default(),
            ));
            d.add_customer(&new_customer(&c));
        }
        d.next_customer = u64::try_from(customers).unwrap_or(u64::MAX);
        // One pattern per customer and round, until the products are made (the demo set: one
        // round; the first customer always has a TMF25 bundle).
        let rounds = if products == usize::MAX { 1 } else { usize::MAX };
        'rounds: for round in 0..rounds {
            if customers == 0 {
                break;
            }
            for (n, (customer, account)) in accounts.iter().enumerate() {
                if made >= products {
                    break 'rounds;
                }
                let pattern = PATTERNS
                    .get(
                        n.wrapping_add(round.wrapping_mul(5))
                            .checked_rem(PATTERNS.len())
                            .unwrap_or(0),
                    )
                    .unwrap_or(&Pattern::Single("20006"));
                made =
                    made.saturating_add(d.install(catalog, customer, account, pattern, n, start));
            }
        }
        Inventory { data: RwLock::new(d) }
    }

    /// How many customers and products it holds.
    pub fn counts(&self) -> (usize, usize) {
        let d = self.read();
        (d.customers.len(), d.products.len())
    }

    /// Runs `f` on every customer ([`parse_doc`] reads one), in the order they were made.
    pub fn with_customers<R>(&self, f: impl FnOnce(&[Doc]) -> R) -> R {
        f(&self.read().customers)
    }

    /// Runs `f` on every product ([`parse_doc`] reads one), in the order they were made.
    pub fn with_products<R>(&self, f: impl FnOnce(&[Doc]) -> R) -> R {
        f(&self.read().products)
    }

    /// The products of the given customers (each once), in the order they were made.
    pub fn products_of(&self, customers: &[&str]) -> Vec<Value> {
        let d = self.read();
        let mut at: Vec<usize> =
            customers.iter().filter_map(|c| d.by_customer.get(*c)).flatten().copied().collect();
        at.sort_unstable();
        at.dedup();
        at.into_iter().filter_map(|i| d.products.get(i)).filter_map(|t| parse_doc(t)).collect()
    }

    /// A customer by id.
    pub fn customer(&self, id: &str) -> Option<Value> {
        let d = self.read();
        d.customer_at.get(id).and_then(|&at| d.customers.get(at)).and_then(|t| parse_doc(t))
    }

    /// A product by id.
    pub fn product(&self, id: &str) -> Option<Value> {
        self.read().product(id)
    }

    /// Stores a new customer (v4 shape, without id): gives it an id and `lastUpdate`.
    pub fn create_customer(&self, mut c: Value) -> Value {
        let mut d = self.write();
        d.next_customer = d.next_customer.saturating_add(1);
        let id = format!("CUST-{:06}", d.next_customer);
        if let Some(m) = c.as_object_mut() {
            m.insert("id".into(), json!(id));
            m.entry("status").or_insert_with(|| json!("Initialized"));
            m.insert("lastUpdate".into(), json!(now()));
        }
        d.add_customer(&c);
        c
    }

    /// The installed products an order's items name, as the core's inventory checks take
    /// them. An order that does not import names none (the structure checks refuse it).
    pub fn checked_by(&self, order: &Value) -> orderdesk_core::Inventory {
        let Ok(order) = Order::from_json(order.clone()) else {
            return orderdesk_core::Inventory::default();
        };
        let mut ids = Vec::new();
        order.walk(|item, _, _| {
            if let Some(id) = item.product_id() {
                ids.push(id.to_owned());
            }
        });
        let d = self.read();
        let named: Vec<Value> = ids.iter().filter_map(|id| d.product(id)).collect();
        orderdesk_core::Inventory::from_json(named.iter())
    }

    /// Applies a finished order (stored, v4 shape) to the inventory: every completed item's
    /// action. Returns the ids of the products made or changed.
    pub fn apply_order(&self, stored: &Value, catalog: &orderdesk_core::Catalog) -> Vec<String> {
        let Ok(order) = Order::from_json(stored.clone()) else { return Vec::new() };
        let order_id = stored.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        let Some(customer) = parties::customer(stored)
            .and_then(|p| Some(Ref { id: p.id.filter(|i| !i.trim().is_empty())?, name: p.name }))
        else {
            return Vec::new();
        };
        let mut d = self.write();
        let account_id = stored
            .get("billingAccount")
            .and_then(|b| b.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                let c = d.customer_at.get(&customer.id).and_then(|&at| d.customers.get(at))?;
                let c = parse_doc(c)?;
                orderdesk_wire::inventory::read_customer(&c)?.accounts.first().map(|a| a.id.clone())
            })
            .unwrap_or_else(|| format!("BA-{}", customer.id));
        let account = Ref { id: account_id, name: None };
        let at = now();
        // The product each item made or acts on, by item id (parents come before children).
        let mut product_of: HashMap<String, String> = HashMap::new();
        let mut changed = Vec::new();
        let mut items = Vec::new();
        order.walk(|item, parent, _| items.push((item.clone(), parent.map(|p| p.id.clone()))));
        for (item, parent) in items {
            let completed = item.fields.get("state").and_then(Value::as_str) == Some("completed");
            let action = item.action().unwrap_or("add");
            if !completed {
                continue;
            }
            match action {
                "add" => {
                    let Some(offering) = item.offering_id() else { continue };
                    let o = catalog.offering(offering);
                    let name =
                        o.and_then(|o| o.name.clone()).unwrap_or_else(|| offering.to_owned());
                    let id = d.new_product_id();
                    d.add_product(new_product(&NewProduct {
                        id: id.clone(),
                        name: name.clone(),
                        status: Some(ProductStatus::Active),
                        offering: Ref { id: offering.to_owned(), name: Some(name) },
                        specification: o
                            .and_then(|o| o.specification_id.clone())
                            .map(|id| Ref { id, name: None }),
                        customer: customer.clone(),
                        billing_account: account.clone(),
                        characteristics: item.characteristics().to_vec(),
                        prices: offering_prices(catalog, offering),
                        is_bundle: o.is_some_and(|o| o.is_bundle),
                        children: Vec::new(),
                        start_date: at.clone(),
                        order_item: Some((order_id.clone(), item.id.clone(), "add".into())),
                    }));
                    if let Some(parent_product) = parent.and_then(|p| product_of.get(&p)).cloned() {
                        d.update_product(&parent_product, |pp| add_product_child(pp, &id));
                    }
                    product_of.insert(item.id.clone(), id.clone());
                    changed.push(id);
                }
                "modify" | "noChange" | "delete" => {
                    let Some(pid) = item.product_id().map(str::to_owned) else { continue };
                    product_of.insert(item.id.clone(), pid.clone());
                    if action == "noChange" {
                        continue;
                    }
                    let targets = if action == "delete" { d.descendants(&pid) } else { vec![pid] };
                    for t in targets {
                        let done = d.update_product(&t, |p| {
                            if action == "delete" {
                                set_member(p, "status", json!(ProductStatus::Terminated.as_str()));
                                set_member(p, "terminationDate", json!(at));
                            } else {
                                merge_characteristics(p, item.characteristics());
                            }
                            set_product_order_item(p, &order_id, &item.id, action);
                        });
                        if done {
                            changed.push(t);
                        }
                    }
                }
                _ => {}
            }
        }
        changed
    }
}

impl Data {
    /// A product and everything it bundles, each once, at most [`MAX_DESCENDANTS`].
    fn descendants(&self, id: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![id.to_owned()];
        while let Some(next) = stack.pop() {
            if out.len() >= MAX_DESCENDANTS || !seen.insert(next.clone()) {
                continue;
            }
            let children = self
                .product(&next)
                .and_then(|p| read_product(&p))
                .map(|p| p.children)
                .unwrap_or_default();
            if self.product_at.contains_key(&next) {
                out.push(next);
            }
            stack.extend(children);
        }
        out
    }
}

fn set_member(v: &mut Value, key: &str, value: Value) {
    if let Some(m) = v.as_object_mut() {
        m.insert(key.into(), value);
    }
}

/// Sets each given characteristic on a stored product (by name; new names are added).
fn merge_characteristics(product: &mut Value, given: &[Value]) {
    let Some(m) = product.as_object_mut() else { return };
    let list = m.entry("productCharacteristic").or_insert_with(|| json!([]));
    let Some(list) = list.as_array_mut() else { return };
    for c in given {
        let Some(name) = c.get("name").and_then(Value::as_str) else { continue };
        match list.iter_mut().find(|x| x.get("name").and_then(Value::as_str) == Some(name)) {
            Some(existing) => *existing = c.clone(),
            None => list.push(c.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> crate::Catalog {
        crate::Catalog::demo().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_demo_set_is_deterministic_and_the_first_customer_has_a_tmf25_bundle() {
        let cat = catalog();
        let a = Inventory::seeded(InventorySource::Demo, cat.rules());
        let b = Inventory::seeded(InventorySource::Demo, cat.rules());
        assert_eq!(a.counts(), b.counts());
        let (customers, products) = a.counts();
        assert_eq!(customers, DEMO_CUSTOMERS);
        assert!(products > customers, "{products}");
        let first = a.products_of(&["CUST-000001"]);
        let bundle = first.iter().find(|p| p["productOffering"]["id"] == "14277");
        assert!(
            bundle.is_some_and(|b| b["productRelationship"].as_array().map(Vec::len) == Some(2))
        );
        assert!(first.iter().any(|p| p["productOffering"]["id"] == "14344"
            && p["productPrice"][0]["price"]["taxIncludedAmount"]["value"] == json!(20)));
    }

    #[test]
    fn generated_sets_reach_their_counts() {
        let cat = catalog();
        let inv = Inventory::seeded(
            InventorySource::Generated { customers: 1_000, products: 5_000 },
            cat.rules(),
        );
        let (c, p) = inv.counts();
        assert_eq!(c, 1_000);
        // The last pattern may bring a few more than asked.
        assert!((5_000..5_004).contains(&p), "{p}");
    }
}
