// JupyterLab and Notebook 7 run their notebook shortcuts (a, b, dd, arrows, Enter, Escape...) from
// keydown events on the document (JupyterLab while they bubble, Notebook 7 while they are
// captured), and match them on the focused element itself. Lumino skips an element marked
// data-lm-suppress-shortcuts, so the focused control is marked for each key, before either sees it.

const OUR_WIDGETS = "[data-pai-keys]";

function markFocusedControl(event) {
  const control = event.target;
  if (!(control instanceof Element) || !control.closest(OUR_WIDGETS)) return;
  // what still reaches the notebook: Ctrl/Cmd/Alt shortcuts (save, the palette), Shift+Enter (run the cell)
  const forTheNotebook = event.ctrlKey || event.metaKey || event.altKey || (event.shiftKey && event.key === "Enter");
  control.toggleAttribute("data-lm-suppress-shortcuts", !forTheNotebook);
}

// one listener for the page, capturing on the window: it runs before the document's
window.addEventListener("keydown", markFocusedControl, true);

/**
 * Escape that nothing inside the widget used (a lightbox or Compare closes first) hands focus back:
 * to the widget's notebook cell, where the notebook's own keys (Shift+Enter, the arrows) work
 * again; outside a notebook, away from the control, to the page's own keys.
 */
function handFocusBack(event) {
  if (event.key !== "Escape" || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
  const root = event.currentTarget;
  event.preventDefault();
  for (const target of [root.closest(".jp-Cell"), root.closest(".jp-Notebook")]) {
    target?.focus({ preventScroll: true });
    if (target && document.activeElement === target) return;
  }
  if (root.contains(document.activeElement)) document.activeElement.blur();
}

/**
 * Keeps the keys typed inside `element` (a widget's root) from the notebook: a select keeps its
 * arrows, a row its Enter, and typing "a" never inserts a cell; Escape hands focus back to the cell.
 */
export function keepKeysFromNotebook(element) {
  element.setAttribute("data-pai-keys", "");
  element.addEventListener("keydown", handFocusBack);
  return element;
}
