// productai-notebook's JupyterLab (and Notebook 7) extension, a prebuilt federated extension:
// JupyterLab loads this script, calls init(shareScope), then get("./extension") and the factory
// it returns; the module's default export is the plugin. Its two jobs: a saved notebook opened with
// no kernel draws its widgets from their saved state (see without_kernel.js), and a widget whose
// model is missing shows its output's HTML copy instead of an error (see html_copy.js).
import { showHtmlCopies } from "./html_copy.js";
import { sharedModule } from "./shared.js";
import { recordWidgetModules } from "./widget_modules.js";
import { drawWithoutKernel } from "./without_kernel.js";

const NAME = "productai-notebook";
const WIDGET_MANAGER = "@jupyter-widgets/jupyterlab-manager";
let shareScope = null;

function warn(message, error) {
  console.warn(`${NAME}: ${message}; a notebook opened without a kernel may show "Loading widget..."`, error ?? "");
}

/**
 * The widget manager extension's module, or null when it is not shared here or cannot be built
 * here: Voila shares it from an extension built for another JupyterLab, whose getter then throws
 * ("The getter for the shared module is not a function"). Voila draws widgets its own way, so that
 * is no error of ours: a debug line, not a warning.
 */
async function widgetManager() {
  try {
    return await sharedModule(shareScope, WIDGET_MANAGER);
  } catch (error) {
    console.debug(`${NAME}: ${WIDGET_MANAGER} cannot be loaded on this page; nothing to do here`, error);
    return null;
  }
}

/** What drawing without a kernel needs from the widget manager extension, or null (and one warning). */
function kernelLessParts(manager) {
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

function plugin(manager, parts) {
  return {
    id: `${NAME}:draw-without-kernel`,
    description: "Draws the widgets of a saved notebook with no kernel from their saved state, and shows an output's HTML copy where its widget's model is missing.",
    autoStart: true,
    activate(app) {
      if (!manager || typeof app.docRegistry?.addWidgetExtension !== "function") return;
      app.docRegistry.addWidgetExtension("Notebook", {
        createNew(panel, context) {
          showHtmlCopies(panel.content?.rendermime);
          if (!parts) return;
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
    const manager = await widgetManager();
    const parts = manager ? kernelLessParts(manager) : null;
    return () => ({ __esModule: true, default: plugin(manager, parts) });
  },
};

window._JUPYTERLAB = window._JUPYTERLAB || {};
window._JUPYTERLAB[NAME] = container;
