/**
 * Sets `key` as an own, enumerable property. Plain assignment with a key from user data (a
 * column named `__proto__`) would replace the object's prototype instead of adding a field.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export const hasOwn = (target: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(target, key);
