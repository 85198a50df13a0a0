/**
 * Showing results: plotly figures, tables and progress, inline in notebooks and as text elsewhere.
 * Implementation in lib/show/.
 */
export { plot, reloadPlotly, figureHtml, figureFragment, plotlyBundleHtml } from "./show/plot";
export type { Figure, Data, Layout, Config } from "./show/plot";
export { showTable, tableHtml, tableText, formatCell } from "./show/table";
export type { Row, Cell, TableOptions, DataFrameLike } from "./show/table";
export { progress } from "./show/progress";
export type { Progress } from "./show/progress";
export { showHtml, showMarkdown, inNotebook, escapeHtml } from "./show/display";
