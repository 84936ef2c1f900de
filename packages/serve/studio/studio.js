// The studio: projects, runs and a run's graph, live. Plain JavaScript without a build step
// or a dependency (nothing is fetched from elsewhere). The graph is drawn on a canvas from
// the layout the server computed: nodes are looked up through a grid of cells so a frame
// only touches what is visible, and when zoomed out nodes become plain coloured boxes
// (level of detail), so a 10 000-node graph pans smoothly.
const $ = (s) => document.querySelector(s);
const main = $('#main');
const tokenInput = $('#token');
tokenInput.value = localStorage.getItem('tutti.token') ?? '';
tokenInput.addEventListener('change', () => {
  localStorage.setItem('tutti.token', tokenInput.value);
  route();
});
const token = () => tokenInput.value.trim();
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function api(path, init = {}) {
  const headers = { ...(init.headers ?? {}) };
  if (token()) headers.authorization = `Bearer ${token()}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { ...init, headers });
  const body = res.status === 204 ? {} : await res.json();
  if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
  return body;
}

const COLORS = {
  waiting: '#8b949e',
  queued: '#8b949e',
  preparing: '#a371f7',
  running: '#1f6feb',
  passed: '#2da44e',
  failed: '#cf222e',
  cancelled: '#9a6700',
  interrupted: '#9a6700',
  skipped: '#d0d7de',
};
const stateChip = (s) => `<span class="state s-${esc(s)}">${esc(s)}</span>`;
const duration = (ms) =>
  ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 60000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
const span = (a, b) => (a ? duration((b ? Date.parse(b) : Date.now()) - Date.parse(a)) : '');

// Live events: one EventSource at a time, for the page shown.
let source;
function listen(query, handlers) {
  source?.close();
  const q = new URLSearchParams(query);
  if (token()) q.set('token', token());
  source = new EventSource(`/api/events?${q}`);
  source.onopen = () => {
    $('#live').classList.add('on');
    handlers.open?.();
  };
  source.onerror = () => $('#live').classList.remove('on');
  for (const [type, fn] of Object.entries(handlers)) if (type !== 'open') source.addEventListener(type, (m) => fn(JSON.parse(m.data)));
}

// ---- Home: projects and runs ----------------------------------------------------------
async function home() {
  main.className = '';
  main.innerHTML = '<div class="card">Loading…</div>';
  let projects, runs;
  try {
    [{ projects }, { runs }] = await Promise.all([api('/api/projects'), api('/api/runs?limit=50')]);
  } catch (e) {
    main.innerHTML = `<div class="card error-box">${esc(e.message)}</div>`;
    return;
  }
  main.innerHTML = `<h1>Projects</h1>${projects
    .map(
      (p) =>
        `<div class="card"><h2>${esc(p.name)} <span class="muted">${esc(p.repository)}</span></h2>${p.pipelines
          .map(
            (
              pl,
            ) => `<div>${esc(pl.name)} <span class="muted">(${esc(pl.kind)}; on ${esc(pl.on.join(', '))}${pl.schedule ? `; cron ${esc(pl.schedule)}` : ''})</span>
          <form class="params" data-project="${esc(p.name)}" data-pipeline="${esc(pl.name)}">${Object.entries(pl.params)
            .map(([k, v]) => `<label>${esc(k)} <input name="${esc(k)}" value="${esc(v)}"></label>`)
            .join(
              '',
            )}<button>Run</button> <a href="#/check/${encodeURIComponent(p.name)}/${encodeURIComponent(pl.name)}">check</a></form></div>`,
          )
          .join('')}</div>`,
    )
    .join(
      '',
    )}<h1>Runs</h1><table id="runs"><thead><tr><th>#</th><th>project / pipeline</th><th>state</th><th>trigger</th><th>commit</th><th>queued</th><th>duration</th></tr></thead><tbody>${runs.map(runRow).join('')}</tbody></table>`;
  for (const f of main.querySelectorAll('form.params'))
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const params = Object.fromEntries(new FormData(f).entries());
      try {
        const run = await api(
          `/api/projects/${encodeURIComponent(f.dataset.project)}/pipelines/${encodeURIComponent(f.dataset.pipeline)}/runs`,
          { method: 'POST', body: JSON.stringify({ params }) },
        );
        location.hash = `#/runs/${run.id}`;
      } catch (e) {
        alert(e.message);
      }
    });
  listen(
    {},
    {
      run: async (e) => {
        const r = await api(`/api/runs/${e.run}`).catch(() => undefined);
        if (!r) return;
        const row = document.getElementById(`run-${e.run}`);
        const html = runRow(r.run);
        if (row) row.outerHTML = html;
        else $('#runs tbody')?.insertAdjacentHTML('afterbegin', html);
      },
    },
  );
}
const runRow = (r) =>
  `<tr id="run-${r.id}"><td><a href="#/runs/${r.id}">${r.id}</a></td><td>${esc(r.project)} / ${esc(r.pipeline)}</td><td>${stateChip(r.state)}${r.attempt > 1 ? ` <span class="muted">attempt ${r.attempt}</span>` : ''}</td><td>${esc(r.trigger)}</td><td>${esc((r.sha ?? '').slice(0, 10))}</td><td>${esc(new Date(r.queuedAt).toLocaleString())}</td><td>${span(r.startedAt, r.endedAt)}</td></tr>`;

