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
