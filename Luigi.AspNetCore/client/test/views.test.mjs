// What a selection lights in a view (views.js `lineage`): the same nodes and edges as Cytoscape's predecessors() and
// successors(), which the graph used while every edge was a Cytoscape element (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineage } from '../src/views.js';

// a → b → d, a → c → d, d → e, x → c, c → y; f stands alone.
const edges = [['a', 'b'], ['b', 'd'], ['a', 'c'], ['c', 'd'], ['d', 'e'], ['x', 'c'], ['c', 'y']].map(([source, target]) => ({ source, target }));
const view = { edges };

test('a selection lights its upstream and downstream nodes', () => {
  assert.deepEqual([...lineage(view, 'd').nodes].sort(), ['a', 'b', 'c', 'd', 'e', 'x']);
  assert.deepEqual([...lineage(view, 'c').nodes].sort(), ['a', 'c', 'd', 'e', 'x', 'y']);
});

test('it lights the edges into its upstream and out of its downstream, not an edge that leaves its upstream sideways', () => {
  // c → y leaves c (upstream of d) towards a node that is neither upstream nor downstream of d.
  assert.deepEqual([...lineage(view, 'd').edges].sort((p, q) => p - q), [0, 1, 2, 3, 4, 5]);
});

test('a node without edges lights itself alone', () => {
  const lit = lineage(view, 'f');
  assert.deepEqual([...lit.nodes], ['f']);
  assert.equal(lit.edges.size, 0);
});
