import { Logger } from '@nestjs/common';

/**
 * Runs `tick` every `intervalMs`, never two at once (the next run is scheduled when one ends),
 * and again at once while `tick` reports a full batch. `stop()` clears the timer and waits for
 * the run in progress, so nothing touches the database or Redis after shutdown.
 */
export class Poller {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

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
      return await this.tick();
    } catch (error) {
      this.logger.warn(`${this.name}: ${(error as Error).message}`);
      return false;
    }
  }
}
