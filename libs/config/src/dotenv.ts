import { existsSync } from 'node:fs';

/**
 * Loads ENV_FILE (default ./.env) into process.env when the file exists. Variables already set
 * in the environment win, so a deployment's own settings are never overridden by a stray file.
 */
export function loadDotEnv(path = process.env.ENV_FILE ?? '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
