import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { mount, trackTimers } from "../tests/fake_model.js";
import JobView from "./index.js";

const processing = {
  job_id: "job_abc123xyz",
  status: "processing",
  progress: 45,
  model: "nanobanana2",
  num_images: 2,
  created_at: "2024-01-15T10:30:00Z",
  started_at: "2024-01-15T10:30:05Z",
  estimated_time_seconds: 30,
};
const completed = {
  ...processing,
  status: "completed",
  progress: 100,
  completed_at: "2024-01-15T10:30:35Z",
  images: [
    { url: "https://cdn.productai.photo/generated/img_001.jpg", width: 1024, height: 1024 },
    { url: "https://cdn.productai.photo/generated/img_002.jpg", width: 1024, height: 768 },
  ],
  tokens_used: 10,
};
const failed = {
  job_id: "job_abc123xyz",
  status: "failed",
  model: "nanobanana2",
  created_at: "2024-01-15T10:30:00Z",
  failed_at: "2024-01-15T10:30:15Z",
  error: { code: "generation_failed", message: "Unable to process the input image" },
};

let widget;
function show(job, extra = {}) {
  widget = mount(JobView, { job, connection: "live", selected_indices: [], ...extra });
  return widget;
}
const $ = (selector) => widget.el.querySelector(selector);
const $$ = (selector) => [...widget.el.querySelectorAll(selector)];
const fact = (name) => $(`.pai-fact-${name} dd`).textContent;

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date("2024-01-15T10:30:15Z"));
});
afterEach(() => {
  widget?.cleanup();
  document.body.replaceChildren();
  vi.useRealTimers();
});

