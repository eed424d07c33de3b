/** `UPDATE … RETURNING` through TypeORM's postgres driver answers `[rows, rowCount]`. */
export function updatedRows<T>(result: unknown): T[] {
  return (result as [T[], number])[0];
}
