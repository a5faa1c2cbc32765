import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { LOG_LEVELS, type LogConfig, type LogLevel as ConfiguredLevel } from '@app/config';

// Keys whose values are never printed, whatever object they appear in.
const REDACT = ['authorization', 'password', 'token', 'accessToken', 'refreshToken', 'signatureKey', 'signatureKeys', 'key', 'secret', 'encryptionKey', 'oldEncryptionKeys', 'applicationSecret', 'clientSecret'];

/** JSON lines in production (one object per line), colored text for people. */
export function createLogger(config: LogConfig): ConsoleLogger {
  const upTo = LOG_LEVELS.indexOf(config.level);
  const logLevels: LogLevel[] = ['fatal', ...LOG_LEVELS.slice(0, upTo + 1)];
  return new ConsoleLogger({
    json: config.format === 'json',
    colors: config.format === 'pretty',
    logLevels,
    flattenParams: true,
    redact: REDACT,
  });
}

/** Whether lines of `level` are printed with this configuration (LOG_LEVEL is a threshold). */
export function levelEnabled(config: LogConfig, level: ConfiguredLevel): boolean {
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(config.level);
}
