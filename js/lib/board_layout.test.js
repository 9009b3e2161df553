import { expect, test } from "vitest";
import { boardLayout, swapped } from "./board_layout.js";

const AXES = { input: ["shoe.png"], prompt: ["on marble", "on sand"], model: ["nanobanana2", "seedream", "flux"] };
// in the batch's order: input, then prompt, then model
const cellsOf = (axes) => {
  const cells = [];
  axes.input.forEach((_, i) =>
    axes.prompt.forEach((_, p) => axes.model.forEach((_, m) => cells.push({ at: [i, p, m], name: `${i}${p}${m}` }))),
  );
  return cells;
};

test("prompts are rows and models columns: a row compares the models on one prompt", () => {
  const cells = cellsOf(AXES);
  const layout = boardLayout(AXES, cells);
  expect(layout.rowLabels).toEqual(["on marble", "on sand"]);
  expect(layout.columnLabels).toEqual(["nanobanana2", "seedream", "flux"]);
  expect(layout.rows.map((row) => row.map((index) => cells[index].name))).toEqual([
    ["000", "001", "002"],
    ["010", "011", "012"],
  ]);
  expect(layout.tabs).toEqual([]); // one input: nothing to choose
});

test("swapping the axes makes models the rows", () => {
  const cells = cellsOf(AXES);
  const layout = boardLayout(AXES, cells, swapped());
  expect(layout.rowLabels).toEqual(["nanobanana2", "seedream", "flux"]);
  expect(layout.rows.map((row) => row.map((index) => cells[index].name))).toEqual([
    ["000", "010"],
    ["001", "011"],
    ["002", "012"],
  ]);
});

test("several inputs become tabs, each showing its own jobs", () => {
  const axes = { ...AXES, input: ["shoe.png", "bag.png"] };
  const cells = cellsOf(axes);
  const first = boardLayout(axes, cells);
  const second = boardLayout(axes, cells, { tab: 1 });
  expect(first.tabs).toEqual(["shoe.png", "bag.png"]);
  expect(second.rows.flat().map((index) => cells[index].name)).toEqual(["100", "101", "102", "110", "111", "112"]);
  expect(first.rows.flat().every((index) => cells[index].at[0] === 0)).toBe(true);
});

test("a spec list that misses some combinations leaves those places empty", () => {
  const cells = [{ at: [0, 0, 0] }, { at: [0, 1, 2] }];
  const layout = boardLayout(AXES, cells);
  expect(layout.rows).toEqual([
    [0, null, null],
    [null, null, 1],
  ]);
});

test("a tab past the end shows the last input; rows by input, columns by model, tabs by prompt", () => {
  const axes = { ...AXES, input: ["a", "b"] };
  const layout = boardLayout(axes, cellsOf(axes), { rows: "input", columns: "model", tab: 5 });
  expect(layout.tabAxis).toBe("prompt");
  expect(layout.tab).toBe(1);
  expect(layout.rowLabels).toEqual(["a", "b"]);
});

test("prompts as rows and inputs as columns: the models become the tabs", () => {
  const axes = { ...AXES, input: ["shoe.png", "bag.png"] };
  const layout = boardLayout(axes, cellsOf(axes), { rows: "prompt", columns: "input" });
  expect(layout.tabAxis).toBe("model");
  expect(layout.tabs).toEqual(["nanobanana2", "seedream", "flux"]);
  expect(layout.columnLabels).toEqual(["shoe.png", "bag.png"]);
});
