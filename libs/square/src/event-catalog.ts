// Every webhook event type Square publishes, and how this pipeline obtains the canonical object
// each one is about. Read it as documentation: one line per event type, from the official SDK's
// api/types/*Event.d.ts (square 46), checked against those files by event-catalog.spec.ts.
//
// The rule: an event's own data.object is a snapshot that may be stale or arrive out of order,
// so wherever Square has a GET that takes just the object's id (the webhook's data.id) the
// object is retrieved through the API; otherwise the snapshot is taken as it is. This file must
// not import the SDK: the ingress loads @app/square and never the SDK.

/** How the canonical object of an event is obtained. */
export type ObjectRoute =
  /** Retrieve it through the API by data.id (a single-object GET exists). */
  | { how: 'retrieve'; objectType: string }
  /** Take the event's own data.object[snapshotKey] (no single-object GET). */
  | { how: 'snapshot'; objectType: string; snapshotKey: string }
  /** The object was deleted: mark it deleted (keep its last data). */
  | { how: 'deleted'; objectType: string }
  /** One object per entry of data.object[listKey] (inventory counts), `idFields` making each one's id. */
  | { how: 'counts'; objectType: string; listKey: string; idFields: readonly string[]; updatedAtField: string }
  /** The catalog changed: the objects changed since the last one stored are searched and mirrored. */
  | { how: 'catalog_changes'; objectType: string }
  /** The event names no single object; `reason` says what is done and why (shown in docs and stored as the event's outcome). */
  | { how: 'none'; reason: string };

export interface CatalogEntry {
  /** The SDK interface that describes the event (api/types/<sdkType>.d.ts), or 'none' when the SDK has none. */
  sdkType: string;
  route: ObjectRoute;
}

/**
 * Data models of the SDK whose names end in Event but that are not webhook events (a loyalty
 * account's point history, a cash drawer's log, a subscription's history, the Events API's own
 * envelope): the spec skips them when it looks for *Event.d.ts files the catalog lacks.
 */
export const NOT_WEBHOOK_EVENTS = ['Event', 'CashDrawerShiftEvent', 'LoyaltyEvent', 'SubscriptionEvent'] as const;

