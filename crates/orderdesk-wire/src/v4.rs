//! TMF622 Product Ordering v4.0.0 shapes.
//!
//! Every type keeps the members it does not model in `extra` and reads leniently (see
//! [`crate::field`]). Field names follow the v4 swagger definitions.

pub use crate::common::{
    AgreementRef, AppointmentRef, BillingAccountRef, Characteristic, Duration, EntityRef, Error,
    Money, Note, OrderItemRelationship, OrderPrice, OrderTerm, PaymentRef, Place, PlaceRef, Price,
    PriceAlteration, ProductOfferingPriceRef, ProductOfferingQualificationRef, ProductOfferingRef,
    ProductOrderRef, ProductPrice, ProductSpecificationRef, ProductTerm, Quantity, QuoteRef,
    ResourceRef, ServiceRef, TimePeriod,
};
use crate::datetime::WireDateTime;
use crate::wire_struct;

wire_struct! {
    /// A v4 product order.
    pub struct ProductOrder {
        /// Server-assigned identifier.
        id: String = "id",
        /// Server-assigned hyperlink.
        href: String = "href",
        /// When the order was cancelled.
        cancellation_date: WireDateTime = "cancellationDate",
        /// Why it was cancelled.
        cancellation_reason: String = "cancellationReason",
        /// Business category.
        category: String = "category",
        /// When it completed.
        completion_date: WireDateTime = "completionDate",
        /// Description.
        description: String = "description",
        /// Expected completion.
        expected_completion_date: WireDateTime = "expectedCompletionDate",
        /// Identifier given by the ordering system (one string in v4).
        external_id: String = "externalId",
        /// Contact for notifications.
        notification_contact: String = "notificationContact",
        /// When the order was created (v5: `creationDate`).
        order_date: WireDateTime = "orderDate",
        /// Priority, `"0"` (highest) to `"4"`; some servers send a number.
        priority: String = "priority",
        /// Requested completion.
        requested_completion_date: WireDateTime = "requestedCompletionDate",
        /// Requested start.
        requested_start_date: WireDateTime = "requestedStartDate",
        /// Agreements.
        agreement: Vec<AgreementRef> = "agreement",
        /// Billing account.
        billing_account: BillingAccountRef = "billingAccount",
        /// Sales channels.
        channel: Vec<RelatedChannel> = "channel",
        /// Notes.
        note: Vec<Note> = "note",
        /// Order totals.
        order_total_price: Vec<OrderPrice> = "orderTotalPrice",
        /// Payments.
        payment: Vec<PaymentRef> = "payment",
        /// Qualifications.
        product_offering_qualification: Vec<ProductOfferingQualificationRef> = "productOfferingQualification",
        /// The order items.
        product_order_item: Vec<ProductOrderItem> = "productOrderItem",
        /// Quotes.
        quote: Vec<QuoteRef> = "quote",
        /// Parties (customer, seller, ...).
        related_party: Vec<RelatedParty> = "relatedParty",
        /// Order state (`acknowledged`, `inProgress`, `completed`, ...).
        state: String = "state",
        /// Class name (`ProductOrder`).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v4 order item.
    pub struct ProductOrderItem {
        /// Identifier, unique within the order.
        id: String = "id",
        /// How many.
        quantity: i64 = "quantity",
        /// `add`, `modify`, `delete`, `noChange`.
        action: String = "action",
        /// Appointment.
        appointment: AppointmentRef = "appointment",
        /// Billing account.
        billing_account: BillingAccountRef = "billingAccount",
        /// Prices of this item.
        item_price: Vec<OrderPrice> = "itemPrice",
        /// Commitment terms.
        item_term: Vec<OrderTerm> = "itemTerm",
        /// Total prices.
        item_total_price: Vec<OrderPrice> = "itemTotalPrice",
        /// Payments.
        payment: Vec<PaymentRef> = "payment",
        /// The product (reference or value).
        product: ProductRefOrValue = "product",
        /// The offering ordered.
        product_offering: ProductOfferingRef = "productOffering",
        /// Qualification item.
        product_offering_qualification_item: ProductOfferingQualificationItemRef = "productOfferingQualificationItem",
        /// Nested items (alternative to flat items with relationships).
        product_order_item: Vec<ProductOrderItem> = "productOrderItem",
        /// Relationships to other items of the same order.
        product_order_item_relationship: Vec<OrderItemRelationship> = "productOrderItemRelationship",
        /// Qualifications.
        qualification: Vec<ProductOfferingQualificationRef> = "qualification",
        /// Quote item.
        quote_item: QuoteItemRef = "quoteItem",
        /// Item state.
        state: String = "state",
        /// Class name (`ProductOrderItem`).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v4 product, by reference or by value.
    pub struct ProductRefOrValue {
        /// Identifier of an existing product.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Description.
        description: String = "description",
        /// Whether it is a bundle.
        is_bundle: bool = "isBundle",
        /// Whether the customer sees it.
        is_customer_visible: bool = "isCustomerVisible",
        /// Name.
        name: String = "name",
        /// Order date.
        order_date: WireDateTime = "orderDate",
        /// Serial number.
        product_serial_number: String = "productSerialNumber",
        /// Start date.
        start_date: WireDateTime = "startDate",
        /// Termination date.
        termination_date: WireDateTime = "terminationDate",
        /// Agreement items.
        agreement: Vec<AgreementItemRef> = "agreement",
        /// Billing account.
        billing_account: BillingAccountRef = "billingAccount",
        /// Places.
        place: Vec<RelatedPlaceRefOrValue> = "place",
        /// Child products.
        product: Vec<ProductRefOrValue> = "product",
        /// Characteristics.
        product_characteristic: Vec<Characteristic> = "productCharacteristic",
        /// Offering.
        product_offering: ProductOfferingRef = "productOffering",
        /// Order items that touched this product.
        product_order_item: Vec<RelatedProductOrderItem> = "productOrderItem",
        /// Prices.
        product_price: Vec<ProductPrice> = "productPrice",
        /// Relationships to other products.
        product_relationship: Vec<ProductRelationship> = "productRelationship",
        /// Specification.
        product_specification: ProductSpecificationRef = "productSpecification",
        /// Terms.
        product_term: Vec<ProductTerm> = "productTerm",
        /// Realising resources.
        realizing_resource: Vec<ResourceRef> = "realizingResource",
        /// Realising services.
        realizing_service: Vec<ServiceRef> = "realizingService",
        /// Parties.
        related_party: Vec<RelatedParty> = "relatedParty",
        /// Product status.
        status: String = "status",
        /// Class name.
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
        /// Class name of the referred entity.
        referred_type: String = "@referredType",
    }
}

/// v4 `Product` has the same shape as `ProductRefOrValue`.
pub type Product = ProductRefOrValue;

wire_struct! {
    /// A v4 relationship to another product.
    pub struct ProductRelationship {
        /// Relationship type.
        relationship_type: String = "relationshipType",
        /// The related product.
        product: Box<ProductRefOrValue> = "product",
        /// Class name.
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v4 related party (`{id, name, role, @referredType}`); v5 wraps it in
    /// `RelatedPartyRefOrPartyRoleRef`.
    pub struct RelatedParty {
        /// Party identifier.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Role in the order (`customer`, `seller`, ...).
        role: String = "role",
        /// Class of the party (`Individual`, `Organization`, ...).
        referred_type: String = "@referredType",
        /// Class name.
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v4 sales channel (`{id, href, name, role}`); v5 wraps it in `{role, channel}`.
    pub struct RelatedChannel {
        /// Channel identifier.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Role of the channel.
        role: String = "role",
        /// Class of the channel.
        referred_type: String = "@referredType",
        /// Class name.
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v4 reference to an order item that acted on a product (v5: `RelatedOrderItem`).
    pub struct RelatedProductOrderItem {
        /// Action of that item.
        order_item_action: String = "orderItemAction",
        /// Item id.
        order_item_id: String = "orderItemId",
        /// Order hyperlink.
        product_order_href: String = "productOrderHref",
        /// Order id.
        product_order_id: String = "productOrderId",
        /// Role.
        role: String = "role",
        /// Class of the referred entity.
        referred_type: String = "@referredType",
        /// Class name.
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v4 quote item reference (`id` = quote item id; v5 calls it `quoteItemId`).
    pub struct QuoteItemRef {
        /// Quote item id.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Quote hyperlink.
        quote_href: String = "quoteHref",
        /// Quote id.
        quote_id: String = "quoteId",
        /// Quote name.
        quote_name: String = "quoteName",
        /// Class of the referred entity.
        referred_type: String = "@referredType",
        /// Class name.
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v4 qualification item reference (`id` = item id; v5 calls it `itemId`).
    pub struct ProductOfferingQualificationItemRef {
        /// Qualification item id.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Qualification hyperlink.
        product_offering_qualification_href: String = "productOfferingQualificationHref",
        /// Qualification id.
        product_offering_qualification_id: String = "productOfferingQualificationId",
        /// Qualification name.
        product_offering_qualification_name: String = "productOfferingQualificationName",
        /// Class of the referred entity.
        referred_type: String = "@referredType",
        /// Class name.
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v4 agreement item reference (`id` = agreement id).
    pub struct AgreementItemRef {
        /// Agreement id.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Agreement item id.
        agreement_item_id: String = "agreementItemId",
        /// Name.
        name: String = "name",
        /// Class of the referred entity.
        referred_type: String = "@referredType",
        /// Class name.
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v4 place with its role (`{id, href, name, role}`); v5 wraps the place in `place`.
    pub struct RelatedPlaceRefOrValue {
        /// Place id.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Role of the place.
        role: String = "role",
        /// Class of the referred entity.
        referred_type: String = "@referredType",
        /// Class name.
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v4 cancellation request.
    pub struct CancelProductOrder {
        /// Identifier.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Reason.
        cancellation_reason: String = "cancellationReason",
        /// When the cancellation took effect.
        effective_cancellation_date: WireDateTime = "effectiveCancellationDate",
        /// Requested date.
        requested_cancellation_date: WireDateTime = "requestedCancellationDate",
        /// The order to cancel.
        product_order: ProductOrderRef = "productOrder",
        /// Task state.
        state: String = "state",
        /// Class name.
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}
