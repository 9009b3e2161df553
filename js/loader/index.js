// The `_esm` each widget carries in place of its whole front end: it draws with the code its
// FrontEnd widget holds once per kernel (productai_notebook/notebook/_front_end.py), so a saved
// notebook keeps that code once. The code is imported once per page and its CSS added once per
// document, whichever widget asks first.

// anywidget imports every widget's `_esm` anew, so what the widgets share lives on globalThis:
// the page's front ends by the digest of their code (a rebuild brings a new digest).
const pageFrontEnds = (globalThis.__productaiFrontEnds ??= new Map());

const NOT_LOADED =
  "This widget's front end did not load (the browser console says why): its code lives in a hidden widget of this notebook.";

// as anywidget imports an `_esm` itself: from a Blob URL
async function importFromBlob(source) {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return await import(/* @vite-ignore */ url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The loader's `{initialize, render}`, importing code with `importCode` and caching it in `frontEnds`. */
export function createLoader({ importCode = importFromBlob, frontEnds = pageFrontEnds } = {}) {
  async function frontEndOf(model) {
    // "IPY_MODEL_<id>", as ipywidgets refers to another widget
    const ref = String(model.get("_front_end") ?? "").replace(/^IPY_MODEL_/, "");
    const holder = await model.widget_manager.get_model(ref);
    const digest = holder.get("digest");
    if (!frontEnds.has(digest)) {
      const loading = importCode(holder.get("esm")).then((module) =>
        typeof module.default === "function" ? module.default() : module.default,
      );
      frontEnds.set(digest, loading);
    }
    return { holder, widget: await frontEnds.get(digest) };
  }

  // once per document, or per shadow root for a host that draws widgets in one
  function addStyle(el, holder) {
    const root = el.getRootNode();
    const parent = typeof ShadowRoot !== "undefined" && root instanceof ShadowRoot ? root : document.head;
    const name = holder.get("name");
    let style = [...parent.querySelectorAll("style[data-productai]")].find((s) => s.dataset.productai === name);
    if (style?.dataset.digest === holder.get("digest")) return;
    if (!style) {
      style = document.createElement("style");
      style.dataset.productai = name;
      parent.append(style);
    }
    style.dataset.digest = holder.get("digest");
    style.textContent = holder.get("css");
  }

  return {
    async initialize(props) {
      let widget;
      try {
        ({ widget } = await frontEndOf(props.model));
      } catch {
        return undefined; // render says so where the user looks
      }
      return widget.initialize?.(props);
    },
    async render(props) {
      let found;
      try {
        found = await frontEndOf(props.model);
      } catch (error) {
        props.el.textContent = NOT_LOADED;
        console.error("productai-notebook:", error);
        return undefined;
      }
      addStyle(props.el, found.holder);
      return found.widget.render(props);
    },
  };
}

export default createLoader();
