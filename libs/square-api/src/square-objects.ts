import { serialization, type SquareClient } from 'square';

// How each kind of Square object is retrieved through the official SDK, and turned back into
// Square's own wire format (snake_case JSON, amounts exact): the canonical object the mirror stores
// and handlers see. One row per object type with a single-object GET.

/** A Square object as its API returns it: the JSON text (exact) and the same, parsed. */
export interface CanonicalObject {
  json: string;
  object: Record<string, unknown>;
}

interface Retriever {
  /** The metrics' `operation` label, e.g. payments.get. */
  operation: string;
  /** For messages: GET /v2/payments/{id}. */
  path: (id: string) => string;
  get: (client: SquareClient, id: string) => Promise<unknown>;
  /** The response's serializer, and the key of the object in it. */
  response: { jsonOrThrow(value: unknown, opts: object): unknown };
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
} as const satisfies Record<string, Retriever>;

export type RetrievableType = keyof typeof RETRIEVERS;

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
