// pg exports its lib folder (`"./lib/*"` in its package.json) but ships no types for it.
declare module 'pg/lib/utils' {
  /** Turns a JavaScript value into the text (or Buffer) pg sends as a parameter. */
  export function prepareValue(value: unknown): string | Buffer | null;
}
