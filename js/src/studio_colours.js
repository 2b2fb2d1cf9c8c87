// Swatch colours for palette chips. The palette words colourists use, mapped to a CSS colour;
// any other word is tried as a CSS colour name, else the chip gets a neutral swatch.

const NAMED = {
  amber: "#ffbf00",
  "deep navy": "#0b1a3d",
  cream: "#fffdd0",
  "walnut brown": "#5d432c",
  rust: "#b7410e",
  sand: "#c2b280",
  ochre: "#cc7722",
  scarlet: "#ff2400",
  golden: "#ffc83d",
  mustard: "#e1ad01",
  emerald: "#50c878",
  sage: "#9caf88",
  mint: "#98ff98",
  cobalt: "#0047ab",
  peach: "#ffe5b4",
  "off-white": "#faf9f6",
  charcoal: "#36454f",
  burgundy: "#800020",
  copper: "#b87333",
  bronze: "#cd7f32",
  lilac: "#c8a2c8",
  "neon pink": "#ff44cc",
  "neon green": "#39ff14",
  "sodium orange": "#ff9a2e",
  "warm white": "#fdf4dc",
  "cool blue": "#6fa8dc",
  bone: "#e3dac9",
  terracotta: "#e2725b",
  "pastel pink": "#ffd1dc",
  "pastel blue": "#aec6cf",
};

/** A CSS colour for a palette word (the swatch beside its name). */
export function swatchColour(name) {
  const key = String(name ?? "").trim().toLowerCase();
  if (NAMED[key]) return NAMED[key];
  const css = key.replace(/\s+/g, "");
  // Only plain colour names reach the style engine, never arbitrary text.
  if (/^[a-z]+$/.test(css) && typeof CSS !== "undefined" && CSS.supports && CSS.supports("color", css)) return css;
  return "#8a8a8a";
}
