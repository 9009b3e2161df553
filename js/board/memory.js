// What the user was doing on a board, kept across a redraw of its output. JupyterLab draws a
// widget's output again when Python replaces it by display id (once, as the batch settles, so a
// saved notebook's HTML is final): the old view goes, a new view of the same model comes. The
// new one takes the old one's focus, lightbox, axes, tab and scroll, so the user notices nothing.

/** How soon after the old view went a new view of the same model counts as its redraw. */
export const REDRAW_MS = 2000;

const left = new WeakMap(); // model -> {state, at}: a view that went, not yet taken up
const fresh = new WeakMap(); // model -> {restore, at}: a view just drawn, nothing taken up yet

/** A view of `model` went, in `state`: a view drawn just before, or just after, takes it up. */
export function viewLeft(model, state, now = Date.now()) {
  const drawn = fresh.get(model);
  fresh.delete(model);
  if (drawn && now - drawn.at <= REDRAW_MS) {
    drawn.restore(state); // the new view came first (an output area may draw before it removes)
    return;
  }
  left.set(model, { state, at: now });
}

/**
 * A view of `model` is drawn: the state of one that went within the last moment, or null
 * (then `restore` is kept for a moment, in case the old view goes just after).
 */
export function viewDrawn(model, restore, now = Date.now()) {
  const went = left.get(model);
  left.delete(model);
  if (went && now - went.at <= REDRAW_MS) return went.state;
  fresh.set(model, { restore, at: now });
  return null;
}

/** This view goes: it no longer takes up another's state. */
export function forgetDrawn(model, restore) {
  if (fresh.get(model)?.restore === restore) fresh.delete(model);
}
