import type { Destination } from '@app/config';
import { ForwardDestinations, diff, type DestinationChanges } from './forward-destinations.js';

const d = (name: string, over: Partial<Destination> = {}): Destination => ({
  name,
  url: `https://${name}.example.com/hooks`,
  secret: 'whsec_x',
  eventTypes: ['*'],
  timeoutMs: 10_000,
  maxConcurrency: 10,
  ...over,
});

describe('a reload of the destinations file', () => {
  it('sorts destinations into added, removed and changed (any setting), by name', () => {
    const before = [d('orders'), d('crm'), d('erp')];
    const after = [d('orders'), d('crm', { maxConcurrency: 4 }), d('billing')];
    expect(diff(before, after)).toEqual({
      added: [d('billing')],
      removed: [d('erp')],
      changed: [d('crm', { maxConcurrency: 4 })],
    });
  });

  it('the same file again changes nothing', () => {
    expect(diff([d('orders')], [d('orders')])).toEqual({ added: [], removed: [], changed: [] });
  });
});

describe('temporary destinations (square listen --forward-to)', () => {
  it("join the file's in one list, and their listeners hear only what changed", async () => {
    const destinations = new ForwardDestinations({ file: undefined, load: () => [d('orders')] });
    const heard: DestinationChanges[] = [];
    destinations.onChange(async (changes) => void heard.push(changes));
    await destinations.setTemporary([d('listen-a1'), d('orders', { url: 'http://localhost:1/' })]);
    expect(destinations.all()).toEqual([d('orders'), d('listen-a1')]); // a file's name is never taken over
    expect(destinations.temporaryNames()).toEqual(['listen-a1']);
    await destinations.setTemporary([d('listen-a1'), d('orders', { url: 'http://localhost:1/' })]);
    await destinations.setTemporary([]);
    expect(destinations.all()).toEqual([d('orders')]);
    expect(heard).toEqual([
      { added: [d('listen-a1')], removed: [], changed: [] },
      { added: [], removed: [d('listen-a1')], changed: [] },
    ]);
  });
});
