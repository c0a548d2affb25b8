interface TrieNode<V> {
  edges: Map<number, TrieEdge<V>> | undefined;
  bucket: V[] | undefined;
}

interface TrieEdge<V> {
  /** In walk order: reversed for a suffix trie. Never empty. */
  label: string;
  /** The label as it reads in a key, for `startsWith` / `endsWith`. */
  text: string;
  node: TrieNode<V>;
}

/**
 * A radix trie of literal prefixes (or, `fromEnd`, suffixes) with a bucket
 * of values per affix. Chains of single children are merged into one edge,
 * so that walking a key costs a map look-up per branching point rather than
 * per character. Compares UTF-16 code units, which preserves the prefix
 * relation of strings.
 *
 * @example
 * ```ts
 * const trie = new AffixTrie<string>(false);
 * trie.bucket('teams/a/').push('automation-1');
 * const buckets: Array<readonly string[]> = [];
 * trie.bucketsOf('teams/a/x.tif', buckets); // buckets: [['automation-1']]
 * ```
 */
export class AffixTrie<V> {
  private readonly root: TrieNode<V> = { edges: undefined, bucket: undefined };

  constructor(private readonly fromEnd: boolean) {}

  /** The bucket of one affix, created empty on first use. */
  bucket(affix: string): V[] {
    const text = this.fromEnd ? reverse(affix) : affix;
    let node = this.root;
    let at = 0;
    while (at < text.length) {
      node.edges ??= new Map();
      const edge = node.edges.get(text.charCodeAt(at));
      if (edge === undefined) {
        const leaf: TrieNode<V> = { edges: undefined, bucket: undefined };
        node.edges.set(text.charCodeAt(at), this.edge(text.slice(at), leaf));
        node = leaf;
        break;
      }
      let shared = 1;
      while (
        shared < edge.label.length &&
        at + shared < text.length &&
        edge.label.charCodeAt(shared) === text.charCodeAt(at + shared)
      ) {
        shared++;
      }
      if (shared < edge.label.length) {
        const rest = this.edge(edge.label.slice(shared), edge.node);
        edge.node = { edges: new Map([[rest.label.charCodeAt(0), rest]]), bucket: undefined };
        edge.label = edge.label.slice(0, shared);
        edge.text = this.fromEnd ? reverse(edge.label) : edge.label;
      }
      node = edge.node;
      at += shared;
    }
    node.bucket ??= [];
    return node.bucket;
  }

  private edge(label: string, node: TrieNode<V>): TrieEdge<V> {
    return { label, text: this.fromEnd ? reverse(label) : label, node };
  }

  /** Appends the bucket of every stored affix of `key` to `out`, shortest first. */
  bucketsOf(key: string, out: Array<readonly V[]>): void {
    let node = this.root;
    if (node.bucket !== undefined) out.push(node.bucket);
    if (this.fromEnd) {
      let end = key.length;
      while (end > 0 && node.edges !== undefined) {
        const edge = node.edges.get(key.charCodeAt(end - 1));
        if (edge === undefined || !key.endsWith(edge.text, end)) return;
        end -= edge.label.length;
        node = edge.node;
        if (node.bucket !== undefined) out.push(node.bucket);
      }
    } else {
      let at = 0;
      while (at < key.length && node.edges !== undefined) {
        const edge = node.edges.get(key.charCodeAt(at));
        if (edge === undefined || !key.startsWith(edge.text, at)) return;
        at += edge.label.length;
        node = edge.node;
        if (node.bucket !== undefined) out.push(node.bucket);
      }
    }
  }
}

function reverse(text: string): string {
  let reversed = '';
  for (let i = text.length - 1; i >= 0; i--) reversed += text[i];
  return reversed;
}
