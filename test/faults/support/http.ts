/** An answer of a process under test, with how long it took; status 0 when the connection failed. */
export interface Answer {
  status: number;
  body?: Record<string, unknown>;
  headers?: Headers;
  ms: number;
}

async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const started = Date.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
      headers: response.headers,
      ms: Date.now() - started,
    };
  } catch {
    return { status: 0, ms: Date.now() - started };
  }
}

/** GET without a token: `/health`, `/ready`. */
export function getOver(baseUrl: string, path: string): Promise<Answer> {
  return request(`${baseUrl}${path}`);
}

/** POST /api/v1/auth/login with any password (loginOver insists on success). */
export function loginAttemptOver(
  baseUrl: string,
  username: string,
  password: string,
): Promise<Answer> {
  return request(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}
