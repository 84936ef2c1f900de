/**
 * A long-lived spawner: a small Node process that starts the local executor's commands on the
 * engine's behalf.
 *
 * Why: `child_process.spawn` blocks the calling thread until the child has called `exec`, and
 * the `fork` inside it costs more the more memory the caller maps. A run of thousands of steps
 * maps a large heap, so each spawn took longer as the run grew (measured on the 2-core bench
 * machine: 15 ms per `spawn` from a 50 MB process, 24 ms from a 760 MB one, under the same
 * load), and the engine's thread was blocked for all of it. The spawner maps little, and while
 * it forks the engine goes on with its own work.
 *
 * What stays with the engine: the process groups. Every command still leads its own group
 * (`detached`), the engine tracks it by its pid and kills it with `kill(-pgid)` exactly as for
 * a direct spawn (process-groups.ts). The spawner only starts processes, relays their standard
 * streams and tells how they exited.
 *
 * The protocol, over the spawner's stdin (requests) and stdout (answers): frames of a 4-byte
 * little-endian length, then a type byte, a 4-byte request id and the payload (JSON for
 * control messages, raw bytes for stream data). Output is flow-controlled per stream: the
 * spawner sends one chunk of a child's stdout or stderr, pauses that stream, and resumes it
 * when the engine acknowledges the chunk (its sink took it), so a slow consumer slows the
 * process through its pipe as with a direct spawn. Input chunks are acknowledged once written.
 *
 * Lifetime: started at the second command of a process (a program that runs one command never
 * pays for it), used once it answered, and unreferenced while idle, so it never keeps the engine
 * alive. It ignores SIGINT, SIGTERM and SIGHUP (the engine decides, and kills the groups); when
 * the engine goes away its stdin ends, and it kills every group it started that is still there,
 * then exits, so that even a killed engine leaves no command behind. If it dies, commands run
 * directly again and those it was running end as failed.
 *
 * `TUTTI_SPAWNER=0` turns it off (every command is spawned directly); `TUTTI_SPAWNER=node` or
 * `python` chooses its program (by default Python's where `python3` is, see below).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { accessSync, closeSync, constants, openSync, readSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Readable, Writable } from 'node:stream';

/** What a command is started with, as `child_process.spawn` takes it. */
export interface SpawnRequest {
  readonly file: string;
  readonly args: readonly string[];
  /** Null: the engine's own environment (as it is now). */
  readonly env: NodeJS.ProcessEnv | null;
  /** Null: the engine's working directory (as it is now). */
  readonly cwd: string | null;
  /** Which standard streams are piped: none, stdout and stderr, or all three. */
  readonly pipes: 'none' | 'out' | 'all';
}

/** A process started through the spawner, shaped as the parts of `ChildProcess` the executor uses. */
export interface SpawnedChild extends EventEmitter {
  readonly pid: number;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
}

/** Failure to start: the system error as Node reports it (`errno` negative, as in `spawn`'s errors). */
export interface SpawnError {
  readonly errno?: number;
  readonly code?: string;
  readonly message: string;
}

// Frame types. Engine → spawner:
const T_SPAWN = 1; // JSON {file, args, env?, envId, cwd, pipes}
const T_STDIN = 2; // bytes
const T_STDIN_END = 3;
const T_ACK = 4; // payload: one byte, the fd whose chunk was taken
// Spawner → engine:
const T_READY = 10;
const T_STARTED = 11; // JSON {pid}
const T_FAILED = 12; // JSON {errno, code, message}
const T_OUT = 13; // payload: fd byte, then bytes
const T_OUT_END = 14; // payload: fd byte
const T_EXIT = 15; // JSON {code, signal}
const T_STDIN_ACK = 16;
const T_STDIN_ERROR = 17;

/**
 * The spawner's own program (CommonJS, no dependency, run with `node -e`): nothing to ship
 * beside the engine's bundle, and it starts in the time of `node -e 0`.
 */
