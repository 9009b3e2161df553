import { expect, test, vi } from "vitest";
import { REDRAW_MS, viewDrawn, viewLeft } from "./memory.js";

test("a new view drawn just before the old one goes takes up its state too", () => {
  const model = { get: () => undefined };
  const restore = vi.fn();
  expect(viewDrawn(model, restore, null, 1000)).toBeNull();
  viewLeft(model, { lightbox: { cell: 1, index: 0 } }, 1200);
  expect(restore).toHaveBeenCalledWith({ lightbox: { cell: 1, index: 0 } });
});

test("a view of the same model drawn long after the old one went starts afresh", () => {
  const model = { get: () => undefined };
  viewLeft(model, { focusIn: true }, 1000);
  expect(viewDrawn(model, () => {}, null, 1000 + REDRAW_MS + 1)).toBeNull();
});

test("two proxies of one board's model (anywidget gives each view its own) are one board", () => {
  const proxy = () => ({ get: (name) => (name === "_memory_key" ? "board-7" : undefined) });
  viewLeft(proxy(), { focusIn: true }, 1000);
  expect(viewDrawn(proxy(), () => {}, null, 1500)).toEqual({ focusIn: true });
});
