// @ts-check
// The shapes of the widgets' state, as the kernel's typed traits send them (their pydantic
// models' JSON, unset fields left out). Python's models are the source: widgets/state.py for
// the player and the grid, sora_nb/prompt/model.py for the studio's camera, scene and light.
// `npm test` type-checks every module marked // @ts-check against these.

/**
 * One file of a take: where it lies, never its bytes (state.MediaFile).
 * @typedef {object} MediaFile
 * @property {string} [rel] path relative to the notebook's folder, with "/"
 * @property {string} [folder] the registered media folder's id, for sora_nb's server route
 * @property {string} path the path inside the media folder
 * @property {number} size bytes on disk
 * @property {string} version changes when the file is rewritten
 */

/** @typedef {"video" | "thumbnail" | "spritesheet"} Variant */

/**
 * What one grid cell shows (state.CellState).
 * @typedef {object} CellState
 * @property {string} label
 * @property {string} [metrics]
 * @property {string} take_id
 * @property {"pending" | "queued" | "in_progress" | "completed" | "failed" | "expired"} status
 * @property {number} progress percent, 0 to 100
 * @property {string} [error]
 * @property {number} seconds
 * @property {number} words
 * @property {string} model
 * @property {string} size
 * @property {Partial<Record<Variant, MediaFile>>} [files]
 */

/**
 * A row or column header (state.Header).
 * @typedef {object} Header
 * @property {string} text
 * @property {number} [words] the word count on a length axis
 */

/**
 * A viewer's judgement of a cell (state.Feedback).
 * @typedef {object} Feedback
 * @property {1 | -1 | null} [rating]
 * @property {string} [note]
 */

/**
 * The studio's camera clause (prompt.Camera).
 * @typedef {object} Camera
 * @property {string} [framing]
 * @property {string} [angle]
 * @property {string} [movement]
 * @property {number} [lens_mm]
 * @property {number} [aperture]
 * @property {string} [depth_of_field]
 * @property {string} [shutter]
 * @property {string} [film_stock]
 * @property {string} [rig]
 * @property {string} [notes]
 */

/**
 * The studio's scene clause (prompt.Scene).
 * @typedef {object} Scene
 * @property {string} [setting]
 * @property {string} [time_of_day]
 * @property {string} [weather]
 */

/**
 * The studio's lighting clause (prompt.Lighting).
 * @typedef {object} Lighting
 * @property {string} [key]
 * @property {string} [direction]
 * @property {string} [quality]
 * @property {string[]} sources
 */

/**
 * The part of anywidget's model a view uses.
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
