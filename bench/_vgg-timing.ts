/**
 * The CIFAR-10 VGG timing run's inputs, shared by bench/events.ts and bench/_events-driver.ts:
 * arch-configs/tile64.json and the seed-shape VGG (synthetic weights: timing does not depend on
 * them) mapped for one design (split: groups of the arrays' rows).
 */
import { join } from 'node:path';
import { loadArch } from '../src/arch/index.ts';
import { mapModel } from '../src/map/index.ts';
import { syntheticModel } from '../src/model/synthetic.ts';

export function vggTimingRun(root: string, design: 'adc' | 'split') {
  const arch = loadArch(join(root, 'arch-configs/tile64.json'));
  const m = mapModel(arch, syntheticModel('cifar10-vgg', design === 'adc' ? null : arch.tile.array.rows), design);
  if (!m.ok) throw new Error(m.reason);
  return { arch, mapping: m };
}
