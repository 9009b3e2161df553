import { describe, expect, test } from "vitest";
import {
  megabytes,
  previewInputs,
  planPreview,
  promptLines,
  refusedInBrowser,
  sendingTime,
  sniffFormat,
  takenFormats,
  whyNotSendable,
} from "./studio_form.js";
import table from "./plan_cases.json";

// The kernel's rules and a table of plans: tests/notebook/test_studio_plan.py checks that the
// rules are what the kernel sends and that `plan_batch` gives each case's expected numbers.
const { rules, cases } = table;

const bytes = (...values) => Uint8Array.from(values);
const PNG = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13);
const GIF = bytes(0x47, 0x49, 0x46, 0x38, 0x39, 0x61);
const WEBP = bytes(0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50);
const form = (extra = {}) => ({ prompts: "on marble", preset_id: "", models: ["nanobanana2"], num_images: 1, aspect_ratio: "1:1", ...extra });
const ready = [{ key: "a", name: "lamp.png", state: "ready", asset_id: "asset_1" }];

describe("the cost preview", () => {
  test.each(cases.map((c) => [c.inputs, c.prompts.split("\n").length, c.models.join(","), c.plan, c]))(
    "%i input(s) x %i line(s) x [%s] on %s agrees with the kernel's plan_batch",
    (_inputs, _lines, _models, _plan, c) => {
      const preview = planPreview({ inputs: c.inputs, prompts: c.prompts, models: c.models, numImages: c.num_images, presetId: c.preset_id }, rules, c.plan);
      expect(preview).toEqual(c.expected);
    },
  );

  test("2 prompts x 2 models x 2 images of one input: 4 jobs, 8 images, credits of both models", () => {
    const preview = planPreview({ inputs: 1, prompts: "a\nb", models: ["nanobanana2", "nanobananapro"], numImages: 2 }, rules, "pro");
    expect(preview).toMatchObject({ jobs: 4, images: 8, credits: 2 * 2 * 5 + 2 * 2 * 8 });
  });

  test("on Free, 25 requests take two more windows: sent in about 2 min", () => {
    const preview = planPreview({ inputs: 1, prompts: "a", models: ["nanobanana2"], numImages: 1 }, rules, "free");
    expect(preview.seconds).toBe(0);
    const many = planPreview({ inputs: 25, prompts: "a", models: ["nanobanana2"], numImages: 1 }, rules, "free");
    expect(many.seconds).toBe(120);
    expect(sendingTime(many.seconds)).toBe("about 2 min");
    expect(sendingTime(0)).toBe("within one rate-limit window");
  });
});

describe("files checked in the browser", () => {
  test("type by content, not by name", () => {
    expect(sniffFormat(PNG, rules)).toBe("png");
    expect(sniffFormat(GIF, rules)).toBe("gif");
    expect(sniffFormat(WEBP, rules)).toBe("webp");
    expect(sniffFormat(bytes(1, 2, 3), rules)).toBeNull();
  });

  test("a GIF and an unknown file are refused in the kernel's words", () => {
    expect(refusedInBrowser({ size: 100, head: GIF }, rules)).toBe("is a GIF image: the API takes JPEG, PNG or WebP");
    expect(refusedInBrowser({ size: 100, head: bytes(104, 105) }, rules)).toBe("is not an image the API reads: the API takes JPEG, PNG or WebP");
    expect(takenFormats(rules)).toBe("JPEG, PNG or WebP");
  });

  test("10 MB passes, a byte more is refused with both sizes", () => {
    expect(refusedInBrowser({ size: rules.max_upload_bytes, head: PNG }, rules)).toBe("");
    expect(refusedInBrowser({ size: 12 * 1024 * 1024, head: PNG }, rules)).toBe("is 12.0 MB: input images may be at most 10.0 MB");
    expect(megabytes(rules.max_upload_bytes + 1)).toBe("10.0 MB");
    expect(refusedInBrowser({ size: rules.max_upload_bytes + 1, head: PNG }, rules)).not.toBe("");
  });
});

