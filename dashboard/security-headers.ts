import type http from 'node:http';
import helmet from 'helmet';

/**
 * The one Content-Security-Policy of this origin, for every response: the dashboard (Chart.js bundle
 * from `/assets`, charts on canvas, PNG export as a `data:` URL), the `/chat` page and their
 * WebSockets (`connect-src 'self'` covers ws:// to the same host and port) need nothing from
 * anywhere else. Inline style is the pages' own `<style>`; user text is never HTML (textContent),
 * and this is the second lock on that door. On JSON, CSV and `/metrics` it costs nothing and stops
 * a response from being run as a page.
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/**
 * helmet's headers, decided once for the whole HTTP face (`nosniff` included). Not sent:
 * `Strict-Transport-Security`, because the dashboard is plain HTTP (loopback by default) and
 * browsers ignore HSTS there (RFC 6797 §8.1); whoever puts TLS in front of it (a reverse proxy) is
 * the one who knows the host name and whether its subdomains are all HTTPS, so the proxy sets it.
 */
const middleware = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
  strictTransportSecurity: false,
  xFrameOptions: { action: 'deny' },
});

/** Sets the headers on `res` before anything answers it (synchronous: helmet only calls `setHeader`). */
export function setSecurityHeaders(req: http.IncomingMessage, res: http.ServerResponse): void {
  middleware(req, res, () => {});
}
