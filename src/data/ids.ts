/** Ids of the datasets the user imported: `user-` and up to 100 letters, digits, `_` or `-`. */
export const USER_DATASET_ID = /^user-[A-Za-z0-9_-]{1,100}$/;

export function isUserDatasetId(id: string): boolean {
  return USER_DATASET_ID.test(id);
}

/** A fresh id for an import: time and randomness, so two imports in one millisecond still differ. */
export function newUserDatasetId(now = Date.now(), rnd: () => number = Math.random): string {
  return `user-${now.toString(36)}-${Math.floor(rnd() * 36 ** 6).toString(36).padStart(6, '0')}`;
}
