// The shared clock: one master time source that every video in a widget follows.
//
// Pure logic only (no DOM): the master position is computed from a monotonic `now()` and each
// media element is corrected towards it by `syncMedia`. Tests drive both with fake media objects
// and a fake `now`.

/** One frame at the 24 fps every take is rendered at (seconds). */
export const FRAME = 1 / 24;
/** Drift (seconds) beyond which a playing video is seeked to the master position. */
export const SEEK_DRIFT = 0.25;
/** Drift (seconds) beyond which a playing video's rate is nudged back towards the master. */
export const NUDGE_DRIFT = 0.012;
/** Largest relative rate change a nudge applies (Chromium keeps the pitch while it lasts). */
export const MAX_NUDGE = 0.2;
/** How many seconds of drift a nudge aims to remove per second of playback. */
const NUDGE_GAIN = 4;
/** HTMLMediaElement.HAVE_FUTURE_DATA: enough is buffered to play on from here. */
export const CAN_PLAY = 3;

function defaultNow() {
  return performance.now() / 1000;
}

/**
 * The master clock: position in seconds, playing or paused, a speed, and looping over a period
 * (the longest clip), so clips of different lengths each loop at their own duration. While it
 * is `waiting` (a clip it follows cannot play yet) a playing clock holds its position.
 */
export class MasterClock {
  constructor({ now = defaultNow, period = 0, loop = true, rate = 1 } = {}) {
    this.now = now;
    this.period = period;
    this.loop = loop;
    this.rate = rate;
    this.playing = false;
    this.waiting = false;
    this._origin = 0; // master position at the anchor time
    this._anchor = now();
    this._listeners = new Set();
  }

  /** The master position in seconds, wrapped by the period when looping. */
  position() {
    let pos = this._origin;
    if (this.playing && !this.waiting) pos += (this.now() - this._anchor) * this.rate;
    if (this.period > 0) {
      if (this.loop) {
        pos = ((pos % this.period) + this.period) % this.period;
      } else if (pos >= this.period) {
        pos = this.period;
      }
    }
    return Math.max(0, pos);
  }

  /** True when not looping and the master has reached the end of the period. */
  ended() {
    return !this.loop && this.period > 0 && this.position() >= this.period;
  }

  _rebase(position) {
    this._origin = position;
    this._anchor = this.now();
  }

  play() {
    if (this.playing) return;
    // Playing from the end of a non-looping run starts over, as a single video does.
    this._rebase(this.ended() ? 0 : this.position());
    this.playing = true;
    this._emit("play");
  }

