import { afterEach, describe, expect, test, vi } from "vitest";
import table from "../lib/plan_cases.json";
import { mount } from "../tests/fake_model.js";
import Studio from "./index.js";

const { rules } = table;
// jsdom's Blob has no arrayBuffer() (every browser has): read it as browsers did before it
Blob.prototype.arrayBuffer ??= function arrayBuffer() {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(this);
  });
};
const PNG_HEAD = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const png = (name = "lamp.png", size = 200) => new File([Uint8Array.from([...PNG_HEAD, ...new Array(size - 8).fill(0)])], name, { type: "image/png" });
const gif = () => new File([Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0, 0])], "anim.gif", { type: "image/gif" });
// 12 MB that start like a PNG, without holding 12 MB: only its size and first bytes are read here
const huge = () => {
  const file = png("huge.png");
  Object.defineProperty(file, "size", { value: 12 * 1024 * 1024 });
  return file;
};
const ready = (name, n = 1) => ({ key: `k${n}`, name, state: "ready", reason: "", asset_id: `asset_${n}` });
const FORM = { prompts: "", preset_id: "", models: ["nanobanana2"], num_images: 1, aspect_ratio: "1:1" };

let widget;
function show(extra = {}) {
  widget = mount(Studio, {
    rules, form: FORM, inputs: [], thumbnails: {}, assets: [], assets_status: "", busy: false, message: "", views: [],
    account: { plan: "pro", balance: 500, problem: "" }, ...extra,
  });
  widget.sent = [];
  widget.model.send = (message, _callbacks, buffers) => widget.sent.push({ message, buffers });
  return widget;
}
const $ = (selector) => widget.el.querySelector(selector);
const $$ = (selector) => [...widget.el.querySelectorAll(selector)];
const WAIT = { timeout: 5_000 }; // reading a File is asynchronous; a busy machine is slow
function fire(target, type, property, files) {
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(event, property, { value: { files, items: [], types: ["Files"] } });
  target.dispatchEvent(event);
  return event;
}
const type = (selector, value) => {
  $(selector).value = value;
  $(selector).dispatchEvent(new Event("input", { bubbles: true }));
};
const fact = (name) => $(`.pai-fact-${name} dd`).textContent;

afterEach(() => {
  widget?.cleanup();
  document.body.replaceChildren();
});

