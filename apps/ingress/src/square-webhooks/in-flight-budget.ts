/** A count of bytes that may be held at once: taken before a body is read, given back after. */
export class InFlightBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  /** Takes `bytes` if they fit; a single request always fits when nothing else is held. */
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
