import { Logger } from '@nestjs/common';

/** A failure this many times in a row is an error (with its stack), logged again every so often. */
const FAILING = 3;
const FAILING_REMINDER_EVERY = 100;

/**
 * Runs `tick` every `intervalMs`, never two at once (the next run is scheduled when one ends),
 * and again at once while `tick` reports a full batch. `stop()` clears the timer and waits for
 * the run in progress, so nothing touches the database or Redis after shutdown.
 */
export class Poller {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private failuresInARow = 0;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    /** Returns true when there is more work right away (a full batch). */
    private readonly tick: () => Promise<boolean>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runOnce().then((more) => {
        this.running = undefined;
        this.schedule(more ? 0 : this.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async runOnce(): Promise<boolean> {
    try {
      const more = await this.tick();
      if (this.failuresInARow >= FAILING)
        this.logger.log(`${this.name} works again after ${this.failuresInARow} failures`);
      this.failuresInARow = 0;
      return more;
    } catch (error) {
      this.failuresInARow += 1;
      const { message, stack } = error as Error;
      const n = this.failuresInARow;
      if (n === FAILING || (n > FAILING && n % FAILING_REMINDER_EVERY === 0))
        this.logger.error(`${this.name} has failed ${n} times in a row: ${message}`, stack);
      else if (n < FAILING) this.logger.warn(`${this.name}: ${message}`);
      return false;
    }
  }
}
