// Every adversarial case, in one list with unique ids. Each file holds one
// attack surface; the order here is the order they run in.

import type { Case } from '../harness/case';
import { cliCases } from './cli';
import { concurrencyCases } from './concurrency';
import { dataCases } from './data';
import { dataHelperCases } from './data-helpers';
import { dualBuildCases } from './dual-build';
import { forgeryCases } from './forgery';
import { fuzzCases } from './fuzz';
import { ioFileCases } from './io-files';
import { ioJsonCases } from './io-json';
import { ioOnnxCases } from './io-onnx';
import { ioUrlCases } from './io-url';
import { kerasFileCases } from './keras-files';
import { lifecycleCases } from './lifecycle';
import { lyingArrayCases } from './lying-arrays';
import { memoryCases } from './memory';
import { messageCases } from './messages';
import { nanCases } from './nan';
import { streamCases } from './streams';
import { optionCases } from './options';
import { searchAndBackendCases } from './search';
import { signalCases } from './signals';

export function cases(): Case[] {
  const all: Case[] = [...optionCases(), ...dataCases(), ...forgeryCases(), ...lyingArrayCases(), ...lifecycleCases(), ...concurrencyCases(), ...memoryCases(), ...nanCases(), ...streamCases(), ...ioJsonCases(), ...ioOnnxCases(), ...ioFileCases(), ...ioUrlCases(), ...kerasFileCases(), ...cliCases(), ...dataHelperCases(), ...messageCases(), ...dualBuildCases(), ...searchAndBackendCases(), ...signalCases(), ...fuzzCases()];
  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c.id)) throw new Error(`adversarial cases: duplicate id ${c.id}`);
    seen.add(c.id);
  }
  return all;
}
