/**
 * Creation order for schema objects: a topological sort over their
 * dependencies that keeps the given order wherever dependencies allow, and
 * breaks cycles the way pg_dump does — by creating a separable piece of an
 * object (a column default, a domain CHECK) on its own after what it needs,
 * instead of inline. Pure: no I/O, no SQL.
 */

/** `from` needs `to` first; with `part`, only that piece of `from` does (see PgDependency). */
export interface OrderEdge {
  from: string;
  to: string;
  part?: string;
}

/** Create `key` (without its detached parts), or, with `part`, that detached piece of it. */
export interface OrderStep {
  key: string;
  part?: string;
}

export interface OrderResult {
  /** Every key once, in creation order, with detached parts after what they need. */
  steps: OrderStep[];
  /** Per key, the parts that were split off: its main statement must leave them out. */
  detached: Map<string, Set<string>>;
  /**
   * Cycles no part could break (keys in cycle order). One edge of each was
   * ignored, so creation may still fail there; callers report them.
   */
  unresolved: string[][];
}

interface Node {
  id: string;
  key: string;
  part?: string;
  priority: number;
  edges: Edge[];
  /** Edges whose target is not created yet. */
  waiting: number;
  done: boolean;
}

interface Edge {
  owner: Node;
  to: Node;
  part?: string;
  active: boolean;
}

/**
 * Order `keys` so every edge's `to` comes before its `from`. Among objects
 * free to go, the one earliest in `keys` goes first, so the result is
 * deterministic and follows the caller's grouping. Edges naming unknown keys
 * (built-in or extension objects) and self-edges are ignored.
 */
export function orderObjects(keys: readonly string[], edges: readonly OrderEdge[]): OrderResult {
  const nodes = new Map<string, Node>();
  keys.forEach((key, i) => {
    if (!nodes.has(key)) nodes.set(key, { id: key, key, priority: i, edges: [], waiting: 0, done: false });
  });
  const incoming = new Map<Node, Edge[]>();
  const link = (owner: Node, to: Node, part?: string): void => {
    const edge: Edge = { owner, to, active: true, ...(part !== undefined ? { part } : {}) };
    owner.edges.push(edge);
    if (!to.done) owner.waiting++;
    const list = incoming.get(to);
    if (list) list.push(edge);
    else incoming.set(to, [edge]);
  };
  for (const e of edges) {
    const from = nodes.get(e.from);
    const to = nodes.get(e.to);
    if (from && to && from !== to) link(from, to, e.part);
  }

  const ready = new MinHeap<Node>((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const n of nodes.values()) if (n.waiting === 0) ready.push(n);
  const steps: OrderStep[] = [];
  const detached = new Map<string, Set<string>>();
  const unresolved: string[][] = [];
  const all = [...nodes.values()];
  let remaining = all.length;

  const settle = (n: Node): void => {
    n.done = true;
    remaining--;
    steps.push(n.part === undefined ? { key: n.key } : { key: n.key, part: n.part });
    for (const e of incoming.get(n) ?? []) {
      if (!e.active || e.owner.done) continue;
      e.owner.waiting--;
      if (e.owner.waiting === 0) ready.push(e.owner);
    }
  };

  while (remaining > 0) {
    const next = ready.pop();
    if (next) {
      if (!next.done && next.waiting === 0) settle(next);
      continue;
    }
    const cycle = findCycle(all);
    const breakable = cycleEdges(cycle).find((e) => e.part !== undefined);
    if (breakable && breakable.part !== undefined) {
      const owner = breakable.owner;
      const part = breakable.part;
      const piece: Node = {
        id: `${owner.id}\u0000${part}`,
        key: owner.key,
        part,
        priority: owner.priority + 0.5,
        edges: [],
        waiting: 0,
        done: false,
      };
      all.push(piece);
      remaining++;
      for (const e of owner.edges) {
        if (!e.active || e.part !== part) continue;
        e.active = false;
        if (!e.to.done) owner.waiting--;
        link(piece, e.to);
      }
      link(piece, owner);
      (detached.get(owner.key) ?? detached.set(owner.key, new Set()).get(owner.key))?.add(part);
      if (owner.waiting === 0) ready.push(owner);
    } else {
      unresolved.push(cycle.map((n) => n.key));
      const [drop] = cycleEdges(cycle);
      if (drop) {
        drop.active = false;
        drop.owner.waiting--;
        if (drop.owner.waiting === 0) ready.push(drop.owner);
      }
    }
  }
  return { steps, detached, unresolved };
}

/**
 * Every node not yet created waits for at least one other such node, so
 * walking first waiting edges from the earliest one must come back to a node
 * already on the path.
 */
function findCycle(all: Node[]): Node[] {
  let start: Node | undefined;
  for (const n of all) if (!n.done && (!start || n.priority < start.priority)) start = n;
  const path: Node[] = [];
  const at = new Map<Node, number>();
  for (let cur = start; cur;) {
    const seen = at.get(cur);
    if (seen !== undefined) return path.slice(seen);
    at.set(cur, path.length);
    path.push(cur);
    cur = cur.edges.find((e) => e.active && !e.to.done)?.to;
  }
  return path;
}

/** The active edges along a cycle (each node to the next, the last to the first), soft ones preferred per step. */
function cycleEdges(cycle: Node[]): Edge[] {
  const out: Edge[] = [];
  cycle.forEach((n, i) => {
    const to = cycle[(i + 1) % cycle.length];
    const candidates = n.edges.filter((e) => e.active && e.to === to);
    const edge = candidates.find((e) => e.part !== undefined) ?? candidates[0];
    if (edge) out.push(edge);
  });
  return out;
}

class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}

  push(item: T): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (this.less(a[i] as T, a[p] as T) >= 0) break;
      [a[i], a[p]] = [a[p] as T, a[i] as T];
      i = p;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l] as T, a[m] as T) < 0) m = l;
      if (r < a.length && this.less(a[r] as T, a[m] as T) < 0) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m] as T, a[i] as T];
      i = m;
    }
    return top;
  }
}
