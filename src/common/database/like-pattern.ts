/**
 * `%text%` for a substring LIKE/ILIKE, with `\`, `%` and `_` in the text escaped so they match
 * themselves (backslash is PostgreSQL's default LIKE escape character).
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}
