import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { FakeSquareServer } from '@app/testing';
import { spawnApp, type AppProcess } from './support/processes.js';
import { REDIS_URL, deleteQueuePrefix } from './support/redis.js';
import { createTestDatabase, uniqueName, type TestDatabase } from './support/test-database.js';

const RULES = 'deploy/prometheus/alerts.yml';
const DASHBOARD = 'deploy/grafana/square-webhook-pipeline.json';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; description?: string };
}

const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap(
  (g) => g.rules,
);
const panels = (
  JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> }
).panels;

/** The metrics an expression reads (a histogram's _bucket, _count and _sum are its own name). */
function metricsOf(expr: string): string[] {
  return [...expr.matchAll(/\b(square_[a-z_]+)\b/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''));
}

describe('alerts and dashboard', () => {
  it('every rule is well formed and says what to do', () => {
    expect(rules.length).toBeGreaterThanOrEqual(10);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const rule of rules) {
      expect({ alert: rule.alert, ok: /^[A-Z][A-Za-z]+$/.test(rule.alert) }).toEqual({ alert: rule.alert, ok: true });
      expect(metricsOf(rule.expr).length).toBeGreaterThan(0);
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary?.length).toBeGreaterThan(10);
      expect(rule.annotations?.description?.length).toBeGreaterThan(40);
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
    }
    // What an operator must act on, each by a rule.
    const expressions = rules.map((r) => r.expr).join('\n');
    for (const metric of [
      'square_events_processed_total',
      'square_queue_jobs',
      'square_inbox_oldest_received_seconds',
      'square_webhooks_received_total',
      'square_webhook_retry_number',
      'square_events_recovered_total',
      'square_api_unauthorized_total',
      'square_token_refreshes_total',
      'square_canary_last_success_timestamp',
    ]) {
      expect(expressions).toContain(metric);
    }
  });

  it('promtool accepts the rules (when it is installed; .ci/run fetches it)', () => {
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    if (check.error) {
      expect((check.error as NodeJS.ErrnoException).code).toBe('ENOENT'); // not installed: the structural check above stands
      return;
    }
    expect({ status: check.status, out: check.stdout + check.stderr }).toEqual({
      status: 0,
      out: expect.stringContaining(`SUCCESS: ${rules.length} rules found`),
    });
  });

  describe('every metric a rule or a panel reads is exported by the apps', () => {
    let db: TestDatabase;
    let prefix: string;
    let fake: FakeSquareServer;
    const apps: AppProcess[] = [];

    beforeAll(async () => {
      db = await createTestDatabase('alerts');
      prefix = uniqueName('q');
      fake = new FakeSquareServer({ synthesize: true });
      await fake.listen();
      const env = {
        DATABASE_URL: db.url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        SQUARE_ACCESS_TOKEN: 'test-token',
        SQUARE_BASE_URL: fake.url,
        SQUARE_WEBHOOK_SIGNATURE_KEYS: 'whsk_test_key',
        SQUARE_WEBHOOK_NOTIFICATION_URL: 'https://hooks.example.com/webhooks/square',
      };
      apps.push(await spawnApp('ingress', env, 'INGRESS_PORT'), await spawnApp('worker', env, 'WORKER_PORT'));
    });

    afterAll(async () => {
      for (const app of apps) await app.stop('SIGKILL');
      await fake?.close();
      await deleteQueuePrefix(prefix);
      await db?.drop();
    });

    it('scraped from the ingress and the worker', async () => {
      const exported = new Set<string>();
      for (const app of apps) {
        const text = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
        for (const m of text.matchAll(/^# TYPE (\S+) /gm)) exported.add(m[1]!);
      }
      const used = new Set(
        [...rules.map((r) => r.expr), ...panels.flatMap((p) => p.targets.map((t) => t.expr))].flatMap(metricsOf),
      );
      expect(used.size).toBeGreaterThanOrEqual(14);
      expect([...used].filter((metric) => !exported.has(metric))).toEqual([]);
    });
  });
});