/** Every webhook event type of Square's catalog (official SDK 46), by event type string. */
export const EVENT_CATALOG: Readonly<Record<string, CatalogEntry>> = {
  'bank_account.created': {
    sdkType: 'BankAccountCreatedEvent',
    route: { how: 'retrieve', objectType: 'bank_account' },
  },
  'bank_account.disabled': {
    sdkType: 'BankAccountDisabledEvent',
    route: { how: 'retrieve', objectType: 'bank_account' },
  },
  'bank_account.verified': {
    sdkType: 'BankAccountVerifiedEvent',
    route: { how: 'retrieve', objectType: 'bank_account' },
  },

  'booking.created': { sdkType: 'BookingCreatedEvent', route: { how: 'retrieve', objectType: 'booking' } },
  // A custom attribute's GET takes its owner's id and its key; a definition's takes its key, which data.id is not said to be: snapshot (every resource alike).
  'booking.custom_attribute.owned.deleted': {
    sdkType: 'BookingCustomAttributeOwnedDeletedEvent',
    route: { how: 'deleted', objectType: 'booking_custom_attribute' },
  },
  'booking.custom_attribute.owned.updated': {
    sdkType: 'BookingCustomAttributeOwnedUpdatedEvent',
    route: { how: 'snapshot', objectType: 'booking_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'booking.custom_attribute.visible.deleted': {
    sdkType: 'BookingCustomAttributeVisibleDeletedEvent',
    route: { how: 'deleted', objectType: 'booking_custom_attribute' },
  },
  'booking.custom_attribute.visible.updated': {
    sdkType: 'BookingCustomAttributeVisibleUpdatedEvent',
    route: { how: 'snapshot', objectType: 'booking_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'booking.custom_attribute_definition.owned.created': {
    sdkType: 'BookingCustomAttributeDefinitionOwnedCreatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'booking_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'booking.custom_attribute_definition.owned.deleted': {
    sdkType: 'BookingCustomAttributeDefinitionOwnedDeletedEvent',
    route: { how: 'deleted', objectType: 'booking_custom_attribute_definition' },
  },
  'booking.custom_attribute_definition.owned.updated': {
    sdkType: 'BookingCustomAttributeDefinitionOwnedUpdatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'booking_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'booking.custom_attribute_definition.visible.created': {
    sdkType: 'BookingCustomAttributeDefinitionVisibleCreatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'booking_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'booking.custom_attribute_definition.visible.deleted': {
    sdkType: 'BookingCustomAttributeDefinitionVisibleDeletedEvent',
    route: { how: 'deleted', objectType: 'booking_custom_attribute_definition' },
  },
  'booking.custom_attribute_definition.visible.updated': {
    sdkType: 'BookingCustomAttributeDefinitionVisibleUpdatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'booking_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'booking.updated': { sdkType: 'BookingUpdatedEvent', route: { how: 'retrieve', objectType: 'booking' } },

  'card.automatically_updated': {
    sdkType: 'CardAutomaticallyUpdatedEvent',
    route: { how: 'retrieve', objectType: 'card' },
  },
  'card.created': { sdkType: 'CardCreatedEvent', route: { how: 'retrieve', objectType: 'card' } },
  'card.disabled': { sdkType: 'CardDisabledEvent', route: { how: 'retrieve', objectType: 'card' } },
  // GDPR: the seller had this card forgotten; its reduced snapshot (no holder, address or digits) replaces the stored card, not a fetch.
  'card.forgotten': {
    sdkType: 'CardForgottenEvent',
    route: { how: 'snapshot', objectType: 'card', snapshotKey: 'card' },
  },
  'card.updated': { sdkType: 'CardUpdatedEvent', route: { how: 'retrieve', objectType: 'card' } },

  'catalog.version.updated': {
    sdkType: 'CatalogVersionUpdatedEvent',
    route: { how: 'catalog_changes', objectType: 'catalog_object' },
  },

  'customer.created': { sdkType: 'CustomerCreatedEvent', route: { how: 'retrieve', objectType: 'customer' } },
  'customer.custom_attribute.deleted': {
    sdkType: 'CustomerCustomAttributeDeletedEvent',
    route: { how: 'deleted', objectType: 'customer_custom_attribute' },
  },
  'customer.custom_attribute.owned.deleted': {
    sdkType: 'CustomerCustomAttributeOwnedDeletedEvent',
    route: { how: 'deleted', objectType: 'customer_custom_attribute' },
  },
  'customer.custom_attribute.owned.updated': {
    sdkType: 'CustomerCustomAttributeOwnedUpdatedEvent',
    route: { how: 'snapshot', objectType: 'customer_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'customer.custom_attribute.public.deleted': {
    sdkType: 'CustomerCustomAttributeDeletedPublicEvent',
    route: { how: 'deleted', objectType: 'customer_custom_attribute' },
  },
  'customer.custom_attribute.public.updated': {
    sdkType: 'CustomerCustomAttributeUpdatedPublicEvent',
    route: { how: 'snapshot', objectType: 'customer_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'customer.custom_attribute.updated': {
    sdkType: 'CustomerCustomAttributeUpdatedEvent',
    route: { how: 'snapshot', objectType: 'customer_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'customer.custom_attribute.visible.deleted': {
    sdkType: 'CustomerCustomAttributeVisibleDeletedEvent',
    route: { how: 'deleted', objectType: 'customer_custom_attribute' },
  },
  'customer.custom_attribute.visible.updated': {
    sdkType: 'CustomerCustomAttributeVisibleUpdatedEvent',
    route: { how: 'snapshot', objectType: 'customer_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'customer.custom_attribute_definition.created': {
    sdkType: 'CustomerCustomAttributeDefinitionCreatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'customer_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'customer.custom_attribute_definition.deleted': {
    sdkType: 'CustomerCustomAttributeDefinitionDeletedEvent',
    route: { how: 'deleted', objectType: 'customer_custom_attribute_definition' },
  },
  'customer.custom_attribute_definition.owned.created': {
    sdkType: 'CustomerCustomAttributeDefinitionOwnedCreatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'customer_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'customer.custom_attribute_definition.owned.deleted': {
    sdkType: 'CustomerCustomAttributeDefinitionOwnedDeletedEvent',
    route: { how: 'deleted', objectType: 'customer_custom_attribute_definition' },
  },
  'customer.custom_attribute_definition.owned.updated': {
    sdkType: 'CustomerCustomAttributeDefinitionOwnedUpdatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'customer_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'customer.custom_attribute_definition.public.created': {
    sdkType: 'CustomerCustomAttributeDefinitionCreatedPublicEvent',
    route: {
      how: 'snapshot',
      objectType: 'customer_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'customer.custom_attribute_definition.public.deleted': {
    sdkType: 'CustomerCustomAttributeDefinitionDeletedPublicEvent',
    route: { how: 'deleted', objectType: 'customer_custom_attribute_definition' },
  },
  'customer.custom_attribute_definition.public.updated': {
    sdkType: 'CustomerCustomAttributeDefinitionUpdatedPublicEvent',
    route: {
      how: 'snapshot',
      objectType: 'customer_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'customer.custom_attribute_definition.updated': {
    sdkType: 'CustomerCustomAttributeDefinitionUpdatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'customer_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'customer.custom_attribute_definition.visible.created': {
    sdkType: 'CustomerCustomAttributeDefinitionVisibleCreatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'customer_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'customer.custom_attribute_definition.visible.deleted': {
    sdkType: 'CustomerCustomAttributeDefinitionVisibleDeletedEvent',
    route: { how: 'deleted', objectType: 'customer_custom_attribute_definition' },
  },
  'customer.custom_attribute_definition.visible.updated': {
    sdkType: 'CustomerCustomAttributeDefinitionVisibleUpdatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'customer_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'customer.deleted': { sdkType: 'CustomerDeletedEvent', route: { how: 'deleted', objectType: 'customer' } },
  'customer.updated': { sdkType: 'CustomerUpdatedEvent', route: { how: 'retrieve', objectType: 'customer' } },

  'device.code.paired': { sdkType: 'DeviceCodePairedEvent', route: { how: 'retrieve', objectType: 'device_code' } },
  'device.created': { sdkType: 'DeviceCreatedEvent', route: { how: 'retrieve', objectType: 'device' } },

  'dispute.created': { sdkType: 'DisputeCreatedEvent', route: { how: 'retrieve', objectType: 'dispute' } },
  'dispute.evidence.added': { sdkType: 'DisputeEvidenceAddedEvent', route: { how: 'retrieve', objectType: 'dispute' } },
  'dispute.evidence.created': {
    sdkType: 'DisputeEvidenceCreatedEvent',
    route: { how: 'retrieve', objectType: 'dispute' },
  },
  // Not `deleted`: data.id is the dispute's id, and the dispute lives on (a piece of its evidence went).
  'dispute.evidence.deleted': {
    sdkType: 'DisputeEvidenceDeletedEvent',
    route: { how: 'retrieve', objectType: 'dispute' },
  },
  'dispute.evidence.removed': {
    sdkType: 'DisputeEvidenceRemovedEvent',
    route: { how: 'retrieve', objectType: 'dispute' },
  },
  'dispute.state.changed': { sdkType: 'DisputeStateChangedEvent', route: { how: 'retrieve', objectType: 'dispute' } },
  'dispute.state.updated': { sdkType: 'DisputeStateUpdatedEvent', route: { how: 'retrieve', objectType: 'dispute' } },

  // Gift card activities can only be listed, not fetched by id: snapshot.
  'gift_card.activity.created': {
    sdkType: 'GiftCardActivityCreatedEvent',
    route: { how: 'snapshot', objectType: 'gift_card_activity', snapshotKey: 'gift_card_activity' },
  },
  'gift_card.activity.updated': {
    sdkType: 'GiftCardActivityUpdatedEvent',
    route: { how: 'snapshot', objectType: 'gift_card_activity', snapshotKey: 'gift_card_activity' },
  },
  'gift_card.created': { sdkType: 'GiftCardCreatedEvent', route: { how: 'retrieve', objectType: 'gift_card' } },
  'gift_card.customer_linked': {
    sdkType: 'GiftCardCustomerLinkedEvent',
    route: { how: 'retrieve', objectType: 'gift_card' },
  },
  'gift_card.customer_unlinked': {
    sdkType: 'GiftCardCustomerUnlinkedEvent',
    route: { how: 'retrieve', objectType: 'gift_card' },
  },
  'gift_card.updated': { sdkType: 'GiftCardUpdatedEvent', route: { how: 'retrieve', objectType: 'gift_card' } },

  'inventory.count.updated': {
    sdkType: 'InventoryCountUpdatedEvent',
    route: {
      how: 'counts',
      objectType: 'inventory_count',
      listKey: 'inventory_counts',
      idFields: ['catalog_object_id', 'location_id', 'state'],
      updatedAtField: 'calculated_at',
    },
  },

  'invoice.canceled': { sdkType: 'InvoiceCanceledEvent', route: { how: 'retrieve', objectType: 'invoice' } },
  'invoice.created': { sdkType: 'InvoiceCreatedEvent', route: { how: 'retrieve', objectType: 'invoice' } },
  'invoice.deleted': { sdkType: 'InvoiceDeletedEvent', route: { how: 'deleted', objectType: 'invoice' } },
  'invoice.payment_made': { sdkType: 'InvoicePaymentMadeEvent', route: { how: 'retrieve', objectType: 'invoice' } },
  'invoice.published': { sdkType: 'InvoicePublishedEvent', route: { how: 'retrieve', objectType: 'invoice' } },
  'invoice.refunded': { sdkType: 'InvoiceRefundedEvent', route: { how: 'retrieve', objectType: 'invoice' } },
  'invoice.scheduled_charge_failed': {
    sdkType: 'InvoiceScheduledChargeFailedEvent',
    route: { how: 'retrieve', objectType: 'invoice' },
  },
  'invoice.updated': { sdkType: 'InvoiceUpdatedEvent', route: { how: 'retrieve', objectType: 'invoice' } },

  'job.created': { sdkType: 'JobCreatedEvent', route: { how: 'retrieve', objectType: 'job' } },
  'job.updated': { sdkType: 'JobUpdatedEvent', route: { how: 'retrieve', objectType: 'job' } },

  'labor.scheduled_shift.created': {
    sdkType: 'LaborScheduledShiftCreatedEvent',
    route: { how: 'retrieve', objectType: 'scheduled_shift' },
  },
  'labor.scheduled_shift.deleted': {
    sdkType: 'LaborScheduledShiftDeletedEvent',
    route: { how: 'deleted', objectType: 'scheduled_shift' },
  },
  'labor.scheduled_shift.published': {
    sdkType: 'LaborScheduledShiftPublishedEvent',
    route: { how: 'retrieve', objectType: 'scheduled_shift' },
  },
  'labor.scheduled_shift.updated': {
    sdkType: 'LaborScheduledShiftUpdatedEvent',
    route: { how: 'retrieve', objectType: 'scheduled_shift' },
  },
  // labor.shift.* are the deprecated (API 2025-05-21) twins of labor.timecard.*: the same object, read as a timecard.
  'labor.shift.created': { sdkType: 'LaborShiftCreatedEvent', route: { how: 'retrieve', objectType: 'timecard' } },
  'labor.shift.deleted': { sdkType: 'LaborShiftDeletedEvent', route: { how: 'deleted', objectType: 'timecard' } },
  'labor.shift.updated': { sdkType: 'LaborShiftUpdatedEvent', route: { how: 'retrieve', objectType: 'timecard' } },
  'labor.timecard.created': {
    sdkType: 'LaborTimecardCreatedEvent',
    route: { how: 'retrieve', objectType: 'timecard' },
  },
  'labor.timecard.deleted': { sdkType: 'LaborTimecardDeletedEvent', route: { how: 'deleted', objectType: 'timecard' } },
  'labor.timecard.updated': {
    sdkType: 'LaborTimecardUpdatedEvent',
    route: { how: 'retrieve', objectType: 'timecard' },
  },

  'location.created': { sdkType: 'LocationCreatedEvent', route: { how: 'retrieve', objectType: 'location' } },
  'location.custom_attribute.owned.deleted': {
    sdkType: 'LocationCustomAttributeOwnedDeletedEvent',
    route: { how: 'deleted', objectType: 'location_custom_attribute' },
  },
  'location.custom_attribute.owned.updated': {
    sdkType: 'LocationCustomAttributeOwnedUpdatedEvent',
    route: { how: 'snapshot', objectType: 'location_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'location.custom_attribute.visible.deleted': {
    sdkType: 'LocationCustomAttributeVisibleDeletedEvent',
    route: { how: 'deleted', objectType: 'location_custom_attribute' },
  },
  'location.custom_attribute.visible.updated': {
    sdkType: 'LocationCustomAttributeVisibleUpdatedEvent',
    route: { how: 'snapshot', objectType: 'location_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'location.custom_attribute_definition.owned.created': {
    sdkType: 'LocationCustomAttributeDefinitionOwnedCreatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'location_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'location.custom_attribute_definition.owned.deleted': {
    sdkType: 'LocationCustomAttributeDefinitionOwnedDeletedEvent',
    route: { how: 'deleted', objectType: 'location_custom_attribute_definition' },
  },
  'location.custom_attribute_definition.owned.updated': {
    sdkType: 'LocationCustomAttributeDefinitionOwnedUpdatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'location_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'location.custom_attribute_definition.visible.created': {
    sdkType: 'LocationCustomAttributeDefinitionVisibleCreatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'location_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'location.custom_attribute_definition.visible.deleted': {
    sdkType: 'LocationCustomAttributeDefinitionVisibleDeletedEvent',
    route: { how: 'deleted', objectType: 'location_custom_attribute_definition' },
  },
  'location.custom_attribute_definition.visible.updated': {
    sdkType: 'LocationCustomAttributeDefinitionVisibleUpdatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'location_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'location.updated': { sdkType: 'LocationUpdatedEvent', route: { how: 'retrieve', objectType: 'location' } },

  'loyalty.account.created': {
    sdkType: 'LoyaltyAccountCreatedEvent',
    route: { how: 'retrieve', objectType: 'loyalty_account' },
  },
  'loyalty.account.deleted': {
    sdkType: 'LoyaltyAccountDeletedEvent',
    route: { how: 'deleted', objectType: 'loyalty_account' },
  },
  'loyalty.account.updated': {
    sdkType: 'LoyaltyAccountUpdatedEvent',
    route: { how: 'retrieve', objectType: 'loyalty_account' },
  },
  // Loyalty events can only be searched: snapshot.
  'loyalty.event.created': {
    sdkType: 'LoyaltyEventCreatedEvent',
    route: { how: 'snapshot', objectType: 'loyalty_event', snapshotKey: 'loyalty_event' },
  },
  'loyalty.program.created': {
    sdkType: 'LoyaltyProgramCreatedEvent',
    route: { how: 'retrieve', objectType: 'loyalty_program' },
  },
  'loyalty.program.updated': {
    sdkType: 'LoyaltyProgramUpdatedEvent',
    route: { how: 'retrieve', objectType: 'loyalty_program' },
  },
  // A promotion's GET needs its program's id too: snapshot.
  'loyalty.promotion.created': {
    sdkType: 'LoyaltyPromotionCreatedEvent',
    route: { how: 'snapshot', objectType: 'loyalty_promotion', snapshotKey: 'loyalty_promotion' },
  },
  'loyalty.promotion.updated': {
    sdkType: 'LoyaltyPromotionUpdatedEvent',
    route: { how: 'snapshot', objectType: 'loyalty_promotion', snapshotKey: 'loyalty_promotion' },
  },

  'merchant.custom_attribute.owned.deleted': {
    sdkType: 'MerchantCustomAttributeOwnedDeletedEvent',
    route: { how: 'deleted', objectType: 'merchant_custom_attribute' },
  },
  'merchant.custom_attribute.owned.updated': {
    sdkType: 'MerchantCustomAttributeOwnedUpdatedEvent',
    route: { how: 'snapshot', objectType: 'merchant_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'merchant.custom_attribute.visible.deleted': {
    sdkType: 'MerchantCustomAttributeVisibleDeletedEvent',
    route: { how: 'deleted', objectType: 'merchant_custom_attribute' },
  },
  'merchant.custom_attribute.visible.updated': {
    sdkType: 'MerchantCustomAttributeVisibleUpdatedEvent',
    route: { how: 'snapshot', objectType: 'merchant_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'merchant.custom_attribute_definition.owned.created': {
    sdkType: 'MerchantCustomAttributeDefinitionOwnedCreatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'merchant_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'merchant.custom_attribute_definition.owned.deleted': {
    sdkType: 'MerchantCustomAttributeDefinitionOwnedDeletedEvent',
    route: { how: 'deleted', objectType: 'merchant_custom_attribute_definition' },
  },
  'merchant.custom_attribute_definition.owned.updated': {
    sdkType: 'MerchantCustomAttributeDefinitionOwnedUpdatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'merchant_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'merchant.custom_attribute_definition.visible.created': {
    sdkType: 'MerchantCustomAttributeDefinitionVisibleCreatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'merchant_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'merchant.custom_attribute_definition.visible.deleted': {
    sdkType: 'MerchantCustomAttributeDefinitionVisibleDeletedEvent',
    route: { how: 'deleted', objectType: 'merchant_custom_attribute_definition' },
  },
  'merchant.custom_attribute_definition.visible.updated': {
    sdkType: 'MerchantCustomAttributeDefinitionVisibleUpdatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'merchant_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },

  'oauth.authorization.revoked': {
    sdkType: 'OauthAuthorizationRevokedEvent',
    route: {
      how: 'none',
      reason:
        "Says the seller revoked this application's access tokens, not an object: the worker marks the merchant revoked and deletes its stored tokens; handlers receive it with object null.",
    },
  },

  // Checkout settings have no id of their own (their GETs key them by location, or by the token's seller): snapshot.
  'online_checkout.location_settings.updated': {
    sdkType: 'LocationSettingsUpdatedEvent',
    route: { how: 'snapshot', objectType: 'checkout_location_settings', snapshotKey: 'location_settings' },
  },
  'online_checkout.merchant_settings.updated': {
    sdkType: 'MerchantSettingsUpdatedEvent',
    route: { how: 'snapshot', objectType: 'checkout_merchant_settings', snapshotKey: 'merchant_settings' },
  },

  'order.created': { sdkType: 'OrderCreatedEvent', route: { how: 'retrieve', objectType: 'order' } },
  'order.custom_attribute.owned.deleted': {
    sdkType: 'OrderCustomAttributeOwnedDeletedEvent',
    route: { how: 'deleted', objectType: 'order_custom_attribute' },
  },
  'order.custom_attribute.owned.updated': {
    sdkType: 'OrderCustomAttributeOwnedUpdatedEvent',
    route: { how: 'snapshot', objectType: 'order_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'order.custom_attribute.visible.deleted': {
    sdkType: 'OrderCustomAttributeVisibleDeletedEvent',
    route: { how: 'deleted', objectType: 'order_custom_attribute' },
  },
  'order.custom_attribute.visible.updated': {
    sdkType: 'OrderCustomAttributeVisibleUpdatedEvent',
    route: { how: 'snapshot', objectType: 'order_custom_attribute', snapshotKey: 'custom_attribute' },
  },
  'order.custom_attribute_definition.owned.created': {
    sdkType: 'OrderCustomAttributeDefinitionOwnedCreatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'order_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'order.custom_attribute_definition.owned.deleted': {
    sdkType: 'OrderCustomAttributeDefinitionOwnedDeletedEvent',
    route: { how: 'deleted', objectType: 'order_custom_attribute_definition' },
  },
  'order.custom_attribute_definition.owned.updated': {
    sdkType: 'OrderCustomAttributeDefinitionOwnedUpdatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'order_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'order.custom_attribute_definition.visible.created': {
    sdkType: 'OrderCustomAttributeDefinitionVisibleCreatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'order_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'order.custom_attribute_definition.visible.deleted': {
    sdkType: 'OrderCustomAttributeDefinitionVisibleDeletedEvent',
    route: { how: 'deleted', objectType: 'order_custom_attribute_definition' },
  },
  'order.custom_attribute_definition.visible.updated': {
    sdkType: 'OrderCustomAttributeDefinitionVisibleUpdatedEvent',
    route: {
      how: 'snapshot',
      objectType: 'order_custom_attribute_definition',
      snapshotKey: 'custom_attribute_definition',
    },
  },
  'order.fulfillment.updated': {
    sdkType: 'OrderFulfillmentUpdatedEvent',
    route: { how: 'retrieve', objectType: 'order' },
  },
  'order.updated': { sdkType: 'OrderUpdatedEvent', route: { how: 'retrieve', objectType: 'order' } },

  'payment.created': { sdkType: 'PaymentCreatedEvent', route: { how: 'retrieve', objectType: 'payment' } },
  'payment.updated': { sdkType: 'PaymentUpdatedEvent', route: { how: 'retrieve', objectType: 'payment' } },

  'payout.failed': { sdkType: 'PayoutFailedEvent', route: { how: 'retrieve', objectType: 'payout' } },
  'payout.paid': { sdkType: 'PayoutPaidEvent', route: { how: 'retrieve', objectType: 'payout' } },
  'payout.sent': { sdkType: 'PayoutSentEvent', route: { how: 'retrieve', objectType: 'payout' } },

  'refund.created': { sdkType: 'RefundCreatedEvent', route: { how: 'retrieve', objectType: 'refund' } },
  'refund.updated': { sdkType: 'RefundUpdatedEvent', route: { how: 'retrieve', objectType: 'refund' } },

  'subscription.created': {
    sdkType: 'SubscriptionCreatedEvent',
    route: { how: 'retrieve', objectType: 'subscription' },
  },
  'subscription.updated': {
    sdkType: 'SubscriptionUpdatedEvent',
    route: { how: 'retrieve', objectType: 'subscription' },
  },

  'team_member.created': { sdkType: 'TeamMemberCreatedEvent', route: { how: 'retrieve', objectType: 'team_member' } },
  'team_member.updated': { sdkType: 'TeamMemberUpdatedEvent', route: { how: 'retrieve', objectType: 'team_member' } },
  // A wage setting has no id of its own (its GET takes the team member's id): snapshot.
  'team_member.wage_setting.updated': {
    sdkType: 'TeamMemberWageSettingUpdatedEvent',
    route: { how: 'snapshot', objectType: 'wage_setting', snapshotKey: 'wage_setting' },
  },

  'terminal.action.created': {
    sdkType: 'TerminalActionCreatedEvent',
    route: { how: 'retrieve', objectType: 'terminal_action' },
  },
  'terminal.action.updated': {
    sdkType: 'TerminalActionUpdatedEvent',
    route: { how: 'retrieve', objectType: 'terminal_action' },
  },
  'terminal.checkout.created': {
    sdkType: 'TerminalCheckoutCreatedEvent',
    route: { how: 'retrieve', objectType: 'terminal_checkout' },
  },
  'terminal.checkout.updated': {
    sdkType: 'TerminalCheckoutUpdatedEvent',
    route: { how: 'retrieve', objectType: 'terminal_checkout' },
  },
  'terminal.refund.created': {
    sdkType: 'TerminalRefundCreatedEvent',
    route: { how: 'retrieve', objectType: 'terminal_refund' },
  },
  'terminal.refund.updated': {
    sdkType: 'TerminalRefundUpdatedEvent',
    route: { how: 'retrieve', objectType: 'terminal_refund' },
  },

  'transfer_order.created': {
    sdkType: 'TransferOrderCreatedEvent',
    route: { how: 'retrieve', objectType: 'transfer_order' },
  },
  'transfer_order.deleted': {
    sdkType: 'TransferOrderDeletedEvent',
    route: { how: 'deleted', objectType: 'transfer_order' },
  },
  'transfer_order.updated': {
    sdkType: 'TransferOrderUpdatedEvent',
    route: { how: 'retrieve', objectType: 'transfer_order' },
  },

  'vendor.created': { sdkType: 'VendorCreatedEvent', route: { how: 'retrieve', objectType: 'vendor' } },
  'vendor.updated': { sdkType: 'VendorUpdatedEvent', route: { how: 'retrieve', objectType: 'vendor' } },

  // Not in the SDK's types, but Square sends it from the Developer Console's "Send test event" and TestWebhookSubscription.
  'webhooks.test_notification': {
    sdkType: 'none',
    route: { how: 'none', reason: 'A test delivery that names no object; handlers receive it with object null.' },
  },
};
