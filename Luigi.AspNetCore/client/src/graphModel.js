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

/** A task of the model; its label is made when it is first drawn (most tasks of a big run never are). */
class ModelTask {
  constructor(index, taskId, family, parameters, state, attemptCount, blockedBy) {
    this.index = index;
    this.taskId = taskId;
    this.family = family;
    this.parameters = parameters ?? null;
    this.state = state;
    this.order = order(attemptCount ?? 0, state);
    this.blockedBy = blockedBy ?? null;
    this._label = null;
  }

  get label() { return this._label ??= taskLabel(this); }
}

/**
 * The tasks of a graph by index, their families with counts by state, what each failed task blocked, and the edges as
 * two arrays of task indexes (requirement, dependent): a run of 100,000 tasks and 300,000 edges makes no object per
 * edge. Made from a run's graph in columns (`GraphModel.fromColumns`) or from a pipeline preview's `{ tasks, edges }`.
 */
export class GraphModel {
  constructor(tasks = [], edges = []) {
    this._start();
    for (const t of tasks) this._add(t.index, t.taskId, t.family, t.parameters, t.state, t.attemptCount, t.blockedBy);
    const pairs = new Int32Array(edges.length * 2);
    edges.forEach((e, k) => { pairs[2 * k] = e.from; pairs[2 * k + 1] = e.to; });
    this._finish(pairs);
  }

  /** The model of `GET /api/runs/{id}/graph` (RunGraphColumns), read straight from its columns. */
  static fromColumns(c) {
    const model = Object.create(GraphModel.prototype);
    model._start();
    const { taskId, families, family, states, taskState, parameters, attempts, blockedBy } = c;
    for (let i = 0; i < taskId.length; i++) {
      const by = blockedBy[i];
      model._add(i, taskId[i], families[family[i]], parameters[i], states[taskState[i]], attempts[i], by >= 0 ? taskId[by] : null);
    }
    model._finish(c.edges);
    return model;
  }

  _start() {
    this.tasks = [];
    this.families = new Map();
    this.blocked = new Map();     // failed task id -> how many tasks it blocked
    this.size = 0;
    this._byId = null;
    this._adjacency = null;
    this._depth = null;
  }

  _add(index, taskId, family, parameters, state, attemptCount, blockedBy) {
    state ??= 'Pending';
    const task = new ModelTask(index, taskId, family, parameters, state, attemptCount, blockedBy);
    if (!this.tasks[index]) this.size++;
    this.tasks[index] = task;
    let f = this.families.get(family);
    if (!f) this.families.set(family, f = { name: family, tasks: [], counts: {} });
    f.tasks.push(task);
    f.counts[state] = (f.counts[state] ?? 0) + 1;
    if (state === 'UpstreamFailed' && task.blockedBy) this.blocked.set(task.blockedBy, (this.blocked.get(task.blockedBy) ?? 0) + 1);
  }

  /** Keeps the edges (flat requirement, dependent pairs) whose both tasks are known. */
  _finish(pairs) {
    const m = pairs.length >> 1, from = new Int32Array(m), to = new Int32Array(m);
    let k = 0;
    for (let e = 0; e < m; e++) {
      const a = pairs[2 * e], b = pairs[2 * e + 1];
      if (!this.tasks[a] || !this.tasks[b]) continue;
      from[k] = a;
      to[k++] = b;
    }
    this.edgeFrom = k === m ? from : from.slice(0, k);
    this.edgeTo = k === m ? to : to.slice(0, k);
    this.edgeCount = k;
  }

  /** The tasks by id (made on first use: the grouped first view of a big run needs none). */
  get byId() {
    if (!this._byId) {
      this._byId = new Map();
      for (const t of this.tasks) if (t) this._byId.set(t.taskId, t);
    }
    return this._byId;
  }


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
    const n = this.tasks.length, m = this.edgeCount, from = this.edgeFrom, to = this.edgeTo;
    const outStart = new Int32Array(n + 1), inStart = new Int32Array(n + 1), out = new Int32Array(m), inn = new Int32Array(m);
    for (let e = 0; e < m; e++) { outStart[from[e] + 1]++; inStart[to[e] + 1]++; }
    for (let i = 0; i < n; i++) { outStart[i + 1] += outStart[i]; inStart[i + 1] += inStart[i]; }
    const o = outStart.slice(0, n), p = inStart.slice(0, n);
    for (let e = 0; e < m; e++) { out[o[from[e]]++] = to[e]; inn[p[to[e]]++] = from[e]; }
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
