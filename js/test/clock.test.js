import { describe, expect, it } from "vitest";
import { FRAME, MasterClock, drift, formatTime, soloMutes, syncGroup, syncMedia, targetTime } from "../src/clock.js";
import { FakeMedia, fakeNow } from "./fakes.js";

describe("MasterClock", () => {
  it("advances only while playing, at its speed", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 10 });
    now.advance(1);
    expect(clock.position()).toBe(0);
    clock.play();
    now.advance(1.5);
    expect(clock.position()).toBeCloseTo(1.5);
    clock.setRate(2);
    now.advance(1);
    expect(clock.position()).toBeCloseTo(3.5);
    clock.pause();
    now.advance(5);
    expect(clock.position()).toBeCloseTo(3.5);
  });

  it("loops over its period and stops at the end when not looping", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4 });
    clock.play();
    now.advance(5);
    expect(clock.position()).toBeCloseTo(1);
    clock.setLoop(false);
    now.advance(10);
    expect(clock.position()).toBe(4);
    expect(clock.ended()).toBe(true);
    clock.pause();
    clock.play(); // playing from the end starts over
    expect(clock.position()).toBe(0);
  });

  it("seeks, clamps and steps by whole frames while paused", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4, loop: false });
    clock.seek(9);
    expect(clock.position()).toBe(4);
    clock.seek(-3);
    expect(clock.position()).toBe(0);
    clock.seek(1);
    clock.play();
    now.advance(0.01);
    clock.step(1);
    expect(clock.playing).toBe(false);
    expect(clock.position()).toBeCloseTo(25 * FRAME);
    clock.step(-2);
    expect(clock.position()).toBeCloseTo(23 * FRAME);
    expect(() => clock.setRate(0)).toThrow(/above 0/);
  });

  it("tells listeners about play, pause and seek", () => {
    const clock = new MasterClock({ now: fakeNow() });
    const events = [];
    const off = clock.on((e) => events.push(e));
    clock.play();
    clock.play(); // already playing: no event
    clock.seek(1);
    clock.pause();
    off();
    clock.play();
    expect(events).toEqual(["play", "seek", "pause"]);
  });
});

describe("targets and drift", () => {
  it("loops each clip at its own duration", () => {
    expect(targetTime(5, 4, true)).toBeCloseTo(1);
    expect(targetTime(5, 2, true)).toBeCloseTo(1);
    expect(targetTime(5, 3, false)).toBe(3);
    expect(targetTime(5, NaN, true)).toBeNull();
  });
  it("measures drift the short way round a loop", () => {
    expect(drift(3.9, 0.1, 4, true)).toBeCloseTo(-0.2);
    expect(drift(0.1, 3.9, 4, true)).toBeCloseTo(0.2);
    expect(drift(3.9, 0.1, 4, false)).toBeCloseTo(3.8);
  });
});

describe("syncMedia", () => {
  it("starts a paused video at the master position and pauses it with the clock", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4 });
    const media = new FakeMedia(4);
    clock.play();
    now.advance(1.25);
    expect(syncMedia(media, clock)).toBe("started");
    expect(media.paused).toBe(false);
    expect(media.currentTime).toBeCloseTo(1.25);
    clock.pause();
    expect(syncMedia(media, clock)).toBe("paused");
    expect(media.paused).toBe(true);
  });

  it("waits for metadata, then joins late at the master position", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4 });
    const late = new FakeMedia(NaN, { readyState: 0 });
    clock.play();
    now.advance(2);
    expect(syncMedia(late, clock)).toBe("waiting");
    late.duration = 4;
    late.readyState = 1;
    expect(syncMedia(late, clock)).toBe("started");
    expect(late.currentTime).toBeCloseTo(2);
  });

  it("nudges small drift through the rate and seeks large drift", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4 });
    const media = new FakeMedia(4);
    clock.play();
    syncMedia(media, clock);
    now.advance(1);
    media.currentTime = 0.95; // 50 ms behind: speed up a little
    expect(syncMedia(media, clock)).toBe("nudged");
    expect(media.playbackRate).toBeGreaterThan(1);
    media.currentTime = 1.05; // 50 ms ahead: slow down a little
    syncMedia(media, clock);
    expect(media.playbackRate).toBeLessThan(1);
    media.currentTime = 3; // far off: seek
    expect(syncMedia(media, clock)).toBe("seeked");
    expect(media.currentTime).toBeCloseTo(1);
    expect(media.playbackRate).toBe(1);
    expect(syncMedia(media, clock)).toBe("ok");
  });

  it("holds a short clip on its last frame in a non-looping run", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4, loop: false });
    const short = new FakeMedia(2);
    clock.play();
    syncMedia(short, clock);
    now.advance(3);
    short.tick(3);
    expect(syncMedia(short, clock)).toBe("ended");
    expect(short.paused).toBe(true);
    expect(short.currentTime).toBe(2);
  });

  it("keeps clips of different lengths in step over many frames with jittery decoders", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4 });
    const clips = [new FakeMedia(4), new FakeMedia(3), new FakeMedia(2), new FakeMedia(4)];
    clock.play();
    for (const m of clips) syncMedia(m, clock);
    // Each decoder runs at a slightly wrong speed; corrections every frame keep them in step.
    const skew = [1.01, 0.99, 1.02, 0.985];
    for (let i = 0; i < 24 * 10; i++) {
      now.advance(1 / 60);
      clips.forEach((m, k) => {
        const rate = m.playbackRate;
        m.playbackRate = rate * skew[k];
        m.tick(1 / 60);
        m.playbackRate = rate;
        syncMedia(m, clock);
      });
    }
    const master = clock.position();
    clips.forEach((m) => {
      expect(Math.abs(drift(m.currentTime, targetTime(master, m.duration, true), m.duration, true))).toBeLessThan(FRAME);
    });
  });
});

