// The timeline of a run: one lane per host and worker, one bar per attempt, drawn by an ECharts custom
// series on canvas (measured against vis-timeline at 5,000 attempts: docs/dashboard-client.md).
import * as echarts from 'echarts/core';
import { CustomChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { callDotNet, getJson, order, readColors, runUrl, supersedes } from './states.js';
import { watch } from './live.js';

echarts.use([CustomChart, DataZoomComponent, GridComponent, TooltipComponent, CanvasRenderer]);

const FLUSH_EVERY_MS = 250;       // at most four redraws a second while changes stream in, fewer when they are slow
const TICK_MS = 1000;             // running bars and waits grow to now

const laneName = (hostId, worker) => `${hostId ?? '?'} · worker ${worker ?? '?'}`;

// Above this many attempts in the visible time range, each lane is drawn as runs of equal time slices of a few
// pixels, coloured by the worst outcome in them (AGGREGATE_ORDER), instead of one bar per attempt.
const AGGREGATE_ABOVE = 3000;
const SLICE_PX = 3;
const AGGREGATE_ORDER = ['Failed', 'Running', 'Cancelled', 'UpstreamFailed', 'Done', 'Complete', 'Pending'];

/**
 * The attempts of `bars` between `from` and `to` as slices of `sliceMs` per lane, consecutive slices of the same
 * outcome merged: `[laneIndex, start, end, 2, outcome rank, attempts]` items. A slice takes the worst outcome of
 * the attempts that overlap it, so a failure stays visible however far out the view is.
 */
export function aggregate(bars, laneIndex, from, to, sliceMs, now) {
  const slices = new Map();      // lane -> Map(slice -> [rank, count])
  for (const b of bars) {
    const a = b.attempt, end = a.end ?? now;
    if (end < from || a.start > to) continue;
    const lane = laneIndex.get(a.lane);
    let m = slices.get(lane);
    if (!m) slices.set(lane, m = new Map());
    const rank = Math.max(0, AGGREGATE_ORDER.indexOf(a.outcome));
    const first = Math.floor((Math.max(a.start, from) - from) / sliceMs), last = Math.floor((Math.min(end, to) - from) / sliceMs);
    for (let k = first; k <= last; k++) {      // an attempt is counted in the first slice it is seen in
      const held = m.get(k), counted = k === first ? 1 : 0;
      if (!held) m.set(k, [rank, counted]);
      else { if (rank < held[0]) held[0] = rank; held[1] += counted; }
    }
  }
  const items = [];
  for (const [lane, m] of slices) {
    const keys = [...m.keys()].sort((x, y) => x - y);
    let i = 0;
    while (i < keys.length) {
      let j = i, count = m.get(keys[i])[1];
      const rank = m.get(keys[i])[0];
      while (j + 1 < keys.length && keys[j + 1] === keys[j] + 1 && m.get(keys[j + 1])[0] === rank) { j++; count += m.get(keys[j])[1]; }
      items.push([lane, from + keys[i] * sliceMs, from + (keys[j] + 1) * sliceMs, 2, rank, count]);
      i = j + 1;
    }
  }
  return items;
}

/** The run's attempts by task, kept with the order rule of the live changes. */
class TimelineModel {
  constructor() { this.tasks = new Map(); }

  /** Replaces a task's attempts from the store when its order is not below the one held. */
  load(t) {
    const held = this.tasks.get(t.index);
    const o = order(t.attemptCount, t.state);
    if (held && o < held.order) return false;
    this.tasks.set(t.index, {
      index: t.index, taskId: t.taskId, state: t.state, order: o,
      attempts: (t.attempts ?? []).map(a => ({
        number: a.number, lane: laneName(a.hostId, a.worker), start: Date.parse(a.startedAt),
        end: a.finishedAt ? Date.parse(a.finishedAt) : null, outcome: a.outcome, error: a.error,
      })),
    });
    return true;
  }

  /** Applies a LiveTaskChange when it supersedes what the task holds (states.js). */
  apply(c) {
    let task = this.tasks.get(c.taskIndex);
    if (!task) this.tasks.set(c.taskIndex, task = { index: c.taskIndex, taskId: c.taskId, state: 'Pending', order: 0, attempts: [] });
    if (!supersedes(task.state, task.order, c.attempt, c.state)) return false;
    task.order = Math.max(task.order, order(c.attempt, c.state));
    task.state = c.state;
    if (!c.attempt) return true;
    const at = Date.parse(c.at);
    let attempt = task.attempts.find(a => a.number === c.attempt);
    if (c.state === 'Running') {
      if (!attempt) task.attempts.push(attempt = { number: c.attempt, start: at, end: null, error: null });
      Object.assign(attempt, { lane: laneName(c.hostId, c.worker), start: at, end: null, outcome: 'Running' });
      task.attempts.sort((a, b) => a.number - b.number);
    } else if (c.state !== 'Pending') {
      if (!attempt) {
        task.attempts.push(attempt = { number: c.attempt, start: at, lane: laneName(c.hostId, c.worker), error: null });
        task.attempts.sort((a, b) => a.number - b.number);
      }
      if (attempt.end == null) {       // a closed attempt stays as it closed (a waiting task cancelled later)
        attempt.end = at;
        attempt.outcome = c.state === 'RetryWaiting' ? 'Failed' : c.state;
        if (c.errorSummary) attempt.error = c.errorSummary;
      }
    }
    return true;
  }

  /** Bars, waits between a failed attempt and the next one, and the sorted lanes. */
  build(now) {
    const bars = [], waits = [], laneSet = new Set();
    for (const task of this.tasks.values()) {
      const list = task.attempts;
      for (let i = 0; i < list.length; i++) {
        const a = list[i];
        laneSet.add(a.lane);
        bars.push({ task, attempt: a });
        if (a.outcome === 'Failed' && a.end != null) {
          const next = list[i + 1];
          if (next) waits.push({ task, lane: a.lane, start: a.end, end: next.start });
          else if (task.state === 'RetryWaiting') waits.push({ task, lane: a.lane, start: a.end, end: now });
        }
      }
    }
    const lanes = [...laneSet].sort((x, y) => x.localeCompare(y, undefined, { numeric: true }));
    return { bars, waits, lanes };
  }
}

function tooltipOf(bar) {
  const box = document.createElement('div');
  const line = text => { const d = document.createElement('div'); d.textContent = text; box.appendChild(d); };
  const a = bar.attempt;
  const end = a.end ?? Date.now();
  line(bar.task.taskId);
  line(`attempt ${a.number}: ${a.outcome}, ${((end - a.start) / 1000).toFixed(1)} s`);
  line(a.lane);
  if (a.error) line(String(a.error).split('\n')[0].slice(0, 200));
  return box;
}

/** Draws the attempts of run `options.runId` into `element`. Returns a handle; see docs/dashboard-client.md. */
export function mountTimeline(element, options = {}) {
  if (!options.runId) throw new Error('mountTimeline needs options.runId');
  const runId = String(options.runId).toLowerCase();
  const live = options.live !== false;
  const model = new TimelineModel();
  const media = window.matchMedia?.('(prefers-color-scheme: dark)');
  let colors = readColors(element);
  let chart = null, built = { bars: [], waits: [], lanes: [] }, loaded = false, disposed = false, aggregated = false, zoomTimer = 0;
  let stopWatching = null, flushTimer = 0, frame = 0, tick = 0, lastFlush = 0, flushEvery = FLUSH_EVERY_MS, lastChangeAt = 0;
  const early = [];

  element.dataset.ready = 'false';
  element.setAttribute('role', 'img');
  element.luigiTimeline = {
    bars: () => built.bars.length,
    bar: taskId => {
      for (const t of model.tasks.values()) {
        if (t.taskId !== taskId) continue;
        const a = t.attempts.at(-1);
        return a ? { state: a.outcome, lane: a.lane } : null;
      }
      return null;
    },
    get lastChangeAt() { return lastChangeAt; },
    /** Shows `start` to `end` percent of the run's time, as the slider would (for tests). */
    zoom: (start, end) => handle.zoom(start, end),
  };

  function renderItem(params, api) {
    const kind = api.value(3);
    const laneIndex = api.value(0);
    const s = api.coord([api.value(1), laneIndex]), e = api.coord([api.value(2), laneIndex]);
    const laneHeight = api.size([0, 1])[1];
    const cs = params.coordSys;
    const clip = { x: cs.x, y: cs.y, width: cs.width, height: cs.height };
    if (kind === 1) {
      const r = echarts.graphic.clipRectByRect({ x: s[0], y: s[1] - 1, width: Math.max(1, e[0] - s[0]), height: 2 }, clip);
      return r && { type: 'rect', shape: r, style: { fill: colors.RetryWaiting, opacity: 0.8 } };
    }
    const h = Math.max(2, Math.min(18, laneHeight * 0.6));
    if (kind === 2) {
      const r = echarts.graphic.clipRectByRect({ x: s[0], y: s[1] - h / 2, width: Math.max(1, e[0] - s[0]), height: h }, clip);
      return r && { type: 'rect', shape: r, style: { fill: colors[AGGREGATE_ORDER[api.value(4)]] ?? colors.Pending } };
    }
    const bar = built.bars[api.value(4)];
    const r = echarts.graphic.clipRectByRect({ x: s[0], y: s[1] - h / 2, width: Math.max(1, e[0] - s[0]), height: h }, clip);
    return r && { type: 'rect', shape: r, style: { fill: colors[bar.attempt.outcome] ?? colors.Pending } };
  }

  /** The visible time range and its width in pixels; before the chart has drawn, the whole run over the element. */
  function visible(now) {
    const axis = chart?.getModel()?.getComponent('xAxis')?.axis;
    if (axis) {
      const [from, to] = axis.scale.getExtent();
      const grid = chart.getModel().getComponent('grid')?.coordinateSystem?.getRect();
      return { from, to, width: Math.max(1, grid?.width ?? element.clientWidth) };
    }
    let from = Infinity, to = -Infinity;
    for (const b of built.bars) { from = Math.min(from, b.attempt.start); to = Math.max(to, b.attempt.end ?? now); }
    return from < to ? { from, to, width: Math.max(1, element.clientWidth - 224) } : null;
  }

  function seriesData(now) {
    const laneIndex = new Map(built.lanes.map((l, i) => [l, i]));
    const range = visible(now);
    if (range && built.bars.length > AGGREGATE_ABOVE) {
      let inView = 0;
      for (const b of built.bars) if ((b.attempt.end ?? now) >= range.from && b.attempt.start <= range.to) inView++;
      aggregated = inView > AGGREGATE_ABOVE;
      if (aggregated) return aggregate(built.bars, laneIndex, range.from, range.to, (range.to - range.from) / range.width * SLICE_PX, now);
    } else {
      aggregated = false;
    }
    const data = new Array(built.bars.length + built.waits.length);
    let i = 0;
    built.bars.forEach((b, n) => { data[i++] = [laneIndex.get(b.attempt.lane), b.attempt.start, b.attempt.end ?? now, 0, n]; });
    for (const w of built.waits) data[i++] = [laneIndex.get(w.lane), w.start, w.end ?? now, 1, -1];
    return data;
  }

  function option(now) {
    const axis = { color: colors.text };
    return {
      animation: false,
      grid: { left: 200, right: 24, top: 12, bottom: 56 },
      tooltip: {
        confine: true,
        formatter: p => p.value[3] === 0 ? tooltipOf(built.bars[p.value[4]])
          : p.value[3] === 2 ? `${p.value[5]} attempts, the worst ${AGGREGATE_ORDER[p.value[4]]}; zoom in to see them one by one` : '',
      },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter' },
        { type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', height: 18, bottom: 8, textStyle: axis },
        { type: 'inside', yAxisIndex: 0, filterMode: 'weakFilter', zoomOnMouseWheel: 'shift', moveOnMouseWheel: false },
      ],
      xAxis: { type: 'time', scale: true, axisLabel: axis, axisLine: { lineStyle: axis }, splitLine: { show: true, lineStyle: { opacity: 0.15 } } },
      yAxis: { type: 'category', data: built.lanes, inverse: true, axisLabel: { ...axis, width: 190, overflow: 'truncate' }, axisLine: { lineStyle: axis } },
      series: [{ type: 'custom', renderItem, encode: { x: [1, 2], y: 0 }, data: seriesData(now), clip: true }],
    };
  }

  function redraw() {
    if (!chart || disposed) return;
    const started = performance.now();
    const now = Date.now();
    built = model.build(now);
    chart.setOption({ yAxis: { data: built.lanes }, series: [{ data: seriesData(now) }] });
    element.dataset.bars = String(built.bars.length);
    element.dataset.aggregated = String(aggregated);
    element.dataset.lanes = String(built.lanes.length);
    element.setAttribute('aria-label', `Timeline of ${built.bars.length} attempts in ${built.lanes.length} lanes (host and worker)`);
    const growing = built.bars.some(b => b.attempt.end == null) || built.waits.some(w => w.task.state === 'RetryWaiting');
    clearInterval(tick);
    tick = growing ? setInterval(redraw, TICK_MS) : 0;
    lastFlush = performance.now();
    flushEvery = Math.max(FLUSH_EVERY_MS, 4 * (lastFlush - started));
  }

  function schedule() {
    if (!chart || frame || flushTimer) return;
    const wait = Math.max(0, flushEvery - (performance.now() - lastFlush));
    flushTimer = setTimeout(() => { flushTimer = 0; frame = requestAnimationFrame(() => { frame = 0; redraw(); }); }, wait);
  }

  function resync(detail) {
    if (!loaded) return;
    let changed = false;
    for (const t of detail.tasks) changed = model.load(t) || changed;
    if (changed) schedule();
  }

  async function load() {
    try {
      if (live) {
        const stop = await watch(runId, { tasks: changes => handle.applyChanges(changes), resync });
        if (disposed) { stop(); return; }
        stopWatching = stop;
      }
      const detail = await getJson(runUrl(runId));
      if (disposed) return;
      for (const t of detail.tasks) model.load(t);
      for (const c of early) model.apply(c);
      early.length = 0;
      loaded = true;
      const t0 = performance.now();
      const now = Date.now();
      built = model.build(now);
      chart = echarts.init(element, null, { renderer: 'canvas' });
      chart.setOption(option(now));
      chart.on('click', p => {
        if (p.value?.[3] === 0) callDotNet(options.dotnet, 'OnTaskSelected', built.bars[p.value[4]].task.index);
      });
      // A big run is drawn in slices when zoomed out: a zoom (or pan) asks for the slices of the new range, or the bars.
      chart.on('datazoom', () => {
        if (built.bars.length <= AGGREGATE_ABOVE || zoomTimer) return;
        zoomTimer = setTimeout(() => { zoomTimer = 0; redraw(); }, 50);
      });
      await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      if (disposed) return;
      redraw();
      Object.assign(element.dataset, { renderMs: String(Math.round(performance.now() - t0)), ready: 'true' });
    } catch (error) {
      if (disposed) return;
      element.dataset.ready = 'error';
      element.dataset.error = String(error?.message ?? error);
    }
  }

  const resize = new ResizeObserver(() => chart?.resize());
  resize.observe(element);
  const onScheme = () => { colors = readColors(element); if (chart) chart.setOption(option(Date.now()), { notMerge: true }); };
  media?.addEventListener?.('change', onScheme);

  const handle = {
    /** Applies LiveTaskChange objects; each only if its order is above the one its task holds. */
    applyChanges(changes) {
      if (disposed || !Array.isArray(changes)) return;
      let changed = false;
      for (const c of changes) {
        if (c.runId && String(c.runId).toLowerCase() !== runId) continue;
        if (!loaded) { early.push(c); continue; }
        changed = model.apply(c) || changed;
      }
      if (changed) { lastChangeAt = Date.now(); schedule(); }
    },
    fit() { chart?.dispatchAction({ type: 'dataZoom', start: 0, end: 100 }); },
    /** Shows the time range from `start` to `end` percent of the whole (as the slider does). */
    zoom(start, end) { chart?.dispatchAction({ type: 'dataZoom', dataZoomIndex: 0, start, end }); },
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(flushTimer);
      cancelAnimationFrame(frame);
      clearInterval(tick);
      clearTimeout(zoomTimer);
      resize.disconnect();
      media?.removeEventListener?.('change', onScheme);
      stopWatching?.();
      chart?.dispose();
      chart = null;
      delete element.luigiTimeline;
      element.removeAttribute('aria-label');
      for (const k of ['ready', 'bars', 'lanes', 'aggregated', 'renderMs', 'error']) delete element.dataset[k];
    },
  };

  load();
  return handle;
}
