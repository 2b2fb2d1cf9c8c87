// Fakes for unit tests: a controllable time source, media elements and a widget model.

export function fakeNow(start = 100) {
  let t = start;
  const now = () => t;
  now.advance = (s) => {
    t += s;
  };
  return now;
}

/** A media element whose currentTime advances with `tick(seconds)` while playing. */
export class FakeMedia extends EventTarget {
  constructor(duration, { readyState = 4 } = {}) {
    super();
    this.duration = duration;
    this.readyState = readyState;
    this.currentTime = 0;
    this.paused = true;
    this.playbackRate = 1;
    this.loop = false;
    this.seeking = false;
    this.plays = 0;
  }
  play() {
    this.paused = false;
    this.plays += 1;
    return Promise.resolve();
  }
  pause() {
    this.paused = true;
  }
  tick(seconds) {
    if (this.paused) return;
    let t = this.currentTime + seconds * this.playbackRate;
    if (t >= this.duration) {
      if (this.loop) t %= this.duration;
      else {
        t = this.duration;
        this.paused = true;
      }
    }
    this.currentTime = t;
  }
}

/**
 * A widget model like anywidget's: get/set/on/off/save_changes/send, plus a record of sends.
 * `answerReads(files)` makes it answer `media-read` requests from a map of key -> Uint8Array,
 * as the kernel's ChunkSender does.
 */
export class FakeModel {
  constructor(state) {
    this.state = { ...state };
    this.handlers = {};
    this.saved = 0;
    this.sent = [];
    this.widget_manager = { get_model: async (id) => this.children[id] };
    this.children = {};
  }
  get(name) {
    return this.state[name];
  }
  set(name, value) {
    this.state[name] = value;
    for (const fn of this.handlers[`change:${name}`] ?? []) fn();
  }
  on(event, fn) {
    (this.handlers[event] ??= []).push(fn);
  }
  /** Deliver a custom message from the kernel, as anywidget's `msg:custom` event does. */
  receive(content, buffers = []) {
    for (const fn of this.handlers["msg:custom"] ?? []) fn(content, buffers);
  }
  off(event, fn) {
    this.handlers[event] = (this.handlers[event] ?? []).filter((f) => f !== fn);
  }
  save_changes() {
    this.saved += 1;
  }
  send(content) {
    this.sent.push(content);
    if (this.files && content.type === "media-read") {
      const data = this.files[content.key];
      const reply = { type: "media-chunk", key: content.key, req: content.req };
      if (!data) this.pending.push([{ ...reply, error: `no file ${content.key}` }, []]);
      else {
        const chunk = data.slice(content.offset, content.offset + content.length);
        this.pending.push([{ ...reply, offset: content.offset, size: data.length }, [new DataView(chunk.buffer)]]);
      }
    }
  }
  answerReads(files) {
    this.files = files;
    this.pending = [];
  }
  /** Deliver every kernel answer queued so far (and the ones they cause), like a kernel would. */
  flush() {
    let rounds = 0;
    while (this.pending.length && rounds++ < 10000) {
      const [content, buffers] = this.pending.shift();
      this.receive(content, buffers);
    }
  }
}

/**
 * IntersectionObserver for jsdom: every observed element starts off screen; `show(el, bool)`
 * scrolls it into view or out, calling the observers as the browser would.
 */
export class FakeIntersectionObserver {
  static all = new Set();
  constructor(callback) {
    this.callback = callback;
    this.targets = new Set();
    FakeIntersectionObserver.all.add(this);
  }
  observe(el) {
    this.targets.add(el);
  }
  disconnect() {
    this.targets.clear();
    FakeIntersectionObserver.all.delete(this);
  }
  static show(el, visible) {
    for (const observer of FakeIntersectionObserver.all) {
      if (observer.targets.has(el)) observer.callback([{ target: el, isIntersecting: visible }]);
    }
  }
}
