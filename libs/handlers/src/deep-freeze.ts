/**
 * Freezes `value` and everything reachable from it, in place: what handlers are given (the event,
 * its payload, the object, the route, the catalog's changes) is shared by the handlers, which run
 * one after the other, and by forwarding after them; none can change what the next one sees or
 * what is forwarded. Assigning to it then throws a TypeError (handler modules are strict mode).
 */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (typeof next !== 'object' || next === null || Object.isFrozen(next)) continue;
    Object.freeze(next);
    stack.push(...(Object.values(next) as unknown[]));
  }
  return value;
}
