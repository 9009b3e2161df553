// JupyterLab runs its notebook shortcuts (a, b, dd, arrows, Enter, Escape...) from keydown events
// that bubble to the document, and matches them on the focused element itself (`:focus`), so a
// marked ancestor is not enough: keys typed in our controls stop at the widget instead.

/**
 * Keeps the keys typed inside `element` (a widget's root) from the notebook: a select keeps its
 * arrows, a row its Enter, and typing "a" never inserts a cell. Ctrl/Cmd/Alt shortcuts (save,
 * the command palette) and Shift+Enter (run the cell) still reach JupyterLab.
 */
export function keepKeysFromNotebook(element) {
  element.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || (event.shiftKey && event.key === "Enter")) return;
    event.stopPropagation();
  });
  return element;
}
