// What the job-net draws of a GraphModel: every task, groups of tasks (by family, by depth, or by ranges of a
// parameter's values; opened one by one into their tasks or into smaller groups), or one task with its upstream
// and downstream to a depth. Failed tasks are drawn on their own while grouped, so they and what they blocked stay
// in sight. Pure functions of the model: no drawing here.
import { familyNodeId, groupState, taskNodeId } from './graphModel.js';

export const GROUP_TARGET = 50;        // groups per level at most (about 50 boxes lay out and read at a glance)
export const OPEN_TASKS_MAX = 2500;    // a group up to this size opens into its tasks; a bigger one into groups
export const PINNED_MAX = 50;          // failed tasks drawn on their own while grouped
export const FOCUS_MAX = 1500;         // tasks in a focus view at most
export const TASK_WIDTH = 180, TASK_HEIGHT = 28, GROUP_WIDTH = 230, GROUP_HEIGHT = 46, PINNED_HEIGHT = 40;

const MODE_NAMES = { family: 'family', depth: 'depth (levels of the graph)' };

/** How a mode reads in the page: `family`, `depth (levels of the graph)`, `parameter date`. */
export const modeName = mode => MODE_NAMES[mode] ?? (mode.startsWith('param:') ? `parameter ${mode.slice(6)}` : mode);

/**
 * Parameter names found on the model's tasks, in first-seen order; found once per model (its tasks' parameters never
 * change; every draw asks, for the tools' grouping choices).
 */
export function parameterNames(model) {
  if (model.parameterNames) return model.parameterNames;
  const names = new Set();
  for (const t of model.tasks) if (t?.parameters) for (const k in t.parameters) names.add(k);
  return model.parameterNames = [...names];
}

function byFamily(tasks) {
  const m = new Map();
  for (const t of tasks) {
    let l = m.get(t.family);
    if (!l) m.set(t.family, l = []);
    l.push(t);
  }
  return m;
}

/** Splits `tasks` by `mode` into groups `{ key, label, family, tasks }`; null when the mode does not split them. */
export function split(model, tasks, mode) {
  const families = byFamily(tasks);
  const perFamily = Math.max(1, Math.floor(GROUP_TARGET / families.size));
  const groups = [];
  if (mode === 'family') {
    for (const [family, list] of families) groups.push({ key: family, label: family, family, tasks: list });
  } else if (mode === 'depth') {
    const depth = model.depth();
    for (const [family, list] of families) {
      const [lo, hi] = levels(depth, list), size = bandSize(lo, hi, perFamily), bands = new Map();
      for (const t of list) {
        const b = Math.floor((depth[t.index] - lo) / size);
        let l = bands.get(b);
        if (!l) bands.set(b, l = []);
        l.push(t);
      }
      for (const b of [...bands.keys()].sort((x, y) => x - y)) {
        const from = lo + b * size, to = Math.min(hi, from + size - 1);
        groups.push({ key: `${family}\u0000${b}`, label: `${family} · ${from === to ? `level ${from}` : `levels ${from}–${to}`}`, family, tasks: bands.get(b) });
      }
    }
  } else if (mode.startsWith('param:')) {
    const name = mode.slice(6);
    for (const [family, list] of families) {
      const values = [...new Set(list.map(t => t.parameters?.[name]).filter(v => v != null))];
      const numeric = values.every(v => String(v).trim() !== '' && Number.isFinite(Number(v)));
      values.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const size = Math.max(1, Math.ceil(values.length / perFamily)), chunk = new Map(values.map((v, i) => [v, Math.floor(i / size)]));
      const chunks = new Map();
      for (const t of list) {
        const v = t.parameters?.[name], c = v == null ? -1 : chunk.get(v);
        let l = chunks.get(c);
        if (!l) chunks.set(c, l = []);
        l.push(t);
      }
      for (const c of [...chunks.keys()].sort((x, y) => x - y)) {
        const first = values[c * size], last = values[Math.min(values.length, (c + 1) * size) - 1];
        const label = c < 0 ? `${family} · no ${name}` : `${family} · ${name} ${first === last ? first : `${first} … ${last}`}`;
        groups.push({ key: `${family}\u0000${c}`, label, family, tasks: chunks.get(c) });
      }
    }
  } else {
    return null;
  }
  return groups.length > 1 ? groups : null;
}

/**
 * The grouping chosen for `tasks`: by family when they are of a few families; else by depth when they span several
 * levels (groups then follow the graph: edges run from one level band to the next); else by ranges of the parameter
 * with the most distinct values; `tasks` when nothing splits them.
 */
