// productai-notebook's JupyterLab (and Notebook 7) extension, a prebuilt federated extension:
// JupyterLab loads this script, calls init(shareScope), then get("./extension") and the factory
// it returns; the module's default export is the plugin. Its one job: a saved notebook opened with
// no kernel draws its widgets from their saved state (see without_kernel.js).
import { sharedModule } from "./shared.js";
import { recordWidgetModules } from "./widget_modules.js";
import { drawWithoutKernel } from "./without_kernel.js";

const NAME = "productai-notebook";
const WIDGET_MANAGER = "@jupyter-widgets/jupyterlab-manager";
let shareScope = null;

function warn(message, error) {
  console.warn(`${NAME}: ${message}; a notebook opened without a kernel may show "Loading widget..."`, error ?? "");
}

/** What the fix needs from the widget manager extension, or null (and one warning) when it is not there as expected. */
async function widgetManagerParts() {
  let manager;
  try {
    manager = await sharedModule(shareScope, WIDGET_MANAGER);
  } catch (error) {
    warn(`could not load ${WIDGET_MANAGER}`, error);
    return null;
  }
  if (!manager) return null; // no widget manager installed: no widgets to draw
  const { WidgetManager, WidgetRenderer } = manager;
  const fits = typeof WidgetRenderer === "function" && ["register", "restoreWidgets", "dispose", "_loadFromKernel", "_get_comm_info"].every(
    (name) => typeof WidgetManager?.prototype?.[name] === "function",
  );
  const modules = fits ? recordWidgetModules(manager.default) : null;
  if (!modules) {
    warn(`${WIDGET_MANAGER} is not the version this extension knows`);
    return null;
  }
  return { WidgetManager, WidgetRenderer, modules };
}

function plugin(parts) {
  return {
    id: `${NAME}:draw-without-kernel`,
    description: "Draws the widgets of a notebook opened with no kernel from their saved state.",
    autoStart: true,
    activate(app) {
      if (!parts) return;
      app.docRegistry.addWidgetExtension("Notebook", {
        createNew(panel, context) {
          drawWithoutKernel(panel, context, parts).catch((error) => console.warn(`${NAME}: could not draw the saved widgets`, error));
        },
      });
    },
  };
}

const container = {
  init(scope) {
    shareScope = scope;
  },
  async get(module) {
    if (module !== "./extension") throw new Error(`Module "${module}" does not exist in container.`);
    // before JupyterLab activates any plugin: the widget registry must be wrapped before its first use
    const parts = await widgetManagerParts();
    return () => ({ __esModule: true, default: plugin(parts) });
  },
};

window._JUPYTERLAB = window._JUPYTERLAB || {};
window._JUPYTERLAB[NAME] = container;
