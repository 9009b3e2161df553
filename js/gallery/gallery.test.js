import { afterEach, describe, expect, test } from "vitest";
import { mount } from "../tests/fake_model.js";
import Gallery from "./index.js";

const PROMPTS = ["a red shoe on marble", "a watch on sand"];
function makeItems(jobs, perJob = 2) {
  const items = [];
  for (let j = 0; j < jobs; j += 1) {
    for (let index = 0; index < perJob; index += 1) {
      items.push({
        key: `job_${j}:${index}`,
        job_id: `job_${j}`,
        index,
        url: `https://cdn.example/generated/job_${j}_${index}.jpg`,
        width: 1024,
        height: 768,
        model: j % 2 ? "seedream" : "nanobanana2",
        prompt: PROMPTS[j % 2],
        created_at: "2024-01-15T10:30:00Z",
      });
    }
  }
  return items;
}

let widget;
function show(items, extra = {}) {
  widget = mount(Gallery, { items, group_by: "none", thumb_size: 160, selected_keys: [], compare: false, ...extra });
  return widget;
}
const $ = (selector) => widget.el.querySelector(selector);
const $$ = (selector) => [...widget.el.querySelectorAll(selector)];
const choose = (select, value) => {
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
};
const tick = (key) => $(`.pai-item[data-key="${key}"] input.pai-item-select`).click();

afterEach(() => {
  widget?.cleanup();
  document.body.replaceChildren();
});

describe("grouping", () => {
  test("no grouping shows every image in one group", () => {
    show(makeItems(3));
    expect($$(".pai-group")).toHaveLength(1);
    expect($$(".pai-item")).toHaveLength(6);
    expect($(".pai-group-title").textContent).toBe("All images (6 images)");
  });

  test("grouping by model or job gives a titled group for each", () => {
    show(makeItems(3), { group_by: "model" });
    expect($$(".pai-group-title").map((t) => t.textContent)).toEqual(["nanobanana2 (4 images)", "seedream (2 images)"]);
    widget.model.set("group_by", "job");
    expect($$(".pai-group-title").map((t) => t.textContent)).toEqual([
      "job_0 (2 images)",
      "job_1 (2 images)",
      "job_2 (2 images)",
    ]);
  });

  test("the group-by select groups and tells Python", () => {
    show(makeItems(3));
    choose($("select.pai-group-by"), "prompt");
    expect(widget.model.get("group_by")).toBe("prompt");
    expect($$(".pai-group-title").map((t) => t.textContent)).toEqual([
      "a red shoe on marble (4 images)",
      "a watch on sand (2 images)",
    ]);
  });
});

test("the size slider resizes the thumbnails and tells Python when let go", () => {
  show(makeItems(1), { thumb_size: 120 });
  const slider = $("input.pai-thumb-size");
  expect(slider.min).toBe("80");
  expect(slider.max).toBe("400");
  expect(slider.value).toBe("120");
  expect($(".pai-explorer").style.getPropertyValue("--pai-thumb-size")).toBe("120px");
  slider.value = "250";
  slider.dispatchEvent(new Event("input", { bubbles: true }));
  expect($(".pai-explorer").style.getPropertyValue("--pai-thumb-size")).toBe("250px");
  expect(widget.model.get("thumb_size")).toBe(120);
  slider.dispatchEvent(new Event("change", { bubbles: true }));
  expect(widget.model.get("thumb_size")).toBe(250);
  widget.model.set("thumb_size", 90);
  expect(slider.value).toBe("90");
});

