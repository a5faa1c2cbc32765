import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigError, type Destination, type DestinationsSource } from '@app/config';
import { errorMessage } from '@app/observability';

/** What a reload changed, by destination. */
export interface DestinationChanges {
  added: Destination[];
  removed: Destination[];
  /** The new settings of destinations whose settings changed. */
  changed: Destination[];
}

type Listener = (changes: DestinationChanges) => Promise<void>;

// Editors write a file in several steps (truncate, write, rename): one reload after they settle.
const DEBOUNCE_MS = 300;

/**
 * The destinations as they are now: those of FORWARD_DESTINATIONS_FILE, read at start, then again
 * when the file changes (its directory is watched, so an editor's rename-over is seen too) and on
 * SIGHUP (a file with any problem is refused whole, every problem logged; the previous destinations
 * stay), and the temporary ones of `square listen --forward-to` (ListenDestinationsPoller sets
 * them). Everything that forwards reads this one list, so a temporary destination is forwarded to
 * exactly as a file's is.
 */
export class ForwardDestinations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ForwardDestinations.name);
  private readonly listeners: Listener[] = [];
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private readonly onHangup = () => this.schedule(0);
  private temporary: readonly Destination[] = [];
  private destinations: readonly Destination[];

  private fromFile: readonly Destination[];

  /** Reads the file now: a bad file stops the start with one configuration error (ConfigError). */
  constructor(private readonly source: Pick<DestinationsSource, 'file' | 'load'>) {
    this.fromFile = source.load();
    this.destinations = this.fromFile;
  }

  /** Every destination now: the file's, then the temporary ones. */
  all(): readonly Destination[] {
    return this.destinations;
  }

  /** The temporary destinations in force now (see setTemporary). */
  temporaryNames(): string[] {
    return this.destinations.filter((d) => !this.fromFile.some((f) => f.name === d.name)).map((d) => d.name);
  }

  /**
   * Replaces the temporary destinations (`square listen --forward-to`); applied in turn with the
   * file's reloads, and resolves once the listeners are done with what changed.
   */
  setTemporary(next: readonly Destination[]): Promise<void> {
    this.reloading = this.reloading.then(() => {
      this.temporary = next;
      return this.apply('temporary destinations changed');
    });
    return this.reloading;
  }

  get(name: string): Destination | undefined {
    return this.destinations.find((d) => d.name === name);
  }

  names(): string[] {
    return this.destinations.map((d) => d.name);
  }

  /** Called after each reload that changed something, in order of registration. */
  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    process.on('SIGHUP', this.onHangup);
    const file = this.source.file;
    if (!file) return;
    const name = basename(file);
    try {
      this.watcher = watch(dirname(file), (_event, changed) => {
        if (changed === null || changed === name) this.schedule(DEBOUNCE_MS);
      });
      this.watcher.on('error', (err) =>
        this.logger.warn('cannot watch the destinations file; reload it with SIGHUP', { error: errorMessage(err) }),
      );
    } catch (err) {
      this.logger.warn('cannot watch the destinations file; reload it with SIGHUP', { error: errorMessage(err) });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    process.off('SIGHUP', this.onHangup);
    clearTimeout(this.timer);
    this.watcher?.close();
    await this.reloading;
  }

  /** Reads the file again and applies what changed; resolves once the listeners are done. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(() => this.reloadOnce());
    return this.reloading;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), delayMs);
  }

  private async reloadOnce(): Promise<void> {
    try {
      this.fromFile = this.source.load();
    } catch (err) {
      const problems = err instanceof ConfigError ? err.problems : [errorMessage(err)];
      this.logger.error('destinations file refused; the previous destinations stay in force', { problems });
      return;
    }
    await this.apply('destinations reloaded');
  }

  /** Makes the list the file's plus the temporary ones, and tells the listeners what changed. */
  private async apply(what: string): Promise<void> {
    // A file's name is never a temporary one's (the file may not use their prefix).
    const next = [...this.fromFile, ...this.temporary.filter((t) => !this.fromFile.some((d) => d.name === t.name))];
    const changes = diff(this.destinations, next);
    if (changes.added.length + changes.removed.length + changes.changed.length === 0) return;
    this.destinations = next;
    this.logger.log(what, {
      added: changes.added.map((d) => d.name),
      removed: changes.removed.map((d) => d.name),
      changed: changes.changed.map((d) => d.name),
    });
    for (const listener of this.listeners) {
      await listener(changes).catch((err: unknown) =>
        this.logger.error('applying the reloaded destinations failed', { error: errorMessage(err) }),
      );
    }
  }
}

export function diff(before: readonly Destination[], after: readonly Destination[]): DestinationChanges {
  const named = (list: readonly Destination[], name: string) => list.find((d) => d.name === name);
  return {
    added: after.filter((d) => !named(before, d.name)),
    removed: before.filter((d) => !named(after, d.name)),
    changed: after.filter((d) => {
      const old = named(before, d.name);
      return old !== undefined && JSON.stringify(old) !== JSON.stringify(d);
    }),
  };
}