// ---- The graph view ---------------------------------------------------------------------
const CELL = 400;
/** Below this scale nodes are drawn as plain boxes (level of detail). */
const LOD = 0.3;
class GraphView {
  constructor(canvas, onSelect) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.onSelect = onSelect;
    this.scale = 1;
    this.tx = 20;
    this.ty = 20;
    this.frames = [];
    this.dirty = true;
    this.selected = -1;
    this.boxes = [];
    this.setData([]);
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
    this.bind();
    const loop = (t) => {
      if (this.dirty) {
        const t0 = performance.now();
        this.draw();
        this.frames.push(performance.now() - t0);
        if (this.frames.length > 2000) this.frames.splice(0, 1000);
        this.dirty = false;
        this.lastDraw = t;
      }
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }
  resize() {
    const r = this.canvas.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, r.width * this.dpr);
    this.canvas.height = Math.max(1, r.height * this.dpr);
    this.w = r.width;
    this.h = r.height;
    this.dirty = true;
  }
  // jobs: [{name, state, graph: {nodes, edges, states, critical, diagnostics}, needs}], critical: job names
  setData(jobs, criticalJobs = []) {
    // Jobs are placed left to right by the depth of their needs, stacked within a depth.
    const depth = new Map();
    const byName = new Map(jobs.map((j) => [j.name, j]));
    const d = (j, seen = new Set()) => {
      if (depth.has(j.name)) return depth.get(j.name);
      if (seen.has(j.name)) return 0;
      seen.add(j.name);
      const v = Math.max(0, ...j.needs.map((n) => (byName.has(n) ? d(byName.get(n), seen) + 1 : 0)));
      depth.set(j.name, v);
      return v;
    };
    for (const j of jobs) d(j);
    const columns = [];
    for (const j of jobs) (columns[depth.get(j.name)] ??= []).push(j);
    const n = jobs.reduce((s, j) => s + (j.graph?.nodes.length ?? 0), 0);
    this.x = new Float32Array(n);
    this.y = new Float32Array(n);
    this.nw = new Float32Array(n);
    this.nh = new Float32Array(n);
    this.state = new Array(n);
    this.start = new Float64Array(n);
    this.end = new Float64Array(n);
    this.critical = new Uint8Array(n);
    this.diag = new Array(n);
    this.nodes = new Array(n);
    this.jobOf = new Int32Array(n);
    this.edges = [];
    this.boxes = [];
    this.offset = new Map();
    let x = 0,
      i = 0;
    columns.forEach((col) => {
      let y = 0,
        colW = 0;
      for (const j of col ?? []) {
        const g = j.graph ?? { nodes: [], edges: [], width: 0, height: 0 };
        const box = {
          job: j,
          x,
          y,
          w: Math.max(220, g.width + 20),
          h: Math.max(70, g.height + 40),
          critical: criticalJobs.includes(j.name),
        };
        this.boxes.push(box);
        this.offset.set(j.name, i);
        const jobIndex = this.boxes.length - 1;
        const lines = new Map();
        for (const dg of g.diagnostics ?? []) if (dg.line) lines.set(`${dg.file}:${dg.line}`, dg);
        g.nodes.forEach((node, k) => {
          const s = g.states?.[k];
          this.x[i + k] = x + 10 + node.x;
          this.y[i + k] = y + 30 + node.y;
          this.nw[i + k] = node.w;
          this.nh[i + k] = node.h;
          this.state[i + k] = s?.[0] ?? (j.state === 'passed' ? 'passed' : 'waiting');
          this.start[i + k] = s?.[1] ?? 0;
          this.end[i + k] = s?.[2] ?? 0;
          this.nodes[i + k] = node;
          this.jobOf[i + k] = jobIndex;
          const at = node.origin?.replace(/:\d+$/, '');
          if (at && lines.has(at)) this.diag[i + k] = lines.get(at);
        });
        for (const c of g.critical ?? []) this.critical[i + c] = 1;
        for (const [a, b] of g.edges) this.edges.push(i + a, i + b);
        i += g.nodes.length;
        y += box.h + 40;
        colW = Math.max(colW, box.w);
      }
      x += colW + 80;
    });
    this.edgeArr = Int32Array.from(this.edges);
    // The grid: cell key → node indices.
    this.grid = new Map();
    for (let k = 0; k < n; k++) {
      const x0 = Math.floor(this.x[k] / CELL),
        x1 = Math.floor((this.x[k] + this.nw[k]) / CELL);
      const y0 = Math.floor(this.y[k] / CELL),
        y1 = Math.floor((this.y[k] + this.nh[k]) / CELL);
      for (let cx = x0; cx <= x1; cx++)
        for (let cy = y0; cy <= y1; cy++) {
          const key = cx * 65536 + cy;
          let list = this.grid.get(key);
          if (!list) this.grid.set(key, (list = []));
          list.push(k);
        }
    }
    this.count = n;
    this.version = (this.version ?? 0) + 1;
    this.dirty = true;
  }
  fit() {
    const w = Math.max(1, ...this.boxes.map((b) => b.x + b.w)),
      h = Math.max(1, ...this.boxes.map((b) => b.y + b.h));
    this.scale = Math.min(1.2, Math.max(0.02, Math.min((this.w - 40) / w, (this.h - 40) / h)));
    this.tx = 20;
    this.ty = 20;
    this.dirty = true;
  }
  setState(job, k, state, start, end) {
    const base = this.offset.get(job);
    if (base === undefined) return;
    this.state[base + k] = state;
    this.start[base + k] = start;
    this.end[base + k] = end;
    this.version++;
    this.dirty = true;
  }
  visible() {
    const x0 = -this.tx / this.scale,
      y0 = -this.ty / this.scale;
    const x1 = x0 + this.w / this.scale,
      y1 = y0 + this.h / this.scale;
    const out = [];
    const seen = new Uint8Array(this.count);
    for (let cx = Math.floor(x0 / CELL); cx <= Math.floor(x1 / CELL); cx++)
      for (let cy = Math.floor(y0 / CELL); cy <= Math.floor(y1 / CELL); cy++) {
        const list = this.grid.get(cx * 65536 + cy);
        if (list)
          for (const k of list)
            if (!seen[k]) {
              seen[k] = 1;
              out.push(k);
            }
      }
    return { out, seen, x0, y0, x1, y1 };
  }
  // Zoomed out (level of detail), the whole graph is drawn once into a bitmap at the current
  // scale and a frame only copies it: panning then costs one drawImage whatever the size.
  // The bitmap is redrawn when the scale changes, or at most every 200 ms for new states.
  draw() {
    const { ctx, scale, dpr } = this;
    const worldW = Math.max(1, ...this.boxes.map((b) => b.x + b.w)) + 20;
    const worldH = Math.max(1, ...this.boxes.map((b) => b.y + b.h)) + 20;
    const cw = Math.ceil(worldW * scale * dpr);
    const ch = Math.ceil(worldH * scale * dpr);
    if (scale < LOD && cw <= 8192 && ch <= 8192 && cw * ch <= 32e6) {
      const c = this.cache;
      const stale = !c || c.scale !== scale || c.version !== this.version;
      if (stale && c && c.scale === scale && performance.now() - c.at < 200) {
        this.dirty = true; // redraw the bitmap a little later
      } else if (stale) {
        const canvas = c?.canvas ?? document.createElement('canvas');
        canvas.width = cw;
        canvas.height = ch;
        const cctx = canvas.getContext('2d');
        cctx.setTransform(dpr * scale, 0, 0, dpr * scale, 0, 0);
        const all = Array.from({ length: this.count }, (_, k) => k);
        this.drawScene(cctx, scale, all, new Uint8Array(this.count).fill(1), 0, 0, worldW, worldH);
        this.cache = { canvas, scale, version: this.version, at: performance.now() };
      }
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
      ctx.drawImage(this.cache.canvas, Math.round(this.tx * dpr), Math.round(this.ty * dpr));
      if (this.selected >= 0) {
        const k = this.selected;
        ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * this.tx, dpr * this.ty);
        ctx.strokeStyle = '#0b1220';
        ctx.lineWidth = 3 / scale;
        ctx.strokeRect(this.x[k], this.y[k], this.nw[k], this.nh[k]);
      }
      return;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.w, this.h);
    ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * this.tx, dpr * this.ty);
    const { out, seen, x0, y0, x1, y1 } = this.visible();
    this.drawScene(ctx, scale, out, seen, x0, y0, x1, y1);
  }
  drawScene(ctx, scale, out, seen, x0, y0, x1, y1) {
    // Job boxes.
    ctx.lineWidth = 1 / scale;
    for (const b of this.boxes) {
      if (b.x > x1 || b.y > y1 || b.x + b.w < x0 || b.y + b.h < y0) continue;
      ctx.fillStyle = '#fafbfc';
      ctx.strokeStyle = b.critical ? '#fb8500' : (COLORS[b.job.state] ?? '#8b949e');
      ctx.lineWidth = (b.critical ? 3 : 1.5) / scale;
      ctx.fillRect(b.x, b.y, b.w, b.h);
      ctx.strokeRect(b.x, b.y, b.w, b.h);
      if (scale > 0.08) {
        ctx.fillStyle = '#1d2330';
        ctx.font = `600 ${Math.max(13, 12 / scale)}px system-ui`;
        const dur = b.job.startedAt ? ` · ${span(b.job.startedAt, b.job.endedAt)}` : '';
        ctx.fillText(`${b.job.name} — ${b.job.state}${dur}`, b.x + 8, b.y + (scale > 0.5 ? 20 : 12 / scale + 4));
        if (!b.job.graph?.nodes.length && b.job.graph?.diagnostics?.length) {
          ctx.fillStyle = '#cf222e';
          ctx.font = '12px ui-monospace, monospace';
          for (const [i, d] of b.job.graph.diagnostics.slice(0, 3).entries())
            ctx.fillText(
              `${d.file ?? ''}:${d.line ?? ''}:${d.column ?? ''} ${d.code}: ${d.message}`.slice(0, 110),
              b.x + 8,
              b.y + 42 + i * 16,
            );
        }
      }
    }
    // Edges: one path for ordinary ones, one for the critical path.
    const e = this.edgeArr;
    const normal = new Path2D(),
      crit = new Path2D();
    const lod = scale < LOD;
    for (let k = 0; k < e.length; k += 2) {
      const a = e[k],
        b = e[k + 1];
      if (!seen[a] && !seen[b]) continue;
      const p = this.critical[a] && this.critical[b] ? crit : normal;
      const ax = this.x[a] + this.nw[a],
        ay = this.y[a] + this.nh[a] / 2,
        bx = this.x[b],
        by = this.y[b] + this.nh[b] / 2;
      p.moveTo(ax, ay);
      if (lod) p.lineTo(bx, by);
      else {
        const mx = (ax + bx) / 2;
        p.bezierCurveTo(mx, ay, mx, by, bx, by);
      }
    }
    ctx.strokeStyle = '#afb8c1';
    ctx.lineWidth = 1 / scale;
    ctx.stroke(normal);
    ctx.strokeStyle = '#fb8500';
    ctx.lineWidth = 3 / scale;
    ctx.stroke(crit);
    // Nodes. Zoomed out: boxes of colour, batched by colour. Zoomed in: labels, durations.
    if (lod) {
      const byColor = new Map();
      for (const k of out) {
        const c = COLORS[this.state[k]] ?? '#8b949e';
        (byColor.get(c) ?? byColor.set(c, []).get(c)).push(k);
      }
      for (const [c, ks] of byColor) {
        ctx.fillStyle = c;
        ctx.beginPath();
        for (const k of ks) ctx.rect(this.x[k], this.y[k], this.nw[k], this.nh[k]);
        ctx.fill();
      }
      ctx.strokeStyle = '#fb8500';
      ctx.lineWidth = 3 / scale;
      ctx.beginPath();
      for (const k of out) if (this.critical[k]) ctx.rect(this.x[k], this.y[k], this.nw[k], this.nh[k]);
      ctx.stroke();
    } else {
      ctx.font = '12px system-ui';
      const now = Date.now();
      for (const k of out) {
        const x = this.x[k],
          y = this.y[k],
          w = this.nw[k],
          h = this.nh[k],
          s = this.state[k];
        ctx.fillStyle = COLORS[s] ?? '#8b949e';
        ctx.beginPath();
        ctx.roundRect(x, y, w, h, 5);
        ctx.fill();
        if (this.critical[k] || k === this.selected || this.diag[k]) {
          ctx.strokeStyle = k === this.selected ? '#0b1220' : this.diag[k] ? '#cf222e' : '#fb8500';
          ctx.lineWidth = (k === this.selected ? 3 : 2.5) / Math.min(1, scale);
          ctx.stroke();
        }
        if (scale >= 0.45) {
          ctx.fillStyle = s === 'skipped' || s === 'waiting' ? '#1d2330' : '#fff';
          ctx.fillText(this.nodes[k].label, x + 6, y + 14, w - 10);
          const d = this.start[k] ? (this.end[k] || now) - this.start[k] : 0;
          if (d > 0 || this.diag[k]) {
            ctx.font = '10px system-ui';
            ctx.fillText(this.diag[k] ? this.diag[k].code : duration(d), x + 6, y + 27, w - 10);
            ctx.font = '12px system-ui';
          }
        }
      }
    }
  }
  hit(px, py) {
    const x = (px - this.tx) / this.scale,
      y = (py - this.ty) / this.scale;
    const list = this.grid.get(Math.floor(x / CELL) * 65536 + Math.floor(y / CELL)) ?? [];
    for (const k of list) if (x >= this.x[k] && x <= this.x[k] + this.nw[k] && y >= this.y[k] && y <= this.y[k] + this.nh[k]) return k;
    return -1;
  }
  pan(dx, dy) {
    this.moved = true;
    this.tx += dx;
    this.ty += dy;
    this.dirty = true;
  }
  bind() {
    const c = this.canvas;
    let drag,
      moved = false;
    c.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY };
      moved = false;
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x,
        dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) moved = true;
      drag = { x: e.clientX, y: e.clientY };
      this.pan(dx, dy);
    });
    c.addEventListener('pointerup', (e) => {
      drag = undefined;
      if (moved) return;
      const r = c.getBoundingClientRect();
      const k = this.hit(e.clientX - r.left, e.clientY - r.top);
      this.selected = k;
      this.dirty = true;
      this.onSelect(k);
    });
    c.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = c.getBoundingClientRect();
        const px = e.clientX - r.left,
          py = e.clientY - r.top;
        const f = Math.exp(-e.deltaY * 0.0015);
        const s = Math.min(4, Math.max(0.01, this.scale * f));
        this.tx = px - ((px - this.tx) * s) / this.scale;
        this.ty = py - ((py - this.ty) * s) / this.scale;
        this.scale = s;
        this.dirty = true;
      },
      { passive: false },
    );
  }
}