const SPAWNER_SOURCE = String.raw`
'use strict';
const { spawn } = require('node:child_process');
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
const out = process.stdout;
const children = new Map();
function leave() {
  for (const c of children.values()) { try { process.kill(-c.pid, 'SIGKILL'); } catch {} }
  process.exit(0);
}
// The engine went away while something was still to tell it (EPIPE): nobody listens any more.
out.on('error', leave);
const envs = new Map();
function send(type, id, payload) {
  const head = Buffer.allocUnsafe(9);
  head.writeUInt32LE(5 + (payload ? payload.length : 0), 0);
  head[4] = type;
  head.writeUInt32LE(id, 5);
  if (payload && payload.length > 0) { out.cork(); out.write(head); out.write(payload); out.uncork(); }
  else out.write(head);
}
const json = (v) => Buffer.from(JSON.stringify(v));
function fdByte(fd, data) {
  const b = Buffer.allocUnsafe(1 + (data ? data.length : 0));
  b[0] = fd;
  if (data) data.copy(b, 1);
  return b;
}
function relay(id, c, fd, stream) {
  stream.on('data', (chunk) => { stream.pause(); c.paused[fd] = stream; send(13, id, fdByte(fd, chunk)); });
  stream.on('error', () => {});
  stream.on('close', () => send(14, id, fdByte(fd)));
}
function start(id, r) {
  if (r.env !== undefined) envs.set(r.envId, r.env);
  const options = { detached: true, stdio: r.pipes === 'none' ? 'ignore' : r.pipes === 'out' ? ['ignore', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'], env: envs.get(r.envId) };
  if (r.cwd !== null) options.cwd = r.cwd;
  let child;
  try {
    child = spawn(r.file, r.args, options);
  } catch (e) {
    send(12, id, json({ errno: e.errno, code: e.code, message: e.message }));
    return;
  }
  if (child.pid === undefined) {
    child.once('error', (e) => send(12, id, json({ errno: e.errno, code: e.code, message: e.message })));
    return;
  }
  child.on('error', () => {});
  const c = { child, paused: [], pid: child.pid };
  children.set(id, c);
  send(11, id, json({ pid: child.pid }));
  if (child.stdout) relay(id, c, 1, child.stdout);
  if (child.stderr) relay(id, c, 2, child.stderr);
  if (child.stdin) child.stdin.on('error', () => { if (!c.stdinBroken) { c.stdinBroken = true; send(17, id); } });
  child.once('exit', (code, signal) => {
    c.exited = true;
    send(15, id, json({ code, signal }));
    if (!child.stdout && !child.stderr) children.delete(id);
  });
  child.once('close', () => children.delete(id));
}
function handle(type, id, payload) {
  if (type === 1) return start(id, JSON.parse(payload.toString()));
  const c = children.get(id);
  if (c === undefined) return;
  if (type === 2) {
    if (c.stdinBroken || !c.child.stdin) return send(17, id);
    c.child.stdin.write(Buffer.from(payload), () => send(16, id));
  } else if (type === 3) {
    if (c.child.stdin && !c.stdinBroken) c.child.stdin.end();
  } else if (type === 4) {
    const s = c.paused[payload[0]];
    c.paused[payload[0]] = undefined;
    if (s) s.resume();
  }
}
let pending = null;
process.stdin.on('data', (chunk) => {
  let buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
  let at = 0;
  while (buf.length - at >= 4) {
    const len = buf.readUInt32LE(at);
    if (buf.length - at < 4 + len) break;
    handle(buf[at + 4], buf.readUInt32LE(at + 5), buf.subarray(at + 9, at + 4 + len));
    at += 4 + len;
  }
  pending = at === buf.length ? null : buf.subarray(at);
});
process.stdin.on('end', leave);
process.stdin.on('error', leave);
send(10, 0);
`;

/**
 * The same spawner in Python, preferred where `python3` (3.8 or later) is on the PATH: it
 * starts commands with `posix_spawn`, which the C library runs as a `vfork`, so neither the
 * spawner nor the child copies any memory before `exec`. Measured on the 2-core bench machine,
 * 1 000 `true` commands two at a time: 0.8–0.9 ms of the parent's CPU and 4.6 ms of the
 * child's per command, against 4.3–4.8 ms and 6.4–7.0 ms from Node's `child_process.spawn`
 * (a Perl spawner was tried too: its `fork` is cheaper than Node's but each child then paid
 * more than Node's, 8–12 ms, copying Perl's pages before `exec`). Same frames and the same
 * JSON as the Node spawner; a command's file is looked up in the PATH of its own environment,
 * as Node does; signals the spawner ignores or handles are back to their defaults in the
 * child. Exits come from `waitpid` on SIGCHLD, woken through Python's signal wakeup fd. The
 * frames of one turn of its loop go out in one write (a child's two output ends and its exit
 * usually come together: one wake-up of the engine instead of three); a start's answer goes at
 * once. A Python that cannot run it exits before it is ready, and the Node spawner takes over.
 */
