// Hosts on a private network inside this machine: one network namespace per host, each joined to a bridge by a
// veth link, with an address on 10.77.<n>.0/24 and no route anywhere else. The backends (bound to loopback by the
// test kit) are reached from the hosts through forwarders listening on the bridge's address.
import { execFile, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `ip` with `args`; throws with its stderr when it fails. */
async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/** One host: a network namespace with one link to the bridge. */
export interface Host {
  readonly name: string;
  /** The namespace, for `ip netns exec`. */
  readonly namespace: string;
  /** Its address on the private network. */
  readonly address: string;
  /** Takes its link down (`up: false`) or back up: the host drops off the network and comes back. */
  setLink(up: boolean): Promise<void>;
}

/**
 * A bridge at `10.77.<subnet>.1` and hosts on it. Names carry the process id,
 * so that concurrent runs never share one; {@link HostNetwork.close} removes
 * every namespace, link and forwarder it made, also after a failure half-way.
 */
export class HostNetwork {
  readonly gateway: string;
  readonly #bridge: string;
  readonly #prefix: string;
  readonly #subnet: number;
  readonly #namespaces: string[] = [];
  /** The bridge's ends of the veth links. */
  readonly #links: string[] = [];
  readonly #forwarders: Server[] = [];
  readonly #sockets = new Set<Socket>();
  #bridgeMade = false;
  /** Removes what is left if the process exits before {@link close} (a test run interrupted). */
  readonly #onExit = () => {
    for (const link of this.#links) spawnSync('ip', ['link', 'delete', link]);
    for (const namespace of this.#namespaces) spawnSync('ip', ['netns', 'delete', namespace]);
    if (this.#bridgeMade) spawnSync('ip', ['link', 'delete', this.#bridge]);
  };

  private constructor(subnet: number) {
    this.#subnet = subnet;
    this.gateway = `10.77.${subnet}.1`;
    this.#prefix = `tk${process.pid.toString(36)}`;
    this.#bridge = `${this.#prefix}br`;
    process.once('exit', this.#onExit);
  }

  /** Makes the bridge at `10.77.<subnet>.1/24` (the subnet is free: a fresh run's only). */
  static async create(subnet = process.pid % 250): Promise<HostNetwork> {
    const network = new HostNetwork(subnet);
    try {
      await ip('link', 'add', network.#bridge, 'type', 'bridge');
      network.#bridgeMade = true;
      await ip('addr', 'add', `${network.gateway}/24`, 'dev', network.#bridge);
      await ip('link', 'set', network.#bridge, 'up');
    } catch (error) {
      await network.close();
      throw error;
    }
    return network;
  }

  /** A new host at `10.77.<subnet>.<10 + n>`: its own namespace, loopback, and one veth link to the bridge. */
  async addHost(name: string): Promise<Host> {
    const n = this.#namespaces.length + 1;
    const namespace = `${this.#prefix}-${name.toLowerCase()}`;
    const outside = `${this.#prefix}v${n}`;
    const address = `10.77.${this.#subnet}.${10 + n}`;
    await ip('netns', 'add', namespace);
    this.#namespaces.push(namespace);
    await ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace);
    this.#links.push(outside);
    await ip('link', 'set', outside, 'master', this.#bridge, 'up');
    await ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    await ip('-n', namespace, 'link', 'set', 'eth0', 'up');
    await ip('-n', namespace, 'link', 'set', 'lo', 'up');
    return { name, namespace, address, setLink: (up) => ip('-n', namespace, 'link', 'set', 'eth0', up ? 'up' : 'down') };
  }

  /**
   * A forwarder on the bridge's address to `127.0.0.1:port` (a backend the
   * test kit started on loopback); returns `gateway:port` for the hosts.
   */
  async forward(port: number): Promise<string> {
    const server = createServer((inbound) => {
      const outbound = createConnection({ host: '127.0.0.1', port });
      for (const socket of [inbound, outbound]) {
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
        // A host that dropped off leaves its connections to time out or be destroyed at close: no error to report.
        socket.on('error', () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
      inbound.once('close', () => outbound.destroy());
      outbound.once('close', () => inbound.destroy());
    });
    this.#forwarders.push(server);
    server.listen(0, this.gateway);
    await once(server, 'listening');
    return `${this.gateway}:${(server.address() as AddressInfo).port}`;
  }

  /**
   * Removes the forwarders, every link (both ends: a namespace outlives its
   * deletion while a socket of it lingers, e.g. one whose link was cut), the
   * namespaces and the bridge.
   */
  async close(): Promise<void> {
    process.off('exit', this.#onExit);
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(this.#forwarders.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    const failures: unknown[] = [];
    for (const link of this.#links.splice(0)) await ip('link', 'delete', link).catch((error) => failures.push(error));
    for (const namespace of this.#namespaces.splice(0)) await ip('netns', 'delete', namespace).catch((error) => failures.push(error));
    if (this.#bridgeMade) await ip('link', 'delete', this.#bridge).catch((error) => failures.push(error));
    this.#bridgeMade = false;
    if (failures.length > 0) throw new AggregateError(failures, 'could not remove every namespace and link');
  }
}
