// The protocol JupyterLab 4 (and Notebook 7) loads a prebuilt extension by: the script sets
// window._JUPYTERLAB[name] = {init(shareScope), get(module)}; get("./extension") resolves to a
// factory whose module's default export is the plugin.
import { beforeEach, expect, test, vi } from "vitest";
import "./index.js";

const container = window._JUPYTERLAB["productai-notebook"];

class WidgetManager {
  register() {}
  restoreWidgets() {}
  dispose() {}
  _loadFromKernel() {}
  _get_comm_info() {}
}
class WidgetRenderer {}

function scopeWith(module) {
  return { "@jupyter-widgets/jupyterlab-manager": { "5.0.16": { get: async () => () => module, loaded: 0 } } };
}

async function loadPlugin(scope) {
  container.init(scope);
  const module = (await container.get("./extension"))();
  expect(module.__esModule).toBe(true);
  return module.default;
}

function fakeApp() {
  const extensions = [];
  return { extensions, docRegistry: { addWidgetExtension: (name, extension) => extensions.push({ name, extension }) } };
}

beforeEach(() => vi.restoreAllMocks());

test("the plugin starts with JupyterLab and watches each notebook opened", async () => {
  const plugins = [{ id: "@jupyter-widgets/jupyterlab-manager:plugin", activate: () => ({ registerWidget() {} }) }];
  const plugin = await loadPlugin(scopeWith({ WidgetManager, WidgetRenderer, default: plugins }));
  expect(plugin).toMatchObject({ id: "productai-notebook:draw-without-kernel", autoStart: true });
  const app = fakeApp();
  plugin.activate(app);
  expect(app.extensions.map((e) => e.name)).toEqual(["Notebook"]);
});

test("a widget manager extension not shaped as expected: no drawing without a kernel, one warning", async () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const plugins = [{ id: "@jupyter-widgets/jupyterlab-manager:plugin", activate: () => ({}) }];
  const activate = plugins[0].activate;
  const plugin = await loadPlugin(scopeWith({ WidgetManager: class {}, WidgetRenderer, default: plugins }));
  const app = fakeApp();
  plugin.activate(app);
  expect(plugins[0].activate).toBe(activate);
  // the HTML copies still apply; nothing else is done to the notebook
  const rendermime = { addFactory: vi.fn(), getFactory: () => undefined };
  app.extensions[0].extension.createNew({ content: { rendermime } }, {});
  expect(typeof rendermime.addFactory).toBe("function");
  expect(warn).toHaveBeenCalledOnce();
  expect(String(warn.mock.calls[0][0])).toContain("Loading widget...");
});

test("no widget manager installed: no widgets to draw, nothing to say", async () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const plugin = await loadPlugin({});
  const app = fakeApp();
  plugin.activate(app);
  expect(app.extensions).toEqual([]);
  expect(warn).not.toHaveBeenCalled();
});

test("asked for a module it does not have, it says so", async () => {
  await expect(container.get("./mimeExtension")).rejects.toThrow("does not exist");
});

test("a page where the widget manager's shared getter throws (Voila): no warning, no error, nothing to do", async () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "debug").mockImplementation(() => {});
  const getter = () => {
    throw new Error('The getter for the shared module is not a function. This may be caused by setting "shared.import: false"');
  };
  for (const get of [getter, async () => getter()]) {
    const plugin = await loadPlugin({ "@jupyter-widgets/jupyterlab-manager": { "5.0.16": { get, loaded: 0 } } });
    const app = fakeApp();
    plugin.activate(app);
    plugin.activate({}); // an app with no document registry either
    expect(app.extensions).toEqual([]);
  }
  expect(warn).not.toHaveBeenCalled();
  expect(error).not.toHaveBeenCalled();
});
