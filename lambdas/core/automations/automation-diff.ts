import type { AutomationDefinition } from './automation-spec.js';

/** Differences listed in a "replaced automation" log line before "and N more". */
const MAX_LISTED = 4;

type Leaves = Map<string, string>;

/**
 * Whether a stored automation has the definition the config asks for. The
 * enabled flag is left out: disabling an automation from the CLI is a
 * runtime choice a restart keeps.
 *
 * @example
 * ```ts
 * sameDefinition(stored, validateAutomation(input)); // true: keep it
 * ```
 */
export function sameDefinition(
  stored: AutomationDefinition,
  desired: AutomationDefinition,
): boolean {
  const a = leaves(definitionOf(stored));
  const b = leaves(definitionOf(desired));
  return a.size === b.size && [...a].every(([path, value]) => b.get(path) === value);
}

/**
 * What changed between two definitions, as `path: old → new` items, e.g.
 * `triggers.batch.count: 5 → 6, task.input.minLength: (none) → 3`.
 *
 * @example
 * ```ts
 * describeDifferences(stored, desired); // 'triggers.batch.count: 5 → 6'
 * ```
 */
export function describeDifferences(
  stored: AutomationDefinition,
  desired: AutomationDefinition,
): string {
  const before = leaves(definitionOf(stored));
  const after = leaves(definitionOf(desired));
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const items = paths
    .filter((path) => before.get(path) !== after.get(path))
    .map((path) => `${path}: ${before.get(path) ?? '(none)'} → ${after.get(path) ?? '(none)'}`);
  if (items.length === 0) return 'no difference in its definition';
  const listed = items.slice(0, MAX_LISTED).join(', ');
  return items.length > MAX_LISTED ? `${listed} and ${items.length - MAX_LISTED} more` : listed;
}

/** The parts of an automation its config decides. */
function definitionOf(automation: AutomationDefinition): unknown {
  return {
    name: automation.name,
    kind: automation.kind,
    cluster: automation.cluster,
    task: automation.task,
    triggers: automation.triggers,
  };
}

/** JSON leaves by dotted path; undefined values and empty arrays leave no leaf. */
function leaves(value: unknown, path = '', into: Leaves = new Map()): Leaves {
  if (value === undefined) return into;
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      leaves(item, `${path}[${index}]`, into);
    });
    return into;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      leaves(item, path === '' ? key : `${path}.${key}`, into);
    }
    return into;
  }
  into.set(path, JSON.stringify(value));
  return into;
}