describe("why Generate cannot be pressed", () => {
  test("prompts are lines, trimmed, blank and repeated ones dropped", () => {
    expect(promptLines(" on marble \n\non oak\r\non marble\n")).toEqual(["on marble", "on oak"]);
  });

  test("each missing piece says what to do", () => {
    expect(whyNotSendable(form(), [], rules)).toMatch(/^Add an input image/);
    expect(whyNotSendable(form(), [{ key: "a", name: "x.png", state: "sending" }, ...ready], rules)).toBe("Waiting for 1 input image to finish uploading.");
    expect(whyNotSendable(form({ prompts: " \n " }), ready, rules)).toBe("Write a prompt (one per line), or give a preset id.");
    expect(whyNotSendable(form({ prompts: "", preset_id: "preset_1" }), ready, rules)).toBe("");
    expect(whyNotSendable(form({ models: [] }), ready, rules)).toBe("Choose at least one model.");
    expect(whyNotSendable(form({ num_images: 5 }), ready, rules)).toBe("Images per job must be 1 to 4.");
    expect(whyNotSendable(form({ aspect_ratio: "2:1" }), ready, rules)).toMatch(/^Choose an aspect ratio: 1:1, /);
    expect(whyNotSendable(form(), ready, rules, { busy: true })).toBe("Making the batch…");
  });

  test("a refused file does not count as an input", () => {
    expect(whyNotSendable(form(), [{ key: "g", name: "a.gif", state: "refused", reason: "is a GIF" }], rules)).toMatch(/^Add an input image/);
  });

  test("over the balance, by exactly one credit, it says both numbers", () => {
    const twoModels = form({ prompts: "a\nb", models: ["nanobanana2", "nanobananapro"], num_images: 2 }); // 52 credits
    expect(whyNotSendable(twoModels, ready, rules, { balance: 52 })).toBe("");
    expect(whyNotSendable(twoModels, ready, rules, { balance: 51 })).toBe(
      "This batch needs 52 credits and the account has 51: remove a model, a prompt or an image.",
    );
    expect(whyNotSendable(twoModels, ready, rules, { balance: null })).toBe("");
  });
});

describe("the preview and the Generate button, at their edges", () => {
  const only = (inputs, extra = {}) => planPreview(previewInputs(form(extra), inputs), rules, "free");

  test("no prompt, a blank preset or nothing at all: no job, no request, no wait", () => {
    expect(planPreview({ inputs: 1, prompts: "", models: ["nanobanana2"], numImages: 1 }, rules, "free")).toEqual({
      jobs: 0, images: 0, credits: 0, requests: 0, seconds: 0,
    });
    expect(planPreview({ inputs: 1, prompts: "", models: ["nanobanana2"], numImages: 1, presetId: "  " }, rules, "free").jobs).toBe(0);
    expect(promptLines("")).toEqual([]);
    expect(promptLines(null)).toEqual([]);
    expect(whyNotSendable(form({ prompts: "", preset_id: "  " }), ready, rules)).toBe("Write a prompt (one per line), or give a preset id.");
  });

  test("the preview counts only the ready inputs, the chosen models and the preset as one prompt", () => {
    const refused = { key: "g", name: "a.gif", state: "refused", reason: "is a GIF" };
    expect(only([...ready, refused]).jobs).toBe(1);
    expect(only(ready, { models: ["nanobanana2", ""] }).jobs).toBe(1);
    expect(only(ready, { models: undefined }).jobs).toBe(0);
    expect(only(ready, { prompts: "", preset_id: "preset_1" })).toMatchObject({ jobs: 1, credits: 5 });
    expect(only(ready, { prompts: "", preset_id: null }).jobs).toBe(0);
  });

  test("a model the rules do not list costs nothing in the preview rather than breaking it", () => {
    expect(planPreview({ inputs: 1, prompts: "a", models: ["nanobanana2", "retired-model"], numImages: 1 }, rules, "pro")).toMatchObject({
      jobs: 2,
      credits: 5,
    });
  });

  test("images per job: 1 to 4 whole images", () => {
    expect(whyNotSendable(form({ num_images: 4 }), ready, rules)).toBe("");
    expect(whyNotSendable(form({ num_images: 0 }), ready, rules)).toBe("Images per job must be 1 to 4.");
    expect(whyNotSendable(form({ num_images: 2.5 }), ready, rules)).toBe("Images per job must be 1 to 4.");
    expect(whyNotSendable(form({ models: undefined }), ready, rules)).toBe("Choose at least one model.");
  });

  test("two uploads under way are counted in the plural", () => {
    const sending = [1, 2].map((n) => ({ key: `s${n}`, name: `${n}.png`, state: "sending" }));
    expect(whyNotSendable(form(), [...sending, ...ready], rules)).toBe("Waiting for 2 input images to finish uploading.");
  });

  test("the sending time: a minute reads as a minute, less as seconds", () => {
    expect(sendingTime(60)).toBe("about 1 min");
    expect(sendingTime(20)).toBe("about 20 s");
  });
});

describe("formats by their first bytes, whole signatures only", () => {
  test("a RIFF file that is not WebP (a WAV sound) is not an image the API reads", () => {
    const wav = bytes(0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45, 0, 0, 0, 0);
    expect(sniffFormat(wav, rules)).toBeNull();
    expect(refusedInBrowser({ size: 100, head: wav }, rules)).toBe("is not an image the API reads: the API takes JPEG, PNG or WebP");
  });

  test("a file that shares only a first byte with JPEG is not a JPEG", () => {
    expect(sniffFormat(bytes(0xff, 0x00, 0x00, 0x00), rules)).toBeNull();
  });

  test("when the API takes a single format, the message names it alone", () => {
    expect(takenFormats({ ...rules, input_formats: ["png"] })).toBe("PNG");
  });
});
