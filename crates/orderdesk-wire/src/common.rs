//! Types whose shape is the same in TMF622 v4.0.0 and v5.0.0 (v5 adds `@type` members, which
//! every type models anyway). Re-exported from [`crate::v4`] and [`crate::v5`].

use rust_decimal::Decimal;
use serde_json::Value;

use crate::datetime::WireDateTime;
use crate::wire_struct;

/// Declares a reference type (`{id, href, name, @referredType, ...}`).
macro_rules! wire_ref {
    ($(#[$meta:meta])* $name:ident $(, $(#[$fmeta:meta])* $field:ident : $ty:ty = $key:literal)* $(,)?) => {
        wire_struct! {
            $(#[$meta])*
            pub struct $name {
                /// Identifier of the referred entity.
                id: String = "id",
                /// Hyperlink to the referred entity.
                href: String = "href",
                /// Name of the referred entity.
                name: String = "name",
                $( $(#[$fmeta])* $field: $ty = $key, )*
                /// Class name of the referred entity.
                referred_type: String = "@referredType",
                /// Class name of this reference (v5 requires it).
                at_type: String = "@type",
                /// Super-class name.
                base_type: String = "@baseType",
                /// Link to a schema describing extensions.
                schema_location: String = "@schemaLocation",
            }
        }
    };
}

wire_ref!(
    /// Reference to a product offering (TMF620).
    ProductOfferingRef,
    /// Offering version (v5).
    version: String = "version"
);
wire_ref!(
    /// Reference to a product offering price (TMF620).
    ProductOfferingPriceRef,
    /// Price version (v5).
    version: String = "version"
);
wire_ref!(
    /// Reference to a product specification (TMF620).
    ProductSpecificationRef,
    /// Specification version.
    version: String = "version",
    /// Schema of the product's characteristics.
    target_product_schema: Value = "targetProductSchema"
);
wire_ref!(
    /// Reference to a billing account.
    BillingAccountRef,
    /// Rating type (v5).
    rating_type: String = "ratingType"
);
wire_ref!(
    /// Reference to an agreement.
    AgreementRef
);
wire_ref!(
    /// Reference to a payment.
    PaymentRef
);
wire_ref!(
    /// Reference to a quote.
    QuoteRef
);
wire_ref!(
    /// Reference to a product offering qualification.
    ProductOfferingQualificationRef
);
wire_ref!(
    /// Reference to a product order (used by cancellations).
    ProductOrderRef
);
wire_ref!(
    /// Reference to an appointment.
    AppointmentRef,
    /// Appointment description.
    description: String = "description"
);
wire_ref!(
    /// Reference to a place.
    PlaceRef
);
wire_ref!(
    /// Reference to a realising resource.
    ResourceRef,
    /// Resource value (v4).
    value: String = "value"
);
wire_ref!(
    /// Reference to a realising service.
    ServiceRef
);
wire_ref!(
    /// Generic entity reference.
    EntityRef
);

/// A place (v4 `Place`): same shape as a reference.
pub type Place = PlaceRef;

wire_struct! {
    /// An amount of money. `value` is exact: it is read from the number's text, never via f64.
    pub struct Money {
        /// ISO 4217 currency code.
        unit: String = "unit",
        /// The amount.
        value: Decimal = "value",
    }
}

wire_struct! {
    /// A price: amounts with and without tax, or a percentage (for alterations).
    pub struct Price {
        /// Amount without tax.
        duty_free_amount: Money = "dutyFreeAmount",
        /// Amount with tax.
        tax_included_amount: Money = "taxIncludedAmount",
        /// Percentage (discounts).
        percentage: Decimal = "percentage",
        /// Tax rate in percent.
        tax_rate: Decimal = "taxRate",
        /// Class name (v5).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A change applied to a price (discount, promotion).
    pub struct PriceAlteration {
        /// Number of periods the alteration applies for.
        application_duration: i64 = "applicationDuration",
        /// Description.
        description: String = "description",
        /// Name, e.g. `WelcomeDiscount`.
        name: String = "name",
        /// `recurring`, `oneTime`, `usage`, ...
        price_type: String = "priceType",
        /// Order of application (lower first).
        priority: i64 = "priority",
        /// Period of recurring alterations (`month`).
        recurring_charge_period: String = "recurringChargePeriod",
        /// Unit of measure for usage alterations.
        unit_of_measure: String = "unitOfMeasure",
        /// The alteration amount or percentage.
        price: Price = "price",
        /// The catalog price it comes from.
        product_offering_price: ProductOfferingPriceRef = "productOfferingPrice",
        /// Class name (v5).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A price on an order or order item (`itemPrice`, `itemTotalPrice`, `orderTotalPrice`).
    pub struct OrderPrice {
        /// Description.
        description: String = "description",
        /// Name.
        name: String = "name",
        /// `recurring`, `oneTime`, `usage`, ...
        price_type: String = "priceType",
        /// Period of a recurring price (`month`).
        recurring_charge_period: String = "recurringChargePeriod",
        /// Unit of measure for usage prices.
        unit_of_measure: String = "unitOfMeasure",
        /// Billing account for this price.
        billing_account: BillingAccountRef = "billingAccount",
        /// The amount.
        price: Price = "price",
        /// Alterations (discounts) applied to it.
        price_alteration: Vec<PriceAlteration> = "priceAlteration",
        /// The catalog price it comes from.
        product_offering_price: ProductOfferingPriceRef = "productOfferingPrice",
        /// Class name (v5).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A price of a product (inside `ProductRefOrValue.productPrice`). v4 calls its alterations
    /// `productPriceAlteration`, v5 `priceAlteration`; both are modelled.
    pub struct ProductPrice {
        /// Description.
        description: String = "description",
        /// Name.
        name: String = "name",
        /// `recurring`, `oneTime`, `usage`, ...
        price_type: String = "priceType",
        /// Period of a recurring price.
        recurring_charge_period: String = "recurringChargePeriod",
        /// Unit of measure.
        unit_of_measure: String = "unitOfMeasure",
        /// Billing account.
        billing_account: BillingAccountRef = "billingAccount",
        /// The amount.
        price: Price = "price",
        /// The catalog price it comes from.
        product_offering_price: ProductOfferingPriceRef = "productOfferingPrice",
        /// Alterations (v4 name).
        product_price_alteration: Vec<PriceAlteration> = "productPriceAlteration",
        /// Alterations (v5 name).
        price_alteration: Vec<PriceAlteration> = "priceAlteration",
        /// Class name (v5).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A length of time (`{amount, units}`). v4 `OrderTerm.duration` is a `Quantity` whose amount
    /// may be fractional, v5's is a `Duration` with an integer amount; one exact decimal serves both.
    pub struct Duration {
        /// How many units.
        amount: Decimal = "amount",
        /// `month`, `day`, ...
        units: String = "units",
    }
}

/// v4 name for [`Duration`] (`{amount, units}`).
pub type Quantity = Duration;

wire_struct! {
    /// A period with optional start and end.
    pub struct TimePeriod {
        /// Start of the period.
        start_date_time: WireDateTime = "startDateTime",
        /// End of the period.
        end_date_time: WireDateTime = "endDateTime",
    }
}

wire_struct! {
    /// A commitment term on an order item (e.g. 12 months).
    pub struct OrderTerm {
        /// Description.
        description: String = "description",
        /// Name.
        name: String = "name",
        /// Length of the term.
        duration: Duration = "duration",
        /// Class name (v5).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A term of a product (inside `ProductRefOrValue.productTerm`).
    pub struct ProductTerm {
        /// Description.
        description: String = "description",
        /// Name.
        name: String = "name",
        /// Length of the term.
        duration: Duration = "duration",
        /// Validity.
        valid_for: TimePeriod = "validFor",
        /// Class name (v5).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A product characteristic. v4 sends `{name, value, valueType?}`; v5 sends typed
    /// characteristics (`@type: "StringCharacteristic"`, ...). `value` is kept as JSON.
    pub struct Characteristic {
        /// Identifier (v5).
        id: String = "id",
        /// Name, e.g. `TEL_MSISDN`.
        name: String = "name",
        /// Declared value type (`string`, `number`, `boolean`, `object`, ...).
        value_type: String = "valueType",
        /// The value, any JSON.
        value: Value = "value",
        /// Relationships to other characteristics (v5).
        characteristic_relationship: Vec<Value> = "characteristicRelationship",
        /// Class name (v5: the typed characteristic name).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A relationship from one order item to another (`bundles`, `reliesOn`, ...).
    pub struct OrderItemRelationship {
        /// Id of the related order item.
        id: String = "id",
        /// Relationship type, e.g. `bundles`.
        relationship_type: String = "relationshipType",
        /// Class name (v5).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A free-text note.
    pub struct Note {
        /// Identifier.
        id: String = "id",
        /// Author.
        author: String = "author",
        /// When it was written.
        date: WireDateTime = "date",
        /// The text.
        text: String = "text",
        /// Class name (v5).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v5 external identifier (`{id, owner?, externalIdentifierType?}`); v4 has a single string.
    pub struct ExternalIdentifier {
        /// The identifier.
        id: String = "id",
        /// Who issued it.
        owner: String = "owner",
        /// What kind of identifier it is.
        external_identifier_type: String = "externalIdentifierType",
        /// Class name (`ExternalIdentifier`).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// The TMF error body (v4 and v5).
    pub struct Error {
        /// Application error code.
        code: String = "code",
        /// Short explanation.
        reason: String = "reason",
        /// Longer explanation.
        message: String = "message",
        /// HTTP status as text.
        status: String = "status",
        /// URI with more detail.
        reference_error: String = "referenceError",
        /// Class name (v5).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}
