/**
 * MQTT 3.1.1 (`?v=4`, the default) and 5 (`?v=5`) through `mqtt-packet`'s encoder, one TCP connection per
 * virtual client. Topics (prefix `?prefix=`, default `chat/`): a room is `chat/room/<room>`, a PM goes
 * to `chat/user/<nick>`, a client's presence is the retained `chat/presence/<nick>` (its payload: the
 * room it is in, empty for none). CONNECT (clientId = nickname, clean session, keepalive 0, a Last Will
 * that empties the presence) → CONNACK = logged in; join = SUBSCRIBE (SUBACK = joined), leave =
 * UNSUBSCRIBE (UNSUBACK = left). `?qos=1` publishes and subscribes at QoS 1: the broker PUBACKs each
 * publication and every delivery is PUBACKed back (`ProtocolEvent.ack`). Echo rule: a broker sends a
 * client its own publications (no MQTT 5 no-local here), so the sender is a recipient and its echo
 * acknowledges the message, as with chatpulse. MQTT names no sender: every room message is marked
 * `self` and the inbox, which reads the sender's index in the load header, decides.
 *
 * Membership. MQTT has no presence and no member list, so the adapter keeps its own, and makes it exact
 * by choosing *when* a client counts as a member: from the moment the broker handles its presence
 * publication for the room until it handles the next one (another room, empty, or the Will when the
 * connection dies). The broker handles packets one at a time and sends each subscriber what it handled
 * in that order, so every client — subscribed to `chat/presence/+` since its login, the retained
 * presences arriving first — sees each presence change at its place among the room messages:
 *
 * - the sender, when its own echo arrives, has seen exactly the presences handled before its message;
 * - a receiver subscribes to the room before it publishes its presence and unsubscribes only after
 *   emptying it, so every member is subscribed; and it counts a room message only while its own
 *   presence, as last seen coming back, names that room. Messages it gets between its SUBSCRIBE and its
 *   presence (or between emptying it and UNSUBSCRIBE) reach a client that is not a member yet (or any
 *   more): they are ignored, not counted, on both sides.
 *
 * So with one broker and ordered delivery, expected = received with nothing ambiguous. That needs the
 * broker to send every packet in the order it handled them: Mosquitto holds QoS 1 deliveries beyond
 * `max_inflight_messages` (20) unacknowledged ones while SUBACK/PINGRESP go straight out, so a load test
 * sets it to 0 (v5 clients ask for a Receive Maximum of 65535). The member list (`members`) is the
 * presence map when our own presence comes back (or, when it is unchanged, at a PINGREQ's PINGRESP).
 *
 * Why per nickname and not `chat/members/<room>/<nick>`: a Will is one fixed message per connection,
 * and a client changes rooms without reconnecting; the price is that every client sees every presence
 * change (one message per client per join or leave, plus one retained message per client at each
 * login). A PM to a nickname with no presence is not sent: it is refused as `no_such_user` (the answer
 * comes back on a PINGRESP), as MQTT would drop it silently with no one subscribed.
 *
 * Reconnects use the same clientId: if the broker has not yet seen the old connection close, it ends
 * that one (session takeover: v5 sends it DISCONNECT 0x8E) and sends its Will before this login.
 */
import mqttPacket from 'mqtt-packet';
import type { ProtocolAdapter, ProtocolEvent, ProtocolSession, SessionTarget } from './adapter.js';
import { MqttFrameDecoder } from './mqtt-frames.js';
import { connackKind, disconnectKind } from './mqtt-codes.js';

export interface MqttParams {
  /** Topic prefix. @default 'chat/' */
  prefix: string;
  /** @default 0 */
  qos: 0 | 1;
  /** 4 = MQTT 3.1.1, 5 = MQTT 5. @default 4 */
  version: 4 | 5;
}

