import { describe, expect, test, vi } from "vitest";
import { sharedModule } from "./shared.js";
import { recordWidgetModules } from "./widget_modules.js";
import { drawWithoutKernel, WIDGET_MIME } from "./without_kernel.js";

const PROVIDER = "@jupyter-widgets/jupyterlab-manager:plugin";

/** A share scope entry as webpack's runtime registers it: get() -> Promise<factory>. */
function shared(module, loaded = 0) {
  return { get: async () => () => module, loaded };
}

/** A signal (Lumino's connect/emit), enough for `disposed`. */
function signal() {
  const slots = [];
  return { connect: (slot) => slots.push(slot), emit: () => slots.forEach((slot) => slot()) };
}

/**
 * The manager extension's WidgetManager as version 5 behaves: its constructor restores at once,
 * after the session is ready: first from the kernel (which throws with none), then the saved state
 * (which asks for the live comms first, throwing with no kernel too).
 */
class FakeWidgetManager {
  constructor(context, rendermime, settings) {
    Object.assign(this, { context, rendermime, settings, registered: [], drawn: null, disposed: false });
    this.restoreWidgets(context.model);
  }
  get kernel() {
    return this.context.sessionContext.session?.kernel ?? null;
  }
  register(data) {
    this.registered.push(data.name);
  }
  async restoreWidgets(notebook, { loadKernel, loadNotebook } = { loadKernel: true, loadNotebook: true }) {
    try {
      await this.context.sessionContext.ready;
      if (loadKernel) await this._loadFromKernel();
      if (loadNotebook) await this._loadFromNotebook(notebook);
    } catch {
      // as upstream: swallowed
    }
  }
  async _loadFromKernel() {
    if (!this.kernel) throw new Error("Kernel not set");
  }
  async _loadFromNotebook(notebook) {
    await this._get_comm_info();
    this.drawn = { modules: [...this.registered], state: notebook.widgets };
  }
  async _get_comm_info() {
    if (!this.kernel) throw new Error("No current kernel");
    return {};
  }
  dispose() {
    this.disposed = true;
  }
}

class FakeRenderer {
  constructor(options, manager) {
    this.options = options;
    if (manager) this.manager = manager;
  }
}

function fakeRendermime() {
  const factories = new Map();
  return {
    factories,
    removeMimeType: (mime) => factories.delete(mime),
    addFactory: (factory) => factory.mimeTypes.forEach((mime) => factories.set(mime, factory)),
  };
}

function fakeNotebook({ kernel = null, renderers = [] } = {}) {
  const rendermime = fakeRendermime();
  rendermime.addFactory({ mimeTypes: [WIDGET_MIME], createRenderer: (options) => new FakeRenderer(options) });
  const cells = [
    { model: { type: "markdown" } },
    { model: { type: "code" }, outputArea: { widgets: [{ children: () => [...renderers, { other: true }] }] } },
  ];
  const panel = { content: { widgets: cells, rendermime }, disposed: signal(), isDisposed: false };
  const context = {
    ready: Promise.resolve(),
    model: { widgets: "the saved state" },
    sessionContext: { ready: Promise.resolve(), session: kernel ? { kernel } : null },
  };
  return { panel, context, rendermime };
}

function registry() {
  const plugins = [
    { id: PROVIDER, activate: () => ({ registerWidget: (data) => registry.got.push(data.name) }) },
    { id: "other" },
  ];
  registry.got = [];
  return plugins;
}

describe("reading a module other extensions share", () => {
  test("the copy in use wins, else the highest version; it is then marked in use", async () => {
    const scope = { m: { "5.0.9": shared("old"), "5.0.16": shared("new"), "5.0.2": shared("older") } };
    expect(await sharedModule(scope, "m")).toBe("new");
    expect(scope.m["5.0.16"].loaded).toBe(1);
    expect(await sharedModule({ m: { "5.1.0": shared("newer"), "5.0.1": shared("used", 1) } }, "m")).toBe("used");
    expect(await sharedModule({}, "m")).toBeNull();
    expect(await sharedModule(null, "m")).toBeNull();
  });
});

describe("recording the widget modules", () => {
  test("each module registered reaches the manager extension and is recorded, later ones told", () => {
    const plugins = registry();
    const modules = recordWidgetModules(plugins);
    const service = plugins[0].activate({});
    service.registerWidget({ name: "anywidget" });
    const told = [];
    modules.onAdded((data) => told.push(data.name));
    service.registerWidget({ name: "@jupyter-widgets/base" });
    expect(registry.got).toEqual(["anywidget", "@jupyter-widgets/base"]);
    expect(modules.all().map((data) => data.name)).toEqual(["anywidget", "@jupyter-widgets/base"]);
    expect(told).toEqual(["@jupyter-widgets/base"]);
  });

  test("a registry provided later (a promise) is recorded too", async () => {
    const plugins = [{ id: PROVIDER, activate: async () => ({ registerWidget: () => {} }) }];
    const modules = recordWidgetModules(plugins);
    (await plugins[0].activate()).registerWidget({ name: "anywidget" });
    expect(modules.all()).toEqual([{ name: "anywidget" }]);
  });

  test("no such provider: nothing changes", () => {
    const plugins = [{ id: "other", activate: () => 1 }];
    expect(recordWidgetModules(plugins)).toBeNull();
    expect(recordWidgetModules(undefined)).toBeNull();
    expect(plugins[0].activate()).toBe(1);
  });
});

describe("a notebook opened with no kernel", () => {
  function parts() {
    const plugins = registry();
    const modules = recordWidgetModules(plugins);
    plugins[0].activate({}).registerWidget({ name: "anywidget" });
    return { WidgetManager: FakeWidgetManager, WidgetRenderer: FakeRenderer, modules };
  }

  test("draws its widgets from the saved state: the outputs drawn already and those drawn later", async () => {
    const waiting = new FakeRenderer({});
    const { panel, context, rendermime } = fakeNotebook({ renderers: [waiting] });
    const manager = await drawWithoutKernel(panel, context, parts());
    expect(manager).toBeInstanceOf(FakeWidgetManager);
    expect(waiting.manager).toBe(manager);
    const later = rendermime.factories.get(WIDGET_MIME).createRenderer({ later: true });
    expect(later.manager).toBe(manager);
    await vi.waitFor(() => expect(manager.drawn).toEqual({ modules: ["anywidget"], state: "the saved state" }));
    expect(manager.settings.saveState).toBe(false); // saving the notebook keeps its saved state
    panel.disposed.emit();
    expect(manager.disposed).toBe(true);
  });

  test("a notebook with a kernel is left to the widget manager extension", async () => {
    const waiting = new FakeRenderer({});
    const { panel, context, rendermime } = fakeNotebook({ kernel: { id: "k" }, renderers: [waiting] });
    const before = rendermime.factories.get(WIDGET_MIME);
    expect(await drawWithoutKernel(panel, context, parts())).toBeNull();
    expect(waiting.manager).toBeUndefined();
    expect(rendermime.factories.get(WIDGET_MIME)).toBe(before);
  });
});