const PYTHON_SPAWNER_SOURCE = String.raw`
import os, sys, json, signal, struct, selectors, errno
if sys.version_info < (3, 8) or not hasattr(os, 'posix_spawn'):
    sys.exit(3)
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, lambda *a: None)
DEFAULTS = set(signal.valid_signals()) - {signal.SIGKILL, signal.SIGSTOP}
wake_r, wake_w = os.pipe()
os.set_blocking(wake_r, False)
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
signal.signal(signal.SIGCHLD, lambda *a: None)
sel = selectors.DefaultSelector()
out = sys.stdout.buffer.raw if hasattr(sys.stdout.buffer, 'raw') else sys.stdout.buffer
OUT = 1
IN = 0
devnull = os.open(os.devnull, os.O_RDWR)
kids = {}     # id -> kid dict
bypid = {}
envs = {}

outq = []

def send(t, i, payload=b''):
    outq.append(struct.pack('<IBI', 5 + len(payload), t, i))
    if payload:
        outq.append(payload)

def flush():
    if not outq:
        return
    buf = b''.join(outq)
    outq.clear()
    view = memoryview(buf)
    while view:
        try:
            n = os.write(OUT, view)
        except InterruptedError:
            continue
        except BlockingIOError:
            continue
        except OSError:
            leave()
        view = view[n:]

def jsend(t, i, value):
    send(t, i, json.dumps(value, separators=(',', ':')).encode())

def leave():
    for k in list(kids.values()):
        if not k['exited']:
            try:
                os.killpg(k['pid'], signal.SIGKILL)
            except OSError:
                pass
    os._exit(0)

def resolve(file, env):
    if '/' in file:
        return file
    path = env.get('PATH') if env is not None else os.environ.get('PATH')
    if path is None:
        path = os.defpath
    last = errno.ENOENT
    for d in path.split(os.pathsep):
        full = os.path.join(d or '.', file)
        if os.path.isfile(full):
            if os.access(full, os.X_OK):
                return full
            last = errno.EACCES
    raise OSError(last, os.strerror(last))

def fail(i, file, e):
    code = errno.errorcode.get(e.errno, 'UNKNOWN') if e.errno else 'UNKNOWN'
    jsend(12, i, {'errno': -e.errno if e.errno else None, 'code': code, 'message': 'spawn %s %s' % (file, code)})

def forget_if_done(i):
    k = kids.get(i)
    if k is not None and k['exited'] and not k['fds'] and k['stdin'] is None:
        del kids[i]

def start(i, r):
    if 'env' in r:
        envs[r['envId']] = r['env']
    env = envs.get(r['envId'])
    file = r['file']
    pipes = r['pipes']
    opened = []
    try:
        if file == '' or '\0' in file:
            raise OSError(errno.ENOENT, 'no such file')
        exe = resolve(file, env)
        actions = []
        fds = {}
        stdin_w = None
        if pipes == 'all':
            rin, stdin_w = os.pipe(); opened += [rin, stdin_w]
            actions.append((os.POSIX_SPAWN_DUP2, rin, 0))
        else:
            actions.append((os.POSIX_SPAWN_DUP2, devnull, 0))
        if pipes == 'none':
            actions += [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
        else:
            for fd in (1, 2):
                rr, ww = os.pipe(); opened += [rr, ww]
                actions.append((os.POSIX_SPAWN_DUP2, ww, fd))
                fds[fd] = (rr, ww)
        if r['cwd'] is not None:
            os.chdir(r['cwd'])
        pid = os.posix_spawn(exe, [file] + r['args'], env if env is not None else os.environ,
                             file_actions=actions, setsid=True, setsigdef=DEFAULTS, setsigmask=())
    except OSError as e:
        for f in opened:
            os.close(f)
        fail(i, file, e)
        return
    except (ValueError, TypeError) as e:
        for f in opened:
            os.close(f)
        jsend(12, i, {'code': 'ERR_INVALID_ARG_VALUE', 'message': str(e)})
        return
    k = {'pid': pid, 'fds': {}, 'stdin': None, 'inq': [], 'inend': False, 'broken': False, 'exited': False, 'id': i}
    for fd, (rr, ww) in fds.items():
        os.close(ww)
        os.set_blocking(rr, False)
        k['fds'][fd] = rr
        sel.register(rr, selectors.EVENT_READ, ('out', i, fd))
    if stdin_w is not None:
        os.close(rin)
        os.set_blocking(stdin_w, False)
        k['stdin'] = stdin_w
    kids[i] = k
    bypid[pid] = i
    jsend(11, i, {'pid': pid})
    flush()

def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if pid == 0:
            return
        i = bypid.pop(pid, None)
        k = kids.get(i) if i is not None else None
        if k is None:
            continue
        k['exited'] = True
        if os.WIFSIGNALED(status):
            n = os.WTERMSIG(status)
            try:
                name = signal.Signals(n).name
            except ValueError:
                name = 'SIG%d' % n
            jsend(15, i, {'code': None, 'signal': name})
        else:
            jsend(15, i, {'code': os.WEXITSTATUS(status), 'signal': None})
        forget_if_done(i)

def broken(i, k):
    if k['broken']:
        return
    k['broken'] = True
    k['inq'] = []
    send(17, i)

def close_stdin(i, k):
    try:
        sel.unregister(k['stdin'])
    except (KeyError, ValueError):
        pass
    os.close(k['stdin'])
    k['stdin'] = None
    forget_if_done(i)

def flush_in(i, k):
    while k['inq']:
        try:
            n = os.write(k['stdin'], k['inq'][0])
        except BlockingIOError:
            break
        except InterruptedError:
            continue
        except OSError:
            broken(i, k)
            break
        k['inq'][0] = k['inq'][0][n:]
        if not k['inq'][0]:
            k['inq'].pop(0)
            send(16, i)
    want = bool(k['inq']) and not k['broken']
    try:
        if want:
            sel.register(k['stdin'], selectors.EVENT_WRITE, ('in', i, 0))
        else:
            sel.unregister(k['stdin'])
    except (KeyError, ValueError):
        pass
    if not k['inq'] and k['inend'] and k['stdin'] is not None:
        close_stdin(i, k)

def handle(t, i, payload):
    if t == 1:
        return start(i, json.loads(payload))
    k = kids.get(i)
    if k is None:
        return
    if t == 2:
        if k['broken'] or k['stdin'] is None:
            send(17, i)
            return
        k['inq'].append(bytes(payload))
        flush_in(i, k)
    elif t == 3:
        k['inend'] = True
        if k['stdin'] is not None:
            flush_in(i, k)
    elif t == 4:
        fd = payload[0]
        rr = k['fds'].get(fd)
        if rr is not None:
            sel.register(rr, selectors.EVENT_READ, ('out', i, fd))

pending = b''
os.set_blocking(IN, False)
sel.register(IN, selectors.EVENT_READ, ('engine', 0, 0))
sel.register(wake_r, selectors.EVENT_READ, ('wake', 0, 0))
send(10, 0)
flush()
while True:
    for key, _ in sel.select():
        kind, i, fd = key.data
        if kind == 'wake':
            try:
                while os.read(wake_r, 512):
                    pass
            except (BlockingIOError, InterruptedError):
                pass
            reap()
        elif kind == 'engine':
            try:
                chunk = os.read(IN, 65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                leave()
            if not chunk:
                leave()
            buf = pending + chunk if pending else chunk
            at = 0
            while len(buf) - at >= 4:
                (n,) = struct.unpack_from('<I', buf, at)
                if len(buf) - at < 4 + n:
                    break
                t, rid = struct.unpack_from('<BI', buf, at + 4)
                handle(t, rid, buf[at + 9:at + 4 + n])
                at += 4 + n
            pending = buf[at:]
        elif kind == 'out':
            k = kids.get(i)
            if k is None:
                continue
            rr = k['fds'].get(fd)
            if rr is None:
                continue
            try:
                data = os.read(rr, 65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b''
            if not data:
                sel.unregister(rr)
                os.close(rr)
                del k['fds'][fd]
                send(14, i, bytes([fd]))
                forget_if_done(i)
                continue
            sel.unregister(rr)
            send(13, i, bytes([fd]) + data)
        elif kind == 'in':
            k = kids.get(i)
            if k is not None and k['stdin'] is not None:
                flush_in(i, k)
    reap()
    flush()
`;

