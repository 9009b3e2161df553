import { beforeEach, describe, expect, it, vi } from "vitest";
import { fakeModel } from "../tests/fake_model.js";
import { createLoader } from "./index.js";

// A page's widget manager holding the FrontEnd widget `holder` under the id "front1".
function page({ esm = "code v1", css = ".pai-root{color:red}", digest = "d1" } = {}) {
  const holder = fakeModel({ name: "job_view", esm, css, digest });
  const models = new Map([["front1", holder]]);
  const widgetManager = {
    get_model: vi.fn(async (id) => {
      if (!models.has(id)) throw new Error(`widget model not found: ${id}`);
      return models.get(id);
    }),
  };
  // a widget as Python makes it: `_front_end` refers to the holder as ipywidgets does
  const widget = (ref = "IPY_MODEL_front1") => Object.assign(fakeModel({ _front_end: ref }), { widget_manager: widgetManager });
  return { holder, widget, widgetManager };
}

// the front-end code a holder names, as an imported module: draws the model's text
function codeModule(log) {
  return {
    default: {
      render({ model, el }) {
        el.textContent = `drawn by ${model.get("_front_end")}`;
        log.push("render");
        return () => log.push("cleanup");
      },
    },
  };
}

function mountEl() {
  const el = document.createElement("div");
  document.body.append(el);
  return el;
}

describe("the loader every widget carries", () => {
  let log;
  let importCode;
  beforeEach(() => {
    document.head.replaceChildren();
    document.body.replaceChildren();
    log = [];
    importCode = vi.fn(async (source) => (source.startsWith("code") ? codeModule(log) : {}));
  });

  it("draws with the code its FrontEnd widget holds", async () => {
    const { widget } = page();
    const loader = createLoader({ importCode, frontEnds: new Map() });
    const el = mountEl();
    await loader.render({ model: widget(), el });
    expect(importCode).toHaveBeenCalledWith("code v1");
    expect(el.textContent).toBe("drawn by IPY_MODEL_front1");
  });

  it("imports the code once for every widget on the page, and adds its CSS once", async () => {
    const { widget } = page();
    const frontEnds = new Map(); // what globalThis keeps for the page
    // each widget imports its own copy of the loader: two loaders sharing the page's front ends
    const first = createLoader({ importCode, frontEnds });
    const second = createLoader({ importCode, frontEnds });
    await Promise.all([first.render({ model: widget(), el: mountEl() }), second.render({ model: widget(), el: mountEl() })]);
    await first.initialize({ model: widget() });
    expect(importCode).toHaveBeenCalledTimes(1);
    expect(log).toEqual(["render", "render"]);
    const styles = document.head.querySelectorAll("style[data-productai]");
    expect(styles).toHaveLength(1);
    expect(styles[0].textContent).toBe(".pai-root{color:red}");
  });

  it("takes rebuilt code (a new digest) for new widgets, its CSS replacing the old", async () => {
    const before = page();
    const frontEnds = new Map();
    await createLoader({ importCode, frontEnds }).render({ model: before.widget(), el: mountEl() });
    const after = page({ esm: "code v2", css: ".pai-root{color:blue}", digest: "d2" });
    await createLoader({ importCode, frontEnds }).render({ model: after.widget(), el: mountEl() });
    expect(importCode.mock.calls.map(([source]) => source)).toEqual(["code v1", "code v2"]);
    const styles = document.head.querySelectorAll("style[data-productai]");
    expect([...styles].map((style) => style.textContent)).toEqual([".pai-root{color:blue}"]);
  });

  it("adds the CSS inside the shadow root a host draws the widget in", async () => {
    const { widget } = page();
    const host = document.createElement("div");
    document.body.append(host);
    const el = document.createElement("div");
    host.attachShadow({ mode: "open" }).append(el);
    await createLoader({ importCode, frontEnds: new Map() }).render({ model: widget(), el });
    expect(host.shadowRoot.querySelectorAll("style[data-productai]")).toHaveLength(1);
    expect(document.head.querySelectorAll("style[data-productai]")).toHaveLength(0);
  });

  it("hands back the code's cleanup, so closing the view cleans up what the code drew", async () => {
    const { widget } = page();
    const cleanup = await createLoader({ importCode, frontEnds: new Map() }).render({ model: widget(), el: mountEl() });
    cleanup();
    expect(log).toEqual(["render", "cleanup"]);
  });

  it("passes initialize on to the code and returns what it returns", async () => {
    const { widget } = page();
    const initialize = vi.fn(() => "initialized");
    importCode = vi.fn(async () => ({ default: { initialize, render() {} } }));
    const model = widget();
    const result = await createLoader({ importCode, frontEnds: new Map() }).initialize({ model });
    expect(initialize).toHaveBeenCalledWith({ model });
    expect(result).toBe("initialized");
  });

  it("says the front end did not load when the page cannot find its FrontEnd widget", async () => {
    const { widget } = page();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const loader = createLoader({ importCode, frontEnds: new Map() });
    const el = mountEl();
    await expect(loader.initialize({ model: widget("IPY_MODEL_gone") })).resolves.toBeUndefined();
    await loader.render({ model: widget("IPY_MODEL_gone"), el });
    expect(el.textContent).toMatch(/front end did not load/);
    expect(importCode).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });
});
