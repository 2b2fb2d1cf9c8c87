// Styles for both widgets. Colours come from JupyterLab's theme variables (with fallbacks for
// Notebook 7, VS Code and Colab), so the widgets read well in light and dark themes.
import { h } from "./dom.js";

const CSS = `
.sora-root {
  --sora-bg: var(--jp-layout-color1, var(--vscode-editor-background, #fff));
  --sora-bg2: var(--jp-layout-color2, rgba(127,127,127,0.12));
  --sora-fg: var(--jp-ui-font-color0, var(--vscode-editor-foreground, #1a1a1a));
  --sora-fg2: var(--jp-ui-font-color2, rgba(127,127,127,0.95));
  --sora-border: var(--jp-border-color1, rgba(127,127,127,0.45));
  --sora-accent: var(--jp-brand-color1, #1976d2);
  /* Behind white text: the theme's darker brand shade keeps 4.5:1 in light and dark themes. */
  --sora-accent-strong: var(--jp-brand-color0, #0d47a1);
  --sora-fg1: var(--jp-ui-font-color1, var(--sora-fg));
  --sora-error: var(--jp-error-color1, #d32f2f);
  --sora-good: var(--jp-success-color1, #388e3c);
  font-family: var(--jp-ui-font-family, system-ui, sans-serif);
  font-size: var(--jp-ui-font-size1, 13px);
  color: var(--sora-fg);
  background: var(--sora-bg);
  position: relative;
  outline: none;
  max-width: 100%;
}
.sora-root:focus-visible { box-shadow: 0 0 0 2px var(--sora-accent); }
.sora-root button, .sora-root select, .sora-root input {
  font: inherit; color: var(--sora-fg); background: var(--sora-bg2);
  border: 1px solid var(--sora-border); border-radius: 4px; padding: 2px 6px;
}
.sora-root button:hover { border-color: var(--sora-accent); }
.sora-root button:focus-visible, .sora-root input:focus-visible, .sora-root select:focus-visible {
  outline: 2px solid var(--sora-accent); outline-offset: 1px;
}
.sora-root button[aria-pressed="true"] { background: var(--sora-accent-strong); color: #fff; }
.sora-root button:disabled { opacity: 0.5; }
/* Muted is the usual state of a cell: keep it quiet and let the audible cell stand out. */
.sora-root button[data-action="mute"][aria-pressed="true"] { background: var(--sora-bg2); color: var(--sora-fg1); }
.sora-root button[data-action="mute"][aria-pressed="false"] { background: var(--sora-accent-strong); color: #fff; }
.sora-player { max-width: 760px; }
.sora-stage { position: relative; background: #000; line-height: 0; overflow: hidden; }
.sora-stage video { width: 100%; height: auto; display: block; background: #000; }
.sora-status {
  position: absolute; left: 0; right: 0; bottom: 0; padding: 6px 8px; line-height: 1.3;
  background: rgba(0,0,0,0.65); color: #fff; display: flex; flex-direction: column; gap: 4px;
}
.sora-status[hidden] { display: none; }
.sora-root > .sora-error { color: var(--sora-error); white-space: pre-wrap; word-break: break-word; padding: 2px 0; }
.sora-status .sora-error { color: #ffb4a9; white-space: pre-wrap; word-break: break-word; }
/* A failed take: its status and error read as text where the video would be, not on black. */
.sora-novideo .sora-stage { background: none; line-height: normal; cursor: default; }
.sora-novideo .sora-status { position: static; background: none; color: var(--sora-fg); border: 1px solid var(--sora-error); border-radius: 4px; }
.sora-novideo .sora-status .sora-error { color: var(--sora-error); }
.sora-novideo .sora-bar { display: none; }
.sora-controls[hidden] { display: none; }
.sora-bar { height: 4px; background: rgba(255,255,255,0.25); border-radius: 2px; overflow: hidden; }
.sora-bar > div { height: 100%; background: var(--sora-accent); width: 0%; transition: width .3s; }
.sora-controls { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 6px 0; }
.sora-controls input[type=range] { flex: 1 1 120px; min-width: 80px; padding: 0; }
.sora-time { font-variant-numeric: tabular-nums; min-width: 8ch; }
.sora-meta { display: flex; flex-wrap: wrap; gap: 4px 12px; color: var(--sora-fg2); padding: 2px 0; }
.sora-prompt { white-space: pre-wrap; word-break: break-word; padding: 4px 0; }
.sora-words { color: var(--sora-fg2); }
.sora-remix { display: flex; flex-direction: column; gap: 2px; padding: 4px 0; }
.sora-remix-row { display: flex; flex-wrap: wrap; gap: 6px; }
.sora-remix-row input { flex: 1 1 200px; }
.sora-chain-box[hidden] { display: none; }
.sora-chain-head { font-weight: 600; padding: 4px 0 2px; }
.sora-chain { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 4px; }
.sora-step { display: flex; gap: 8px; align-items: flex-start; padding: 3px; border: 1px solid var(--sora-border); border-radius: 4px; }
.sora-step-current { border-color: var(--sora-accent); }
.sora-step img { width: 96px; aspect-ratio: 16 / 9; object-fit: cover; background: #000; flex: none; }
.sora-step-text { min-width: 0; }
.sora-step-prompt { white-space: pre-wrap; word-break: break-word; color: var(--sora-fg1); }
.sora-grid-body { position: relative; }
.sora-grid { --sora-cell-max: 480px; }
.sora-grid-table { display: grid; gap: 6px; align-items: stretch; max-width: 100%; }
.sora-pager { display: inline-flex; gap: 4px; align-items: center; margin-left: auto; }
.sora-pager[hidden] { display: none; }
.sora-head { font-weight: 600; padding: 4px; display: flex; align-items: center; justify-content: center; text-align: center; word-break: break-word; }
.sora-head .sora-words { font-weight: normal; margin-left: 4px; }
.sora-axis { color: var(--sora-fg2); font-weight: normal; font-size: 0.9em; }
.sora-cell { border: 1px solid var(--sora-border); border-radius: 4px; overflow: hidden; background: var(--sora-bg2); display: flex; flex-direction: column; min-width: 0; }
.sora-cell.sora-audible { border-color: var(--sora-accent); }
.sora-cell.sora-picked { box-shadow: 0 0 0 2px var(--sora-accent); }
.sora-cell .sora-stage { cursor: zoom-in; aspect-ratio: 16 / 9; }
.sora-cell .sora-stage video { width: 100%; height: 100%; object-fit: contain; }
.sora-sprite { position: absolute; inset: 0; background-repeat: no-repeat; }
.sora-preview { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; background: #000; }
.sora-preview[hidden] { display: none; }
.sora-cellbar { display: flex; flex-wrap: wrap; gap: 3px; padding: 3px; align-items: center; }
.sora-cellbar input { flex: 1 1 60px; min-width: 40px; }
.sora-blind .sora-cellbar [data-action=ab], .sora-blind .sora-cellbar [data-action=up],
.sora-blind .sora-cellbar [data-action=down], .sora-blind .sora-cellbar [data-action=note] { display: none; }
.sora-blind .sora-cell .sora-stage { cursor: default; }
.sora-cover { position: absolute; left: 0; right: 0; background: #000; pointer-events: none; }
.sora-cover[data-role=cover-top] { top: 0; }
.sora-cover[data-role=cover-bottom] { bottom: 0; }
.sora-cover[hidden] { display: none; }
.sora-cell-label { padding: 2px 4px; color: var(--sora-fg2); font-size: 0.9em; }
.sora-prompt { padding: 0 4px; color: var(--sora-fg2); font-size: 0.85em; }
.sora-prompt summary { cursor: pointer; }
.sora-prompt-text { white-space: pre-wrap; margin: 2px 0; max-height: 8em; overflow: auto; }
.sora-overlay {
  position: absolute; inset: 0; z-index: 10; background: var(--sora-bg);
  display: flex; flex-direction: column; gap: 6px; padding: 6px;
}
.sora-overlay[hidden] { display: none; }
.sora-overlay .sora-stage { flex: 1; }
.sora-overlay .sora-stage video { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; }
.sora-wipe-line { position: absolute; top: 0; bottom: 0; width: 2px; background: #fff; pointer-events: none; }
.sora-wipe-names { display: flex; justify-content: space-between; gap: 8px; flex-wrap: wrap; }
.sora-wipe-label { padding: 1px 6px; color: var(--sora-fg1); line-height: 1.4; }
`;

/** A <style> element for a widget's root (the CSS above is static text, not data). */
export function styleElement() {
  return h("style", { text: CSS });
}
