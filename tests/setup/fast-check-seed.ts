// `npm test` is reproducible: every fast-check property under tests/ starts from one fixed seed, so
// CI cannot fail on a case that a local run never saw. To explore, set CV_FC_SEED to another
// integer; a failure prints the seed and path that replay it. (The property suites under
// property-tests/ choose their own seeds: fixed per property in the quick profile, fresh in the
// deep campaign of `npm run test:property`.)
import fc from 'fast-check';

const DEFAULT_SEED = 20261122;
const fromEnv = process.env.CV_FC_SEED;
if (fromEnv !== undefined && !/^-?\d+$/.test(fromEnv)) throw new Error(`CV_FC_SEED=${fromEnv} is not an integer; unset it or give e.g. CV_FC_SEED=42`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: fromEnv === undefined ? DEFAULT_SEED : Number(fromEnv) });
