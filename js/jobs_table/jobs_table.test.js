import { afterEach, describe, expect, test } from "vitest";
import { mount } from "../tests/fake_model.js";
import JobsTable, { ROW_HEIGHT } from "./index.js";

const MODELS = ["nanobanana2", "seedream", "gpt-high"];
const STATUSES = ["completed", "failed", "processing", "pending"];

function makeRows(count) {
  return Array.from({ length: count }, (_, i) => ({
    job_id: `job_${String(i).padStart(5, "0")}`,
    status: STATUSES[i % 4],
    model: MODELS[i % 3],
    num_images: (i % 4) + 1,
    tokens_used: STATUSES[i % 4] === "completed" ? 5 * ((i % 4) + 1) : 0,
    created_at: new Date(Date.UTC(2024, 0, 15, 10, 0, i)).toISOString(),
    completed_at: null,
    failed_at: null,
    duration_seconds: i % 7 === 0 ? null : 10 + (i % 50),
  }));
}

let widget;
// what the table asked of Python (besides saying a browser draws it)
const asks = () => widget.model.sent.filter((message) => message.type !== "shown");
function show(rows, extra = {}) {
  widget = mount(JobsTable, {
    rows,
    total: rows.length,
    status_filter: "all",
    model_filter: "all",
    sort_by: "created_at",
    sort_descending: true,
    loading: false,
    error: "",
    selected_ids: [],
    opened_id: null,
    ...extra,
  });
  return widget;
}
const $ = (selector) => widget.el.querySelector(selector);
const $$ = (selector) => [...widget.el.querySelectorAll(selector)];
const shownIds = () => $$("tr.pai-row").map((tr) => tr.dataset.jobId);
// one column's cells, top to bottom, found by its header (as the browser tests do)
const column = (key) => {
  const index = $(`th[data-column="${key}"]`).cellIndex;
  return $$("tr.pai-row").map((tr) => tr.cells[index]);
};
const choose = (select, value) => {
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
};

afterEach(() => {
  widget?.cleanup();
  document.body.replaceChildren();
});

describe("sorting", () => {
  test("starts in the order Python asked for, marked on the header", () => {
    show(makeRows(5));
    expect(shownIds()).toEqual(["job_00004", "job_00003", "job_00002", "job_00001", "job_00000"]);
    expect($('th[data-column="created_at"]').getAttribute("aria-sort")).toBe("descending");
    expect($('th[data-column="model"]').getAttribute("aria-sort")).toBe("none");
  });

  test("a header click sorts by that column, a second click reverses it", () => {
    show(makeRows(6));
    $('th[data-column="model"]').click();
    expect(widget.model.get("sort_by")).toBe("model");
    expect(widget.model.get("sort_descending")).toBe(false);
    expect($('th[data-column="model"]').getAttribute("aria-sort")).toBe("ascending");
    expect($('th[data-column="created_at"]').getAttribute("aria-sort")).toBe("none");
    const models = () => column("model").map((td) => td.textContent);
    expect(models()).toEqual(["gpt-high", "gpt-high", "nanobanana2", "nanobanana2", "seedream", "seedream"]);

    $('th[data-column="model"] button').click();
    expect(widget.model.get("sort_descending")).toBe(true);
    expect($('th[data-column="model"]').getAttribute("aria-sort")).toBe("descending");
    expect(models()[0]).toBe("seedream");
    expect(widget.model.saves).toBeGreaterThanOrEqual(2);
  });

  test("numbers sort as numbers", () => {
    show(makeRows(8));
    $('th[data-column="num_images"]').click();
    const made = column("num_images").map((td) => td.textContent).filter((text) => text !== "—");
    expect(made.length).toBe(4); // completed and failed rows: the running ones sort last
    expect(made.map(Number)).toEqual(made.map(Number).sort((a, b) => a - b));
  });
});

describe("filters", () => {
  test("the model filter lists the models present and filters here", () => {
    show(makeRows(9));
    const select = $("select.pai-model-filter");
    expect([...select.options].map((o) => o.value)).toEqual(["all", "gpt-high", "nanobanana2", "seedream"]);
    choose(select, "seedream");
    expect(widget.model.get("model_filter")).toBe("seedream");
    expect(column("model").map((td) => td.textContent)).toEqual(["seedream", "seedream", "seedream"]);
    expect($(".pai-totals").textContent).toMatch(/^3 jobs/);
  });

  test("the status filter asks Python for other rows", () => {
    show(makeRows(8));
    const select = $("select.pai-status-filter");
    expect([...select.options].map((o) => o.value)).toEqual(["all", "pending", "processing", "completed", "failed"]);
    choose(select, "failed");
    expect(widget.model.get("status_filter")).toBe("failed");
    expect(widget.model.saves).toBe(1);
    expect($$("tr.pai-row").every((tr) => tr.querySelector(".pai-chip").textContent === "failed")).toBe(true);
  });
});