// ---- A run -----------------------------------------------------------------------------
async function runPage(id) {
  main.className = 'run';
  main.innerHTML = `<div id="bar"></div><div id="canvasBox"><canvas id="graph"></canvas></div><div id="side"><div id="details" class="muted">Select a node or a step.</div><div id="logs"></div></div>`;
  let lastShape = '';
  let artifacts = [];
  let data,
    jobs = [],
    steps = [],
    logJob,
    logLabel;
  const view = new GraphView($('#graph'), (k) => select(k));
  window.__studio = { view, ready: false, runId: id };
  const bar = () => {
    const r = data.run;
    $('#bar').innerHTML = `<h1>Run ${r.id}</h1> ${stateChip(r.state)} <span>${esc(r.project)} / ${esc(r.pipeline)}</span>
      <span class="muted">${esc(r.trigger)}${r.sha ? ` · ${esc(r.sha.slice(0, 10))}` : ''} · attempt ${r.attempt}${r.startedAt ? ` · ${span(r.startedAt, r.endedAt)}` : ''}</span>
      <span id="jobs">${jobs.map((j) => `<span data-job="${esc(j.name)}" class="state s-${esc(j.state)}" title="${esc(j.detail ?? '')}">${esc(j.name)}</span>`).join(' ')}</span>
      ${r.state === 'queued' || r.state === 'running' ? '<button id="cancel">Cancel</button>' : ''}
      ${['failed', 'cancelled', 'interrupted'].includes(r.state) ? '<button id="retry">Retry failed jobs</button>' : ''}
      ${r.detail ? `<span class="muted">${esc(r.detail)}</span>` : ''}
      ${artifacts.map((a) => `<a class="artifact" href="/api/runs/${id}/artifacts/${a.path.split('/').map(encodeURIComponent).join('/')}${token() ? `?token=${encodeURIComponent(token())}` : ''}" download>${esc(a.path)}</a>`).join(' ')}`;
    for (const chip of document.querySelectorAll('#jobs [data-job]'))
      chip.addEventListener('click', () => window.__studio.selectJob(chip.dataset.job));
    $('#cancel')?.addEventListener('click', () => api(`/api/runs/${id}/cancel`, { method: 'POST' }).catch((e) => alert(e.message)));
    $('#retry')?.addEventListener('click', () =>
      api(`/api/runs/${id}/retry`, { method: 'POST', body: '{}' }).catch((e) => alert(e.message)),
    );
  };
  const load = async () => {
    data = await api(`/api/runs/${id}/graph`);
    const detail = await api(`/api/runs/${id}`);
    jobs = data.jobs;
    steps = detail.steps;
    const shape = jobs.map((j) => `${j.name}:${j.graph?.nodes.length ?? 0}`).join();
    view.setData(jobs, data.critical);
    if (!['queued', 'running'].includes(data.run.state)) artifacts = (await api(`/api/runs/${id}/artifacts`)).artifacts;
    if (shape !== lastShape && !view.moved) view.fit();
    lastShape = shape;
    bar();
  };
  const showLogs = async (job, label) => {
    logJob = job;
    logLabel = label;
    const q = new URLSearchParams({ job });
    if (label) q.set('label', label);
    const { lines } = await api(`/api/runs/${id}/logs?${q}`);
    $('#logs').innerHTML = '';
    for (const l of lines) appendLog(l);
  };
  const appendLog = (l) => {
    const div = document.createElement('div');
    div.className = l.level;
    div.textContent = `${l.time.slice(11, 23)} ${l.label}: ${l.message}`;
    const box = $('#logs');
    const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    box.append(div);
    if (atEnd) box.scrollTop = box.scrollHeight;
  };
  const jobDetails = (job) => {
    const js = steps.filter((s) => s.job === job.name);
    return `<h2>${esc(job.name)} ${stateChip(job.state)}</h2><div class="muted">${esc(job.detail ?? '')}</div>
      <div>needs: ${esc(job.needs.join(', ') || '—')} · attempt ${job.attempt}${job.startedAt ? ` · ${span(job.startedAt, job.endedAt)}` : ''}</div>
      ${['failed', 'cancelled', 'interrupted', 'skipped'].includes(job.state) && !['queued', 'running'].includes(data.run.state) ? `<button class="retry-job" data-job="${esc(job.name)}">Retry ${esc(job.name)}</button>` : ''}
      ${(job.graph?.diagnostics ?? []).map((d) => `<div class="diag">${esc(d.text)}</div>`).join('')}
      <div class="steps">${js.map((s) => `<div data-step="${esc(s.name)}">${stateChip(s.state)} ${esc(s.name)} <span class="muted">${esc(s.detail ?? '')} ${span(s.startedAt, s.endedAt)}</span></div>`).join('')}</div>`;
  };
  const bindDetails = () => {
    for (const b of document.querySelectorAll('.retry-job'))
      b.addEventListener('click', () =>
        api(`/api/runs/${id}/retry`, { method: 'POST', body: JSON.stringify({ job: b.dataset.job }) }).catch((e) => alert(e.message)),
      );
    for (const s of document.querySelectorAll('[data-step]')) s.addEventListener('click', () => showLogs(logJob, s.dataset.step));
  };
  const select = (k) => {
    if (k < 0) return;
    const node = view.nodes[k];
    const job = jobs[view.jobOf[k]] ?? view.boxes[view.jobOf[k]].job;
    const d = view.start[k] ? (view.end[k] || Date.now()) - view.start[k] : 0;
    $('#details').innerHTML =
      `<div><b>${esc(node.id)}</b> ${stateChip(view.state[k])}${view.critical[k] ? ' <span class="muted">critical path</span>' : ''}</div>
      <div class="muted">${esc(node.sub)} · ${esc(node.origin ?? '')}${d ? ` · ${duration(d)}` : ''}</div>${view.diag[k] ? `<div class="diag">${esc(view.diag[k].text)}</div>` : ''}<hr>${jobDetails(job)}`;
    bindDetails();
    void showLogs(job.name);
  };
  window.__studio.select = select;
  window.__studio.selectJob = (name) => {
    const job = jobs.find((j) => j.name === name);
    if (!job) return;
    $('#details').innerHTML = jobDetails(job);
    bindDetails();
    void showLogs(job.name);
  };
  let reloading = false;
  const reloadSoon = () => {
    if (reloading) return;
    reloading = true;
    setTimeout(async () => {
      reloading = false;
      await load();
    }, 50);
  };
  // Listen first, then load: nothing sent between the two is lost (a reopened stream reloads).
  listen(
    { run: id },
    {
      run: (e) => {
        if (data) data.run.state = e.state;
        reloadSoon();
      },
      job: (e) => {
        const j = jobs.find((x) => x.name === e.job);
        if (j) {
          j.state = e.state;
          j.detail = e.detail;
        }
        reloadSoon();
      },
      graph: reloadSoon,
      open: () => {
        if (data) reloadSoon();
      },
      nodes: (e) => {
        for (const [k, s, a, b] of e.nodes) view.setState(e.job, k, s, a, b);
      },
      step: (e) => {
        const s = steps.find((x) => x.job === e.job && x.name === e.name);
        if (s) Object.assign(s, e);
        else steps.push({ ...e });
      },
      log: (e) => {
        if (e.job === logJob && (!logLabel || e.label === logLabel)) appendLog(e);
      },
    },
  );
  try {
    await load();
  } catch (e) {
    main.innerHTML = `<div class="card error-box">${esc(e.message)}</div>`;
    return;
  }
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      window.__studio.ready = true;
      window.__studio.firstRender = performance.now();
    }),
  );
  const firstFailed = jobs.find((j) => j.state === 'failed') ?? jobs[0];
  if (firstFailed) window.__studio.selectJob(firstFailed.name);
}

