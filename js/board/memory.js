// What the user was doing on a board, kept across a redraw of its output. JupyterLab draws a
// widget's output again when Python replaces it by display id (once, as the batch settles, so a
// saved notebook's HTML is final): the old view goes, a new view of the same model comes. The
// new one takes the old one's focus, lightbox, axes, tab and scroll, so the user notices nothing.

/** How soon after the old view went a new view of the same model counts as its redraw. */
export const REDRAW_MS = 2000;

// by the board's `_memory_key` (anywidget hands each view its own proxy of the model, so the
// model object cannot say two views show the same board), else by the model object
const left = new Map(); // key -> {state, at}: a view that went, not yet taken up
const fresh = new Map(); // key -> {restore, at}: a view just drawn, nothing taken up yet

const shown = new Map(); // key -> Set of {root, place}: this page's views of it
// JupyterLab redraws an output in place: it takes the old view out of the page without removing
// it (no cleanup runs), so a view found out of the page as a new one is drawn is the one it replaces

const keyOf = (model) => model.get("_memory_key") || model;

function forgetOld(now) {
  for (const kept of [left, fresh]) for (const [key, { at }] of kept) if (now - at > REDRAW_MS) kept.delete(key);
}

/** A view of `model` went, in `state`: a view drawn just before, or just after, takes it up. */
export function viewLeft(model, state, now = Date.now()) {
  forgetOld(now);
  const key = keyOf(model);
  const drawn = fresh.get(key);
  fresh.delete(key);
  if (drawn && now - drawn.at <= REDRAW_MS) {
    drawn.restore(state); // the new view came first (an output area may draw before it removes)
    return;
  }
  left.set(key, { state, at: now });
}

/**
 * A view of `model` is drawn: the state of one that went within the last moment, or null
 * (then `restore` is kept for a moment, in case the old view goes just after).
 */
export function viewDrawn(model, restore, view = null, now = Date.now()) {
  forgetOld(now);
  const key = keyOf(model);
  const views = shown.get(key) ?? new Set();
  shown.set(key, views);
  const out = [...views].find((other) => !other.root.isConnected);
  if (view) views.add(view);
  if (out) {
    views.delete(out);
    return out.place();
  }
  const went = left.get(key);
  left.delete(key);
  if (went) return went.state;
  fresh.set(key, { restore, at: now });
  return null;
}

/** This view goes: it no longer takes up another's state. */
export function forgetDrawn(model, restore, view = null) {
  shown.get(keyOf(model))?.delete(view);
  if (!shown.get(keyOf(model))?.size) shown.delete(keyOf(model));
  if (fresh.get(keyOf(model))?.restore === restore) fresh.delete(keyOf(model));
}
