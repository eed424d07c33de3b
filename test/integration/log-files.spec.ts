import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Controller, Get, Module } from '@nestjs/common';
import pino from 'pino';
import { LogFiles } from '../../src/common/http/log-files';
import { Public } from '../../src/common/http/public.decorator';
import { startTestApp } from '../support/app';

function lines(path: string): { level: number; msg: string; [key: string]: unknown }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

const sleep = (ms: number) => new Promise((wait) => setTimeout(wait, ms));

@Public()
@Controller('log-probe')
class LogProbeController {
  @Get('crash')
  crash(): never {
    throw new Error('log probe failure');
  }
}

@Module({ controllers: [LogProbeController] })
class LogProbeModule {}

describe('LOG_DIR: rotating log files beside stdout', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pos-logs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes JSON to stdout always, info and above to info.log, errors to error.log', async () => {
    const files = new LogFiles();
    const stdout: string[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) =>
      stdout.push(...chunk.toString().split('\n').filter(Boolean)),
    );
    const logger = pino({ level: 'debug' }, files.destination(dir, undefined, sink));
    logger.debug('a debug line');
    logger.info({ sale: 1 }, 'an info line');
    logger.warn('a warning');
    logger.error({ err: new Error('boom') }, 'an error line');
    await files.onApplicationShutdown();
    logger.error('after shutdown: stdout only, no crash');

    expect(stdout.map((line) => JSON.parse(line).msg)).toEqual([
      'a debug line',
      'an info line',
      'a warning',
      'an error line',
      'after shutdown: stdout only, no crash',
    ]);
    expect(lines(join(dir, 'info.log')).map((line) => line.msg)).toEqual([
      'an info line',
      'a warning',
      'an error line',
    ]);
    const errors = lines(join(dir, 'error.log'));
    expect(errors.map((line) => line.msg)).toEqual(['an error line']);
    expect(errors[0].err).toMatchObject({ message: 'boom' });
  });

  it('rotates by size and keeps a fixed number of files (logrotate style)', async () => {
    const files = new LogFiles();
    const logger = pino({}, files.destination(dir, { size: '2K', keep: 2 }, new PassThrough()));
    for (let index = 0; index < 120; index++) {
      logger.info({ index, padding: 'x'.repeat(60) }, 'filler');
      if (index % 10 === 9) await sleep(20); // rotation happens between writes
    }
    await files.onApplicationShutdown();
    const names = readdirSync(dir)
      .filter((name) => name.startsWith('info.log'))
      .sort();
    expect(names).toEqual(['info.log', 'info.log.1', 'info.log.2']);
    expect(readFileSync(join(dir, 'error.log'), 'utf8')).toBe('');
    for (const name of names) {
      expect(readFileSync(join(dir, name)).length).toBeLessThanOrEqual(2048 + 200);
    }
    // The newest lines are in info.log; everything left parses as JSON.
    const newest = lines(join(dir, 'info.log'));
    expect(newest[newest.length - 1].index).toBe(119);
  });

  it('the application writes its 500s to error.log, with the request id', async () => {
    const api = await startTestApp({
      imports: [LogProbeModule],
      env: { LOG_DIR: dir, LOG_LEVEL: 'error' },
    });
    let requestId: string;
    try {
      const response = await api.request({ method: 'GET', url: '/api/v1/log-probe/crash' });
      expect(response.statusCode).toBe(500);
      requestId = String(response.headers['x-request-id']);
    } finally {
      await api.close(); // closes (flushes) the files
      delete process.env.LOG_DIR;
    }
    expect(existsSync(join(dir, 'info.log'))).toBe(true);
    const errors = lines(join(dir, 'error.log'));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((line) => line.level >= 50)).toBe(true);
    expect(JSON.stringify(errors)).toContain('log probe failure');
    expect(errors.some((line) => JSON.stringify(line).includes(requestId))).toBe(true);
  });
});
