import { afterEach, describe, expect, test, vi } from "vitest";
import { mount } from "../tests/fake_model.js";
import { ROW_HEIGHT } from "./grid.js";
import Board from "./index.js";

const NOW = Date.now();
const iso = (secondsFromNow) => new Date(NOW + secondsFromNow * 1000).toISOString();
const image = (job, n) => ({ url: `https://cdn.example/${job}_${n}.jpg`, width: 1024, height: 1024 });
const AXES = { input: ["shoe.png"], prompt: ["on marble", "on sand"], model: ["nanobanana2", "seedream"] };

// 1 input x 2 prompts x 2 models, 2 images each: two done, one running, one waiting to be sent
function cells() {
  return [
    { at: [0, 0, 0], stage: "created", job_id: "job_a", status: "completed", progress: 100, images: [image("a", 0), image("a", 1)], picks: [], credits: 8, num_images: 2 },
    { at: [0, 0, 1], stage: "created", job_id: "job_b", status: "completed", progress: 100, images: [image("b", 0), image("b", 1)], picks: [], credits: 4, num_images: 2 },
    { at: [0, 1, 0], stage: "created", job_id: "job_c", status: "processing", progress: 40, images: [], picks: [], created_at: iso(-10), estimate: 30, num_images: 2 },
    { at: [0, 1, 1], stage: "queued", job_id: null, status: null, progress: 0, images: [], picks: [], num_images: 2 },
  ];
}

let widget;
function show(extra = {}) {
  widget = mount(Board, { _memory_key: `board-${Math.random()}`, name: "shoes", axes: AXES, cells: cells(), thumbnails: {}, rate: null, budget: null, ...extra });
  return widget;
}
const $ = (selector) => widget.el.querySelector(selector);
const $$ = (selector) => [...widget.el.querySelectorAll(selector)];
const fact = (name) => $(`.pai-fact-${name} dd`).textContent;
const press = (key, target = document.activeElement, extra = {}) => {
  const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...extra });
  target.dispatchEvent(event);
  return event;
};

afterEach(() => {
  widget?.cleanup();
  document.body.replaceChildren();
  vi.restoreAllMocks();
});

describe("the grid", () => {
  test("prompts are rows and models columns, each job in its place", () => {
    show();
    expect($$(".pai-board-colhead").map((c) => c.textContent)).toEqual(["nanobanana2", "seedream"]);
    expect($$(".pai-board-rowhead").map((c) => c.textContent)).toEqual(["on marble", "on sand"]);
    const rows = $$(".pai-board-body .pai-board-row");
    expect(rows[0].querySelectorAll(".pai-board-image")).toHaveLength(4);
    expect(rows[1].querySelector(".pai-board-state-text").textContent).toBe("running · 40%");
    expect(rows[1].querySelectorAll(".pai-board-state-text")[1].textContent).toBe("waiting to be sent");
  });

  test("a failed create shows its error in its cell, as text", () => {
    const failed = cells();
    failed[3] = { ...failed[3], stage: "failed", error: "insufficient_credits: <b>top up</b>" };
    show({ cells: failed });
    const cell = $('.pai-board-cell[data-cell="3"]');
    expect(cell.dataset.phase).toBe("failed");
    expect(cell.textContent).toBe("insufficient_credits: <b>top up</b>");
    expect(cell.querySelector("b")).toBeNull();
  });

  test("swapping puts the models in rows", () => {
    show();
    $(".pai-board-swap").click();
    expect($$(".pai-board-rowhead").map((c) => c.textContent)).toEqual(["nanobanana2", "seedream"]);
    expect($$(".pai-board-colhead").map((c) => c.textContent)).toEqual(["on marble", "on sand"]);
  });

  test("several inputs are tabs", () => {
    const two = [...cells(), ...cells().map((cell) => ({ ...cell, at: [1, cell.at[1], cell.at[2]], job_id: cell.job_id && `${cell.job_id}2` }))];
    show({ axes: { ...AXES, input: ["shoe.png", "bag.png"] }, cells: two });
    expect($$(".pai-board-tab").map((t) => t.textContent)).toEqual(["shoe.png", "bag.png"]);
    $$(".pai-board-tab")[1].click();
    expect($('.pai-board-cell[data-cell="4"]')).not.toBeNull();
    expect($('.pai-board-cell[data-cell="0"]')).toBeNull();
  });

  test("a live update changes only the cells that changed", () => {
    show();
    const done = $('.pai-board-cell[data-cell="0"]');
    const next = cells();
    next[2] = { ...next[2], progress: 80 };
    widget.model.set("cells", next);
    expect($('.pai-board-cell[data-cell="0"]')).toBe(done);
    expect($('.pai-board-cell[data-cell="2"]').textContent).toBe("running · 80%");
  });

  test("1,000 jobs draw only the rows in view, and scrolling draws the next ones", async () => {
    const prompts = Array.from({ length: 250 }, (_, n) => `prompt ${n}`);
    const models = ["m1", "m2", "m3", "m4"];
    const many = prompts.flatMap((_, p) => models.map((_, m) => ({ at: [0, p, m], stage: "created", job_id: `job_${p}_${m}`, status: "processing", progress: 10 })));
    show({ axes: { input: ["x"], prompt: prompts, model: models }, cells: many });
    const drawn = $$(".pai-board-body .pai-board-row");
    expect(drawn.length).toBeLessThan(20);
    expect($$(".pai-board-spacer").map((s) => parseInt(s.style.height, 10)).reduce((a, b) => a + b) + drawn.length * ROW_HEIGHT).toBe(250 * ROW_HEIGHT);
    const scroller = $(".pai-board-scroll");
    scroller.scrollTop = ROW_HEIGHT * 100;
    scroller.dispatchEvent(new Event("scroll"));
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect($$(".pai-board-rowhead").map((c) => c.textContent)).toContain("prompt 100");
  });
});