/** The target's query (`?qos=1&v=5&prefix=chat/`), checked; throws an Error naming the bad value. */
export function mqttParams(q: Readonly<Record<string, string>> = {}): MqttParams {
  const qos = q.qos ?? '0';
  const v = q.v ?? '4';
  const prefix = q.prefix ?? 'chat/';
  if (qos !== '0' && qos !== '1') throw new Error(`?qos= must be 0 or 1, got '${qos}'`);
  if (v !== '4' && v !== '5') throw new Error(`?v= must be 4 (MQTT 3.1.1) or 5, got '${v}'`);
  if (/[+#\0]/.test(prefix)) throw new Error(`?prefix= must not hold +, # or NUL, got '${prefix}'`);
  return { prefix, qos: qos === '1' ? 1 : 0, version: v === '5' ? 5 : 4 };
}

export const mqttProtocol: ProtocolAdapter = {
  name: 'mqtt',
  defaultPort: 1883,
  echoesOwnRoomMessages: true,
  echoesOwnPrivateMessages: false,
  lobby: '',
  roomName: (plain) => plain,
  params: ['qos', 'v', 'prefix'],
  checkParams: (q) => {
    try {
      mqttParams(q);
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  },
  session: (target?: SessionTarget) => new MqttSession(mqttParams(target?.params)),
  frames: (maxBytes, handlers) => new MqttFrameDecoder(maxBytes, handlers),
};

const PUBLISH = 3;
const EMPTY = Buffer.alloc(0);
/** What a PINGRESP answers, in the order asked: a member list, or a PM refused. */
type PingAnswer = { room: string; nick: '' } | { room: ''; nick: string };

export class MqttSession implements ProtocolSession {
  readonly #p: MqttParams;
  readonly #parser: mqttPacket.Parser;
  #packet: mqttPacket.Packet | undefined;
  #nick = '';
  #nextId = 0;
  #userTopic = EMPTY;
  #presencePrefix: Buffer;
  /** SUBSCRIBE/UNSUBSCRIBE awaiting their ack, by packet id: the room ('' for the login's). */
  readonly #acks = new Map<number, { room: string; sub: boolean }>();
  /** Own presence publications on their way (rooms), each answering a `members` when it comes back. */
  readonly #presenceAsked: string[] = [];
  readonly #pings: PingAnswer[] = [];
  /** Every client's room as its presence says (ours included), in the broker's order. */
  readonly #rooms = new Map<string, string>();
  /** What we last published as our presence. */
  #presence = '';
  /** Our presence as last seen coming back: room messages count only for this room's topic. */
  #hereTopic = EMPTY;
  /** The room whose members the client's view shows: its last acknowledged join. */
  #viewRoom = '';

  constructor(params: MqttParams) {
    this.#p = params;
    this.#presencePrefix = Buffer.from(`${params.prefix}presence/`);
    this.#parser = mqttPacket.parser({ protocolVersion: params.version });
    this.#parser.on('packet', (p: mqttPacket.Packet) => (this.#packet = p));
    this.#parser.on('error', () => (this.#packet = undefined));
  }

  open(): Uint8Array {
    return EMPTY;
  }

  login(nick: string): Uint8Array {
    const { prefix, qos, version } = this.#p;
    this.#nick = nick;
    this.#userTopic = Buffer.from(`${prefix}user/${nick}`);
    const connect = this.#gen({
      cmd: 'connect', protocolVersion: version, clientId: nick, clean: true, keepalive: 0,
      will: { topic: this.#presenceTopic(nick), payload: EMPTY, qos, retain: true },
      ...(version === 5 && { properties: { receiveMaximum: 65535 } }),
    });
    // The PM topic and everyone's presence, sent at once: a broker takes packets right after CONNECT.
    return Buffer.concat([connect, this.#subscribe('', [`${prefix}user/${nick}`, `${prefix}presence/+`])]);
  }

  join(room: string): Uint8Array {
    return this.#subscribe(room, [this.#roomTopic(room)]);
  }

  leave(room: string): Uint8Array {
    const id = this.#id();
    this.#acks.set(id, { room, sub: false });
    const unsub = this.#gen({ cmd: 'unsubscribe', messageId: id, unsubscriptions: [this.#roomTopic(room)] });
    // Out of the room (presence) before out of its topic, so that no member misses a message.
    return this.#presence === room ? Buffer.concat([this.#setPresence(''), unsub]) : unsub;
  }

  say(room: string, text: string): Uint8Array {
    return this.#publish(this.#roomTopic(room), Buffer.from(text), false);
  }

  pm(nick: string, text: string): Uint8Array {
    const room = this.#rooms.get(nick);
    if (room === undefined || room === '') return this.#ping({ room: '', nick });
    return this.#publish(`${this.#p.prefix}user/${nick}`, Buffer.from(text), false);
  }

  members(room: string): Uint8Array {
    if (this.#presence === room) return this.#ping({ room, nick: '' });
    this.#presenceAsked.push(room);
    return this.#setPresence(room);
  }

  quit(): Uint8Array {
    // A DISCONNECT discards the Will: empty the presence ourselves first.
    return Buffer.concat([this.#setPresence(''), this.#gen({ cmd: 'disconnect' })]);
  }

  parse(frame: Buffer, out: ProtocolEvent): void {
    out.kind = 'ignore';
    out.self = false;
    if (frame.length < 2) return;
    if (((frame[0] as number) >> 4) === PUBLISH) return this.#publishIn(frame, out);
    this.#packet = undefined;
    this.#parser.parse(frame);
    const p = this.#packet as mqttPacket.Packet | undefined;
    if (p !== undefined) this.#control(p, out);
  }

  /** The hot path: a PUBLISH, read in place (no decode of its payload). */
  #publishIn(frame: Buffer, out: ProtocolEvent): void {
    const qos = ((frame[0] as number) >> 1) & 3;
    let i = 1;
    while (i < 5 && ((frame[i] as number) & 0x80) !== 0) i++;
    i++;
    const topicStart = i + 2;
    const topicEnd = topicStart + (((frame[i] as number) << 8) | (frame[i + 1] as number));
    let p = topicEnd;
    if (qos > 0) {
      out.ack = puback(frame[p] as number, frame[p + 1] as number);
      p += 2;
    }
    if (this.#p.version === 5) {
      let len = 0;
      let mul = 1;
      for (let k = 0; k < 4; k++) {
        const b = frame[p++] as number;
        len += (b & 0x7f) * mul;
        if ((b & 0x80) === 0) break;
        mul *= 128;
      }
      p += len;
    }
    if (p > frame.length) return;
    if (topicIs(frame, topicStart, topicEnd, this.#hereTopic)) {
      out.kind = 'message';
      out.self = true;
      out.textStart = p;
    } else if (topicIs(frame, topicStart, topicEnd, this.#userTopic)) {
      out.kind = 'pm';
      out.textStart = p;
    } else if (startsWith(frame, topicStart, topicEnd, this.#presencePrefix)) {
      this.#presenceIn(frame.toString('utf8', topicStart + this.#presencePrefix.length, topicEnd), frame.toString('utf8', p), out);
    }
  }

  #presenceIn(nick: string, room: string, out: ProtocolEvent): void {
    const before = this.#rooms.get(nick) ?? '';
    if (room === '') this.#rooms.delete(nick);
    else this.#rooms.set(nick, room);
    if (nick === this.#nick) return this.#ownPresence(room, out);
    if (room === before) return;
    const view = this.#viewRoom;
    if (room !== '' && (room === view || before !== view)) set(out, 'joined', room, nick, false);
    else if (before !== '') set(out, 'left', before, nick, false);
  }

  #ownPresence(room: string, out: ProtocolEvent): void {
    this.#hereTopic = room === '' ? EMPTY : Buffer.from(this.#roomTopic(room));
    if (room === '' || this.#presenceAsked[0] !== room) return;
    this.#presenceAsked.shift();
    this.#membersOf(room, out);
  }

  #membersOf(room: string, out: ProtocolEvent): void {
    out.kind = 'members';
    out.room = room;
    out.nicks = [];
    for (const [nick, r] of this.#rooms) if (r === room) out.nicks.push(nick);
  }

  #control(p: mqttPacket.Packet, out: ProtocolEvent): void {
    switch (p.cmd) {
      case 'connack': {
        const code = (this.#p.version === 5 ? p.reasonCode : p.returnCode) ?? 0;
        if (code === 0) return set(out, 'loggedIn', '', this.#nick, true);
        out.kind = 'ended';
        out.errorKind = connackKind(this.#p.version, code);
        out.text = `CONNACK ${code}`;
        return;
      }
      case 'suback': {
        const ack = this.#ack(p.messageId);
        if (ack === undefined || ack.room === '' && !refused(p.granted)) return;
        if (refused(p.granted)) return error(out, 'join_refused', `SUBACK ${JSON.stringify(p.granted)}`);
        this.#viewRoom = ack.room;
        return set(out, 'joined', ack.room, this.#nick, true);
      }
      case 'unsuback': {
        const ack = this.#ack(p.messageId);
        if (ack !== undefined) set(out, 'left', ack.room, this.#nick, true);
        return;
      }
      case 'puback':
        if ((p.reasonCode ?? 0) >= 0x80) error(out, `puback_${p.reasonCode}`, `PUBACK ${p.reasonCode}`);
        return;
      case 'pingresp': {
        const a = this.#pings.shift();
        if (a === undefined) return;
        if (a.nick !== '') return error(out, 'no_such_user', `${a.nick} has no presence`, a.nick);
        return this.#membersOf(a.room, out);
      }
      case 'disconnect':
        out.kind = 'closing';
        out.errorKind = disconnectKind(p.reasonCode ?? 0);
        out.text = `DISCONNECT ${p.reasonCode ?? 0}`;
        return;
      default:
    }
  }

  #ack(id: number | undefined): { room: string; sub: boolean } | undefined {
    if (id === undefined) return undefined;
    const a = this.#acks.get(id);
    this.#acks.delete(id);
    return a;
  }

  #setPresence(room: string): Buffer {
    this.#presence = room;
    return this.#publish(this.#presenceTopic(this.#nick), Buffer.from(room), true);
  }

  #subscribe(room: string, topics: string[]): Buffer {
    const id = this.#id();
    this.#acks.set(id, { room, sub: true });
    return this.#gen({ cmd: 'subscribe', messageId: id, subscriptions: topics.map((topic) => ({ topic, qos: this.#p.qos })) });
  }

  #publish(topic: string, payload: Buffer, retain: boolean): Buffer {
    const { qos } = this.#p;
    return this.#gen({ cmd: 'publish', topic, payload, qos, retain, dup: false, ...(qos > 0 && { messageId: this.#id() }) });
  }

  #ping(answer: PingAnswer): Buffer {
    this.#pings.push(answer);
    return PINGREQ;
  }

  #id(): number {
    this.#nextId = (this.#nextId % 65535) + 1;
    return this.#nextId;
  }

  #gen(packet: mqttPacket.Packet): Buffer {
    return mqttPacket.generate(packet, { protocolVersion: this.#p.version });
  }

  #roomTopic(room: string): string {
    return `${this.#p.prefix}room/${room}`;
  }

  #presenceTopic(nick: string): string {
    return `${this.#p.prefix}presence/${nick}`;
  }
}

const PINGREQ = Buffer.from([0xc0, 0x00]);

function puback(hi: number, lo: number): Buffer {
  return Buffer.from([0x40, 0x02, hi, lo]);
}

/** SUBACK return codes of 0x80 and above refuse (3.1.1: 0x80 only; 5: reason codes). */
function refused(granted: ReadonlyArray<number | object>): boolean {
  return granted.some((g) => typeof g === 'number' && g >= 0x80);
}

function set(out: ProtocolEvent, kind: 'joined' | 'left' | 'loggedIn', room: string, nick: string, self: boolean): void {
  out.kind = kind;
  out.room = room;
  out.nick = nick;
  out.self = self;
  if (kind === 'loggedIn') out.rooms = [];
}

function error(out: ProtocolEvent, kind: string, text: string, nick = ''): void {
  out.kind = 'error';
  out.errorKind = kind;
  out.text = text;
  out.nick = nick;
}

function topicIs(frame: Buffer, start: number, end: number, topic: Buffer): boolean {
  return end - start === topic.length && topic.length > 0 && frame.compare(topic, 0, topic.length, start, end) === 0;
}

function startsWith(frame: Buffer, start: number, end: number, prefix: Buffer): boolean {
  return end - start > prefix.length && frame.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}
