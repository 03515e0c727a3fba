// The job-net: a run's (or a pipeline's) dependency graph, laid out left to right by elkjs in a worker and
// drawn by Cytoscape.js on canvas. Live changes restyle nodes; they never lay out again.
import cytoscape from 'cytoscape';
import { GraphModel, familyNodeId, taskNodeId } from './graphModel.js';
import { createLayout } from './layout.js';
import { STATES, callDotNet, getJson, order, readColors, runUrl, supersedes } from './states.js';
import { watch } from './live.js';

const layoutCache = new Map();   // per run or pipeline and set of collapsed families: node centres
const LAYOUT_CACHE_SIZE = 8;
const MAX_FIT_ZOOM = 1.25;     // a small graph is not blown up to fill the view

function style(colors) {
  const s = [
    {
      selector: 'node', style: {
        shape: 'round-rectangle', width: 'data(width)', height: 'data(height)', label: 'data(label)',
        'font-size': 11, 'text-valign': 'center', 'text-halign': 'center', 'text-wrap': 'ellipsis',
        'text-max-width': 'data(textWidth)', 'min-zoomed-font-size': 7, 'border-width': 0,
        'background-color': colors.Pending, color: colors.labelOn.Pending,
      },
    },
    { selector: 'node.family', style: { 'text-wrap': 'wrap', 'border-width': 2, 'border-style': 'double', 'border-color': colors.text } },
    {
      selector: 'edge', style: {
        width: 1, 'curve-style': 'straight', 'line-color': colors.text, 'line-opacity': 0.35,
        'target-arrow-shape': 'triangle', 'target-arrow-color': colors.text, 'arrow-scale': 0.8,
      },
    },
    { selector: '.dim', style: { opacity: 0.15 } },
    { selector: 'node.selected', style: { 'border-width': 3, 'border-color': colors.text, 'border-style': 'solid' } },
  ];
  for (const state of STATES) {
    s.splice(2, 0, { selector: `node[state = "${state}"]`, style: { 'background-color': colors[state], color: colors.labelOn[state] } });
  }
  return s;
}

function cacheKey(options) {
  return options.runId ? `run:${String(options.runId).toLowerCase()}` : `pipeline:${options.pipeline}?${JSON.stringify(options.parameters ?? {})}`;
}

function graphUrl(options) {
  if (options.runId) return runUrl(options.runId);
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(options.parameters ?? {})) if (value != null) query.append(name, String(value));
  const q = query.toString();
  return `/api/pipelines/${encodeURIComponent(options.pipeline)}/graph${q ? `?${q}` : ''}`;
}

/**
 * Draws the graph of a run (`options.runId`) or of a pipeline before it runs (`options.pipeline`,
 * `options.parameters`) into `element`. Returns a handle; see docs/dashboard-client.md.
 */
