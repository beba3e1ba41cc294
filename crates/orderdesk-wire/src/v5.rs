//! TMF622 Product Ordering v5.0.0 shapes.
//!
//! v5 requires `@type` on nearly every object; [`crate::convert`] fills it in when converting
//! from v4. Every type keeps unmodelled members in `extra` (see [`crate::field`]).

use serde_json::Value;

pub use crate::common::{
    AgreementRef, AppointmentRef, BillingAccountRef, Characteristic, Duration, EntityRef, Error,
    ExternalIdentifier, Money, Note, OrderItemRelationship, OrderPrice, OrderTerm, PaymentRef,
    PlaceRef, Price, PriceAlteration, ProductOfferingPriceRef, ProductOfferingQualificationRef,
    ProductOfferingRef, ProductOrderRef, ProductPrice, ProductSpecificationRef, ProductTerm,
    QuoteRef, ResourceRef, ServiceRef, TimePeriod,
};
use crate::datetime::WireDateTime;
use crate::wire_struct;

wire_struct! {
    /// A v5 product order.
    pub struct ProductOrder {
        /// Server-assigned identifier.
        id: String = "id",
        /// Server-assigned hyperlink.
        href: String = "href",
        /// Agreements.
        agreement: Vec<AgreementRef> = "agreement",
        /// Billing account.
        billing_account: BillingAccountRef = "billingAccount",
        /// Order state.
        state: String = "state",
        /// Initial state requested by the client (`acknowledged` or `draft`).
        requested_initial_state: String = "requestedInitialState",
        /// When the order was cancelled.
        cancellation_date: WireDateTime = "cancellationDate",
        /// Why it was cancelled.
        cancellation_reason: String = "cancellationReason",
        /// Business category.
        category: String = "category",
        /// Sales channels.
        channel: Vec<RelatedChannel> = "channel",
        /// Description.
        description: String = "description",
        /// Expected completion.
        expected_completion_date: WireDateTime = "expectedCompletionDate",
        /// Identifiers given by other systems (v4: one string).
        external_id: Vec<ExternalIdentifier> = "externalId",
        /// Notes.
        note: Vec<Note> = "note",
        /// Contact for notifications.
        notification_contact: String = "notificationContact",
        /// Order totals.
        order_total_price: Vec<OrderPrice> = "orderTotalPrice",
        /// Payments.
        payment: Vec<PaymentRef> = "payment",
        /// Relationships to other orders.
        order_relationship: Vec<Value> = "orderRelationship",
        /// Priority, `"0"` (highest) to `"4"`.
        priority: String = "priority",
        /// Qualifications.
        product_offering_qualification: Vec<ProductOfferingQualificationRef> = "productOfferingQualification",
        /// Quotes.
        quote: Vec<QuoteRef> = "quote",
        /// Error messages.
        product_order_error_message: Vec<Value> = "productOrderErrorMessage",
        /// Jeopardy alerts.
        product_order_jeopardy_alert: Vec<Value> = "productOrderJeopardyAlert",
        /// Milestones.
        product_order_milestone: Vec<Value> = "productOrderMilestone",
        /// The order items.
        product_order_item: Vec<ProductOrderItem> = "productOrderItem",
        /// Parties.
        related_party: Vec<RelatedPartyRefOrPartyRoleRef> = "relatedParty",
        /// Requested completion.
        requested_completion_date: WireDateTime = "requestedCompletionDate",
        /// Requested start.
        requested_start_date: WireDateTime = "requestedStartDate",
        /// When the order was created (v4: `orderDate`).
        creation_date: WireDateTime = "creationDate",
        /// When it completed.
        completion_date: WireDateTime = "completionDate",
        /// Class name (`ProductOrder`, required).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v5 order item.
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
        /// Prices.
        item_price: Vec<OrderPrice> = "itemPrice",
        /// Commitment terms.
        item_term: Vec<OrderTerm> = "itemTerm",
        /// Total prices.
        item_total_price: Vec<OrderPrice> = "itemTotalPrice",
        /// Notes.
        note: Vec<Note> = "note",
        /// Payments.
        payment: Vec<PaymentRef> = "payment",
        /// The product.
        product: ProductRefOrValue = "product",
        /// The offering ordered.
        product_offering: ProductOfferingRef = "productOffering",
        /// Qualification item.
        product_offering_qualification_item: ProductOfferingQualificationItemRef = "productOfferingQualificationItem",
        /// Quote item.
        quote_item: QuoteItemRef = "quoteItem",
        /// Nested items.
        product_order_item: Vec<ProductOrderItem> = "productOrderItem",
        /// Relationships to other items.
        product_order_item_relationship: Vec<OrderItemRelationship> = "productOrderItemRelationship",
        /// Item state.
        state: String = "state",
        /// Qualifications.
        qualification: Vec<ProductOfferingQualificationRef> = "qualification",
        /// Class name (`ProductOrderItem`, required).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v5 product (`@type` `Product`) or product reference (`@type` `ProductRef`).
    pub struct ProductRefOrValue {
        /// Identifier.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Agreement items (v4: `agreement`).
        agreement_item: Vec<AgreementItemRef> = "agreementItem",
        /// Billing account.
        billing_account: BillingAccountRef = "billingAccount",
        /// Creation date.
        creation_date: WireDateTime = "creationDate",
        /// Description.
        description: String = "description",
        /// Whether it is a bundle.
        is_bundle: bool = "isBundle",
        /// Whether the customer sees it.
        is_customer_visible: bool = "isCustomerVisible",
        /// Order date.
        order_date: WireDateTime = "orderDate",
        /// Characteristics (typed).
        product_characteristic: Vec<Characteristic> = "productCharacteristic",
        /// Offering.
        product_offering: ProductOfferingRef = "productOffering",
        /// Order items that touched it.
        product_order_item: Vec<RelatedOrderItem> = "productOrderItem",
        /// Child products.
        product: Vec<ProductRefOrValue> = "product",
        /// Prices.
        product_price: Vec<ProductPrice> = "productPrice",
        /// Relationships.
        product_relationship: Vec<ProductRelationship> = "productRelationship",
        /// Serial number.
        product_serial_number: String = "productSerialNumber",
        /// Specification.
        product_specification: ProductSpecificationRef = "productSpecification",
        /// Terms.
        product_term: Vec<ProductTerm> = "productTerm",
        /// Realising resources.
        realizing_resource: Vec<ResourceRef> = "realizingResource",
        /// Realising services.
        realizing_service: Vec<ServiceRef> = "realizingService",
        /// Parties.
        related_party: Vec<RelatedPartyRefOrPartyRoleRef> = "relatedParty",
        /// Places.
        place: Vec<RelatedPlaceRefOrValue> = "place",
        /// Start date.
        start_date: WireDateTime = "startDate",
        /// Status.
        status: String = "status",
        /// Termination date.
        termination_date: WireDateTime = "terminationDate",
        /// Intent.
        intent: Value = "intent",
        /// Class of the referred entity (for `ProductRef`).
        referred_type: String = "@referredType",
        /// `Product` or `ProductRef`.
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

/// v5 `Product` has the same shape as `ProductRefOrValue` (with `@type: "Product"`).
pub type Product = ProductRefOrValue;

wire_struct! {
    /// A v5 product relationship (a reference plus `relationshipType`).
    pub struct ProductRelationship {
        /// Related product id.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Relationship type.
        relationship_type: String = "relationshipType",
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
    /// The party inside a related party (`@type` `PartyRef`, `PartyRoleRef`, or a party value).
    pub struct PartyRef {
        /// Party id.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// Name.
        name: String = "name",
        /// Class of the party (`Individual`, `Organization`, ...).
        referred_type: String = "@referredType",
        /// `PartyRef`, `PartyRoleRef`, ...
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

/// v5 name of the union the party sits in.
pub type PartyOrPartyRole = PartyRef;

wire_struct! {
    /// A v5 related party: `{role, partyOrPartyRole: {...}}`.
    pub struct RelatedPartyRefOrPartyRoleRef {
        /// Role (`customer`, `seller`, ...).
        role: String = "role",
        /// The party.
        party_or_party_role: PartyRef = "partyOrPartyRole",
        /// Class name (`RelatedPartyRefOrPartyRoleRef`).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

/// v5 `RelatedPartyOrPartyRole` (inside `Product`) has the same shape.
pub type RelatedPartyOrPartyRole = RelatedPartyRefOrPartyRoleRef;

wire_struct! {
    /// A v5 sales channel: `{role, channel: ChannelRef}`.
    pub struct RelatedChannel {
        /// Role.
        role: String = "role",
        /// The channel.
        channel: EntityRef = "channel",
        /// Class name (`RelatedChannel`).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v5 reference to an order item (v4: `RelatedProductOrderItem`).
    pub struct RelatedOrderItem {
        /// Action of that item.
        order_item_action: String = "orderItemAction",
        /// Order hyperlink.
        order_href: String = "orderHref",
        /// Role.
        role: String = "role",
        /// Order id.
        order_id: String = "orderId",
        /// Item id.
        order_item_id: String = "orderItemId",
        /// Class of the referred entity.
        referred_type: String = "@referredType",
        /// Class name (`RelatedOrderItem`).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v5 quote item reference.
    pub struct QuoteItemRef {
        /// Quote hyperlink.
        quote_href: String = "quoteHref",
        /// Quote id.
        quote_id: String = "quoteId",
        /// Quote item id (v4: `id`).
        quote_item_id: String = "quoteItemId",
        /// Class of the referred entity.
        referred_type: String = "@referredType",
        /// Class name (`QuoteItemRef`).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v5 qualification item reference.
    pub struct ProductOfferingQualificationItemRef {
        /// Qualification name.
        product_offering_qualification_name: String = "productOfferingQualificationName",
        /// Qualification hyperlink.
        product_offering_qualification_href: String = "productOfferingQualificationHref",
        /// Qualification id.
        product_offering_qualification_id: String = "productOfferingQualificationId",
        /// Item id (v4: `id`).
        item_id: String = "itemId",
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
    /// A v5 agreement item reference.
    pub struct AgreementItemRef {
        /// Agreement name.
        agreement_name: String = "agreementName",
        /// Agreement hyperlink.
        agreement_href: String = "agreementHref",
        /// Agreement id (v4: `id`).
        agreement_id: String = "agreementId",
        /// Agreement item id.
        agreement_item_id: String = "agreementItemId",
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
    /// A v5 place with its role: `{role, place: PlaceRefOrValue}`.
    pub struct RelatedPlaceRefOrValue {
        /// Role of the place.
        role: String = "role",
        /// The place (reference or value), kept as JSON.
        place: Value = "place",
        /// Class name (`RelatedPlaceRefOrValue`).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}

wire_struct! {
    /// A v5 cancellation request.
    pub struct CancelProductOrder {
        /// Identifier.
        id: String = "id",
        /// Hyperlink.
        href: String = "href",
        /// The order to cancel.
        product_order: ProductOrderRef = "productOrder",
        /// When the request was created.
        creation_date: WireDateTime = "creationDate",
        /// Requested date.
        requested_cancellation_date: WireDateTime = "requestedCancellationDate",
        /// Reason.
        cancellation_reason: String = "cancellationReason",
        /// Task state.
        state: String = "state",
        /// When the cancellation took effect.
        effective_cancellation_date: WireDateTime = "effectiveCancellationDate",
        /// Class name (`CancelProductOrder`).
        at_type: String = "@type",
        /// Super-class name.
        base_type: String = "@baseType",
        /// Schema of extensions.
        schema_location: String = "@schemaLocation",
    }
}