describe("syncGroup", () => {
  it("applies play, seek and pause to every member at once", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4 });
    const frames = [];
    const group = syncGroup(clock, { requestFrame: (cb) => frames.push(cb), cancelFrame: () => {} });
    const a = new FakeMedia(4);
    const b = new FakeMedia(2);
    group.add(a);
    group.add(b);
    clock.play();
    expect(a.paused || b.paused).toBe(false);
    clock.seek(3);
    expect(a.currentTime).toBeCloseTo(3);
    expect(b.currentTime).toBeCloseTo(1);
    clock.pause();
    expect(a.paused && b.paused).toBe(true);
    group.remove(b);
    clock.play();
    expect(b.paused).toBe(true);
    expect(frames.length).toBeGreaterThan(0);
    group.stop();
  });
});

describe("helpers", () => {
  it("solo leaves exactly one cell audible", () => {
    expect(soloMutes(3, 1)).toEqual([true, false, true]);
  });
  it("formats time with frames", () => {
    expect(formatTime(61.5)).toBe("1:01.12");
    expect(formatTime(0)).toBe("0:00.00");
  });
});

describe("syncGroup while paused", () => {
  it("keeps checking until a seek in flight has landed, then stops asking for frames", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4 });
    const frames = [];
    const group = syncGroup(clock, { requestFrame: (cb) => frames.push(cb), cancelFrame: () => {} });
    const media = new FakeMedia(4);
    media.seeking = true; // busy with an earlier seek when the user seeks
    group.add(media);
    clock.seek(2);
    expect(media.currentTime).toBe(0);
    const run = () => frames.splice(0).forEach((cb) => cb());
    run();
    expect(frames.length).toBe(1); // still unsettled: asks for another frame
    media.seeking = false;
    run(); // now it is corrected...
    expect(media.currentTime).toBeCloseTo(2);
    run(); // ...and confirmed in place
    expect(frames.length).toBe(0);
    group.stop();
  });
});

describe("syncGroup and late metadata", () => {
  it("puts a video that loads while paused at the paused position without waiting for play", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4 });
    const group = syncGroup(clock, { requestFrame: () => 1, cancelFrame: () => {} });
    clock.seek(1.5);
    const late = new FakeMedia(NaN, { readyState: 0 });
    group.add(late);
    expect(late.currentTime).toBe(0);
    late.duration = 4;
    late.readyState = 1;
    late.dispatchEvent(new Event("loadedmetadata"));
    expect(late.currentTime).toBeCloseTo(1.5);
    expect(late.paused).toBe(true);
    group.stop();
  });
});

describe("a clock that waits for its clips", () => {
  const frames = () => {
    const queue = [];
    return {
      requestFrame: (cb) => queue.push(cb),
      cancelFrame: () => {},
      run: () => queue.splice(0).forEach((cb) => cb()),
    };
  };

  it("holds its position while a clip on screen cannot play, then starts every clip together", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4 });
    const f = frames();
    const ready = new FakeMedia(4);
    const late = new FakeMedia(4, { readyState: 1 }); // metadata only: cannot play yet
    const group = syncGroup(clock, f);
    group.add(ready);
    group.add(late);
    clock.play();
    f.run();
    expect(clock.waiting).toBe(true);
    expect(group.waitingFor()).toBe(1);
    expect(ready.paused).toBe(true); // nobody runs ahead of the late clip
    now.advance(2);
    f.run();
    expect(clock.position()).toBe(0);
    late.readyState = 4;
    f.run();
    expect(clock.waiting).toBe(false);
    expect(group.waitingFor()).toBe(0);
    expect([ready.paused, late.paused]).toEqual([false, false]);
    expect([ready.currentTime, late.currentTime]).toEqual([0, 0]);
    now.advance(1);
    expect(clock.position()).toBeCloseTo(1);
  });

  it("does not wait for a clip off screen, a clip that failed, or one holding its last frame", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 4, loop: false });
    const f = frames();
    const offscreen = new FakeMedia(4, { readyState: 0 });
    offscreen.visible = false;
    const failed = new FakeMedia(4, { readyState: 0 });
    failed.error = { code: 4 };
    const short = new FakeMedia(2, { readyState: 2 });
    const group = syncGroup(clock, { ...f, gate: (m) => m.visible !== false });
    for (const m of [offscreen, failed, short]) group.add(m);
    clock.seek(3); // past the short clip's end
    clock.play();
    f.run();
    expect(clock.waiting).toBe(false);
    now.advance(0.5);
    expect(clock.position()).toBeCloseTo(3.5);
  });

  it("a stall while playing holds every clip until the stalled one can play again", () => {
    const now = fakeNow();
    const clock = new MasterClock({ now, period: 8 });
    const f = frames();
    const a = new FakeMedia(8);
    const b = new FakeMedia(8);
    const group = syncGroup(clock, f);
    group.add(a);
    group.add(b);
    clock.play();
    f.run();
    now.advance(1);
    a.tick(1);
    b.tick(1);
    f.run();
    b.readyState = 2; // b ran out of buffered data
    f.run();
    expect(clock.waiting).toBe(true);
    expect(a.paused).toBe(true);
    const held = clock.position();
    now.advance(3);
    expect(clock.position()).toBe(held);
    b.readyState = 4;
    f.run();
    expect(clock.waiting).toBe(false);
    expect(a.paused || b.paused).toBe(false);
  });
});
