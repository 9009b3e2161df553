// Studio: input images, prompts, models, images per job and aspect ratio; the cost before sending;
// Generate; then the batch's board below, in the same widget. The rules come from the kernel.
import { promptLines } from "../lib/studio_form.js";
import { h, plural } from "../shared/dom.js";
import { keepKeysFromNotebook } from "../shared/keys.js";
import { saver, sayShown } from "../shared/model.js";
import { assetChooser } from "./assets.js";
import { batchArea } from "./board.js";
import { formFields } from "./fields.js";
import { inputArea } from "./inputs.js";
import { costAndGenerate } from "./preview.js";
import "../shared/base.css";
import "./style.css";

function render({ model, el, host }) {
  const save = saver(model);
  sayShown(model);
  // a message to the kernel; false when there is none to take it (a notebook reopened without one)
  const tell = (message, buffers) => {
    try {
      model.send(message, undefined, buffers);
      return true;
    } catch {
      return false;
    }
  };
  const root = keepKeysFromNotebook(h("div", { class: "pai-root pai-studio", role: "form", "aria-label": "ProductAI studio" }));
  const chooser = assetChooser({ model, tell, returnFocus: () => inputs.element.querySelector(".pai-studio-assets-open").focus() });
  const inputs = inputArea({ model, tell, openAssets: () => chooser.open() });
  const fields = formFields({
    model,
    onChange(form) {
      save("form", form);
      showForm();
    },
  });
  const cost = costAndGenerate({
    model,
    form: () => fields.current(),
    onGenerate() {
      if (!tell({ type: "generate" })) save("message", "Generate needs the kernel: run the studio's cell again.");
    },
  });
  const batch = batchArea({ model, host });
  root.append(h("h3", { class: "pai-studio-title", text: "Studio" }), inputs.element, chooser.element, fields.element, cost.element, batch.element);
  el.append(root);
  inputs.listen(root);

  function showForm() {
    const count = promptLines(fields.current().prompts).length;
    fields.promptCount.textContent = count ? plural(count, "prompt") : "No prompt yet.";
    cost.show();
  }
  function showAll() {
    inputs.show();
    chooser.show();
    fields.show();
    showForm();
  }

  model.on("change:form", () => {
    fields.show();
    showForm();
  });
  model.on("change:inputs", () => {
    inputs.show();
    chooser.show();
    cost.show();
  });
  model.on("change:thumbnails", () => {
    inputs.show();
    chooser.show();
  });
  model.on("change:assets", chooser.show);
  model.on("change:assets_status", chooser.show);
  for (const name of ["account", "busy", "message", "rules"]) model.on(`change:${name}`, cost.show);
  model.on("change:views", () => {
    batch.show();
    cost.show();
  });
  showAll();
  batch.show();
  return () => batch.close();
}

export default { render };
