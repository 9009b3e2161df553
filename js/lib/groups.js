// Grouping the gallery's items by job, model or prompt, in the order they first appear.

export const GROUP_BY_OPTIONS = ["none", "job", "model", "prompt"];

const FIELD = { job: "job_id", model: "model", prompt: "prompt" };

/** [{key, title, items}]: one group for "none", else one per distinct value. */
export function groupItems(items, groupBy) {
  const field = FIELD[groupBy];
  if (!field) return [{ key: "all", title: "All images", items: [...items] }];
  const groups = new Map();
  for (const item of items) {
    const value = item[field] ?? "";
    if (!groups.has(value)) {
      groups.set(value, { key: String(value), title: String(value) || `(no ${groupBy})`, items: [] });
    }
    groups.get(value).items.push(item);
  }
  return [...groups.values()];
}
