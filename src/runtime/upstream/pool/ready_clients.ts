/**
 * The connections of a pool that have a free stream slot (Envoy's ConnPoolImplBase
 * `ready_clients_`), the most recently used last so that idle connections stay warm and the
 * others can time out. Membership is the client's own `inReady` flag: adding twice or removing
 * an absent client does nothing.
 */
import type { ActiveClient } from './active_client.js';

/** One pool's ready connections, most recently used last. */
export class ReadyClients {
  private readonly list: ActiveClient[] = [];

  get length(): number {
    return this.list.length;
  }

  /**
   * The most recently used connection with a free slot. A connection in the list can have lost
   * its slots without the pool hearing it yet (a GOAWAY being processed): it leaves the list
   * (and stops being `ready`).
   */
  mostRecent(): ActiveClient | undefined {
    const ready = this.list;
    for (let c = ready[ready.length - 1]; c !== undefined; c = ready[ready.length - 1]) {
      if (c.capacity() > 0) return c;
      ready.pop();
      c.inReady = false;
      if (c.state === 'ready') c.state = 'busy';
    }
    return undefined;
  }

  /** `client` has a free slot: it becomes the most recently used, unless already listed. */
  add(client: ActiveClient): void {
    if (client.inReady) return;
    client.inReady = true;
    this.list.push(client);
  }

  remove(client: ActiveClient): void {
    if (!client.inReady) return;
    client.inReady = false;
    const ready = this.list;
    if (ready[ready.length - 1] === client) ready.pop();
    else {
      const i = ready.indexOf(client);
      if (i >= 0) ready.splice(i, 1);
    }
  }

  /** A copy of the list, for closing connections while walking it. */
  snapshot(): ActiveClient[] {
    return [...this.list];
  }
}