// ---- A pipeline's check ----------------------------------------------------------------
async function checkPage(project, pipeline) {
  main.className = 'run';
  main.innerHTML = `<div id="bar"><h1>Check ${esc(project)} / ${esc(pipeline)}</h1><span class="muted">checking…</span></div><div id="canvasBox"><canvas id="graph"></canvas></div><div id="side"><div id="details"></div></div>`;
  const view = new GraphView($('#graph'), (k) => {
    if (k < 0) return;
    const n = view.nodes[k];
    $('#details').innerHTML =
      `<b>${esc(n.id)}</b><div class="muted">${esc(n.sub)} · ${esc(n.origin ?? '')}</div>${view.diag[k] ? `<div class="diag">${esc(view.diag[k].text)}</div>` : ''}`;
  });
  window.__studio = { view, ready: false };
  try {
    const r = await api(`/api/projects/${encodeURIComponent(project)}/pipelines/${encodeURIComponent(pipeline)}/check`);
    const jobs = r.jobs.map((j) => ({
      ...j,
      state: j.diagnostics.some((d) => d.severity === 'error') ? 'failed' : 'passed',
      graph: j.graph
        ? { ...j.graph, diagnostics: j.diagnostics, states: j.graph.nodes.map(() => ['waiting', 0, 0]) }
        : { nodes: [], edges: [], width: 760, height: 20 * Math.min(3, j.diagnostics.length), diagnostics: j.diagnostics },
    }));
    view.setData(jobs);
    view.fit();
    const problems = r.jobs.flatMap((j) => j.diagnostics.map((d) => ({ job: j.name, ...d })));
    $('#bar').innerHTML =
      `<h1>Check ${esc(project)} / ${esc(pipeline)}</h1><span class="muted">commit ${esc(r.sha.slice(0, 10))} · ${problems.length} problem(s)</span>`;
    $('#details').innerHTML =
      problems.length === 0
        ? '<div class="muted">No problems.</div>'
        : problems.map((d) => `<div><b>${esc(d.job)}</b></div><div class="diag">${esc(d.text)}</div>`).join('');
    window.__studio.ready = true;
  } catch (e) {
    $('#details').innerHTML = `<div class="error-box">${esc(e.message)}</div>`;
  }
}

function route() {
  const h = location.hash.slice(1) || '/';
  let m;
  if ((m = /^\/runs\/(\d+)$/.exec(h))) void runPage(Number(m[1]));
  else if ((m = /^\/check\/([^/]+)\/([^/]+)$/.exec(h))) void checkPage(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
  else void home();
}
window.addEventListener('hashchange', route);
route();
