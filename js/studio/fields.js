// The form's fields: prompts (one per line), a preset id, models (each with its credits per
// image), images per job and aspect ratio. Every choice offered comes from the kernel's `rules`.
import { h, plural } from "../shared/dom.js";

let nextId = 0;
const uid = (name) => `pai-studio-${name}-${(nextId += 1)}`;

function labelled(text, control) {
  const id = uid("field");
  control.id = id;
  return h("div", { class: "pai-studio-field" }, h("label", { for: id, text }), control);
}

/** The fields; `onChange(form)` gets the whole form after any edit; `show()` redraws from the model. */
export function formFields({ model, onChange }) {
  const rules = model.get("rules") || { models: [], aspect_ratios: [], num_images: { min: 1, max: 1 } };
  const prompts = h("textarea", { class: "pai-studio-prompts", rows: "4", placeholder: "on a marble table, soft light\nin a sunlit kitchen" });
  // JupyterLab's own keydown handler cancels the line break of an Enter typed anywhere in a cell
  // (its outputs too): the key stops here, so Enter makes a new line, the next prompt.
  prompts.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !(event.shiftKey || event.ctrlKey || event.metaKey || event.altKey)) event.stopPropagation();
  });
  const promptCount = h("p", { class: "pai-muted pai-studio-prompt-count", id: uid("count") });
  prompts.setAttribute("aria-describedby", promptCount.id);
  const preset = h("input", { type: "text", class: "pai-studio-preset", autocomplete: "off", spellcheck: "false" });
  const numImages = h("select", { class: "pai-studio-num-images" });
  for (let n = rules.num_images.min; n <= rules.num_images.max; n += 1) numImages.append(h("option", { value: n, text: n }));
  const ratio = h("select", { class: "pai-studio-ratio" });
  for (const value of rules.aspect_ratios) ratio.append(h("option", { value, text: value }));
  const models = h("fieldset", { class: "pai-studio-models" }, h("legend", { text: "Models" }));
  const boxes = rules.models.map(({ name, credits_per_image: credits }) => {
    const box = h("input", { type: "checkbox", value: name, class: "pai-studio-model", id: uid("model") });
    models.append(
      h("label", { class: "pai-studio-model-option", for: box.id }, box, h("span", { text: name }), h("span", { class: "pai-muted", text: `${plural(credits, "credit")} per image` })),
    );
    return box;
  });

  function current() {
    return {
      prompts: prompts.value,
      preset_id: preset.value,
      models: boxes.filter((box) => box.checked).map((box) => box.value),
      num_images: Number(numImages.value),
      aspect_ratio: ratio.value,
    };
  }
  for (const control of [prompts, preset, numImages, ratio, ...boxes]) {
    control.addEventListener(control.tagName === "SELECT" || control.type === "checkbox" ? "change" : "input", () => onChange(current()));
  }

  function show() {
    const form = model.get("form") || {};
    // a field being typed in keeps what is typed: Python's copy of it lags a message behind
    if (document.activeElement !== prompts && prompts.value !== (form.prompts ?? "")) prompts.value = form.prompts ?? "";
    if (document.activeElement !== preset && preset.value !== (form.preset_id ?? "")) preset.value = form.preset_id ?? "";
    numImages.value = String(form.num_images ?? rules.num_images.default);
    ratio.value = form.aspect_ratio ?? rules.default_aspect_ratio;
    const chosen = new Set(form.models || []);
    for (const box of boxes) box.checked = chosen.has(box.value);
  }

  const element = h(
    "div",
    { class: "pai-studio-fields" },
    h("div", { class: "pai-studio-field pai-studio-prompts-field" }, h("label", { for: (prompts.id = uid("prompts")), text: "Prompts, one per line" }), prompts, promptCount),
    models,
    h("div", { class: "pai-studio-settings" }, labelled("Images per job", numImages), labelled("Aspect ratio", ratio), labelled("Preset id (optional)", preset)),
  );
  return { element, show, current, promptCount, focusPrompts: () => prompts.focus() };
}
