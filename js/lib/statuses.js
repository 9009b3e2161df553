// Mirrors contract.STATUSES / STATUS_FILTERS in the Python package (a test keeps them equal).
export const STATUSES = ["pending", "processing", "completed", "failed"];
export const STATUS_FILTERS = ["all", ...STATUSES];
