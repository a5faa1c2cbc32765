import { serialization, type SquareClient } from 'square';

// How each kind of Square object is retrieved through the official SDK, and turned back into
// Square's own wire format (snake_case JSON, amounts exact): the canonical object the mirror stores
// and handlers see. One row per object type with a single-object GET by id alone, keyed by the
// objectType of @app/square's EVENT_CATALOG (square-objects.spec.ts keeps the two in step). `key`
// is the object's key in the response's wire JSON: not always the object type (a loyalty
// program comes back as `program`, a terminal checkout as `checkout`).

/** A Square object as its API returns it: the JSON text (exact) and the same, parsed. */
export interface CanonicalObject {
  json: string;
  object: Record<string, unknown>;
}

export interface Retriever {
  /** The SDK method called, as the metrics' `operation` label: payments.get, labor.retrieveTimecard. */
  operation: string;
  /** For messages: GET /v2/payments/{id}. */
  path: (id: string) => string;
  get: (client: SquareClient, id: string) => Promise<unknown>;
  /** The response's serializer (SDK shape to wire JSON and back), and the key of the object in it. */
  response: { jsonOrThrow(value: unknown, opts: object): unknown; parseOrThrow(value: unknown, opts: object): unknown };
  key: string;
}

export const RETRIEVERS = {
  payment: {
    operation: 'payments.get',
    path: (id) => `/v2/payments/${encodeURIComponent(id)}`,
    get: (c, id) => c.payments.get({ paymentId: id }),
    response: serialization.GetPaymentResponse,
    key: 'payment',
  },
  refund: {
    operation: 'refunds.get',
    path: (id) => `/v2/refunds/${encodeURIComponent(id)}`,
    get: (c, id) => c.refunds.get({ refundId: id }),
    response: serialization.GetPaymentRefundResponse,
    key: 'refund',
  },
  order: {
    operation: 'orders.get',
    path: (id) => `/v2/orders/${encodeURIComponent(id)}`,
    get: (c, id) => c.orders.get({ orderId: id }),
    response: serialization.GetOrderResponse,
    key: 'order',
  },
  customer: {
    operation: 'customers.get',
    path: (id) => `/v2/customers/${encodeURIComponent(id)}`,
    get: (c, id) => c.customers.get({ customerId: id }),
    response: serialization.GetCustomerResponse,
    key: 'customer',
  },
  invoice: {
    operation: 'invoices.get',
    path: (id) => `/v2/invoices/${encodeURIComponent(id)}`,
    get: (c, id) => c.invoices.get({ invoiceId: id }),
    response: serialization.GetInvoiceResponse,
    key: 'invoice',
  },
  dispute: {
    operation: 'disputes.get',
    path: (id) => `/v2/disputes/${encodeURIComponent(id)}`,
    get: (c, id) => c.disputes.get({ disputeId: id }),
    response: serialization.GetDisputeResponse,
    key: 'dispute',
  },
  subscription: {
    operation: 'subscriptions.get',
    path: (id) => `/v2/subscriptions/${encodeURIComponent(id)}`,
    get: (c, id) => c.subscriptions.get({ subscriptionId: id }),
    response: serialization.GetSubscriptionResponse,
    key: 'subscription',
  },
  booking: {
    operation: 'bookings.get',
    path: (id) => `/v2/bookings/${encodeURIComponent(id)}`,
    get: (c, id) => c.bookings.get({ bookingId: id }),
    response: serialization.GetBookingResponse,
    key: 'booking',
  },
  gift_card: {
    operation: 'giftCards.get',
    path: (id) => `/v2/gift-cards/${encodeURIComponent(id)}`,
    get: (c, id) => c.giftCards.get({ id }),
    response: serialization.GetGiftCardResponse,
    key: 'gift_card',
  },
  loyalty_account: {
    operation: 'loyalty.accounts.get',
    path: (id) => `/v2/loyalty/accounts/${encodeURIComponent(id)}`,
    get: (c, id) => c.loyalty.accounts.get({ accountId: id }),
    response: serialization.GetLoyaltyAccountResponse,
    key: 'loyalty_account',
  },
  loyalty_program: {
    operation: 'loyalty.programs.get',
    path: (id) => `/v2/loyalty/programs/${encodeURIComponent(id)}`,
    get: (c, id) => c.loyalty.programs.get({ programId: id }),
    response: serialization.GetLoyaltyProgramResponse,
    key: 'program',
  },
  team_member: {
    operation: 'teamMembers.get',
    path: (id) => `/v2/team-members/${encodeURIComponent(id)}`,
    get: (c, id) => c.teamMembers.get({ teamMemberId: id }),
    response: serialization.GetTeamMemberResponse,
    key: 'team_member',
  },
  job: {
    operation: 'team.retrieveJob',
    path: (id) => `/v2/team-members/jobs/${encodeURIComponent(id)}`,
    get: (c, id) => c.team.retrieveJob({ jobId: id }),
    response: serialization.RetrieveJobResponse,
    key: 'job',
  },
  // Also serves the deprecated labor.shift.* events: a shift is the same object under its old name.
  timecard: {
    operation: 'labor.retrieveTimecard',
    path: (id) => `/v2/labor/timecards/${encodeURIComponent(id)}`,
    get: (c, id) => c.labor.retrieveTimecard({ id }),
    response: serialization.RetrieveTimecardResponse,
    key: 'timecard',
  },
  scheduled_shift: {
    operation: 'labor.retrieveScheduledShift',
    path: (id) => `/v2/labor/scheduled-shifts/${encodeURIComponent(id)}`,
    get: (c, id) => c.labor.retrieveScheduledShift({ id }),
    response: serialization.RetrieveScheduledShiftResponse,
    key: 'scheduled_shift',
  },
  payout: {
    operation: 'payouts.get',
    path: (id) => `/v2/payouts/${encodeURIComponent(id)}`,
    get: (c, id) => c.payouts.get({ payoutId: id }),
    response: serialization.GetPayoutResponse,
    key: 'payout',
  },
  terminal_checkout: {
    operation: 'terminal.checkouts.get',
    path: (id) => `/v2/terminals/checkouts/${encodeURIComponent(id)}`,
    get: (c, id) => c.terminal.checkouts.get({ checkoutId: id }),
    response: serialization.GetTerminalCheckoutResponse,
    key: 'checkout',
  },
  terminal_refund: {
    operation: 'terminal.refunds.get',
    path: (id) => `/v2/terminals/refunds/${encodeURIComponent(id)}`,
    get: (c, id) => c.terminal.refunds.get({ terminalRefundId: id }),
    response: serialization.GetTerminalRefundResponse,
    key: 'refund',
  },
  terminal_action: {
    operation: 'terminal.actions.get',
    path: (id) => `/v2/terminals/actions/${encodeURIComponent(id)}`,
    get: (c, id) => c.terminal.actions.get({ actionId: id }),
    response: serialization.GetTerminalActionResponse,
    key: 'action',
  },
  card: {
    operation: 'cards.get',
    path: (id) => `/v2/cards/${encodeURIComponent(id)}`,
    get: (c, id) => c.cards.get({ cardId: id }),
    response: serialization.GetCardResponse,
    key: 'card',
  },
  location: {
    operation: 'locations.get',
    path: (id) => `/v2/locations/${encodeURIComponent(id)}`,
    get: (c, id) => c.locations.get({ locationId: id }),
    response: serialization.GetLocationResponse,
    key: 'location',
  },
  device: {
    operation: 'devices.get',
    path: (id) => `/v2/devices/${encodeURIComponent(id)}`,
    get: (c, id) => c.devices.get({ deviceId: id }),
    response: serialization.GetDeviceResponse,
    key: 'device',
  },
  device_code: {
    operation: 'devices.codes.get',
    path: (id) => `/v2/devices/codes/${encodeURIComponent(id)}`,
    get: (c, id) => c.devices.codes.get({ id }),
    response: serialization.GetDeviceCodeResponse,
    key: 'device_code',
  },
  bank_account: {
    operation: 'bankAccounts.get',
    path: (id) => `/v2/bank-accounts/${encodeURIComponent(id)}`,
    get: (c, id) => c.bankAccounts.get({ bankAccountId: id }),
    response: serialization.GetBankAccountResponse,
    key: 'bank_account',
  },
  vendor: {
    operation: 'vendors.get',
    path: (id) => `/v2/vendors/${encodeURIComponent(id)}`,
    get: (c, id) => c.vendors.get({ vendorId: id }),
    response: serialization.GetVendorResponse,
    key: 'vendor',
  },
  transfer_order: {
    operation: 'transferOrders.get',
    path: (id) => `/v2/transfer-orders/${encodeURIComponent(id)}`,
    get: (c, id) => c.transferOrders.get({ transferOrderId: id }),
    response: serialization.RetrieveTransferOrderResponse,
    key: 'transfer_order',
  },
} as const satisfies Record<string, Retriever>;

