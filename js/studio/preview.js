// The cost before sending (jobs, images, credits against the balance, the time the rate limit makes
// the requests take) and Generate, disabled with its reason in visible text while the form cannot go.
import { planPreview, previewInputs, sendingTime, whyNotSendable } from "../lib/studio_form.js";
import { facts, h, plural, setFact } from "../shared/dom.js";

export function costAndGenerate({ model, form, onGenerate }) {
  const summary = facts([
    ["jobs", "Jobs", "0"],
    ["images", "Images", "0"],
    ["credits", "Credits", "0"],
    ["time", "Sending", "—"],
  ]);
  summary.setAttribute("aria-label", "Cost before sending");
  const button = h("button", { type: "button", class: "pai-studio-generate", text: "Generate" });
  const why = h("p", { class: "pai-studio-why pai-muted", id: `pai-studio-why-${Math.random().toString(36).slice(2)}`, role: "status" });
  button.setAttribute("aria-describedby", why.id);
  const message = h("p", { class: "pai-alert pai-studio-message", role: "alert", hidden: true });
  button.addEventListener("click", () => {
    if (!button.disabled) onGenerate();
  });

  function show() {
    const rules = model.get("rules");
    if (!rules) return;
    const values = form();
    const inputs = model.get("inputs") || [];
    const account = model.get("account") || {};
    const plan = planPreview(previewInputs(values, inputs), rules, account.plan);
    const balance = typeof account.balance === "number" ? account.balance : null;
    setFact(summary, "jobs", String(plan.jobs));
    setFact(summary, "images", String(plan.images));
    setFact(summary, "credits", balance === null ? String(plan.credits) : `${plan.credits} (${balance} left)`);
    summary.querySelector(".pai-fact-credits").dataset.over = String(balance !== null && plan.credits > balance);
    setFact(summary, "time", `${plural(plan.requests, "request")}, ${sendingTime(plan.seconds)} (${account.plan || rules.slowest_plan} plan)`);
    const reason = whyNotSendable(values, inputs, rules, { balance, plan: account.plan, busy: Boolean(model.get("busy")) });
    button.disabled = Boolean(reason);
    const ready = (model.get("views") || []).length ? "Ready: Generate makes another batch." : "Ready.";
    why.textContent = reason || (account.problem ? `The balance could not be read (${account.problem}).` : ready);
    const text = model.get("message") || "";
    message.textContent = text;
    message.hidden = !text;
  }

  return { element: h("div", { class: "pai-studio-cost" }, summary, h("div", { class: "pai-studio-go" }, button, why), message), show };
}
