// JupyterLab runs its notebook shortcuts (a, b, dd, arrows, Enter, Escape...) from keydown events
// that reach the document. Lumino skips every element inside one marked data-lm-suppress-shortcuts,
// so a select keeps its arrows, a row its Enter, and typing "a" never inserts a cell.

/** Marks `element` (a widget's root, or a dialog) so keys typed inside it stay with its controls. */
export function keepKeysFromNotebook(element) {
  element.setAttribute("data-lm-suppress-shortcuts", "true");
  return element;
}
