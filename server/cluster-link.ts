/**
 * What the chat core needs from a cluster of nodes sharing rooms (DESIGN §10). The core calls these;
 * the implementation (server/redis-cluster.ts) calls back into `ClusterDelivery` for what other nodes
 * sent. Without a link the core is a single node and nothing here runs.
 */
export interface ClusterLink {
  readonly nodeId: string;
  /** Whether the bus is reachable now (the node serves its own clients either way). */
  readonly up: boolean;
  /** Resolves true when this node may use the nickname cluster-wide (true when the bus is down: local rules only). */
  claimNick(nick: string): Promise<boolean>;
  releaseNick(nick: string): void;
  /** `ts`: when the line was sent (wall ms), so that every node's history stamps it alike. */
  publishMessage(room: string, nick: string, text: string, ts: number): void;
  publishPresence(room: string, nick: string, change: 'join' | 'leave'): void;
  /** Returns false when no other node has that nickname. */
  publishPrivate(from: string, to: string, text: string): boolean;
  /** Nicknames in `room` on other nodes (case-insensitive room match). */
  remoteMembers(room: string): string[];
  /** Rooms on other nodes with their member counts there. */
  remoteRooms(): Map<string, number>;
  close(): Promise<void>;
}

/** What a cluster link delivers to the local chat core. */
export interface ClusterDelivery {
  /** `ts`: when the sending node received it (wall ms); absent from a node of an older version. */
  remoteMessage(room: string, nick: string, text: string, ts?: number): void;
  remotePresence(room: string, nick: string, change: 'join' | 'leave'): void;
  remotePrivate(from: string, to: string, text: string): void;
  /**
   * After a split, an earlier login on another node kept `nick`: this node's user of that name must
   * give way (told, and renamed). Called once per lost claim.
   */
  nickLost(nick: string): void;
  /** The nicknames this node holds now (refreshed on every heartbeat). */
  localNicks(): string[];
  /** This node's rooms and their local members (the heartbeat's presence record). */
  localPresence(): Record<string, string[]>;
}
