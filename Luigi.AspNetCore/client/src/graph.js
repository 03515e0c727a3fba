// The job-net: a run's (or a pipeline's) dependency graph, drawn by Cytoscape.js on canvas from a layout made by
// elkjs in a worker (or, for big views or past elkjs's time budget, by layered.js). A big graph is drawn as groups
// (views.js) that open on click; a focus view shows one task's neighbourhood. Live changes restyle nodes and
// update the groups' counts; they never lay out again, except to draw a newly failed task on its own.
import cytoscape from 'cytoscape';
import { GraphModel, STATE_PRIORITY, groupState, taskNodeId, viewCost } from './graphModel.js';
import { createLayout } from './layout.js';
import { callDotNet, getJson, order, readColors, supersedes } from './states.js';
import { barStyle, style } from './graphStyle.js';
import { watch } from './live.js';
import { focusView, groupLabel, groupedView, lineage, modeName, parameterNames } from './views.js';
import { LAYER_EDGES_ABOVE, drawEdgesUnder } from './edgeLayer.js';
import { createToolbar } from './graphToolbar.js';

const layoutCache = new Map();   // per run or pipeline and view: node centres
const LAYOUT_CACHE_SIZE = 8;
const MAX_FIT_ZOOM = 1.25;     // a small graph is not blown up to fill the view
const REGROUP_AFTER_MS = 1500; // a task that fails while grouped is drawn on its own at the next regroup

function cacheKey(options) {
  return options.runId ? `run:${String(options.runId).toLowerCase()}` : `pipeline:${options.pipeline}?${JSON.stringify(options.parameters ?? {})}`;
}

function graphUrl(options) {
  if (options.runId) return `api/runs/${encodeURIComponent(options.runId)}/graph`;
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(options.parameters ?? {})) if (value != null) query.append(name, String(value));
  const q = query.toString();
  return `api/pipelines/${encodeURIComponent(options.pipeline)}/graph${q ? `?${q}` : ''}`;
}