/** A child started through the spawner, fed by the spawner's frames. */
class RemoteChild extends EventEmitter implements SpawnedChild {
  pid = 0;
  stdin: Writable | null = null;
  stdout: Readable | null = null;
  stderr: Readable | null = null;
  /** Write callbacks of stdin chunks, in order. */
  readonly stdinAcks: ((error?: Error | null) => void)[] = [];
  exited = false;
  /** Whether the started (or failed) answer came. */
  settled = false;

  constructor(
    private readonly spawner: Spawner,
    readonly id: number,
    pipes: SpawnRequest['pipes'],
    readonly onStart: (child: RemoteChild) => void,
    readonly onFail: (error: SpawnError) => void,
  ) {
    super();
    if (pipes !== 'none') {
      this.stdout = this.output(1);
      this.stderr = this.output(2);
    }
    if (pipes === 'all') {
      this.stdin = new Writable({
        write: (chunk: Buffer, _encoding, callback) => {
          this.stdinAcks.push(callback);
          this.spawner.send(T_STDIN, this.id, chunk);
        },
        final: (callback) => {
          this.spawner.send(T_STDIN_END, this.id);
          callback();
        },
      });
    }
  }

  /** Per fd, whether a chunk is owed its acknowledgement (pushed above the high-water mark). */
  private readonly owed = [false, false, false];
  /** Exits and output ends seen; the child is done at three (one without pipes: at one). */
  ends = 0;

