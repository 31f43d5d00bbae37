/**
 * The defaults, with every field `given` defines (an explicit `undefined` keeps the default). Only the
 * defaults' keys are read, so options meant for something else pass through untouched.
 */
export function withDefaults<T extends object>(defaults: T, given: Partial<T>): T {
  const result: { -readonly [K in keyof T]: T[K] } = { ...defaults };
  for (const key of Object.keys(defaults) as Array<keyof T>) {
    if (given[key] !== undefined) result[key] = given[key] as T[keyof T];
  }
  return result;
}