export function mountGraph(element, options = {}) {
  if (!options.runId && !options.pipeline) throw new Error('mountGraph needs options.runId or options.pipeline');
  const limits = { collapseAbove: options.collapseAbove ?? 2000, collapseCostAbove: options.collapseCostAbove ?? 400 };
  const live = options.runId ? options.live !== false : false;
  const runId = options.runId ? String(options.runId).toLowerCase() : null;
  const key = cacheKey(options);
  const media = window.matchMedia?.('(prefers-color-scheme: dark)');

  let model = null, cy = null, colors = readColors(element), collapsed = new Set();
  let layoutEngine = null, disposed = false, stopWatching = null, frame = 0, flushTimer = 0, nextFlushAt = 0, selectedIndex = null;
  let lastChangeAt = 0, generation = 0, fitted = false, foldable = false;
  const early = new Map();          // changes heard before the graph was read, by task index
  const dirty = new Set();          // task indexes whose node needs restyling

  element.dataset.ready = 'false';
  element.setAttribute('role', 'img');
  // Says when families are drawn as one node each, and how to see their tasks (above the canvas, no clicks).
  const note = document.createElement('p');
  note.className = 'graph-note';
  note.dataset.testid = 'graph-note';
  note.hidden = true;
  element.append(note);
  element.luigiGraph = {
    state: taskId => model?.byId.get(taskId)?.state,
    nodes: () => model ? model.tasks.filter(Boolean).map(t => ({ taskId: t.taskId, index: t.index, family: t.family, state: t.state })) : [],
    edges: () => model ? model.edges.length : 0,
    get lastChangeAt() { return lastChangeAt; },
    /** Where a drawn node (`t<index>` or `f:<family>`) is, in pixels from the element's top left; null if not drawn. */
    position: id => {
      const n = cy?.getElementById(id);
      return n?.nonempty() ? n.renderedPosition() : null;
    },
  };

  const onScheme = () => { colors = readColors(element); cy?.style(style(colors)); };
  media?.addEventListener?.('change', onScheme);
  const resize = new ResizeObserver(() => {
    if (!cy) return;
    cy.resize();
    if (!fitted) fitView();
  });
  resize.observe(element);

  function describe() {
    const counts = {};
    for (const f of model.families.values()) for (const [s, n] of Object.entries(f.counts)) if (n) counts[s] = (counts[s] ?? 0) + n;
    const folded = collapsed.size ? `, ${collapsed.size} of ${model.families.size} families drawn as one node each` : '';
    element.setAttribute('aria-label', `Dependency graph of ${model.size} tasks${folded}: ${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')}`);
  }

  function showNote() {
    note.hidden = collapsed.size === 0;
    if (note.hidden) return;
    const all = collapsed.size === model.families.size;
    note.textContent = `${all ? 'Collapsed' : 'Partly collapsed'} by family: ${model.size.toLocaleString('en-US')} tasks, `
      + `${model.edges.length.toLocaleString('en-US')} edges. Click a family to show its tasks; double-click a task to fold it back.`;
  }

  function applyOne(c) {
    if (!model) {
      const held = early.get(c.taskIndex);
      if (!held || supersedes(held.state, order(held.attempt, held.state), c.attempt, c.state)) early.set(c.taskIndex, c);
      return;
    }
    if (model.apply(c.taskIndex, c.attempt, c.state)) {
      lastChangeAt = Date.now();
      dirty.add(c.taskIndex);
    }
  }

  // Restyling is batched into one animation frame, and the next batch waits as long as the last one took to
  // draw, so that a stream of changes leaves the page at least half of its time whatever the graph's size.
  function schedule() {
    if (frame || flushTimer || !dirty.size || !cy) return;
    const wait = nextFlushAt - performance.now();
    if (wait > 0) flushTimer = setTimeout(() => { flushTimer = 0; frame = requestAnimationFrame(flush); }, wait);
    else frame = requestAnimationFrame(flush);
  }

  function flush() {
    frame = 0;
    if (!cy || disposed) return;
    const started = performance.now();
    nextFlushAt = started + 100;
    const families = new Set();
    cy.batch(() => {
      for (const index of dirty) {
        const task = model.tasks[index];
        if (collapsed.has(task.family)) { families.add(task.family); continue; }
        cy.getElementById(taskNodeId(index)).data('state', task.state);
      }
      for (const f of families) {
        cy.getElementById(familyNodeId(f)).data({ state: model.familyState(f), label: model.familyLabel(f) });
      }
    });
    dirty.clear();
    describe();
    cy.one('render', () => {
      const now = performance.now();
      nextFlushAt = now + Math.min(2000, now - started);
      schedule();
    });
  }

  function elementsOf(view, positions) {
    const els = [];
    for (const n of view.nodes) {
      const position = positions.get(n.id);
      if (n.family) {
        els.push({
          group: 'nodes', data: { id: n.id, family: n.family, width: n.width, height: n.height, textWidth: n.width - 12,
            state: model.familyState(n.family), label: model.familyLabel(n.family) }, position, classes: 'family',
        });
      } else {
        els.push({
          group: 'nodes', data: { id: n.id, index: n.task.index, width: n.width, height: n.height, textWidth: n.width - 10,
            state: n.task.state, label: n.task.label }, position,
        });
      }
    }
    view.edges.forEach((e, i) => els.push({ group: 'edges', data: { id: `e${i}`, source: e.source, target: e.target } }));
    return els;
  }

  async function draw() {
    const mine = ++generation;
    element.dataset.ready = 'false';
    const view = model.view(collapsed);
    const k = `${key}|${[...collapsed].sort().join('\u0000')}`;
    const t0 = performance.now();
    let positions = layoutCache.get(k);
    if (!positions) {
      layoutEngine ??= createLayout();
      positions = await layoutEngine.layout(view.nodes, view.edges);
      if (disposed || mine !== generation) return;
      layoutCache.set(k, positions);
      if (layoutCache.size > LAYOUT_CACHE_SIZE) layoutCache.delete(layoutCache.keys().next().value);
    }
    const layoutMs = performance.now() - t0;
    const t1 = performance.now();
    const big = view.nodes.length > 1000;
    const els = elementsOf(view, positions);
    if (cy) cy.destroy();
    dirty.clear();
    cy = cytoscape({
      container: element, elements: els, layout: { name: 'preset' }, style: style(colors),
      minZoom: 0.02, maxZoom: 3, boxSelectionEnabled: false, autoungrabify: true, autounselectify: true,
      textureOnViewport: big, hideEdgesOnViewport: big,
    });
    element.append(note);          // cy.destroy() empties the element
    showNote();
    fitView();
    cy.on('tap', 'node', e => onNodeTap(e.target));
    cy.on('tap', e => { if (e.target === cy) clearSelection(); });
    cy.on('dbltap', 'node', e => {
      const index = e.target.data('index');
      if (index == null || !foldable) return;
      collapsed.add(model.tasks[index].family);
      redraw();
    });
    await new Promise(resolve => cy.one('render', () => requestAnimationFrame(resolve)));
    if (disposed || mine !== generation) return;
    if (selectedIndex != null) highlight(selectedIndex, false);
    describe();
    Object.assign(element.dataset, {
      nodes: String(view.nodes.length), edges: String(view.edges.length), tasks: String(model.size),
      collapsed: String(collapsed.size), layoutMs: String(Math.round(layoutMs)), renderMs: String(Math.round(performance.now() - t1)),
      ready: 'true',
    });
  }

  function fitView() {
    fitted = element.clientWidth > 0 && element.clientHeight > 0;
    if (!fitted) return;          // hidden (a tab not shown): fitted when it gets a size
    cy.fit(undefined, note.hidden ? 24 : 24 + note.offsetHeight);   // clear of the note
    if (cy.zoom() > MAX_FIT_ZOOM) { cy.zoom(MAX_FIT_ZOOM); cy.center(); }
  }

  function redraw() {
    return draw().catch(error => {
      if (disposed) return;
      element.dataset.ready = 'error';
      element.dataset.error = String(error?.message ?? error);
    });
  }

  function nodeOf(index) {
    const task = model?.tasks[index];
    if (!task || !cy) return null;
    const n = cy.getElementById(collapsed.has(task.family) ? familyNodeId(task.family) : taskNodeId(index));
    return n.nonempty() ? n : null;
  }

  function highlight(index, center) {
    const node = nodeOf(index);
    if (!node) return;
    cy.batch(() => {
      cy.elements().addClass('dim').removeClass('selected');
      node.predecessors().union(node.successors()).union(node).removeClass('dim');
      node.addClass('selected');
    });
    if (center) cy.animate({ center: { eles: node }, duration: 200 });
  }

  function clearSelection() {
    selectedIndex = null;
    cy?.batch(() => cy.elements().removeClass('dim selected'));
  }

  function onNodeTap(node) {
    const family = node.data('family');
    if (family) {
      collapsed.delete(family);
      redraw();
      return;
    }
    selectedIndex = node.data('index');
    highlight(selectedIndex, false);
    callDotNet(options.dotnet, 'OnTaskSelected', selectedIndex);
  }

  function resync(detail) {
    if (!model) return;
    for (const t of detail.tasks) applyOne({ taskIndex: t.index, attempt: t.attemptCount, state: t.state });
    schedule();
  }

  async function load() {
    try {
      if (live) {
        const stop = await watch(runId, { tasks: changes => handle.applyChanges(changes), resync });
        if (disposed) { stop(); return; }
        stopWatching = stop;
      }
      const data = await getJson(graphUrl(options));
      if (disposed) return;
      model = new GraphModel(data.tasks, data.edges);
      if (model.opensCollapsed(limits)) {
        collapsed = new Set(model.families.keys());
        foldable = true;
      }
      for (const c of early.values()) applyOne(c);
      early.clear();
      await draw();
      schedule();
    } catch (error) {
      if (disposed) return;
      element.dataset.ready = 'error';
      element.dataset.error = String(error?.message ?? error);
    }
  }

  const handle = {
    /** Applies LiveTaskChange objects; each only if its order is above the one its task holds. */
    applyChanges(changes) {
      if (disposed || !Array.isArray(changes)) return;
      for (const c of changes) {
        if (runId && c.runId && String(c.runId).toLowerCase() !== runId) continue;
        applyOne(c);
      }
      schedule();
    },
    /** Highlights a task with its upstream and downstream and centres it (no OnTaskSelected call). */
    select(index) {
      if (index == null) { clearSelection(); return; }
      selectedIndex = index;
      highlight(index, true);
    },
    fit() { if (cy) fitView(); },
    /** Draws one family's tasks one by one (in a graph collapsed by family). */
    expand(family) { if (model && collapsed.delete(family)) return redraw(); },
    /** Draws one family, or every family when none is given, as one node. */
    collapse(family) {
      if (!model) return;
      foldable = true;
      if (family == null) collapsed = new Set(model.families.keys());
      else if (model.families.has(family)) collapsed.add(family);
      return redraw();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      cancelAnimationFrame(frame);
      clearTimeout(flushTimer);
      media?.removeEventListener?.('change', onScheme);
      resize.disconnect();
      stopWatching?.();
      layoutEngine?.dispose();
      cy?.destroy();
      cy = null;
      note.remove();
      delete element.luigiGraph;
      element.removeAttribute('aria-label');
      for (const k of ['ready', 'nodes', 'edges', 'tasks', 'collapsed', 'layoutMs', 'renderMs', 'error']) delete element.dataset[k];
    },
  };

  load();
  return handle;
}