export function autoMode(model, tasks) {
  const families = new Set();
  for (const t of tasks) families.add(t.family);
  if (families.size >= 2 && families.size <= GROUP_TARGET) return 'family';
  // Whether split(…, 'depth') finds more than one group, known without splitting: more families than one, or one
  // family whose levels span more than one band.
  if (families.size >= 2 || (families.size === 1 && depthBands(model, tasks) > 1)) return 'depth';
  let best = null, most = 1;
  for (const name of parameterNames(model)) {
    const distinct = new Set(tasks.map(t => t.parameters?.[name])).size;
    if (distinct > most) { best = name; most = distinct; }
  }
  if (best) return `param:${best}`;
  return families.size >= 2 ? 'family' : 'tasks';
}

/** How many depth bands split(…, 'depth') makes of the tasks of one family. */
function depthBands(model, tasks) {
  const [lo, hi] = levels(model.depth(), tasks);
  return Math.floor((hi - lo) / bandSize(lo, hi, GROUP_TARGET)) + 1;
}

/** The lowest and highest depth of `tasks`. */
function levels(depth, tasks) {
  let lo = Infinity, hi = -Infinity;
  for (const t of tasks) { const d = depth[t.index]; if (d < lo) lo = d; if (d > hi) hi = d; }
  return [lo, hi];
}

/** How many levels a depth band of a family spans, for `bands` bands at most. */
const bandSize = (lo, hi, bands) => Math.ceil((hi - lo + 1) / bands);

/** `autoMode` with the groups it chose. */
function chooseSplit(model, tasks) {
  const mode = autoMode(model, tasks);
  return { mode, parts: mode === 'tasks' ? null : split(model, tasks, mode) };
}

function taskNode(t) { return { id: taskNodeId(t.index), width: TASK_WIDTH, height: TASK_HEIGHT, task: t }; }

function countsOf(tasks) {
  const counts = {};
  for (const t of tasks) counts[t.state] = (counts[t.state] ?? 0) + 1;
  return counts;
}

/**
 * The view of the whole graph. `grouped` false: every task. Otherwise grouped by `mode` ('auto' chooses), failed
 * tasks (up to PINNED_MAX) drawn on their own, and the groups whose id is in `opened` drawn as their tasks (or, above
 * OPEN_TASKS_MAX, as groups of them). Returns `{ nodes, edges, owner, ownerId, openedBy, groups, mode, pinned }`:
 * `ownerId(i)` is the id of the node drawing task i, `openedBy[i]` the opened group it was drawn from, `groups` the
 * group nodes by id (`{ label, size, counts, family }`).
 */
export function groupedView(model, { grouped, mode = 'auto', opened = new Set() }) {
  const owner = new Int32Array(model.tasks.length).fill(-1), openedBy = new Array(model.tasks.length);
  const nodes = [], groups = new Map(), pinned = [];
  const all = model.tasks.filter(Boolean);
  const used = !grouped ? 'tasks' : mode === 'auto' ? autoMode(model, all) : mode;
  if (used === 'tasks') {
    for (const t of all) { owner[t.index] = nodes.length; nodes.push(taskNode(t)); }
    return finish(model, nodes, owner, openedBy, groups, grouped ? 'tasks' : null, pinned);
  }
  let rest = all;
  const failed = all.filter(t => t.state === 'Failed');
  if (failed.length) {
    for (const t of failed.slice(0, PINNED_MAX)) {
      owner[t.index] = nodes.length;
      nodes.push({ id: taskNodeId(t.index), width: TASK_WIDTH, height: PINNED_HEIGHT, task: t, pinned: true });
      pinned.push(t.index);
    }
    const isPinned = new Set(pinned);
    rest = all.filter(t => !isPinned.has(t.index));
  }
  place(rest, used, '', null);
  return finish(model, nodes, owner, openedBy, groups, used, pinned);

  function place(tasks, how, prefix, openedFrom, found) {
    const parts = found ?? split(model, tasks, how);
    if (!parts) {
      for (const t of tasks) { owner[t.index] = nodes.length; nodes.push(taskNode(t)); openedBy[t.index] = openedFrom; }
      return;
    }
    for (const g of parts) {
      const id = !prefix && how === 'family' ? familyNodeId(g.family) : `g:${prefix}${how}:${g.key}`;
      if (opened.has(id)) {
        if (g.tasks.length <= OPEN_TASKS_MAX) {
          for (const t of g.tasks) { owner[t.index] = nodes.length; nodes.push(taskNode(t)); openedBy[t.index] = id; }
        } else {
          const inner = chooseSplit(model, g.tasks);
          place(g.tasks, inner.parts ? inner.mode : 'none', `${id}/`, id, inner.parts);
        }
        continue;
      }
      const at = nodes.length;
      nodes.push({ id, width: GROUP_WIDTH, height: GROUP_HEIGHT, group: true });
      groups.set(id, { label: g.label, size: g.tasks.length, counts: countsOf(g.tasks), family: g.family, parent: openedFrom });
      for (const t of g.tasks) owner[t.index] = at;
    }
  }
}

