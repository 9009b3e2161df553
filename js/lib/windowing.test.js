import { describe, expect, test } from "vitest";
import { scrollToShow, scrollToShowColumn, visibleColumns, visibleRange } from "./windowing.js";

test("at the top only the first screenful plus overscan is rendered", () => {
  const range = visibleRange({ scrollTop: 0, viewportHeight: 320, rowHeight: 32, count: 10_000, overscan: 5 });
  expect(range).toEqual({ start: 0, end: 16, before: 0, after: (10_000 - 16) * 32 });
});

test("scrolled down, spacers stand in for the rows above and below", () => {
  const range = visibleRange({ scrollTop: 3200, viewportHeight: 320, rowHeight: 32, count: 10_000, overscan: 5 });
  expect(range.start).toBe(95);
  expect(range.end).toBe(116);
  expect(range.before + (range.end - range.start) * 32 + range.after).toBe(10_000 * 32);
});

test("a short list or a scroll past the end stays in bounds", () => {
  expect(visibleRange({ scrollTop: 0, viewportHeight: 320, rowHeight: 32, count: 3 })).toEqual({ start: 0, end: 3, before: 0, after: 0 });
  const past = visibleRange({ scrollTop: 1e9, viewportHeight: 320, rowHeight: 32, count: 10 });
  expect(past.start).toBeLessThanOrEqual(past.end);
  expect(past.end).toBe(10);
});

test("moving to a row out of view scrolls just enough to show it", () => {
  const view = { scrollTop: 320, viewportHeight: 320, rowHeight: 32 };
  expect(scrollToShow({ ...view, index: 12 })).toBe(320); // in view already
  expect(scrollToShow({ ...view, index: 5 })).toBe(160); // above: it becomes the top row
  expect(scrollToShow({ ...view, index: 25 })).toBe(32 * 26 - 320); // below: the bottom row
  expect(scrollToShow({ ...view, index: 25, headerHeight: 40 })).toBe(32 * 26 - 280);
});

describe("visibleColumns", () => {
  test("the columns in a viewport scrolled sideways, a few beyond each edge", () => {
    const widths = Array(50).fill(100);
    expect(visibleColumns({ scrollLeft: 0, viewportWidth: 460, widths, offset: 160, overscan: 0 })).toEqual({ start: 0, end: 3 });
    expect(visibleColumns({ scrollLeft: 2000, viewportWidth: 460, widths, offset: 160, overscan: 2 })).toEqual({ start: 16, end: 25 });
    expect(visibleColumns({ scrollLeft: 99999, viewportWidth: 460, widths, offset: 160, overscan: 0 })).toEqual({ start: 50, end: 50 });
  });

  test("scrollToShowColumn brings a column into view, or leaves the scroll", () => {
    const widths = Array(50).fill(100);
    expect(scrollToShowColumn({ index: 20, scrollLeft: 0, viewportWidth: 500, widths, offset: 160 })).toBe(1760);
    expect(scrollToShowColumn({ index: 1, scrollLeft: 0, viewportWidth: 500, widths, offset: 160 })).toBe(0);
    expect(scrollToShowColumn({ index: 2, scrollLeft: 1000, viewportWidth: 500, widths, offset: 160 })).toBe(200);
  });
});

test("a row half under the sticky header is scrolled into view", () => {
  // rows 320-640 are in view, the header covers 40 px of it: row 18 (576-608) is partly hidden
  expect(scrollToShow({ index: 18, scrollTop: 320, viewportHeight: 320, rowHeight: 32, headerHeight: 40 })).toBe(608 - 280);
});

test("a column half under the sticky row labels is scrolled into view", () => {
  const widths = Array(50).fill(100);
  // column 9 starts 900 px into the columns; scrolled 1000 px, its left part is under the labels
  expect(scrollToShowColumn({ index: 9, scrollLeft: 1000, viewportWidth: 500, widths, offset: 160 })).toBe(900);
});
