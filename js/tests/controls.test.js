// Every control of the three widgets: keys typed in it never reach JupyterLab's notebook
// shortcuts (they listen on the document), and a screen reader can name it.
import { afterEach, expect, test } from "vitest";
import Gallery from "../gallery/index.js";
import JobView from "../job_view/index.js";
import JobsTable from "../jobs_table/index.js";
import { mount } from "./fake_model.js";

const image = (n) => ({ url: `https://cdn.example/img_${n}.jpg`, width: 1024, height: 768 });
const job = {
  job_id: "job_1",
  status: "completed",
  model: "seedream",
  num_images: 2,
  created_at: "2024-01-15T10:30:00Z",
  completed_at: "2024-01-15T10:30:20Z",
  images: [image(1), image(2)],
};
const WIDGETS = {
  JobView: [JobView, { job, connection: "idle", selected_indices: [] }],
  JobsTable: [
    JobsTable,
    {
      rows: [{ ...job, tokens_used: 6, duration_seconds: 20 }],
      total: 5,
      has_more: true,
      status_filter: "all",
      model_filter: "all",
      sort_by: "created_at",
      sort_descending: true,
      selected_ids: [],
      opened_id: null,
    },
  ],
  Gallery: [
    Gallery,
    {
      items: job.images.map((img, index) => ({ ...img, key: `job_1:${index}`, job_id: "job_1", index, model: "seedream" })),
      group_by: "none",
      thumb_size: 160,
      selected_keys: ["job_1:0", "job_1:1"],
      compare: true,
    },
  ],
};
const CONTROLS = "input, select, button, a[href], [tabindex]";

function accessibleName(control) {
  const labelled = control.getAttribute("aria-label") || control.closest("label")?.textContent;
  return (labelled || control.textContent || "").trim();
}

let widget;
afterEach(() => {
  widget?.cleanup();
  document.body.replaceChildren();
});

test.each(Object.keys(WIDGETS))("every control of %s keeps its keys from the notebook and has a name", (name) => {
  const [module, state] = WIDGETS[name];
  widget = mount(module, state);
  widget.el.querySelector(".pai-thumb")?.click(); // the lightbox's controls too
  // what can take focus: the keys typed go there
  const controls = [...widget.el.querySelectorAll(CONTROLS)].filter((node) => node.getAttribute("tabindex") !== "-1" && !node.disabled);
  expect(controls.length).toBeGreaterThan(3);
  const kept = (node, init) => {
    node.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init }));
    return node.hasAttribute("data-lm-suppress-shortcuts"); // what Lumino checks on the focused element
  };
  for (const control of controls) {
    for (const key of ["a", "d", "ArrowDown", "Enter"]) expect(kept(control, { key }), control.outerHTML).toBe(true);
    expect(accessibleName(control), control.outerHTML).not.toBe("");
  }
  // the notebook's own shortcuts still work from inside: save, and run the cell
  expect(kept(controls[0], { key: "s", ctrlKey: true })).toBe(false);
  expect(kept(controls[0], { key: "Enter", shiftKey: true })).toBe(false);
  // and keys typed outside our widgets are none of our business
  const outside = document.body.appendChild(document.createElement("button"));
  expect(kept(outside, { key: "a" })).toBe(false);
});
