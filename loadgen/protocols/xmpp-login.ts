/**
 * An XMPP client's way from TCP connect to "logged in" (RFC 6120 §4–§7): open the stream, read the
 * features, authenticate with SASL (ANONYMOUS, or PLAIN for servers that need accounts), restart the
 * stream, bind a resource, and establish a session when the server still requires one (RFC 3921; a
 * modern server marks it `<optional/>`). No STARTTLS: the load generator targets loopback or a test
 * network; a server that requires TLS ends the attempt with the kind `tls_required`.
 *
 * One object per connection; `step` takes each negotiation element in turn and says what to do.
 */
import type { Element } from 'ltx';
import { escapeXml } from './xml-scan.js';

export const NS = {
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  tls: 'urn:ietf:params:xml:ns:xmpp-tls',
  bind: 'urn:ietf:params:xml:ns:xmpp-bind',
  session: 'urn:ietf:params:xml:ns:xmpp-session',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  streams: 'urn:ietf:params:xml:ns:xmpp-streams',
} as const;

export interface LoginOptions {
  /** The server's domain (the stream's `to`). */
  domain: string;
  mechanism: 'ANONYMOUS' | 'PLAIN';
  /** PLAIN only: the account's name and password. */
  user: string;
  password: string;
}

/** What to do with a negotiation element: write `reply`, or the login is done, or end with `end` (a kind). */
export interface LoginStep {
  reply?: string;
  loggedIn?: boolean;
  end?: string;
  text?: string;
}

const BIND_ID = 'cp-bind';
const SESSION_ID = 'cp-session';

export class StreamLogin {
  readonly #o: LoginOptions;
  #authed = false;
  #sessionRequired = false;
  /** The full JID the server bound us to ('' before). */
  jid = '';

  constructor(options: LoginOptions) {
    this.#o = options;
  }

  /** The stream header: written at connect and again after SASL success (a stream restart). */
  header(): string {
    return `<?xml version='1.0'?><stream:stream to='${escapeXml(this.#o.domain)}' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`;
  }

  /** `el`: a top-level element. Undefined when it is not part of the login (a stanza). */
  step(el: Element): LoginStep | undefined {
    switch (el.getName()) {
      case 'features':
        return this.#authed ? this.#bind(el) : this.#authenticate(el);
      case 'challenge': // ANONYMOUS sent no initial response and the server asks for one: it is empty.
        return { reply: `<response xmlns='${NS.sasl}'/>` };
      case 'success':
        this.#authed = true;
        return { reply: this.header() };
      case 'failure':
        return { end: `sasl_${condition(el)}`, text: el.getChildText('text') ?? `SASL ${this.#o.mechanism} refused` };
      case 'iq':
        return this.#iq(el);
      default:
        return undefined;
    }
  }

  #authenticate(features: Element): LoginStep {
    const tls = features.getChild('starttls', NS.tls);
    if (tls?.getChild('required') !== undefined) return { end: 'tls_required', text: 'the server requires STARTTLS, which the load generator does not speak' };
    const offered = (features.getChild('mechanisms', NS.sasl)?.getChildren('mechanism') ?? []).map((m) => m.getText().trim());
    const { mechanism, user, password } = this.#o;
    if (!offered.includes(mechanism)) {
      return { end: 'sasl_mechanism_unavailable', text: `the server offers ${offered.join(', ') || 'no SASL mechanism'}, not ${mechanism}` };
    }
    if (mechanism === 'ANONYMOUS') return { reply: `<auth xmlns='${NS.sasl}' mechanism='ANONYMOUS'/>` };
    const initial = Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
    return { reply: `<auth xmlns='${NS.sasl}' mechanism='PLAIN'>${initial}</auth>` };
  }

  #bind(features: Element): LoginStep {
    if (features.getChild('bind', NS.bind) === undefined) return { end: 'bind_unavailable', text: 'the server offers no resource binding' };
    const session = features.getChild('session', NS.session);
    this.#sessionRequired = session !== undefined && session.getChild('optional') === undefined;
    return { reply: `<iq type='set' id='${BIND_ID}'><bind xmlns='${NS.bind}'/></iq>` };
  }

  #iq(iq: Element): LoginStep | undefined {
    const id = iq.attrs.id;
    if (id !== BIND_ID && id !== SESSION_ID) return undefined;
    if (iq.attrs.type === 'error') return { end: id === BIND_ID ? 'bind_failed' : 'session_failed', text: condition(iq.getChild('error') ?? iq) };
    if (iq.attrs.type !== 'result') return undefined;
    if (id === BIND_ID) {
      this.jid = iq.getChild('bind', NS.bind)?.getChildText('jid') ?? '';
      if (this.#sessionRequired) return { reply: `<iq type='set' id='${SESSION_ID}'><session xmlns='${NS.session}'/></iq>` };
    }
    return { loggedIn: true };
  }
}

/** The defined condition of an error element (its first child other than `<text>`), snake_case. */
export function condition(el: Element): string {
  const c = el.getChildElements().find((e) => e.getName() !== 'text');
  return (c?.getName() ?? 'undefined-condition').replace(/-/g, '_');
}
