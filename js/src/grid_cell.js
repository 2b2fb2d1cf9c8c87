// @ts-check
// One cell of the comparison grid: its video with poster and status, its label and buttons, and
// where its files come from (the Jupyter server by URL, else the kernel once it is on screen).
import { h, setText, statusLabel } from "./dom.js";
import { MIME, pathKind, routeTitle, watchVisible } from "./media.js";
import { PreviewImage } from "./preview.js";

/** @typedef {import("./types.js").CellState} CellState */
/** @typedef {import("./types.js").Feedback} Feedback */
/** @typedef {import("./types.js").Variant} Variant */
/** @typedef {import("./media.js").RouteChooser} RouteChooser */
/** @typedef {import("./media.js").KernelFiles} KernelFiles */

const FINAL = new Set(["completed", "failed", "expired"]);

/** Sprite background position for frame `k` of a cols × rows sheet. */
export function spritePosition(k, cols, rows) {
  const x = cols > 1 ? ((k % cols) / (cols - 1)) * 100 : 0;
  const y = rows > 1 ? (Math.floor(k / cols) / (rows - 1)) * 100 : 0;
  return `${x}% ${y}%`;
}

/**
 * What a cell needs from its grid.
 * @typedef {object} CellHost
 * @property {{ add: (m: HTMLMediaElement) => void, remove: (m: HTMLMediaElement) => void, kick: () => void }} group the shared clock's members
 * @property {RouteChooser} chooser picks the grid's route and builds URLs
 * @property {(sample: import("./types.js").MediaFile) => Promise<string>} route the grid's route (chosen once)
 * @property {KernelFiles} kernel the kernel route's files
 * @property {() => [number, number]} spriteGrid columns and rows of the spritesheets
 * @property {(pos: number) => void} mute toggle this cell's sound
 * @property {(pos: number) => void} solo make this cell the only audible one
 * @property {(pos: number) => void} pick pick this cell for the A/B wipe
 * @property {(pos: number) => void} enlarge show this cell in the overlay
 * @property {(index: number, change: Partial<Feedback>) => void} rate record a rating or a note
 * @property {(index: number) => Feedback} feedbackFor the cell's rating and note now
 * @property {() => void} period the clock's period may have changed (a duration is known)
 * @property {() => boolean} blind a blind judgement: nothing that tells the cells apart shows
 * @property {() => [number, number]} cover fractions of the frame's height to cover, top and
 *   bottom (where a server burns captions in), 0 for none
 */

