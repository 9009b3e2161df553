import { expect, test, vi } from "vitest";
import { HINT, showHtmlCopies, withHtmlCopy } from "./html_copy.js";
import { WIDGET_MIME } from "./without_kernel.js";

const COPY = '<div class="pai-job pai-static"><img src="data:image/jpeg;base64,AAAA" alt="on a beach"><p>on a beach</p></div>';

/** Upstream's WidgetRenderer as it behaves: the manager's model, else (once restored) its error text. */
class FakeWidgetRenderer {
  constructor(options, manager) {
    this.options = options;
    this.manager = manager;
    this._manager = { promise: Promise.resolve(manager) }; // upstream's PromiseDelegate
    this.node = document.createElement("div");
    this.classes = new Set();
    this.isDisposed = false;
  }
  addClass(name) {
    this.classes.add(name);
  }
  removeClass(name) {
    this.classes.delete(name);
  }
  async renderModel(model) {
    this.node.textContent = "Loading widget...";
    const id = model.data[WIDGET_MIME].model_id;
    if (!this.manager.models.has(id)) {
      this.node.textContent = "Error displaying widget: model not found";
      this.addClass("jupyter-widgets");
      return;
    }
    this.node.textContent = "";
    this.node.append(Object.assign(document.createElement("div"), { className: "live-widget" }));
  }
}

/** JupyterLab's sanitizer stand-in: drops scripts, as the real one does. */
const sanitizer = { sanitize: (html) => html.replace(/<script[\s\S]*?<\/script>/g, "") };

function output(modelId, html = COPY) {
  const data = { [WIDGET_MIME]: { model_id: modelId, version_major: 2 }, "text/plain": "JobView(...)" };
  if (html !== null) data["text/html"] = html;
  return { data, trusted: true };
}

/** A notebook's rendermime, as JupyterLab's RenderMimeRegistry files factories: one per mime type. */
function fakeRendermime() {
  const factories = new Map();
  const ranks = new Map();
  return {
    factories,
    addFactory(factory, rank) {
      for (const mime of factory.mimeTypes) {
        factories.set(mime, factory);
        ranks.set(mime, rank);
      }
    },
    removeMimeType: (mime) => factories.delete(mime),
    getFactory: (mime) => factories.get(mime),
    getRank: (mime) => ranks.get(mime),
  };
}

test("a widget whose model is missing shows its output's HTML copy and a quiet hint, not the error", async () => {
  const renderer = withHtmlCopy(new FakeWidgetRenderer({}, { models: new Set() }), sanitizer);
  await renderer.renderModel(output("gone", `${COPY}<script>alert(1)</script>`));
  expect(renderer.node.textContent).not.toContain("model not found");
  expect(renderer.node.querySelector(".pai-html-copy img").getAttribute("alt")).toBe("on a beach");
  expect(renderer.node.querySelector(".pai-html-copy").textContent).toContain("on a beach");
  expect(renderer.node.querySelector("script")).toBeNull(); // sanitized, as an untrusted copy is
  const hint = renderer.node.querySelector(".pai-html-copy-hint");
  expect(hint.textContent).toBe(HINT);
  expect(hint.textContent).toContain("Settings > Save Widget State Automatically");
  expect(renderer.classes.has("jupyter-widgets")).toBe(false); // upstream's error look is gone
});

test("a widget whose model is there is drawn live, untouched", async () => {
  const renderer = withHtmlCopy(new FakeWidgetRenderer({}, { models: new Set(["m1"]) }), sanitizer);
  await renderer.renderModel(output("m1"));
  expect(renderer.node.querySelector(".live-widget")).not.toBeNull();
  expect(renderer.node.querySelector(".pai-html-copy")).toBeNull();
});

test("an output with no HTML copy keeps upstream's message", async () => {
  const renderer = withHtmlCopy(new FakeWidgetRenderer({}, { models: new Set() }), sanitizer);
  await renderer.renderModel(output("gone", null));
  expect(renderer.node.textContent).toBe("Error displaying widget: model not found");
});

