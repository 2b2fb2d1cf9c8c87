// The prompt studio's own styles (the widgets' shared ones are style.js): sections in columns,
// chips, the live prompt, the ladder and the action row.

export const STUDIO_CSS = `
.sora-studio { max-width: 980px; display: flex; flex-direction: column; gap: 8px; padding: 4px; }
.sora-studio-columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 8px; }
.sora-section { border: 1px solid var(--sora-border); border-radius: 4px; margin: 0; padding: 6px 8px 8px;
  display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 6px 8px; min-width: 0; }
.sora-section legend { font-weight: 600; padding: 0 4px; }
.sora-field { display: flex; flex-direction: column; gap: 2px; min-width: 0; }
.sora-field.sora-wide, .sora-section > .sora-wide { grid-column: 1 / -1; }
.sora-label { color: var(--sora-fg2); font-size: 0.92em; }
.sora-studio textarea { font: inherit; color: var(--sora-fg); background: var(--sora-bg2);
  border: 1px solid var(--sora-border); border-radius: 4px; padding: 2px 6px; resize: vertical; }
.sora-studio textarea:focus-visible { outline: 2px solid var(--sora-accent); outline-offset: 1px; }
.sora-studio select:disabled, .sora-studio input:disabled { opacity: 0.6; }
.sora-range { display: flex; align-items: center; gap: 6px; }
.sora-range input[type=range] { flex: 1; min-width: 60px; padding: 0; }
.sora-readout { font-variant-numeric: tabular-nums; min-width: 6ch; color: var(--sora-fg1); }
/* Unset: the slider rests dimmed at a typical value until it is touched. */
.sora-range input[type=range][data-unset=true] { opacity: 0.45; }
.sora-range button { padding: 0 6px; font-size: 0.9em; }
.sora-chips { display: flex; flex-wrap: wrap; gap: 4px; list-style: none; margin: 0; padding: 0; }
.sora-chip { display: inline-flex; align-items: center; gap: 4px; border: 1px solid var(--sora-border);
  border-radius: 12px; padding: 1px 2px 1px 6px; background: var(--sora-bg2); }
.sora-swatch { width: 12px; height: 12px; border-radius: 50%; border: 1px solid var(--sora-border); display: inline-block; }
.sora-chip button { border: none; background: transparent; padding: 0 5px; border-radius: 10px; }
.sora-row { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.sora-row input[type=text] { flex: 1 1 100px; min-width: 60px; }
.sora-dialogue-row input[data-field=speaker] { flex: 0 1 110px; }
.sora-hint { color: var(--sora-fg2); font-size: 0.92em; }
.sora-reasons { margin: 0; padding-left: 18px; color: var(--sora-fg2); font-size: 0.92em; }
.sora-live { border: 1px solid var(--sora-border); border-radius: 4px; padding: 6px 8px; display: flex; flex-direction: column; gap: 6px; }
.sora-live pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-family: var(--jp-code-font-family, monospace);
  font-size: 0.95em; background: var(--sora-bg2); padding: 6px; border-radius: 4px; max-height: 16em; overflow: auto; }
.sora-lint { margin: 0; padding-left: 18px; }
.sora-lint li[data-severity=error] { color: var(--sora-error); }
.sora-ladder { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 6px; }
.sora-ladder pre { max-height: none; overflow: visible; }
.sora-rung-head { font-weight: 600; }
.sora-actions { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.sora-actions button { padding: 4px 12px; }
.sora-actions button[data-action=generate]:not(:disabled) { background: var(--sora-accent-strong); color: #fff; }
.sora-studio [data-role=run-error] { color: var(--sora-error); white-space: pre-wrap; }
.sora-studio [data-role=run-error]:empty { display: none; }
.sora-cast { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
.sora-character { display: flex; flex-direction: column; gap: 2px; border: 1px solid var(--sora-border); border-radius: 4px; padding: 4px; }
.sora-character[data-picked=true] { border-color: var(--sora-accent); }
.sora-character label { display: flex; align-items: center; gap: 6px; }
.sora-character img { width: 64px; aspect-ratio: 16 / 9; object-fit: cover; background: #000; }
.sora-studio [hidden] { display: none; }
`;