  pause() {
    if (!this.playing) return;
    this._rebase(this.position());
    this.playing = false;
    this._emit("pause");
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  seek(seconds) {
    let pos = Number.isFinite(seconds) ? Math.max(0, seconds) : 0;
    if (this.period > 0) pos = this.loop ? pos % this.period : Math.min(pos, this.period);
    this._rebase(pos);
    this._emit("seek");
  }

  /** Step whole frames (negative steps go back); stepping always pauses. */
  step(frames = 1) {
    this.pause();
    // Snap to the frame grid so repeated steps land exactly on frames.
    const frame = Math.round(this.position() / FRAME) + frames;
    this.seek(Math.max(0, frame) * FRAME);
  }

  setRate(rate) {
    if (!(rate > 0)) throw new RangeError(`speed must be above 0, got ${rate}`);
    this._rebase(this.position());
    this.rate = rate;
    this._emit("rate");
  }

  setLoop(loop) {
    this._rebase(this.position());
    this.loop = Boolean(loop);
    this._emit("loop");
  }

  /** Hold (true) or release (false) a playing clock while some clip cannot play yet. */
  setWaiting(waiting) {
    if (Boolean(waiting) === this.waiting) return;
    this._rebase(this.position());
    this.waiting = Boolean(waiting);
    this._emit("waiting");
  }

  /** Set the loop period (the longest clip); the position is kept. */
  setPeriod(period) {
    const pos = this.position();
    this.period = period > 0 ? period : 0;
    this._rebase(pos);
  }

  on(listener) {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  _emit(event) {
    for (const listener of this._listeners) listener(event, this);
  }
}

/**
 * Where a clip of `duration` seconds should be when the master is at `master`: modulo its own
 * duration when looping, held on its last frame otherwise. Null when the duration is unknown.
 */
export function targetTime(master, duration, loop) {
  if (!(duration > 0) || !Number.isFinite(duration)) return null;
  if (loop) return master % duration;
  return Math.min(master, duration);
}

/** Signed drift of `current` from `target`, taking the shortest way round a looping clip. */
export function drift(current, target, duration, loop) {
  let d = current - target;
  if (loop && duration > 0) {
    if (d > duration / 2) d -= duration;
    else if (d < -duration / 2) d += duration;
  }
  return d;
}

function safePlay(media) {
  try {
    const p = media.play();
    // A rejected play (autoplay policy, element removed) must not become an unhandled error.
    if (p && typeof p.catch === "function") p.catch(() => {});
  } catch {
    /* the element cannot play yet; the next sync tick tries again */
  }
}

/**
 * Bring one media element in line with the clock. Returns what it did, for tests and debugging:
 * "waiting" (no metadata yet), "seeking", "paused", "held" (the clock waits for another clip),
 * "ended", "started", "seeked", "nudged" or "ok".
 */
export function syncMedia(media, clock, options = {}) {
  const seekDrift = options.seekDrift ?? SEEK_DRIFT;
  const nudgeDrift = options.nudgeDrift ?? NUDGE_DRIFT;
  const duration = media.duration;
  if (!media || media.readyState < 1 || !(duration > 0) || !Number.isFinite(duration)) {
    return "waiting";
  }
  if (media.seeking) return "seeking";
  const master = clock.position();
  const target = targetTime(master, duration, clock.loop);
  const d = drift(media.currentTime, target, duration, clock.loop);
  // Native looping keeps a playing clip seamless at its own end; the clock does the rest.
  if (media.loop !== clock.loop) media.loop = clock.loop;

  if (!clock.playing || clock.waiting) {
    if (!media.paused) media.pause();
    if (media.playbackRate !== clock.rate) media.playbackRate = clock.rate;
    if (Math.abs(d) > 1e-3) {
      media.currentTime = target;
      return "seeked";
    }
    return clock.playing ? "held" : "paused";
  }

  if (!clock.loop && target >= duration - 1e-3) {
    // A shorter clip in a non-looping run waits on its last frame for the others.
    if (!media.paused) media.pause();
    if (Math.abs(d) > 1e-3) media.currentTime = duration;
    return "ended";
  }

  if (media.paused) {
    // A late or paused video joins at the master position. One already in place (held with
    // the others) starts without a seek: a seek would make it unready and hold the clock again.
    if (Math.abs(d) > FRAME / 2) media.currentTime = target;
    media.playbackRate = clock.rate;
    safePlay(media);
    return "started";
  }

  if (Math.abs(d) > seekDrift) {
    media.currentTime = target;
    media.playbackRate = clock.rate;
    return "seeked";
  }
  if (Math.abs(d) > nudgeDrift) {
    // Behind (d < 0) plays a little faster, ahead plays a little slower.
    const nudge = Math.max(-MAX_NUDGE, Math.min(MAX_NUDGE, -d * NUDGE_GAIN));
    media.playbackRate = clock.rate * (1 + nudge);
    return "nudged";
  }
  if (media.playbackRate !== clock.rate) media.playbackRate = clock.rate;
  return "ok";
}

/** True when `media` holds a playing clock back: it should play now but cannot yet. */
export function blocks(media, clock) {
  if (media.error) return false; // a clip that failed to load is left out, not waited for
  const duration = media.duration;
  if (!clock.loop && duration > 0 && Number.isFinite(duration) && clock.position() >= duration - 1e-3) {
    return false; // a shorter clip holding its last frame in a non-looping run
  }
  return media.seeking || !(media.readyState >= CAN_PLAY);
}

/**
 * Keep a set of media elements on one clock: corrects them on every animation frame and at once
 * on play, pause, seek, speed and loop changes. A playing clock waits while any member that
 * `gate(media)` counts (by default all; the grid counts the cells on screen) cannot play yet.
 * Returns `{ add, remove, sync, kick, waitingFor, stop }`.
 */
export function syncGroup(clock, { requestFrame, cancelFrame, options, gate = () => true } = {}) {
  const raf = requestFrame ?? ((cb) => requestAnimationFrame(cb));
  const caf = cancelFrame ?? ((id) => cancelAnimationFrame(id));
  const members = new Set();
  let frameId = null;
  let stopped = false;
  let held = 0;
  let syncing = false;

  // Returns true while some member still needs attention (a seek in flight, just corrected).
  const sync = () => {
    if (syncing) return false; // setWaiting below tells the clock's listeners, this one too
    syncing = true;
    try {
      return syncMembers();
    } finally {
      syncing = false;
    }
  };
  const syncMembers = () => {
    held = 0;
    for (const media of members) if (gate(media) && blocks(media, clock)) held += 1;
    clock.setWaiting(clock.playing && held > 0);
    let unsettled = held > 0;
    for (const media of members) {
      const state = syncMedia(media, clock, options);
      if (state === "seeking" || state === "seeked" || state === "started") unsettled = true;
    }
    return unsettled;
  };
  const tick = () => {
    frameId = null;
    if (stopped) return;
    const unsettled = sync();
    // Playing: correct every frame. Paused: keep going only until every video sits in place.
    if (clock.playing || unsettled) frameId = raf(tick);
  };
  const schedule = () => {
    if (frameId === null && !stopped) frameId = raf(tick);
  };
  const onMetadata = () => {
    sync();
    schedule();
  };
  const off = clock.on(() => {
    sync();
    schedule();
  });
  return {
    members,
    add(media) {
      if (members.has(media)) return;
      members.add(media);
      // A video that gets its metadata while the clock is paused joins at once, not at play.
      media.addEventListener?.("loadedmetadata", onMetadata);
      syncMedia(media, clock, options);
      schedule();
    },
    remove(media) {
      members.delete(media);
      media.removeEventListener?.("loadedmetadata", onMetadata);
    },
    sync,
    /** How many members a playing clock is waiting for (0 when it runs or is paused). */
    waitingFor() {
      return clock.playing ? held : 0;
    },
    /** Re-check every member now and on the next frames (e.g. when a video gets metadata). */
    kick() {
      sync();
      schedule();
    },
    stop() {
      stopped = true;
      off();
      if (frameId !== null) caf(frameId);
      frameId = null;
    },
  };
}

/** Mute flags for `count` cells where only `index` is audible (solo). */
export function soloMutes(count, index) {
  return Array.from({ length: count }, (_, i) => i !== index);
}

/** Format seconds as m:ss.ff (frames at 24 fps) for the time readout. */
export function formatTime(seconds) {
  const s = Math.max(0, seconds || 0);
  const minutes = Math.floor(s / 60);
  const secs = Math.floor(s % 60);
  const frames = Math.floor((s % 1) / FRAME + 1e-6);
  return `${minutes}:${String(secs).padStart(2, "0")}.${String(frames).padStart(2, "0")}`;
}