describe("windowing", () => {
  test("10,000 jobs put only a screenful of rows in the DOM", () => {
    const rows = makeRows(10_000);
    show(rows);
    const count = $$("tr.pai-row").length;
    expect(count).toBeGreaterThan(5);
    expect(count).toBeLessThan(60);
    // the spacers keep the full height so the scrollbar is true to the list
    const spacerHeights = $$("tr.pai-spacer td").map((td) => parseInt(td.style.height, 10));
    expect(spacerHeights.reduce((a, b) => a + b, 0) + count * ROW_HEIGHT).toBe(10_000 * ROW_HEIGHT);
    expect($(".pai-totals").textContent).toMatch(/^10000 jobs/);
  });

  test("scrolling brings the rows of that part of the list", () => {
    show(makeRows(10_000), { sort_by: "job_id", sort_descending: false });
    const scroller = $(".pai-table-scroll");
    scroller.scrollTop = 5000 * ROW_HEIGHT;
    scroller.dispatchEvent(new Event("scroll"));
    expect(shownIds()).toContain("job_05000");
    expect(shownIds()).not.toContain("job_00000");
    expect($$("tr.pai-row").length).toBeLessThan(60);
  });
});

describe("paging and actions", () => {
  test("the pager shows how many of the total are loaded and asks for more", () => {
    show(makeRows(20), { total: 156, has_more: true });
    expect($(".pai-pager").textContent).toContain("20 of 156");
    $(".pai-load-more").click();
    expect(asks()).toEqual([{ type: "load_more" }]);

    widget.model.set("rows", makeRows(156));
    widget.model.set("has_more", false);
    expect($(".pai-pager").textContent).toContain("156 of 156");
    expect($(".pai-load-more").getAttribute("aria-disabled")).toBe("true");
    $(".pai-load-more").click();
    expect(asks()).toEqual([{ type: "load_more" }]); // no second ask once nothing more matches
  });

  test("load more is off when Python says nothing more matches, whatever the total", () => {
    show(makeRows(20), { total: 156, has_more: false }); // say --since cut the listing short
    expect($(".pai-load-more").getAttribute("aria-disabled")).toBe("true");
    $(".pai-load-more").click();
    expect(asks()).toEqual([]);
  });

  test("a row click opens that job; clicking it again closes it", () => {
    show(makeRows(3));
    $('tr.pai-row[data-job-id="job_00001"] td:nth-child(3)').click();
    expect(widget.model.get("opened_id")).toBe("job_00001");
    expect($('tr.pai-row[data-job-id="job_00001"]').classList.contains("pai-row-open")).toBe(true);
    $('tr.pai-row[data-job-id="job_00001"]').click();
    expect(widget.model.get("opened_id")).toBeNull();
  });

  test("ticking rows selects jobs without opening them; Show images asks Python", () => {
    show(makeRows(3));
    expect($(".pai-show-images").textContent).toBe("Show images (all jobs)");
    $('tr.pai-row[data-job-id="job_00002"] input.pai-row-select').click();
    $('tr.pai-row[data-job-id="job_00000"] input.pai-row-select').click();
    expect(widget.model.get("selected_ids")).toEqual(["job_00002", "job_00000"]);
    expect(widget.model.get("opened_id")).toBeNull();
    expect($(".pai-show-images").textContent).toBe("Show images (2 jobs)");
    $('tr.pai-row[data-job-id="job_00002"] input.pai-row-select').click();
    expect(widget.model.get("selected_ids")).toEqual(["job_00000"]);
    $(".pai-show-images").click();
    expect(asks()).toEqual([{ type: "show_images" }]);
  });

  test("totals add up the jobs, images made and credits shown, in the words of the API's docs", () => {
    show(makeRows(4)); // completed (1 image), failed (2 asked), processing (3), pending (4)
    expect($(".pai-totals").textContent).toBe("4 jobs · 1 image · 5 credits");
    expect($('th[data-column="tokens_used"]').textContent).toBe("Credits");
  });

  test("a failed job shows no images and a running one what it asked for, on hover", () => {
    show(makeRows(4), { sort_by: "job_id", sort_descending: false });
    const cells = column("num_images");
    expect(cells.map((td) => td.textContent)).toEqual(["1", "0", "—", "—"]);
    expect(cells[2].querySelector("span").title).toBe("3 images asked for, not made yet");
  });

  test("with pages not loaded, totals and the model filter say what they cover", () => {
    const rows = makeRows(20);
    show(rows, { total: 156, has_more: true });
    expect($(".pai-filter-note").hidden).toBe(true);
    choose($("select.pai-model-filter"), "seedream");
    const seedream = rows.filter((row) => row.model === "seedream");
    const made = seedream.filter((row) => row.status === "completed").reduce((sum, row) => sum + row.num_images, 0);
    expect($(".pai-totals").textContent).toBe(`${seedream.length} jobs · ${made} images · ${5 * made} credits`);
    expect($(".pai-filter-note").hidden).toBe(false);
    expect($(".pai-filter-note").textContent).toBe(
      "The model filter covers the 20 loaded jobs only; 136 more not loaded (Load more to include them).",
    );
    widget.model.set("rows", makeRows(156));
    widget.model.set("has_more", false);
    expect($(".pai-filter-note").hidden).toBe(true);
  });

  test("the prompt this client sent is a column, the whole text on hover", () => {
    const prompt = "a red shoe on white marble, soft window light, long shadow to the left";
    show([{ ...makeRows(1)[0], prompt }, makeRows(2)[1]], { sort_by: "job_id", sort_descending: false });
    expect($('th[data-column="prompt"]').textContent).toBe("Prompt");
    const [made, unknown] = column("prompt").map((td) => td.querySelector(".pai-prompt"));
    expect(made.textContent).toBe(prompt);
    expect(made.title).toBe(prompt);
    expect(unknown.textContent).toBe("—");
  });

  test("Show images counts only the ticked jobs the filters show", () => {
    show(makeRows(6), { selected_ids: ["job_00000", "job_00001"] }); // nanobanana2, seedream
    expect($(".pai-show-images").textContent).toBe("Show images (2 jobs)");
    choose($("select.pai-model-filter"), "seedream");
    expect($(".pai-show-images").textContent).toBe("Show images (1 job)");
    choose($("select.pai-model-filter"), "gpt-high");
    expect($(".pai-show-images").textContent).toBe("Show images (all jobs)");
  });
});

