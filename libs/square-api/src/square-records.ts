import { serialization, type Square } from 'square';

// The columns people query, plus the whole object in Square's own wire format (snake_case),
// as the API returned it. The SDK gives money amounts as bigint; JSON keeps them as numbers.

export interface PaymentRecord {
  id: string;
  status: string;
  amount: bigint | null;
  currency: string | null;
  totalAmount: bigint | null;
  refundedAmount: bigint | null;
  locationId: string | null;
  orderId: string | null;
  customerId: string | null;
  sourceType: string | null;
  receiptNumber: string | null;
  version: number | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  /** JSON text of the payment object. */
  json: string;
}

export interface RefundRecord {
  id: string;
  paymentId: string | null;
  status: string;
  amount: bigint | null;
  currency: string | null;
  locationId: string | null;
  orderId: string | null;
  reason: string | null;
  version: number | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  json: string;
}

export function toPaymentRecord(payment: Square.Payment): PaymentRecord {
  return {
    id: required(payment.id, 'payment.id'),
    status: payment.status ?? 'UNKNOWN',
    amount: payment.amountMoney?.amount ?? null,
    currency: payment.amountMoney?.currency ?? null,
    totalAmount: payment.totalMoney?.amount ?? null,
    refundedAmount: payment.refundedMoney?.amount ?? null,
    locationId: payment.locationId ?? null,
    orderId: payment.orderId ?? null,
    customerId: payment.customerId ?? null,
    sourceType: payment.sourceType ?? null,
    receiptNumber: payment.receiptNumber ?? null,
    version: integerVersion(payment),
    createdAt: date(payment.createdAt),
    updatedAt: date(payment.updatedAt),
    json: wireJson(serialization.Payment.jsonOrThrow(payment, PASSTHROUGH)),
  };
}

export function toRefundRecord(refund: Square.PaymentRefund): RefundRecord {
  return {
    id: required(refund.id, 'refund.id'),
    paymentId: refund.paymentId ?? null,
    status: refund.status ?? 'UNKNOWN',
    amount: refund.amountMoney?.amount ?? null,
    currency: refund.amountMoney?.currency ?? null,
    locationId: refund.locationId ?? null,
    orderId: refund.orderId ?? null,
    reason: refund.reason ?? null,
    version: integerVersion(refund),
    createdAt: date(refund.createdAt),
    updatedAt: date(refund.updatedAt),
    json: wireJson(serialization.PaymentRefund.jsonOrThrow(refund, PASSTHROUGH)),
  };
}

const PASSTHROUGH = { unrecognizedObjectKeys: 'passthrough', allowUnrecognizedEnumValues: true } as const;

/** JSON text with bigints as plain numbers (jsonb stores them exactly, whatever their size). */
export function wireJson(value: unknown): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v));
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/**
 * Square's objects carry an integer `version` that grows with every change (the SDK's types do
 * not declare it; it survives parsing as an unrecognized key). Null when absent.
 */
function integerVersion(object: object): number | null {
  const version = (object as { version?: unknown }).version;
  return typeof version === 'number' && Number.isInteger(version) ? version : null;
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`Square returned an object without ${name}`);
  return value;
}

function date(value: string | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}
