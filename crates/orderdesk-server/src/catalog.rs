//! The TMF620 catalog the server serves and validates orders against: loaded once from a
//! snapshot file (`{"productOffering":[…],"productOfferingPrice":[…],"productSpecification":[…],
//! "category":[…]}` in TMF620 v4 shape), read-only afterwards. The demo catalog is embedded so
//! the server needs no files at run time. [`generate_catalog`] builds large deterministic
//! catalogs for benchmarks.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::error::ServerError;

/// The demo catalog (TMF25 mobile bundle of the TMF622 user guide, fibre, TV, add-ons).
pub const DEMO_CATALOG: &str = include_str!("../../../assets/catalog/demo.json");

/// The TMF620 resource kinds served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CatalogKind {
    /// `productOffering`
    Offering,
    /// `productOfferingPrice`
    Price,
    /// `productSpecification`
    Specification,
    /// `category`
    Category,
}

impl CatalogKind {
    /// All kinds, in snapshot order.
    pub const ALL: [CatalogKind; 4] = [
        CatalogKind::Offering,
        CatalogKind::Price,
        CatalogKind::Specification,
        CatalogKind::Category,
    ];

    /// The collection name in URLs and in the snapshot.
    pub fn collection(self) -> &'static str {
        match self {
            CatalogKind::Offering => "productOffering",
            CatalogKind::Price => "productOfferingPrice",
            CatalogKind::Specification => "productSpecification",
            CatalogKind::Category => "category",
        }
    }

    /// The `@type` of the resource.
    pub fn type_name(self) -> &'static str {
        match self {
            CatalogKind::Offering => "ProductOffering",
            CatalogKind::Price => "ProductOfferingPrice",
            CatalogKind::Specification => "ProductSpecification",
            CatalogKind::Category => "Category",
        }
    }
}

/// A loaded, indexed catalog.
#[derive(Debug)]
pub struct Catalog {
    resources: HashMap<CatalogKind, Vec<Value>>,
    index: HashMap<(CatalogKind, String), usize>,
    /// The same snapshot indexed by `orderdesk-core` for order validation.
    rules: orderdesk_core::Catalog,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl Catalog {
    /// The embedded demo catalog.
    pub fn demo() -> Result<Self, ServerError> {
        Self::from_json(DEMO_CATALOG)
    }

    /// Reads a snapshot file.
    pub fn load(path: &Path) -> Result<Self, ServerError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ServerError::Catalog(format!("{}: {e}", path.display())))?;
        Self::from_json(&text)
    }

    /// Parses snapshot text.
    pub fn from_json(text: &str) -> Result<Self, ServerError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| ServerError::Catalog(format!("not a JSON snapshot: {e}")))?;
        Self::from_value(v)
    }

    /// Builds from a snapshot value. Entities without an `id` are refused: they could
    /// never be fetched or referenced.
    pub fn from_value(v: Value) -> Result<Self, ServerError> {
        if !v.is_object() {
            return Err(ServerError::Catalog("snapshot must be a JSON object".into()));
        }
        let rules = orderdesk_core::Catalog::from_json(&v)
            .map_err(|e| ServerError::Catalog(e.to_string()))?;
        let Value::Object(mut root) = v else {
            return Err(ServerError::Catalog("snapshot must be a JSON object".into()));
        };
        let mut cat = Catalog { resources: HashMap::new(), index: HashMap::new(), rules };
        for kind in CatalogKind::ALL {
            let items = match root.remove(kind.collection()) {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(a)) => a,
                Some(_) => {
                    return Err(ServerError::Catalog(format!(
                        "'{}' must be an array",
                        kind.collection()
                    )))
                }
            };
            for (i, item) in items.iter().enumerate() {
                let id = text(item, "id").ok_or_else(|| {
                    ServerError::Catalog(format!("{}[{i}] has no string id", kind.collection()))
                })?;
                cat.index.insert((kind, id), i);
            }
            cat.resources.insert(kind, items);
        }
        Ok(cat)
    }

    /// All entities of a kind, in snapshot order.
    pub fn list(&self, kind: CatalogKind) -> &[Value] {
        self.resources.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }

    /// One entity.
    pub fn get(&self, kind: CatalogKind, id: &str) -> Option<&Value> {
        let i = *self.index.get(&(kind, id.to_owned()))?;
        self.resources.get(&kind)?.get(i)
    }

    /// The catalog as `orderdesk-core` validates orders against it.
    pub fn rules(&self) -> &orderdesk_core::Catalog {
        &self.rules
    }
}