/** Whether the whole graph would be slow to lay out and draw: then it opens grouped (docs/dashboard-client.md). */
function opensGrouped(model, { collapseAbove, collapseCostAbove }) {
  if (model.size > collapseAbove) return true;
  const whole = model.size + model.edgeCount;
  if (!(whole > collapseCostAbove)) return false;
  return viewCost(groupedView(model, { grouped: true })) * 2 <= whole;
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

  let model = null, cy = null, colors = readColors(element), view = null, edgeLayer = null;
  let grouped = false, mode = 'auto', opened = new Set(), focus = null, focusDepth = 2;
  let layoutEngine = null, disposed = false, stopWatching = null, frame = 0, flushTimer = 0, nextFlushAt = 0, selectedIndex = null;
  let lastChangeAt = 0, generation = 0, fitted = false, moved = false, regroupTimer = 0;
  const early = new Map();          // changes heard before the graph was read, by task index
  const dirty = new Set();          // node ids whose style or label needs refreshing

  element.dataset.ready = 'false';
  element.setAttribute('role', 'img');
  // Says what is drawn as groups, and how to see their tasks (above the canvas, no clicks).
  const note = document.createElement('p');
  note.className = 'graph-note';
  note.dataset.testid = 'graph-note';
  note.hidden = true;
  const toolbar = createToolbar({
    onMode: m => { if (!model) return; mode = m === 'tasks' ? mode : m; grouped = m !== 'tasks'; opened = new Set(); focus = null; redraw(); },
    onSearch: text => search(text),
    onFocus: () => { if (selectedIndex != null) enterFocus(selectedIndex); },
    onFocusDepth: d => { focusDepth = d; if (focus != null) { focus = { index: focus.index }; redraw(); } },
    onUnfocus: () => { if (focus != null) { focus = null; redraw(); } },
  });
  element.append(note, toolbar.element);
  element.luigiGraph = {
    state: taskId => model?.byId.get(taskId)?.state,
    nodes: () => model ? model.tasks.filter(Boolean).map(t => ({ taskId: t.taskId, index: t.index, family: t.family, state: t.state })) : [],
    edges: () => model ? model.edgeCount : 0,
    get lastChangeAt() { return lastChangeAt; },
    /** Where a drawn node (`t<index>`, `f:<family>`, `g:...`) is, in pixels from the element's top left; null if not drawn. */
    position: id => {
      const n = cy?.getElementById(id);
      return n?.nonempty() ? n.renderedPosition() : null;
    },
    /**
     * Whether the drawing stands still: drawn, at the element's size (a panel opening beside it narrows it and the
     * view fits itself again), and not moving to centre a selected task. Positions then hold until the user moves.
     */
    settled: () => !!cy && element.dataset.ready === 'true' && cy.width() === element.clientWidth && cy.height() === element.clientHeight && !cy.animated(),
    /** The groups drawn: `{ id, label, size, counts, state }`, biggest first. */
    groups: () => view ? [...view.groups].map(([id, g]) => ({ id, label: g.label, size: g.size, counts: { ...g.counts }, state: groupState(g.counts) }))
      .sort((a, b) => b.size - a.size) : [],
    /** The id of the node that draws task `index` (itself, its group), or null. */
    nodeOf: index => view?.ownerId(index) ?? null,
    /** Failed tasks drawn on their own while grouped, with how many tasks each blocked. */
    pinned: () => view ? view.pinned.map(i => ({ index: i, taskId: model.tasks[i].taskId, blocked: model.blocked.get(model.tasks[i].taskId) ?? 0 })) : [],
  };

  const onScheme = () => { colors = readColors(element); if (cy) { cy.style(style(colors, bigView())); paintGroups(); edgeLayer?.update(); } };
  media?.addEventListener?.('change', onScheme);
  // A view the user has not moved is fitted again when its size changes (a details panel opening beside it).
  const resize = new ResizeObserver(() => {
    if (!cy) return;
    cy.resize();
    if (!fitted || !moved) fitView();
  });
  resize.observe(element);

  const bigView = () => (view?.nodes.length ?? 0) > 1000;

  function describe() {
    const counts = {};
    for (const f of model.families.values()) for (const [s, n] of Object.entries(f.counts)) if (n) counts[s] = (counts[s] ?? 0) + n;
    const folded = view.groups.size ? `, drawn as ${view.groups.size} groups by ${modeName(view.mode)}` : '';
    const focused = view.focus != null ? `, showing ${view.nodes.length} around ${model.tasks[view.focus].taskId}` : '';
    element.setAttribute('aria-label', `Dependency graph of ${model.size} tasks${folded}${focused}: ${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')}`);
  }

  function showNote() {
    const tasks = model.size.toLocaleString('en-US'), edges = model.edgeCount.toLocaleString('en-US');
    if (view.focus != null) {
      note.hidden = false;
      note.textContent = `Focus on ${model.tasks[view.focus].taskId}: ${view.nodes.length.toLocaleString('en-US')} of ${tasks} tasks, `
        + `${focusDepth} step${focusDepth === 1 ? '' : 's'} upstream and downstream${view.truncated ? ' (the farthest left out)' : ''}. `
        + 'Double-click a task to focus on it.';
      return;
    }
    note.hidden = view.groups.size === 0;
    if (note.hidden) return;
    const all = !view.nodes.some(n => n.task && !n.pinned);
    const unit = view.mode === 'family' ? 'family' : 'group';
    const failed = view.pinned.length ? ` Failed tasks are drawn on their own (${view.pinned.length}).` : '';
    note.textContent = `${all ? 'Collapsed' : 'Partly collapsed'} by ${modeName(view.mode)}: ${tasks} tasks, ${edges} edges. `
      + `Click a ${unit} to show its tasks; double-click a task to fold it back.${failed}`;
  }

  function applyOne(c) {
    if (!model) {
      const held = early.get(c.taskIndex);
      if (!held || supersedes(held.state, order(held.attempt, held.state), c.attempt, c.state)) early.set(c.taskIndex, c);
      return;
    }
    const changed = model.apply(c.taskIndex, c.attempt, c.state, c.blockedBy);
    if (!changed) return;
    lastChangeAt = Date.now();
    const { task, previous } = changed;
    if (!view) return;
    const owner = view.ownerId(task.index);
    const group = owner && view.groups.get(owner);
    if (group && previous !== task.state) {
      group.counts[previous]--;
      group.counts[task.state] = (group.counts[task.state] ?? 0) + 1;
      if (task.state === 'Failed' && focus == null) scheduleRegroup();
    }
    if (owner) dirty.add(owner);
    if (task.state === 'UpstreamFailed' && task.blockedBy) {
      const blocker = model.byId.get(task.blockedBy);
      if (blocker && view.ownerId(blocker.index) === taskNodeId(blocker.index)) dirty.add(taskNodeId(blocker.index));
    }
  }

  function scheduleRegroup() {
    if (regroupTimer) return;
    regroupTimer = setTimeout(() => { regroupTimer = 0; if (!disposed && focus == null) redraw(); }, REGROUP_AFTER_MS);
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
    cy.batch(() => { for (const id of dirty) refreshNode(id); });
    dirty.clear();
    describe();
    cy.one('render', () => {
      const now = performance.now();
      nextFlushAt = now + Math.min(2000, now - started);
      schedule();
    });
  }

  function refreshNode(id) {
    const n = cy.getElementById(id);
    if (n.empty()) return;
    const group = view.groups.get(id);
    if (group) {
      n.data({ state: groupState(group.counts), label: groupLabel(group, STATE_PRIORITY) });
      n.style(barStyle(group.counts, colors));
      return;
    }
    const task = model.tasks[n.data('index')];
    n.data({ state: task.state, label: nodeLabel(task, n.hasClass('pinned')) });
  }

  function nodeLabel(task, pinned) {
    if (!pinned) return task.label;
    const blocked = model.blocked.get(task.taskId) ?? 0;
    return `${task.label}\n✕ failed, blocked ${blocked.toLocaleString('en-US')}`;
  }

  function paintGroups() {
    cy.batch(() => { for (const [id, g] of view.groups) cy.getElementById(id).style(barStyle(g.counts, colors)); });
  }

  function elementsOf(v, positions) {
    const els = [];
    for (const n of v.nodes) {
      const position = positions.get(n.id);
      if (n.group) {
        const g = v.groups.get(n.id);
        els.push({
          group: 'nodes', data: { id: n.id, group: true, family: g.family, width: n.width, height: n.height, textWidth: n.width - 12,
            state: groupState(g.counts), label: groupLabel(g, STATE_PRIORITY) }, position, classes: n.id.startsWith('f:') ? 'group family' : 'group',
        });
      } else {
        els.push({
          group: 'nodes', data: { id: n.id, index: n.task.index, width: n.width, height: n.height, textWidth: n.width - 10,
            state: n.task.state, label: nodeLabel(n.task, n.pinned) }, position, classes: n.pinned ? 'pinned' : '',
        });
      }
    }
    if (!underEdges(v)) v.edges.forEach((e, i) => els.push({ group: 'edges', data: { id: `e${i}`, source: e.source, target: e.target } }));
    return els;
  }

  /** Whether a view's edges are drawn on a layer under the nodes rather than as Cytoscape elements (edgeLayer.js). */
  function underEdges(v) { return v.edges.length > LAYER_EDGES_ABOVE; }

  function viewKey() {
    if (focus != null) return `focus:${focus.index}:${focusDepth}`;
    // Failed tasks are drawn on their own while grouped: a new failure is a new view.
    const failed = grouped ? [...model.families.values()].reduce((n, f) => n + (f.counts.Failed ?? 0), 0) : 0;
    return `${grouped ? mode : 'tasks'}|${[...opened].sort().join('\u0000')}|${failed}`;
  }

  async function draw() {
    const mine = ++generation;
    element.dataset.ready = 'false';
    const tv = performance.now();
    const next = focus != null ? focusView(model, focus.index, focusDepth) : groupedView(model, { grouped, mode, opened });
    element.dataset.viewMs = String(Math.round(performance.now() - tv));
    const k = `${key}|${viewKey()}`;
    const t0 = performance.now();
    let laid = layoutCache.get(k);
    if (!laid) {
      layoutEngine ??= createLayout();
      const ratio = element.clientWidth > 0 && element.clientHeight > 0 ? element.clientWidth / element.clientHeight : 1.6;
      laid = await layoutEngine.layout(next.nodes, next.edges, { wrapTo: next.groups.size ? ratio : null });
      if (disposed || mine !== generation) return;
      layoutCache.set(k, laid);
      if (layoutCache.size > LAYOUT_CACHE_SIZE) layoutCache.delete(layoutCache.keys().next().value);
    }
    const layoutMs = performance.now() - t0;
    // Changes heard during the layout moved the model on: count the groups again from it.
    for (const g of next.groups.values()) g.counts = {};
    if (next.groups.size) {
      const byNode = next.nodes.map(n => next.groups.get(n.id)), owner = next.owner;
      for (const t of model.tasks) {
        const g = t && owner[t.index] >= 0 ? byNode[owner[t.index]] : null;
        if (g) g.counts[t.state] = (g.counts[t.state] ?? 0) + 1;
      }
    }
    const t1 = performance.now();
    view = next;
    const big = view.nodes.length > 1000;
    const els = elementsOf(view, laid.positions);
    if (cy) cy.destroy();
    dirty.clear();
    cy = cytoscape({
      // The view is fitted once, by fitView below: a fit here too would measure every element twice.
      container: element, elements: els, layout: { name: 'preset', fit: false }, style: style(colors, big),
      minZoom: 0.02, maxZoom: 3, boxSelectionEnabled: false, autoungrabify: true, autounselectify: true,
      textureOnViewport: big, hideEdgesOnViewport: big,
    });
    element.append(note, toolbar.element);          // cy.destroy() empties the element
    edgeLayer = underEdges(view) ? drawEdgesUnder(cy, view.edges, laid.positions, () => colors.text) : null;
    paintGroups();
    showNote();
    toolbar.update({ mode: grouped ? mode : 'tasks', used: view.mode, params: parameterNames(model), focus: view.focus != null, canFocus: selectedIndex != null, focusDepth });
    fitView();
    cy.on('tap', 'node', e => onNodeTap(e.target));
    cy.on('tap', e => { if (e.target === cy) clearSelection(); });
    cy.on('dbltap', 'node', e => onNodeDoubleTap(e.target));
    cy.on('dragpan scrollzoom pinchzoom', () => { moved = true; });
    await new Promise(resolve => cy.one('render', () => requestAnimationFrame(resolve)));
    if (disposed || mine !== generation) return;
    if (selectedIndex != null) highlight(selectedIndex, false);
    describe();
    Object.assign(element.dataset, {
      nodes: String(view.nodes.length), edges: String(view.edges.length), tasks: String(model.size),
      collapsed: String(view.groups.size), groups: String(view.groups.size), mode: view.focus != null ? 'focus' : (view.mode ?? 'tasks'),
      pinned: String(view.pinned.length), layoutEngine: laid.by,
      layoutMs: String(Math.round(layoutMs)), renderMs: String(Math.round(performance.now() - t1)),
      ready: 'true',
    });
    if (view.focus != null) element.dataset.focus = String(view.focus); else delete element.dataset.focus;
  }

  function fitView() {
    moved = false;
    fitted = element.clientWidth > 0 && element.clientHeight > 0;
    if (!fitted) return;          // hidden (a tab not shown): fitted when it gets a size
    const top = Math.max(note.hidden ? 0 : note.offsetTop + note.offsetHeight, toolbar.element.offsetTop + toolbar.element.offsetHeight);
    cy.fit(undefined, 24 + top);   // clear of the note and the tools
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
    const id = view?.ownerId(index);
    if (!id || !cy) return null;
    const n = cy.getElementById(id);
    return n.nonempty() ? n : null;
  }

  function highlight(index, center) {
    const node = nodeOf(index);
    if (!node) return;
    const lit = lineage(view, node.id());
    cy.batch(() => {
      cy.elements().addClass('dim').removeClass('selected');
      for (const id of lit.nodes) cy.getElementById(id).removeClass('dim');
      if (!edgeLayer) for (const i of lit.edges) cy.getElementById(`e${i}`).removeClass('dim');
      node.addClass('selected');
    });
    edgeLayer?.light(lit.edges);
    if (center) cy.animate({ center: { eles: node }, duration: 200 });
  }

  function clearSelection() {
    selectedIndex = null;
    toolbar.update({ canFocus: false });
    cy?.batch(() => cy.elements().removeClass('dim selected'));
    edgeLayer?.light(null);
  }

  function choose(index, center) {
    selectedIndex = index;
    toolbar.update({ canFocus: true });
    highlight(index, center);
    callDotNet(options.dotnet, 'OnTaskSelected', index);
  }

  function onNodeTap(node) {
    if (node.data('group')) {
      opened.add(node.id());
      redraw();
      return;
    }
    choose(node.data('index'), false);
  }

  function onNodeDoubleTap(node) {
    const index = node.data('index');
    if (index == null) return;
    if (focus != null) { enterFocus(index); return; }
    const from = view.openedBy[index];
    if (!from) return;
    opened.delete(from);
    for (const id of [...opened]) if (id.includes(`${from}/`)) opened.delete(id);
    redraw();
  }

  function enterFocus(index) {
    if (!model?.tasks[index]) return null;
    focus = { index };
    selectedIndex = index;
    return redraw();
  }

  let matches = [], matchText = null, matchAt = -1;
  function search(text) {
    if (!model) return null;
    const q = String(text ?? '').trim();
    if (!q) { toolbar.found(''); return null; }
    if (q !== matchText) {
      matchText = q;
      matchAt = -1;
      const exact = model.byId.get(q), lower = q.toLowerCase();
      matches = model.tasks.filter(t => t && t !== exact && t.taskId.toLowerCase().includes(lower)).map(t => t.index);
      if (exact) matches.unshift(exact.index);
    }
    if (!matches.length) { toolbar.found(`No task id contains “${q}”`); element.dataset.searchFound = '0'; return null; }
    matchAt = (matchAt + 1) % matches.length;
    const index = matches[matchAt];
    toolbar.found(`${model.tasks[index].taskId} (${matchAt + 1} of ${matches.length.toLocaleString('en-US')})`);
    element.dataset.searchFound = String(matches.length);
    callDotNet(options.dotnet, 'OnTaskSelected', index);
    return enterFocus(index);
  }

  function resync(detail) {
    if (!model) return;
    for (const t of detail.tasks) applyOne({ taskIndex: t.index, attempt: t.attemptCount, state: t.state, blockedBy: t.blockedBy });
    schedule();
  }

  async function load() {
    try {
      if (live) {
        const stop = await watch(runId, { tasks: changes => handle.applyChanges(changes), resync });
        if (disposed) { stop(); return; }
        stopWatching = stop;
      }
      const t0 = performance.now();
      const data = await getJson(graphUrl(options));
      if (disposed) return;
      const t1 = performance.now();
      model = data.taskId ? GraphModel.fromColumns(data) : new GraphModel(data.tasks, data.edges);
      grouped = opensGrouped(model, limits);
      Object.assign(element.dataset, { readMs: String(Math.round(t1 - t0)), modelMs: String(Math.round(performance.now() - t1)) });
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
    /** Highlights a task with its upstream and downstream and centres it (its group, when grouped; no OnTaskSelected call). */
    select(index) {
      if (index == null) { clearSelection(); return; }
      selectedIndex = index;
      toolbar.update({ canFocus: true });
      highlight(index, true);
    },
    fit() { if (cy) fitView(); },
    /** Opens a group (a family's name, or a drawn group's id) into its tasks, or into smaller groups when big. */
    expand(group) {
      if (!model || !view) return;
      const id = view.groups.has(group) ? group : `f:${group}`;
      if (!view.groups.has(id)) return;
      opened.add(id);
      return redraw();
    },
    /** Closes one opened group (a family's name or a group's id), or draws the whole graph grouped when none is given. */
    collapse(group) {
      if (!model) return;
      if (group == null) { grouped = true; opened = new Set(); focus = null; return redraw(); }
      const id = opened.has(group) ? group : `f:${group}`;
      if (!opened.delete(id)) return;
      return redraw();
    },
    /** Groups by `mode`: 'auto', 'family', 'depth', 'param:<name>', or 'tasks' (every task). */
    group(m) { if (!model) return; grouped = m !== 'tasks'; if (grouped) mode = m; opened = new Set(); focus = null; return redraw(); },
    /** Shows task `index` with its upstream and downstream to `depth` steps (default: the toolbar's, 2). */
    focus(index, depth) { if (depth) focusDepth = depth; return enterFocus(index); },
    /** Leaves the focus view. */
    unfocus() { if (focus == null) return; focus = null; return redraw(); },
    /** Finds a task by id (exact, else containing the text, ignoring case) and focuses on it; again for the next match. */
    search(text) { return search(text); },
    dispose() {
      if (disposed) return;
      disposed = true;
      cancelAnimationFrame(frame);
      clearTimeout(flushTimer);
      clearTimeout(regroupTimer);
      media?.removeEventListener?.('change', onScheme);
      resize.disconnect();
      stopWatching?.();
      layoutEngine?.dispose();
      cy?.destroy();
      cy = null;
      edgeLayer = null;
      note.remove();
      toolbar.element.remove();
      delete element.luigiGraph;
      element.removeAttribute('aria-label');
      for (const k of ['ready', 'nodes', 'edges', 'tasks', 'collapsed', 'groups', 'mode', 'pinned', 'layoutEngine', 'focus', 'searchFound', 'readMs', 'modelMs', 'viewMs',
        'layoutMs', 'renderMs', 'error']) delete element.dataset[k];
    },
  };

  load();
  return handle;
}
