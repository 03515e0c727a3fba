// The job-net's data: every task's state (whatever is drawn), its adjacency and depth, and what each failed task
// blocked. What is drawn of it (tasks, groups, a focus) is made by views.js.
import { order, supersedes } from './states.js';

// A group node takes the colour of the first state it has in this list.
export const STATE_PRIORITY = ['Failed', 'Running', 'RetryWaiting', 'UpstreamFailed', 'Cancelled', 'Pending', 'Done', 'Complete'];

export const taskNodeId = index => `t${index}`;
export const familyNodeId = family => `f:${family}`;

/** Family plus a short hint of the parameter values, e.g. `CleanOrders(2026-11-26)`. Plain text, drawn on canvas. */
export function taskLabel(task) {
  const values = task.parameters ? Object.values(task.parameters) : null;
  if (values && values.length) {
    let hint = values.map(String).join(', ');
    if (hint.length > 24) hint = hint.slice(0, 23) + '…';
    return `${task.family}(${hint})`;
  }
  return task.taskId.length > 34 ? task.taskId.slice(0, 33) + '…' : task.taskId;
}

/** What laying out and drawing a view costs, in the unit of `collapseCostAbove`: its nodes plus its edges. */
export const viewCost = view => view.nodes.length + view.edges.length;

/** The state a group of tasks is coloured by, from its counts by state. */
export const groupState = counts => STATE_PRIORITY.find(s => counts[s] > 0) ?? 'Pending';

/**
 * The tasks and edges of a run's graph read in columns (`GET /api/runs/{id}/graph`, RunGraphColumns), as the
 * `{ tasks, edges }` of a pipeline's preview.
 */
export function fromColumns(c) {
  const tasks = new Array(c.taskId.length), edges = new Array(c.edges.length / 2);
  for (let i = 0; i < tasks.length; i++) {
    const by = c.blockedBy[i];
    tasks[i] = {
      index: i, taskId: c.taskId[i], family: c.families[c.family[i]], parameters: c.parameters[i], state: c.states[c.taskState[i]],
      attemptCount: c.attempts[i], blockedBy: by >= 0 ? c.taskId[by] : null,
    };
  }
  for (let k = 0; k < edges.length; k++) edges[k] = { from: c.edges[2 * k], to: c.edges[2 * k + 1] };
  return { tasks, edges };
}

/** A task of the model; its label is made when it is first drawn (most tasks of a big run never are). */
class ModelTask {
  constructor(t, state) {
    this.index = t.index;
    this.taskId = t.taskId;
    this.family = t.family;
    this.parameters = t.parameters ?? null;
    this.state = state;
    this.order = order(t.attemptCount ?? 0, state);
    this.blockedBy = t.blockedBy ?? null;
    this._label = null;
  }

  get label() { return this._label ??= taskLabel(this); }
}

export class GraphModel {
  constructor(tasks, edges) {
    this.tasks = [];
    this.byId = new Map();
    this.families = new Map();
    this.blocked = new Map();     // failed task id -> how many tasks it blocked
    for (const t of tasks) {
      const state = t.state ?? 'Pending';
      const task = new ModelTask(t, state);
      this.tasks[t.index] = task;
      this.byId.set(t.taskId, task);
      let f = this.families.get(t.family);
      if (!f) this.families.set(t.family, f = { name: t.family, tasks: [], counts: {} });
      f.tasks.push(task);
      f.counts[state] = (f.counts[state] ?? 0) + 1;
      if (state === 'UpstreamFailed' && task.blockedBy) this.blocked.set(task.blockedBy, (this.blocked.get(task.blockedBy) ?? 0) + 1);
    }
    this.edges = edges.filter(e => this.tasks[e.from] && this.tasks[e.to]);
    this._adjacency = null;
    this._depth = null;
  }

  get size() { return this.byId.size; }

  /**
   * Applies a state if it supersedes the one held (states.js); returns `{ task, previous }` when it changed, and
   * counts the task as blocked by `blockedBy` when it becomes UpstreamFailed.
   */
  apply(index, attempt, state, blockedBy) {
    const task = this.tasks[index];
    if (!task) return null;
    if (!supersedes(task.state, task.order, attempt, state)) return null;
    task.order = Math.max(task.order, order(attempt, state));
    const previous = task.state;
    if (previous !== state) {
      const f = this.families.get(task.family);
      f.counts[previous]--;
      f.counts[state] = (f.counts[state] ?? 0) + 1;
      task.state = state;
      if (state === 'UpstreamFailed' && blockedBy) {
        task.blockedBy = blockedBy;
        this.blocked.set(blockedBy, (this.blocked.get(blockedBy) ?? 0) + 1);
      }
    }
    return { task, previous };
  }

  /** Requirements and dependents of every task as compact arrays (built once, on first use). */
  adjacency() {
    if (this._adjacency) return this._adjacency;
    const n = this.tasks.length, m = this.edges.length;
    const outStart = new Int32Array(n + 1), inStart = new Int32Array(n + 1), out = new Int32Array(m), inn = new Int32Array(m);
    for (const e of this.edges) { outStart[e.from + 1]++; inStart[e.to + 1]++; }
    for (let i = 0; i < n; i++) { outStart[i + 1] += outStart[i]; inStart[i + 1] += inStart[i]; }
    const o = outStart.slice(0, n), p = inStart.slice(0, n);
    for (const e of this.edges) { out[o[e.from]++] = e.to; inn[p[e.to]++] = e.from; }
    return this._adjacency = { outStart, out, inStart, in: inn };
  }

  /** Each task's depth: the longest chain of requirements below it (0 for a task that requires nothing). */
  depth() {
    if (this._depth) return this._depth;
    const { outStart, out, inStart } = this.adjacency();
    const n = this.tasks.length, depth = new Int32Array(n), waiting = new Int32Array(n), queue = new Int32Array(n);
    let head = 0, tail = 0;
    for (let i = 0; i < n; i++) {
      waiting[i] = inStart[i + 1] - inStart[i];
      if (waiting[i] === 0 && this.tasks[i]) queue[tail++] = i;
    }
    while (head < tail) {
      const i = queue[head++];
      for (let k = outStart[i]; k < outStart[i + 1]; k++) {
        const j = out[k];
        if (depth[i] + 1 > depth[j]) depth[j] = depth[i] + 1;
        if (--waiting[j] === 0) queue[tail++] = j;
      }
    }
    return this._depth = depth;    // a task on a cycle (never in a stored run) keeps the depth reached so far
  }
}
