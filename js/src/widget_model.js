// @ts-check
// The part of anywidget's model a view uses (written by hand: it is anywidget's, not a model of
// ours; the state's shapes are in types.js, generated from the Python models).

/**
 * @typedef {object} WidgetModel
 * @property {(name: string) => any} get
 * @property {(name: string, value: any) => void} set
 * @property {(event: string, callback: (...args: any[]) => void) => void} on
 * @property {(event: string, callback: (...args: any[]) => void) => void} off
 * @property {(content: object, callbacks?: any, buffers?: ArrayBuffer[]) => void} send
 * @property {() => void} save_changes
 * @property {any} [widget_manager]
 */

export {};
