import { Logger } from '@nestjs/common';
import { Poller } from '../../src/common/scheduling/poller';
import { eventually } from '../support/eventually';

describe('Poller', () => {
  it('warns of a failure, logs an error with the stack once it repeats, and says when it works again', async () => {
    const logger = new Logger('test');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const log = jest.spyOn(logger, 'log').mockImplementation(() => undefined);
    let runs = 0;
    const poller = new Poller(
      'Outbox relay',
      1,
      async () => {
        runs += 1;
        if (runs <= 5) throw new Error('permission denied for table outbox');
        return false;
      },
      logger,
    );
    poller.start();
    await eventually(async () => expect(log).toHaveBeenCalled());
    await poller.stop();

    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'Outbox relay: permission denied for table outbox',
      'Outbox relay: permission denied for table outbox',
    ]);
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0][0]).toBe(
      'Outbox relay has failed 3 times in a row: permission denied for table outbox',
    );
    expect(error.mock.calls[0][1]).toMatch(/^Error: permission denied for table outbox\n\s+at /);
    expect(log.mock.calls.map(([message]) => message)).toEqual([
      'Outbox relay works again after 5 failures',
    ]);
  });
});
