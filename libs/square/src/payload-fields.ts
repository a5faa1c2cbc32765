// Reading a field of a Square body whose type the body does not promise (it is JSON we were sent).

/** The field as Square sent it if it is a string, '' included (what an event says is passed on as is). */
export function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The field if it is a non-empty string, else null: for a column where '' would mean nothing (no location). */
export function nonEmptyStringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