export class Cell {
  /**
   * @param {CellState} data what the kernel says about this cell
   * @param {number} index its place in the whole grid (feedback, kernel keys)
   * @param {number} pos its place on the page shown (sound, A/B picks)
   * @param {CellHost} host
   */
  constructor(data, index, pos, host) {
    this.data = data;
    this.index = index;
    this.pos = pos;
    this.host = host;
    /** @type {string | null} */ this.route = null;
    /** @type {Partial<Record<Variant, string>>} */ this.loaded = {};
    /** @type {string | null} */ this.spriteUrl = null;
    this.videoReady = false;
    this.visible = false;
    this.wanted = false; // played (or enlarged): load even off screen
    this.gone = false;
    this.loadError = "";

    const n = index + 1;
    this.video = /** @type {HTMLVideoElement} */ (
      h("video", {
        playsInline: true,
        preload: "metadata",
        muted: true,
        attrs: { "data-role": "video", "data-cell": index, "aria-label": `cell ${n} video` },
      })
    );
    this.sprite = h("div", { className: "sora-sprite", hidden: true, attrs: { "data-role": "sprite" } });
    /** @type {DataView | ArrayBuffer | null} */ this.previewBytes = null;
    this.statusText = h("span", { attrs: { "data-role": "status" } });
    this.bar = h("div");
    this.errorText = h("div", { className: "sora-error", attrs: { "data-role": "error", role: "alert" } });
    this.status = h("div", { className: "sora-status" }, this.statusText, h("div", { className: "sora-bar" }, this.bar), this.errorText);
    // Bands over the burned-in captions (a blind judgement): black, above the video.
    this.covers = [0, 1].map((k) => h("div", { className: "sora-cover", hidden: true, attrs: { "data-role": k ? "cover-bottom" : "cover-top" } }));
    this.stage = h(
      "div",
      { className: "sora-stage", title: host.blind() ? "" : "Click to enlarge" },
      this.video,
      this.sprite,
      ...this.covers,
      this.status,
    );
    this.preview = new PreviewImage(`cell ${n} live preview`, this.stage, this.covers[0]);
    const btn = (action, text, label, title = "") => h("button", { text, title, attrs: { "data-action": action, "aria-label": label } });
    this.muteBtn = btn("mute", "Muted", `sound of cell ${n}`, "Turn this cell's sound on or off");
    this.soloBtn = btn("solo", "Solo sound", `hear only cell ${n}`, "Hear only this cell's sound: the others go quiet");
    this.abBtn = btn("ab", "A/B", `pick cell ${n} for the A/B wipe`);
    this.upBtn = btn("up", "▲ good", `thumbs up for cell ${n}`);
    this.downBtn = btn("down", "▼ bad", `thumbs down for cell ${n}`);
    this.note = /** @type {HTMLInputElement} */ (
      h("input", { type: "text", placeholder: "note", attrs: { "data-action": "note", "aria-label": `note for cell ${n}` } })
    );
    this.label = h("div", { className: "sora-cell-label", attrs: { "data-role": "label" } });
    // The prompt sent, folded away; an enhancer's rewrite offers the user's own words beside it.
    this.showMine = false;
    this.promptHead = h("summary", { attrs: { "data-role": "prompt-head" } });
    this.promptText = h("div", { className: "sora-prompt-text", attrs: { "data-role": "prompt-text" } });
    this.otherBtn = btn("other-prompt", "show yours", `show the other prompt of cell ${n}`);
    this.prompt = h(
      "details",
      { className: "sora-prompt", attrs: { "data-role": "prompt" } },
      this.promptHead,
      this.promptText,
      this.otherBtn,
    );
    this.root = h(
      "div",
      { className: "sora-cell", attrs: { "data-cell": index } },
      this.stage,
      this.label,
      this.prompt,
      h("div", { className: "sora-cellbar" }, this.muteBtn, this.soloBtn, this.abBtn, this.upBtn, this.downBtn, this.note),
    );
    Object.assign(this.video, { soraCell: this }); // the clock asks a member's cell if it is on screen
    this.listen();
    this.stopWatching = watchVisible(this.root, (now) => {
      this.visible = now;
      this.load();
      host.group.kick();
    });
  }

  listen() {
    const { host, video, stage, index, pos } = this;
    video.addEventListener("loadeddata", () => {
      this.videoReady = true;
      this.render();
    });
    video.addEventListener("error", () => this.failed());
    video.addEventListener("loadedmetadata", () => host.period());
    this.muteBtn.addEventListener("click", () => host.mute(pos));
    this.soloBtn.addEventListener("click", () => host.solo(pos));
    this.abBtn.addEventListener("click", () => host.pick(pos));
    this.upBtn.addEventListener("click", () => host.rate(index, { rating: host.feedbackFor(index).rating === 1 ? null : 1 }));
    this.downBtn.addEventListener("click", () => host.rate(index, { rating: host.feedbackFor(index).rating === -1 ? null : -1 }));
    this.note.addEventListener("change", () => host.rate(index, { note: this.note.value }));
    this.otherBtn.addEventListener("click", () => {
      this.showMine = !this.showMine;
      this.render();
    });
    stage.addEventListener("click", () => {
      // A blind judgement has no enlarged view: its bands would not line up with the video.
      if (video.hasAttribute("src") && !host.blind()) host.enlarge(pos);
    });
    stage.addEventListener("mouseenter", () => this.loadSprite());
    stage.addEventListener("mousemove", (e) => {
      if (this.sprite.hidden) return;
      const rect = stage.getBoundingClientRect();
      const frac = rect.width > 0 ? Math.min(0.999, Math.max(0, (e.clientX - rect.left) / rect.width)) : 0;
      const [cols, rows] = host.spriteGrid();
      this.sprite.style.backgroundPosition = spritePosition(Math.floor(frac * cols * rows), cols, rows);
    });
    stage.addEventListener("mouseleave", () => {
      const [cols, rows] = host.spriteGrid();
      this.sprite.style.backgroundPosition = spritePosition(0, cols, rows);
    });
  }