describe("input images", () => {
  test("a dropped PNG is sent to the kernel with its bytes; the drop is not the browser's", async () => {
    show();
    const event = fire($(".pai-studio-drop"), "drop", "dataTransfer", [png()]);
    expect(event.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(widget.sent).toHaveLength(1), WAIT);
    const [{ message, buffers }] = widget.sent;
    expect(message).toMatchObject({ type: "upload", name: "lamp.png" });
    expect(new Uint8Array(buffers[0]).slice(0, 8)).toEqual(Uint8Array.from(PNG_HEAD));
  });

  test("a pasted image is sent too, wherever the focus is in the studio", async () => {
    show();
    fire($(".pai-studio-prompts"), "paste", "clipboardData", [png("image.png")]);
    await vi.waitFor(() => expect(widget.sent.map((s) => s.message.name)).toEqual(["image.png"]), WAIT);
    // text pasted into the prompts is the browser's to insert
    expect(fire($(".pai-studio-prompts"), "paste", "clipboardData", []).defaultPrevented).toBe(false);
  });

  test("a GIF and a 12 MB file are refused at once, on the file, and never sent", async () => {
    show();
    fire($(".pai-studio-drop"), "drop", "dataTransfer", [gif(), huge()]);
    await vi.waitFor(() => expect($$(".pai-studio-input")).toHaveLength(2), WAIT);
    expect(widget.sent).toEqual([]);
    const rows = $$(".pai-studio-input");
    expect(rows.map((row) => [row.dataset.name, row.dataset.state])).toEqual([["anim.gif", "refused"], ["huge.png", "refused"]]);
    expect(rows[0].querySelector(".pai-studio-input-reason").textContent).toBe("is a GIF image: the API takes JPEG, PNG or WebP");
    expect(rows[1].querySelector(".pai-studio-input-reason").textContent).toBe("is 12.0 MB: input images may be at most 10.0 MB");
    rows[0].querySelector(".pai-studio-input-remove").click();
    expect($$(".pai-studio-input")).toHaveLength(1);
  });

  test("with no kernel to send it to, a file says so on itself", async () => {
    show();
    widget.model.send = () => {
      throw new Error("no comm channel");
    };
    fire($(".pai-studio-drop"), "drop", "dataTransfer", [png()]);
    await vi.waitFor(() => expect($(".pai-studio-input-reason")?.textContent).toMatch(/no kernel/), WAIT);
  });

  test("each of the kernel's inputs shows its state, and why when refused", () => {
    show({ inputs: [{ key: "a", name: "cut.png", state: "refused", reason: "is a damaged or truncated PNG" }, { key: "b", name: "b.png", state: "sending" }, ready("c.png")] });
    expect($$(".pai-studio-input-state").map((chip) => chip.textContent)).toEqual(["refused", "sending…", "ready"]);
    expect($(".pai-studio-input-reason").textContent).toBe("is a damaged or truncated PNG");
    $$(".pai-studio-input-remove")[2].click();
    expect(widget.sent.map((s) => s.message)).toEqual([{ type: "remove", key: "k1" }]);
  });

  test("the uploaded images are listed when asked and one is chosen with a click", () => {
    show();
    $(".pai-studio-assets-open").click();
    expect(widget.sent.map((s) => s.message)).toEqual([{ type: "assets" }]);
    expect(document.activeElement).toBe($(".pai-studio-assets-close"));
    widget.model.set("assets", [{ asset_id: "asset_9", name: "pack shot", width: 800, height: 600 }]);
    widget.model.set("assets_status", "loaded");
    expect($(".pai-studio-assets-status").textContent).toBe("1 image");
    $('.pai-studio-asset[data-asset-id="asset_9"]').click();
    expect(widget.sent.at(-1).message).toEqual({ type: "choose_asset", asset_id: "asset_9" });
    $(".pai-studio-assets").dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect($(".pai-studio-assets").hidden).toBe(true);
    expect(document.activeElement).toBe($(".pai-studio-assets-open"));
  });
});

describe("the form and its cost", () => {
  test("every model is offered with its credits per image, from the rules", () => {
    show();
    const options = $$(".pai-studio-model-option").map((label) => label.textContent);
    expect(options).toEqual(rules.models.map((m) => `${m.name}${m.credits_per_image} credit${m.credits_per_image === 1 ? "" : "s"} per image`));
    expect($$(".pai-studio-num-images option").map((o) => o.value)).toEqual(["1", "2", "3", "4"]);
    expect($$(".pai-studio-ratio option").map((o) => o.value)).toEqual(rules.aspect_ratios);
  });

  test("Generate is disabled with its reason in visible text until the form can go", () => {
    show();
    expect($(".pai-studio-generate").disabled).toBe(true);
    expect($(".pai-studio-why").textContent).toMatch(/^Add an input image/);
    widget.model.set("inputs", [ready("lamp.png")]);
    expect($(".pai-studio-why").textContent).toBe("Write a prompt (one per line), or give a preset id.");
    type(".pai-studio-prompts", "on marble");
    expect($(".pai-studio-generate").disabled).toBe(false);
    $(".pai-studio-generate").click();
    expect(widget.sent.map((s) => s.message)).toEqual([{ type: "generate" }]);
    widget.model.set("views", ["IPY_MODEL_board1"]); // (no host here: the board is not drawn)
    expect($(".pai-studio-why").textContent).toBe("Ready: Generate makes another batch.");
  });

  test("2 prompts x 2 models x 2 images: the preview counts jobs, images and credits against the balance", () => {
    show({ inputs: [ready("lamp.png")] });
    type(".pai-studio-prompts", "on marble\non oak");
    $('.pai-studio-model[value="nanobananapro"]').click();
    const images = $(".pai-studio-num-images");
    images.value = "2";
    images.dispatchEvent(new Event("change", { bubbles: true }));
    expect([fact("jobs"), fact("images"), fact("credits")]).toEqual(["4", "8", "52 (500 left)"]);
    expect(fact("time")).toBe("4 requests, within one rate-limit window (pro plan)");
    expect(widget.model.get("form")).toEqual({ prompts: "on marble\non oak", preset_id: "", models: ["nanobanana2", "nanobananapro"], num_images: 2, aspect_ratio: "1:1" });
    expect($(".pai-studio-prompt-count").textContent).toBe("2 prompts");
    widget.model.set("account", { plan: "pro", balance: 40, problem: "" });
    expect($(".pai-studio-generate").disabled).toBe(true);
    expect($(".pai-studio-why").textContent).toBe("This batch needs 52 credits and the account has 40: remove a model, a prompt or an image.");
    expect($(".pai-fact-credits").dataset.over).toBe("true");
  });

  test("a form filled from Python shows in the fields", () => {
    show();
    widget.model.set("form", { prompts: "a\nb", preset_id: "preset_1", models: ["seedream", "gpt-high"], num_images: 3, aspect_ratio: "16:9" });
    expect($(".pai-studio-prompts").value).toBe("a\nb");
    expect($(".pai-studio-preset").value).toBe("preset_1");
    expect($$(".pai-studio-model").filter((box) => box.checked).map((box) => box.value)).toEqual(["seedream", "gpt-high"]);
    expect([$(".pai-studio-num-images").value, $(".pai-studio-ratio").value]).toEqual(["3", "16:9"]);
  });

  test("the kernel's refusal of Generate shows as an alert", () => {
    show({ message: "This batch needs 52 credits and the account has 40; nothing was sent" });
    expect($(".pai-studio-message").textContent).toMatch(/nothing was sent/);
    expect($(".pai-studio-message").getAttribute("role")).toBe("alert");
  });
});

