import { expect, test } from "vitest";
import { imageFileName } from "./filenames.js";

test("a downloaded image is named like job.download() names it", () => {
  expect(imageFileName("job_abc", 0, "https://cdn.example/x/1.JPG", "image/png")).toBe("job_abc_0.jpg");
  expect(imageFileName("job_abc", 2, "https://cdn.example/x/2", "image/webp; q=1")).toBe("job_abc_2.webp");
  expect(imageFileName("job_abc", 1, "data:image/png;base64,AAAA", "image/png")).toBe("job_abc_1.png");
  expect(imageFileName("job_abc", 1, "https://cdn.example/x.tar.gz", "")).toBe("job_abc_1.jpg");
  expect(imageFileName("../../etc/job x", 0, "https://cdn.example/a.png", "")).toBe("_.._etc_job_x_0.png");
  expect(imageFileName("", 0, "not a url", undefined)).toBe("job_0.jpg");
});

test("with no image extension in the URL, the type names the file, and a JPEG or GIF keeps its own", () => {
  expect(imageFileName("job_abc", 0, "https://cdn.example/x/0", "image/jpeg")).toBe("job_abc_0.jpg");
  expect(imageFileName("job_abc", 0, "https://cdn.example/x/0", "image/gif")).toBe("job_abc_0.gif");
  expect(imageFileName("job_abc", 0, "https://cdn.example/x/0", "image/png ; q=1")).toBe("job_abc_0.png");
});

test("only the last part of the URL's path gives the extension", () => {
  expect(imageFileName("job_abc", 3, "https://cdn.example/v1.2/img.png", "")).toBe("job_abc_3.png");
  expect(imageFileName("job_abc", 3, "https://cdn.example/v1.2/img", "image/webp")).toBe("job_abc_3.webp");
});

test("a job id keeps its inner dots; no job id at all still gives a name", () => {
  expect(imageFileName("job.2024", 0, "https://cdn.example/a.png", "")).toBe("job.2024_0.png");
  expect(imageFileName("...job", 0, "https://cdn.example/a.png", "")).toBe("job_0.png");
  expect(imageFileName(null, 0, "https://cdn.example/a.png", "")).toBe("job_0.png");
});