describe("the header", () => {
  test("counts, images, credits and the ETA of the running jobs", () => {
    show();
    expect([fact("completed"), fact("running"), fact("queued"), fact("failed"), fact("images"), fact("credits")]).toEqual(["2", "1", "1", "0", "4", "12"]);
    // the running job ends 20 s from now; the one not sent takes the typical estimate (30 s)
    expect(fact("eta")).toBe("in about 30 s");
  });

  test("one line, not one per job, says what waits on the budget and until when", () => {
    show({ budget: { waiting: "images", seconds: 35 } });
    expect($$(".pai-board-budget")).toHaveLength(1);
    expect($(".pai-board-budget").textContent).toBe("Waiting for the account's request budget: images in about 35 s.");
    widget.model.set("budget", null);
    expect($(".pai-board-budget").hidden).toBe(true);
  });
});

describe("keyboard", () => {
  test("the grid is one tab stop; arrows move it, Space picks and tells Python", () => {
    show();
    const stops = $$(".pai-board-stop");
    expect(stops.filter((s) => s.tabIndex === 0)).toHaveLength(1);
    stops.find((s) => s.tabIndex === 0).focus();
    press("ArrowRight");
    press("ArrowRight");
    expect(document.activeElement.getAttribute("aria-label")).toBe("Image 1 of on marble · seedream");
    press(" ");
    expect(widget.model.sent).toContainEqual({ type: "pick", job_id: "job_b", index: 0, picked: true });
    expect(widget.model.get("picked_keys")).toEqual(["job_b:0"]);
    expect(widget.model.saves).toBe(1);
    expect(document.activeElement.getAttribute("aria-selected")).toBe("true");
    expect(fact("credits")).toBe("12");
    expect($(".pai-board-download").textContent).toBe("Download picks (1)");
    press("ArrowDown");
    expect(document.activeElement.textContent).toBe("waiting to be sent");
    expect($$(".pai-board-stop").filter((s) => s.tabIndex === 0)).toEqual([document.activeElement]);
  });

  test("Python's echo of a pick keeps it; its later change wins", () => {
    show();
    $$(".pai-board-stop")[0].focus();
    press(" ");
    const echoed = cells();
    echoed[0].picks = [0];
    widget.model.set("cells", echoed);
    expect($$(".pai-board-image")[0].getAttribute("aria-selected")).toBe("true");
    widget.model.set("cells", cells());
    expect($$(".pai-board-image")[0].getAttribute("aria-selected")).toBe("false");
  });

  test("a pick made in another view meanwhile wins over this page's own, not yet echoed", () => {
    show();
    $$(".pai-board-stop")[0].focus();
    press(" "); // job_a: [0], not yet echoed by Python
    const elsewhere = cells();
    elsewhere[0].picks = [1]; // Python applied another view's pick instead
    widget.model.set("cells", elsewhere);
    expect($$(".pai-board-image").map((stop) => stop.getAttribute("aria-selected")).slice(0, 2)).toEqual(["false", "true"]);
  });

  test("Enter opens the lightbox, whose arrows walk the whole batch and whose Space picks", () => {
    show();
    $$(".pai-board-stop")[1].focus();
    press("Enter");
    const box = $(".pai-lightbox");
    expect($(".pai-lightbox-counter").textContent).toBe("2 of 4");
    press("ArrowRight", box);
    expect($(".pai-lightbox-counter").textContent).toBe("3 of 4");
    expect($(".pai-lightbox-title").textContent).toBe("on marble · seedream");
    press(" ", box);
    expect(widget.model.get("picked_keys")).toEqual(["job_b:0"]);
    expect($(".pai-lightbox-counter").textContent).toBe("3 of 4");
    press("Escape", box);
    expect($(".pai-lightbox")).toBeNull();
    expect(document.activeElement.getAttribute("aria-label")).toBe("Image 2 of on marble · nanobanana2");
  });

  test("a pick in the lightbox redraws its opener's cell; closing it gives focus back to that image", () => {
    show();
    $$(".pai-board-stop")[2].focus(); // job_b, image 1
    press("Enter");
    press(" ", $(".pai-lightbox"));
    expect($(".pai-board-image[aria-selected='true']").getAttribute("aria-label")).toBe("Image 1 of on marble · seedream, picked");
    press("Escape", $(".pai-lightbox"));
    expect(document.activeElement.getAttribute("aria-label")).toBe("Image 1 of on marble · seedream, picked");
  });

  test("no key leaves the board but Escape, which hands focus back to the cell", () => {
    const cell = document.createElement("div");
    cell.className = "jp-Cell";
    document.body.append(cell);
    widget = mount(Board, { _memory_key: `board-${Math.random()}`, name: "shoes", axes: AXES, cells: cells(), thumbnails: {} });
    cell.append(widget.el);
    const reached = [];
    document.addEventListener("keydown", (event) => reached.push(event.key));
    $$(".pai-board-stop")[0].focus();
    for (const key of ["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp", "Home", "End", "PageDown", " ", "Enter"]) {
      press(key, document.activeElement);
      $(".pai-lightbox-close")?.click();
    }
    expect(reached).toEqual([]);
    press("Escape");
    expect(reached).toEqual(["Escape"]);
    expect(document.activeElement).toBe(cell);
  });
});