  /** A readable that acknowledges each chunk once it is taken below its high-water mark. */
  private output(fd: 1 | 2): Readable {
    return new Readable({
      read: () => {
        if (!this.owed[fd]) return;
        this.owed[fd] = false;
        this.spawner.send(T_ACK, this.id, Buffer.of(fd));
      },
    });
  }

  data(fd: number, chunk: Buffer): void {
    const stream = fd === 1 ? this.stdout : this.stderr;
    if (stream === null) return;
    if (stream.push(chunk)) this.spawner.send(T_ACK, this.id, Buffer.of(fd));
    else this.owed[fd] = true;
  }

  end(fd: number): void {
    (fd === 1 ? this.stdout : this.stderr)?.push(null);
  }

  /** The spawner went away: what was running ends as killed, with its streams closed. */
  lost(): void {
    if (!this.settled) {
      this.settled = true;
      this.onFail({ message: 'the spawner process ended' });
      return;
    }
    this.stdout?.push(null);
    this.stderr?.push(null);
    for (const ack of this.stdinAcks.splice(0)) ack(new Error('the spawner process ended'));
    if (!this.exited) {
      this.exited = true;
      this.emit('exit', null, 'SIGKILL');
    }
  }
}

/** The engine's side of one spawner process. */
export class Spawner {
  private readonly child: ChildProcess;
  private readonly running = new Map<number, RemoteChild>();
  private nextId = 1;
  private ready = false;
  private gone = false;
  /** Whether it ended (it is never used again). */
  get ended(): boolean {
    return this.gone;
  }

  /** Whether it ended before it was ever ready (a Python too old, say). */
  get stillborn(): boolean {
    return this.gone && !this.ready;
  }
  private pending: Buffer | null = null;
  private readonly envIds = new WeakMap<object, number>();
  private nextEnvId = 1;
  /** The last snapshot of the engine's own environment, for commands that inherit it. */
  private inherited: { json: string; id: number } | undefined;

  constructor(readonly kind: SpawnerKind = 'node') {
    // Its stderr is not the user's: a spawner that fails ends, and commands run directly again.
    const [program, args] =
      kind === 'python' ? [pythonProgram() ?? 'python3', ['-I', '-c', PYTHON_SPAWNER_SOURCE]] : [process.execPath, ['-e', SPAWNER_SOURCE]];
    this.child = spawn(program, args, { stdio: ['pipe', 'pipe', 'ignore'], env: process.env });
    this.child.on('error', () => this.lose());
    this.child.once('exit', () => this.lose());
    const input = this.child.stdout as Readable;
    input.on('data', (chunk: Buffer) => this.receive(chunk));
    input.on('error', () => this.lose());
    (this.child.stdin as Writable).on('error', () => this.lose());
    this.idle();
  }

