import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { temporaryDestination } from '@app/config';
import { ListenDestinationsRepository } from '@app/database';
import { errorMessage } from '@app/observability';
import { forwardQueue } from '@app/queue';
import { ForwardDestinations } from './forward-destinations.js';
import { ForwardQueues } from './forward-queues.js';

// How often the temporary destinations are read: a `square listen` is forwarded to within this
// of starting, and no longer within this of stopping. A poll, not LISTEN/NOTIFY, so that it works
// behind a transaction pooler too (one indexed read of a table of a few rows).
const POLL_MS = 1000;
// A delivery recorded by an apply transaction that read the list just before a destination went
// commits after it was purged: names removed this recently are purged again, every few polls.
const STRAGGLERS_FOR_MS = 120_000;
const STRAGGLERS_EVERY = 10;

/**
 * The temporary destinations of `square listen --forward-to` (listen_destinations), made part of
 * ForwardDestinations while their lease runs, so that the recorder, the relay and the forward
 * workers treat them as any destination; no restart. A destination whose lease lapsed (its CLI was
 * killed) or that its CLI removed is stopped, its queue deleted, and what it left purged.
 */
@Injectable()
export class ListenDestinationsPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ListenDestinationsPoller.name);
  private readonly removedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private polls = 0;
  private problem: string | undefined;

  constructor(
    private readonly repository: ListenDestinationsRepository,
    private readonly destinations: ForwardDestinations,
    private readonly queues: ForwardQueues,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, POLL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /** One look: the live ones in force, the gone ones stopped and purged. */
  async poll(): Promise<void> {
    try {
      const before = this.destinations.temporaryNames();
      const live = await this.repository.live();
      // A read that fails changes nothing: the list stays as it was until the next poll.
      await this.destinations.setTemporary(live.map(temporaryDestination));
      const now = Date.now();
      const removed = before.filter((n) => !live.some((d) => d.name === n));
      for (const name of removed) this.removedAt.set(name, now);
      for (const name of removed) {
        // Its worker is stopped (setTemporary waited for it); a queue Redis keeps meanwhile is only keys.
        await this.queues.discard(name).catch((err: unknown) =>
          this.logger.warn("cannot delete a removed temporary destination's queue", {
            destination: name,
            error: errorMessage(err),
          }),
        );
      }
      const expired = await this.repository.expired();
      const stragglers = ++this.polls % STRAGGLERS_EVERY === 0 ? [...this.removedAt.keys()] : [];
      const gone = [...new Set([...expired, ...removed, ...stragglers])];
      if (gone.length > 0) {
        const deliveries = await this.repository.purge(gone, forwardQueue);
        if (expired.length > 0)
          this.logger.log('temporary destinations removed: their lease lapsed', { destinations: expired, deliveries });
      }
      for (const [name, at] of this.removedAt) if (now - at > STRAGGLERS_FOR_MS) this.removedAt.delete(name);
      this.problem = undefined;
    } catch (err) {
      // Once per new problem, not every second (e.g. a database not migrated since listen_destinations).
      const error = errorMessage(err);
      if (error !== this.problem)
        this.logger.warn('cannot read the temporary destinations (square listen); will try again every second', {
          error,
        });
      this.problem = error;
    }
  }
}