test("a click on an image's mark picks it; Compare shows the picks side by side", () => {
  show();
  $$(".pai-board-pick")[3].click();
  $$(".pai-board-pick")[0].click();
  $(".pai-board-compare").click();
  expect($$(".pai-compare-item").map((f) => f.dataset.key)).toEqual(["job_a:0", "job_b:1"]);
});

test("Download picks asks the kernel for one zip and saves it", async () => {
  show();
  $$(".pai-board-pick")[0].click();
  const clicked = [];
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function () {
    clicked.push(this.getAttribute("download"));
  });
  URL.createObjectURL = vi.fn(() => "blob:zip");
  URL.revokeObjectURL = vi.fn();
  $(".pai-board-download").click();
  const asked = widget.model.sent.find((message) => message.type === "download_picks");
  expect(asked).toBeDefined();
  widget.model.receive({ type: "download_picks", request: asked.request, filename: "shoes_picks.zip", mime: "application/zip" }, [new DataView(new ArrayBuffer(4))]);
  await vi.waitFor(() => expect(clicked).toEqual(["shoes_picks.zip"]));
  expect($(".pai-board-said").textContent).toBe("Saved shoes_picks.zip");
});

test("with no kernel (a reopened notebook) Download picks saves each pick from its URL", async () => {
  show();
  widget.model.widget_manager = { kernel: null };
  $$(".pai-board-pick")[1].click();
  const clicked = [];
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function () {
    clicked.push(this.getAttribute("download"));
  });
  URL.createObjectURL = vi.fn(() => "blob:image");
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(globalThis, "fetch").mockResolvedValue({ ok: true, blob: async () => new Blob(["jpeg"], { type: "image/jpeg" }) });
  $(".pai-board-download").click();
  await vi.waitFor(() => expect(clicked).toEqual(["job_a_1.jpg"]));
  expect($(".pai-board-said").textContent).toBe("Saved job_a_1.jpg");
  expect(widget.model.sent.filter((message) => message.type === "download_picks")).toEqual([]);
});

