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
 * Keeps the keys typed inside `element` (a widget's root) from the notebook: a select keeps its
 * arrows, a row its Enter, and typing "a" never inserts a cell.
 */
export function keepKeysFromNotebook(element) {
  element.setAttribute("data-pai-keys", "");
  return element;
}
