// Bundles each widget's ESM front end (and its CSS) into productai_notebook/static/.
import * as esbuild from "esbuild";

const widgets = ["job_view", "jobs_table", "gallery"];
const options = {
  entryPoints: widgets.map((name) => ({ in: `js/${name}/index.js`, out: name })),
  outdir: "productai_notebook/static",
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
