import type { SettingsContext } from './square-settings.js';

/** `events enable`: Square keeps the application's events searchable (SearchEvents) from now on. */
export async function runEventsEnable(ctx: SettingsContext): Promise<number> {
  await ctx.api.enableEvents();
  console.log(
    'The Events API is enabled for this application: Square keeps its events searchable (28 days) from now on.',
  );
  console.log(
    'Events from before now are never searchable: the reconciler cannot recover what Square failed to deliver before this moment.',
  );
  return 0;
}
