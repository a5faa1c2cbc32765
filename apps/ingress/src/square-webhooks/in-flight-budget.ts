/**
 * Bytes of request bodies held in memory at once: taken as each chunk arrives, given back when the
 * request is answered. Counting what is actually buffered (not what a Content-Length announces)
 * means a client that announces 1 MiB and sends one byte holds one byte.
 */
export class InFlightBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  /** Takes `bytes` if they fit; when nothing else is held, anything fits (one body is always read). */
  tryTake(bytes: number): boolean {
    if (this.held > 0 && this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }

  get inUse(): number {
    return this.held;
  }
}
