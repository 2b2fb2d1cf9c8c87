// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildGrid } from "../src/grid.js";
import { FakeModel } from "./fakes.js";

const MINE = "A heron lifts off the reeds at dawn.";
const SENT = `${MINE} Soft amber light; a low wind hums.`;

let cleanups = [];
beforeAll(() => {
  // jsdom plays no media: the grid's clock only needs these to be harmless.
  window.HTMLMediaElement.prototype.play = () => Promise.resolve();
  window.HTMLMediaElement.prototype.pause = () => {};
});
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

function model() {
  const cell = (i, prompt, mine) => ({
    label: `prompt=${mine ? "enhanced" : "mine"}`,
    take_id: `t${i}`,
    status: "in_progress",
    progress: 10,
    error: "",
    seconds: 4,
    prompt,
    mine,
  });
  return new FakeModel({
    cells: [cell(0, MINE, ""), cell(1, SENT, MINE)],
    row_labels: [],
    col_labels: [{ text: "mine" }, { text: "enhanced" }],
    col_title: "prompt",
    loop: true,
    speed: 1,
    feedback: {},
  });
}

describe("grid cell prompt", () => {
  it("shows the prompt sent and offers the user's words beside an enhanced one", () => {
    const el = document.createElement("div");
    cleanups.push(buildGrid(model(), el));
    const cell = (i) => el.querySelector(`.sora-cell[data-cell="${i}"]`);
    const part = (i, role) => cell(i).querySelector(`[data-role="${role}"]`);
    const other = (i) => cell(i).querySelector('[data-action="other-prompt"]');
    // The user's own words, sent as written: nothing else to offer.
    expect(part(0, "prompt-head").textContent).toBe("prompt sent");
    expect(part(0, "prompt-text").textContent).toBe(MINE);
    expect(other(0).hidden).toBe(true);
    // An enhancer's rewrite: the one sent, labelled, and the user's words one click away.
    expect(cell(1).dataset.enhanced).toBe("true");
    expect(part(1, "prompt-head").textContent).toBe("prompt sent · enhanced");
    expect(part(1, "prompt-text").textContent).toBe(SENT);
    expect(other(1).hidden).toBe(false);
    other(1).click();
    expect(part(1, "prompt-head").textContent).toBe("your words (not sent)");
    expect(part(1, "prompt-text").textContent).toBe(MINE);
    expect(other(1).textContent).toBe("show enhanced");
    other(1).click();
    expect(part(1, "prompt-text").textContent).toBe(SENT);
  });
});
