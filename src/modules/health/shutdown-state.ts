import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** Set when the process starts to stop, so `/ready` turns 503 before connections close. */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private stopping = false;

  get isShuttingDown(): boolean {
    return this.stopping;
  }

  begin(): void {
    this.stopping = true;
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }
}
