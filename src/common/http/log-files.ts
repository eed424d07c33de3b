import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import pino, { DestinationStream } from 'pino';
import { createStream, RotatingFileStream } from 'rotating-file-stream';

/** Each log file rotates at this size and is kept with this many predecessors (10 MB × 5). */
export const LOG_ROTATION = { size: '10M', keep: 4 };

export type LogRotation = typeof LOG_ROTATION;

/**
 * Optional log files (LOG_DIR) for hosts without a log collector: `info.log` (info and above) and
 * `error.log` (errors only), each rotated logrotate-style (`info.log.1` … `info.log.4`), besides
 * the JSON lines on stdout, which are always written. Files are closed (flushed) at shutdown.
 */
@Injectable()
export class LogFiles implements OnApplicationShutdown {
  private readonly open: RotatingFileStream[] = [];

  /** stdout, plus `info.log` and `error.log` in `dir`. */
  destination(
    dir: string,
    rotation: LogRotation = LOG_ROTATION,
    // As pino writes without LOG_DIR: synchronously to fd 1, nothing lost at exit.
    stdout: DestinationStream = pino.destination({ dest: 1, sync: true }),
  ): DestinationStream {
    const folder = resolve(dir);
    mkdirSync(folder, { recursive: true });
    return pino.multistream([
      { level: 'trace', stream: stdout },
      { level: 'info', stream: this.file(folder, 'info.log', rotation) },
      { level: 'error', stream: this.file(folder, 'error.log', rotation) },
    ]);
  }

  async onApplicationShutdown(): Promise<void> {
    const closing = this.open
      .splice(0)
      .map((stream) => new Promise<void>((closed) => stream.end(() => closed())));
    await Promise.all(closing);
  }

  private file(folder: string, name: string, rotation: LogRotation): DestinationStream {
    const stream = createStream(name, {
      path: folder,
      size: rotation.size,
      rotate: rotation.keep,
    });
    let reported = false;
    // A full disk or a removed folder must not take the process down: stdout still has it all.
    stream.on('error', (error) => {
      if (!reported) process.stderr.write(`Log file ${folder}/${name}: ${error.message}\n`);
      reported = true;
    });
    this.open.push(stream);
    return {
      // Lines logged while the application shuts down, after the file was closed, go to stdout only.
      write: (line: string) => {
        if (!stream.writableEnded) stream.write(line);
      },
    };
  }
}
