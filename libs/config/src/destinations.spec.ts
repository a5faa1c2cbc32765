import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadDestinations } from './destinations.js';
import { ConfigError, loadConfig } from './load-config.js';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const dir = mkdtempSync(join(tmpdir(), 'destinations-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const problems = (path: string, env: Record<string, string> = {}) => {
  try {
    loadDestinations(path, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('loadDestinations', () => {
  it('reads destinations with their defaults, secrets from the environment', () => {
    const path = file(
      'ok.yml',
      `destinations:
  - name: orders
    url: https://orders.example.com/hooks
    secret: \${ORDERS_SECRET}
    eventTypes: [payment.*, order.updated]
  - name: crm
    url: http://crm.internal:8080/square
    secret: ${SECRET}
    eventTypes: ['*']
    merchantIds: [M1]
    timeoutMs: 2000
    maxConcurrency: 2
    maxPerSecond: 5
`,
    );
    expect(loadDestinations(path, { ORDERS_SECRET: SECRET })).toEqual([
      {
        name: 'orders',
        url: 'https://orders.example.com/hooks',
        secret: SECRET,
        eventTypes: ['payment.*', 'order.updated'],
        timeoutMs: 10_000,
        maxConcurrency: 10,
      },
      {
        name: 'crm',
        url: 'http://crm.internal:8080/square',
        secret: SECRET,
        eventTypes: ['*'],
        merchantIds: ['M1'],
        timeoutMs: 2000,
        maxConcurrency: 2,
        maxPerSecond: 5,
      },
    ]);
    expect(loadDestinations(undefined, {})).toEqual([]);
  });

  it('names every problem, with the file and the place, and never a secret', () => {
    const path = file(
      'bad.yml',
      `destinations:
  - name: Orders Service
    url: ftp://orders
    secret: whsec_short
    eventTypes: []
  - name: crm
    url: https://crm.example.com
    secret: \${CRM_SECRET}
    eventTypes: [payment*]
    colour: blue
  - name: dup
    url: https://a.example.com
    secret: ${SECRET}
    eventTypes: ['*']
  - name: dup
    url: https://b.example.com
    secret: ${SECRET}
    eventTypes: ['*']
`,
    );
    const found = problems(path);
    const at = `FORWARD_DESTINATIONS_FILE (${path})`;
    expect(found).toEqual([
      `${at}: destinations[0].name: must be 1-63 lowercase letters, digits, - or _ (it names a queue)`,
      `${at}: destinations[0].url: must be an http:// or https:// URL`,
      `${at}: destinations[0].secret: must be whsec_ followed by the base64 of at least 24 random bytes (Standard Webhooks); e.g. \${ORDERS_WEBHOOK_SECRET}`,
      `${at}: destinations[0].eventTypes: must list at least one event type`,
      `${at}: destinations[1]: secret names \${CRM_SECRET}, which is not set`,
      expect.stringContaining(`${at}: destinations[1].secret: must be whsec_`),
      `${at}: destinations[1].eventTypes.0: must be an event type, a prefix like payment.* or *`,
      expect.stringMatching(
        new RegExp(`^${at.replace(/[()/.]/g, '\\$&')}: destinations\\[1\\]: Unrecognized key.*colour`),
      ),
      `${at}: two destinations are named "dup"`,
    ]);
    expect(found.join('\n')).not.toContain(SECRET);
  });

  it('keeps the listen- prefix for square listen --forward-to', () => {
    const path = file(
      'listen.yml',
      `destinations:
  - name: listen-orders
    url: https://orders.example.com/hooks
    secret: ${SECRET}
    eventTypes: ['*']
`,
    );
    expect(problems(path)).toEqual([
      `FORWARD_DESTINATIONS_FILE (${path}): destinations[0].name: must not start with listen- (kept for square listen --forward-to)`,
    ]);
  });

  it('says when the file is missing, not YAML, or not a list of destinations', () => {
    expect(problems(join(dir, 'nope.yml'))).toEqual([
      `FORWARD_DESTINATIONS_FILE (${join(dir, 'nope.yml')}) does not exist`,
    ]);
    expect(problems(file('broken.yml', 'destinations: [')).join()).toContain('is not valid YAML');
    expect(problems(file('flat.yml', '- name: x')).join()).toContain('must have a top-level "destinations:" list');
  });
});

describe('the forwarding section’s destinations', () => {
  it('resolves the secrets from the environment the configuration was loaded from, and never shows it', () => {
    const path = file(
      'section.yml',
      `destinations:
  - name: orders
    url: https://orders.example.com/hooks
    secret: \${SECTION_SECRET}
    eventTypes: ['*']
`,
    );
    const env = {
      DATABASE_URL: 'postgresql://x@127.0.0.1/db',
      FORWARD_DESTINATIONS_FILE: path,
      SECTION_SECRET: SECRET,
    };
    const { forwarding } = loadConfig(['forwarding'], env);
    expect(forwarding.destinations.load()[0]?.secret).toBe(SECRET);
    expect(forwarding.destinations.loadWithoutSecrets()[0]?.secret).not.toBe(SECRET);
    expect(JSON.stringify(forwarding)).not.toContain(SECRET);
    expect(inspect(forwarding)).not.toContain(SECRET);
    // Nothing falls back to process.env.
    expect(() =>
      loadConfig(['forwarding'], { ...env, SECTION_SECRET: undefined }).forwarding.destinations.load(),
    ).toThrow(ConfigError);
  });
});
