/**
 * Whether an event matches an EventBridge event pattern, by the rules of
 * "Amazon EventBridge event patterns" (AWS EventBridge User Guide): every
 * field of the pattern must match; an array lists the values a field may
 * have (a field holding an array matches when one of its elements does);
 * an object descends into the field; content filters `prefix`, `suffix`,
 * `anything-but`, `exists`, `numeric`, `equals-ignore-case` and `wildcard`
 * compare values. Any other filter throws, so a pattern this matcher does not
 * know fails the test instead of matching wrongly.
 *
 * @example
 * ```ts
 * matchesPattern({ source: ['aws.s3'], detail: { object: { key: [{ prefix: 'a/' }] } } }, event); // true
 * ```
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern))
    throw new Error(`an event pattern is an object, got ${JSON.stringify(pattern)}`);
  return Object.entries(pattern).every(([field, rule]) => {
    const present = isObject(event) && field in event;
    const value = present ? (event as Record<string, unknown>)[field] : undefined;
    if (Array.isArray(rule)) return rule.some((item) => matchesValue(item, value, present));
    if (isObject(rule)) return present && matchesPattern(rule, value);
    throw new Error(`pattern field ${field} must be an array or an object`);
  });
}

function matchesValue(rule: unknown, value: unknown, present: boolean): boolean {
  if (isObject(rule) && 'exists' in rule) return rule.exists === present;
  if (!present) return false;
  if (Array.isArray(value)) return value.some((item) => matchesValue(rule, item, true));
  if (!isObject(rule)) return rule === value;
  const [filter, argument] = Object.entries(rule)[0] ?? [];
  const text = typeof value === 'string' ? value : undefined;
  switch (filter) {
    case 'prefix':
      return text !== undefined && affix(argument, text, (a, b) => a.startsWith(b));
    case 'suffix':
      return text !== undefined && affix(argument, text, (a, b) => a.endsWith(b));
    case 'equals-ignore-case':
      return text !== undefined && text.toLowerCase() === String(argument).toLowerCase();
    case 'wildcard':
      return text !== undefined && wildcard(String(argument)).test(text);
    case 'anything-but':
      return !(Array.isArray(argument) ? argument : [argument]).some((item) =>
        matchesValue(item, value, true),
      );
    case 'numeric':
      return typeof value === 'number' && numeric(argument as unknown[], value);
    default:
      throw new Error(`the local event bus does not implement the content filter ${filter}`);
  }
}

function affix(argument: unknown, text: string, test: (a: string, b: string) => boolean): boolean {
  if (isObject(argument) && 'equals-ignore-case' in argument) {
    return test(text.toLowerCase(), String(argument['equals-ignore-case']).toLowerCase());
  }
  return test(text, String(argument));
}

function wildcard(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's');
}

function numeric(conditions: readonly unknown[], value: number): boolean {
  for (let index = 0; index < conditions.length; index += 2) {
    const operator = conditions[index];
    const bound = Number(conditions[index + 1]);
    const holds =
      operator === '<'
        ? value < bound
        : operator === '<='
          ? value <= bound
          : operator === '>'
            ? value > bound
            : operator === '>='
              ? value >= bound
              : operator === '='
                ? value === bound
                : undefined;
    if (holds === undefined) throw new Error(`unknown numeric operator ${String(operator)}`);
    if (!holds) return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