/// A deterministic catalog with `offerings` offerings for benchmarks: simple offerings with
/// a specification (one required characteristic with allowed values, one free one), a
/// recurring and a one-time price, spread over 20 categories, and one bundle per 50
/// offerings grouping the preceding ones with min/max cardinality.
pub fn generate_catalog(offerings: usize) -> Value {
    const CATEGORIES: usize = 20;
    let base = "https://catalog.example.com/tmf-api/productCatalogManagement/v4";
    let lu = |i: usize| {
        let day = (i % 28).saturating_add(1);
        let sec = i % 60;
        format!("2026-01-{day:02}T08:00:{sec:02}Z")
    };
    let mut cats = Vec::with_capacity(CATEGORIES);
    for c in 0..CATEGORIES {
        let id = format!("gen-cat-{c}");
        cats.push(json!({
            "id": id, "href": format!("{base}/category/{id}"), "name": format!("Category {c}"),
            "isRoot": true, "lifecycleStatus": "Active", "lastUpdate": lu(c), "@type": "Category"
        }));
    }
    let mut offers = Vec::with_capacity(offerings);
    let mut specs = Vec::with_capacity(offerings);
    let mut prices = Vec::with_capacity(offerings.saturating_mul(2));
    for i in 0..offerings {
        let oid = format!("gen-po-{i}");
        let sid = format!("gen-ps-{i}");
        let cat_id = format!("gen-cat-{}", i % CATEGORIES);
        let is_bundle = i % 50 == 49;
        if is_bundle {
            let children: Vec<Value> = (i.saturating_sub(49)..i.saturating_sub(44))
                .map(|c| {
                    json!({"id": format!("gen-po-{c}"), "href": format!("{base}/productOffering/gen-po-{c}"),
                        "bundledProductOfferingOption": {"numberRelOfferLowerLimit": usize::from(c % 5 == 0),
                        "numberRelOfferUpperLimit": (c % 3).saturating_add(1)}})
                })
                .collect();
            specs.push(json!({"id": sid, "href": format!("{base}/productSpecification/{sid}"),
                "name": format!("Bundle spec {i}"), "isBundle": true, "lifecycleStatus": "Active",
                "lastUpdate": lu(i), "productSpecCharacteristic": [], "@type": "ProductSpecification"}));
            offers.push(json!({"id": oid, "href": format!("{base}/productOffering/{oid}"),
                "name": format!("Bundle {i}"), "isBundle": true, "isSellable": true,
                "lifecycleStatus": "Active", "lastUpdate": lu(i),
                "category": [{"id": cat_id, "href": format!("{base}/category/{cat_id}")}],
                "productSpecification": {"id": sid, "href": format!("{base}/productSpecification/{sid}")},
                "bundledProductOffering": children, "@type": "ProductOffering"}));
            continue;
        }
        specs.push(json!({"id": sid, "href": format!("{base}/productSpecification/{sid}"),
            "name": format!("Specification {i}"), "isBundle": false, "lifecycleStatus": "Active",
            "lastUpdate": lu(i), "productSpecCharacteristic": [
                {"name": "SPEED", "valueType": "string", "minCardinality": 1, "maxCardinality": 1,
                 "productSpecCharacteristicValue": [{"value": "Standard"}, {"value": "Fast"}, {"value": "Ultra"}]},
                {"name": "NOTE", "valueType": "string", "minCardinality": 0, "maxCardinality": 1}
            ], "@type": "ProductSpecification"}));
        let rec = format!("gen-pop-{i}-r");
        let one = format!("gen-pop-{i}-o");
        // Cents from the index keep the amounts exact decimals without floating point.
        let monthly = format!("{}.{:02}", (i % 45).saturating_add(5), i % 100);
        let fee = format!("{}.{:02}", i % 20, i.wrapping_mul(7) % 100);
        let amount = |s: &str| -> Value {
            serde_json::from_str::<Value>(s).unwrap_or_else(|_| Value::String(s.to_owned()))
        };
        prices.push(json!({"id": rec, "href": format!("{base}/productOfferingPrice/{rec}"),
            "name": format!("Monthly fee {i}"), "priceType": "recurring", "recurringChargePeriodType": "month",
            "recurringChargePeriodLength": 1, "price": {"unit": "EUR", "value": amount(&monthly)},
            "lifecycleStatus": "Active", "lastUpdate": lu(i), "@type": "ProductOfferingPrice"}));
        prices.push(json!({"id": one, "href": format!("{base}/productOfferingPrice/{one}"),
            "name": format!("Activation fee {i}"), "priceType": "oneTime",
            "price": {"unit": "EUR", "value": amount(&fee)},
            "lifecycleStatus": "Active", "lastUpdate": lu(i), "@type": "ProductOfferingPrice"}));
        let mut o = Map::new();
        o.insert("id".into(), json!(oid));
        o.insert("href".into(), json!(format!("{base}/productOffering/{oid}")));
        o.insert("name".into(), json!(format!("Offering {i}")));
        o.insert("description".into(), json!(format!("Generated offering number {i}")));
        o.insert("isBundle".into(), json!(false));
        o.insert("isSellable".into(), json!(true));
        o.insert("lifecycleStatus".into(), json!("Active"));
        o.insert("lastUpdate".into(), json!(lu(i)));
        o.insert(
            "category".into(),
            json!([{"id": cat_id, "href": format!("{base}/category/{cat_id}")}]),
        );
        o.insert(
            "productSpecification".into(),
            json!({"id": sid, "href": format!("{base}/productSpecification/{sid}")}),
        );
        o.insert(
            "productOfferingPrice".into(),
            json!([
            {"id": rec, "href": format!("{base}/productOfferingPrice/{rec}")},
            {"id": one, "href": format!("{base}/productOfferingPrice/{one}")}]),
        );
        o.insert("@type".into(), json!("ProductOffering"));
        offers.push(Value::Object(o));
    }
    json!({"productOffering": offers, "productOfferingPrice": prices,
           "productSpecification": specs, "category": cats})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_catalog_has_the_guide_offerings() -> Result<(), ServerError> {
        let c = Catalog::demo()?;
        assert!(c.list(CatalogKind::Offering).len() >= 40);
        let tmf25 =
            c.get(CatalogKind::Offering, "14277").ok_or(ServerError::Catalog("14277".into()))?;
        assert_eq!(tmf25["name"], "TMF25");
        assert_eq!(tmf25["bundledProductOffering"].as_array().map(Vec::len), Some(3));
        let tel = c
            .get(CatalogKind::Specification, "14307")
            .ok_or(ServerError::Catalog("14307".into()))?;
        assert_eq!(tel["productSpecCharacteristic"][0]["name"], "TEL_MSISDN");
        assert_eq!(tel["productSpecCharacteristic"][0]["minCardinality"].to_string(), "1");
        assert!(c.rules().offering("14354").is_some());
        let discount =
            c.get(CatalogKind::Price, "14346").ok_or(ServerError::Catalog("14346".into()))?;
        assert_eq!(discount["priceType"], "discount");
        assert_eq!(discount["percentage"].to_string(), "20");
        for kind in CatalogKind::ALL {
            assert!(c.list(kind).iter().all(|v| v.get("lastUpdate").is_some()));
        }
        Ok(())
    }

    #[test]
    fn generator_is_deterministic_and_loadable() -> Result<(), ServerError> {
        let a = generate_catalog(120);
        assert_eq!(a, generate_catalog(120));
        let c = Catalog::from_value(a)?;
        assert_eq!(c.list(CatalogKind::Offering).len(), 120);
        let bundle = c
            .get(CatalogKind::Offering, "gen-po-49")
            .ok_or(ServerError::Catalog("bundle".into()))?;
        assert_eq!(bundle["bundledProductOffering"].as_array().map(Vec::len), Some(5));
        let p =
            c.get(CatalogKind::Price, "gen-pop-7-r").ok_or(ServerError::Catalog("price".into()))?;
        assert_eq!(p["price"]["value"].to_string(), "12.07");
        Ok(())
    }

    #[test]
    fn bad_snapshots_are_errors() {
        assert!(Catalog::from_json("[]").is_err());
        assert!(Catalog::from_json("{\"productOffering\":[{\"name\":\"x\"}]}").is_err());
        assert!(Catalog::from_json("{\"productOffering\":{}}").is_err());
        assert!(Catalog::from_json("not json").is_err());
    }
}
