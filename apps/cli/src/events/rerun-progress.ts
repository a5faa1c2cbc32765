/** What a rerun did: applied, skipped (applied meanwhile, e.g. live), no mirrored object to give the handler. */
export interface RerunCounts {
  applied: number;
  skipped: number;
  noObject: number;
}

const PLAIN_EVERY = 500;

/** One line rewritten in place on a terminal; a plain line every PLAIN_EVERY events otherwise (logs, CI). */
export class RerunProgress {
  private readonly startedAt = Date.now();
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly tty: boolean,
  ) {}

  tick(c: RerunCounts): void {
    this.done += 1;
    if (this.tty) process.stdout.write(`\r${this.line(c)}`);
    else if (this.done % PLAIN_EVERY === 0) console.log(this.line(c));
  }

  end(c: RerunCounts): void {
    if (this.tty && this.done > 0) process.stdout.write('\n');
    const seconds = (Date.now() - this.startedAt) / 1000;
    console.log(
      `done: ${c.applied} applied, ${c.skipped} skipped (applied meanwhile), ${c.noObject} without a mirrored object, in ${seconds.toFixed(1)} s`,
    );
  }

  private line(c: RerunCounts): string {
    const seconds = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    const width = 30;
    const filled = this.total === 0 ? width : Math.min(width, Math.round((this.done / this.total) * width));
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total}  applied ${c.applied}  skipped ${c.skipped}  no object ${c.noObject}  ${Math.round(this.done / seconds)}/s`;
  }
}
