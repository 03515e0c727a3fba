// How the job-net looks: Cytoscape's stylesheet from the state colours (states.js), and a group's counts by state
// as a stacked bar across its node.
import { STATES } from './states.js';

/** The order of the states' bands in a group's bar. */
const BAR_ORDER = ['Failed', 'UpstreamFailed', 'Cancelled', 'RetryWaiting', 'Running', 'Pending', 'Done', 'Complete'];

/**
 * The stylesheet; `big`: labels not fitted (many nodes). Edges of views with many of them are not Cytoscape elements
 * but lines under the nodes (edgeLayer.js).
 */
export function style(colors, big) {
  const s = [
    {
      selector: 'node', style: {
        shape: 'round-rectangle', width: 'data(width)', height: 'data(height)', label: 'data(label)',
        // Fitting a label with an ellipsis measures it: thousands of measures make a big view slow to draw, and
        // task labels are short already (taskLabel).
        'font-size': 11, 'text-valign': 'center', 'text-halign': 'center', 'text-wrap': big ? 'none' : 'ellipsis',
        'text-max-width': 'data(textWidth)', 'min-zoomed-font-size': 7, 'border-width': 0,
        'background-color': colors.Pending, color: colors.labelOn.Pending,
      },
    },
    {
      selector: 'node.group', style: {
        'text-wrap': 'wrap', 'border-width': 2, 'border-style': 'double', 'border-color': colors.text, color: colors.text,
        'text-background-color': colors.surface, 'text-background-opacity': 0.85, 'text-background-padding': 2,
        'text-background-shape': 'roundrectangle',
      },
    },
    { selector: 'node.pinned', style: { 'text-wrap': 'wrap', 'border-width': 3, 'border-color': colors.text, 'border-style': 'solid' } },
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
    s.splice(1, 0, { selector: `node[state = "${state}"]`, style: { 'background-color': colors[state], color: colors.labelOn[state] } });
  }
  return s;
}

/** A group's counts as a stacked bar across its node: one hard-edged band per state, in BAR_ORDER. */
export function barStyle(counts, colors) {
  const present = BAR_ORDER.filter(s => counts[s] > 0);
  const total = present.reduce((n, s) => n + counts[s], 0);
  if (present.length <= 1) return { 'background-fill': 'solid', 'background-color': colors[present[0] ?? 'Pending'] };
  const stops = [], at = [];
  let done = 0;
  for (const s of present) {
    const from = (done / total) * 100;
    done += counts[s];
    const to = (done / total) * 100;
    stops.push(colors[s], colors[s]);
    at.push(`${from.toFixed(2)}%`, `${to.toFixed(2)}%`);
  }
  return {
    'background-fill': 'linear-gradient', 'background-gradient-direction': 'to-right',
    // Arrays, not strings: Cytoscape splits a string at spaces, and rgb() colours have spaces.
    'background-gradient-stop-colors': stops, 'background-gradient-stop-positions': at,
  };
}
