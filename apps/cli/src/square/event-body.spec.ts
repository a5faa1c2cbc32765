import { readFileSync } from 'node:fs';
import { describeEvent, withNewEventId } from './event-body.js';
import { SAMPLES_DIR, listSamples, readEventSource } from './event-source.js';

const sample = (name: string) => readFileSync(`${SAMPLES_DIR}/${name}.json`);

describe('withNewEventId', () => {
  it('replaces event_id and created_at and keeps everything else', () => {
    const body = sample('payment.updated');
    const renewed = withNewEventId(body, 'evt-new', new Date('2030-01-02T03:04:05.678Z'))!;
    const before = JSON.parse(body.toString()) as Record<string, unknown>;
    const after = JSON.parse(renewed.toString()) as Record<string, unknown>;
    expect(after).toEqual({ ...before, event_id: 'evt-new', created_at: '2030-01-02T03:04:05.678Z' });
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(renewed.toString()).not.toMatch(/\s/);
  });

  it('makes a different id each time by default', () => {
    const ids = [1, 2].map(
      () => (JSON.parse(withNewEventId(sample('payment.updated'))!.toString()) as { event_id: string }).event_id,
    );
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('leaves a legacy v1 body alone and refuses a body that is not a JSON object', () => {
    expect(withNewEventId(sample('v1.PAYMENT_UPDATED'))).toBeUndefined();
    expect(() => withNewEventId(Buffer.from('[1]'))).toThrow(/JSON object/);
    expect(() => withNewEventId(Buffer.from('not json'))).toThrow(/JSON object/);
  });
});

describe('describeEvent', () => {
  it('names the type and id, a legacy event, or what the body is', () => {
    expect(describeEvent(sample('payment.updated'))).toBe('payment.updated 7d4e2a91-c3b8-4f05-8e6d-91a0b5c2f7e3');
    expect(describeEvent(sample('v1.PAYMENT_UPDATED'))).toBe('legacy v1 PAYMENT_UPDATED');
    expect(describeEvent(Buffer.from('<xml/>'))).toBe('a body that is not a JSON object (6 bytes)');
  });
});

describe('readEventSource', () => {
  it('ships the fixtures as samples, byte for byte', () => {
    expect(listSamples()).toEqual([
      'customer.created',
      'payment.created',
      'payment.updated',
      'refund.updated',
      'v1.PAYMENT_UPDATED',
      'webhooks.test_notification',
    ]);
    for (const name of listSamples()) {
      expect(
        readEventSource(name, '/nonexistent').body.equals(readFileSync(`libs/testing/fixtures/square/${name}.json`)),
      ).toBe(true);
    }
  });

  it('takes a bare name (with or without .json) as a sample and anything with a slash as a file', () => {
    expect(readEventSource('payment.updated.json', '/nonexistent').origin).toBe('sample payment.updated');
    const file = readEventSource('./libs/testing/fixtures/square/refund.updated.json', process.cwd());
    expect(file.origin).toBe(`${process.cwd()}/libs/testing/fixtures/square/refund.updated.json`);
  });

  it('lists the samples when the name is neither', () => {
    expect(() => readEventSource('payment.updatd', process.cwd())).toThrow(
      /no sample and no file named "payment.updatd" \(samples: customer.created, .*payment.updated/,
    );
  });
});
