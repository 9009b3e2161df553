import { expect, test } from "vitest";
import { batchImages, isPicked, pickedImages, pickedKeys, withPick } from "./board_picks.js";

const image = { url: "https://cdn.example/a.jpg" };
const CELLS = [
  { images: [image, image], picks: [1] },
  { images: [], picks: [] }, // running
  { images: [image, image], picks: [1, 0] },
];

test("a pick is added at the end (the order of picking) and removed where it was", () => {
  expect(withPick([1], 0, true)).toEqual([1, 0]);
  expect(withPick([1, 0], 1, false)).toEqual([0]);
  expect(withPick([1], 1, true)).toEqual([1]); // never twice
  expect(withPick(undefined, 2, true)).toEqual([2]);
});

test("the picked images come in the batch's order, then each job's pick order", () => {
  expect(pickedImages(CELLS)).toEqual([
    { cell: 0, index: 1 },
    { cell: 2, index: 1 },
    { cell: 2, index: 0 },
  ]);
  expect(isPicked(CELLS[2], 0)).toBe(true);
  expect(isPicked(CELLS[0], 0)).toBe(false);
});

test("the lightbox walks every image of the batch, skipping jobs with none", () => {
  expect(batchImages(CELLS)).toEqual([
    { cell: 0, index: 0 },
    { cell: 0, index: 1 },
    { cell: 2, index: 0 },
    { cell: 2, index: 1 },
  ]);
});

test("a pick of an image the job does not have is not counted", () => {
  expect(pickedImages([{ images: [image], picks: [3, 1, 0] }])).toEqual([{ cell: 0, index: 0 }]);
});

test("the picks as keys Python reads: job id and image, in the batch's order", () => {
  const cells = CELLS.map((cell, n) => ({ ...cell, job_id: `job_${n}` }));
  expect(pickedKeys(cells)).toEqual(["job_0:1", "job_2:1", "job_2:0"]);
});

test("jobs still running (the kernel sends them without images or picks) add nothing to walk or pick", () => {
  const cells = [{ stage: "created", status: "processing" }, { images: [image], picks: [0] }, { stage: "queued" }];
  expect(batchImages(cells)).toEqual([{ cell: 1, index: 0 }]);
  expect(pickedImages(cells)).toEqual([{ cell: 1, index: 0 }]);
  expect(isPicked(cells[0], 0)).toBe(false);
});
