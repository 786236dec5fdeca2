/**
 * Role: chip interconnect between tiles, the digital unit and the global buffer.
 *
 * Contract: nodes 0..tiles-1 are tiles; node `tiles` is the hub (digital unit + global buffer +
 * off-chip link), attached to the node returned by `hubAttach`. `route(src, dst)` returns the
 * directed link ids a packet crosses, in order (deterministic); `linkCount` bounds the ids.
 * Every link has the same width (bits/cycle) and hop latency (from the spec).
 */
export interface InterconnectSpecLike {
  impl: 'mesh' | 'htree' | 'bus';
  width: number;
  height: number;
  tiles: number;
}

export interface Topology {
  readonly name: 'mesh' | 'htree' | 'bus';
  readonly linkCount: number;
  /** routers in the topology (for area/leakage) */
  readonly routers: number;
  route(src: number, dst: number): number[];
}

/** 2-D mesh, dimension-ordered XY routing. Link id = node*5 + dir (0 E, 1 W, 2 N, 3 S, 4 hub port). */
function mesh(s: InterconnectSpecLike): Topology {
  const W = s.width;
  const hub = s.tiles;
  const cache = new Map<number, number[]>();
  const xy = (n: number) => [n % W, Math.floor(n / W)] as const;
  return {
    name: 'mesh',
    linkCount: (s.tiles + 1) * 5,
    routers: s.tiles,
    route(src, dst) {
      const key = src * 100003 + dst;
      const c = cache.get(key);
      if (c) return c;
      const links: number[] = [];
      let from = src;
      if (src === hub) {
        links.push(hub * 5 + 0); // hub -> node 0 injection link
        from = 0;
      }
      const to = dst === hub ? 0 : dst;
      let [x, y] = xy(from);
      const [tx, ty] = xy(to);
      while (x !== tx) {
        const n = y * W + x;
        if (tx > x) {
          links.push(n * 5 + 0);
          x++;
        } else {
          links.push(n * 5 + 1);
          x--;
        }
      }
      while (y !== ty) {
        const n = y * W + x;
        if (ty > y) {
          links.push(n * 5 + 3);
          y++;
        } else {
          links.push(n * 5 + 2);
          y--;
        }
      }
      if (dst === hub) links.push(0 * 5 + 4); // node 0 -> hub ejection link
      cache.set(key, links);
      return links;
    },
  };
}

/**
 * Binary H-tree: tiles are leaves (padded to a power of two), the hub is the root. Link ids: for a
 * tree node t (heap numbering, root 1), up-link 2t, down-link 2t+1. A route climbs to the lowest
 * common ancestor and descends.
 */
function htree(s: InterconnectSpecLike): Topology {
  let leaves = 1;
  while (leaves < s.tiles) leaves *= 2;
  const hub = s.tiles;
  const leafNode = (t: number) => leaves + t;
  return {
    name: 'htree',
    linkCount: 4 * leaves + 2,
    routers: Math.max(1, leaves - 1),
    route(src, dst) {
      const up: number[] = [];
      const down: number[] = [];
      let a = src === hub ? 1 : leafNode(src);
      let b = dst === hub ? 1 : leafNode(dst);
      while (a !== b) {
        if (a > b) {
          up.push(2 * a);
          a >>= 1;
        } else {
          down.push(2 * b + 1);
          b >>= 1;
        }
      }
      return up.concat(down.reverse());
    },
  };
}

/** One shared bus: every transfer crosses link 0. */
function bus(_s: InterconnectSpecLike): Topology {
  const one = [0];
  return { name: 'bus', linkCount: 1, routers: 0, route: (src, dst) => (src === dst ? [] : one) };
}

export const INTERCONNECTS = { mesh, htree, bus } as const satisfies Record<string, (s: InterconnectSpecLike) => Topology>;
export type InterconnectName = keyof typeof INTERCONNECTS;
