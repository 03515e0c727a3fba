// The dashboard's browser side, imported by the Blazor pages as the ES module /js/dashboard.js. The graph
// (Cytoscape, elkjs) and the timeline (ECharts) are loaded on first use, so a page that shows neither does not
// download them; both mount functions therefore return a promise of their handle.
export { connectionState, onRuns } from './live.js';

/** Draws a run's or a pipeline's graph into `element`: a promise of the graph's handle. */
export async function mountGraph(element, options) {
  const { mountGraph: mount } = await import('./graph.js');
  return mount(element, options);
}

/**
 * Loads the graph's scripts and starts a layout worker without drawing anything, so that a graph mounted later
 * (the run page's Graph tab) only has its own layout to wait for.
 */
export async function preloadGraph() {
  const { prewarmLayout } = await import('./layout.js');
  await import('./graph.js');
  prewarmLayout();
}

/** Draws a run's attempts as a timeline into `element`: a promise of the timeline's handle. */
export async function mountTimeline(element, options) {
  const { mountTimeline: mount } = await import('./timeline.js');
  return mount(element, options);
}

/** The browser's IANA time zone, for showing fire times in the viewer's zone beside UTC. */
export function viewerTimeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