function finish(model, nodes, owner, openedBy, groups, mode, pinned) {
  const seen = new Set(), edges = [], m = nodes.length, from = model.edgeFrom, to = model.edgeTo;
  for (let e = 0; e < model.edgeCount; e++) {
    const s = owner[from[e]], t = owner[to[e]];
    if (s === t || s < 0 || t < 0) continue;
    const k = s * m + t;
    if (seen.has(k)) continue;
    seen.add(k);
    edges.push({ source: nodes[s].id, target: nodes[t].id });
  }
  return view(nodes, edges, owner, openedBy, groups, mode, pinned);
}

/** A view; `owner[i]` is the index in `nodes` of the node drawing task i (-1: none), `ownerId(i)` its id or null. */
function view(nodes, edges, owner, openedBy, groups, mode, pinned, extra = {}) {
  return { nodes, edges, owner, openedBy, groups, mode, pinned, ownerId: i => (owner[i] >= 0 ? nodes[owner[i]].id : null), ...extra };
}

/**
 * One task with its requirements and dependents up to `depth` steps each way (at most FOCUS_MAX tasks, the nearest
 * first), drawn task by task, with the edges between them. `truncated` says when some were left out.
 */
export function focusView(model, index, depth) {
  const { outStart, out, inStart, in: inn } = model.adjacency();
  const keep = new Set([index]), half = Math.floor(FOCUS_MAX / 2);
  let truncated = false;
  for (const [start, list] of [[inStart, inn], [outStart, out]]) {
    let ring = [index], added = 0;
    for (let d = 0; d < depth && ring.length; d++) {
      const next = [];
      for (const i of ring) {
        for (let k = start[i]; k < start[i + 1]; k++) {
          const j = list[k];
          if (keep.has(j)) continue;
          if (added >= half) { truncated = true; break; }
          keep.add(j);
          added++;
          next.push(j);
        }
      }
      ring = next;
    }
  }
  const owner = new Int32Array(model.tasks.length).fill(-1), nodes = [];
  for (const i of keep) { owner[i] = nodes.length; nodes.push(taskNode(model.tasks[i])); }
  const edges = [];
  for (const i of keep) {
    for (let k = outStart[i]; k < outStart[i + 1]; k++) if (keep.has(out[k])) edges.push({ source: taskNodeId(i), target: taskNodeId(out[k]) });
  }
  return view(nodes, edges, owner, new Array(model.tasks.length), new Map(), null, [], { focus: index, truncated });
}

/** The label of a group node: its name and size, then its counts by state. */
export function groupLabel(group, order) {
  const parts = order.filter(s => group.counts[s] > 0).map(s => `${group.counts[s].toLocaleString('en-US')} ${s}`);
  return `${group.label} ×${group.size.toLocaleString('en-US')}\n${parts.join(' · ')}`;
}

export { groupState };

/**
 * What a selection of node `id` lights in a view: the node, every node upstream and downstream of it, and the edges
 * leading into the upstream ones and out of the downstream ones (indexes in `view.edges`), as Cytoscape's
 * `predecessors()` and `successors()` would, but also for edges that are not Cytoscape elements (edgeLayer.js).
 */
export function lineage(view, id) {
  const adjacency = view.adjacency ??= adjacencyOf(view.edges);
  const nodes = new Set([id]), edges = new Set();
  for (const [links, end] of [[adjacency.into, 'source'], [adjacency.out, 'target']]) {
    const stack = [id], seen = new Set(stack);
    while (stack.length) {
      for (const i of links.get(stack.pop()) ?? []) {
        edges.add(i);
        const next = view.edges[i][end];
        if (!seen.has(next)) { seen.add(next); nodes.add(next); stack.push(next); }
      }
    }
  }
  return { nodes, edges };
}

function adjacencyOf(edges) {
  const into = new Map(), out = new Map();
  edges.forEach((e, i) => {
    let l = into.get(e.target);
    if (!l) into.set(e.target, l = []);
    l.push(i);
    if (!(l = out.get(e.source))) out.set(e.source, l = []);
    l.push(i);
  });
  return { into, out };
}
