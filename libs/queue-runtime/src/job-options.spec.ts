import { forwardJobOptions, squareEventJobOptions } from './job-options.js';

describe('job options', () => {
  it('builds retry options from configuration', () => {
    const options = squareEventJobOptions({ prefix: 'p', jobAttempts: 7, jobBackoffMs: 250, clusterNodes: [] }, 'e-1');
    expect(options).toMatchObject({
      jobId: 'e-1',
      attempts: 7,
      backoff: { type: 'exponential-retry-after', delay: 250 },
    });
  });

  it("gives a delivery's job the delivery id, escaped, and its replay count", () => {
    expect(forwardJobOptions('42').jobId).toBe('d42');
    expect(forwardJobOptions('42', 3).jobId).toBe('d42%r3');
  });
});
