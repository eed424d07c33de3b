/**
 * The body of an action that takes none (logout, approve, cancel). Declared so that the
 * validation pipe sees it: a field sent there is refused as unknown (400), as in every other
 * body. Sending no body at all is fine, with or without `Content-Type: application/json`.
 */
export class EmptyBody {}
