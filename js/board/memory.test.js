import { expect, test, vi } from "vitest";
import { REDRAW_MS, viewDrawn, viewLeft } from "./memory.js";

test("a new view drawn just before the old one goes takes up its state too", () => {
  const model = {};
  const restore = vi.fn();
  expect(viewDrawn(model, restore, 1000)).toBeNull();
  viewLeft(model, { lightbox: { cell: 1, index: 0 } }, 1200);
  expect(restore).toHaveBeenCalledWith({ lightbox: { cell: 1, index: 0 } });
});

test("a view of the same model drawn long after the old one went starts afresh", () => {
  const model = {};
  viewLeft(model, { focusIn: true }, 1000);
  expect(viewDrawn(model, () => {}, 1000 + REDRAW_MS + 1)).toBeNull();
});