describe("loading and errors", () => {
  test("a running query and its error are shown; error text stays text", () => {
    show([], { loading: true });
    expect($(".pai-loading").hidden).toBe(false);
    expect($(".pai-table").getAttribute("aria-busy")).toBe("true");
    widget.model.set("loading", false);
    widget.model.set("error", "<img src=x onerror=alert(1)> Rate limited: retry in 5 s");
    expect($(".pai-loading").hidden).toBe(true);
    expect($(".pai-table-error").textContent).toBe("<img src=x onerror=alert(1)> Rate limited: retry in 5 s");
    expect($(".pai-table-error").getAttribute("role")).toBe("alert");
    expect(document.querySelector("img")).toBeNull();
    expect($(".pai-empty").hidden).toBe(false);
  });
});

describe("keyboard focus", () => {
  const row = (id) => $(`tr.pai-row[data-job-id="${id}"]`);
  const scrollTo = (top) => {
    const scroller = $(".pai-table-scroll");
    scroller.scrollTop = top;
    scroller.dispatchEvent(new Event("scroll"));
  };

  test("scrolling redraws around the focused row without dropping its focus", () => {
    show(makeRows(200), { sort_by: "job_id", sort_descending: false });
    row("job_00010").focus();
    scrollTo(12 * ROW_HEIGHT); // the window moves: rows above go, rows below come
    expect(shownIds()).not.toContain("job_00000");
    expect(document.activeElement).toBe(row("job_00010"));
  });

  test("a focused row scrolled far out of the window leaves focus on the table, not the page", () => {
    show(makeRows(200), { sort_by: "job_id", sort_descending: false });
    row("job_00001").focus();
    scrollTo(150 * ROW_HEIGHT);
    expect(document.activeElement).toBe($(".pai-table-scroll"));
  });

  const press = (key, target = document.activeElement) => {
    const event = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true });
    target.dispatchEvent(event);
    return event;
  };
  const tabStops = () => $$("tbody [tabindex]").filter((node) => node.tabIndex >= 0);

  test("the rows are one ARIA grid and one tab stop: a row, not a row and its checkbox", () => {
    show(makeRows(50), { sort_by: "job_id", sort_descending: false });
    expect($("table.pai-jobs").getAttribute("role")).toBe("grid");
    expect(row("job_00000").getAttribute("role")).toBe("row");
    expect(row("job_00000").querySelector("td").getAttribute("role")).toBe("gridcell");
    expect(tabStops()).toEqual([row("job_00000")]);
    expect($$("input.pai-row-select").every((box) => box.tabIndex === -1)).toBe(true);
  });

  test("arrows, Page Down, Home and End move between rows, through the whole windowed table", () => {
    show(makeRows(200), { sort_by: "job_id", sort_descending: false });
    row("job_00000").focus();
    expect(press("ArrowDown").defaultPrevented).toBe(true); // the page does not scroll
    expect(document.activeElement).toBe(row("job_00001"));
    for (let i = 0; i < 60; i++) press("ArrowDown");
    expect(document.activeElement).toBe(row("job_00061")); // drawn on the way: the window followed
    expect(shownIds()).not.toContain("job_00000");
    press("ArrowUp");
    expect(document.activeElement).toBe(row("job_00060"));
    press("End");
    expect(document.activeElement).toBe(row("job_00199"));
    press("ArrowDown"); // the last row stays
    expect(document.activeElement).toBe(row("job_00199"));
    press("Home");
    expect(document.activeElement).toBe(row("job_00000"));
    press("PageDown");
    expect(document.activeElement.dataset.jobId > "job_00005").toBe(true);
    // the row moved to holds the one tab stop
    expect(tabStops()).toEqual([document.activeElement]);
  });

  test("Space on a row ticks it, Enter opens it", () => {
    show(makeRows(5));
    row("job_00002").focus();
    expect(press(" ").defaultPrevented).toBe(true);
    expect(widget.model.get("selected_ids")).toEqual(["job_00002"]);
    expect(widget.model.get("opened_id")).toBe(null);
    press(" ");
    expect(widget.model.get("selected_ids")).toEqual([]);
    expect(document.activeElement).toBe(row("job_00002"));
  });

  test("ticking a checkbox with the keyboard keeps focus on it", () => {
    show(makeRows(5));
    const box = row("job_00002").querySelector("input.pai-row-select");
    box.focus();
    box.click(); // what Space does on a focused checkbox
    expect(widget.model.get("selected_ids")).toEqual(["job_00002"]);
    expect(document.activeElement).toBe(box);
  });

  test("Enter on a row opens its job and focus stays on the row", () => {
    show(makeRows(5));
    row("job_00003").focus();
    const enter = new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true });
    row("job_00003").dispatchEvent(enter);
    expect(enter.defaultPrevented).toBe(true);
    expect(widget.model.get("opened_id")).toBe("job_00003");
    expect(document.activeElement).toBe(row("job_00003"));
    expect(row("job_00003").getAttribute("aria-selected")).toBe("true");
  });

  test("rows sent again by Python keep their elements; a changed row keeps the focus", () => {
    const rows = makeRows(5);
    show(rows);
    const focused = row("job_00002");
    focused.focus();
    // another row changed: Python sends every row again, as new objects
    widget.model.set("rows", rows.map((r) => ({ ...r, status: r.job_id === "job_00003" ? "completed" : r.status })));
    expect(row("job_00002")).toBe(focused);
    widget.model.set("rows", rows.map((r) => (r.job_id === "job_00002" ? { ...r, status: "completed" } : r)));
    expect(document.activeElement).toBe(row("job_00002"));
    expect(row("job_00002").querySelector(".pai-chip").textContent).toBe("completed");
  });

  test("columns cut off at the right are hinted at until the user scrolls to them", () => {
    show(makeRows(5));
    const scroller = $(".pai-table-scroll");
    const hint = $(".pai-more-columns");
    expect(hint.hidden).toBe(true); // jsdom lays nothing out: everything fits
    // a narrow notebook: the table is 900 px wide in a 600 px box
    Object.defineProperty(scroller, "scrollWidth", { configurable: true, value: 900 });
    Object.defineProperty(scroller, "clientWidth", { configurable: true, value: 600 });
    scrollTo(0);
    expect(hint.hidden).toBe(false);
    expect(hint.textContent).toMatch(/More columns/);
    scroller.scrollLeft = 300;
    scrollTo(0);
    expect(hint.hidden).toBe(true);
  });

  test("the windowed rows tell screen readers the whole grid's size and their place in it", () => {
    show(makeRows(200), { sort_by: "job_id", sort_descending: false });
    scrollTo(100 * ROW_HEIGHT);
    expect($("table.pai-jobs").getAttribute("aria-rowcount")).toBe("201");
    expect($("thead tr").getAttribute("aria-rowindex")).toBe("1");
    expect(row("job_00100").getAttribute("aria-rowindex")).toBe("102");
  });
});
