// Roving focus over the board's grid (the ARIA grid pattern): the grid is one tab stop, and the
// arrows move a position {row, column, image} across it. A job is one stop while it has no
// images, and one stop per image once it has them, so Space can pick each image.

/**
 * The position `key` moves `position` to, or null when the key is not a move. `units(row, column)`
 * is how many stops the job there has (0: no job). Right and Left walk a row image by image across
 * the jobs; Up and Down keep the column (and the image, as far as the job has one); Home and End go
 * to a row's ends, with Ctrl to the grid's; PageUp and PageDown move `page` rows.
 */
export function moveFocus(position, key, { rows, columns, units, page = 5, ctrl = false }) {
  const stops = (row) => {
    const list = [];
    for (let column = 0; column < columns; column += 1) {
      for (let image = 0; image < units(row, column); image += 1) list.push({ row, column, image });
    }
    return list;
  };
  const inRow = (row) => stops(row);
  const nearest = (row, column, image) => {
    const list = inRow(row);
    if (!list.length) return null;
    // the same job (its image, or its last), else the closest job of that row
    const sameJob = list.filter((stop) => stop.column === column);
    if (sameJob.length) return sameJob[Math.min(image, sameJob.length - 1)];
    return list.reduce((best, stop) => (Math.abs(stop.column - column) < Math.abs(best.column - column) ? stop : best));
  };
  const vertical = (step, count) => {
    let found = position;
    let moved = 0;
    for (let row = position.row + step; row >= 0 && row < rows && moved < count; row += step) {
      const stop = nearest(row, position.column, position.image);
      if (stop) {
        found = stop;
        moved += 1;
      }
    }
    return found;
  };
  const here = inRow(position.row);
  const at = here.findIndex((stop) => stop.column === position.column && stop.image === position.image);
  const firstRow = () => {
    for (let row = 0; row < rows; row += 1) if (inRow(row).length) return inRow(row)[0];
    return position;
  };
  const lastRow = () => {
    for (let row = rows - 1; row >= 0; row -= 1) if (inRow(row).length) return inRow(row).at(-1);
    return position;
  };
  switch (key) {
    case "ArrowRight":
      return here[at + 1] ?? position;
    case "ArrowLeft":
      return at > 0 ? here[at - 1] : position;
    case "ArrowDown":
      return vertical(1, 1);
    case "ArrowUp":
      return vertical(-1, 1);
    case "PageDown":
      return vertical(1, page);
    case "PageUp":
      return vertical(-1, page);
    case "Home":
      return ctrl ? firstRow() : here[0] ?? position;
    case "End":
      return ctrl ? lastRow() : here.at(-1) ?? position;
    default:
      return null;
  }
}

/** The first stop of the grid (where focus lands the first time), or null for an empty grid. */
export function firstStop({ rows, columns, units }) {
  for (let row = 0; row < rows; row += 1) {
    for (let column = 0; column < columns; column += 1) if (units(row, column) > 0) return { row, column, image: 0 };
  }
  return null;
}

/** `position` kept inside the grid after it changed (a job got its images, the axes swapped). */
export function clampStop(position, grid) {
  if (!position) return firstStop(grid);
  const { rows, columns, units } = grid;
  if (position.row < rows && position.column < columns && units(position.row, position.column) > 0) {
    return { ...position, image: Math.min(position.image, units(position.row, position.column) - 1) };
  }
  return firstStop(grid);
}
