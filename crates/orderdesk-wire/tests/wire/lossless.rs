//! Exact numbers, dates, extras, tolerant reading.

use orderdesk_wire::catalog::CatalogSnapshot;
use orderdesk_wire::common::Money;
use orderdesk_wire::{parse_order, v4, v5, AnyProductOrder, Version, WireDateTime};
use rust_decimal::Decimal;
use serde_json::Value;

#[test]
fn numbers_keep_their_text_in_modelled_and_extra_positions() {
    let text = r#"{"value": 20.00, "unit": "EUR", "x": 0.1234567890123456789}"#;
    let money: Money = serde_json::from_str(text).unwrap_or_default();
    assert_eq!(money.value, Some(Decimal::new(2000, 2)));
    assert_eq!(money.value.map(|d| d.scale()), Some(2), "scale must survive: read from text");
    let out = serde_json::to_string(&money).unwrap_or_default();
    assert_eq!(out, r#"{"value":20.00,"unit":"EUR","x":0.1234567890123456789}"#);
}

#[test]
fn decimal_beyond_f64_precision_is_exact() {
    // 0.1234567890123456789 has more digits than f64 keeps; via f64 it would become 0.12345678901234568.
    let money: Money =
        serde_json::from_str(r#"{"value": 0.1234567890123456789}"#).unwrap_or_default();
    assert_eq!(money.value.map(|d| d.to_string()), Some("0.1234567890123456789".to_owned()));
}

#[test]
fn nested_extras_keep_exact_numbers_through_an_order() {
    let text = r#"{"productOrderItem":[{"id":"1","action":"add","itemPrice":[{"price":{"taxIncludedAmount":{"unit":"EUR","value":20.00},"x":0.1234567890123456789}}]}],"orderCharacteristics":[{"v":123456789012345678901234567890.000001}]}"#;
    let order = parse_order(text).unwrap_or_else(|e| panic!("{e}"));
    let out = serde_json::to_string(&order).unwrap_or_default();
    assert_eq!(out, text);
}

#[test]
fn dates_keep_the_server_text() {
    let text = r#"{"orderDate":"2019-05-02T10:13:59.5+02:00","productOrderItem":[{"id":"1","action":"add"}]}"#;
    let order = parse_order(text).unwrap_or_else(|e| panic!("{e}"));
    let AnyProductOrder::V4(o) = &order else { panic!("expected v4") };
    let d = o.order_date.clone().unwrap_or_else(|| WireDateTime::from_text(""));
    assert_eq!(d.as_str(), "2019-05-02T10:13:59.5+02:00");
    assert_eq!(d.parse().map(|t| t.to_rfc3339()), Some("2019-05-02T08:13:59.500+00:00".to_owned()));
    assert_eq!(serde_json::to_string(&order).unwrap_or_default(), text);
    let created = WireDateTime::from_utc(chrono::DateTime::UNIX_EPOCH);
    assert_eq!(created.as_str(), "1970-01-01T00:00:00.000Z");
}

#[test]
fn tolerant_reading_never_fails_on_content() {
    let text = r#"{"@type":"productOrder","priority":1,"productOrderItem":[{"id":7,"action":"add","quantity":"2",
        "product":{"isBundle":"true","productCharacteristic":"oops"}}],"relatedParty":{"not":"a list"}}"#;
    let order = parse_order(text).unwrap_or_else(|e| panic!("{e}"));
    let AnyProductOrder::V4(o) = &order else { panic!("expected v4") };
    assert_eq!(o.priority.as_deref(), Some("1"));
    let item = o.product_order_item.as_ref().and_then(|i| i.first()).cloned().unwrap_or_default();
    assert_eq!(item.id.as_deref(), Some("7"));
    assert_eq!(item.quantity, Some(2));
    assert_eq!(item.product.as_ref().and_then(|p| p.is_bundle), Some(true));
    // The list of the wrong type is kept verbatim, not dropped.
    assert!(o.related_party.is_none());
    assert!(o.extra.contains_key("relatedParty"));
    // Written back exactly as read.
    let again: Value = serde_json::from_str(&serde_json::to_string(&order).unwrap_or_default())
        .unwrap_or_default();
    let orig: Value = serde_json::from_str(text).unwrap_or_default();
    assert_eq!(again, orig);
    // Converting produces canonical values.
    let v5 = order.to_value(Version::V5);
    assert_eq!(v5.pointer("/productOrderItem/0/quantity"), Some(&Value::from(2)));
    assert_eq!(v5.pointer("/@type"), Some(&Value::from("ProductOrder")));
}

