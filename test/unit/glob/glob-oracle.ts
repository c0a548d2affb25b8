/**
 * An independent reference matcher for the glob dialect, for property tests.
 * It shares no code with `lambdas/core/glob` and uses no RegExp: it turns the
 * pattern into a small automaton (one state per token, braces as forks to a
 * shared continuation) and runs the key through it, tracking the set of live
 * states. It trusts its input to be valid (generators only build valid
 * patterns). Keys are compared by UTF-16 code unit, so keep them ASCII.
 */
type Token =
  | { readonly kind: 'char'; readonly char: string }
  | { readonly kind: 'star' }
  | { readonly kind: 'globstar' }
  | { readonly kind: 'one' }
  | { readonly kind: 'set'; readonly accepts: (char: string) => boolean }
  | { readonly kind: 'alt'; readonly options: Token[][] };

/** Whether `key` matches the whole of `pattern`, per the dialect's rules. */
export function oracleMatches(pattern: string, key: string): boolean {
  const accept: State = { kind: 'accept' };
  let live = closure([build(tokenize(pattern, { at: 0 }, false), accept)]);
  for (const char of key) {
    const next: State[] = [];
    for (const state of live) {
      if (state.kind === 'step' && state.accepts(char)) next.push(state.next);
      // A star stays put after consuming, so that it can consume again.
      if (state.kind === 'loop' && state.accepts(char)) next.push(state);
    }
    live = closure(next);
  }
  return live.has(accept);
}

type State =
  | { readonly kind: 'accept' }
  | { readonly kind: 'step'; readonly accepts: (char: string) => boolean; readonly next: State }
  | { readonly kind: 'loop'; readonly accepts: (char: string) => boolean; readonly next: State }
  | { readonly kind: 'fork'; readonly options: readonly State[] };

const notSlash = (char: string) => char !== '/';

/** The state that matches `tokens` and then continues with `next`. */
function build(tokens: readonly Token[], next: State): State {
  let state = next;
  for (const token of tokens.toReversed()) {
    switch (token.kind) {
      case 'char':
        state = { kind: 'step', accepts: (char) => char === token.char, next: state };
        break;
      case 'one':
        state = { kind: 'step', accepts: notSlash, next: state };
        break;
      case 'set':
        state = { kind: 'step', accepts: token.accepts, next: state };
        break;
      case 'star':
        state = { kind: 'loop', accepts: notSlash, next: state };
        break;
      case 'globstar':
        state = { kind: 'loop', accepts: () => true, next: state };
        break;
      case 'alt': {
        const after = state;
        state = { kind: 'fork', options: token.options.map((option) => build(option, after)) };
        break;
      }
    }
  }
  return state;
}

/** The states reachable without consuming a character: through forks, and past loops that match nothing. */
function closure(states: readonly State[]): Set<State> {
  const reached = new Set<State>();
  const pending = [...states];
  for (let state = pending.pop(); state !== undefined; state = pending.pop()) {
    if (reached.has(state)) continue;
    reached.add(state);
    if (state.kind === 'fork') pending.push(...state.options);
    if (state.kind === 'loop') pending.push(state.next);
  }
  return reached;
}

function tokenize(pattern: string, cursor: { at: number }, inAlt: boolean): Token[] {
  const tokens: Token[] = [];
  while (cursor.at < pattern.length) {
    const char = pattern.charAt(cursor.at);
    if (inAlt && (char === ',' || char === '}')) return tokens;
    cursor.at++;
    if (char === '\\') {
      tokens.push({ kind: 'char', char: pattern.charAt(cursor.at) });
      cursor.at++;
    } else if (char === '*') {
      let run = 1;
      while (pattern.charAt(cursor.at) === '*') {
        run++;
        cursor.at++;
      }
      tokens.push(run > 1 ? { kind: 'globstar' } : { kind: 'star' });
    } else if (char === '?') {
      tokens.push({ kind: 'one' });
    } else if (char === '[') {
      tokens.push(readSet(pattern, cursor));
    } else if (char === '{') {
      const options: Token[][] = [];
      for (;;) {
        options.push(tokenize(pattern, cursor, true));
        const closer = pattern.charAt(cursor.at);
        cursor.at++;
        if (closer === '}') break;
      }
      tokens.push({ kind: 'alt', options });
    } else {
      tokens.push({ kind: 'char', char });
    }
  }
  return tokens;
}

function readSet(pattern: string, cursor: { at: number }): Token {
  const negated = pattern.charAt(cursor.at) === '!' || pattern.charAt(cursor.at) === '^';
  if (negated) cursor.at++;
  const members: Array<[string, string]> = [];
  const next = () => {
    const char = pattern.charAt(cursor.at++);
    return char === '\\' ? pattern.charAt(cursor.at++) : char;
  };
  while (pattern.charAt(cursor.at) !== ']') {
    const low = next();
    const isRange = pattern.charAt(cursor.at) === '-' && pattern.charAt(cursor.at + 1) !== ']';
    if (isRange) cursor.at++;
    members.push([low, isRange ? next() : low]);
  }
  cursor.at++;
  return {
    kind: 'set',
    accepts: (char) => {
      if (char === '/') return false;
      const listed = members.some(([low, high]) => low <= char && char <= high);
      return negated ? !listed : listed;
    },
  };
}