describe("while the job runs", () => {
  test("the progress bar, status and facts follow each update", () => {
    show({ ...processing, status: "pending", progress: 0, started_at: null });
    const bar = $("[role=progressbar]");
    expect($(".pai-job").dataset.status).toBe("pending");
    expect(bar.getAttribute("aria-valuenow")).toBe("0");
    expect(bar.getAttribute("aria-valuemin")).toBe("0");
    expect(bar.getAttribute("aria-valuemax")).toBe("100");
    expect(fact("model")).toBe("nanobanana2");
    expect(fact("images")).toBe("2");

    widget.model.set("job", processing);
    expect($(".pai-job").dataset.status).toBe("processing");
    expect($("[role=progressbar]")).toBe(bar);
    expect(bar.getAttribute("aria-valuenow")).toBe("45");
    expect(fact("progress")).toBe("45%");
  });

  test("elapsed time and ETA tick every second", () => {
    show(processing);
    expect(fact("elapsed")).toBe("10s");
    // 45% in 10 s (about 12 s to go at that pace) weighed with the server's 30 s from creation (20 s)
    expect(fact("eta")).toBe("about 14s");
    vi.advanceTimersByTime(3000);
    expect(fact("elapsed")).toBe("13s");
    expect(fact("eta")).toBe("about 11s");
  });

  test("before it starts, the ETA is the server's estimate", () => {
    show({ ...processing, status: "pending", progress: 0, started_at: null });
    expect(fact("eta")).toBe("about 15s");
  });

  test("a reconnect notice shows only while the API is unreachable", () => {
    show(processing);
    expect($(".pai-connection").hidden).toBe(true);
    widget.model.set("connection", "reconnecting");
    expect($(".pai-connection").hidden).toBe(false);
    widget.model.set("connection", "live");
    expect($(".pai-connection").hidden).toBe(true);
  });

  test("a job whose next read waits on the rate limit says when, in a quiet line, counting down", () => {
    show(processing);
    widget.model.set("connection", "queued");
    widget.model.set("budget_wait", 35);
    const line = $(".pai-connection");
    expect(line.hidden).toBe(false);
    expect(line.textContent).toBe("Next update in about 35 s (the account's rate limit)");
    expect(line.classList.contains("pai-connection-line")).toBe(true); // a line, not the banner
    vi.advanceTimersByTime(10_000);
    expect(line.textContent).toBe("Next update in about 25 s (the account's rate limit)");
    vi.advanceTimersByTime(30_000);
    expect(line.textContent).toBe("Next update in a moment (the account's rate limit)");
    widget.model.set("connection", "reconnecting");
    expect(line.textContent).toMatch(/^Reconnecting/);
    expect(line.classList.contains("pai-connection-line")).toBe(false);
    widget.model.set("connection", "live");
    expect(line.hidden).toBe(true);
  });

  test("one voice per card: while the budget holds it back, the progress says no 'finishing'", () => {
    show(processing);
    vi.advanceTimersByTime(120_000); // long past the estimate: the card would say "finishing"
    expect(fact("progress")).toMatch(/finishing/);
    widget.model.set("connection", "queued");
    widget.model.set("budget_wait", 20);
    expect(fact("progress")).not.toMatch(/finishing/);
    expect(fact("eta")).toBe("—");
    expect(widget.el.textContent).not.toMatch(/keeps running|finishing/);
    expect($(".pai-connection").textContent).toMatch(/in about 20 s/);
    widget.model.set("connection", "live");
    expect(fact("progress")).toMatch(/finishing/);
  });

  test("an ended job whose images wait on the rate limit says when its images come", () => {
    show(processing, { budget_wait: 35 });
    widget.model.set("connection", "queued");
    // a listing told the end; the job's own read (its images) waits for the rounds of the others
    widget.model.set("job", { ...completed, images: [], images_coming: true });
    expect($(".pai-connection").textContent).toBe("Images in about 35 s (the account's rate limit)");
    widget.model.set("job", { ...failed });
    expect($(".pai-connection").textContent).toMatch(/^The error's details in about 35 s/);
    widget.model.set("job", completed);
    widget.model.set("connection", "idle");
    expect($(".pai-connection").hidden).toBe(true);
  });

  test("a wait not known yet still says what comes, without a number", () => {
    show(processing);
    widget.model.set("connection", "queued");
    expect($(".pai-connection").textContent).toBe("Next update once the account's rate limit allows");
  });

  test("an unknown status is shown as text", () => {
    show({ ...processing, status: "queued_for_review" });
    expect($(".pai-status").textContent).toBe("queued_for_review");
    expect($(".pai-job").dataset.status).toBe("queued_for_review");
    show({});
    expect($(".pai-status").textContent).toBe("unknown");
  });
});

describe("progress between reads", () => {
  const valueNow = () => Number($("[role=progressbar]").getAttribute("aria-valuenow"));

  test("the bar moves on its own between the server's reads, and never backwards", () => {
    show({ ...processing, progress: 10, estimated_time_seconds: 20 });
    const seen = [valueNow()];
    for (let i = 0; i < 8; i += 1) {
      vi.advanceTimersByTime(500);
      seen.push(valueNow());
    }
    expect(seen.at(-1)).toBeGreaterThan(seen[0] + 10);
    widget.model.set("job", { ...processing, progress: 12, estimated_time_seconds: 20 }); // a read behind the bar
    seen.push(valueNow());
    vi.advanceTimersByTime(1000);
    seen.push(valueNow());
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  test("a job past its estimate says finishing and stays below 100% until it completes", () => {
    show({ ...processing, progress: 45, estimated_time_seconds: 20 });
    vi.advanceTimersByTime(120_000);
    expect(valueNow()).toBeLessThanOrEqual(99);
    expect(fact("eta")).toBe("finishing");
    expect($("[role=progressbar]").getAttribute("aria-valuetext")).toMatch(/finishing/);
    widget.model.set("job", completed);
    expect($("[role=progressbar]")).toBeNull();
  });

  test("waiting to start, the bar stays at 0", () => {
    show({ ...processing, status: "pending", progress: 0, started_at: null });
    vi.advanceTimersByTime(5000);
    expect(valueNow()).toBe(0);
    expect($("[role=progressbar]").getAttribute("aria-valuetext")).toBe("Waiting to start");
  });
});

describe("a card that does not jump", () => {
  test("a running job holds a placeholder per image it asked for, in the shape it asked for", () => {
    show({ ...processing, num_images: 3, aspect_ratio: "16:9" });
    const placeholders = $$(".pai-tile-placeholder");
    expect(placeholders).toHaveLength(3);
    expect($(".pai-job-placeholders .pai-grid").style.getPropertyValue("--pai-thumb-aspect")).toBe("16 / 9");
    expect($(".pai-job-placeholders").getAttribute("aria-hidden")).toBe("true");
  });

  test("completion swaps the placeholders for the images, in the same grid and shape", () => {
    show({ ...processing, aspect_ratio: "4:3" });
    expect($$(".pai-tile-placeholder")).toHaveLength(2);
    widget.model.set("job", completed);
    expect($$(".pai-tile-placeholder")).toHaveLength(0);
    expect($$(".pai-gallery .pai-tile")).toHaveLength(2);
    // the first image is 1024 x 1024 here: its tiles take the images' own shape
    expect($(".pai-gallery").style.getPropertyValue("--pai-thumb-aspect")).toBe("1024 / 1024");
  });

  test("completed but with its images still being read: the status says completed, the placeholders say loading", () => {
    show({ ...processing, aspect_ratio: "4:3" });
    const summary = { ...completed, images: [], images_coming: true, aspect_ratio: "4:3" };
    widget.model.set("job", summary);
    expect($(".pai-status").textContent).toBe("completed");
    expect($("[role=progressbar]")).toBeNull();
    expect($$(".pai-tile-placeholder")).toHaveLength(2);
    expect($(".pai-images-coming").textContent).toMatch(/loading its images/);
    expect(widget.el.textContent).not.toMatch(/Completed with 0 images/);
    expect(fact("images")).toBe("loading…");
    widget.model.set("job", { ...completed, images_coming: false, aspect_ratio: "4:3" });
    expect($$(".pai-tile-placeholder")).toHaveLength(0);
    expect($$(".pai-gallery .pai-thumb img")).toHaveLength(2);
    expect($(".pai-images-coming")).toBeNull();
  });

  test("a failed job keeps the room of the images it asked for, under its error", () => {
    show({ ...processing, aspect_ratio: "16:9" });
    widget.model.set("job", { ...failed, num_images: 2, aspect_ratio: "16:9" });
    const room = $(".pai-job-failed-stack .pai-job-placeholders");
    expect(room.querySelectorAll(".pai-tile-placeholder")).toHaveLength(2);
    expect(room.querySelector(".pai-grid").style.getPropertyValue("--pai-thumb-aspect")).toBe("16 / 9");
    expect($(".pai-job-failed-stack .pai-job-error").getAttribute("role")).toBe("alert");
  });

  test("without a known aspect ratio the placeholders are square, the API's default", () => {
    show(processing);
    expect($(".pai-job-placeholders .pai-grid").style.getPropertyValue("--pai-thumb-aspect")).toBe("1 / 1");
  });

  test("the prompt this client sent shows on the card, the whole text on hover", () => {
    const prompt = "on a marble table, soft daylight, a long prompt that a narrow card cuts short";
    show({ ...processing, prompt });
    expect($(".pai-job-prompt").textContent).toBe(prompt);
    expect($(".pai-job-prompt").title).toBe(prompt);
    widget.model.set("job", { ...completed, prompt });
    expect($(".pai-job-prompt").textContent).toBe(prompt);
    show({ ...processing, prompt: null });
    expect(widget.el.querySelector(".pai-job-prompt").hidden).toBe(true);
  });
});

describe("when the job completes", () => {
  test("the progress gives way to a gallery of lazy thumbnails with sizes", () => {
    show(processing);
    widget.model.set("job", completed);
    expect($("[role=progressbar]")).toBeNull();
    const images = $$(".pai-gallery .pai-thumb img");
    expect(images).toHaveLength(2);
    expect(images[0].getAttribute("src")).toBe(completed.images[0].url);
    expect(images.every((img) => img.getAttribute("loading") === "lazy")).toBe(true);
    expect($$(".pai-tile-caption").map((c) => c.textContent)).toEqual(["1024 × 1024", "1024 × 768"]);
    expect(fact("credits")).toBe("10");
    expect($(".pai-fact-credits dt").textContent).toBe("Credits used");
    expect(fact("duration")).toBe("35s"); // from creation, like the jobs table and job.duration
  });

  test("ticking images writes selected_indices back to Python", () => {
    show(completed);
    const boxes = $$("input.pai-thumb-select");
    boxes[1].click();
    expect(widget.model.get("selected_indices")).toEqual([1]);
    boxes[0].click();
    expect(widget.model.get("selected_indices")).toEqual([1, 0]); // in the order they were picked
    expect(widget.model.saves).toBe(2);
    expect($(".pai-selection-count").textContent).toBe("2 selected");

    widget.model.set("selected_indices", [0]);
    expect(boxes.map((box) => box.checked)).toEqual([true, false]);
  });

  test("the lightbox picks the image it shows, and shows picks made elsewhere", () => {
    show(completed);
    $$(".pai-thumb")[1].click();
    const pick = $(".pai-lightbox-pick");
    expect(pick.checked).toBe(false);
    pick.click();
    expect(widget.model.get("selected_indices")).toEqual([1]);
    expect($$("input.pai-thumb-select").map((box) => box.checked)).toEqual([false, true]);
    widget.model.set("selected_indices", [0]); // ticked in another view of the job
    expect(pick.checked).toBe(false);
    $(".pai-lightbox-prev").click();
    expect(pick.checked).toBe(true);
  });

  test("the same final state sent again keeps the gallery (and focus)", () => {
    show(completed);
    const first = $(".pai-thumb");
    widget.model.set("job", { ...completed });
    widget.model.set("job", JSON.parse(JSON.stringify(completed)));
    expect($(".pai-thumb")).toBe(first);
  });
});

describe("the lightbox", () => {
  test("opens on a thumbnail, moves with the arrow keys, closes with Escape", () => {
    show(completed);
    const thumbs = $$(".pai-thumb");
    thumbs[0].click();
    const dialog = $(".pai-lightbox");
    expect(dialog.getAttribute("role")).toBe("dialog");
    expect(document.activeElement).toBe(dialog);
    const image = $(".pai-lightbox-img");
    expect(image.getAttribute("src")).toBe(completed.images[0].url);
    expect($(".pai-lightbox-prev").disabled).toBe(true);

    const key = (name) => document.activeElement.dispatchEvent(new KeyboardEvent("keydown", { key: name, bubbles: true }));
    key("ArrowRight");
    expect(image.getAttribute("src")).toBe(completed.images[1].url);
    expect($(".pai-lightbox-counter").textContent).toBe("2 of 2");
    key("ArrowRight");
    expect(image.getAttribute("src")).toBe(completed.images[1].url);
    key("ArrowLeft");
    expect(image.getAttribute("src")).toBe(completed.images[0].url);

    key("Escape");
    expect($(".pai-lightbox")).toBeNull();
    expect(document.activeElement).toBe(thumbs[0]);
  });

  test("the buttons navigate and close, focus returns to the opener", () => {
    show(completed);
    const thumbs = $$(".pai-thumb");
    thumbs[1].click();
    $(".pai-lightbox-prev").click();
    expect($(".pai-lightbox-img").getAttribute("src")).toBe(completed.images[0].url);
    $(".pai-lightbox-close").click();
    expect($(".pai-lightbox")).toBeNull();
    expect(document.activeElement).toBe(thumbs[1]);
  });

  test("downloads the image as <job_id>_<n>.<ext> and copies the URL", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const image = new Blob(["jpeg"], { type: "image/jpeg" });
    vi.stubGlobal("fetch", vi.fn().mockResolvedValue({ ok: true, blob: async () => image }));
    const saved = [];
    vi.spyOn(URL, "createObjectURL").mockImplementation(() => "blob:image");
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function () {
      saved.push([this.getAttribute("download"), this.getAttribute("href")]);
    });
    try {
      show(completed);
      $$(".pai-thumb")[0].click();
      $("button.pai-download").click();
      await vi.waitFor(() => expect($(".pai-copy-status").textContent).toBe("Saved job_abc123xyz_0.jpg"));
      expect(saved).toEqual([["job_abc123xyz_0.jpg", "blob:image"]]);
      $(".pai-copy-url").click();
      await vi.waitFor(() => expect($(".pai-copy-status").textContent).toBe("Copied"));
      expect(writeText).toHaveBeenCalledWith(completed.images[0].url);
    } finally {
      vi.unstubAllGlobals();
      vi.restoreAllMocks();
    }
  });
});

describe("when the job fails", () => {
  test("the code and message show as an alert", () => {
    show(failed);
    const box = $(".pai-job-error");
    expect(box.getAttribute("role")).toBe("alert");
    expect($(".pai-error-code").textContent).toBe("generation_failed");
    expect($(".pai-error-message").textContent).toBe("Unable to process the input image");
  });

  test("markup in the message is literal text and creates no element", () => {
    const hostile = "<img src=x onerror=alert(1)>";
    show({ ...failed, error: { code: "<b>x</b>", message: hostile } });
    expect($(".pai-error-message").textContent).toBe(hostile);
    expect($(".pai-error-code").textContent).toBe("<b>x</b>");
    expect(document.querySelector("img")).toBeNull();
    expect(document.querySelector("b")).toBeNull();
  });
});

test("a javascript: image URL is never loaded or linked", () => {
  const job = { ...completed, images: [{ url: "javascript:alert(1)", width: 1, height: 1 }, { url: " JAVASCRIPT:alert(2)" }] };
  show(job);
  $$(".pai-thumb")[0].click();
  $(".pai-lightbox").dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
  const loaded = [...document.querySelectorAll("[src], [href]")].map((node) => node.getAttribute("src") ?? node.getAttribute("href"));
  expect(loaded.filter((value) => /script/i.test(value))).toEqual([]);
  expect($(".pai-lightbox-blocked").hidden).toBe(false);
  expect($(".pai-download").hidden).toBe(true);
});

test("an SVG data: image is neither shown nor a link target: it could carry script", () => {
  const svg = "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>";
  show({ ...completed, images: [{ url: svg, width: 1, height: 1 }] });
  $$(".pai-thumb")[0].click();
  const loaded = [...document.querySelectorAll("[src], [href]")].map((node) => node.getAttribute("src") ?? node.getAttribute("href"));
  expect(loaded.filter((value) => /svg/i.test(value))).toEqual([]);
  expect($(".pai-thumb-blocked").textContent).toBe("Image unavailable");
  expect($(".pai-download").hidden).toBe(true);
});

describe("cleanup", () => {
  test("stops the ticking timer", () => {
    const timers = trackTimers(vi);
    show(processing);
    expect(timers.pending()).toBe(1);
    widget.cleanup();
    expect(timers.pending()).toBe(0);
    vi.restoreAllMocks();
  });

  test("completion stops the timer even before cleanup", () => {
    const timers = trackTimers(vi);
    show(processing);
    widget.model.set("job", completed);
    expect(timers.pending()).toBe(0);
    vi.restoreAllMocks();
  });

  test("removes every window and document listener it added, and closes the lightbox", () => {
    const timers = trackTimers(vi);
    const added = [];
    const removed = [];
    for (const target of [window, document]) {
      vi.spyOn(target, "addEventListener").mockImplementation((type) => added.push(type));
      vi.spyOn(target, "removeEventListener").mockImplementation((type) => removed.push(type));
    }
    show(completed);
    $$(".pai-thumb")[0].click();
    $(".pai-copy-url").click();
    expect(timers.pending()).toBe(1); // the "copy" notice fades after a moment
    widget.cleanup();
    expect(removed.sort()).toEqual(added.sort());
    expect($(".pai-lightbox")).toBeNull();
    expect(timers.pending()).toBe(0);
    vi.restoreAllMocks();
  });
});