#[test]
fn not_an_object_is_a_shape_error() {
    let err = parse_order("[1,2]").err().map(|e| orderdesk_wire::ErrorCode::code(&e));
    assert_eq!(err, Some("wire.shape"));
    let err = parse_order("{\"a\":").err().map(|e| orderdesk_wire::ErrorCode::code(&e));
    assert_eq!(err, Some("input.not_json"));
}

#[test]
fn null_members_are_kept() {
    let text = r#"{"state":null,"productOrderItem":[{"id":"1","action":"add","quantity":null}]}"#;
    let order = parse_order(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(serde_json::to_string(&order).unwrap_or_default(), text);
}

#[test]
fn modified_values_are_written_canonically() {
    let mut o: v4::ProductOrder =
        serde_json::from_str(r#"{"priority":1,"productOrderItem":[]}"#).unwrap_or_default();
    assert_eq!(o.to_value().get("priority"), Some(&Value::from(1)));
    o.priority = Some("2".into());
    assert_eq!(o.to_value().get("priority"), Some(&Value::from("2")));
}

#[test]
fn structs_build_with_defaults() {
    let order = v5::ProductOrder {
        at_type: Some("ProductOrder".into()),
        product_order_item: Some(vec![v5::ProductOrderItem {
            id: Some("1".into()),
            action: Some("add".into()),
            at_type: Some("ProductOrderItem".into()),
            ..Default::default()
        }]),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&order).unwrap_or_default(),
        r#"{"productOrderItem":[{"id":"1","action":"add","@type":"ProductOrderItem"}],"@type":"ProductOrder"}"#
    );
}

#[test]
fn catalog_reads_v4_and_v5_shapes() {
    let text = r#"{
      "productOffering": [
        {"id":"14277","name":"TMF25","isBundle":true,"lifecycleStatus":"Launched","version":"1.0",
         "lastUpdate":"2024-01-01T00:00:00Z","validFor":{"startDateTime":"2024-01-01T00:00:00Z"},
         "category":[{"id":"mobile"}],
         "bundledProductOffering":[{"id":"14305","bundledProductOfferingOption":{"numberRelOfferLowerLimit":1,"numberRelOfferUpperLimit":1,"numberRelOfferDefault":1}}],
         "productOfferingPrice":[{"id":"p1"}],
         "prodSpecCharValueUse":[{"name":"TEL_MSISDN","minCardinality":1,"maxCardinality":1,"productSpecCharacteristicValue":[{"value":"x","isDefault":false}]}]}
      ],
      "productOfferingPrice": [
        {"id":"p1","priceType":"recurring","recurringChargePeriodType":"month","recurringChargePeriodLength":1,
         "price":{"unit":"EUR","value":20.00},"percentage":0,"isBundle":false,"bundledPopRelationship":[]}
      ],
      "productSpecification": [
        {"id":"14307","productSpecCharacteristic":[
          {"name":"TEL_MSISDN","valueType":"string","configurable":true,"minCardinality":1,"maxCardinality":1,
           "productSpecCharacteristicValue":[{"valueType":"string","isDefault":true,"value":"","rangeInterval":"closed","valueFrom":"1","valueTo":"9"}]},
          {"name":"CoverageOptions","valueType":"string","configurable":"true",
           "characteristicValueSpecification":[{"@type":"StringCharacteristicValueSpecification","value":"National","isDefault":true},{"value":"International"}]}
        ]}
      ]
    }"#;
    let snap = CatalogSnapshot::from_json(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(snap.offerings().len(), 1);
    assert!(snap.categories().is_empty());
    let price = &snap.prices()[0];
    assert_eq!(price.price.as_ref().and_then(|m| m.value), Some(Decimal::new(2000, 2)));
    let spec = &snap.specifications()[0];
    let chars = spec.product_spec_characteristic.clone().unwrap_or_default();
    assert_eq!(chars[0].values().len(), 1);
    assert_eq!(chars[1].values().len(), 2, "v5 member name is read too");
    assert_eq!(chars[1].configurable, Some(true));
    let bundle = snap.offerings()[0].bundled_product_offering.clone().unwrap_or_default();
    let opt = bundle[0].bundled_product_offering_option.clone().unwrap_or_default();
    assert_eq!(opt.number_rel_offer_upper_limit, Some(1));
    let orig: Value = serde_json::from_str(text).unwrap_or_default();
    assert_eq!(snap.to_value(), orig);
}

#[test]
fn deep_nesting_is_an_error_or_a_value_never_a_crash() {
    // serde_json stops at 128 levels; just below that, every layer must cope.
    let mut product = serde_json::json!({"name": "leaf"});
    for _ in 0..60 {
        product = serde_json::json!({"product": [product]});
    }
    let order =
        serde_json::json!({"productOrderItem": [{"id": "1", "action": "add", "product": product}]});
    let text = serde_json::to_string(&order).unwrap_or_default();
    let parsed = parse_order(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.to_value(Version::V4), order);
    let v5 = parsed.to_value(Version::V5);
    let back = orderdesk_wire::parse_order_value(v5).map(|o| o.to_value(Version::V4));
    assert!(back.is_ok());
    // Beyond serde_json's limit: a clean error.
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(parse_order(&deep).is_err());
}

#[test]
fn a_party_with_a_type_of_its_own_survives_both_round_trips() {
    let v4 = serde_json::json!({"relatedParty": [
        {"id": "1", "role": "customer", "@type": "Reseller"},
        {"id": "2", "role": "seller"}
    ], "productOrderItem": []});
    let order = v4::ProductOrder::from_value(v4.clone()).unwrap_or_default();
    let v5 = orderdesk_wire::convert::v4_to_v5(&order);
    let wrapped = v5.to_value();
    assert_eq!(wrapped.pointer("/relatedParty/0/partyOrPartyRole/id"), Some(&Value::from("1")));
    assert_eq!(wrapped.pointer("/relatedParty/0/@type"), Some(&Value::from("Reseller")));
    let back = orderdesk_wire::convert::v5_to_v4(&v5).to_value();
    assert_eq!(back["relatedParty"], v4["relatedParty"]);
    let again = orderdesk_wire::convert::v4_to_v5(&orderdesk_wire::convert::v5_to_v4(&v5));
    assert_eq!(again.to_value(), wrapped);
}

#[test]
fn a_v5_channel_reference_gets_its_type_whichever_way_it_goes() {
    let v5 = serde_json::json!({"channel": [{"role": "salesChannel", "channel": {"id": "4"}}],
        "productOrderItem": [], "@type": "ProductOrder"});
    let canonical = orderdesk_wire::convert::order_v4_to_v5(v5.clone());
    assert_eq!(canonical.pointer("/channel/0/channel/@type"), Some(&Value::from("ChannelRef")));
    let order = v5::ProductOrder::from_value(v5).unwrap_or_default();
    let back = orderdesk_wire::convert::v4_to_v5(&orderdesk_wire::convert::v5_to_v4(&order));
    assert_eq!(back.to_value(), canonical);
}

#[test]
fn members_named_like_converted_ones_but_of_another_type_pass_through() {
    let v4 = serde_json::json!({"externalIdentifier": "2024-05-03", "productOrderItem": [
        {"id": "1", "action": "add", "product": {"agreement": "frame contract 7"}}]});
    let order = v4::ProductOrder::from_value(v4.clone()).unwrap_or_default();
    let v5 = orderdesk_wire::convert::v4_to_v5(&order);
    assert_eq!(v5.to_value().get("externalIdentifier"), v4.get("externalIdentifier"));
    let back = orderdesk_wire::convert::v5_to_v4(&v5).to_value();
    assert_eq!(back["externalIdentifier"], v4["externalIdentifier"]);
    assert_eq!(back["productOrderItem"][0]["product"]["agreement"], "frame contract 7");
    let v5 = serde_json::json!({"productOrderItem": [{"id": "1", "action": "add",
        "product": {"agreementItem": {"agreementId": "7"}}, "@type": "ProductOrderItem"}],
        "@type": "ProductOrder"});
    let v5 = v5::ProductOrder::from_value(v5).unwrap_or_default();
    let v4 = orderdesk_wire::convert::v5_to_v4(&v5).to_value();
    assert_eq!(v4["productOrderItem"][0]["product"]["agreementItem"]["agreementId"], "7");
}

#[test]
fn an_empty_v5_channel_reference_is_kept() {
    let v5 = serde_json::json!({"channel": [{"role": "salesChannel", "channel": {}}],
        "productOrderItem": [], "@type": "ProductOrder"});
    let canonical = orderdesk_wire::convert::order_v4_to_v5(v5.clone());
    let order = v5::ProductOrder::from_value(v5).unwrap_or_default();
    let v4 = orderdesk_wire::convert::v5_to_v4(&order);
    assert!(v4.to_value().pointer("/channel/0/channel").is_some());
    assert_eq!(orderdesk_wire::convert::v4_to_v5(&v4).to_value(), canonical);
}
