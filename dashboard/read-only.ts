/**
 * Every HTTP endpoint of the process is read-only (DESIGN §6: all GET, the WebSockets included), so a
 * request with any other method is refused as a method (405 with `Allow`), wherever it was sent.
 */
export const ALLOWED_METHODS = 'GET, HEAD';

export function isReadMethod(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD';
}

/** The error line of a 405. */
export function methodNotAllowed(method: string | undefined, path: string): string {
  return `method not allowed: ${(method ?? '?').slice(0, 20)} ${path.slice(0, 100)} (every endpoint here is read-only: GET or HEAD)`;
}