describe("selection and compare", () => {
  test("compare is possible with 2 to 4 images selected", () => {
    show(makeItems(3));
    const button = $(".pai-compare-button");
    expect(button.disabled).toBe(true);
    tick("job_0:0");
    expect(widget.model.get("selected_keys")).toEqual(["job_0:0"]);
    expect(button.disabled).toBe(true);
    tick("job_1:1");
    expect(button.disabled).toBe(false);
    expect($(".pai-selection-count").textContent).toBe("2 selected");
    tick("job_2:0");
    tick("job_2:1");
    expect(button.disabled).toBe(false);
    tick("job_0:1");
    expect(button.disabled).toBe(true);
  });

  test("why Compare is off is said in visible text, for too few and too many", () => {
    show(makeItems(3));
    const hint = () => $(".pai-compare-hint").textContent;
    expect(hint()).toBe("Tick 2 to 4 images to compare them.");
    tick("job_0:0");
    expect(hint()).toBe("Tick 1 more to compare.");
    tick("job_0:1");
    expect(hint()).toBe("");
    tick("job_1:0");
    tick("job_1:1");
    tick("job_2:0");
    expect($(".pai-compare-button").disabled).toBe(true);
    expect(hint()).toBe("Compare takes at most 4 images: 5 are ticked.");
  });

  test("closing the compare gives focus back to the Compare button, not the page", () => {
    show(makeItems(2), { selected_keys: ["job_0:0", "job_1:0"], compare: true });
    $(".pai-compare-close").focus();
    $(".pai-compare-close").click();
    expect($(".pai-compare").hidden).toBe(true);
    expect(document.activeElement).toBe($(".pai-compare-button"));
  });

  test("compare shows the selected images side by side with captions", () => {
    show(makeItems(3));
    tick("job_0:0");
    tick("job_1:1");
    expect($(".pai-compare").hidden).toBe(true);
    $(".pai-compare-button").click();
    expect(widget.model.get("compare")).toBe(true);
    const compare = $(".pai-compare");
    expect(compare.hidden).toBe(false);
    expect([...compare.querySelectorAll("img")].map((img) => img.getAttribute("src"))).toEqual([
      "https://cdn.example/generated/job_0_0.jpg",
      "https://cdn.example/generated/job_1_1.jpg",
    ]);
    expect(compare.textContent).toContain("a watch on sand");
    expect(compare.textContent).toContain("1024 × 768");

    $(".pai-compare-close").click();
    expect(widget.model.get("compare")).toBe(false);
    expect($(".pai-compare").hidden).toBe(true);
  });

  test("Escape anywhere in the gallery closes Compare; an open lightbox closes first", () => {
    show(makeItems(2), { selected_keys: ["job_0:0", "job_1:0"], compare: true });
    const escape = (target) => {
      const event = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
      target.dispatchEvent(event);
      return event;
    };
    $(".pai-thumb").click(); // the lightbox, over the gallery
    expect($(".pai-lightbox")).not.toBeNull();
    escape(document.activeElement);
    expect($(".pai-lightbox")).toBeNull();
    expect(widget.model.get("compare")).toBe(true);
    $(".pai-compare-button").focus(); // outside the compare region
    expect(escape($(".pai-compare-button")).defaultPrevented).toBe(true);
    expect(widget.model.get("compare")).toBe(false);
    expect($(".pai-compare").hidden).toBe(true);
  });

  test("unticking below two images closes the compare", () => {
    show(makeItems(2), { selected_keys: ["job_0:0", "job_1:0"], compare: true });
    expect($(".pai-compare").hidden).toBe(false);
    tick("job_1:0");
    expect(widget.model.get("compare")).toBe(false);
    expect($(".pai-compare").hidden).toBe(true);
  });

  test("the compare unpicks an image everywhere, and the lightbox picks one", () => {
    show(makeItems(2), { selected_keys: ["job_0:0", "job_0:1", "job_1:0"], compare: true });
    const dropped = $('.pai-compare-item[data-key="job_0:1"] input.pai-compare-pick');
    expect(dropped.checked).toBe(true);
    dropped.click();
    expect(widget.model.get("selected_keys")).toEqual(["job_0:0", "job_1:0"]);
    expect($('.pai-item[data-key="job_0:1"] input.pai-item-select').checked).toBe(false);
    expect($$(".pai-compare-item").map((item) => item.dataset.key)).toEqual(["job_0:0", "job_1:0"]);

    $('.pai-item[data-key="job_1:1"] .pai-thumb').click();
    $(".pai-lightbox-pick").click();
    expect(widget.model.get("selected_keys")).toEqual(["job_0:0", "job_1:0", "job_1:1"]);
    expect($('.pai-item[data-key="job_1:1"] input.pai-item-select').checked).toBe(true);
  });

  test("a selection made in Python ticks the boxes", () => {
    show(makeItems(2));
    widget.model.set("selected_keys", ["job_1:1"]);
    expect($$("input.pai-item-select:checked").map((box) => box.closest(".pai-item").dataset.key)).toEqual(["job_1:1"]);
  });
});

