// The widget modules (anywidget's, ipywidgets' own...) other extensions register with the Jupyter
// widget manager extension. It hands them only to the widget managers it makes itself, so they are
// recorded here, on their way in, for the managers this extension makes (see without_kernel.js).

const PROVIDER = "@jupyter-widgets/jupyterlab-manager:plugin";

/**
 * Wraps the widget registry the manager extension provides so each registered module is also
 * recorded. Must run before JupyterLab activates `plugins` (the manager extension's own list).
 * Returns {all(), onAdded(callback)}, or null (nothing changed) when no such provider is in `plugins`.
 */
export function recordWidgetModules(plugins) {
  const provider = Array.isArray(plugins) ? plugins.find((plugin) => plugin?.id === PROVIDER) : undefined;
  if (typeof provider?.activate !== "function") return null;
  const modules = [];
  const listeners = new Set();

  function recording(registry) {
    if (typeof registry?.registerWidget !== "function") return registry;
    return Object.assign(Object.create(registry), {
      registerWidget(data) {
        modules.push(data);
        for (const listener of listeners) listener(data);
        return registry.registerWidget(data);
      },
    });
  }

  const activate = provider.activate;
  provider.activate = function (...services) {
    const registry = activate.apply(this, services);
    return typeof registry?.then === "function" ? registry.then(recording) : recording(registry);
  };

  return {
    all: () => [...modules],
    onAdded(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
  };
}
