// A layered layout computed in a few milliseconds, for views too big for elkjs's time budget: each node one column
// right of its latest requirement, nodes in a column ordered by the mean position of their requirements (one sweep),
// so that edges mostly run straight. Left to right like elkjs's, without its crossing minimisation.
const GAP_X = 60, GAP_Y = 8;

/** Centres of `nodes` (`{ id, width, height }`) by id, for `edges` (`{ source, target }`). */
export function layeredLayout(nodes, edges) {
  const n = nodes.length, at = new Map(nodes.map((x, i) => [x.id, i]));
  const preds = Array.from({ length: n }, () => []), succs = Array.from({ length: n }, () => []);
  for (const e of edges) {
    const s = at.get(e.source), t = at.get(e.target);
    if (s == null || t == null || s === t) continue;
    succs[s].push(t);
    preds[t].push(s);
  }
  // Columns by longest path (Kahn); nodes on a cycle, if any, go after what was placed.
  const column = new Int32Array(n), waiting = preds.map(p => p.length), queue = [];
  for (let i = 0; i < n; i++) if (!waiting[i]) queue.push(i);
  for (let h = 0; h < queue.length; h++) {
    const i = queue[h];
    for (const j of succs[i]) {
      if (column[i] + 1 > column[j]) column[j] = column[i] + 1;
      if (--waiting[j] === 0) queue.push(j);
    }
  }
  if (queue.length < n) {
    let last = 0;
    for (let i = 0; i < n; i++) if (column[i] > last) last = column[i];
    for (let i = 0; i < n; i++) if (waiting[i] > 0) column[i] = last + 1;
  }
  const columns = [];
  for (let i = 0; i < n; i++) (columns[column[i]] ??= []).push(i);
  const rank = new Float64Array(n), positions = new Map();
  let x = 0;
  for (const col of columns) {
    if (!col) continue;
    for (const i of col) {
      let sum = 0, count = 0;
      for (const p of preds[i]) if (column[p] < column[i]) { sum += rank[p]; count++; }
      rank[i] = count ? sum / count : i;
    }
    col.sort((a, b) => rank[a] - rank[b] || a - b);
    let width = 0, total = 0;
    for (const i of col) { width = Math.max(width, nodes[i].width); total += nodes[i].height + GAP_Y; }
    let y = -total / 2;
    col.forEach(i => {
      rank[i] = y + nodes[i].height / 2;
      positions.set(nodes[i].id, { x: x + width / 2, y: y + nodes[i].height / 2 });
      y += nodes[i].height + GAP_Y;
    });
    x += width + GAP_X;
  }
  return positions;
}