describe("keyboard and labels", () => {
  test("every control has a name a screen reader says", () => {
    show({ inputs: [ready("lamp.png")], assets: [{ asset_id: "asset_9", name: "pack" }], assets_status: "loaded" });
    const unnamed = $$("button, input:not([type=file]), select, textarea").filter((control) => {
      const label = control.id && widget.el.querySelector(`label[for="${control.id}"]`);
      return !(control.getAttribute("aria-label") || control.textContent.trim() || label?.textContent.trim());
    });
    expect(unnamed).toEqual([]);
  });

  test("the widget's keys are kept from the notebook", () => {
    show();
    expect($(".pai-studio").hasAttribute("data-pai-keys")).toBe(true);
    expect($(".pai-studio-drop").tabIndex).toBe(0);
  });
});

describe("the batch below", () => {
  test("each view of the batch is drawn through the host, once", async () => {
    const render = vi.fn(async ({ el }) => el.append("board"));
    const host = { getWidget: vi.fn(async () => ({ render })) };
    const model = { views: [] };
    widget = mount({ render: (props) => Studio.render({ ...props, host }) }, { rules, form: FORM, inputs: [], thumbnails: {}, account: {}, ...model });
    widget.model.set("views", ["IPY_MODEL_board1"]);
    await vi.waitFor(() => expect(render).toHaveBeenCalled(), WAIT);
    widget.model.set("views", ["IPY_MODEL_board1"]);
    expect(host.getWidget.mock.calls).toEqual([["anywidget:board1"]]);
    expect($(".pai-studio-batch").textContent).toBe("board");
  });

  test("a page that cannot draw it says where the batch is and how to show it", async () => {
    const host = { getWidget: vi.fn(async () => Promise.reject(new Error("Model not found"))) };
    vi.spyOn(console, "warn").mockImplementation(() => {});
    widget = mount({ render: (props) => Studio.render({ ...props, host }) }, { rules, form: FORM, inputs: [], thumbnails: {}, account: {}, views: [] });
    widget.model.set("views", ["IPY_MODEL_board1"]);
    await vi.waitFor(() => expect($(".pai-studio-batch").textContent).toMatch(/studio\.batch in Python.*pai\.BatchBoard\(studio\.batch\)/), WAIT);
    // and says so to the kernel: a change from the page, on which marimo reruns the cells reading the studio
    expect(widget.model.get("undrawn")).toBe("board1");
    expect(widget.model.saves).toBe(1);
  });
});
