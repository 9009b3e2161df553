// Why this exists: a trusted notebook reopened with a kernel is drawn by the widget manager
// extension, which finds each widget's model in the kernel or in the notebook's saved widget state.
// JupyterLab saves that state only with "Save Widget State Automatically" on, which is off by default:
// so a notebook its author ran and saved shows "Error displaying widget: model not found" for every
// widget, though each output carries its HTML copy (thumbnails and all). Where the model is missing,
// this shows that copy instead, with a one-line hint. Only outputs that carry an HTML copy change.
//
// One more way to "model not found": the state *is* saved, but the manager never read it. Upstream
// reads the kernel's widgets first and the saved state after, in one try block, so a kernel that
// fails that first read (dead, restarting, or gone mid-request) drops the saved state too; the
// restore that follows once the kernel is connected asks the kernel alone. A missing model that
// the saved state holds is therefore read from there, and drawn live, before any copy is shown.

import { WIDGET_MIME } from "./without_kernel.js";

const STATE_MIME = "application/vnd.jupyter.widget-state+json";

// upstream's own words (jupyterlab_widgets' WidgetRenderer, not translated): the only sign it gives
const MODEL_NOT_FOUND = "Error displaying widget: model not found";
export const HINT = "The live widget needs the notebook's widget state: Settings > Save Widget State Automatically.";

const wrapped = new WeakSet();

/** Puts the output's HTML copy (sanitized, as JupyterLab shows an untrusted one) and the hint in `renderer`. */
function showHtmlCopy(renderer, model, sanitizer) {
  const html = model?.data?.["text/html"];
  if (typeof html !== "string" || !html.trim() || typeof sanitizer?.sanitize !== "function") return;
  const node = renderer.node;
  node.textContent = "";
  renderer.removeClass?.("jupyter-widgets"); // upstream's error styling
  const copy = document.createElement("div");
  copy.className = "pai-html-copy";
  copy.innerHTML = sanitizer.sanitize(html);
  const hint = document.createElement("div");
  hint.className = "pai-html-copy-hint";
  hint.textContent = HINT;
  hint.style.cssText = "margin-top: 4px; font-size: var(--jp-ui-font-size0, 11px); color: var(--jp-ui-font-color2, #757575);";
  node.append(copy, hint);
}

// a manager's one read of the notebook's saved state, shared by all its widgets that miss a model
const savedStateReads = new WeakMap();

function savedState(manager) {
  const notebook = manager?.context?.model;
  const widgets = typeof notebook?.getMetadata === "function" ? notebook.getMetadata("widgets") : notebook?.metadata?.get?.("widgets");
  return widgets?.[STATE_MIME]?.state ?? {};
}

/**
 * Whether `renderer`'s missing model was in the saved state its manager skipped: then that state
 * is read (once per manager, upstream's own `_loadFromNotebook`, which keeps the models it has)
 * and the widget drawn again with `renderModel`.
 */
async function drawnFromSavedState(renderer, renderModel, model) {
  const manager = await renderer._manager?.promise; // upstream keeps no public getter
  const modelId = model?.data?.[WIDGET_MIME]?.model_id;
  if (!modelId || !(modelId in savedState(manager)) || typeof manager._loadFromNotebook !== "function") return false;
  if (!savedStateReads.has(manager)) savedStateReads.set(manager, manager._loadFromNotebook(manager.context.model));
  try {
    await savedStateReads.get(manager);
  } catch (error) {
    savedStateReads.delete(manager); // the next draw (after the kernel restarts, say) tries again
    console.warn("productai-notebook: the notebook's saved widget state could not be read", error);
    return false;
  }
  if (renderer.isDisposed) return true;
  renderer.removeClass?.("jupyter-widgets"); // upstream's error styling, from the first try
  await renderModel.call(renderer, model);
  return renderer.node?.textContent !== MODEL_NOT_FOUND;
}

/**
 * `renderer` (upstream's WidgetRenderer), which draws a missing model from the notebook's saved
 * state when the manager skipped it, and otherwise shows the output's HTML copy.
 */
export function withHtmlCopy(renderer, sanitizer) {
  if (typeof renderer?.renderModel !== "function") return renderer;
  const renderModel = renderer.renderModel;
  const missing = (r) => !r.isDisposed && r.node?.textContent === MODEL_NOT_FOUND;
  // an own property: upstream's rerender (once the manager is restored) calls this one too
  renderer.renderModel = async function (model) {
    await renderModel.call(this, model);
    if (!missing(this) || (await drawnFromSavedState(this, renderModel, model))) return;
    if (missing(this)) showHtmlCopy(this, model, sanitizer);
  };
  return renderer;
}

function htmlCopyFactory(factory) {
  const factoryWithCopy = {
    ...factory,
    createRenderer: (options) => withHtmlCopy(factory.createRenderer(options), options?.sanitizer),
  };
  wrapped.add(factoryWithCopy);
  return factoryWithCopy;
}

/**
 * Makes every widget renderer of `rendermime` (a notebook's) show its output's HTML copy when the
 * widget's model is missing: the factory there now, and those the manager extension puts there
 * later (it replaces the factory once the notebook has a kernel, bound to that kernel's manager).
 */
export function showHtmlCopies(rendermime) {
  if (typeof rendermime?.addFactory !== "function") return;
  const addFactory = rendermime.addFactory.bind(rendermime);
  const withCopy = (factory) =>
    factory?.mimeTypes?.includes(WIDGET_MIME) && !wrapped.has(factory) && typeof factory.createRenderer === "function"
      ? htmlCopyFactory(factory)
      : factory;
  rendermime.addFactory = (factory, rank) => addFactory(withCopy(factory), rank);
  const current = rendermime.getFactory?.(WIDGET_MIME);
  if (current) addFactory(withCopy(current), rendermime.getRank?.(WIDGET_MIME));
}
