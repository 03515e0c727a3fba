// The job-net's data: every task's state (whatever is drawn), and the view drawn from it, with families
// collapsed into one node each when the graph would be slow to lay out.
import { order, supersedes } from './states.js';

const TASK_WIDTH = 180, TASK_HEIGHT = 28, FAMILY_WIDTH = 210, FAMILY_HEIGHT = 44;

// A family node takes the colour of the first state it has in this list.
const FAMILY_STATE_PRIORITY = ['Failed', 'Running', 'RetryWaiting', 'UpstreamFailed', 'Cancelled', 'Pending', 'Done', 'Complete'];

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

export class GraphModel {
  constructor(tasks, edges) {
    this.tasks = [];
    this.byId = new Map();
    this.families = new Map();
    for (const t of tasks) {
      const state = t.state ?? 'Pending';
      const task = {
        index: t.index, taskId: t.taskId, family: t.family, label: taskLabel(t),
        state, order: order(t.attemptCount ?? 0, state),
      };
      this.tasks[t.index] = task;
      this.byId.set(t.taskId, task);
      let f = this.families.get(t.family);
      if (!f) this.families.set(t.family, f = { name: t.family, tasks: [], counts: {} });
      f.tasks.push(task);
      f.counts[state] = (f.counts[state] ?? 0) + 1;
    }
    this.edges = edges.filter(e => this.tasks[e.from] && this.tasks[e.to]);
  }

  get size() { return this.byId.size; }

  /** Applies a state if it supersedes the one held (states.js); returns the task when it changed. */
  apply(index, attempt, state) {
    const task = this.tasks[index];
    if (!task) return null;
    if (!supersedes(task.state, task.order, attempt, state)) return null;
    task.order = Math.max(task.order, order(attempt, state));
    if (task.state !== state) {
      const f = this.families.get(task.family);
      f.counts[task.state]--;
      f.counts[state] = (f.counts[state] ?? 0) + 1;
      task.state = state;
    }
    return task;
  }

  familyState(family) {
    const counts = this.families.get(family).counts;
    return FAMILY_STATE_PRIORITY.find(s => counts[s] > 0) ?? 'Pending';
  }

  familyLabel(family) {
    const f = this.families.get(family);
    const parts = FAMILY_STATE_PRIORITY.filter(s => f.counts[s] > 0).map(s => `${f.counts[s]} ${s}`);
    return `${family} ×${f.tasks.length}\n${parts.join(', ')}`;
  }

  /**
   * Whether the graph opens collapsed by family: above `collapseAbove` tasks, or when the whole graph's nodes plus
   * edges exceed `collapseCostAbove` and collapsing at least halves that (a graph of one task per family is drawn
   * whole: collapsing would not make it cheaper). elkjs's layout time grows with nodes plus edges, about 2–3 ms each
   * on a small machine (docs/benchmarks.md, "The dashboard").
   */
  opensCollapsed({ collapseAbove, collapseCostAbove }) {
    if (this.size > collapseAbove) return true;
    const whole = this.size + this.edges.length;
    if (!(whole > collapseCostAbove)) return false;
    return viewCost(this.view(new Set(this.families.keys()))) * 2 <= whole;
  }

  /**
   * The nodes and edges to draw: tasks one by one, except the families in `collapsed`, drawn as one node
   * each; edges between the same two nodes are drawn once.
   */
  view(collapsed) {
    const nodes = [], edges = [], owner = t => collapsed.has(t.family) ? familyNodeId(t.family) : taskNodeId(t.index);
    for (const f of this.families.values()) {
      if (collapsed.has(f.name)) {
        nodes.push({ id: familyNodeId(f.name), width: FAMILY_WIDTH, height: FAMILY_HEIGHT, family: f.name });
      } else {
        for (const t of f.tasks) nodes.push({ id: taskNodeId(t.index), width: TASK_WIDTH, height: TASK_HEIGHT, task: t });
      }
    }
    const seen = new Set();
    for (const e of this.edges) {
      const source = owner(this.tasks[e.from]), target = owner(this.tasks[e.to]);
      const k = `${source}>${target}`;
      if (source === target || seen.has(k)) continue;
      seen.add(k);
      edges.push({ source, target });
    }
    return { nodes, edges };
  }
}
