// Bundles each widget's ESM front end (and its CSS) into productai_notebook/static/, and the
// loader each widget instance carries in their place (js/loader/).
import * as esbuild from "esbuild";

const widgets = ["job_view", "jobs_table", "gallery", "loader"];
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
