// The whole adversarial suite (issue #16): every case in ./cases, each in a
// child process with a timeout, judged against the invariants of
// harness/child.ts. Run by `npm run test:adversarial` (vitest.adversarial.config.ts);
// the report lands in test-output/adversarial.md.

import { cases } from './cases/index';
import { defineSuite } from './harness/suite';

defineSuite('adversarial', 'nnwasm adversarial suite', cases());
