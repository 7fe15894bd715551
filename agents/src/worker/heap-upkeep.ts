import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What {@link HeapUpkeep} needs from V8; the defaults are the real ones. */
export interface HeapUpkeepHooks {
  /** Collects garbage: the whole heap (`major`) or only the young objects. */
  collect(type: 'major' | 'minor'): void;
  /** Bytes in use in the old generation (what a whole collection is for). */
  oldBytes(): number;
}

/** A whole collection is made once the old generation has grown this much since the last one. */
const DEFAULT_GROWTH_BYTES = 16 * 1024 * 1024;

/**
 * Collects garbage while the worker waits on models, so that V8 rarely has
 * to when the replies come. A task's bursts (eight coders starting at once,
 * eight replies read together) allocate fast, and a whole-heap collection
 * that V8 starts in one of them stops the thread for tens of milliseconds
 * (30–60 ms measured in a crew process of a few hundred megabytes), exactly
 * when every agent waits for it. At a quiet moment the same work costs
 * nothing anyone waits for: the young objects are always collected (a few
 * milliseconds; the next burst starts with room), the whole heap once it
 * has grown by `growthBytes` since the last whole collection.
 */
export class HeapUpkeep {
  /** The old generation's smallest size seen since the last whole collection made here (V8's own ones shrink it too). */
  private floor: number;

  constructor(
    private readonly hooks: HeapUpkeepHooks,
    private readonly growthBytes = DEFAULT_GROWTH_BYTES,
  ) {
    this.floor = hooks.oldBytes();
  }

  /**
   * The upkeep of this process, or null when V8 will not hand out its
   * collector (the flag cannot be set at run time here).
   */
  static forThisProcess(growthBytes?: number): HeapUpkeep | null {
    const gc = exposedCollector();
    if (gc === null) return null;
    const oldBytes = () => getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;
    return new HeapUpkeep({ collect: (type) => gc({ type }), oldBytes }, growthBytes);
  }

  /** Runs at a quiet moment: which collection, if any, is worth making now. */
  tend(): 'major' | 'minor' {
    const old = this.hooks.oldBytes();
    this.floor = Math.min(this.floor, old);
    const type = old - this.floor >= this.growthBytes ? 'major' : 'minor';
    this.hooks.collect(type);
    if (type === 'major') this.floor = this.hooks.oldBytes();
    return type;
  }
}

type Collector = (options: { type: 'major' | 'minor' }) => void;

let collector: Collector | null | undefined;

/** V8's collector as `--expose-gc` gives it, obtained once: in a fresh context, so this process's globals stay as they are. */
function exposedCollector(): Collector | null {
  if (collector !== undefined) return collector;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    collector = typeof gc === 'function' ? (gc as Collector) : null;
  } catch {
    collector = null;
  }
  return collector;
}
