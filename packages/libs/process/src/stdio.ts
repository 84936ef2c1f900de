/**
 * A child process's standard streams joined to the executor's byte sources and sinks, with
 * backpressure both ways: shared by every executor that runs a process through a pipe (the
 * local one here, the container one of `work/resources`).
 */
import type { Readable, Writable } from 'node:stream';
import type { ByteSink, ByteSource } from './executor.js';

/**
 * Hands every chunk of `stream` to `sink`, one at a time (the stream pauses while a send
 * waits: backpressure reaches the process through the pipe). Once the sink refuses, the
 * rest is read and dropped, so that the process is not killed by a broken pipe. Resolves
 * when the stream is closed.
 */
export function forward(stream: Readable, sink: ByteSink): Promise<void> {
  return new Promise((resolve) => {
    let wanted = true;
    stream.on('data', (chunk: Buffer) => {
      if (!wanted) return;
      stream.pause();
      // A sink rejects only on a bug, which then surfaces as an unhandled rejection.
      void sink(chunk).then((ok) => {
        wanted = ok;
        stream.resume();
      });
    });
    stream.on('error', ignore); // 'close' follows
    stream.once('close', resolve);
  });
}

/** Writes `source` to the process's stdin as it comes, then closes it. */
export async function feed(source: ByteSource, stdin: Writable): Promise<void> {
  let broken = false;
  stdin.on('error', () => {
    // EPIPE: the process closed its input or exited; the rest of the input is not wanted.
    broken = true;
    source.cancel();
  });
  for (;;) {
    const chunk = await source.next();
    if (chunk === null || broken) break;
    if (!stdin.write(chunk)) await drained(stdin);
  }
  if (!broken) stdin.end();
}

function drained(w: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      w.off('drain', done);
      w.off('close', done);
      resolve();
    };
    w.on('drain', done);
    w.on('close', done);
  });
}

function ignore(): void {}
