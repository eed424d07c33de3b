import type { EntityManager } from 'typeorm';

/**
 * One parameterised statement and how to read its rows. Modules hand these out so a caller can
 * either run one on its own (runStatement) or send several in a single round trip
 * (inPipelinedTransaction), while the SQL stays in the module that owns the tables.
 */
export interface SqlStatement<R> {
  readonly text: string;
  readonly values: readonly unknown[];
  readonly read: (rows: Record<string, unknown>[]) => R;
  /** Turns this statement's database error into a domain error (or returns it unchanged). */
  readonly mapError?: (error: unknown) => unknown;
}

export type ResultsOf<S extends readonly SqlStatement<unknown>[]> = {
  -readonly [K in keyof S]: S[K] extends SqlStatement<infer R> ? R : never;
};

/** A statement whose rows are not needed. */
export function command(text: string, values: readonly unknown[]): SqlStatement<void> {
  return { text, values, read: () => undefined };
}

export function errorOf(statement: SqlStatement<unknown>, error: unknown): unknown {
  return statement.mapError ? statement.mapError(error) : error;
}

/** Runs one statement through a TypeORM manager, inside the manager's transaction if it has one. */
export async function runStatement<R>(
  manager: EntityManager,
  statement: SqlStatement<R>,
): Promise<R> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(statement.text, [...statement.values], true);
    return statement.read(result.records as Record<string, unknown>[]);
  } catch (error) {
    throw errorOf(statement, error);
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}