  /** Show the kernel's state: status, progress, error, label and metrics. */
  render() {
    const d = this.data;
    const st = d.status ?? "pending";
    const progress = Math.max(0, Math.min(100, Number(d.progress) || 0));
    setText(this.statusText, FINAL.has(st) ? statusLabel(st) : `${statusLabel(st)} · ${progress}%`);
    this.bar.style.width = `${st === "completed" ? 100 : progress}%`;
    const error = d.error || this.loadError || "";
    setText(this.errorText, error);
    this.errorText.hidden = !error;
    this.status.hidden = st === "completed" && this.video.hasAttribute("src") && !this.loadError;
    this.root.dataset.status = st;
    // Metrics, when asked for from Python, read after the label: "length=short · motion 0.4 …".
    setText(this.label, d.metrics ? `${d.label ?? ""} · ${d.metrics}` : (d.label ?? ""));
    this.renderPrompt();
    // Hover-scrub from the spritesheet until the video itself can show frames.
    this.sprite.hidden = this.videoReady || !this.spriteUrl;
    this.showPreview(this.previewBytes);
    this.showCover();
  }

  /**
   * The take's newest live preview while it renders (the grid passes what the kernel sent).
   * @param {DataView | ArrayBuffer | null} bytes
   */
  showPreview(bytes) {
    this.previewBytes = bytes;
    const completed = this.data.status === "completed";
    this.preview.update(bytes, { hasVideo: this.videoReady, completed });
  }

  /** Cover the top and bottom bands of the frame the grid asks for (none: hidden). */
  showCover() {
    const bands = this.host.cover();
    this.covers.forEach((el, k) => {
      const fraction = Math.max(0, Math.min(0.5, Number(bands[k]) || 0));
      el.hidden = fraction === 0;
      el.style.height = `${fraction * 100}%`;
    });
  }

  /** The prompt sent (or, asked, the user's words an enhancer rewrote), and which it is. */
  renderPrompt() {
    const d = this.data;
    const enhanced = Boolean(d.mine);
    const mine = enhanced && this.showMine;
    this.prompt.hidden = !d.prompt;
    setText(this.promptHead, enhanced ? (mine ? "your words (not sent)" : "prompt sent · enhanced") : "prompt sent");
    setText(this.promptText, mine ? d.mine : (d.prompt ?? ""));
    setText(this.otherBtn, mine ? "show enhanced" : "show yours");
    this.otherBtn.hidden = !enhanced;
    this.root.dataset.enhanced = String(enhanced);
  }

  /** @param {Feedback} fb */
  showFeedback(fb) {
    this.upBtn.setAttribute("aria-pressed", String(fb.rating === 1));
    this.downBtn.setAttribute("aria-pressed", String(fb.rating === -1));
    if (document.activeElement !== this.note) this.note.value = fb.note ?? "";
  }

  /** @param {string} next */
  setRoute(next) {
    this.route = next;
    this.root.dataset.mediaPath = pathKind(next);
    this.stage.title = `Click to enlarge. ${routeTitle(next)}`;
  }

  /** @param {Variant} variant */
  kernelKey(variant) {
    return `${this.index}/${variant}`;
  }

