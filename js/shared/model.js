// What every widget does with its model: save a trait the user changed, and ask the kernel
// for something (a custom message answered with the same `request` number, bytes in buffers).

const ANSWER_TIMEOUT_MS = 30_000;

/**
 * Tells Python a browser draws this widget: its output's later updates then reach the page by
 * their display id, and only a headless run (no browser) needs them sent again by the next cell.
 */
export function sayShown(model) {
  try {
    model.send({ type: "shown" });
  } catch {
    // no kernel (a reopened notebook): nothing to tell
  }
}

/**
 * save(name, value): sets a trait and sends it to Python. With no kernel (a notebook reopened
 * without one) the change stays in the page: some ipywidgets versions throw "no comm channel" then.
 */
export function saver(model) {
  return (name, value) => {
    model.set(name, value);
    try {
      model.save_changes();
    } catch {
      // no kernel to send it to
    }
  };
}

/**
 * False when the page's widget manager says it has no kernel (JupyterLab's, for a notebook
 * reopened without one or whose kernel was shut down); true when it has one or does not say (marimo).
 */
function hasKernel(model) {
  const manager = model.widget_manager;
  return !manager || !("kernel" in manager) || Boolean(manager.kernel);
}

/**
 * {ask(type, content) -> Promise<{content, buffers}>, close()}. The promise rejects when the
 * kernel answers with an `error`, does not answer in time, there is no kernel at all (at once,
 * not after the wait: a notebook reopened without one), or the view closes first.
 */
export function kernelRequests(model) {
  const waiting = new Map();
  let next = 0;

  function settle(request, outcome) {
    const entry = waiting.get(request);
    if (!entry) return;
    waiting.delete(request);
    clearTimeout(entry.timer);
    outcome(entry);
  }

  function onMessage(message, buffers) {
    if (!message || typeof message.request !== "number") return;
    // another requester of the same widget (numbered on its own) asked with another type
    if (message.type && waiting.get(message.request)?.type !== message.type) return;
    settle(message.request, (entry) =>
      message.error ? entry.reject(new Error(String(message.error))) : entry.resolve({ content: message, buffers: buffers || [] }),
    );
  }
  model.on("msg:custom", onMessage);

  function ask(type, content = {}) {
    if (!hasKernel(model)) return Promise.reject(new Error("no kernel"));
    const request = ++next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(request, (entry) => entry.reject(new Error("the kernel did not answer"))), ANSWER_TIMEOUT_MS);
      waiting.set(request, { resolve, reject, timer, type });
      try {
        model.send({ ...content, type, request });
      } catch (error) {
        settle(request, (entry) => entry.reject(error));
      }
    });
  }

  function close() {
    model.off("msg:custom", onMessage);
    for (const request of [...waiting.keys()]) settle(request, (entry) => entry.reject(new Error("closed")));
  }

  return { ask, close };
}
