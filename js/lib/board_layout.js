// The batch board's grid from its axes: one axis as rows, one as columns, the third as tabs.
// Cells arrive in the batch's axis order (input, prompt, model), each with `at`: its index on
// every axis, so any two axes can make the grid and a row always compares the same thing.

export const AXES = ["input", "prompt", "model"];

/** The axis left over once `rows` and `columns` are chosen: the one the tabs pick from. */
export function tabAxisOf(rows, columns) {
  return AXES.find((axis) => axis !== rows && axis !== columns);
}

function labelsOf(axes, axis) {
  const labels = axes && Array.isArray(axes[axis]) ? axes[axis] : [];
  return labels.map((label) => String(label ?? ""));
}

/**
 * {rowAxis, columnAxis, tabAxis, tabs, rowLabels, columnLabels, rows} for the tab `tab`:
 * `rows[r][c]` is the index (in `cells`) of the job at row r, column c, or null when the batch
 * has none there. `tabs` is empty when the third axis has a single value (nothing to choose).
 */
export function boardLayout(axes, cells, { rows = "prompt", columns = "model", tab = 0 } = {}) {
  const tabAxis = tabAxisOf(rows, columns);
  const rowLabels = labelsOf(axes, rows);
  const columnLabels = labelsOf(axes, columns);
  const tabLabels = labelsOf(axes, tabAxis);
  const shownTab = Math.max(0, Math.min(tab, tabLabels.length - 1));
  const grid = rowLabels.map(() => columnLabels.map(() => null));
  const [r, c, t] = [rows, columns, tabAxis].map((axis) => AXES.indexOf(axis));
  cells.forEach((cell, index) => {
    const at = Array.isArray(cell?.at) ? cell.at : [];
    if ((at[t] ?? 0) !== shownTab) return;
    if (grid[at[r]] && at[c] in grid[at[r]]) grid[at[r]][at[c]] = index;
  });
  return {
    rowAxis: rows,
    columnAxis: columns,
    tabAxis,
    tab: shownTab,
    tabs: tabLabels.length > 1 ? tabLabels : [],
    rowLabels,
    columnLabels,
    rows: grid,
  };
}

/** The same grid with rows and columns swapped (prompts as columns, models as rows, ...). */
export function swapped({ rows = "prompt", columns = "model" } = {}) {
  return { rows: columns, columns: rows };
}
