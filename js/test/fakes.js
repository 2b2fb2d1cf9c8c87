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

/** A widget model like anywidget's: get/set/on/off/save_changes/send, plus a record of sends. */
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
  off(event, fn) {
    this.handlers[event] = (this.handlers[event] ?? []).filter((f) => f !== fn);
  }
  save_changes() {
    this.saved += 1;
  }
  send(content) {
    this.sent.push(content);
  }
}
