import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test } from "vitest";
import { GROUP_BY_OPTIONS, groupItems } from "./groups.js";

const items = [
  { key: "j1:0", job_id: "j1", model: "seedream", prompt: "a red shoe" },
  { key: "j2:0", job_id: "j2", model: "nanobanana2", prompt: "" },
  { key: "j1:1", job_id: "j1", model: "seedream", prompt: "a red shoe" },
];

test("groups keep the order in which their first item appears", () => {
  const groups = groupItems(items, "job");
  expect(groups.map((g) => g.title)).toEqual(["j1", "j2"]);
  expect(groups[0].items.map((i) => i.key)).toEqual(["j1:0", "j1:1"]);
});

test("by model, each model is a section of its own images", () => {
  expect(groupItems(items, "model").map((g) => [g.title, g.items.length])).toEqual([
    ["seedream", 2],
    ["nanobanana2", 1],
  ]);
});

test("an empty or missing prompt gets a readable title, and none means one group", () => {
  expect(groupItems(items, "prompt").map((g) => g.title)).toEqual(["a red shoe", "(no prompt)"]);
  expect(groupItems([{ key: "j3:0", job_id: "j3" }], "prompt").map((g) => g.title)).toEqual(["(no prompt)"]);
  expect(groupItems(items, "none")).toEqual([{ key: "all", title: "All images", items }]);
  expect(groupItems(items, "bogus")[0].items).toHaveLength(3);
});

// vitest runs from the repository root (where vitest.config.mjs is)
test("the group-by menu offers exactly the groupings the kernel's Gallery accepts", () => {
  const gallery = readFileSync(resolve("productai_notebook/notebook/gallery.py"), "utf8");
  const groupings = gallery.match(/^GROUPINGS = \(([^)]*)\)/m)[1].split(",").map((s) => s.trim().replace(/"/g, ""));
  expect(GROUP_BY_OPTIONS).toEqual(groupings);
});
