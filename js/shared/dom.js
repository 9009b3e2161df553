// The one way widgets build DOM: text always goes through textContent, never innerHTML.

/**
 * h("button", {class: "pai-x", text: "Go", "aria-label": "Go"}, child, ...).
 * `text` sets textContent; null/false attributes are skipped; true sets an empty attribute.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") element.textContent = String(value);
    else if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) element.append(child);
  }
  return element;
}

/** A <dl> of label/value pairs, each pair tagged with a class for tests and styling. */
export function facts(pairs) {
  const list = h("dl", { class: "pai-facts" });
  for (const [name, label, value] of pairs) {
    list.append(
      h("div", { class: `pai-fact pai-fact-${name}` }, h("dt", { text: label }), h("dd", { text: value })),
    );
  }
  return list;
}

/** Changes the value shown for one fact of a list made by facts(). */
export function setFact(list, name, value) {
  const cell = list.querySelector(`.pai-fact-${name} dd`);
  if (cell) cell.textContent = value;
}

/** The text of a count with its noun, "1 image" / "3 images". */
export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
