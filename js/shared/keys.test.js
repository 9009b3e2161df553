import { afterEach, expect, test } from "vitest";
import { h } from "./dom.js";
import { keepKeysFromNotebook } from "./keys.js";

afterEach(() => document.body.replaceChildren());

function escape(target, init = {}) {
  const event = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

/** A widget with a button, in a JupyterLab cell (focusable, as JupyterLab makes it) of a notebook. */
function widgetInCell() {
  const button = h("button", { text: "Sort" });
  const root = keepKeysFromNotebook(h("div", { class: "pai-root" }, button));
  const cell = h("div", { class: "jp-Cell", tabindex: "-1" }, h("div", { class: "jp-OutputArea-output" }, root));
  document.body.append(h("div", { class: "jp-Notebook", tabindex: "-1" }, cell));
  return { button, root, cell };
}

test("Escape in a widget hands focus back to its cell, so the notebook's keys work again", () => {
  const { button, cell } = widgetInCell();
  button.focus();
  expect(escape(button).defaultPrevented).toBe(true);
  expect(document.activeElement).toBe(cell);
});

test("an Escape the widget used itself (a lightbox closing) leaves focus where it is", () => {
  const { button, root } = widgetInCell();
  button.addEventListener("keydown", (event) => event.preventDefault());
  button.focus();
  escape(button);
  expect(document.activeElement).toBe(button);
  expect(root.contains(document.activeElement)).toBe(true);
});

test("Shift+Escape or Ctrl+Escape are not ours", () => {
  const { button } = widgetInCell();
  button.focus();
  escape(button, { shiftKey: true });
  escape(button, { ctrlKey: true });
  expect(document.activeElement).toBe(button);
});

test("outside a notebook (marimo, VS Code), Escape leaves the control", () => {
  const button = h("button", { text: "Sort" });
  document.body.append(keepKeysFromNotebook(h("div", { class: "pai-root" }, button)));
  button.focus();
  escape(button);
  expect(document.activeElement).toBe(document.body);
});