  /**
   * Where `variant` comes from now: a URL on the server, or a Blob URL of the kernel's bytes.
   * @param {Variant} variant
   * @returns {Promise<string | null>}
   */
  source(variant) {
    const file = this.data.files?.[variant];
    if (!file) return Promise.resolve(null);
    if (this.route !== "kernel") return Promise.resolve(this.host.chooser.url(file, this.route));
    return this.host.kernel.load(this.kernelKey(variant), file, MIME[variant]);
  }

  /** Load what the cell should show now: its poster, and its video when on screen or played. */
  async load() {
    const files = this.data.files ?? {};
    const sample = files.video ?? files.thumbnail;
    if (!sample || this.gone) return;
    const route = await this.host.route(sample);
    if (this.gone) return;
    if (!this.route) this.setRoute(route);
    // On the kernel route a cell off screen asks for nothing until it is scrolled to or played.
    const eager = this.route !== "kernel" || this.visible || this.wanted;
    // Like a plain <video> (Chromium's default): enough to show the first frame and start, no
    // more, until the user plays; then the browser buffers ahead as it sees fit.
    this.video.preload = this.wanted ? "auto" : "metadata";
    try {
      if (files.thumbnail && this.loaded.thumbnail !== files.thumbnail.version && eager) {
        this.loaded.thumbnail = files.thumbnail.version;
        const poster = await this.source("thumbnail");
        if (!this.gone && poster) this.video.poster = poster;
      }
      if (files.video && this.loaded.video !== files.video.version && eager) {
        this.loaded.video = files.video.version;
        // On the clock from now: while its video is on the way (the kernel route sends it
        // whole) a cell on screen holds a playing clock, so every cell starts together.
        this.host.group.add(this.video);
        const url = await this.source("video");
        if (!this.gone && url) {
          this.videoReady = false;
          this.video.src = url; // a late video joins at the master position
          this.render();
        }
      }
    } catch (err) {
      if (!this.gone && err?.message !== "released") {
        this.host.group.remove(this.video); // nothing to wait for
        this.loadError = `The video could not be loaded: ${err?.message ?? err}`;
        this.render();
      }
    }
  }

  /** Ask for this cell even off screen (the user played or enlarged it). */
  want() {
    if (this.wanted) return;
    this.wanted = true;
    this.load();
  }

  async loadSprite() {
    const file = this.data.files?.spritesheet;
    if (!file || this.loaded.spritesheet === file.version || this.videoReady || !this.route) return;
    this.loaded.spritesheet = file.version;
    try {
      const url = await this.source("spritesheet");
      if (this.gone || !url) return;
      const [cols, rows] = this.host.spriteGrid();
      Object.assign(this.sprite.style, {
        backgroundImage: `url("${url}")`,
        backgroundSize: `${cols * 100}% ${rows * 100}%`,
        backgroundPosition: spritePosition(0, cols, rows),
      });
      this.spriteUrl = url;
      this.render();
    } catch {
      /* no hover-scrub for this cell; the poster stays */
    }
  }

  /** The video failed to load: a server route falls back to the kernel; the kernel's says so. */
  failed() {
    if (this.gone || !this.video.getAttribute("src")) return;
    if (this.route !== "kernel") {
      // The file moved, or the route is blocked: the kernel sends it instead.
      this.host.group.remove(this.video);
      this.video.removeAttribute("src");
      this.release();
      this.setRoute("kernel");
      this.load();
    } else {
      this.loadError = "The browser could not play this video.";
      this.render();
    }
  }

  /** Let go of what the kernel sent for this cell. */
  release() {
    this.loaded = {};
    for (const variant of /** @type {Variant[]} */ (Object.keys(MIME))) this.host.kernel.release(this.kernelKey(variant));
  }

  /** The cell leaves the page: stop, and let go of its media. */
  drop() {
    this.gone = true;
    this.stopWatching();
    this.host.group.remove(this.video);
    this.video.pause();
    if (this.video.hasAttribute("src")) {
      this.video.removeAttribute("src");
      this.video.load(); // let go of what the element buffered
    }
    this.preview.clear();
    this.release();
  }
}