  /** Commands it was asked to start (tests check that they went through it). */
  requested = 0;

  /** The spawner's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether commands may be sent to it now. */
  get usable(): boolean {
    return this.ready && !this.gone;
  }

  /** Starts a command; exactly one of `onStart` and `onFail` is called. */
  start(request: SpawnRequest, onStart: (child: SpawnedChild) => void, onFail: (error: SpawnError) => void): void {
    const id = this.nextId++;
    this.requested++;
    const remote = new RemoteChild(this, id, request.pipes, onStart as (c: RemoteChild) => void, onFail);
    this.running.set(id, remote);
    if (this.running.size === 1) this.busy();
    const { env, envId } = this.environment(request.env);
    const payload: Record<string, unknown> = {
      file: request.file,
      args: request.args,
      envId,
      cwd: request.cwd ?? process.cwd(),
      pipes: request.pipes,
    };
    if (env !== undefined) payload.env = env;
    this.send(T_SPAWN, id, Buffer.from(JSON.stringify(payload)));
  }

  /** An environment's id on the spawner side, with the environment itself the first time. */
  private environment(env: NodeJS.ProcessEnv | null): { env?: NodeJS.ProcessEnv; envId: number } {
    if (env !== null) {
      const known = this.envIds.get(env);
      if (known !== undefined) return { envId: known };
      const id = this.nextEnvId++;
      this.envIds.set(env, id);
      return { env, envId: id };
    }
    // The engine's environment may have changed since the last command: compare its text.
    const json = JSON.stringify(process.env);
    if (this.inherited?.json === json) return { envId: this.inherited.id };
    this.inherited = { json, id: this.nextEnvId++ };
    return { env: process.env, envId: this.inherited.id };
  }

  send(type: number, id: number, payload?: Uint8Array): void {
    if (this.gone) return;
    const head = Buffer.allocUnsafe(9);
    head.writeUInt32LE(5 + (payload?.length ?? 0), 0);
    head[4] = type;
    head.writeUInt32LE(id, 5);
    const stdin = this.child.stdin as Writable;
    if (payload !== undefined && payload.length > 0) {
      stdin.cork();
      stdin.write(head);
      stdin.write(payload);
      stdin.uncork();
    } else stdin.write(head);
  }

  private receive(chunk: Buffer): void {
    const buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    while (buf.length - at >= 4) {
      const len = buf.readUInt32LE(at);
      if (buf.length - at < 4 + len) break;
      this.handle(buf[at + 4] as number, buf.readUInt32LE(at + 5), buf.subarray(at + 9, at + 4 + len));
      at += 4 + len;
    }
    this.pending = at === buf.length ? null : buf.subarray(at);
  }

  private handle(type: number, id: number, payload: Buffer): void {
    if (type === T_READY) {
      this.ready = true;
      return;
    }
    const remote = this.running.get(id);
    if (remote === undefined) return;
    switch (type) {
      case T_STARTED:
        remote.pid = (JSON.parse(payload.toString()) as { pid: number }).pid;
        remote.settled = true;
        remote.onStart(remote);
        break;
      case T_FAILED:
        remote.settled = true;
        this.forget(id);
        remote.onFail(JSON.parse(payload.toString()) as SpawnError);
        break;
      case T_OUT:
        // A view into the frame's buffer: socket reads come in fresh buffers, never reused.
        remote.data(payload[0] as number, payload.subarray(1));
        break;
      case T_OUT_END:
        remote.end(payload[0] as number);
        this.settleIfDone(remote);
        break;
      case T_EXIT: {
        const { code, signal } = JSON.parse(payload.toString()) as { code: number | null; signal: NodeJS.Signals | null };
        remote.exited = true;
        remote.emit('exit', code, signal);
        this.settleIfDone(remote);
        break;
      }
      case T_STDIN_ACK:
        remote.stdinAcks.shift()?.();
        break;
      case T_STDIN_ERROR: {
        const error = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        for (const ack of remote.stdinAcks.splice(0)) ack(error);
        if (remote.stdin !== null && !remote.stdin.destroyed) remote.stdin.destroy(error);
        break;
      }
    }
  }

  /** Forgets a child once it exited and its piped outputs ended. */
  private settleIfDone(remote: RemoteChild): void {
    remote.ends++;
    if (remote.exited && remote.ends >= (remote.stdout === null ? 1 : 3)) this.forget(remote.id);
  }

