// npm run merchants -- add | list | remove | rotate-key   (see merchants/merchants-args.ts)
// The token store of platform apps: sellers' OAuth tokens, sealed; never printed.
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, loadAppConfig, loadDotEnv } from '@app/config';
import { DatabaseModule } from '@app/database';
import { ConnectMerchantUseCase, MerchantTokens, MerchantsModule, type MerchantSummary } from '@app/merchants';
import { QueueModule } from '@app/queue-runtime';
import { withTimeout } from '@app/timeouts';
import { runCli } from './cli-args.js';
import { MERCHANTS_USAGE, parseMerchantsArgs, type MerchantsCommand } from './merchants/merchants-args.js';

async function main(argv: string[]): Promise<number> {
  const command = parseMerchantsArgs(argv);
  if (command.name === 'help') {
    console.log(MERCHANTS_USAGE);
    return 0;
  }
  loadDotEnv();
  const config = loadAppConfig('merchantsCli');
  const tokens = command.name === 'add' ? await readStdinTokens(command) : undefined;

  @Module({
    imports: [
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot(),
      QueueModule.forRoot('Replays still work; Bull Board keeps listing the replayed events as dead letters.'),
      MerchantsModule,
    ],
  })
  class MerchantsCliModule {}

  const app = await NestFactory.createApplicationContext(MerchantsCliModule, { logger: ['error', 'fatal'] });
  const answered = <T>(work: Promise<T>) => withTimeout(work, 60_000, 'no answer within 60 s (is Postgres reachable?)');
  try {
    const store = app.get(MerchantTokens);
    switch (command.name) {
      case 'add': {
        const { replayed } = await answered(
          app.get(ConnectMerchantUseCase).execute(command.merchantId, {
            accessToken: tokens!.accessToken,
            refreshToken: tokens!.refreshToken,
            expiresAt: command.expiresAt,
            scopes: command.scopes,
          }),
        );
        console.log(`added ${command.merchantId}${replayed > 0 ? `; ${replayed} waiting event(s) replayed` : ''}`);
        return 0;
      }
      case 'list':
        print(await answered(store.list()));
        return 0;
      case 'remove': {
        if (await answered(store.remove(command.merchantId))) {
          console.log(`removed ${command.merchantId}`);
          return 0;
        }
        console.error(`merchants: no merchant ${command.merchantId} in the token store`);
        return 1;
      }
      case 'rotate-key': {
        const { resealed, current } = await answered(store.rotateKey());
        console.log(`${resealed} merchant(s) resealed with the current TOKEN_ENCRYPTION_KEY, ${current} already were`);
        return 0;
      }
    }
  } finally {
    await app.close();
  }
}

/** `-` options read from standard input, one line each, access token first. */
async function readStdinTokens(
  command: Extract<MerchantsCommand, { name: 'add' }>,
): Promise<{ accessToken: string; refreshToken: string | undefined }> {
  if (command.accessToken !== '-' && command.refreshToken !== '-') return command;
  const lines: string[] = [];
  for await (const line of createInterface({ input: process.stdin })) lines.push(line.trim());
  const next = (what: string) => {
    const line = lines.shift();
    if (!line) throw new Error(`${what} was to be read from standard input, which ended first`);
    return line;
  };
  const accessToken = command.accessToken === '-' ? next('--access-token') : command.accessToken;
  const refreshToken = command.refreshToken === '-' ? next('--refresh-token') : command.refreshToken;
  return { accessToken, refreshToken };
}

function print(merchants: MerchantSummary[]): void {
  if (merchants.length === 0) {
    console.log('no merchants in the token store');
    return;
  }
  const date = (d: Date | null) => d?.toISOString() ?? '-';
  console.log(['MERCHANT', 'STATUS', 'EXPIRES', 'REFRESH', 'REFRESHED', 'SCOPES', 'NOTE'].join('\t'));
  for (const m of merchants) {
    const note = m.lastRefreshError
      ? `refresh failed ${m.refreshFailures}×: ${m.lastRefreshError}`
      : (m.statusReason ?? '');
    console.log(
      [
        m.merchantId,
        m.status,
        date(m.expiresAt),
        m.hasRefreshToken ? 'yes' : 'no',
        date(m.refreshedAt),
        m.scopes.join(',') || '-',
        note,
      ].join('\t'),
    );
  }
}

runCli('merchants', 'npm run merchants --', main);