describe("a redraw of the output (JupyterLab, as the batch settles)", () => {
  // the old view goes, a new view of the same model is drawn in its place
  function redraw() {
    const { model } = widget;
    widget.cleanup();
    widget.el.remove();
    const el = document.createElement("div");
    document.body.append(el);
    const cleanup = Board.render({ model: { ...model }, el }); // a view's own proxy, as anywidget's
    widget = { model, el, cleanup };
  }

  test("keeps the open lightbox on the same image, and focus on the same cell", () => {
    show();
    $$(".pai-board-stop")[1].focus(); // job_a, image 1
    press("Enter");
    press("ArrowRight", $(".pai-lightbox"));
    expect($(".pai-lightbox-counter").textContent).toBe("3 of 4");
    redraw();
    expect($(".pai-lightbox-counter").textContent).toBe("3 of 4");
    expect($(".pai-lightbox-title").textContent).toBe("on marble · seedream");
    expect($(".pai-lightbox").contains(document.activeElement)).toBe(true);
    press("Escape", $(".pai-lightbox"));
    expect(document.activeElement.getAttribute("aria-label")).toBe("Image 2 of on marble · nanobanana2");
  });

  test("keeps the swapped axes and the focused cell", () => {
    show();
    $(".pai-board-swap").click();
    $$(".pai-board-stop")[3].focus();
    const label = document.activeElement.getAttribute("aria-label");
    redraw();
    expect($$(".pai-board-rowhead").map((c) => c.textContent)).toEqual(["nanobanana2", "seedream"]);
    expect(document.activeElement.getAttribute("aria-label")).toBe(label);
    expect($(".pai-board-grid").contains(document.activeElement)).toBe(true);
  });

  test("a view drawn later (the notebook reopened) starts afresh", () => {
    show();
    $(".pai-board-swap").click();
    $$(".pai-board-stop")[1].focus();
    const now = Date.now();
    widget.cleanup();
    widget.el.remove();
    vi.spyOn(Date, "now").mockReturnValue(now + 60_000);
    const el = document.createElement("div");
    document.body.append(el);
    widget = { model: widget.model, el, cleanup: Board.render({ model: widget.model, el }) };
    expect($$(".pai-board-rowhead").map((c) => c.textContent)).toEqual(["on marble", "on sand"]);
    expect(widget.el.contains(document.activeElement)).toBe(false);
  });
});

test("a lightbox left open while the user went to another cell reopens on a redraw without taking focus", () => {
  const other = document.createElement("button");
  document.body.append(other);
  show();
  $$(".pai-board-stop")[1].focus();
  press("Enter");
  other.focus(); // the user clicked into another cell and ran it
  return Promise.resolve().then(() => {
    const { model } = widget;
    widget.cleanup();
    widget.el.remove();
    const el = document.createElement("div");
    document.body.append(el);
    widget = { model, el, cleanup: Board.render({ model: { ...model }, el }) };
    expect($(".pai-lightbox-counter").textContent).toBe("2 of 4");
    expect(document.activeElement).toBe(other);
  });
});

test("JupyterLab's redraw in place (the old view taken out, never cleaned up) keeps the lightbox and focus", async () => {
  show();
  $$(".pai-board-stop")[1].focus(); // job_a, image 1
  press("Enter");
  press("ArrowRight", $(".pai-lightbox"));
  const old = widget;
  old.el.remove(); // out of the page, its cleanup never called
  await Promise.resolve();
  const el = document.createElement("div"); // drawn first, put in the page after
  const cleanup = Board.render({ model: { ...old.model }, el });
  document.body.append(el);
  widget = { model: old.model, el, cleanup: () => { cleanup(); old.cleanup(); } };
  await new Promise((resolve) => requestAnimationFrame(resolve));
  await new Promise((resolve) => requestAnimationFrame(resolve));
  expect($(".pai-lightbox-counter").textContent).toBe("3 of 4");
  expect($(".pai-lightbox").contains(document.activeElement)).toBe(true);
});

test("a batch of many models draws only the columns in view; scrolling or arrows draw the next ones", async () => {
  const models = Array.from({ length: 60 }, (_, n) => `model ${n}`);
  const many = models.map((_, m) => ({ at: [0, 0, m], stage: "created", job_id: `job_${m}`, status: "processing", progress: 10 }));
  show({ axes: { input: ["x"], prompt: ["on marble"], model: models }, cells: many });
  const heads = () => $$(".pai-board-colhead").map((c) => c.textContent);
  expect(heads().length).toBeLessThan(20);
  expect($$(".pai-board-body .pai-board-cell").length).toBe(heads().length);
  expect(heads()).not.toContain("model 40");
  const scroller = $(".pai-board-scroll");
  scroller.scrollLeft = 112 * 40; // a column: one image wide (104 px) and its gap
  scroller.dispatchEvent(new Event("scroll"));
  await new Promise((resolve) => requestAnimationFrame(resolve));
  expect(heads()).toContain("model 40");
  expect(heads()).not.toContain("model 0");
  scroller.scrollLeft = 0;
  scroller.dispatchEvent(new Event("scroll"));
  await new Promise((resolve) => requestAnimationFrame(resolve));
  $$(".pai-board-stop")[0].focus();
  for (let n = 0; n < 30; n += 1) press("ArrowRight");
  expect(document.activeElement.getAttribute("aria-label")).toBe("on marble · model 30: running · 10%");
});
