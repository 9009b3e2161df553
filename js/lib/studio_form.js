// The studio form's rules, DOM-free. Every number and name (models and their credits, 1-4 images,
// aspect ratios, formats and their first bytes, 10 MB, rate limits) comes from the kernel's `rules`
// trait, built from contract.py: nothing here keeps a copy of them.

/** Megabytes as the kernel writes them: "12.0 MB" (1 MB = 1024 * 1024 bytes, as the 10 MB limit). */
export function megabytes(size) {
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

function bytesOfHex(hex) {
  return Array.from({ length: hex.length / 2 }, (_, n) => parseInt(hex.slice(2 * n, 2 * n + 2), 16));
}

/** The format a file's first bytes say ("png", "gif", ...), or null: by content, never by its name. */
export function sniffFormat(head, rules) {
  for (const [name, parts] of Object.entries(rules.signatures || {})) {
    const matches = parts.every(([offset, hex]) => bytesOfHex(hex).every((byte, n) => head[offset + n] === byte));
    if (matches) return name;
  }
  return null;
}

/** "JPEG, PNG or WebP": the formats the API takes, as people name them. */
export function takenFormats(rules) {
  const names = rules.input_formats.map((format) => rules.format_names[format] || format);
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : names.join("");
}

/**
 * Why the browser refuses a file at once, in the kernel's words ("" when it may be sent): over the
 * size limit, or not a format the API takes by its first bytes. `head` holds at least 16 bytes.
 */
export function refusedInBrowser({ size, head }, rules) {
  if (size > rules.max_upload_bytes) {
    return `is ${megabytes(size)}: input images may be at most ${megabytes(rules.max_upload_bytes)}`;
  }
  const kind = sniffFormat(head, rules);
  if (!rules.input_formats.includes(kind)) {
    const what = kind ? `a ${rules.format_names[kind] || kind} image` : "not an image the API reads";
    return `is ${what}: the API takes ${takenFormats(rules)}`;
  }
  return "";
}

/** The prompts of the textarea: one per line, trimmed, blank lines and repeats dropped (as the batch does). */
export function promptLines(text) {
  return [...new Set(String(text || "").split(/\r?\n/).map((line) => line.trim()).filter(Boolean))];
}

export function creditsPerImage(rules, model) {
  return rules.models.find((entry) => entry.name === model)?.credits_per_image ?? 0;
}

/**
 * What the batch will make and cost, with the arithmetic of the kernel's `plan_batch` (a table of
 * cases checks both agree): inputs x prompts x models jobs; credits per image x images; one
 * request per job (the studio's inputs are uploaded as they are added, before any plan, so none is
 * left to count); the first `limit` requests at once, each next `limit` a window later.
 */
export function planPreview({ inputs, prompts, models, numImages, presetId = "" }, rules, plan) {
  const promptCount = promptLines(prompts).length || (presetId.trim() ? 1 : 0);
  const modelList = [...new Set(models)];
  const perCombination = inputs * promptCount;
  const jobs = perCombination * modelList.length;
  const credits = modelList.reduce((sum, model) => sum + perCombination * creditsPerImage(rules, model) * numImages, 0);
  const limit = rules.rate_limits_per_minute[plan] ?? rules.rate_limits_per_minute[rules.slowest_plan];
  const seconds = jobs > 0 ? Math.floor((jobs - 1) / limit) * rules.window_seconds : 0;
  return { jobs, images: jobs * numImages, credits, requests: jobs, seconds };
}

/**
 * Why Generate cannot be pressed yet, in a sentence the user can act on; "" when it can.
 * `inputs` are the kernel's (state "sending" | "ready" | "refused"); `balance` null when unknown.
 */
export function whyNotSendable(form, inputs, rules, { balance = null, plan = "", busy = false } = {}) {
  if (busy) return "Making the batch…";
  const ready = inputs.filter((input) => input.state === "ready").length;
  const sending = inputs.filter((input) => input.state === "sending").length;
  if (sending > 0) return `Waiting for ${sending} input image${sending === 1 ? "" : "s"} to finish uploading.`;
  if (ready === 0) return "Add an input image: drop, paste or pick one, or choose an uploaded one.";
  if (!promptLines(form.prompts).length && !String(form.preset_id || "").trim()) {
    return "Write a prompt (one per line), or give a preset id.";
  }
  const known = new Set(rules.models.map((model) => model.name));
  if (!(form.models || []).some((model) => known.has(model))) return "Choose at least one model.";
  const { min, max } = rules.num_images;
  if (!Number.isInteger(form.num_images) || form.num_images < min || form.num_images > max) {
    return `Images per job must be ${min} to ${max}.`;
  }
  if (!rules.aspect_ratios.includes(form.aspect_ratio)) return `Choose an aspect ratio: ${rules.aspect_ratios.join(", ")}.`;
  const plan_ = planPreview(previewInputs(form, inputs), rules, plan);
  if (balance !== null && plan_.credits > balance) {
    return `This batch needs ${plan_.credits} credits and the account has ${balance}: remove a model, a prompt or an image.`;
  }
  return "";
}

/** The preview's inputs from the form and the kernel's inputs (only those ready count). */
export function previewInputs(form, inputs) {
  return {
    inputs: inputs.filter((input) => input.state === "ready").length,
    prompts: form.prompts,
    models: (form.models || []).filter(Boolean),
    numImages: form.num_images,
    presetId: form.preset_id || "",
  };
}

/** "under a minute" / "about 3 min": the time the rate limit makes the requests take. */
export function sendingTime(seconds) {
  if (seconds <= 0) return "within one rate-limit window";
  const minutes = Math.round(seconds / 60);
  return minutes >= 1 ? `about ${minutes} min` : `about ${Math.round(seconds)} s`;
}
