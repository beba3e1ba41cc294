//! The TMF620 Product Catalog subset a client needs, as one tolerant set of types that reads both
//! v4 (4.0.0/4.1.0) and v5 shapes. Where the versions name a member differently both names are
//! modelled and an accessor picks whichever is present.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::{Duration, EntityRef};
pub use crate::common::{Money, ProductOfferingPriceRef, ProductSpecificationRef, TimePeriod};
use crate::datetime::WireDateTime;
use crate::wire_struct;

/// Reference to a category (`{id, href, name, ...}`).
pub type CategoryRef = EntityRef;

wire_struct! {
    /// How many of a child offering a bundle may hold.
    pub struct BundledProductOfferingOption {
        /// Default count.
        number_rel_offer_default: i64 = "numberRelOfferDefault",
        /// Minimum count.
        number_rel_offer_lower_limit: i64 = "numberRelOfferLowerLimit",
        /// Maximum count.
        number_rel_offer_upper_limit: i64 = "numberRelOfferUpperLimit",
        /// Class name.
        at_type: String = "@type",
    }
}

wire_struct! {
    /// A child offering of a bundle.
    pub struct BundledProductOffering {
        /// Child offering id.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Version (v5).
        version: String = "version",
        /// Lifecycle status (v4).
        lifecycle_status: String = "lifecycleStatus",
        /// Cardinality of the child.
        bundled_product_offering_option: BundledProductOfferingOption = "bundledProductOfferingOption",
        /// Class name.
        at_type: String = "@type",
    }
}

wire_struct! {
    /// An allowed value of a characteristic (v4 `ProductSpecificationCharacteristicValue`,
    /// v5 `CharacteristicValueSpecification` and its typed subclasses).
    pub struct CharacteristicValueSpecification {
        /// Whether this value is the default.
        is_default: bool = "isDefault",
        /// The value, any JSON.
        value: Value = "value",
        /// Value type.
        value_type: String = "valueType",
        /// Unit of measure.
        unit_of_measure: String = "unitOfMeasure",
        /// `open`, `closed`, `closedBottom`, `closedTop`.
        range_interval: String = "rangeInterval",
        /// Range start (string in v4, integer in v5).
        value_from: Value = "valueFrom",
        /// Range end (string in v4, integer in v5).
        value_to: Value = "valueTo",
        /// Pattern.
        regex: String = "regex",
        /// Validity.
        valid_for: TimePeriod = "validFor",
        /// Class name (v5: e.g. `StringCharacteristicValueSpecification`).
        at_type: String = "@type",
    }
}

/// v4 name of [`CharacteristicValueSpecification`].
pub type ProductSpecificationCharacteristicValue = CharacteristicValueSpecification;

wire_struct! {
    /// A characteristic of a specification (v4 `ProductSpecificationCharacteristic`,
    /// v5 `CharacteristicSpecification`).
    pub struct CharacteristicSpecification {
        /// Identifier (v5).
        id: String = "id",
        /// Name, e.g. `TEL_MSISDN`.
        name: String = "name",
        /// Description.
        description: String = "description",
        /// Value type.
        value_type: String = "valueType",
        /// Whether the buyer configures it.
        configurable: bool = "configurable",
        /// Minimum number of values.
        min_cardinality: i64 = "minCardinality",
        /// Maximum number of values.
        max_cardinality: i64 = "maxCardinality",
        /// Whether values must be unique.
        is_unique: bool = "isUnique",
        /// Whether values outside the list are allowed.
        extensible: bool = "extensible",
        /// Pattern.
        regex: String = "regex",
        /// Validity.
        valid_for: TimePeriod = "validFor",
        /// Allowed values (v4 name).
        product_spec_characteristic_value: Vec<CharacteristicValueSpecification> = "productSpecCharacteristicValue",
        /// Allowed values (v5 name).
        characteristic_value_specification: Vec<CharacteristicValueSpecification> = "characteristicValueSpecification",
        /// Class name.
        at_type: String = "@type",
    }
}

impl CharacteristicSpecification {
    /// The allowed values, whichever version's member holds them.
    pub fn values(&self) -> &[CharacteristicValueSpecification] {
        self.product_spec_characteristic_value
            .as_deref()
            .or(self.characteristic_value_specification.as_deref())
            .unwrap_or(&[])
    }
}

/// v4 name of [`CharacteristicSpecification`].
pub type ProductSpecificationCharacteristic = CharacteristicSpecification;

wire_struct! {
    /// How an offering narrows a specification characteristic.
    pub struct ProductSpecificationCharacteristicValueUse {
        /// Characteristic name.
        name: String = "name",
        /// Identifier (v5).
        id: String = "id",
        /// Description.
        description: String = "description",
        /// Value type.
        value_type: String = "valueType",
        /// Minimum number of values.
        min_cardinality: i64 = "minCardinality",
        /// Maximum number of values.
        max_cardinality: i64 = "maxCardinality",
        /// Validity.
        valid_for: TimePeriod = "validFor",
        /// Allowed values.
        product_spec_characteristic_value: Vec<CharacteristicValueSpecification> = "productSpecCharacteristicValue",
        /// The specification it narrows.
        product_specification: ProductSpecificationRef = "productSpecification",
        /// Class name.
        at_type: String = "@type",
    }
}