export type RetrievableType = keyof typeof RETRIEVERS;

export function isRetrievable(type: string): type is RetrievableType {
  return Object.hasOwn(RETRIEVERS, type);
}

const PASSTHROUGH = { unrecognizedObjectKeys: 'passthrough', allowUnrecognizedEnumValues: true } as const;

/** The object of a response in wire format, or undefined when the response has none. */
export function wireObject(retriever: Retriever, response: unknown): CanonicalObject | undefined {
  const wire = retriever.response.jsonOrThrow(response, PASSTHROUGH) as Record<string, unknown>;
  const value = wire[retriever.key];
  if (value === undefined || value === null) return undefined;
  const json = wireJson(value);
  return { json, object: JSON.parse(json) as Record<string, unknown> };
}

/** JSON text with bigints as plain numbers (jsonb stores them exactly, whatever their size). */
export function wireJson(value: unknown): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v));
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/** Every object of a list in a response, in wire format (e.g. the objects of a catalog search). */
export function wireObjects(
  serializer: { jsonOrThrow(value: unknown, opts: object): unknown },
  response: unknown,
  key: string,
): CanonicalObject[] {
  const wire = serializer.jsonOrThrow(response, PASSTHROUGH) as Record<string, unknown>;
  const list = wire[key];
  return Array.isArray(list)
    ? list.map((value) => {
        const json = wireJson(value);
        return { json, object: JSON.parse(json) as Record<string, unknown> };
      })
    : [];
}