  private forget(id: number): void {
    this.running.delete(id);
    if (this.running.size === 0) this.idle();
  }

  /** While nothing runs, the spawner does not keep the engine alive. */
  private idle(): void {
    this.child.unref();
    (this.child.stdout as Readable & { unref?: () => void }).unref?.();
    (this.child.stdin as Writable & { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.child.stdout as Readable & { ref?: () => void }).ref?.();
    (this.child.stdin as Writable & { ref?: () => void }).ref?.();
  }

  private lose(): void {
    if (this.gone) return;
    this.gone = true;
    const lost = [...this.running.values()];
    this.running.clear();
    this.idle();
    for (const remote of lost) remote.lost();
  }

  /** Ends the spawner (tests; the engine's exit ends it by closing its stdin). */
  close(): void {
    (this.child.stdin as Writable).end();
  }
}

let shared: Spawner | undefined;
let requests = 0;

/**
 * The process's spawner when it is ready to take a command, else undefined (the caller spawns
 * directly). `mode`: `auto` starts it at the second request; `off` never; `always` starts it
 * at once (tests, which then wait for {@link spawnerReady}).
 */
export function spawnerFor(mode: 'auto' | 'off' | 'always'): Spawner | undefined {
  if (mode === 'off' || process.env.TUTTI_SPAWNER === '0') return undefined;
  requests++;
  if (shared === undefined && (mode === 'always' || requests >= 2)) shared = new Spawner(preferredKind());
  // A Python spawner that could not start: the Node one takes its place, once.
  else if (shared?.stillborn === true && shared.kind === 'python') shared = new Spawner('node');
  return shared?.usable === true ? shared : undefined;
}

/** Resolves once the process's spawner answers (starting it): for tests. */
export async function spawnerReady(): Promise<Spawner> {
  shared ??= new Spawner(preferredKind());
  while (!shared.usable) {
    if (shared.stillborn && shared.kind === 'python') shared = new Spawner('node');
    await new Promise((r) => setTimeout(r, 5));
  }
  return shared;
}

let directThisTurn = false;

/**
 * Whether a command that the spawner cannot take yet may be spawned from the engine now.
 * While the spawner starts, one such command per turn of the event loop: a run's first steps
 * often come in one burst, and spawning all of them at once would keep the engine's thread in
 * `fork` for as long, the spawner's ready answer unread behind them. The others are asked
 * again on the next turn ({@link LocalExecutor} defers them with `setImmediate`).
 */
export function directSpawnNow(): boolean {
  if (shared === undefined || shared.usable || shared.ended) return true;
  if (directThisTurn) return false;
  directThisTurn = true;
  setImmediate(() => {
    directThisTurn = false;
  });
  return true;
}

/** Which program spawns: Node's or Python's. */
export type SpawnerKind = 'node' | 'python';

/** The Python interpreter the spawner runs on, once looked up (null: none). */
let python: string | null | undefined;

/**
 * The first `python3` on the PATH that is a program rather than a script: a script in front
 * of Python (pyenv's shim, for one) starts a shell and more each time, 1.7 s on a loaded
 * machine against 0.3 s for the interpreter it ends up running. Looked up without starting
 * anything; null when there is none.
 */
export function pythonProgram(): string | null {
  if (python !== undefined) return python;
  python = null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, 'python3');
    try {
      accessSync(file, constants.X_OK);
      const head = Buffer.alloc(4);
      const fd = openSync(file, 'r');
      try {
        readSync(fd, head, 0, 4, 0);
      } finally {
        closeSync(fd);
      }
      const magic = head.readUInt32BE(0);
      // ELF, or Mach-O (either byte order, 32 or 64 bits, universal).
      if (magic === 0x7f454c46 || [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic)) {
        python = file;
        break;
      }
    } catch {}
  }
  return python;
}

/**
 * `TUTTI_SPAWNER=node` or `python` chooses; by default Python when a `python3` program is on
 * the PATH (see {@link pythonProgram}), else Node.
 */
function preferredKind(): SpawnerKind {
  const chosen = process.env.TUTTI_SPAWNER;
  if (chosen === 'node') return chosen;
  if (chosen === 'python') return 'python';
  return pythonProgram() === null ? 'node' : 'python';
}
