const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08001',
  '08003',
  '08006',
  '53300', // too_many_connections
  '55P03', // lock_not_available: a lock wait exceeded DATABASE_LOCK_TIMEOUT_MS
  '57014', // query_canceled: statement_timeout
]);

const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection terminated unexpectedly',
];

/** The connection failed inside a transaction: PostgreSQL rolls back whatever it had not committed (see inTransaction). */
export class DatabaseConnectionLostError extends Error {
  constructor(cause: unknown) {
    super('The database connection failed during the transaction', { cause });
    this.name = 'DatabaseConnectionLostError';
  }
}

/**
 * The connection failed after COMMIT was sent: the server may have committed and lost only
 * its answer (a shutdown between the two), so "nothing was written" would not be known.
 */
export class CommitOutcomeUnknownError extends DatabaseConnectionLostError {
  constructor(cause: unknown) {
    super(cause);
    this.message = 'The database connection failed after the transaction was sent to commit';
    this.name = 'CommitOutcomeUnknownError';
  }
}

/** A database that answers but takes no writes: a standby after a failover, or a full disk. */
const NO_WRITES_CODES = new Set([
  '25006', // read_only_sql_transaction
  '53100', // disk_full
]);

/**
 * Why PostgreSQL could not serve the request (which then wrote nothing), or undefined when the
 * error is not of that kind: `unreachable` (down, connection lost, no connection free), `busy`
 * (a lock wait passed DATABASE_LOCK_TIMEOUT_MS), `too-slow` (the statement passed
 * DATABASE_STATEMENT_TIMEOUT_MS), `no-writes` (read-only, or out of disk space) or
 * `outcome-unknown` (the connection failed after COMMIT was sent: it may have been written).
 */
export function whyDatabaseUnavailable(
  error: unknown,
): 'unreachable' | 'busy' | 'too-slow' | 'no-writes' | 'outcome-unknown' | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof CommitOutcomeUnknownError) return 'outcome-unknown';
  if (error instanceof DatabaseConnectionLostError) return 'unreachable';
  const withCode = error as Error & { code?: string; driverError?: unknown; cause?: unknown };
  if (withCode.code === '55P03') return 'busy';
  if (withCode.code === '57014') return 'too-slow';
  if (withCode.code && NO_WRITES_CODES.has(withCode.code)) return 'no-writes';
  if (withCode.code && UNAVAILABLE_CODES.has(withCode.code)) return 'unreachable';
  if (UNAVAILABLE_MESSAGES.some((message) => error.message.includes(message))) return 'unreachable';
  if (error instanceof AggregateError) {
    return error.errors.map(whyDatabaseUnavailable).find((reason) => reason !== undefined);
  }
  return whyDatabaseUnavailable(withCode.driverError) ?? whyDatabaseUnavailable(withCode.cause);
}

/** True when PostgreSQL could not be reached or could not serve in time (the request wrote nothing). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return whyDatabaseUnavailable(error) !== undefined;
}
