import { expect, test } from "vitest";
import { clampStop, firstStop, moveFocus } from "./roving_focus.js";

// 3 prompts x 2 models; the first row done (2 images each), the second running (1 stop each),
// the third with no job for the second model
const UNITS = [
  [2, 2],
  [1, 1],
  [2, 0],
];
const grid = { rows: 3, columns: 2, units: (row, column) => UNITS[row][column] };
const move = (position, key, extra = {}) => moveFocus(position, key, { ...grid, ...extra });

test("Right and Left walk a row image by image, across the models, and stop at its ends", () => {
  let at = { row: 0, column: 0, image: 0 };
  const seen = [];
  for (let i = 0; i < 4; i += 1) {
    at = move(at, "ArrowRight");
    seen.push([at.column, at.image]);
  }
  expect(seen).toEqual([[0, 1], [1, 0], [1, 1], [1, 1]]);
  expect(move({ row: 0, column: 1, image: 0 }, "ArrowLeft")).toEqual({ row: 0, column: 0, image: 1 });
  expect(move({ row: 0, column: 0, image: 0 }, "ArrowLeft")).toEqual({ row: 0, column: 0, image: 0 });
});

test("Up and Down keep the model, and the image as far as the job has one", () => {
  expect(move({ row: 0, column: 1, image: 1 }, "ArrowDown")).toEqual({ row: 1, column: 1, image: 0 });
  expect(move({ row: 1, column: 0, image: 0 }, "ArrowDown")).toEqual({ row: 2, column: 0, image: 0 });
  // no job there: the closest one of the row below
  expect(move({ row: 1, column: 1, image: 0 }, "ArrowDown")).toEqual({ row: 2, column: 0, image: 0 });
  expect(move({ row: 2, column: 0, image: 1 }, "ArrowDown")).toEqual({ row: 2, column: 0, image: 1 });
  expect(move({ row: 0, column: 0, image: 1 }, "ArrowUp")).toEqual({ row: 0, column: 0, image: 1 });
});

test("Home and End go to the row's ends, with Ctrl to the grid's; PageDown moves several rows", () => {
  const at = { row: 0, column: 1, image: 0 };
  expect(move(at, "Home")).toEqual({ row: 0, column: 0, image: 0 });
  expect(move(at, "End")).toEqual({ row: 0, column: 1, image: 1 });
  expect(move(at, "End", { ctrl: true })).toEqual({ row: 2, column: 0, image: 1 });
  expect(move({ row: 2, column: 0, image: 1 }, "Home", { ctrl: true })).toEqual({ row: 0, column: 0, image: 0 });
  expect(move({ row: 0, column: 0, image: 0 }, "PageDown", { page: 2 })).toEqual({ row: 2, column: 0, image: 0 });
  expect(move({ row: 2, column: 0, image: 0 }, "PageUp", { page: 5 })).toEqual({ row: 0, column: 0, image: 0 });
});

test("other keys are not moves", () => {
  expect(move({ row: 0, column: 0, image: 0 }, " ")).toBeNull();
  expect(move({ row: 0, column: 0, image: 0 }, "Enter")).toBeNull();
});

test("focus stays inside the grid when it changes under it", () => {
  expect(firstStop(grid)).toEqual({ row: 0, column: 0, image: 0 });
  // a job that lost an image stop (swap, or a redraw): the last image it has
  expect(clampStop({ row: 1, column: 0, image: 1 }, grid)).toEqual({ row: 1, column: 0, image: 0 });
  expect(clampStop({ row: 2, column: 1, image: 0 }, grid)).toEqual({ row: 0, column: 0, image: 0 });
  expect(clampStop(null, { rows: 0, columns: 0, units: () => 0 })).toBeNull();
});

// as the board gives it: no job (or a place outside the grid) has no stop
const gridOf = (units) => ({
  rows: units.length,
  columns: units[0].length,
  units: (row, column) => units[row]?.[column] ?? 0,
});

test("rows with no job are skipped, and the grid's ends are its first and last jobs", () => {
  // a spec list that made no job for the first and third prompts
  const sparse = gridOf([
    [0, 0, 0],
    [0, 3, 1],
    [0, 0, 0],
    [2, 1, 0],
  ]);
  const go = (position, key, extra = {}) => moveFocus(position, key, { ...sparse, ...extra });
  expect(firstStop(sparse)).toEqual({ row: 1, column: 1, image: 0 });
  expect(go({ row: 1, column: 1, image: 2 }, "ArrowDown")).toEqual({ row: 3, column: 1, image: 0 });
  expect(go({ row: 3, column: 0, image: 1 }, "ArrowUp")).toEqual({ row: 1, column: 1, image: 0 });
  expect(go({ row: 3, column: 0, image: 1 }, "Home", { ctrl: true })).toEqual({ row: 1, column: 1, image: 0 });
  expect(go({ row: 1, column: 1, image: 0 }, "End", { ctrl: true })).toEqual({ row: 3, column: 1, image: 0 });
  expect(go({ row: 1, column: 2, image: 0 }, "ArrowDown")).toEqual({ row: 3, column: 1, image: 0 });
});

test("with jobs only in the first row, Ctrl+End goes to its last image", () => {
  const oneRow = gridOf([
    [2, 2],
    [0, 0],
  ]);
  expect(moveFocus({ row: 0, column: 0, image: 0 }, "End", { ...oneRow, ctrl: true })).toEqual({ row: 0, column: 1, image: 1 });
});

test("Up and Down keep the image of a job that has it, in any model's column", () => {
  const done = gridOf([
    [2, 2],
    [2, 2],
  ]);
  expect(moveFocus({ row: 0, column: 1, image: 1 }, "ArrowDown", done)).toEqual({ row: 1, column: 1, image: 1 });
});

test("into a row without that model's job, focus goes to the closest job", () => {
  const wide = gridOf([
    [1, 1, 1, 1, 1],
    [0, 1, 0, 0, 1],
  ]);
  expect(moveFocus({ row: 0, column: 2, image: 0 }, "ArrowDown", wide)).toEqual({ row: 1, column: 1, image: 0 });
  expect(moveFocus({ row: 0, column: 3, image: 0 }, "ArrowDown", wide)).toEqual({ row: 1, column: 4, image: 0 });
});
