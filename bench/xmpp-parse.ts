/**
 * What reading one reflected MUC message costs the XMPP adapter: a full ltx parse (a tree per stanza,
 * then the body's text and the sender's nick read from it) against the targeted byte scan the adapter
 * does (xml-scan.ts: the start tag's `type` and `from`, the `<body>` offset). Run it:
 * `node dist/bench/xmpp-parse.js` — prints ns per stanza for each, best of 5 rounds.
 */
import { parse } from 'ltx';
import { encodePayload } from '../loadgen/payload.js';
import { bodyTextStart, bytesEqual, newStartTag, scanStartTag } from '../loadgen/protocols/xml-scan.js';

const text = encodePayload('ab0cd', 4242, 17, Date.now(), Date.now(), 100);
// As Prosody 0.12 reflects a groupchat message to an occupant.
const frame = Buffer.from(
  `<message type='groupchat' from='room3@conference.localhost/lgabc42' id='XKXv8UuMPhu7HdqfupYtCQdO' xml:lang='en' to='2bicngti_u6ki52bjfsabkds@localhost/DtTak9EVrdt6'><body>${text}</body><occupant-id id='kJOqPhgg7RFO5z8wh9v6be6ieW5rIIk6nLSUcBrQ1PY=' xmlns='urn:xmpp:occupant-id:0'/></message>`,
);
const me = Buffer.from('lgabc7');
const GROUPCHAT = Buffer.from('groupchat');
const N = 200_000;

function round(fn: () => number): number {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += fn();
  const ns = Number(process.hrtime.bigint() - t0) / N;
  if (sink === -1) console.log(sink);
  return ns;
}

const tag = newStartTag();
const scan = () => {
  scanStartTag(frame, tag);
  const group = bytesEqual(frame, tag.typeStart, tag.typeEnd, GROUPCHAT);
  const slash = frame.indexOf(0x2f, tag.fromStart);
  const self = bytesEqual(frame, slash + 1, tag.fromEnd, me);
  return bodyTextStart(frame, tag.end + 1) + (group ? 1 : 0) + (self ? 1 : 0);
};
const tree = () => {
  const el = parse(frame.toString('utf8'));
  const from = el.attrs.from ?? '';
  const self = from.slice(from.indexOf('/') + 1) === 'lgabc7';
  // The text's byte offset in the frame is what the inbox needs; with a tree it has to be searched for.
  const body = el.getChildText('body') ?? '';
  return body.length + (el.attrs.type === 'groupchat' ? 1 : 0) + (self ? 1 : 0);
};

for (const [name, fn] of [['ltx.parse', tree], ['byte scan', scan]] as const) {
  let best = Infinity;
  for (let r = 0; r < 5; r++) best = Math.min(best, round(fn));
  console.log(`${name.padEnd(10)} ${best.toFixed(0).padStart(6)} ns/stanza (${frame.length} bytes)`);
}
