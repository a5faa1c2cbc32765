/**
 * One line describing an error, for logs and stored last-error fields. Prisma's messages start
 * with several lines about the invocation; the last line is the one that says what went wrong.
 */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.at(-1) ?? (err instanceof Error ? err.name : 'unknown error')).slice(0, 500);
}