test("the lightbox shows the image's job, model, prompt and size", () => {
  show(makeItems(2), { group_by: "job" });
  const thumb = $('.pai-item[data-key="job_1:0"] .pai-thumb');
  thumb.click();
  const box = $(".pai-lightbox");
  expect($(".pai-lightbox-img").getAttribute("src")).toBe("https://cdn.example/generated/job_1_0.jpg");
  expect(box.querySelector(".pai-fact-job dd").textContent).toBe("job_1");
  expect(box.querySelector(".pai-fact-model dd").textContent).toBe("seedream");
  expect(box.querySelector(".pai-fact-prompt dd").textContent).toBe("a watch on sand");
  expect(box.querySelector(".pai-fact-size dd").textContent).toBe("1024 × 768");
  box.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }));
  expect($(".pai-lightbox-img").getAttribute("src")).toBe("https://cdn.example/generated/job_0_1.jpg");
  box.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  expect($(".pai-lightbox")).toBeNull();
  expect(document.activeElement).toBe(thumb);
});

test("captions say which job each image came from, whole", () => {
  show(makeItems(2));
  expect($$(".pai-item .pai-tile-caption").map((c) => c.textContent)).toEqual([
    "job_0 #1 · nanobanana2 · 1024\u00a0×\u00a0768",
    "job_0 #2 · nanobanana2 · 1024\u00a0×\u00a0768",
    "job_1 #1 · seedream · 1024\u00a0×\u00a0768",
    "job_1 #2 · seedream · 1024\u00a0×\u00a0768",
  ]);
});

test("a thumbnail keeps focus when the items are sent again (a running job completed)", () => {
  const items = makeItems(2);
  show(items.slice(0, 3));
  $('.pai-item[data-key="job_1:0"] input.pai-item-select').focus();
  widget.model.set("items", items);
  expect(document.activeElement).toBe($('.pai-item[data-key="job_1:0"] input.pai-item-select'));
});

test("400 images render as lazy thumbnails", () => {
  show(makeItems(200));
  const images = $$(".pai-item img");
  expect(images).toHaveLength(400);
  expect(images.every((img) => img.getAttribute("loading") === "lazy")).toBe(true);
});

test("hostile text and URLs stay inert", () => {
  const items = makeItems(1, 2);
  items[0].prompt = "<img src=x onerror=alert(1)>";
  items[0].url = "javascript:alert(1)";
  items[1].url = "data:text/html,<script>alert(1)</script>";
  show(items, { group_by: "prompt", selected_keys: [items[0].key, items[1].key], compare: true });
  $(".pai-thumb").click();
  const values = [...document.querySelectorAll("[src], [href]")].map((n) => n.getAttribute("src") ?? n.getAttribute("href"));
  expect(values).toEqual([]);
  expect($(".pai-group-title").textContent).toContain("<img src=x onerror=alert(1)>");
  expect(document.querySelector("script")).toBeNull();
});

test("a gallery of listed jobs says why it shows no images, as text", () => {
  const notice = "listed jobs carry no images: pass t.jobs, or Gallery(states, client=client)";
  show([], { notice });
  expect($(".pai-gallery-notice").textContent).toBe(notice);
  expect($(".pai-gallery-notice").hidden).toBe(false);
  expect($(".pai-groups").textContent).not.toContain("No images yet.");
  widget.model.set("notice", "<b>x</b>");
  expect($(".pai-gallery-notice").textContent).toBe("<b>x</b>");
  widget.model.set("notice", "");
  expect($(".pai-gallery-notice").hidden).toBe(true);
});