wire_struct! {
    /// A sellable product offering.
    pub struct ProductOffering {
        /// Identifier, e.g. `14277`.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Description.
        description: String = "description",
        /// Whether it is a bundle of other offerings.
        is_bundle: bool = "isBundle",
        /// Whether it can be sold on its own.
        is_sellable: bool = "isSellable",
        /// Version.
        version: String = "version",
        /// Last update.
        last_update: WireDateTime = "lastUpdate",
        /// `Active`, `Launched`, `Retired`, ...
        lifecycle_status: String = "lifecycleStatus",
        /// Validity.
        valid_for: TimePeriod = "validFor",
        /// Categories.
        category: Vec<CategoryRef> = "category",
        /// Children of a bundle.
        bundled_product_offering: Vec<BundledProductOffering> = "bundledProductOffering",
        /// Prices (references; v5 may inline values, which keep their members in `extra`).
        product_offering_price: Vec<ProductOfferingPriceRef> = "productOfferingPrice",
        /// The specification it sells.
        product_specification: ProductSpecificationRef = "productSpecification",
        /// Narrowed characteristic values.
        prod_spec_char_value_use: Vec<ProductSpecificationCharacteristicValueUse> = "prodSpecCharValueUse",
        /// Class name.
        at_type: String = "@type",
    }
}

wire_struct! {
    /// A price of an offering.
    pub struct ProductOfferingPrice {
        /// Identifier.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Description.
        description: String = "description",
        /// Version.
        version: String = "version",
        /// `recurring`, `oneTime`, `usage`, `discount`, ...
        price_type: String = "priceType",
        /// Period of a recurring price (`month`).
        recurring_charge_period_type: String = "recurringChargePeriodType",
        /// Number of periods per charge.
        recurring_charge_period_length: i64 = "recurringChargePeriodLength",
        /// Unit of measure of usage prices.
        unit_of_measure: Duration = "unitOfMeasure",
        /// The amount.
        price: Money = "price",
        /// Percentage (discounts).
        percentage: Decimal = "percentage",
        /// Whether it bundles other prices.
        is_bundle: bool = "isBundle",
        /// Bundled prices.
        bundled_pop_relationship: Vec<ProductOfferingPriceRef> = "bundledPopRelationship",
        /// Related prices (discounts on this price, ...).
        pop_relationship: Vec<ProductOfferingPriceRef> = "popRelationship",
        /// Validity.
        valid_for: TimePeriod = "validFor",
        /// Last update.
        last_update: WireDateTime = "lastUpdate",
        /// Lifecycle status.
        lifecycle_status: String = "lifecycleStatus",
        /// Class name.
        at_type: String = "@type",
    }
}

wire_struct! {
    /// A product specification.
    pub struct ProductSpecification {
        /// Identifier, e.g. `14307`.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Description.
        description: String = "description",
        /// Brand.
        brand: String = "brand",
        /// Whether it is a bundle.
        is_bundle: bool = "isBundle",
        /// Product number.
        product_number: String = "productNumber",
        /// Version.
        version: String = "version",
        /// Last update.
        last_update: WireDateTime = "lastUpdate",
        /// Lifecycle status.
        lifecycle_status: String = "lifecycleStatus",
        /// Validity.
        valid_for: TimePeriod = "validFor",
        /// Characteristics.
        product_spec_characteristic: Vec<CharacteristicSpecification> = "productSpecCharacteristic",
        /// Class name.
        at_type: String = "@type",
    }
}

wire_struct! {
    /// A catalog category.
    pub struct Category {
        /// Identifier.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Description.
        description: String = "description",
        /// Whether it is a root category.
        is_root: bool = "isRoot",
        /// Parent id (v4).
        parent_id: String = "parentId",
        /// Parent reference (v5).
        parent: CategoryRef = "parent",
        /// Offerings in it.
        product_offering: Vec<EntityRef> = "productOffering",
        /// Sub-categories.
        sub_category: Vec<CategoryRef> = "subCategory",
        /// Version.
        version: String = "version",
        /// Last update.
        last_update: WireDateTime = "lastUpdate",
        /// Lifecycle status.
        lifecycle_status: String = "lifecycleStatus",
        /// Validity.
        valid_for: TimePeriod = "validFor",
        /// Class name.
        at_type: String = "@type",
    }
}

wire_struct! {
    /// A catalog export: `{productOffering: [...], productOfferingPrice: [...],
    /// productSpecification: [...], category: [...]}`; each array may be missing.
    pub struct CatalogSnapshot {
        /// Offerings.
        product_offering: Vec<ProductOffering> = "productOffering",
        /// Prices.
        product_offering_price: Vec<ProductOfferingPrice> = "productOfferingPrice",
        /// Specifications.
        product_specification: Vec<ProductSpecification> = "productSpecification",
        /// Categories.
        category: Vec<Category> = "category",
    }
}

impl CatalogSnapshot {
    /// Offerings (empty when the member is missing).
    pub fn offerings(&self) -> &[ProductOffering] {
        self.product_offering.as_deref().unwrap_or(&[])
    }
    /// Prices (empty when missing).
    pub fn prices(&self) -> &[ProductOfferingPrice] {
        self.product_offering_price.as_deref().unwrap_or(&[])
    }
    /// Specifications (empty when missing).
    pub fn specifications(&self) -> &[ProductSpecification] {
        self.product_specification.as_deref().unwrap_or(&[])
    }
    /// Categories (empty when missing).
    pub fn categories(&self) -> &[Category] {
        self.category.as_deref().unwrap_or(&[])
    }
    /// Reads a snapshot from JSON text.
    pub fn from_json(text: &str) -> Result<Self, crate::WireError> {
        let v = crate::parse_json(text)?;
        Self::from_value(v)
    }
}
