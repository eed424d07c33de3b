import { createServer, Server, Socket } from 'node:net';
import { freePort } from './free-port';

/**
 * A TCP forwarder in front of a real server. Closing it cuts every connection and refuses new
 * ones: the application sees its database (or Redis) become unreachable, then come back.
 * Stalling it keeps every connection open but drops what crosses it, as a middlebox that has
 * silently forgotten a flow does: only a timeout tells the application.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private stalled = false;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.open();
    return proxy;
  }

  open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.on('data', (data) => this.stalled || upstream.write(data));
      upstream.on('data', (data) => this.stalled || client.write(data));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }

  stall(): void {
    this.stalled = true;
  }

  /** Ends the stall: the silent connections are closed, new ones are forwarded again. */
  resume(): void {
    for (const socket of this.sockets) socket.destroy();
    this.stalled = false;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
