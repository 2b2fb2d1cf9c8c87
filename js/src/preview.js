// @ts-check
// The live preview of a take still rendering: the small JPEG sora_nb's bundled server makes as
// the model denoises (its storyboard frame, with the animatic). The kernel asks for it only where
// the server's model cards say it makes previews, and sends its bytes; this shows them in an
// <img> from a Blob URL (never markup) over the stage, until the video replaces it. The <img> is
// made with the first preview: a take with none has none.
import { h } from "./dom.js";

export class PreviewImage {
  /**
   * @param {string} label what the image is, for screen readers
   * @param {HTMLElement} stage where it goes
   * @param {HTMLElement} before the stage's element it goes under (the status line)
   */
  constructor(label, stage, before) {
    this.label = label;
    this.stage = stage;
    this.before = before;
    /** @type {HTMLImageElement | null} */ this.img = null;
    /** @type {string | null} */ this.url = null;
    /** @type {DataView | ArrayBuffer | null} */ this.bytes = null; // what it shows now
    this.shown = 0; // how many previews it has shown (data-previews says so to tests)
  }

  /**
   * What the stage shows: the video once it has one; else the newest preview (`bytes`, a
   * DataView or ArrayBuffer from the kernel); a completed take whose preview the kernel has let
   * go keeps the last one until its video arrives, so the stage never goes black between them.
   * @param {DataView | ArrayBuffer | null | undefined} bytes
   * @param {{ hasVideo: boolean, completed: boolean }} state
   */
  update(bytes, { hasVideo, completed }) {
    if (hasVideo) this.clear();
    else if (bytes && bytes.byteLength > 0) {
      if (bytes !== this.bytes) this.show(bytes);
    } else if (!completed) this.clear();
  }

  /** @param {DataView | ArrayBuffer} bytes a JPEG */
  show(bytes) {
    if (!this.img) {
      this.img = /** @type {HTMLImageElement} */ (
        h("img", { className: "sora-preview", attrs: { "data-role": "preview", alt: this.label } })
      );
      this.stage.insertBefore(this.img, this.before);
    }
    const url = URL.createObjectURL(new Blob([/** @type {BlobPart} */ (bytes)], { type: "image/jpeg" }));
    this.release();
    this.bytes = bytes;
    this.url = url;
    this.img.src = url;
    this.img.hidden = false;
    this.shown += 1;
    this.img.dataset.previews = String(this.shown);
  }

  /** Take the preview away (the video has come, or the take ended without one). */
  clear() {
    this.release();
    this.bytes = null;
    if (this.img) {
      this.img.removeAttribute("src");
      this.img.hidden = true;
    }
  }

  release() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
  }
}
