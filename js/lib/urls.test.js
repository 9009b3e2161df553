import { describe, expect, test } from "vitest";
import { safeImageUrl } from "./urls.js";

describe("safeImageUrl", () => {
  test.each([
    "https://cdn.productai.photo/generated/img_001.jpg",
    "http://127.0.0.1:8000/files/job_1/0.jpg",
    "data:image/png;base64,iVBORw0KGgo=",
    "data:image/jpeg;base64,/9j/4AAQ",
    "data:image/webp;base64,UklGRg==",
    "data:IMAGE/GIF;base64,R0lGODlh",
  ])("lets an image URL through: %s", (url) => {
    expect(safeImageUrl(url)).toBe(new URL(url).href);
  });

  test.each([
    "javascript:alert(1)",
    " JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "data:image/SVG+XML;charset=utf-8,<svg/onload=alert(1)>",
    "data:image/png+xml,<svg/onload=alert(1)>",
    "data:image/x-icon;base64,AAAB",
    "data:image/png",
    " data:image/svg+xml,<svg/onload=alert(1)>",
    "blob:https://example.com/1234",
    "/files/relative.jpg",
    "",
    null,
    42,
  ])("blocks %s", (url) => {
    expect(safeImageUrl(url)).toBeNull();
  });
});

test.each([
  "javascript:image/png,alert(1)",
  "vbscript:image/gif;msgbox(1)",
  "data:text/html;x=image/png,<script>alert(1)</script>",
])("a raster type named anywhere but at the start of a data: URL does not let it through: %s", (url) => {
  expect(safeImageUrl(url)).toBeNull();
});
