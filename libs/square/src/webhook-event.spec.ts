import { fixtureBody } from '@app/testing';
import { MAX_JSON_DEPTH, legacyEventId, parseSquareWebhook } from './webhook-event.js';

describe('parseSquareWebhook', () => {
  it('reads a v2 event', () => {
    const result = parseSquareWebhook(fixtureBody('payment.updated.json'));
    expect(result).toMatchObject({
      ok: true,
      event: { eventId: '7d4e2a91-c3b8-4f05-8e6d-91a0b5c2f7e3', type: 'payment.updated', merchantId: 'ML7Q2XK4ZP1N9' },
    });
  });

  it('keeps the body as text, exactly the bytes received (what the inbox stores)', () => {
    const body = fixtureBody('payment.updated.json');
    const result = parseSquareWebhook(body);
    if (!result.ok) throw new Error('expected the event to parse');
    expect(Buffer.from(result.event.json).equals(body)).toBe(true);
  });

  it('derives a stable id for a legacy v1 notification', () => {
    const body = fixtureBody('v1.PAYMENT_UPDATED.json');
    const first = parseSquareWebhook(body, '2026-10-02T14:05:42Z');
    const again = parseSquareWebhook(Buffer.from(body), '2026-10-02T14:05:42Z');
    const later = parseSquareWebhook(body, '2026-10-02T15:00:00Z');
    expect(first).toMatchObject({ ok: true, event: { type: 'PAYMENT_UPDATED', merchantId: 'ML7Q2XK4ZP1N9' } });
    if (!first.ok || !again.ok || !later.ok) throw new Error('expected legacy events to parse');
    expect(first.event.eventId).toMatch(/^v1:[0-9a-f]{64}$/);
    expect(again.event.eventId).toBe(first.event.eventId);
    expect(later.event.eventId).not.toBe(first.event.eventId);
    expect(legacyEventId(body)).not.toBe(first.event.eventId);
  });

  it('keys a v1 notification by its signed body alone: every timestamp, one body key (none for v2)', () => {
    const body = fixtureBody('v1.PAYMENT_UPDATED.json');
    const keys = ['2026-10-02T14:05:42Z', '2026-10-02T15:00:00Z', undefined].map((at) => {
      const parsed = parseSquareWebhook(body, at);
      if (!parsed.ok) throw new Error('expected the legacy event to parse');
      return parsed.event.bodyKey;
    });
    expect(keys[0]).toMatch(/^v1:[0-9a-f]{64}$/);
    expect(new Set(keys).size).toBe(1);
    const other = parseSquareWebhook(Buffer.from(body.toString().replace('Rk2v', 'Zz9q')), '2026-10-02T14:05:42Z');
    expect(other.ok && other.event.bodyKey).not.toBe(keys[0]);
    expect(parseSquareWebhook(fixtureBody('payment.updated.json'))).toMatchObject({
      ok: true,
      event: { bodyKey: null },
    });
  });

  it.each([
    ['not JSON', 'hello', 'not valid UTF-8 JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'not valid UTF-8 JSON'],
    // Decoding must not drop the mark: the stored text would no longer be the bytes received.
    [
      'a byte-order mark',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"event_id":"a","type":"t"}')]),
      'not valid UTF-8 JSON',
    ],
    ['a JSON array', '[1,2]', 'not a JSON object'],
    ['JSON null', 'null', 'not a JSON object'],
    ['no event id', '{"type":"payment.updated"}', 'event_id must be'],
    ['a numeric event id', '{"event_id":7,"type":"payment.updated"}', 'event_id must be'],
    ['no type', '{"event_id":"abc"}', 'type must be'],
    ['an empty object', '{}', 'no event_id and type'],
    ['an oversized id', JSON.stringify({ event_id: 'x'.repeat(300), type: 't' }), 'event_id must be'],
    ['a NUL in merchant_id', '{"event_id":"a","type":"t","merchant_id":"M\\u0000"}', 'NUL'],
    ['a NUL in a nested key', '{"event_id":"a","type":"t","data":{"k\\u0000":1}}', 'NUL'],
    [
      'nesting deeper than Postgres can parse',
      `{"event_id":"a","type":"t","data":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
      'nested deeper than 256',
    ],
    [
      'one level too deep',
      `{"event_id":"a","type":"t","d":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`,
      'nested deeper',
    ],
  ])('rejects %s', (_, body, reason) => {
    const result = parseSquareWebhook(Buffer.isBuffer(body) ? body : Buffer.from(body));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('accepts the deepest nesting allowed, and an escaped backslash before u0000 (no NUL)', () => {
    const deepest = `{"event_id":"a","type":"t","d":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`;
    expect(parseSquareWebhook(Buffer.from(deepest)).ok).toBe(true);
    expect(parseSquareWebhook(Buffer.from('{"event_id":"a","type":"t","note":"\\\\u0000"}')).ok).toBe(true);
  });
});
