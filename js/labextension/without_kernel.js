// Why this exists: @jupyter-widgets/jupyterlab-manager (5.0.x) makes a notebook's widget manager
// only once the notebook has a kernel (it files managers by kernel id), and its manager reads the
// notebook's saved widget state only after asking the kernel for its widgets and live comms. With
// no kernel there is no manager at all, and every widget of a trusted notebook says "Loading
// widget..." for good (upstream: jupyter-widgets/ipywidgets#3773). So, for a notebook whose session
// ended up with no kernel, this makes a manager itself that reads the saved state alone. A notebook
// with a kernel is left to the manager extension, unchanged.

export const WIDGET_MIME = "application/vnd.jupyter.widget-view+json";

const managerClasses = new WeakMap();

/** WidgetManager, told that no kernel means no widgets in a kernel and no live comms (not an error). */
function savedStateManagerClass(WidgetManager) {
  if (!managerClasses.has(WidgetManager)) {
    managerClasses.set(WidgetManager, class SavedStateWidgetManager extends WidgetManager {
      async _loadFromKernel() {
        if (this.kernel) return super._loadFromKernel();
      }

      async _get_comm_info() {
        return this.kernel ? super._get_comm_info() : {};
      }
    });
  }
  return managerClasses.get(WidgetManager);
}

/** The widget outputs already drawn (each waiting for a manager) in a notebook panel's code cells. */
function* widgetRenderers(panel, WidgetRenderer) {
  for (const cell of panel.content?.widgets ?? []) {
    if (cell.model?.type !== "code") continue;
    for (const output of cell.outputArea?.widgets ?? []) {
      for (const child of Array.from(output.children?.() ?? [])) if (child instanceof WidgetRenderer) yield child;
    }
  }
}

/**
 * Once `panel`'s session is ready: if it has no kernel, a widget manager over the saved state draws
 * its widget outputs, those drawn already and those drawn later. Resolves to that manager, or null
 * when the notebook has a kernel (the manager extension's business).
 */
export async function drawWithoutKernel(panel, context, { WidgetManager, WidgetRenderer, modules }) {
  await context.ready;
  await context.sessionContext.ready; // also when starting a kernel failed: then with no session
  if (context.sessionContext.session?.kernel || panel.isDisposed) return null;

  const rendermime = panel.content.rendermime;
  // saveState off: saving this notebook keeps the widget state it was opened with. The constructor
  // starts reading the saved state; it waits for the session first, so the widget modules
  // registered right below are there by the time it needs them.
  const Manager = savedStateManagerClass(WidgetManager);
  const manager = new Manager(context, rendermime, { saveState: false });
  for (const data of modules.all()) manager.register(data);
  const stopListening = modules.onAdded((data) => manager.register(data));
  for (const renderer of widgetRenderers(panel, WidgetRenderer)) renderer.manager = manager;
  // the outputs drawn from now on (scrolled into view, or after a kernel starts) get this manager too
  rendermime.removeMimeType(WIDGET_MIME);
  rendermime.addFactory({ safe: false, mimeTypes: [WIDGET_MIME], createRenderer: (options) => new WidgetRenderer(options, manager) }, -10);
  panel.disposed.connect(() => {
    stopListening();
    manager.dispose();
  });
  return manager;
}
