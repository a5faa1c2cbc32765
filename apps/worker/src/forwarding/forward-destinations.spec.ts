import type { Destination } from '@app/config';
import { diff } from './forward-destinations.js';

const d = (name: string, over: Partial<Destination> = {}): Destination => ({
  name, url: `https://${name}.example.com/hooks`, secret: 'whsec_x', eventTypes: ['*'], timeoutMs: 10_000, maxConcurrency: 10, ...over,
});

describe('a reload of the destinations file', () => {
  it('sorts destinations into added, removed and changed (any setting), by name', () => {
    const before = [d('orders'), d('crm'), d('erp')];
    const after = [d('orders'), d('crm', { maxConcurrency: 4 }), d('billing')];
    expect(diff(before, after)).toEqual({ added: [d('billing')], removed: [d('erp')], changed: [d('crm', { maxConcurrency: 4 })] });
  });

  it('the same file again changes nothing', () => {
    expect(diff([d('orders')], [d('orders')])).toEqual({ added: [], removed: [], changed: [] });
  });
});
