import { BadRequestException } from '@nestjs/common';
import { DEFAULT_LIMIT, decodeCursor, encodeCursor, parseListEventsQuery } from './list-events.query.js';

function problemsOf(query: Record<string, unknown>): string[] {
  try {
    parseListEventsQuery(query);
  } catch (err) {
    if (err instanceof BadRequestException) return (err.getResponse() as { message: string[] }).message;
    throw err;
  }
  throw new Error('expected a BadRequestException');
}

describe('parseListEventsQuery', () => {
  it('defaults to every event, newest first, 50 at a time', () => {
    expect(parseListEventsQuery({})).toEqual({ filter: {}, limit: DEFAULT_LIMIT, after: undefined });
  });

  it('reads lists, dates and the limit', () => {
    const parsed = parseListEventsQuery({
      status: ['dead_lettered', 'received,processed'],
      type: 'payment.updated',
      receivedFrom: '2024-05-01',
      receivedTo: '2024-05-01T12:30:00+02:00',
      limit: '10',
    });
    expect(parsed.filter).toEqual({
      statuses: ['dead_lettered', 'received', 'processed'],
      types: ['payment.updated'],
      receivedFrom: new Date('2024-05-01T00:00:00Z'),
      receivedTo: new Date('2024-05-01T10:30:00Z'),
    });
    expect(parsed.limit).toBe(10);
  });

  it('reads payment.* as a type prefix, alone', () => {
    expect(parseListEventsQuery({ type: 'payment.*' }).filter).toMatchObject({
      typePrefix: 'payment.',
      types: undefined,
    });
    expect(problemsOf({ type: 'payment.*,order.updated' })).toEqual([
      'type: a pattern such as payment.* must be the only type given',
    ]);
  });

  it('names every bad parameter in one error', () => {
    const problems = problemsOf({
      status: 'failed',
      receivedFrom: '2024-05-01T12:00:00', // no zone
      receivedTo: 'yesterday',
      limit: '500',
      cursor: 'garbage',
      stauts: 'dead_lettered',
    });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(
      /stauts[\s\S]*status must be one of[\s\S]*receivedFrom[\s\S]*receivedTo[\s\S]*limit[\s\S]*cursor/,
    );
  });

  it('refuses an empty list, a reversed range, a non-integer limit and a repeated single value', () => {
    expect(problemsOf({ status: ',' })).toEqual(['status must not be empty']);
    expect(problemsOf({ receivedFrom: '2024-05-02', receivedTo: '2024-05-01' })).toEqual([
      'receivedFrom must not be after receivedTo',
    ]);
    expect(problemsOf({ limit: '1.5' })).toHaveLength(1);
    expect(problemsOf({ limit: ['1', '2'] })).toEqual(['limit must be given once']);
    expect(problemsOf({ receivedFrom: '2024-02-30' })).toHaveLength(1);
  });
});

describe('cursors', () => {
  it('round-trip and reject anything else', () => {
    const cursor = { receivedAt: new Date('2024-05-01T10:00:00.123Z'), eventId: 'v1:abc' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(parseListEventsQuery({ cursor: encodeCursor(cursor) }).after).toEqual(cursor);
    for (const bad of [
      '',
      'x',
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('["not a date","e"]').toString('base64url'),
    ]) {
      expect(decodeCursor(bad)).toBeUndefined();
    }
  });
});
