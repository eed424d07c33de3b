import { Writable } from 'node:stream';
import pinoHttp, { Options } from 'pino-http';
import { QueryFailedError } from 'typeorm';
import { loggerOptions } from '../../src/common/http/logger.options';

describe('logged errors', () => {
  it('keep a failed query’s SQL but never its parameters (hashes, emails, phones)', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const options = loggerOptions({
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      LOG_DIR: undefined,
    }).pinoHttp as Options;
    const { logger } = pinoHttp(options, sink);
    const failed = new QueryFailedError(
      'INSERT INTO users (username, password_hash, email) VALUES ($1, $2, $3)',
      ['jane', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 'jane@example.co.ke'],
      Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
    );
    logger.error({ err: failed, requestId: 'r-1' }, 'Unhandled error');

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/argon2id|jane@example/);
    const entry = JSON.parse(lines[0]);
    expect(entry.err).toMatchObject({
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint',
      query: expect.stringContaining('INSERT INTO users'),
      code: '23505',
    });
    expect(entry.err.stack).toEqual(expect.any(String));
  });
});
