/**
 * Plain-HTTP client sockets that read into one reused buffer.
 *
 * A `net.Socket` normally reads into a fresh 64 KiB buffer per read, and Node's HTTP parser
 * then copies each body chunk out of it into a buffer of its own. On a 1 GiB download that
 * was 16 000 allocations, parser calls and `data` events, and the garbage collector's work
 * for all of them. Here the agent opens its sockets with Node's `onread` option: every read
 * fills one buffer of {@link READ_SIZE} bytes, shared by the agent's sockets, and is handed
 * to the parser as Node's own reads are (a `data` event on the socket).
 *
 * Measured on the 2-core bench machine, a 1 GiB local download into a file by `tutti run`
 * (`bench/http.mjs` (b), three alternating runs each): 64 KiB reads (Node's own size)
 * 2.2–2.5 s, 256 KiB 1.60–1.69 s, 1 MiB 2.0–2.1 s (the parser's copies of bigger chunks
 * cost more page faults than the fewer reads save); `curl` 1.0–1.1 s.
 *
 * Reusing the buffer is safe because nothing keeps a view of it once the `data` event
 * returned: libuv fills it right before the callback (reads of several sockets never
 * interleave), the parser turns headers into strings and copies body chunks, and the
 * client's body collector copies any chunk that would still be a view of it (a Node whose
 * parser stopped copying; a test pins that it copies). TLS sockets have no `onread`:
 * `https:` keeps Node's own reads.
 */
import { type ClientRequestArgs, Agent as HttpAgent } from 'node:http';
import { createConnection, type NetConnectOpts, type Socket } from 'node:net';

/** Bytes one socket read may fill. */
export const READ_SIZE = 256 << 10;

/** A keep-alive agent whose sockets read into one buffer, {@link ReadingAgent.buffer}. */
export class ReadingAgent extends HttpAgent {
  /** Where every socket of this agent reads; its bytes are valid only during a `data` event. */
  readonly buffer: Buffer = Buffer.allocUnsafeSlow(READ_SIZE);

  /** Node's agent calls back itself when a socket is returned, so there is no callback to pass on. */
  override createConnection(options: ClientRequestArgs): Socket {
    const socket: Socket = createConnection({
      ...(options as NetConnectOpts),
      onread: {
        buffer: this.buffer,
        callback: (n: number, buf: Uint8Array) => {
          // What Node's own reads do: the HTTP parser listens for `data` (and pauses the
          // socket itself when the response stream is full).
          socket.emit('data', (buf as Buffer).subarray(0, n));
          return true;
        },
      },
    });
    return socket;
  }
}
