// Which rows of a long list are in view, so only those (plus some overscan) exist in the DOM.

/**
 * For rows of a fixed height in a scrolled viewport: the slice [start, end) to render and
 * the heights of the spacers that stand in for the rows above and below it.
 */
export function visibleRange({ scrollTop, viewportHeight, rowHeight, count, overscan = 8 }) {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const inView = Math.ceil(viewportHeight / rowHeight) + 1;
  const start = Math.max(0, Math.min(count, first - overscan));
  const end = Math.min(count, first + inView + overscan);
  return { start, end, before: start * rowHeight, after: (count - end) * rowHeight };
}

/** The scrollTop that brings row `index` fully into view (the current one when it already is). */
export function scrollToShow({ index, scrollTop, viewportHeight, rowHeight, headerHeight = 0 }) {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight - headerHeight) return Math.max(0, bottom - viewportHeight + headerHeight);
  return scrollTop;
}

/**
 * For columns of varied widths (after a fixed `offset`, the row labels) in a viewport scrolled
 * sideways: the columns [start, end) to render, a few beyond each edge (`overscan`).
 */
export function visibleColumns({ scrollLeft, viewportWidth, widths, offset = 0, overscan = 2 }) {
  let left = offset;
  let first = widths.length;
  let last = widths.length;
  for (let column = 0; column < widths.length; column += 1) {
    const right = left + widths[column];
    if (first === widths.length && right > scrollLeft) first = column;
    if (left >= scrollLeft + viewportWidth) {
      last = column;
      break;
    }
    left = right;
  }
  return { start: Math.max(0, first - overscan), end: Math.min(widths.length, last + overscan) };
}

/** The scrollLeft that brings column `index` fully into view (the current one when it already is). */
export function scrollToShowColumn({ index, scrollLeft, viewportWidth, widths, offset = 0 }) {
  const left = offset + widths.slice(0, index).reduce((sum, width) => sum + width, 0);
  const right = left + (widths[index] ?? 0);
  if (left - offset < scrollLeft) return Math.max(0, left - offset);
  if (right > scrollLeft + viewportWidth) return right - viewportWidth;
  return scrollLeft;
}
