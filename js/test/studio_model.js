// A studio's widget model as the kernel fills it, for the studio's view tests.
import { FakeModel } from "./fakes.js";

export const XSS = "<img src=x onerror=alert(1)> a kite";
export const REASON = "sora-2 renders 1280x720 or 720x1280; 1792x1024 needs sora-2-pro.";

/** A studio model with every trait set (`overrides` replace some). */
export function studioModel(overrides = {}) {
  return new FakeModel({
    prose: "",
    style: "",
    subject: XSS,
    action: ["dips", "climbs"],
    scene: { setting: "over the dunes", time_of_day: "dusk" },
    camera: { framing: "wide", lens_mm: 35, film_stock: "Agfa Vista <b>200</b>" },
    lighting: {},
    palette: ["amber", "teal", "cream"],
    mood: "",
    dialogue: [{ speaker: "Girl", line: "Higher!" }],
    audio: { ambience: ["wind"] },
    avoid: [],
    shots: [],
    model: "sora-2",
    size: "1280x720",
    seconds: 4,
    takes: 1,
    model_options: ["sora-2", "sora-2-pro"],
    size_options: ["1280x720", "720x1280", "1792x1024"],
    seconds_options: [4, 8, 12],
    // As the kernel sends them: the options table's rows the studio shows.
    option_specs: [
      { name: "seed", label: "Seed", kind: "int", min: 0, max: 2 ** 53 - 1, placeholder: "chosen per take", help: "" },
      { name: "negative_prompt", label: "Negative prompt", kind: "text", min: null, max: 32000, placeholder: "what to keep out", help: "" },
      { name: "steps", label: "Steps", kind: "int", min: 1, max: 200, placeholder: "model default", help: "" },
      { name: "guidance", label: "Guidance", kind: "float", min: 0, max: 20, placeholder: "model default", help: "" },
    ],
    options: {},
    choices: {
      framing: [
        { value: "wide", label: "Wide shot" },
        { value: "close-up", label: "Close-up" },
      ],
      angle: [{ value: "low-angle", label: "Low angle" }],
      movement: [{ value: "push-in", label: "Push-in (dolly in)" }],
      rig: [{ value: "drone", label: "Drone" }],
      depth_of_field: [{ value: "shallow", label: "Shallow depth of field" }],
      film_stock: [{ value: "Kodak Vision3 500T", label: "Kodak Vision3 500T" }],
      time_of_day: [{ value: "dusk", label: "Dusk" }],
      weather: [{ value: "rain", label: "Rain" }],
      colours: ["amber", "teal", "cream", "rust"],
      moods: ["serene"],
      styles: ["1970s film", "anime"],
      lens_range: [12, 200],
      aperture_stops: [1.4, 2, 2.8, 4, 5.6, 8, 11, 16, 22],
      palette_max: 5,
      max_takes: 6,
    },
    prompt_text: `Subject: ${XSS}`,
    word_count: 7,
    lint: [{ severity: "warning", message: "<b>two</b> actions in one shot" }],
    cost_text: "1 take × 4 s: about $0.40",
    ladder_preview: [
      { level: "short", words: 4, text: "Subject: a kite" },
      { level: "medium", words: 9, text: "Subject: a kite\nSetting: dunes" },
      { level: "long", words: 20, text: XSS },
    ],
    disabled_reasons: { "size:1792x1024": REASON },
    blocked: "",
    compare_blocked: "",
    handled: 0,
    status: "",
    error: "",
    result: null,
    characters: [],
    character_options: [],
    characters_blocked: "",
    shot_by_shot: false,
    enhance: false,
    enhancer: "",
    ...overrides,
  });
}
