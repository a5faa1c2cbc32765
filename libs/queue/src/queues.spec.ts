import { jobIdForEvent, queuePrefix } from './queues.js';

describe('jobIdForEvent', () => {
  it('keeps ordinary Square event ids as they are', () => {
    expect(jobIdForEvent('7d4e2a91-c3b8-4f05-8e6d-91a0b5c2f7e3')).toBe('7d4e2a91-c3b8-4f05-8e6d-91a0b5c2f7e3');
  });

  it('escapes what BullMQ refuses: colons and integer-looking ids', () => {
    expect(jobIdForEvent('v1:abc')).toBe('v1%3Aabc');
    expect(jobIdForEvent('123')).toBe('%3123');
    expect(jobIdForEvent('-5')).toBe('%2D5');
    for (const id of ['v1:abc', '123', '-5']) {
      const jobId = jobIdForEvent(id);
      expect(jobId).not.toContain(':');
      expect(`${parseInt(jobId, 10)}`).not.toBe(jobId);
      expect(decodeURIComponent(jobId)).toBe(id); // one-to-one
    }
  });

  it('gives a replayed event a job id of its own, which no other event id can have', () => {
    expect(jobIdForEvent('e-1', 0)).toBe('e-1');
    expect(jobIdForEvent('e-1', 2)).toBe('e-1%r2');
    expect(jobIdForEvent('v1:abc', 1)).toBe('v1%3Aabc%r1');
    // An event id that literally ends in %r2 is escaped, so it cannot collide with e-1's replay.
    expect(jobIdForEvent('e-1%r2')).toBe('e-1%25r2');
  });
});

describe('queuePrefix', () => {
  const cluster = [{ host: '10.0.0.1', port: 6379 }];

  it("keeps a single Redis's prefix as it was, so an upgrade finds its queued jobs", () => {
    expect(queuePrefix({ prefix: 'bull', clusterNodes: [] }, 'square-events')).toBe('bull');
  });

  it('gives each queue a hash tag of its own in a Redis Cluster', () => {
    expect(queuePrefix({ prefix: 'bull', clusterNodes: cluster }, 'square-events')).toBe('{bull:square-events}');
    expect(queuePrefix({ prefix: 'bull', clusterNodes: cluster }, 'forward-crm')).toBe('{bull:forward-crm}');
  });

  it("keeps a prefix that already holds a tag (the operator's choice)", () => {
    expect(queuePrefix({ prefix: '{sqwh}', clusterNodes: cluster }, 'square-events')).toBe('{sqwh}');
  });
});
