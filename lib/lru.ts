// Entries in order of last use, for state bounded by evicting the least recently used.
//
// A Map kept in that order by deleting and setting an entry again on each use is the usual JavaScript LRU, but V8
// steps over every deleted entry still in the table when it iterates from the front, so taking the oldest costs
// as many steps as deletions since the table was last rebuilt: ≈ 3 µs an event at 10,000 keys and 18 µs at 100,000
// for a keyed Trigger at its correlation.maxKeys. Here the order is a linked list through the entries; the Map is
// only looked up, never iterated.
interface Node<V> {
  key: string;
  value: V;
  older: Node<V> | undefined;
  newer: Node<V> | undefined;
}

export class LruMap<V> {
  private readonly nodes = new Map<string, Node<V>>();
  private oldest: Node<V> | undefined;
  private newest: Node<V> | undefined;

  get size(): number {
    return this.nodes.size;
  }

  get(key: string): V | undefined {
    return this.nodes.get(key)?.value;
  }

  /** Sets the value of `key` and makes it the most recently used. */
  set(key: string, value: V): void {
    let node = this.nodes.get(key);
    if (node) {
      node.value = value;
      if (node === this.newest) return;
      this.unlink(node);
    } else {
      node = { key, value, older: undefined, newer: undefined };
      this.nodes.set(key, node);
    }
    node.older = this.newest;
    if (this.newest) this.newest.newer = node;
    else this.oldest = node;
    this.newest = node;
  }

  delete(key: string): boolean {
    const node = this.nodes.get(key);
    if (!node) return false;
    this.unlink(node);
    return this.nodes.delete(key);
  }

  /** The least recently used entry. */
  peekOldest(): [string, V] | undefined {
    return this.oldest ? [this.oldest.key, this.oldest.value] : undefined;
  }

  /** Least recently used first. Deleting the entry just visited is allowed. */
  *entries(): IterableIterator<[string, V]> {
    for (let node = this.oldest; node; ) {
      const next = node.newer;
      yield [node.key, node.value];
      node = next;
    }
  }

  private unlink(node: Node<V>): void {
    if (node.older) node.older.newer = node.newer;
    else this.oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.newest = node.older;
    node.older = node.newer = undefined;
  }
}
