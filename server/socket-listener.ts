import type net from 'node:net';

/** listen()/close() around a net.Server (plain or TLS): the part every chat listener shares. */
export class SocketListener {
  protected readonly server: net.Server;

  constructor(server: net.Server) {
    this.server = server;
  }

  /** Resolves with the bound address (port 0 picks a free one); rejects on EADDRINUSE and the like. */
  listen(host: string, port: number): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port, backlog: 4096 }, () => {
        this.server.off('error', onError);
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  /** Stops accepting; existing connections are the chat core's to close. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }
}
