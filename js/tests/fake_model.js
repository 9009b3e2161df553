// A Backbone-like stand-in for the anywidget model: what render() sees in a notebook.

/** A model holding `state`; set() fires change:<name> like Backbone (only on a real change). */
export function fakeModel(state = {}) {
  const values = structuredClone(state);
  const listeners = new Map();
  const model = {
    sent: [],
    saves: 0,
    get: (name) => values[name],
    set(name, value) {
      if (JSON.stringify(values[name]) === JSON.stringify(value)) return;
      values[name] = value;
      for (const callback of [...(listeners.get(`change:${name}`) || [])]) callback();
    },
    on(event, callback) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(callback);
    },
    off(event, callback) {
      listeners.get(event)?.delete(callback);
    },
    save_changes() {
      model.saves += 1;
    },
    send(message) {
      model.sent.push(message);
    },
    /** A custom message from Python, as anywidget delivers it (msg:custom). */
    receive(message, buffers = []) {
      for (const callback of [...(listeners.get("msg:custom") || [])]) callback(message, buffers);
    },
    listenerCount: () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0),
  };
  return model;
}

/** Renders a widget module into a fresh element attached to the document. */
export function mount(widget, state) {
  const model = fakeModel(state);
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = widget.render({ model, el }) ?? (() => {});
  return { model, el, cleanup };
}

// the first stack frame outside this helper and the spy machinery: who asked for the timer
function callerOf(stack) {
  const frames = stack.split("\n").slice(1);
  return frames.find((frame) => !/fake_model\.js|node_modules\/(vitest|@vitest|tinyspy)/.test(frame)) ?? "";
}

/**
 * Counts the timers our code has pending: jsdom starts timers of its own (focus moves the
 * selection), so the raw count of fake timers cannot tell a leak from jsdom's bookkeeping.
 */
export function trackTimers(vi) {
  const live = new Set();
  for (const [start, stop] of [["setTimeout", "clearTimeout"], ["setInterval", "clearInterval"]]) {
    const original = globalThis[start];
    vi.spyOn(globalThis, start).mockImplementation((callback, ...rest) => {
      const ours = !callerOf(new Error().stack).includes("node_modules/jsdom");
      const id = original((...args) => {
        if (start === "setTimeout") live.delete(id);
        callback(...args);
      }, ...rest);
      if (ours) live.add(id);
      return id;
    });
    const originalStop = globalThis[stop];
    vi.spyOn(globalThis, stop).mockImplementation((id) => {
      live.delete(id);
      originalStop(id);
    });
  }
  return { pending: () => live.size };
}
