// The fast share of the adversarial suite (test/adversarial/) that `npm test`
// runs: the cases marked `fast` — one or two per attack surface, the short
// fuzz run included — in child processes with timeouts, as the full suite
// runs them. `npm run test:adversarial` runs all of them.

import { cases } from './adversarial/cases/index';
import { defineSuite } from './adversarial/harness/suite';

defineSuite('adversarial-fast', 'nnwasm adversarial suite: the fast share', cases().filter((c) => c.fast));
