// Under the form: the widgets that show the last batch (its board), drawn as child views with
// anywidget's host (`host.getWidget(ref).render({el})`), or the page's widget manager where there is none.

// marimo, for one, draws only the widgets its cells show: the board is then shown from a cell
const CANNOT_DRAW =
  "The batch is made (studio.batch in Python), but this page cannot draw its board inside the studio: show it from a cell, pai.BatchBoard(studio.batch).";

function modelId(ref) {
  return String(ref).replace(/^IPY_MODEL_/, "");
}

async function drawChild({ model, host, ref, el, signal }) {
  if (host?.getWidget) {
    const child = await host.getWidget(`anywidget:${modelId(ref)}`); // (the host's form of a reference)
    await child.render({ el, signal });
    return;
  }
  const manager = model.widget_manager;
  if (!manager?.create_view) throw new Error("no widget manager on this page");
  const view = await manager.create_view(await manager.get_model(modelId(ref)));
  el.append(view.el);
  signal.addEventListener("abort", () => view.remove());
}

/** The area and its `show()`: draws views new in the `views` trait, removes those gone. */
export function batchArea({ model, host }) {
  const element = document.createElement("div");
  element.className = "pai-studio-batch";
  element.setAttribute("aria-label", "The batch");
  const drawn = new Map(); // ref -> {el, controller}

  function show() {
    const refs = (model.get("views") || []).map(String);
    for (const [ref, { el, controller }] of drawn) {
      if (refs.includes(ref)) continue;
      controller.abort();
      el.remove();
      drawn.delete(ref);
    }
    for (const ref of refs) {
      if (drawn.has(ref)) continue;
      const el = document.createElement("div");
      el.className = "pai-studio-batch-view";
      const controller = new AbortController();
      drawn.set(ref, { el, controller });
      element.append(el);
      drawChild({ model, host, ref, el, signal: controller.signal }).catch((error) => {
        el.textContent = CANNOT_DRAW;
        console.warn("productai-notebook: the studio could not draw its batch:", error);
        // said back to the kernel: a host that reruns the cells reading the studio on a change
        // from the page (marimo) shows the board there, once the batch exists
        model.set("undrawn", modelId(ref));
        model.save_changes();
      });
    }
  }

  function close() {
    for (const { controller } of drawn.values()) controller.abort();
  }
  return { element, show, close };
}