test("the notebook's factory now and the one the manager extension puts there later both show the copy", async () => {
  const rendermime = fakeRendermime();
  const placeholder = { safe: false, mimeTypes: [WIDGET_MIME], createRenderer: (options) => new FakeWidgetRenderer(options, { models: new Set() }) };
  rendermime.addFactory(placeholder, -10);
  showHtmlCopies(rendermime);
  const first = rendermime.getFactory(WIDGET_MIME).createRenderer({ sanitizer });
  await first.renderModel(output("gone"));
  expect(first.node.querySelector(".pai-html-copy")).not.toBeNull();
  expect(rendermime.getRank(WIDGET_MIME)).toBe(-10);

  // what jupyterlab-manager does once the kernel's manager is made: replace the factory
  const kernelManager = { models: new Set(["live"]) };
  rendermime.removeMimeType(WIDGET_MIME);
  rendermime.addFactory({ safe: false, mimeTypes: [WIDGET_MIME], createRenderer: (options) => new FakeWidgetRenderer(options, kernelManager) }, -10);
  const later = rendermime.getFactory(WIDGET_MIME).createRenderer({ sanitizer });
  expect(later).toBeInstanceOf(FakeWidgetRenderer); // upstream still finds its renderers by class
  await later.renderModel(output("gone"));
  expect(later.node.querySelector(".pai-html-copy-hint").textContent).toBe(HINT);
  const live = rendermime.getFactory(WIDGET_MIME).createRenderer({ sanitizer });
  await live.renderModel(output("live"));
  expect(live.node.querySelector(".live-widget")).not.toBeNull();

  // other mime types pass through unchanged
  const markdown = { mimeTypes: ["text/markdown"], createRenderer: vi.fn() };
  rendermime.addFactory(markdown, 60);
  expect(rendermime.getFactory("text/markdown")).toBe(markdown);
});

test("a rerender once the manager is restored goes through the copy too", async () => {
  const renderer = withHtmlCopy(new FakeWidgetRenderer({}, { models: new Set() }), sanitizer);
  await renderer.renderModel(output("gone"));
  renderer.node.textContent = ""; // upstream's _rerender clears, then calls this.renderModel
  await renderer.renderModel(output("gone"));
  expect(renderer.node.querySelectorAll(".pai-html-copy")).toHaveLength(1);
});

/** A kernel's manager that skipped the notebook's saved state, which holds `saved` (model ids). */
function managerThatSkippedTheSavedState(saved, { fails = false } = {}) {
  const models = new Set();
  const state = Object.fromEntries(saved.map((id) => [id, { model_name: "AnyModel", state: {} }]));
  const notebook = { getMetadata: (key) => (key === "widgets" ? { "application/vnd.jupyter.widget-state+json": { version_major: 2, state } } : undefined) };
  return {
    models,
    context: { model: notebook },
    _loadFromNotebook: vi.fn(async (read) => {
      if (fails) throw new Error("Kernel is dead");
      const held = read.getMetadata("widgets")["application/vnd.jupyter.widget-state+json"].state;
      for (const id of Object.keys(held)) models.add(id);
    }),
  };
}

test("a missing model that the notebook's saved state holds is read from it and drawn live, the state read once", async () => {
  const manager = managerThatSkippedTheSavedState(["m1", "m2"]);
  const first = withHtmlCopy(new FakeWidgetRenderer({}, manager), sanitizer);
  const second = withHtmlCopy(new FakeWidgetRenderer({}, manager), sanitizer);
  await Promise.all([first.renderModel(output("m1")), second.renderModel(output("m2"))]);
  for (const renderer of [first, second]) {
    expect(renderer.node.querySelector(".live-widget")).not.toBeNull();
    expect(renderer.classes.has("jupyter-widgets")).toBe(false); // no error styling left behind
    expect(renderer.node.querySelector(".pai-html-copy")).toBeNull();
    expect(renderer.node.textContent).not.toContain("model not found");
  }
  expect(manager._loadFromNotebook).toHaveBeenCalledTimes(1);
});

test("a missing model that the saved state does not hold shows the copy, and the state is not read", async () => {
  const manager = managerThatSkippedTheSavedState(["other"]);
  const renderer = withHtmlCopy(new FakeWidgetRenderer({}, manager), sanitizer);
  await renderer.renderModel(output("gone"));
  expect(renderer.node.querySelector(".pai-html-copy")).not.toBeNull();
  expect(manager._loadFromNotebook).not.toHaveBeenCalled();
});

test("a saved state that cannot be read leaves the copy and one warning, and the next draw tries again", async () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const manager = managerThatSkippedTheSavedState(["m1"], { fails: true });
  const renderer = withHtmlCopy(new FakeWidgetRenderer({}, manager), sanitizer);
  await renderer.renderModel(output("m1"));
  expect(renderer.node.querySelector(".pai-html-copy")).not.toBeNull();
  expect(warn).toHaveBeenCalledTimes(1);
  expect(warn.mock.calls[0][0]).toContain("saved widget state could not be read");

  manager._loadFromNotebook.mockImplementation(async () => manager.models.add("m1")); // the kernel is back
  renderer.node.textContent = "";
  await renderer.renderModel(output("m1"));
  expect(renderer.node.querySelector(".live-widget")).not.toBeNull();
  expect(manager._loadFromNotebook).toHaveBeenCalledTimes(2);
  warn.mockRestore();
});
