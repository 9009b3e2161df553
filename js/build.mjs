// Bundles each widget's ESM front end (and its CSS) into productai_notebook/static/, and the
// loader each widget instance carries in their place (js/loader/); and the JupyterLab extension
// (js/labextension/) into productai_notebook/labextension/, which the wheel installs as
// share/jupyter/labextensions/productai-notebook/.
import * as esbuild from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

const widgets = ["job_view", "jobs_table", "gallery", "board", "studio", "loader"];
const widgetOptions = {
  entryPoints: widgets.map((name) => ({ in: `js/${name}/index.js`, out: name })),
  outdir: "productai_notebook/static",
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  logLevel: "info",
};

// A prebuilt federated extension is a folder JupyterLab reads as is: package.json names the
// script (remoteEntry.<hash>.js, the hash so browsers never run a stale copy) that registers it.
const LAB = "productai_notebook/labextension";
const version = readFileSync("pyproject.toml", "utf8").match(/^version = "(.+)"$/m)[1];

function writeLabMetadata(result) {
  if (result.errors.length) return;
  const entry = Object.keys(result.metafile.outputs).find((path) => path.endsWith(".js"));
  const pkg = {
    name: "productai-notebook",
    version,
    description: "Draws the productai-notebook widgets of a notebook opened with no kernel.",
    license: "MIT",
    jupyterlab: { _build: { load: `static/${basename(entry)}`, extension: "./extension" } },
  };
  writeFileSync(`${LAB}/package.json`, `${JSON.stringify(pkg, null, 2)}\n`);
  // tells `jupyter labextension list` which package installed it, and how to remove it
  const install = {
    packageManager: "python",
    packageName: "productai-notebook",
    uninstallInstructions: "Use your Python package manager (pip, conda, etc.) to uninstall the package productai-notebook",
  };
  writeFileSync(`${LAB}/install.json`, `${JSON.stringify(install, null, 2)}\n`);
}

const labOptions = {
  entryPoints: { remoteEntry: "js/labextension/index.js" },
  entryNames: "[name].[hash]",
  outdir: `${LAB}/static`,
  bundle: true,
  format: "iife",
  minify: true,
  target: ["es2020"],
  metafile: true,
  logLevel: "info",
  plugins: [{
    name: "labextension-metadata",
    setup(build) {
      build.onStart(() => {
        rmSync(LAB, { recursive: true, force: true });
        mkdirSync(`${LAB}/static`, { recursive: true });
      });
      build.onEnd(writeLabMetadata);
    },
  }],
};

if (process.argv.includes("--watch")) {
  for (const options of [widgetOptions, labOptions]) await (await esbuild.context(options)).watch();
} else {
  await Promise.all([esbuild.build(widgetOptions), esbuild.build(labOptions)]);
}
